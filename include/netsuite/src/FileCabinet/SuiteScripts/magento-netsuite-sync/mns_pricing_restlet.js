/**
 * magento-netsuite-sync pricing RESTlet: per item every price level at every quantity break, and the
 * customer contract prices (customer item pricing) of those items, for Magento base and tier prices.
 *
 * GET params (docs/architecture.md, "The RESTlets we ship"):
 *   since   optional ISO-8601 UTC timestamp (delta): items edited after it (the pricing sublist is on
 *           the item record) plus the items priced on customers edited after it (contract prices
 *           are the customer record's item pricing sublist)
 *   cursor  optional next_cursor of the previous page (keyset on the item internal id)
 *   limit   price rows per page, default 4000, at most 10000
 * Answer: {"rows": [{item_id, sku, price_level_id, price_level, quantity, unit_price, currency}],
 *          "contract_prices": [{customer_id, customer_external_id, customer_price_level_id, item_id,
 *          sku, unit_price, currency}], "next_cursor": "1450" | null, "count": n}
 * A page carries ALL the price rows and ALL the contract prices of each item on it, so the caller
 * can replace an item's prices wholesale (a row missing from the answer was deleted in NetSuite).
 * `quantity` is the break's minimum quantity; 0 means "any quantity".
 * Errors are caught and answered as {"error": {"code", "message"}} (HTTP 200, as RESTlets do).
 *
 * PAGING AND GOVERNANCE: as mns_inventory_restlet.js. One paged query for the next item ids after
 * `cursor`, one for those items' price rows (`pricing`), one for their contract prices
 * (`customeritempricing`); 1,000 rows per SuiteQL page and limit <= 10,000 keep a call near 30
 * fetches (~300 of the 5,000 units). The loop stops early with a cursor when the remaining usage
 * falls under RESERVE_UNITS. A page holds whole items and at least one item.
 *
 * @NApiVersion 2.1
 * @NScriptType Restlet
 * @NModuleScope SameAccount
 */
