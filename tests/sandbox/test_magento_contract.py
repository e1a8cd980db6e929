"""Contract: every Magento sandbox response our package uses validates against Adobe's 2.4.8 schema.

The schema file comes from env ``MAGENTO_REST_SCHEMA`` (the Makefile and CI point it at
``../shared/reference/magento/admin-schema-2.4.8.json``); without the file these tests skip with the
reason, and fail under CI's ``MNS_TEST_REQUIRE_ALL=1`` (:mod:`tests.environment`). It is Swagger 2.0, so responses are
checked with a Draft 4 validator over its ``definitions``, after the documented patches
(magento-notes.md section 0), applied here and never to the file:

1. auth (``api_key`` header → Bearer): only matters for request generation, not for responses;
2. void operations: ``POST /V1/inventory/source-items`` answers ``[]``;
3. required getters emit ``null`` (``payment.account_status``, ``payment.cc_last4``, a shipping
   address without ``postcode``, a bulk operation's ``result_message`` / ``error_code`` while
   open or after success) and ``search_criteria.request_name`` is not echoed;
4. ``custom_attributes[].value`` may be any JSON type;
5. error ``parameters`` is a list or an object.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft4Validator

from tests.environment import unavailable

SCHEMA_ENV = "MAGENTO_REST_SCHEMA"


@pytest.fixture(autouse=True)
def _schema_file() -> None:
    """Skip with the reason (fail in CI) when Adobe's schema file is not where the env points."""
    location = os.environ.get(SCHEMA_ENV)
    if not location:
        unavailable(f"{SCHEMA_ENV} is not set: point it at Adobe's admin-schema-2.4.8.json for the contract tests")
    elif not Path(location).is_file():
        unavailable(f"{SCHEMA_ENV}={location} does not exist (a clone without ../shared/reference beside it)")


def _allow_null(definitions: dict[str, Any], name: str, prop: str) -> None:
    schema = definitions[name]["properties"][prop]
    schema["type"] = [schema["type"], "null"]


@cache
def _patched() -> dict[str, Any]:
    document = json.loads(Path(os.environ[SCHEMA_ENV]).read_text(encoding="utf-8"))
    definitions = copy.deepcopy(document["definitions"])
    # patch 3: nulls from required getters; request_name is not echoed
    _allow_null(definitions, "sales-data-order-payment-interface", "account_status")
    _allow_null(definitions, "sales-data-order-payment-interface", "cc_last4")
    _allow_null(definitions, "sales-data-order-address-interface", "postcode")
    _allow_null(definitions, "asynchronous-operations-data-summary-operation-status-interface", "result_message")
    _allow_null(definitions, "asynchronous-operations-data-summary-operation-status-interface", "error_code")
    criteria = definitions["framework-search-search-criteria-interface"]
    criteria["required"] = [name for name in criteria["required"] if name != "request_name"]
    # patch 4: custom attribute values of any type
    definitions["framework-attribute-interface"]["properties"]["value"] = {}
    # patch 5: error parameters are a list or an object
    definitions["error-parameters"] = {"type": ["array", "object"]}
    paths = copy.deepcopy(document["paths"])
    # patch 2: void operations answer an empty array
    paths["/V1/inventory/source-items"]["post"]["responses"]["200"] = {"schema": {"type": "array", "maxItems": 0}}
    return {"definitions": definitions, "paths": paths}


def _validator(schema: dict[str, Any]) -> Draft4Validator:
    return Draft4Validator({**schema, "definitions": _patched()["definitions"]})


