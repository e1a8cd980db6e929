"""Customers: search, get, put (merge and validation), customer groups."""

from __future__ import annotations

import httpx


def test_search_and_get_customer(magento: httpx.Client, sc) -> None:
    found = magento.get("/rest/V1/customers/search", params=sc([("email", "CUSTOMER00007@example.test", "eq")])).json()
    assert found["total_count"] == 1 and found["items"][0]["id"] == 7
    customer = magento.get("/rest/V1/customers/7").json()
    assert customer["email"] == "customer00007@example.test"
    assert {"group_id", "website_id", "addresses", "custom_attributes", "extension_attributes"} <= set(customer)
    assert isinstance(customer["extension_attributes"]["is_subscribed"], bool)
    missing = magento.get("/rest/V1/customers/9999")
    assert missing.status_code == 404
    assert missing.json() == {
        "message": "No such entity with %fieldName = %fieldValue",
        "parameters": {"fieldName": "customerId", "fieldValue": 9999},
    }
    page = magento.get("/rest/V1/customers/search", params=sc(page_size=10, current_page=6)).json()
    assert page["items"] == [] and page["total_count"] == 50


def test_put_customer_merges_and_bumps_updated_at(magento: httpx.Client, sc) -> None:
    before = magento.get("/rest/V1/customers/5").json()
    body = {
        "customer": {
            "email": before["email"],
            "firstname": before["firstname"],
            "lastname": before["lastname"],
            "group_id": 2,
            "custom_attributes": [{"attribute_code": "credit_limit", "value": "25000.00"}],
            "extension_attributes": {"is_subscribed": True},
        }
    }
    saved = magento.put("/rest/V1/customers/5", json=body)
    assert saved.status_code == 200
    after = magento.get("/rest/V1/customers/5").json()
    assert after["group_id"] == 2 and after["addresses"] == before["addresses"]
    attributes = {a["attribute_code"]: a["value"] for a in after["custom_attributes"]}
    assert attributes["credit_limit"] == "25000.00" and "payment_terms" in attributes
    assert after["extension_attributes"]["is_subscribed"] is True
    assert after["updated_at"] >= before["updated_at"]
    changed = magento.get("/rest/V1/customers/search", params=sc([("group_id", "2", "eq")])).json()
    assert 5 in {c["id"] for c in changed["items"]}


def test_put_customer_validation(magento: httpx.Client) -> None:
    no_name = magento.put("/rest/V1/customers/5", json={"customer": {"email": "a@example.test", "lastname": "X"}})
    assert no_name.status_code == 400
    assert no_name.json() == {
        "message": '"%fieldName" is required. Enter and try again.',
        "parameters": {"fieldName": "firstname"},
    }
    taken = magento.put(
        "/rest/V1/customers/5",
        json={"customer": {"email": "customer00006@example.test", "firstname": "A", "lastname": "B"}},
    )
    assert taken.status_code == 400 and "same email" in taken.json()["message"]
    bad_group = magento.put(
        "/rest/V1/customers/5",
        json={"customer": {"email": "customer00005@example.test", "firstname": "A", "lastname": "B", "group_id": 77}},
    )
    assert bad_group.status_code == 400 and bad_group.json()["parameters"] == {"value": 77, "fieldName": "group_id"}
    assert magento.put("/rest/V1/customers/9999", json={"customer": {}}).status_code == 404
    not_json = magento.put("/rest/V1/customers/5", content=b"{nope", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400


def test_customer_groups_search(magento: httpx.Client, sc) -> None:
    groups = magento.get("/rest/V1/customerGroups/search").json()
    assert {g["code"]: g["id"] for g in groups["items"]} == {
        "NOT LOGGED IN": 0, "General": 1, "Wholesale": 2, "Retailer": 3, "Distributor": 4,
    }  # fmt: skip
    wholesale = magento.get("/rest/V1/customerGroups/search", params=sc([("code", "Whole%", "like")])).json()
    assert [g["id"] for g in wholesale["items"]] == [2]
