/**
 * magento-netsuite-sync paging library: the keyset paging and governance guard both RESTlets share.
 * Loaded by relative path: define(['./mns_paging'], (paging) => ...).
 *
 * A page holds whole items (keyset on the item internal id, ascending): all of an item's rows, for
 * as many items as fit in `limit` rows, and at least one item. `next_cursor` is the last item id of
 * the page, null once nothing follows. The caller follows next_cursor until null.
 *
 * SuiteQL reads (docs/architecture.md "The RESTlets we ship"):
 *   1. the next item ids after the cursor, bounded: `FETCH FIRST limit+1 ROWS ONLY`, so NetSuite
 *      counts at most limit+1 ids per call and never the whole remainder of the catalog;
 *   2. the rows of those items (`item BETWEEN first AND last`), bounded to limit+1 rows: the row
 *      past `limit` marks the item the page ends before (an item with more than `limit` rows alone
 *      is read whole, as a page of its own);
 *   3. optional per-item extras (the pricing RESTlet's contract prices) of the items on the page.
 * Each is a runSuiteQLPaged (10 units) plus one fetch per 1,000 rows (counted at 10 units here,
 * the stricter of Oracle's figures): with limit <= 10,000 a call spends about 300 of its 5,000 units.
 *
 * GOVERNANCE GUARD. Before every page fetch the remaining usage is compared with the caller's
 * reserve; under it, the read stops and the page ends before the first item whose rows (or extras)
 * were not read completely, with a cursor to continue from. No row is lost or sent twice. If the
 * usage runs out before a single item was read whole, the answer is an empty page whose
 * next_cursor is the request's own cursor: call again (a new call has a new 5,000 units).
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define(['N/query', 'N/runtime', 'N/error'], (query, runtime, error) => {
  const DEFAULT_LIMIT = 4000;
  const MAX_LIMIT = 10000;
  const SUITEQL_PAGE = 1000;
  /** A SuiteQL timestamp bind: `since` is passed as 'YYYY-MM-DDTHH:MM:SS' (UTC). */
  const STAMP = "TO_TIMESTAMP(?, 'YYYY-MM-DD\"T\"HH24:MI:SS')";

  const fail = (code, message) => error.create({ name: code, message, notifyOff: true });

  const integer = (text) => (/^\s*\d+\s*$/.test(String(text)) ? parseInt(text, 10) : NaN);

  /** limit, cursor and since of a request (throws MNS_BAD_LIMIT / MNS_BAD_CURSOR / MNS_BAD_SINCE). */
  const parseParams = (params) => {
    const limit = params.limit ? integer(params.limit) : DEFAULT_LIMIT;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) throw fail('MNS_BAD_LIMIT', `limit must be 1..${MAX_LIMIT}`);
    const cursor = params.cursor ? integer(params.cursor) : 0;
    if (Number.isNaN(cursor)) throw fail('MNS_BAD_CURSOR', 'cursor must be an item internal id');
    let since = null;
    if (params.since) {
      const parsed = new Date(params.since);
      if (Number.isNaN(parsed.getTime())) throw fail('MNS_BAD_SINCE', 'since must be an ISO-8601 timestamp');
      since = parsed.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS, UTC
    }
    return { limit, cursor, since };
  };

  /** A comma-separated list of internal ids ([] when absent); throws `code` on anything else. */
  const parseIds = (text, code, what) => {
    if (!text) return [];
    const ids = String(text).split(',').map((x) => x.trim()).filter(Boolean).map(integer);
    if (ids.some(Number.isNaN)) throw fail(code, `${what} must be comma-separated internal ids`);
    return ids;
  };

  const outOfUsage = (reserve) => runtime.getCurrentScript().getRemainingUsage() < reserve;

  /**
   * Up to `max` rows of a paged SuiteQL query, as objects. `complete` is false when the read stopped
   * before the end of the result: at `max` rows or because the usage fell under `reserve`.
   */
  const select = (sql, params, max, reserve) => {
    const rows = [];
    const paged = query.runSuiteQLPaged({ query: sql, params, pageSize: SUITEQL_PAGE });
    for (const range of paged.pageRanges) {
      if (rows.length >= max || outOfUsage(reserve)) return { rows, complete: false };
      for (const row of paged.fetch({ index: range.index }).data.asMappedResults()) {
        if (rows.length >= max) return { rows, complete: false };
        rows.push(row);
      }
    }
    return { rows, complete: true };
  };

  /** Rows grouped by item id (a Map in the rows' order). */
  const byItem = (rows, shape) => {
    const grouped = new Map();
    for (const row of rows) {
      const id = Number(row.item_id);
      if (!grouped.has(id)) grouped.set(id, []);
      grouped.get(id).push(shape(row));
    }
    return grouped;
  };

  /** The query's first `rows` rows only: NetSuite then counts and reads no more than that. */
  const bounded = (sql, rows) => `${sql} FETCH FIRST ${rows} ROWS ONLY`;

  /** Items before `cut` only (the item `cut` and after were not read whole). */
  const before = (ids, cut) => ids.filter((id) => id < cut);

  /**
   * One keyset page of whole items.
   * options.cursor, options.limit  parsed request (parseParams)
   * options.reserve                usage units kept back by the guard
   * options.extrasReserve          units the extras read may use after the rows read (default 0)
   * options.ids                    { sql, params }: the candidate item ids as column `id`, ordered,
   *                                `> cursor`; the bound (FETCH FIRST) is appended here
   * options.rows(first, last)      { sql, params }: the rows of items first..last, column `item_id`,
   *                                ordered by item (then uniquely); the bound is appended here
   * options.shape(row)             a row of the answer
   * options.extras(first, last)    optional { sql, params }: per-item extras, column `item_id`,
   *                                ordered by item
   * options.shapeExtra(row)        an extra of the answer
   * Returns { rows, extras, next_cursor, count }.
   */
  const keysetPage = (options) => {
    const { cursor, limit } = options;
    // the ids and rows are read keeping back the units the extras need, so a guard that stops the
    // row read still leaves enough to read the extras of the items on the page
    const reserve = options.reserve + (options.extras ? options.extrasReserve || 0 : 0);
    const stalled = { rows: [], extras: [], next_cursor: String(cursor), count: 0 };
    const idQuery = options.ids;
    const found = select(bounded(idQuery.sql, limit + 1), idQuery.params, limit + 1, reserve);
    let ids = found.rows.map((r) => Number(r.id));
    const moreIds = ids.length > limit || !found.complete;
    let more = moreIds;
    if (!ids.length) return more ? stalled : { rows: [], extras: [], next_cursor: null, count: 0 };

    // the rows of those ids, at most limit + 1: the row after `limit` shows where the page must end
    const rowQuery = options.rows(ids[0], ids[ids.length - 1]);
    const read = select(bounded(rowQuery.sql, limit + 1), rowQuery.params, limit + 1, reserve);
    let rows = byItem(read.rows, options.shape);
    if (!read.complete || read.rows.length > limit) {
      // the read ended inside an item: that item and the ids after it are left to the next call
      const cut = read.rows.length ? Number(read.rows[read.rows.length - 1].item_id) : ids[0];
      const after = ids.some((id) => id > cut);
      ids = before(ids, cut);
      more = true;
      if (!ids.length) {
        if (!read.rows.length || outOfUsage(reserve)) return stalled;
        // one item with more than `limit` rows: it is a page of its own, read whole
        const single = options.rows(cut, cut);
        const whole = select(single.sql, single.params, Number.MAX_SAFE_INTEGER, reserve);
        if (!whole.complete) return stalled;
        ids = [cut];
        rows = byItem(whole.rows, options.shape);
        more = moreIds || after;
      }
    }

    // the items read whole, in order; at least one item, whole items only
    let page = [];
    let rowCount = 0;
    for (const id of ids) {
      const itemRows = (rows.get(id) || []).length;
      if (page.length && rowCount + itemRows > limit) {
        more = true;
        break;
      }
      page.push(id);
      rowCount += itemRows;
    }

    let extras = [];
    if (options.extras) {
      const extraQuery = options.extras(page[0], page[page.length - 1]);
      const extraRead = select(extraQuery.sql, extraQuery.params, Number.MAX_SAFE_INTEGER, options.reserve);
      const onPage = new Set(page);
      const extraRows = extraRead.rows.filter((r) => onPage.has(Number(r.item_id)));
      if (!extraRead.complete) {
        const cut = extraRead.rows.length ? Number(extraRead.rows[extraRead.rows.length - 1].item_id) : page[0];
        more = true;
        page = before(page, cut);
        if (!page.length) return stalled;
      }
      const kept = new Set(page);
      extras = extraRows.filter((r) => kept.has(Number(r.item_id))).map(options.shapeExtra);
    }

    const answer = [];
    for (const id of page) answer.push(...(rows.get(id) || []));
    return {
      rows: answer,
      extras,
      next_cursor: more ? String(page[page.length - 1]) : null,
      count: answer.length,
    };
  };

  /** Runs `handler(params)` and answers a thrown error as {"error": {code, message}} (HTTP 200). */
  const answering = (handler) => (params) => {
    try {
      return handler(params || {});
    } catch (e) {
      return { error: { code: e.name || 'UNEXPECTED_ERROR', message: e.message || String(e) } };
    }
  };

  return { STAMP, parseParams, parseIds, keysetPage, answering };
});