def _check_response(path: str, method: str, response: httpx.Response) -> None:
    """Validate ``response`` against the schema of ``path``/``method`` for its status code."""
    responses = _patched()["paths"][path][method]["responses"]
    entry = responses.get(str(response.status_code)) or responses["default"]
    errors = sorted(_validator(entry["schema"]).iter_errors(response.json()), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{path} {method} {list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.fixture
def check(magento: httpx.Client) -> Callable[..., httpx.Response]:
    def call(method: str, schema_path: str, url: str, **kwargs: Any) -> httpx.Response:
        response = magento.request(method.upper(), url, **kwargs)
        _check_response(schema_path, method, response)
        return response

    return call


def test_orders(check, sc) -> None:
    listing = check("get", "/V1/orders", "/rest/V1/orders").json()
    kinds = {line["product_type"] for order in listing["items"] for line in order["items"]}
    assert {"simple", "configurable", "bundle"} <= kinds  # every order shape was validated
    assert any(order["customer_is_guest"] for order in listing["items"])
    check(
        "get",
        "/V1/orders",
        "/rest/default/V1/orders",
        params=sc([("status", "processing", "eq")], page_size=5, current_page=2),
    )
    check("get", "/V1/orders/{id}", "/rest/V1/orders/1")
    check("get", "/V1/orders/{id}", "/rest/V1/orders/9999")  # 404 error body
    check("post", "/V1/orders/{id}/comments", "/rest/V1/orders/1/comments", json={"statusHistory": {"comment": "c"}})
    shipped = check("post", "/V1/order/{orderId}/ship", "/rest/V1/order/1/ship", json={})
    assert shipped.status_code == 200
    check("post", "/V1/order/{orderId}/ship", "/rest/V1/order/1/ship", json={})  # 400 error body


def test_customers_and_groups(check, sc) -> None:
    check("get", "/V1/customers/search", "/rest/V1/customers/search", params=sc(page_size=50))
    customer = check("get", "/V1/customers/{customerId}", "/rest/V1/customers/3").json()
    body = {"customer": {k: customer[k] for k in ("email", "firstname", "lastname")} | {"group_id": 4}}
    check("put", "/V1/customers/{customerId}", "/rest/V1/customers/3", json=body)
    check("get", "/V1/customers/{customerId}", "/rest/V1/customers/9999")
    check("get", "/V1/customerGroups/search", "/rest/V1/customerGroups/search")


def test_catalog_and_prices(check, sc) -> None:
    check("get", "/V1/products", "/rest/V1/products", params=sc([("type_id", "simple", "neq")]))
    check("get", "/V1/products", "/rest/all/V1/products", params=sc(page_size=20))
    check("get", "/V1/products/{sku}", "/rest/V1/products/BND-00001")
    check("put", "/V1/products/{sku}", "/rest/all/V1/products/SKU-000001", json={"product": {"name": "N"}})
    check("post", "/V1/products", "/rest/V1/products", json={"product": {"sku": "C-1", "name": "C", "price": 1}})
    check("get", "/V1/products/{sku}", "/rest/V1/products/NOPE")
    prices = {"prices": [{"sku": "SKU-000001", "price": 2, "store_id": 0}, {"sku": "GHOST", "price": 2, "store_id": 0}]}
    failures = check("post", "/V1/products/base-prices", "/rest/V1/products/base-prices", json=prices).json()
    assert len(failures) == 1
    check(
        "post",
        "/V1/products/base-prices-information",
        "/rest/V1/products/base-prices-information",
        json={"skus": ["SKU-000001"]},
    )
    tier = {
        "sku": "SKU-000001",
        "price": 1,
        "price_type": "fixed",
        "website_id": 0,
        "customer_group": "General",
        "quantity": 1,
    }
    check(
        "post",
        "/V1/products/tier-prices",
        "/rest/V1/products/tier-prices",
        json={"prices": [tier, {**tier, "sku": "X"}]},
    )
    check("put", "/V1/products/tier-prices", "/rest/V1/products/tier-prices", json={"prices": [tier]})


def test_inventory_and_bulk(check, sc, magento: httpx.Client) -> None:
    check(
        "get", "/V1/inventory/source-items", "/rest/V1/inventory/source-items", params=sc([("sku", "SKU-000001", "eq")])
    )
    item = {"sku": "SKU-000001", "source_code": "wh_east", "quantity": 3, "status": 1}
    check("post", "/V1/inventory/source-items", "/rest/V1/inventory/source-items", json={"sourceItems": [item]})
    check(
        "post",
        "/V1/inventory/source-items",
        "/rest/V1/inventory/source-items",
        json={"sourceItems": [{**item, "sku": "GHOST"}]},
    )
    accepted = magento.post("/rest/async/bulk/V1/inventory/source-items", json=[{"sourceItems": [item]}]).json()
    check("get", "/V1/bulk/{bulkUuid}/status", f"/rest/V1/bulk/{accepted['bulk_uuid']}/status")
    check("get", "/V1/bulk/{bulkUuid}/status", "/rest/V1/bulk/not-a-bulk/status")


def test_auth_error_body(check, magento: httpx.Client) -> None:
    response = magento.get("/rest/V1/orders", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    _check_response("/V1/orders", "get", response)


def test_pricing_flow_endpoints(check) -> None:
    group = {"group": {"code": "CONTRACT-2001", "tax_class_id": 3}}
    check("post", "/V1/customerGroups", "/rest/V1/customerGroups", json=group)
    check("post", "/V1/customerGroups", "/rest/V1/customerGroups", json=group)  # 400 error body
    tier = {"sku": "SKU-000001", "price": 1, "price_type": "fixed", "website_id": 0, "customer_group": "CONTRACT-2001",
            "quantity": 1}  # fmt: skip
    check("post", "/V1/products/tier-prices", "/rest/V1/products/tier-prices", json={"prices": [tier]})
    information = {"skus": ["SKU-000001"]}
    stored = check(
        "post", "/V1/products/tier-prices-information", "/rest/V1/products/tier-prices-information", json=information
    )
    assert stored.json()
    deleted = {"prices": [tier, {**tier, "sku": "GHOST"}]}
    failures = check("post", "/V1/products/tier-prices-delete", "/rest/V1/products/tier-prices-delete", json=deleted)
    assert len(failures.json()) == 1
