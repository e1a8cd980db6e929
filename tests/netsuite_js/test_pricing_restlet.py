"""mns_pricing_restlet.js, run under node on the sandbox's tables: price rows and contract prices of
whole items per page, deltas through the item and the customer, bad parameters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount
from magento_netsuite.sandbox.netsuite.suitescript.driver import SuiteScriptRunner
from tests.netsuite_js.conftest import Clock
from tests.netsuite_js.helpers import (
    PRICING,
    assert_whole_items,
    call,
    contract_rows,
    expected_contracts,
    expected_prices,
    follow,
    price_rows,
)


@pytest.mark.parametrize("limit", [1, 11, 24, 10000])
def test_full_read_sends_every_price_and_contract_once(
    runner: SuiteScriptRunner, account: NetSuiteAccount, limit: int
) -> None:
    pages = follow(runner, account, PRICING, limit=limit)
    assert price_rows(pages) == expected_prices(account)
    assert contract_rows(pages) == expected_contracts(account)
    assert_whole_items(pages, limit)
    for page in pages:  # an item's contract prices travel with its price rows
        assert {c["item_id"] for c in page["contract_prices"]} <= {r["item_id"] for r in page["rows"]}


def test_rows_have_the_contract_fields_and_types(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    body = call(runner, account, PRICING, limit=24)
    assert body["count"] == 24 and body["next_cursor"] == "1002"  # 4 levels x 3 breaks per item
    row = body["rows"][0]
    assert row | {"unit_price": "x"} == {
        "item_id": "1001",
        "sku": "SKU-000001",
        "price_level_id": "1",
        "price_level": "Base Price",
        "quantity": 0,
        "unit_price": "x",
        "currency": "USD",
    }
    assert row["unit_price"].count(".") == 1 and len(row["unit_price"].split(".")[1]) == 2
    every = follow(runner, account, PRICING, limit=10000)
    contract = next(c for page in every for c in page["contract_prices"])
    assert set(contract) == {
        "customer_id",
        "customer_external_id",
        "customer_price_level_id",
        "item_id",
        "sku",
        "unit_price",
        "currency",
    }
    assert contract["currency"] == "USD" and isinstance(contract["customer_id"], str)


def test_prices_are_rounded_to_cents_half_up(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    account.conn.execute("UPDATE pricing SET unitprice = 12.345 WHERE item = 1001 AND pricelevel = 1 AND quantity = 0")
    account.conn.execute("UPDATE pricing SET unitprice = 7 WHERE item = 1001 AND pricelevel = 2 AND quantity = 0")
    rows = call(runner, account, PRICING, limit=12)["rows"]
    prices = {(r["price_level_id"], r["quantity"]): r["unit_price"] for r in rows}
    assert prices["1", 0] == "12.35" and prices["2", 0] == "7.00"


def test_delta_through_the_item_and_through_the_customer(
    runner: SuiteScriptRunner, account: NetSuiteAccount, clock: Clock
) -> None:
    since = (clock.now - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call(runner, account, PRICING, since=since)["rows"] == []
    account.set_prices([{"sku": "SKU-000005", "price_level_id": 2, "quantity": 0, "unit_price": "12.34"}])
    [customer] = account.conn.execute("SELECT customer FROM customeritempricing ORDER BY item DESC").fetchone()
    account.conn.execute("UPDATE customer SET lastmodifieddate = ? WHERE id = ?", (account.now(), customer))
    customer_items = {
        r[0] for r in account.conn.execute("SELECT item FROM customeritempricing WHERE customer = ?", (customer,))
    }
    pages = follow(runner, account, PRICING, limit=1, since=since)
    changed = {1005} | customer_items
    assert price_rows(pages) == expected_prices(account, changed)
    assert contract_rows(pages) == expected_contracts(account, changed)
    assert len(pages) == len(changed)  # one whole item per page of 1 row
    assert ("1005", "2", 0.0, "12.34") in price_rows(pages)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": -1}, "MNS_BAD_LIMIT"),
        ({"limit": 20000}, "MNS_BAD_LIMIT"),
        ({"cursor": "1001.5"}, "MNS_BAD_CURSOR"),
        ({"since": "2026-13-45"}, "MNS_BAD_SINCE"),
    ],
)
def test_bad_parameters_are_answered_with_an_error_code(
    runner: SuiteScriptRunner, account: NetSuiteAccount, params: dict[str, object], code: str
) -> None:
    body = call(runner, account, PRICING, **params)
    assert set(body) == {"error"} and body["error"]["code"] == code
