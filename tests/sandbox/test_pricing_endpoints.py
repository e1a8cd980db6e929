"""The sandbox endpoints the pricing flow uses beyond the catalogue basics: Magento tier-price deletes
and customer group creation (shapes checked against the 2.4.8 schema in test_magento_contract.py),
NetSuite's pricing RESTlet deltas (contract prices live on the customer record) and row removal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import requests

from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.netsuite.app import create_app
from magento_netsuite.sandbox.netsuite.testing import tba_auth

RESTLET = "/app/site/hosting/restlet.nl"
PRICING = {"script": "customscript_mns_pricing", "deploy": "customdeploy_mns_pricing"}
TIER = {"sku": "SKU-000004", "price": 9.5, "price_type": "fixed", "website_id": 0, "customer_group": "Wholesale",
        "quantity": 10}  # fmt: skip


def tiers(magento: httpx.Client, sku: str) -> list[tuple[str, float, float]]:
    rows = magento.post("/rest/V1/products/tier-prices-information", json={"skus": [sku]}).json()
    return sorted((t["customer_group"], t["quantity"], t["price"]) for t in rows)


def test_tier_price_delete_matches_group_quantity_and_price(magento: httpx.Client) -> None:
    assert magento.post("/rest/V1/products/tier-prices", json={"prices": [TIER, {**TIER, "quantity": 50}]}).json() == []
    # a row whose price differs deletes nothing (Magento matches the value too) and is no failure
    assert magento.post("/rest/V1/products/tier-prices-delete", json={"prices": [{**TIER, "price": 9.4}]}).json() == []
    assert len(tiers(magento, "SKU-000004")) == 2
    assert magento.post("/rest/V1/products/tier-prices-delete", json={"prices": [TIER]}).json() == []
    assert tiers(magento, "SKU-000004") == [("Wholesale", 50, 9.5)]
    failures = magento.post(
        "/rest/V1/products/tier-prices-delete", json={"prices": [{**TIER, "sku": "GHOST"}, {**TIER, "quantity": 0}]}
    ).json()
    assert [f["message"].split(".")[0] for f in failures] == [
        "Requested product doesn't exist",
        "Invalid attribute Quantity = %qty",
    ]


def test_customer_group_create_is_unique_by_code(magento: httpx.Client) -> None:
    created = magento.post("/rest/V1/customerGroups", json={"group": {"code": "CONTRACT-2001", "tax_class_id": 3}})
    assert created.status_code == 200 and created.json()["code"] == "CONTRACT-2001"
    again = magento.post("/rest/V1/customerGroups", json={"group": {"code": "contract-2001", "tax_class_id": 3}})
    assert again.status_code == 400 and again.json()["message"] == "Customer Group already exists."
    long_code = magento.post("/rest/V1/customerGroups", json={"group": {"code": "C" * 33, "tax_class_id": 3}})
    assert long_code.status_code == 400
    tier = {**TIER, "customer_group": "CONTRACT-2001", "quantity": 1}
    assert magento.post("/rest/V1/products/tier-prices", json={"prices": [tier]}).json() == []


@pytest.fixture(scope="module")
def netsuite() -> Iterator[str]:
    with SandboxServer(create_app(generate(SeedConfig(skus=10, customers=30, orders=0, seed=5)))) as running:
        yield running.url


def restlet(base: str, **params: Any) -> dict[str, Any]:
    response = requests.get(base + RESTLET, params={**PRICING, **params}, auth=tba_auth(), timeout=20)
    response.raise_for_status()
    return response.json()


def test_pricing_restlet_removal_and_contract_customer_level(netsuite: str) -> None:
    everything = restlet(netsuite, limit=10000)
    contract = everything["contract_prices"][0]
    assert contract["customer_price_level_id"] in {"1", "2", "3", "4"}
    since = (datetime.now(UTC) - timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    removal = [{"sku": "SKU-000003", "price_level_id": 3, "quantity": 50, "remove": True}]
    assert requests.post(f"{netsuite}/_sandbox/pricing", json=removal, timeout=10).json() == {"changed": 1}
    delta = restlet(netsuite, since=since)
    assert {r["sku"] for r in delta["rows"]} == {"SKU-000003"}
    assert ("3", 50) not in {(r["price_level_id"], r["quantity"]) for r in delta["rows"]}
    assert len(delta["rows"]) == 11
    # editing a contract customer (its item pricing sublist) puts its contract items in the delta
    since = (datetime.now(UTC) - timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    customer = contract["customer_id"]
    patched = requests.patch(
        f"{netsuite}/services/rest/record/v1/customer/{customer}",
        json={"phone": "555-0100"},
        auth=tba_auth(),
        timeout=10,
    )
    assert patched.status_code == 204, patched.text
    theirs = {c["sku"] for c in everything["contract_prices"] if c["customer_id"] == customer}
    edited = {r["sku"] for r in restlet(netsuite, since=since)["rows"]}
    assert theirs <= edited <= theirs | {"SKU-000003"}  # the removal above may share the second
