'use strict';
/**
 * Runs our SuiteScript 2.1 files unchanged under node: an AMD `define` loader plus the N/query,
 * N/runtime, N/log and N/error modules, answered by the Python driver (driver.py) over JSON lines.
 *
 * Protocol (strict ping-pong on stdin/stdout, one line = one JSON object):
 *   driver -> runner  {"op": "call", "file", "entry", "params", "budget", "charges", "script", "deployment"}
 *   runner -> driver  {"op": "count", "sql", "params"}                  answer {"count"} or {"error"}
 *                     {"op": "rows", "sql", "params", "limit", "offset"} answer {"columns", "rows"} or {"error"}
 *                     {"op": "log", "level", "title", "details"}        (no answer)
 *                     {"op": "done", "result"} | {"op": "done", "error": {"name", "message"}} (uncaught)
 * The runner blocks on fs.readSync for each answer, so a script runs synchronously, as on NetSuite.
 */
const fs = require('fs');
const path = require('path');
const { StringDecoder } = require('string_decoder');

// ------------------------------------------------------------------ line I/O (blocking)
const decoder = new StringDecoder('utf8');
const chunk = Buffer.alloc(1 << 20);
let pending = '';

const readLine = () => {
  for (;;) {
    const nl = pending.indexOf('\n');
    if (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      return line;
    }
    let n;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EOF') return null;
      throw e;
    }
    if (n === 0) return null;
    pending += decoder.write(chunk.subarray(0, n));
  }
};

