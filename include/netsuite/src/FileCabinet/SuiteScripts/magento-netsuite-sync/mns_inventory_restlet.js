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
 * Errors are caught and answered as {"error": {"code", "message"}} (HTTP 200, as RESTlets do):
 * MNS_BAD_LIMIT, MNS_BAD_CURSOR, MNS_BAD_SINCE, MNS_BAD_LOCATIONS.
 *
 * Items are paged as the rows of `inventoryitemlocations` (an item without a row at the requested
 * locations is on no page, so a location without stock costs one empty call). A delta sends the
 * rows changed after `since` at the requested locations, and only those. Paging, the
 * SuiteQL bounds and the governance guard are in mns_paging.js.
 *
 * @NApiVersion 2.1
 * @NScriptType Restlet
 * @NModuleScope SameAccount
 */
define(['./mns_paging'], (paging) => {
  const RESERVE_UNITS = 200;

  const quantity = (value) => (value === null || value === undefined || value === '' ? 0 : Number(value));

  const shape = (r) => ({
    item_id: String(r.item_id),
    sku: r.sku,
    location_id: String(r.location_id),
    on_hand: quantity(r.on_hand),
    committed: quantity(r.committed),
    available: quantity(r.available),
    inactive: r.inactive === 'T' || r.inactive === true,
    last_modified: r.last_modified ? `${r.last_modified}Z` : null,
  });

  const get = paging.answering((params) => {
    const input = paging.parseParams(params);
    const locations = paging.parseIds(params.locations, 'MNS_BAD_LOCATIONS', 'locations');
    const since = input.since ? [input.since] : [];
    const marks = locations.map(() => '?').join(',');
    const atLocations = (a) => (locations.length ? ` AND ${a}.location IN (${marks})` : '');
    const changedAfter = (a) => (input.since ? ` AND ${a}.lastmodifieddate > ${paging.STAMP}` : '');
    const page = paging.keysetPage({
      cursor: input.cursor,
      limit: input.limit,
      reserve: RESERVE_UNITS,
      ids: {
        sql:
          'SELECT DISTINCT l.item AS id FROM inventoryitemlocations l' +
          ` WHERE l.item > ?${changedAfter('l')}${atLocations('l')} ORDER BY l.item`,
        params: [input.cursor, ...since, ...locations],
      },
      rows: (first, last) => ({
        sql:
          'SELECT i.id AS item_id, i.itemid AS sku, i.isinactive AS inactive, l.location AS location_id,' +
          ' l.quantityonhand AS on_hand, l.quantitycommitted AS committed, l.quantityavailable AS available,' +
          " TO_CHAR(l.lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS last_modified" +
          ' FROM inventoryitemlocations l JOIN item i ON i.id = l.item' +
          // a delta sends the rows changed after `since` only: an item's other locations did not change
          ` WHERE l.item BETWEEN ? AND ?${changedAfter('l')}${atLocations('l')} ORDER BY l.item, l.location`,
        params: [first, last, ...since, ...locations],
      }),
      shape,
    });
    return { rows: page.rows, next_cursor: page.next_cursor, count: page.count };
  });

  return { get };
});
