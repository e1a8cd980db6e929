/**
 * A test script for the runner's module shims: each `op` exercises one N/ module the way the
 * SuiteScript help documents it, and returns what the script saw.
 *
 * @NApiVersion 2.1
 * @NScriptType Restlet
 */
define(['N/query', 'N/runtime', 'N/log', 'N/error'], (query, runtime, log, error) => {
  const binds = (p) => JSON.parse(p.binds || '[]');

  const ops = {
    paged: (p) => {
      const data = query.runSuiteQLPaged({ query: p.sql, params: binds(p), pageSize: Number(p.pageSize) });
      const pages = data.pageRanges.map((range) => {
        const page = data.fetch({ index: range.index });
        return { index: range.index, size: range.size, isFirst: page.isFirst, isLast: page.isLast,
          rows: page.data.asMappedResults() };
      });
      return { count: data.count, pageSize: data.pageSize, pages, left: runtime.getCurrentScript().getRemainingUsage() };
    },
    iterate: (p) => {
      const seen = [];
      query.runSuiteQLPaged({ query: p.sql, params: binds(p), pageSize: 5 }).iterator().each((page) => {
        page.value.data.iterator().each((row) => {
          seen.push(row.value.values[0]);
          return true;
        });
        return true;
      });
      return seen;
    },
    plain: (p) => {
      const results = query.runSuiteQL({ query: p.sql, params: binds(p) });
      return { values: results.results.map((r) => r.values), mapped: results.asMappedResults(),
        left: runtime.getCurrentScript().getRemainingUsage() };
    },
    fetchPast: (p) => query.runSuiteQLPaged({ query: p.sql, pageSize: 5 }).fetch({ index: 99 }),
    log: () => {
      log.audit({ title: 'hello', details: { n: 1 } });
      log.debug('plain', 'text');
      return 'logged';
    },
    fail: () => {
      throw error.create({ name: 'MY_CODE', message: 'my message', notifyOff: true });
    },
    caught: () => {
      try {
        query.runSuiteQL({ query: 'SELECT id FROM item' });
        return 'ran';
      } catch (e) {
        return { name: e.name, message: e.message, type: e.type };
      }
    },
  };

  return { get: (p) => ops[p.op](p) };
});
