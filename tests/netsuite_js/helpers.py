"""Call the RESTlets through the runner and follow their cursors; the expected rows straight from SQLite."""

from __future__ import annotations

from typing import Any

from magento_netsuite.sandbox.netsuite import restlets
from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount
from magento_netsuite.sandbox.netsuite.suitescript.driver import RESTLET_BUDGET, SuiteScriptRunner

INVENTORY = restlets.INVENTORY_SCRIPT
PRICING = restlets.PRICING_SCRIPT


def call(
    runner: SuiteScriptRunner,
    account: NetSuiteAccount,
    script: tuple[str, str],
    budget: int = RESTLET_BUDGET,
    **params: Any,
) -> dict[str, Any]:
    query = {k: str(v) for k, v in params.items() if v is not None}
    return restlets.run(runner, account, script, query, budget=budget).result


def follow(
    runner: SuiteScriptRunner,
    account: NetSuiteAccount,
    script: tuple[str, str],
    budget: int = RESTLET_BUDGET,
    max_calls: int = 10_000,
    **params: Any,
) -> list[dict[str, Any]]:
    """Every answer from the first call until next_cursor is null."""
    pages: list[dict[str, Any]] = []
    cursor = None
    for _ in range(max_calls):
        body = call(runner, account, script, budget, **params, cursor=cursor)
        assert "error" not in body, body
        pages.append(body)
        if body["next_cursor"] is not None and body["next_cursor"] == cursor:
            raise AssertionError(f"no progress: the call with cursor {cursor} answered the same cursor")
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError(f"next_cursor still not null after {max_calls} calls")


def assert_whole_items(pages: list[dict[str, Any]], limit: int, rows_key: str = "rows") -> None:
    """Every item's rows on one page, pages in item order, at most ``limit`` rows unless one item
    alone holds more, and each next_cursor the last item of its page."""
    seen_items: set[str] = set()
    last_item = 0
    for page in pages:
        items = [row["item_id"] for row in page[rows_key]]
        assert page["count"] == len(page[rows_key])
        on_page = list(dict.fromkeys(items))
        assert not seen_items & set(on_page), "an item's rows are split across pages"
        seen_items |= set(on_page)
        assert [int(i) for i in on_page] == sorted(int(i) for i in on_page)
        if on_page:
            assert int(on_page[0]) > last_item
            last_item = int(on_page[-1])
        assert len(items) <= limit or len(on_page) == 1
        if page["next_cursor"] is not None and on_page:
            assert int(page["next_cursor"]) >= int(on_page[-1])
            last_item = int(page["next_cursor"])


def expected_inventory(
    account: NetSuiteAccount, locations: list[int] | None = None, since: str | None = None
) -> list[tuple[str, str, float, float, float]]:
    """``(item_id, location_id, on_hand, committed, available)`` of every row the RESTlet must send: at
    ``locations``, changed after ``since`` when it is given."""
    at = f" AND location IN ({','.join('?' * len(locations))})" if locations else ""
    sql = (
        "SELECT item, location, quantityonhand, quantitycommitted, quantityavailable "
        f"FROM inventoryitemlocations WHERE 1 = 1{at}"
    )
    params: list[object] = list(locations or [])
    if since:
        sql += " AND lastmodifieddate > ?"
        params.append(since)
    return sorted((str(r[0]), str(r[1]), r[2] or 0, r[3] or 0, r[4] or 0) for r in account.conn.execute(sql, params))


def inventory_rows(pages: list[dict[str, Any]]) -> list[tuple[str, str, float, float, float]]:
    return sorted(
        (r["item_id"], r["location_id"], r["on_hand"], r["committed"], r["available"]) for p in pages for r in p["rows"]
    )


def expected_prices(account: NetSuiteAccount, items: set[int] | None = None) -> list[tuple[str, str, float, str]]:
    found = [
        (str(r[0]), str(r[1]), float(r[2] or 0), f"{r[3]:.2f}")
        for r in account.conn.execute("SELECT item, pricelevel, quantity, unitprice FROM pricing")
        if items is None or r[0] in items
    ]
    return sorted(found)


def price_rows(pages: list[dict[str, Any]]) -> list[tuple[str, str, float, str]]:
    return sorted(
        (r["item_id"], r["price_level_id"], float(r["quantity"]), r["unit_price"]) for p in pages for r in p["rows"]
    )


def expected_contracts(account: NetSuiteAccount, items: set[int] | None = None) -> list[tuple[str, str, str]]:
    found = [
        (str(r[0]), str(r[1]), f"{r[2]:.2f}")
        for r in account.conn.execute("SELECT item, customer, price FROM customeritempricing")
        if items is None or r[0] in items
    ]
    return sorted(found)


def contract_rows(pages: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((c["item_id"], c["customer_id"], c["unit_price"]) for p in pages for c in p["contract_prices"])
