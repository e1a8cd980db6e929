"""The governance guard of mns_paging.js: when the usage left falls under the reserve, a call ends
early with a cursor, before the first item it did not read whole; following the cursors still
gives every row once. Budgets are per call (the runner's N/runtime), charged 10 units a SuiteQL run
and 10 a page fetch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount
from magento_netsuite.sandbox.netsuite.suitescript.driver import SuiteScriptRunner
from tests.netsuite_js.conftest import SEEDED
from tests.netsuite_js.helpers import (
    INVENTORY,
    PRICING,
    assert_whole_items,
    call,
    contract_rows,
    expected_contracts,
    expected_inventory,
    expected_prices,
    follow,
    inventory_rows,
    price_rows,
)

SKUS = 1500  # 4,500 stock rows, 18,000 price rows: several 1,000-row SuiteQL pages per read


@pytest.fixture(scope="module")
def catalog() -> NetSuiteAccount:
    return NetSuiteAccount(generate(SeedConfig(skus=SKUS, customers=60, orders=0, now=SEEDED)))


def test_inventory_low_usage_ends_the_page_early_and_the_cursor_gives_the_rest(
    runner: SuiteScriptRunner, catalog: NetSuiteAccount
) -> None:
    unguarded = follow(runner, catalog, INVENTORY, limit=10000)
    assert len(unguarded) == 1 and unguarded[0]["count"] == SKUS * 3
    # 250 units: the ids (2 pages) and 2 of the 5 row pages are read, then 190 < 200 left stops the read
    pages = follow(runner, catalog, INVENTORY, budget=250, limit=10000)
    assert len(pages) > 1 and pages[0]["next_cursor"] is not None
    assert pages[0]["count"] == 1998  # 2,000 rows read; the item the read stopped in goes to the next call
    assert inventory_rows(pages) == expected_inventory(catalog)
    assert_whole_items(pages, 10000)


def test_usage_too_low_for_one_item_answers_an_empty_page_with_the_same_cursor(
    runner: SuiteScriptRunner, catalog: NetSuiteAccount
) -> None:
    assert call(runner, catalog, INVENTORY, budget=215, cursor=1100) == {
        "rows": [],
        "next_cursor": "1100",
        "count": 0,
    }


def test_a_call_past_its_budget_fails_instead_of_answering_a_partial_page(
    runner: SuiteScriptRunner, catalog: NetSuiteAccount
) -> None:
    body = call(runner, catalog, INVENTORY, budget=5)
    assert body["error"]["code"] == "SSS_USAGE_LIMIT_EXCEEDED"


@pytest.mark.parametrize("budget", [450, 470, 500])
def test_pricing_guard_keeps_prices_and_contracts_of_whole_items(
    runner: SuiteScriptRunner, catalog: NetSuiteAccount, budget: int
) -> None:
    pages = follow(runner, catalog, PRICING, budget=budget, limit=10000)
    assert len(pages) > 2  # the unguarded read takes 2 pages of 10,000 rows
    assert price_rows(pages) == expected_prices(catalog)
    assert contract_rows(pages) == expected_contracts(catalog)
    assert_whole_items(pages, 10000)
    for page in pages:
        assert {c["item_id"] for c in page["contract_prices"]} <= {r["item_id"] for r in page["rows"]}


@pytest.fixture(scope="module")
def random_catalog() -> Iterator[NetSuiteAccount]:
    yield NetSuiteAccount(generate(SeedConfig(skus=700, customers=0, orders=0, now=SEEDED)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stocked=st.lists(st.sets(st.sampled_from([1, 2, 3])), min_size=1, max_size=700),
    limit=st.integers(min_value=40, max_value=2500),
    budget=st.one_of(st.just(5000), st.integers(min_value=230, max_value=320)),
    locations=st.sampled_from([None, "1", "2,3", "1,2,3"]),
)
def test_any_catalog_any_limit_any_budget_every_row_once_in_whole_items(
    runner: SuiteScriptRunner,
    random_catalog: NetSuiteAccount,
    stocked: list[set[int]],
    limit: int,
    budget: int,
    locations: str | None,
) -> None:
    """Items stocked at random subsets of the locations (some at none), read in pages of ``limit``
    rows with ``budget`` units a call: the rows followed through the cursors are the table's."""
    conn = random_catalog.conn
    conn.execute("SAVEPOINT catalog")
    try:
        conn.execute("DELETE FROM inventoryitemlocations WHERE item > ?", (1000 + len(stocked),))
        for offset, kept in enumerate(stocked):
            absent = [loc for loc in (1, 2, 3) if loc not in kept]
            conn.executemany(
                "DELETE FROM inventoryitemlocations WHERE item = ? AND location = ?",
                [(1001 + offset, loc) for loc in absent],
            )
        pages = follow(runner, random_catalog, INVENTORY, budget=budget, limit=limit, locations=locations)
        wanted = [int(x) for x in locations.split(",")] if locations else None
        assert inventory_rows(pages) == expected_inventory(random_catalog, wanted)
        assert_whole_items(pages, limit)
    finally:
        conn.execute("ROLLBACK TO catalog")
        conn.execute("RELEASE catalog")