const send = (message) => {
  const bytes = Buffer.from(`${JSON.stringify(message)}\n`, 'utf8');
  let done = 0;
  while (done < bytes.length) {
    try {
      done += fs.writeSync(1, bytes, done, bytes.length - done);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
};

const ask = (message) => {
  send(message);
  const line = readLine();
  if (line === null) process.exit(0);
  return JSON.parse(line);
};

// ------------------------------------------------------------------ N/error
class SuiteScriptError extends Error {
  constructor(name, message, notifyOff) {
    super(message);
    this.name = name;
    this.id = '';
    this.notifyOff = Boolean(notifyOff);
    this.type = 'error.SuiteScriptError';
  }

  toString() {
    return JSON.stringify({ type: this.type, name: this.name, message: this.message });
  }
}

const errorModule = {
  create: ({ name, message, notifyOff } = {}) => new SuiteScriptError(name, message, notifyOff),
  SuiteScriptError,
  Type: new Proxy({}, { get: (_target, key) => String(key) }),
};

// ------------------------------------------------------------------ N/runtime (governance)
/** Usage of the call in progress: `budget` units, `charges` per API (see driver.py CHARGES). */
const usage = { remaining: 0, charges: {}, script: '', deployment: '' };

const charge = (api) => {
  const units = usage.charges[api] || 0;
  if (usage.remaining < units) {
    throw new SuiteScriptError('SSS_USAGE_LIMIT_EXCEEDED', 'Script Execution Usage Limit Exceeded');
  }
  usage.remaining -= units;
};

const runtimeModule = {
  getCurrentScript: () => ({
    id: usage.script,
    deploymentId: usage.deployment,
    logLevel: 'ERROR',
    getRemainingUsage: () => usage.remaining,
    getParameter: () => null,
  }),
  ContextType: { RESTLET: 'RESTLET' },
  executionContext: 'RESTLET',
};

// ------------------------------------------------------------------ N/log
const logAt = (level) => (titleOrOptions, details) => {
  const options =
    titleOrOptions && typeof titleOrOptions === 'object' ? titleOrOptions : { title: titleOrOptions, details };
  const text = (value) => (value === undefined || typeof value === 'string' ? value : JSON.stringify(value));
  send({ op: 'log', level, title: text(options.title), details: text(options.details) });
};
const logModule = {
  debug: logAt('DEBUG'),
  audit: logAt('AUDIT'),
  error: logAt('ERROR'),
  emergency: logAt('EMERGENCY'),
};

// ------------------------------------------------------------------ N/query (SuiteQL)
const fromDriver = (answer) => {
  if (answer.error) throw new SuiteScriptError(answer.error.name, answer.error.message);
  return answer;
};

const queryOptions = (options, params) =>
  typeof options === 'string' ? { query: options, params: params || [] } : { params: [], ...options };

const asParams = (params) =>
  (params || []).map((value) => {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new SuiteScriptError('SSS_INVALID_TYPE_ARG', `Invalid SuiteQL parameter: ${String(value)}`);
    }
    return value;
  });

class Result {
  constructor(columns, values) {
    this.values = values;
    this._columns = columns;
  }

  asMap() {
    const mapped = {};
    this._columns.forEach((name, i) => {
      mapped[name] = this.values[i];
    });
    return mapped;
  }
}

class ResultSet {
  constructor(columns, rows) {
    this.columns = columns.map((name) => ({ fieldId: name, label: name, alias: name }));
    this.results = rows.map((values) => new Result(columns, values));
    this.types = columns.map(() => 'STRING');
  }

  asMappedResults() {
    return this.results.map((result) => result.asMap());
  }

  iterator() {
    const results = this.results;
    return {
      each: (callback) => {
        for (const value of results) if (callback({ value }) === false) break;
      },
    };
  }
}

const fetchRows = (sql, params, limit, offset) => {
  const answer = fromDriver(ask({ op: 'rows', sql, params, limit, offset }));
  return new ResultSet(answer.columns, answer.rows);
};

class PageRange {
  constructor(index, size) {
    this.index = index;
    this.size = size;
    this.compoundLabel = String(index);
  }
}

/** Pages one driver round trip brings: the one asked for and the next ones (charged when fetched). */
const READ_AHEAD_PAGES = 5;

class PagedData {
  constructor(sql, params, pageSize, count) {
    this.pageSize = pageSize;
    this.count = count;
    this.pageRanges = [];
    for (let index = 0; index * pageSize < count; index += 1) {
      this.pageRanges.push(new PageRange(index, Math.min(pageSize, count - index * pageSize)));
    }
    this._sql = sql;
    this._params = params;
    this._ahead = new Map();
  }

  _rows(index) {
    if (!this._ahead.has(index)) {
      const pages = Math.min(READ_AHEAD_PAGES, this.pageRanges.length - index);
      const answer = fromDriver(
        ask({ op: 'rows', sql: this._sql, params: this._params, limit: pages * this.pageSize, offset: index * this.pageSize }),
      );
      this._ahead.clear();
      for (let page = 0; page < pages; page += 1) {
        const rows = answer.rows.slice(page * this.pageSize, (page + 1) * this.pageSize);
        this._ahead.set(index + page, new ResultSet(answer.columns, rows));
      }
    }
    const data = this._ahead.get(index);
    this._ahead.delete(index);
    return data;
  }

  fetch(options) {
    const index = typeof options === 'object' && options !== null ? options.index : options;
    if (typeof index !== 'number' || Number.isNaN(index)) {
      throw new SuiteScriptError('INVALID_PAGE_INDEX', 'The page index must be a number.');
    }
    if (index < 0 || index >= this.pageRanges.length) {
      throw new SuiteScriptError('INVALID_PAGE_RANGE', `There is no page ${index}.`);
    }
    charge('PagedData.fetch');
    const data = this._rows(index);
    return {
      data,
      pageRange: this.pageRanges[index],
      pagedData: this,
      isFirst: index === 0,
      isLast: index === this.pageRanges.length - 1,
    };
  }

  iterator() {
    return {
      each: (callback) => {
        for (const range of this.pageRanges) if (callback({ value: this.fetch({ index: range.index }) }) === false) break;
      },
    };
  }
}

const queryModule = {
  runSuiteQL: (options, params) => {
    charge('query.runSuiteQL');
    const o = queryOptions(options, params);
    return fetchRows(o.query, asParams(o.params), 100000, 0);
  },
  runSuiteQLPaged: (options) => {
    charge('query.runSuiteQLPaged');
    const o = queryOptions(options);
    const pageSize = o.pageSize === undefined ? 50 : Number(o.pageSize);
    if (!(pageSize >= 5 && pageSize <= 1000)) {
      throw new SuiteScriptError('INVALID_PAGE_SIZE', 'The page size must be between 5 and 1000.');
    }
    const sqlParams = asParams(o.params);
    const { count } = fromDriver(ask({ op: 'count', sql: o.query, params: sqlParams }));
    return new PagedData(o.query, sqlParams, pageSize, count);
  },
};

// ------------------------------------------------------------------ AMD loader
const nativeModules = { 'N/query': queryModule, 'N/runtime': runtimeModule, 'N/log': logModule, 'N/error': errorModule };
const loaded = new Map();

/** Loads a SuiteScript module file (define([...deps], factory)) and returns what its factory returns. */
const load = (file) => {
  if (loaded.has(file)) return loaded.get(file);
  let definition = null;
  const define = (deps, factory) => {
    definition = typeof deps === 'function' ? { deps: [], factory: deps } : { deps, factory };
  };
  const source = fs.readFileSync(file, 'utf8');
  new Function('define', `'use strict';\n${source}\n//# sourceURL=${file}`)(define);
  if (!definition) throw new Error(`${file} does not call define()`);
  const resolve = (dep) => {
    if (nativeModules[dep]) return nativeModules[dep];
    if (dep.startsWith('./') || dep.startsWith('../')) {
      return load(path.resolve(path.dirname(file), dep.endsWith('.js') ? dep : `${dep}.js`));
    }
    throw new Error(`${file}: module ${dep} is not available in the sandbox`);
  };
  const exported = definition.factory(...definition.deps.map(resolve));
  loaded.set(file, exported);
  return exported;
};

// ------------------------------------------------------------------ main loop
for (;;) {
  const line = readLine();
  if (line === null) break;
  const call = JSON.parse(line);
  usage.remaining = call.budget;
  usage.charges = call.charges || {};
  usage.script = call.script || '';
  usage.deployment = call.deployment || '';
  try {
    const entry = load(path.resolve(call.file))[call.entry];
    if (typeof entry !== 'function') throw new SuiteScriptError('SSS_INVALID_SCRIPTLET_ID', `no ${call.entry} entry point`);
    send({ op: 'done', result: entry(call.params), remaining: usage.remaining });
  } catch (e) {
    send({ op: 'done', error: { name: e.name || 'UNEXPECTED_ERROR', message: e.message || String(e) }, remaining: usage.remaining });
  }
}
