// SuiteCloud CLI for Node.js project settings: `suitecloud project:deploy` deploys ./src.
module.exports = {
  defaultProjectFolder: 'src',
  commands: {},
};