define(['N/query', 'N/runtime', 'N/error'], (query, runtime, error) => {
  const DEFAULT_LIMIT = 4000;
  const MAX_LIMIT = 10000;
  const SUITEQL_PAGE = 1000;
  const RESERVE_UNITS = 300;
  const STAMP = "TO_TIMESTAMP(?, 'YYYY-MM-DD\"T\"HH24:MI:SS')";

  const fail = (code, message) => error.create({ name: code, message, notifyOff: true });

  const parseParams = (params) => {
    const limit = params.limit ? parseInt(params.limit, 10) : DEFAULT_LIMIT;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) throw fail('MNS_BAD_LIMIT', `limit must be 1..${MAX_LIMIT}`);
    const cursor = params.cursor ? parseInt(params.cursor, 10) : 0;
    if (Number.isNaN(cursor)) throw fail('MNS_BAD_CURSOR', 'cursor must be an item internal id');
    let since = null;
    if (params.since) {
      const parsed = new Date(params.since);
      if (Number.isNaN(parsed.getTime())) throw fail('MNS_BAD_SINCE', 'since must be an ISO-8601 timestamp');
      since = parsed.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS, UTC
    }
    return { limit, cursor, since };
  };

  const outOfUsage = () => runtime.getCurrentScript().getRemainingUsage() < RESERVE_UNITS;

  /** Runs a paged SuiteQL query and returns up to `max` rows as objects (stops early on low usage). */
  const select = (sql, params, max) => {
    const out = [];
    const paged = query.runSuiteQLPaged({ query: sql, params, pageSize: SUITEQL_PAGE });
    for (const range of paged.pageRanges) {
      if (out.length >= max || outOfUsage()) break;
      const page = paged.fetch({ index: range.index });
      for (const row of page.data.asMappedResults()) {
        out.push(row);
        if (out.length >= max) break;
      }
    }
    return out;
  };

  /** The next item ids after the cursor (one more than `limit`, to know whether another page follows). */
  const nextItemIds = ({ limit, cursor, since }) => {
    const changed = since
      ? ` AND (i.lastmodifieddate > ${STAMP} OR i.id IN (SELECT c.item FROM customeritempricing c` +
        ` JOIN customer cu ON cu.id = c.customer WHERE cu.lastmodifieddate > ${STAMP}))`
      : '';
    const sql = `SELECT i.id AS id FROM item i WHERE i.id > ?${changed} ORDER BY i.id`;
    const params = since ? [cursor, since, since] : [cursor];
    return select(sql, params, limit + 1).map((r) => Number(r.id));
  };

  const money = (value) => Number(value || 0).toFixed(2);

  const priceRows = (first, last, cap) =>
    select(
      'SELECT p.item AS item_id, i.itemid AS sku, p.pricelevel AS price_level_id,' +
        ' BUILTIN.DF(p.pricelevel) AS price_level, p.quantity AS quantity, p.unitprice AS unit_price,' +
        ' BUILTIN.DF(p.currency) AS currency' +
        ' FROM pricing p JOIN item i ON i.id = p.item WHERE p.item >= ? AND p.item <= ?' +
        ' ORDER BY p.item, p.pricelevel, p.quantity',
      [first, last],
      cap,
    );

  const contractRows = (first, last) =>
    select(
      'SELECT c.customer AS customer_id, cu.externalid AS customer_external_id,' +
        ' cu.pricelevel AS customer_price_level_id, c.item AS item_id, i.itemid AS sku, c.price AS unit_price,' +
        ' BUILTIN.DF(c.currency) AS currency' +
        ' FROM customeritempricing c JOIN customer cu ON cu.id = c.customer JOIN item i ON i.id = c.item' +
        ' WHERE c.item >= ? AND c.item <= ? ORDER BY c.item, c.customer',
      [first, last],
      Number.MAX_SAFE_INTEGER,
    );

  const get = (params) => {
    try {
      const input = parseParams(params || {});
      const ids = nextItemIds(input);
      if (!ids.length) return { rows: [], contract_prices: [], next_cursor: null, count: 0 };
      // a page needs at most `limit` rows plus one item's rows; cap the read just above that
      const cap = input.limit + SUITEQL_PAGE;
      const fetched = priceRows(ids[0], ids[ids.length - 1], cap);
      if (fetched.length >= cap) {
        // the read stopped inside an item: leave that item (and the ids after it) to the next page
        const cut = Number(fetched[fetched.length - 1].item_id);
        while (ids.length > 1 && ids[ids.length - 1] >= cut) ids.pop();
        ids.push(cut); // sentinel: overflows `limit` below, so the page ends before it
      }
      const byItem = new Map();
      for (const r of fetched) {
        const id = Number(r.item_id);
        if (!byItem.has(id)) byItem.set(id, []);
        byItem.get(id).push({
          item_id: String(r.item_id),
          sku: r.sku,
          price_level_id: String(r.price_level_id),
          price_level: r.price_level,
          quantity: Number(r.quantity || 0),
          unit_price: money(r.unit_price),
          currency: r.currency || 'USD',
        });
      }
      // whole items only: stop before the item whose rows would overflow `limit` (keep at least one)
      const rows = [];
      let last = null;
      let nextCursor = null;
      for (const id of ids) {
        const itemRows = byItem.get(id) || [];
        if (rows.length && rows.length + itemRows.length > input.limit) {
          nextCursor = String(last);
          break;
        }
        rows.push(...itemRows);
        last = id;
      }
      if (nextCursor === null && (ids.length > input.limit || outOfUsage())) nextCursor = String(last);
      const onPage = new Set(rows.map((r) => Number(r.item_id)));
      const contracts = contractRows(ids[0], last)
        .filter((r) => onPage.has(Number(r.item_id)))
        .map((r) => ({
          customer_id: String(r.customer_id),
          customer_external_id: r.customer_external_id,
          customer_price_level_id: r.customer_price_level_id == null ? null : String(r.customer_price_level_id),
          item_id: String(r.item_id),
          sku: r.sku,
          unit_price: money(r.unit_price),
          currency: r.currency || 'USD',
        }));
      return { rows, contract_prices: contracts, next_cursor: nextCursor, count: rows.length };
    } catch (e) {
      return { error: { code: e.name || 'UNEXPECTED_ERROR', message: e.message || String(e) } };
    }
  };

  return { get };
});
