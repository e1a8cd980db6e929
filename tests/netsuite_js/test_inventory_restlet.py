"""mns_inventory_restlet.js, run under node on the sandbox's tables: the keyset contract of
docs/architecture.md ("The RESTlets we ship") for full reads, deltas, locations, bad parameters and
the governance guard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from magento_netsuite.sandbox.netsuite import restlets
from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount
from magento_netsuite.sandbox.netsuite.suitescript.driver import RESTLET_BUDGET, SuiteScriptRunner
from magento_netsuite.sandbox.netsuite.tables import ns_time
from tests.netsuite_js.conftest import Clock
from tests.netsuite_js.helpers import (
    INVENTORY,
    assert_whole_items,
    call,
    expected_inventory,
    follow,
    inventory_rows,
)


@pytest.mark.parametrize("limit", [1, 3, 7, 10, 10000])
def test_full_read_sends_every_row_once_in_whole_items(
    runner: SuiteScriptRunner, account: NetSuiteAccount, limit: int
) -> None:
    pages = follow(runner, account, INVENTORY, limit=limit)
    assert inventory_rows(pages) == expected_inventory(account)
    assert_whole_items(pages, limit)
    if limit == 7:  # 3 locations per item: two items fit in 7 rows, a third would split
        assert {page["count"] for page in pages[:-1]} == {6}


def test_rows_have_the_contract_fields_and_types(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    row = call(runner, account, INVENTORY, limit=3)["rows"][0]
    assert set(row) == {
        "item_id",
        "sku",
        "location_id",
        "on_hand",
        "committed",
        "available",
        "inactive",
        "last_modified",
    }
    assert isinstance(row["item_id"], str) and isinstance(row["location_id"], str)
    assert isinstance(row["on_hand"], int) and row["available"] == row["on_hand"] - row["committed"]
    assert row["inactive"] is False
    assert row["last_modified"].endswith("Z") and "T" in row["last_modified"]


def test_items_without_a_row_at_the_locations_are_on_no_page(
    runner: SuiteScriptRunner, account: NetSuiteAccount
) -> None:
    account.conn.execute("DELETE FROM inventoryitemlocations WHERE location = 2 AND item % 2 = 0")
    pages = follow(runner, account, INVENTORY, limit=4, locations="2")
    assert inventory_rows(pages) == expected_inventory(account, [2])
    assert all(int(r["item_id"]) % 2 == 1 for page in pages for r in page["rows"])
    assert_whole_items(pages, 4)


def test_locations_filter(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    pages = follow(runner, account, INVENTORY, limit=5, locations="1, 3")
    assert inventory_rows(pages) == expected_inventory(account, [1, 3])
    assert_whole_items(pages, 5)
    assert call(runner, account, INVENTORY, locations="99") == {"rows": [], "next_cursor": None, "count": 0}


def test_delta_sends_only_rows_changed_after_since(
    runner: SuiteScriptRunner, account: NetSuiteAccount, clock: Clock
) -> None:
    since = clock.now - timedelta(seconds=1)
    assert call(runner, account, INVENTORY, since=since.strftime("%Y-%m-%dT%H:%M:%SZ"))["rows"] == []
    account.set_inventory(
        [
            {"sku": "SKU-000004", "location_id": 1, "on_hand": 77, "committed": 7},
            {"sku": "SKU-000009", "location_id": 3, "on_hand": 5, "committed": 0},
            {"sku": "SKU-000030", "location_id": 2, "on_hand": 0, "committed": 0},
        ]
    )
    pages = follow(runner, account, INVENTORY, limit=1, since=since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert inventory_rows(pages) == expected_inventory(account, since=ns_time(since))
    assert [page["rows"][0]["sku"] for page in pages] == ["SKU-000004", "SKU-000009", "SKU-000030"]
    assert [page["count"] for page in pages] == [1, 1, 1]  # the changed rows, not the items' other locations
    changed = pages[0]["rows"][0]
    assert (changed["on_hand"], changed["committed"], changed["available"]) == (77, 7, 70)
    # an offset timestamp is the same instant
    offset = (since + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    assert inventory_rows(follow(runner, account, INVENTORY, since=offset)) == inventory_rows(pages)
    only_three = follow(runner, account, INVENTORY, since=since.strftime("%Y-%m-%dT%H:%M:%SZ"), locations="3")
    assert [(r["sku"], r["location_id"]) for page in only_three for r in page["rows"]] == [("SKU-000009", "3")]


def test_inactive_items_are_flagged(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    account.conn.execute("UPDATE item SET isinactive = 'T' WHERE itemid = 'SKU-000001'")
    rows = call(runner, account, INVENTORY, limit=3)["rows"]
    assert {(r["sku"], r["inactive"]) for r in rows} == {("SKU-000001", True)}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 0}, "MNS_BAD_LIMIT"),
        ({"limit": 10001}, "MNS_BAD_LIMIT"),
        ({"limit": "ten"}, "MNS_BAD_LIMIT"),
        ({"limit": "5x"}, "MNS_BAD_LIMIT"),
        ({"cursor": "abc"}, "MNS_BAD_CURSOR"),
        ({"cursor": "-4"}, "MNS_BAD_CURSOR"),
        ({"since": "yesterday"}, "MNS_BAD_SINCE"),
        ({"locations": "1,two"}, "MNS_BAD_LOCATIONS"),
    ],
)
def test_bad_parameters_are_answered_with_an_error_code(
    runner: SuiteScriptRunner, account: NetSuiteAccount, params: dict[str, object], code: str
) -> None:
    body = call(runner, account, INVENTORY, **params)
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]


def test_each_call_counts_and_reads_a_bounded_result(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    """The id and row reads are bounded (FETCH FIRST limit + 1): NetSuite never counts the rest of the
    catalog after the cursor, and a call spends two paged runs and one fetch each (40 units)."""
    cursor = None
    calls = 0
    while True:
        outcome = restlets.run(runner, account, INVENTORY, {"limit": "5", **({"cursor": cursor} if cursor else {})})
        calls += 1
        assert len(outcome.counts) == 2 and max(outcome.counts) <= 6
        assert RESTLET_BUDGET - outcome.remaining == 40
        cursor = outcome.result["next_cursor"]
        if cursor is None:
            break
    assert calls == 40  # one item (3 rows) per page of 5
