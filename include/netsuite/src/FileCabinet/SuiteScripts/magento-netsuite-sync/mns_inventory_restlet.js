/**
 * magento-netsuite-sync inventory RESTlet: stock per item and location for Magento MSI.
 *
 * GET params (docs/architecture.md, "The RESTlets we ship"):
 *   since     optional ISO-8601 UTC timestamp: only items whose inventory changed after it (delta)
 *   cursor    optional next_cursor of the previous page (keyset on the item internal id)
 *   limit     rows per page, default 4000, at most 10000
 *   locations optional comma-separated location internal ids
 * Answer: {"rows": [{item_id, sku, location_id, on_hand, committed, available, inactive,
 *          last_modified}], "next_cursor": "1450" | null, "count": n}
 * Errors are caught and answered as {"error": {"code", "message"}} (HTTP 200, as RESTlets do).
 *
 * PAGING AND GOVERNANCE. A RESTlet call may spend 5,000 usage units. Each call here runs at most
 * a handful of SuiteQL page fetches (about 10 units each): one paged query for the next item ids
 * after `cursor` (keyset: `item > cursor ORDER BY item`, so pages never skip or repeat an item
 * even while stock changes), then one paged query for those items' location rows. With 1,000
 * rows per SuiteQL page and limit <= 10,000 that is at most ~20 fetches (~200 units), far below
 * the limit, so a call never dies half-way. As a second guard the loop stops early, returning a
 * cursor, when the remaining usage falls under RESERVE_UNITS. A page holds whole items (all of an
 * item's locations) while they fit in `limit`, and at least one item; `next_cursor` is the last
 * item id of the page, null on the last page. The caller follows next_cursor until null.
 *
 * @NApiVersion 2.1
 * @NScriptType Restlet
 * @NModuleScope SameAccount
 */
define(['N/query', 'N/runtime', 'N/error'], (query, runtime, error) => {
  const DEFAULT_LIMIT = 4000;
  const MAX_LIMIT = 10000;
  const SUITEQL_PAGE = 1000;
  const RESERVE_UNITS = 200;

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
    const locations = params.locations
      ? String(params.locations).split(',').map((x) => x.trim()).filter(Boolean).map((x) => parseInt(x, 10))
      : [];
    if (locations.some(Number.isNaN)) throw fail('MNS_BAD_LOCATIONS', 'locations must be internal ids');
    return { limit, cursor, since, locations };
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

  const locationFilter = (locations) =>
    locations.length ? ` AND l.location IN (${locations.map(() => '?').join(',')})` : '';

  /** The next item ids after the cursor (one more than `limit`, to know whether another page follows). */
  const nextItemIds = ({ limit, cursor, since, locations }) => {
    // items stocked at the requested locations only, so a location without stock costs one empty call
    const changed = since ? " AND l.lastmodifieddate > TO_TIMESTAMP(?, 'YYYY-MM-DD\"T\"HH24:MI:SS')" : '';
    const sql =
      'SELECT DISTINCT l.item AS id FROM inventoryitemlocations l WHERE l.item > ?' +
      changed + locationFilter(locations) + ' ORDER BY l.item';
    const params = since ? [cursor, since, ...locations] : [cursor, ...locations];
    return select(sql, params, limit + 1).map((r) => Number(r.id));
  };

  const get = (params) => {
    try {
      const input = parseParams(params || {});
      const ids = nextItemIds(input);
      if (!ids.length) return { rows: [], next_cursor: null, count: 0 };
      const sql =
        'SELECT i.id AS item_id, i.itemid AS sku, i.isinactive AS inactive, l.location AS location_id,' +
        ' l.quantityonhand AS on_hand, l.quantitycommitted AS committed, l.quantityavailable AS available,' +
        " TO_CHAR(l.lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS last_modified" +
        ' FROM item i JOIN inventoryitemlocations l ON l.item = i.id' +
        ' WHERE i.id >= ? AND i.id <= ?' + locationFilter(input.locations) + ' ORDER BY i.id, l.location';
      // a page needs at most `limit` rows plus one item's locations; cap the read just above that
      const cap = input.limit + SUITEQL_PAGE;
      const fetched = select(sql, [ids[0], ids[ids.length - 1], ...input.locations], cap);
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
          location_id: String(r.location_id),
          on_hand: Number(r.on_hand || 0),
          committed: Number(r.committed || 0),
          available: Number(r.available || 0),
          inactive: r.inactive === 'T' || r.inactive === true,
          last_modified: r.last_modified ? `${r.last_modified}Z` : null,
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
      return { rows, next_cursor: nextCursor, count: rows.length };
    } catch (e) {
      return { error: { code: e.name || 'UNEXPECTED_ERROR', message: e.message || String(e) } };
    }
  };

  return { get };
});
