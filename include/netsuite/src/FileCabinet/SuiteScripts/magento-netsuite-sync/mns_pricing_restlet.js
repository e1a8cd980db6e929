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
 * `quantity` is the break's minimum quantity; 0 means "any quantity". `currency` is the currency's
 * ISO code (the currency record's `symbol`). Prices are strings with two decimals.
 * Errors are caught and answered as {"error": {"code", "message"}} (HTTP 200, as RESTlets do):
 * MNS_BAD_LIMIT, MNS_BAD_CURSOR, MNS_BAD_SINCE.
 *
 * Paging, the SuiteQL bounds and the governance guard are in mns_paging.js.
 *
 * @NApiVersion 2.1
 * @NScriptType Restlet
 * @NModuleScope SameAccount
 */
define(['./mns_paging'], (paging) => {
  const RESERVE_UNITS = 300;
  /** Kept for the contract prices after the price rows: a paged run and 9 fetches (9,000 rows). */
  const CONTRACT_UNITS = 100;

  /** Two decimals, rounding half away from zero on the decimal value (12.345 -> "12.35"). */
  const money = (value) => {
    const number = Number(value || 0);
    const cents = Math.round(Math.abs(number) * 100 + 1e-9) / 100;
    return (number < 0 ? -cents : cents).toFixed(2);
  };

  const shape = (r) => ({
    item_id: String(r.item_id),
    sku: r.sku,
    price_level_id: String(r.price_level_id),
    price_level: r.price_level,
    quantity: Number(r.quantity || 0),
    unit_price: money(r.unit_price),
    currency: r.currency,
  });

  const shapeContract = (r) => ({
    customer_id: String(r.customer_id),
    customer_external_id: r.customer_external_id === undefined ? null : r.customer_external_id,
    customer_price_level_id: r.customer_price_level_id == null ? null : String(r.customer_price_level_id),
    item_id: String(r.item_id),
    sku: r.sku,
    unit_price: money(r.unit_price),
    currency: r.currency,
  });

  const get = paging.answering((params) => {
    const input = paging.parseParams(params);
    /** The items (alias `a`) of a delta: edited, or priced on a customer edited, after `since`. */
    const changed = (a) =>
      input.since
        ? ` AND (${a}.lastmodifieddate > ${paging.STAMP} OR ${a}.id IN (SELECT cp.item FROM customeritempricing cp` +
          ` JOIN customer pc ON pc.id = cp.customer WHERE pc.lastmodifieddate > ${paging.STAMP}))`
        : '';
    const since = input.since ? [input.since, input.since] : [];
    // the rows and contract prices of a delta's items only (not of the unchanged items between them)
    const ofChangedItems = (column) =>
      input.since ? ` AND ${column} IN (SELECT ci.id FROM item ci WHERE ci.id BETWEEN ? AND ?${changed('ci')})` : '';
    const changedParams = (first, last) => (input.since ? [first, last, ...since] : []);
    const page = paging.keysetPage({
      cursor: input.cursor,
      limit: input.limit,
      reserve: RESERVE_UNITS,
      extrasReserve: CONTRACT_UNITS,
      ids: {
        sql: `SELECT i.id AS id FROM item i WHERE i.id > ?${changed('i')} ORDER BY i.id`,
        params: [input.cursor, ...since],
      },
      rows: (first, last) => ({
        sql:
          'SELECT p.item AS item_id, i.itemid AS sku, p.pricelevel AS price_level_id,' +
          ' BUILTIN.DF(p.pricelevel) AS price_level, p.quantity AS quantity, p.unitprice AS unit_price,' +
          ' cur.symbol AS currency' +
          ' FROM pricing p JOIN item i ON i.id = p.item JOIN currency cur ON cur.id = p.currency' +
          ` WHERE p.item BETWEEN ? AND ?${ofChangedItems('p.item')} ORDER BY p.item, p.pricelevel, p.quantity`,
        params: [first, last, ...changedParams(first, last)],
      }),
      shape,
      extras: (first, last) => ({
        sql:
          'SELECT c.item AS item_id, c.customer AS customer_id, cu.externalid AS customer_external_id,' +
          ' cu.pricelevel AS customer_price_level_id, i.itemid AS sku, c.price AS unit_price,' +
          ' cur.symbol AS currency' +
          ' FROM customeritempricing c JOIN customer cu ON cu.id = c.customer JOIN item i ON i.id = c.item' +
          ' JOIN currency cur ON cur.id = c.currency' +
          ` WHERE c.item BETWEEN ? AND ?${ofChangedItems('c.item')} ORDER BY c.item, c.customer`,
        params: [first, last, ...changedParams(first, last)],
      }),
      shapeExtra: shapeContract,
    });
    return { rows: page.rows, contract_prices: page.extras, next_cursor: page.next_cursor, count: page.count };
  });

  return { get };
});
