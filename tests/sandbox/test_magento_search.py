"""searchCriteria: parsing both key styles, OR/AND, every condition type, sorting, 2.4 paging."""

from __future__ import annotations

import httpx
import pytest

from magento_netsuite.sandbox.magento import search
from magento_netsuite.sandbox.magento.errors import MagentoError

ROWS = [
    {"id": 1, "name": "Alpha", "qty": 5, "tags": "a,b", "when": "2026-11-29 01:00:00", "note": None},
    {"id": 2, "name": "beta", "qty": 15, "tags": "b", "when": "2026-11-29 01:30:00", "note": "x"},
    {"id": 3, "name": "Gamma", "qty": 25, "tags": "c,a", "when": "2026-11-29 02:00:00"},
    {"id": 4, "name": "delta", "qty": 100, "tags": "", "when": "2026-11-28 23:00:00", "note": "y"},
]


def _ids(sc, *groups, **kwargs) -> list[int]:
    parsed = search.parse(sc(*groups, **kwargs))
    page, _total = search.apply(ROWS, parsed)
    return [row["id"] for row in page]


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("eq", "beta", [2]),
        ("eq", "BETA", [2]),  # MySQL's default collation is case-insensitive
        ("neq", "beta", [1, 3, 4]),
        ("like", "%ta", [2, 4]),
        ("like", "_amma", [3]),
        ("nlike", "%a", []),
        ("in", "Alpha,delta", [1, 4]),
        ("nin", "Alpha,delta", [2, 3]),
    ],
)
def test_string_conditions(sc, condition: str, value: str, expected: list[int]) -> None:
    assert _ids(sc, [("name", value, condition)]) == expected


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("gt", "15", [3, 4]),
        ("gteq", "15", [2, 3, 4]),
        ("lt", "15", [1]),
        ("lteq", "15", [1, 2]),
        ("from", "25", [3, 4]),
        ("to", "5", [1]),
        ("moreq", "100", [4]),
        ("eq", "5", [1]),
        ("gt", "9", [2, 3, 4]),  # numeric, not lexicographic ("9" > "15" as strings)
    ],
)
def test_numeric_conditions(sc, condition: str, value: str, expected: list[int]) -> None:
    assert _ids(sc, [("qty", value, condition)]) == expected


def test_null_finset_and_dates(sc) -> None:
    assert _ids(sc, [("note", "", "null")]) == [1, 3]
    assert _ids(sc, [("note", "", "notnull")]) == [2, 4]
    assert _ids(sc, [("tags", "a", "finset")]) == [1, 3]
    assert _ids(sc, [("tags", "a", "nfinset")]) == [2, 4]
    assert _ids(sc, [("when", "2026-11-29 01:30:00", "gteq")]) == [2, 3]
    assert _ids(sc, [("missing_field", "1", "eq")]) == []


def test_or_inside_a_group_and_across_groups(sc) -> None:
    assert _ids(sc, [("name", "Alpha", "eq"), ("name", "Gamma", "eq")]) == [1, 3]
    assert _ids(sc, [("qty", "10", "gt")], [("qty", "50", "lt")]) == [2, 3]
    assert _ids(sc, [("name", "Alpha", "eq"), ("qty", "100", "eq")], [("tags", "", "neq")]) == [1]


def test_default_condition_is_eq_and_camel_case_works(sc) -> None:
    params = [("searchCriteria[filterGroups][0][filters][0][field]", "name"),
              ("searchCriteria[filterGroups][0][filters][0][value]", "Gamma")]  # fmt: skip
    page, total = search.apply(ROWS, search.parse(params))
    assert [r["id"] for r in page] == [3] and total == 1
    assert _ids(sc, [("qty", "10", "gt")], camel=True) == [2, 3, 4]


def test_sort_orders(sc) -> None:
    assert _ids(sc, sort=[("qty", "DESC")]) == [4, 3, 2, 1]
    assert _ids(sc, sort=[("name", "ASC")]) == [1, 2, 4, 3]
    parsed = search.parse([("searchCriteria[sortOrders][0][field]", "qty")])
    assert [r["id"] for r in search.apply(ROWS, parsed)[0]] == [4, 3, 2, 1]  # default direction DESC


