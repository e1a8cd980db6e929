"""NetSuite sandbox SuiteQL (paging rules, cap, binds, dialect, errors) and our two RESTlets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.netsuite.app import create_app
from magento_netsuite.sandbox.netsuite.testing import tba_auth

SUITEQL = "/services/rest/query/v1/suiteql"
RESTLET = "/app/site/hosting/restlet.nl"
INVENTORY = {"script": "customscript_mns_inventory", "deploy": "customdeploy_mns_inventory"}
PRICING = {"script": "customscript_mns_pricing", "deploy": "customdeploy_mns_pricing"}
SKUS = 30


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    # Real clock: data changes made through the control endpoints are stamped "now".
    with SandboxServer(create_app(generate(SeedConfig(skus=SKUS, customers=40, orders=0)))) as running:
        yield running


@pytest.fixture
def base(server: SandboxServer) -> str:
    requests.post(f"{server.url}/_sandbox/reset", timeout=10).raise_for_status()
    return server.url


def query(base: str, q: str, params: list[Any] | None = None, **paging: int) -> requests.Response:
    return requests.post(
        base + SUITEQL,
        params=paging,
        json={"q": q, "params": params or []},
        headers={"Prefer": "transient"},
        auth=tba_auth(),
        timeout=20,
    )


def error(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 400, response.text
    return response.json()["o:errorDetails"][0]


def test_rows_are_lowercase_strings_with_links_and_nulls_omitted(base: str) -> None:
    body = query(base, "SELECT ID, ItemId, cost, externalid FROM item WHERE id = ?", [1001]).json()
    assert body["items"] == [{"links": [], "id": "1001", "itemid": "SKU-000001", "cost": body["items"][0]["cost"]}]
    assert isinstance(body["items"][0]["cost"], str)
    assert body["count"] == 1 and body["hasMore"] is False and body["totalResults"] == 1 and body["offset"] == 0


def test_paging_has_more_and_offset_rules(base: str) -> None:
    q = "SELECT id FROM item ORDER BY id"
    first = query(base, q, limit=10, offset=0).json()
    assert (first["count"], first["hasMore"], first["totalResults"]) == (10, True, SKUS)
    last = query(base, q, limit=10, offset=20).json()
    assert (last["count"], last["hasMore"], last["items"][-1]["id"]) == (10, False, str(1000 + SKUS))
    assert error(query(base, q, limit=10, offset=15))["o:errorQueryParam"] == "offset"
    assert error(query(base, q, limit=1001))["o:errorQueryParam"] == "limit"
    missing_prefer = requests.post(base + SUITEQL, json={"q": q}, auth=tba_auth(), timeout=10)
    assert missing_prefer.status_code == 400
    assert missing_prefer.json()["o:errorDetails"][0]["o:errorHeader"] == "Prefer"


def test_hundred_thousand_row_cap(base: str) -> None:
    big = "SELECT a.internalid AS a, b.internalid AS b FROM pricing a CROSS JOIN pricing b"
    tail = query(base, big, limit=1000, offset=99000).json()
    assert tail["totalResults"] > 100_000
    assert tail["count"] == 1000 and tail["hasMore"] is False
    assert error(query(base, big, limit=1000, offset=100000))["o:errorCode"] == "INVALID_PARAMETER"


def test_binds_in_lists_builtin_df_and_dates(base: str) -> None:
    rows = query(
        base,
        "SELECT iil.item, BUILTIN.DF(iil.location) AS location_name, iil.quantityavailable "
        "FROM inventoryitemlocations iil JOIN item i ON i.id = iil.item WHERE i.itemid IN (?, ?) AND iil.location = ?",
        ["SKU-000002", "SKU-000003", 2],
    ).json()["items"]
    assert [(r["item"], r["location_name"]) for r in rows] == [("1002", "West Warehouse"), ("1003", "West Warehouse")]
    levels = query(base, "SELECT p.pricelevel, BUILTIN.DF(p.pricelevel) AS level FROM pricing p WHERE p.item = 1001")
    assert {r["level"] for r in levels.json()["items"]} == {"Base Price", "Wholesale", "Distributor", "Retail"}
    dated = query(
        base,
        "SELECT id, lastmodifieddate, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS ts FROM customer "
        "WHERE lastmodifieddate > TO_TIMESTAMP(?, 'YYYY-MM-DD HH24:MI:SS') AND lastmodifieddate < SYSDATE "
        "ORDER BY lastmodifieddate",
        ["2000-01-01 00:00:00"],
    ).json()["items"]
    assert len(dated) >= 30
    moment = datetime.strptime(dated[0]["ts"], "%Y-%m-%d %H:%M:%S")
    assert dated[0]["lastmodifieddate"] == f"{moment.month}/{moment.day}/{moment.year}"
    assert [r["ts"] for r in dated] == sorted(r["ts"] for r in dated)
    # TO_CHAR text is never re-rendered as a date, even when shaped like a stored timestamp
    iso = query(base, "SELECT TO_CHAR(lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS ts FROM customer").json()
    assert datetime.strptime(iso["items"][0]["ts"], "%Y-%m-%dT%H:%M:%S")
    lookup = query(base, "SELECT id FROM customer WHERE LOWER(email) = LOWER(?)", ["CUSTOMER00001@example.test"])
    assert lookup.json()["count"] in (0, 1)


@pytest.mark.parametrize(
    ("q", "name"),
    [
        ("SELECT nosuchcolumn FROM item", "nosuchcolumn"),
        ("SELECT id FROM nosuchtable", "nosuchtable"),
        ("SELECT i.bogus FROM item i", "i.bogus"),
    ],
)
def test_unknown_identifiers_are_invalid_parameter(base: str, q: str, name: str) -> None:
    detail = error(query(base, q))
    assert detail["o:errorCode"] == "INVALID_PARAMETER" and detail["o:errorQueryParam"] == "q"
    assert detail["detail"] == (
        "Invalid search query. Detailed unprocessed description follows. "
        f"Search error occurred: Unknown identifier '{name}'"
    )


def test_only_select_runs(base: str) -> None:
    assert error(query(base, "DELETE FROM item"))["o:errorCode"] == "INVALID_PARAMETER"
    assert error(query(base, "SELECT 1 FROM item; DROP TABLE item"))["o:errorCode"] == "INVALID_PARAMETER"
    assert query(base, "SELECT COUNT(*) AS n FROM item").json()["items"][0]["n"] == str(SKUS)


def restlet(base: str, script: dict[str, str], **params: Any) -> requests.Response:
    return requests.get(base + RESTLET, params=script | params, auth=tba_auth(), timeout=10)


def test_inventory_restlet_pages_whole_items_by_keyset(base: str) -> None:
    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        body = restlet(base, INVENTORY, limit=7, **({"cursor": cursor} if cursor else {})).json()
        pages += 1
        assert body["count"] == len(body["rows"]) == 6  # 2 items x 3 locations fit in 7; a third would split
        seen.extend(body["rows"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert cursor == body["rows"][-1]["item_id"]
    assert pages == SKUS // 2
    assert len(seen) == SKUS * 3 and len({(r["item_id"], r["location_id"]) for r in seen}) == SKUS * 3
    row = seen[0]
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
    assert row["available"] == row["on_hand"] - row["committed"]
    only_two = restlet(base, INVENTORY, locations="2", limit=10000).json()
    assert {r["location_id"] for r in only_two["rows"]} == {"2"} and only_two["next_cursor"] is None


def test_inventory_since_returns_changed_items_only(base: str) -> None:
    since = (datetime.now(UTC) - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert restlet(base, INVENTORY, since=since).json()["rows"] == []
    change = [
        {"sku": "SKU-000004", "location_id": 1, "on_hand": 77, "committed": 7},
        {"sku": "SKU-000009", "location_id": 3, "on_hand": 5, "committed": 0},
    ]
    assert requests.post(f"{base}/_sandbox/inventory", json=change, timeout=10).json() == {"changed": 2}
    rows = restlet(base, INVENTORY, since=since).json()["rows"]
    assert sorted({r["sku"] for r in rows}) == ["SKU-000004", "SKU-000009"]
    changed = next(r for r in rows if r["sku"] == "SKU-000004" and r["location_id"] == "1")
    assert (changed["on_hand"], changed["committed"], changed["available"]) == (77, 7, 70)
    suiteql = query(base, "SELECT quantityavailable FROM inventoryitemlocations WHERE item = 1004 AND location = 1")
    assert suiteql.json()["items"][0]["quantityavailable"] == "70"


def test_pricing_restlet_rows_contracts_and_since(base: str) -> None:
    body = restlet(base, PRICING, limit=24).json()
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
    every = restlet(base, PRICING, limit=10000).json()
    assert all(c["item_id"] in {r["item_id"] for r in every["rows"]} for c in every["contract_prices"])
    since = (datetime.now(UTC) - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    change = [
        {"sku": "SKU-000005", "price_level_id": 2, "quantity": 0, "unit_price": "12.34"},
        {"sku": "SKU-000006", "customer_id": 2001, "unit_price": "9.50"},
    ]
    assert requests.post(f"{base}/_sandbox/pricing", json=change, timeout=10).json() == {"changed": 2}
    delta = restlet(base, PRICING, since=since).json()
    assert sorted({r["sku"] for r in delta["rows"]}) == ["SKU-000005", "SKU-000006"]
    assert any(r["price_level_id"] == "2" and r["quantity"] == 0 and r["unit_price"] == "12.34" for r in delta["rows"])
    assert {"customer_id": "2001", "sku": "SKU-000006", "unit_price": "9.50"}.items() <= next(
        c for c in delta["contract_prices"] if c["sku"] == "SKU-000006"
    ).items()


def test_restlet_errors(base: str) -> None:
    unknown = restlet(base, {"script": "customscript_nope", "deploy": "1"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "SSS_INVALID_SCRIPTLET_ID"
    with_body = requests.get(base + RESTLET, params=INVENTORY, data=b'{"a": 1}', auth=tba_auth(), timeout=10)
    assert with_body.status_code == 400 and "error" in with_body.json()
    bad_limit = restlet(base, INVENTORY, limit=20000)
    # the RESTlet catches its own error and answers 200 with its code
    assert bad_limit.status_code == 200 and bad_limit.json()["error"]["code"] == "MNS_BAD_LIMIT"


def test_items_control_creates_and_inactivates(base: str) -> None:
    created = requests.post(
        f"{base}/_sandbox/items",
        json=[{"sku": "SKU-NEW-1", "inventory": [{"location_id": 1, "on_hand": 3, "committed": 0}]}],
        timeout=10,
    ).json()["changed"]
    assert query(base, "SELECT itemid, isinactive FROM item WHERE id = ?", [int(created[0])]).json()["items"] == [
        {"links": [], "itemid": "SKU-NEW-1", "isinactive": "F"}
    ]
    requests.post(f"{base}/_sandbox/items", json=[{"sku": "SKU-000001", "isinactive": True}], timeout=10)
    rows = restlet(base, INVENTORY, limit=3).json()["rows"]
    assert rows[0]["sku"] == "SKU-000001" and rows[0]["inactive"] is True
    assert (
        requests.post(f"{base}/_sandbox/inventory", json=[{"sku": "NOPE", "location_id": 1}], timeout=10).status_code
        == 400
    )
