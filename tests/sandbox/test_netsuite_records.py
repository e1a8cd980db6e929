"""NetSuite sandbox REST record API: reads, filters, paging, creates, duplicates, upserts, validation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.netsuite.app import create_app
from magento_netsuite.sandbox.netsuite.testing import tba_auth

RECORDS = "/services/rest/record/v1"


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    dataset = generate(SeedConfig(skus=30, customers=12, orders=0, now=datetime(2026, 11, 29, 2, tzinfo=UTC)))
    with SandboxServer(create_app(dataset)) as running:
        yield running


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.auth = tba_auth()

    def __getattr__(self, method: str) -> Any:
        def call(path: str, **kwargs: Any) -> requests.Response:
            return self.session.request(method.upper(), self.base + path, timeout=10, **kwargs)

        return call

    def suiteql(self, query: str, params: list[Any] | None = None) -> list[dict[str, str]]:
        response = self.post(
            "/services/rest/query/v1/suiteql",
            json={"q": query, "params": params or []},
            headers={"Prefer": "transient"},
        )
        assert response.status_code == 200, response.text
        return [{k: v for k, v in row.items() if k != "links"} for row in response.json()["items"]]


@pytest.fixture
def ns(server: SandboxServer) -> Client:
    requests.post(f"{server.url}/_sandbox/reset", timeout=10).raise_for_status()
    return Client(server.url)


def order(external_id: str, **extra: Any) -> dict[str, Any]:
    body = {
        "entity": {"id": "2001"},
        "externalId": external_id,
        "location": {"id": "1"},
        "shipMethod": {"id": "101"},
        "item": {
            "items": [{"item": {"id": "1001"}, "quantity": 2, "rate": 9.99}, {"item": {"id": "1002"}, "quantity": 1}]
        },
    }
    return body | extra


def detail(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) >= {"type", "title", "status", "o:errorDetails"}
    return body["o:errorDetails"][0]


def test_get_by_id_and_external_id_and_missing(ns: Client) -> None:
    by_id = ns.get(f"{RECORDS}/customer/2001")
    assert by_id.status_code == 200
    assert by_id.headers["content-type"] == "application/vnd.oracle.resource+json; type=singular"
    assert by_id.json()["links"] == [{"rel": "self", "href": f"{ns.base}{RECORDS}/customer/2001"}]
    by_eid = ns.get(f"{RECORDS}/customer/eid:MAG-CUST-1")
    assert by_eid.json()["id"] == "2001"
    missing = ns.get(f"{RECORDS}/customer/eid:NOPE")
    assert missing.status_code == 404
    assert detail(missing) == {"detail": "Record does not exist.", "o:errorCode": "NONEXISTENT_ID"}
    assert ns.get(f"{RECORDS}/inventoryItem/1001").json()["itemId"] == "SKU-000001"
    assert ns.get(f"{RECORDS}/location/2").json()["name"] == "West Warehouse"


def test_sublists_are_links_unless_expanded_and_fields_selects(ns: Client) -> None:
    location = ns.post(f"{RECORDS}/salesOrder", json=order("SHOP-1")).headers["Location"]
    collapsed = ns.get(location.removeprefix(ns.base)).json()
    assert collapsed["item"] == {"links": [{"rel": "self", "href": f"{location}/item"}]}
    expanded = ns.get(location.removeprefix(ns.base), params={"expandSubResources": "true"}).json()
    assert [line["item"]["id"] for line in expanded["item"]["items"]] == ["1001", "1002"]
    selected = ns.get(location.removeprefix(ns.base), params={"fields": "externalId,tranId"}).json()
    assert set(selected) == {"links", "id", "externalId", "tranId"}


def test_collection_filters_and_paging(ns: Client) -> None:
    one = ns.get(f"{RECORDS}/customer", params={"q": 'email IS "customer00002@example.test"'}).json()
    assert one["count"] <= 1 and one["totalResults"] == one["count"]
    every = ns.get(f"{RECORDS}/customer").json()
    assert every["totalResults"] >= 10
    ids = [item["id"] for item in every["items"]]
    assert all(item["links"][0]["href"].endswith(f"/customer/{item['id']}") for item in every["items"])
    any_of = ns.get(f"{RECORDS}/customer", params={"q": f"id ANY_OF [{ids[0]}, {ids[1]}]"}).json()
    assert [i["id"] for i in any_of["items"]] == ids[:2]
    either = ns.get(
        f"{RECORDS}/customer", params={"q": f'id IS {ids[0]} OR externalId START_WITH "MAG-CUST" AND id IS {ids[2]}'}
    ).json()
    assert [i["id"] for i in either["items"]] == [ids[0], ids[2]]
    none = ns.get(f"{RECORDS}/customer", params={"q": f'id IS {ids[0]} AND email IS "x@y.z"'}).json()
    assert none["totalResults"] == 0
    page = ns.get(f"{RECORDS}/inventoryItem", params={"limit": 10, "offset": 10}).json()
    assert page["count"] == 10 and page["hasMore"] is True and page["offset"] == 10 and page["totalResults"] == 30
    assert page["items"][0]["id"] == "1011"
    assert {link["rel"] for link in page["links"]} >= {"self", "next", "previous", "first", "last"}
    last = ns.get(f"{RECORDS}/inventoryItem", params={"limit": 10, "offset": 20}).json()
    assert last["hasMore"] is False
    bad = ns.get(f"{RECORDS}/inventoryItem", params={"limit": 10, "offset": 5})
    assert bad.status_code == 400 and detail(bad)["o:errorQueryParam"] == "offset"
    assert ns.get(f"{RECORDS}/customer", params={"q": "email WHATEVER 1"}).status_code == 400


def test_create_answers_204_with_location_and_is_visible_to_suiteql(ns: Client) -> None:
    response = ns.post(f"{RECORDS}/salesOrder", json=order("SHOP-1001"))
    assert response.status_code == 204 and response.content == b""
    location = response.headers["Location"]
    assert location.startswith(f"{ns.base}{RECORDS}/salesOrder/")
    new_id = location.rsplit("/", 1)[1]
    rows = ns.suiteql(
        "SELECT t.id, t.tranid, t.entity, t.externalid, tl.item, tl.quantity FROM transaction t "
        "JOIN transactionline tl ON tl.transaction = t.id WHERE t.type = 'SalesOrd' AND t.externalid = ? "
        "AND tl.mainline = 'F' ORDER BY tl.linesequencenumber",
        ["SHOP-1001"],
    )
    assert [(r["id"], r["entity"], r["item"], r["quantity"]) for r in rows] == [
        (new_id, "2001", "1001", "2"),
        (new_id, "2001", "1002", "1"),
    ]
    assert rows[0]["tranid"].startswith("SO")
    state = requests.get(f"{ns.base}/_sandbox/state", params={"record": "salesOrder", "externalId": "SHOP-1001"})
    assert state.json()["record"]["id"] == new_id


def test_duplicate_external_id_post_is_rejected(ns: Client) -> None:
    assert ns.post(f"{RECORDS}/salesOrder", json=order("SHOP-7")).status_code == 204
    again = ns.post(f"{RECORDS}/salesOrder", json=order("SHOP-7"))
    assert again.status_code == 400
    assert detail(again) == {
        "detail": "A record already exists with this external ID.",
        "o:errorCode": "INVALID_CONTENT",
        "o:errorPath": "externalId",
    }
    assert requests.get(f"{ns.base}/_sandbox/state").json()["counts"]["salesOrders"] == 1


def test_patch_and_eid_upsert(ns: Client) -> None:
    created = ns.put(
        f"{RECORDS}/salesOrder/eid:SHOP-9", json={k: v for k, v in order("x").items() if k != "externalId"}
    )
    assert created.status_code == 204
    first_location = created.headers["Location"]
    updated = ns.put(f"{RECORDS}/salesOrder/eid:SHOP-9", json={"memo": "second call"})
    assert updated.status_code == 204 and updated.headers["Location"] == first_location
    body = ns.get(f"{RECORDS}/salesOrder/eid:SHOP-9").json()
    assert body["memo"] == "second call" and body["externalId"] == "SHOP-9"
    assert ns.patch(f"{RECORDS}/customer/eid:MAG-CUST-3", json={"email": "new@example.test"}).status_code == 204
    assert ns.suiteql("SELECT email FROM customer WHERE externalid = ?", ["MAG-CUST-3"]) == [
        {"email": "new@example.test"}
    ]
    assert ns.patch(f"{RECORDS}/customer/999999", json={"email": "a@b.c"}).status_code == 404
    put_by_id = ns.put(f"{RECORDS}/customer/2001", json={"email": "a@b.c"})
    assert put_by_id.status_code == 400


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"entity": {"id": "999999"}}, "entity"),
        ({"location": {"id": "42"}}, "location"),
        ({"shipMethod": {"id": "7"}}, "shipMethod"),
        (
            {"item": {"items": [{"item": {"id": "1001"}, "quantity": 1}, {"item": {"id": "424242"}, "quantity": 1}]}},
            "item.items[1].item",
        ),
        ({"item": {"items": [{"item": {"id": "1001"}, "quantity": 0}]}}, "item.items[0].quantity"),
        ({"externalId": "bad|id"}, "externalId"),
    ],
)
def test_invalid_references_answer_invalid_content_with_path(ns: Client, change: dict[str, Any], path: str) -> None:
    response = ns.post(f"{RECORDS}/salesOrder", json=order("SHOP-BAD") | change)
    assert response.status_code == 400
    error = detail(response)
    assert error["o:errorCode"] == "INVALID_CONTENT" and error["o:errorPath"] == path


def test_item_fulfillment_and_customer_create(ns: Client) -> None:
    so = ns.post(f"{RECORDS}/salesOrder", json=order("SHOP-50")).headers["Location"].rsplit("/", 1)[1]
    fulfillment = {
        "createdFrom": {"id": so},
        "externalId": "FUL-50",
        "item": {"items": [{"item": {"id": "1001"}, "quantity": 2, "location": {"id": "1"}}]},
        "package": {"items": [{"packageTrackingNumber": "1Z999"}]},
    }
    assert ns.post(f"{RECORDS}/itemFulfillment", json=fulfillment).status_code == 204
    rows = ns.suiteql(
        "SELECT t.trackingnumberlist, tl.createdfrom, t.entity FROM itemfulfillment t "
        "JOIN transactionline tl ON tl.transaction = t.id WHERE tl.mainline = 'F'"
    )
    assert rows == [{"trackingnumberlist": "1Z999", "createdfrom": so, "entity": "2001"}]
    orphan = ns.post(f"{RECORDS}/itemFulfillment", json=fulfillment | {"createdFrom": {"id": "1"}, "externalId": "F2"})
    assert detail(orphan)["o:errorPath"] == "createdFrom"
    customer = {"externalId": "MAG-CUST-900", "companyName": "New Co", "email": "new@co.test"}
    created = ns.post(f"{RECORDS}/customer", json=customer)
    assert created.status_code == 204
    assert ns.suiteql("SELECT companyname FROM customer WHERE email = ?", ["new@co.test"]) == [
        {"companyname": "New Co"}
    ]


def test_raw_record_insert_through_control(ns: Client) -> None:
    raw = order("SHOP-RAW") | {"id": "777", "tranId": "SO-RAW", "status": {"id": "F"}}
    inserted = requests.post(f"{ns.base}/_sandbox/records/salesOrder", json=[raw], timeout=10)
    assert inserted.status_code == 201 and inserted.json() == {"ids": ["777"]}
    assert ns.get(f"{RECORDS}/salesOrder/777").json()["tranId"] == "SO-RAW"
    assert ns.suiteql("SELECT status, BUILTIN.DF(status) AS s FROM salesorder WHERE id = 777") == [
        {"status": "F", "s": "Pending Billing"}
    ]


def test_item_collection_filter(ns: Client) -> None:
    found = ns.get(f"{RECORDS}/inventoryItem", params={"q": 'itemId START_WITH "SKU-00001"'}).json()
    assert [i["id"] for i in found["items"]] == [str(1010 + n) for n in range(10)]
    exact = ns.get(f"{RECORDS}/inventoryItem", params={"q": 'itemId IS "SKU-000007"'}).json()
    assert [i["id"] for i in exact["items"]] == ["1007"]