def test_paging_2_4_semantics(sc) -> None:
    assert _ids(
        sc,
    ) == [1, 2, 3, 4]  # no pageSize: everything
    assert _ids(sc, page_size=3, current_page=1) == [1, 2, 3]
    assert _ids(sc, page_size=3, current_page=2) == [4]
    assert _ids(sc, page_size=3, current_page=3) == []  # past the end: empty, not the last page again
    assert _ids(sc, page_size=3, current_page=0) == [1, 2, 3]
    parsed = search.parse(sc(page_size=2, current_page=5))
    assert search.apply(ROWS, parsed) == ([], 4)


def test_echo_and_bad_input(sc) -> None:
    parsed = search.parse(sc([("qty", "5", "gt")], page_size=10, current_page=2, sort=[("id", "ASC")]))
    assert parsed.echo() == {
        "filter_groups": [{"filters": [{"field": "qty", "value": "5", "condition_type": "gt"}]}],
        "sort_orders": [{"field": "id", "direction": "ASC"}],
        "page_size": 10,
        "current_page": 2,
    }
    with pytest.raises(MagentoError) as bad_condition:
        search.parse(sc([("qty", "5", "between")]))
    assert bad_condition.value.status == 400
    with pytest.raises(MagentoError):
        search.parse([("searchCriteria[pageSize]", "ten")])


def test_search_over_http_orders(sc, magento: httpx.Client) -> None:
    everything = magento.get("/rest/V1/orders").json()
    assert everything["total_count"] == 20 and len(everything["items"]) == 20
    assert everything["search_criteria"] == {"filter_groups": []}
    seen: list[str] = []
    for page in range(1, 6):
        body = magento.get("/rest/V1/orders", params=sc(page_size=6, current_page=page)).json()
        assert body["total_count"] == 20
        seen += [o["increment_id"] for o in body["items"]]
    assert seen == sorted(o["increment_id"] for o in everything["items"])
    since = everything["items"][10]["updated_at"]
    window = magento.get(
        "/rest/V1/orders", params=sc([("updated_at", since, "gteq")], sort=[("updated_at", "ASC")])
    ).json()
    assert window["total_count"] == len([o for o in everything["items"] if o["updated_at"] >= since])
    stamps = [o["updated_at"] for o in window["items"]]
    assert stamps == sorted(stamps)
    both = magento.get(
        "/rest/default/V1/orders",
        params=sc([("increment_id", "000000001", "eq"), ("increment_id", "000000002", "eq")], camel=True),
    ).json()
    assert sorted(o["increment_id"] for o in both["items"]) == ["000000001", "000000002"]


def test_input_limit_page_size(sc, magento_server, magento: httpx.Client) -> None:
    assert magento.get("/rest/V1/orders", params=sc(page_size=500)).status_code == 200
    httpx.post(f"{magento_server.url}/_sandbox/config", json={"input_limit": True}).raise_for_status()
    refused = magento.get("/rest/V1/orders", params=sc(page_size=301))
    assert refused.status_code == 400
    assert refused.json() == {"message": "Maximum SearchCriteria pageSize is %max", "parameters": {"max": 300}}
    default_page = magento.get("/rest/V1/orders").json()
    assert len(default_page["items"]) == 20 and default_page["search_criteria"]["page_size"] == 20
    assert len(magento.get("/rest/V1/products").json()["items"]) == 20


def test_fields_filter_trims_responses(magento: httpx.Client, sc) -> None:
    trimmed = magento.get(
        "/rest/V1/orders", params=[*sc(page_size=2), ("fields", "items[increment_id,items[sku]],total_count")]
    ).json()
    assert set(trimmed) == {"items", "total_count"} and trimmed["total_count"] == 20
    assert set(trimmed["items"][0]) == {"increment_id", "items"}
    assert all(set(line) == {"sku"} for line in trimmed["items"][0]["items"])
    one = magento.get("/rest/V1/products/SKU-000001", params={"fields": "sku,price"}).json()
    assert set(one) == {"sku", "price"}
    assert magento.get("/rest/V1/orders/1", params={"fields": "items[sku"}).status_code == 400
