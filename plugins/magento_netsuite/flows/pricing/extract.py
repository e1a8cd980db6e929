"""Extract: NetSuite prices per item, through our pricing RESTlet (runs) or SuiteQL (replay, audit).

A record is one item: ``{sku, item_id, prices: [{level, quantity, price, currency}], contracts:
[{customer_id, external_id, level, price, currency}]}``, with ALL of the item's price rows and contract
prices (the RESTlet never splits an item across pages), so a record replaces the item's prices
wholesale: a row missing from it was deleted in NetSuite.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from magento_netsuite.connectors.errors import SyncError
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.pricing.constants import RESTLET_DEPLOY, RESTLET_MAX_PAGE, RESTLET_PAGE, RESTLET_SCRIPT

log = logging.getLogger(__name__)
SKU_BATCH = 500

PRICES_BY_SKU = (
    "SELECT p.item AS item_id, i.itemid AS sku, p.pricelevel AS price_level_id, p.quantity AS quantity, "
    "p.unitprice AS unit_price FROM pricing p JOIN item i ON i.id = p.item WHERE i.itemid IN ({marks}) "
    "ORDER BY p.item, p.pricelevel, p.quantity"
)
CONTRACTS_BY_SKU = (
    "SELECT c.customer AS customer_id, cu.externalid AS customer_external_id, "
    "cu.pricelevel AS customer_price_level_id, i.itemid AS sku, c.price AS unit_price "
    "FROM customeritempricing c JOIN customer cu ON cu.id = c.customer JOIN item i ON i.id = c.item "
    "WHERE i.itemid IN ({marks}) ORDER BY c.item, c.customer"
)
CONTRACT_CUSTOMERS = (
    "SELECT DISTINCT c.customer AS customer_id, cu.pricelevel AS price_level_id, cu.externalid AS external_id "
    "FROM customeritempricing c JOIN customer cu ON cu.id = c.customer ORDER BY c.customer"
)
CONTRACT_SKUS = (
    "SELECT c.customer AS customer_id, i.itemid AS sku FROM customeritempricing c JOIN item i ON i.id = c.item "
    "WHERE {watermark} ORDER BY c.customer"
)
"""Keyset-paged on the customer past SuiteQL's 100,000-row cap (500 customers x 200 SKUs reach it)."""
OTHER_CUSTOMERS = (
    "SELECT cu.id AS customer_id, cu.pricelevel AS price_level_id, cu.externalid AS external_id FROM customer cu "
    "WHERE cu.isinactive = 'F' AND cu.id NOT IN (SELECT c.customer FROM customeritempricing c) ORDER BY cu.id"
)


def _iso(since: datetime) -> str:
    return since.strftime("%Y-%m-%dT%H:%M:%SZ")


def restlet_pages(hook: NetSuiteHook, since: datetime | None) -> Iterator[dict[str, Any]]:
    """Follow ``next_cursor`` until it is null; each answer holds whole items."""
    params: dict[str, Any] = {"limit": RESTLET_MAX_PAGE if since is None else RESTLET_PAGE}
    if since is not None:
        params["since"] = _iso(since)
    cursor: str | None = None
    while True:
        body = hook.restlet(RESTLET_SCRIPT, RESTLET_DEPLOY, "GET", {**params, **({"cursor": cursor} if cursor else {})})
        if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
            raise SyncError(f"pricing RESTlet (cursor {cursor!r}): answer without a rows list", system="netsuite")
        yield body
        cursor = body.get("next_cursor")
        if not cursor:
            return


def _level(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def items_from(rows: Iterable[dict[str, Any]], contracts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group RESTlet / SuiteQL rows into one record per SKU (price rows and contract prices)."""
    items: dict[str, dict[str, Any]] = {}
    for row in rows:
        sku = str(row.get("sku") or "").strip()
        item = items.setdefault(sku, {"sku": sku, "item_id": str(row.get("item_id")), "prices": [], "contracts": []})
        item["prices"].append(
            {
                "level": _level(row.get("price_level_id")),
                "quantity": row.get("quantity"),
                "price": row.get("unit_price"),
                "currency": row.get("currency"),
            }
        )
    for row in contracts:
        sku = str(row.get("sku") or "").strip()
        item = items.setdefault(sku, {"sku": sku, "item_id": str(row.get("item_id")), "prices": [], "contracts": []})
        item["contracts"].append(
            {
                "customer_id": str(row.get("customer_id")),
                "external_id": row.get("customer_external_id"),
                "level": _level(row.get("customer_price_level_id")),
                "price": row.get("unit_price"),
                "currency": row.get("currency"),
            }
        )
    return list(items.values())


def extract_pages(hook: NetSuiteHook, since: datetime | None) -> Iterator[list[dict[str, Any]]]:
    """The RESTlet's pages as per-SKU records."""
    for body in restlet_pages(hook, since):
        yield items_from(body["rows"], body.get("contract_prices") or [])


def read_skus(hook: NetSuiteHook, skus: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The current NetSuite record of each SKU (SuiteQL, 500 SKUs a query); SKUs without prices absent."""
    wanted = sorted(set(skus))
    rows: list[dict[str, Any]] = []
    contracts: list[dict[str, Any]] = []
    for start in range(0, len(wanted), SKU_BATCH):
        chunk = wanted[start : start + SKU_BATCH]
        marks = ", ".join("?" * len(chunk))
        for page in hook.suiteql(PRICES_BY_SKU.format(marks=marks), chunk):
            rows.extend(page)
        for page in hook.suiteql(CONTRACTS_BY_SKU.format(marks=marks), chunk):
            contracts.extend(page)
    return {item["sku"]: item for item in items_from(rows, contracts) if item["prices"]}


def contract_customers(hook: NetSuiteHook) -> dict[str, str | None]:
    """``{customer internal id: price level id}`` of every customer with contract prices."""
    found: dict[str, str | None] = {}
    for page in hook.suiteql(CONTRACT_CUSTOMERS):
        for row in page:
            found[str(row["customer_id"])] = _level(row.get("price_level_id"))
    return found


def contract_skus(hook: NetSuiteHook) -> dict[str, list[str]]:
    """``{customer internal id: [SKU]}`` of every contract price."""
    found: dict[str, list[str]] = {}
    for page in hook.suiteql(CONTRACT_SKUS, watermark_column="customer_id", watermark_expression="c.customer"):
        for row in page:
            found.setdefault(str(row["customer_id"]), []).append(str(row["sku"]))
    return found


def other_customers(hook: NetSuiteHook) -> dict[str, str | None]:
    """``{customer internal id: price level id}`` of active customers without contract prices."""
    found: dict[str, str | None] = {}
    for page in hook.suiteql(OTHER_CUSTOMERS):
        for row in page:
            found[str(row["customer_id"])] = _level(row.get("price_level_id"))
    return found
