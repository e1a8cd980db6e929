"""End to end: the registration handoff and NetSuite's customer master back to Magento, on both sandboxes.

Runs the kit's task bodies in-process (the DAGs are parsed in test_dag_integrity); the kit's clock is
moved instead of slept for.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.customer_master.constants import FLOW as MASTER
from magento_netsuite.flows.customer_registration.constants import FLOW as REGISTRATION
from magento_netsuite.flows.orders.constants import FLOW as ORDERS
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, KitClock, utc_now
from tests.flows.customers_support import attribute, edit_magento, edit_netsuite, magento_customer, run_flow

CLEAN = {"unknown_sku_share": 0.0, "unknown_customer_share": 0.0, "missing_postcode_share": 0.0, "guest_share": 0.0}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> KitClock:
    return KitClock(monkeypatch, utc_now())


def register(env: FlowEnv, customer_id: int, email: str, **extra: Any) -> dict[str, Any]:
    """A buyer registers on the storefront (the account as Magento creates it)."""
    body = {
        "id": customer_id,
        "email": email,
        "firstname": "Reg",
        "lastname": "Istered",
        "store_id": 1,
        "website_id": 1,
        "extension_attributes": {"is_subscribed": True},
        "custom_attributes": [{"attribute_code": "email_preferences", "value": "weekly"}],
        **extra,
    }
    return env.magento.post("customers", body)[0]


def test_registration_creates_one_netsuite_customer_and_writes_its_id_back(flow_env: FlowEnv, clock: KitClock) -> None:
    flow_env.seed(SeedConfig(skus=5, customers=3, orders=0, seed=5, now=utc_now() - timedelta(days=3), **CLEAN))
    register(flow_env, 501, "  New.Buyer@Example.TEST ")
    register(
        flow_env, 502, "buyer@acme.test", custom_attributes=[{"attribute_code": "company_name", "value": "Acme Ltd"}]
    )
    clock.now = utc_now() + timedelta(minutes=2)
    customers_before = flow_env.netsuite.get("state")["counts"]["customers"]

    first = run_flow(REGISTRATION, "reg-1")

    assert first["quarantined"] == 0, first
    assert flow_env.netsuite.get("state")["counts"]["customers"] == customers_before + 2
    person = flow_env.netsuite_record("customer", "MAG-CUST-501")
    company = flow_env.netsuite_record("customer", "MAG-CUST-502")
    assert (person["email"], person["isPerson"], person["subsidiary"]) == ("new.buyer@example.test", True, {"id": "1"})
    assert (company["companyName"], company["isPerson"]) == ("Acme Ltd", False)
    assert attribute(magento_customer(flow_env, 501), "netsuite_customer_id") == person["id"]
    assert attribute(magento_customer(flow_env, 502), "netsuite_customer_id") == company["id"]
    buyer = magento_customer(flow_env, 501)  # what the buyer owns is as they left it
    assert buyer["email"] == "  New.Buyer@Example.TEST " and buyer["extension_attributes"]["is_subscribed"] is True
    assert attribute(buyer, "email_preferences") == "weekly"
    # the write-back changed the accounts: the next run reads them again and creates nothing
    clock.now += timedelta(minutes=5)
    second = run_flow(REGISTRATION, "reg-2")
    assert flow_env.netsuite.get("state")["counts"]["customers"] == customers_before + 2
    assert second["loaded"] == 0 and second["quarantined"] == 0, second


def test_a_registration_racing_an_order_creates_one_customer(flow_env: FlowEnv, clock: KitClock) -> None:
    config = {**CLEAN, "unknown_customer_share": 0.5}
    dataset = flow_env.seed(SeedConfig(skus=20, customers=6, orders=6, seed=8, now=utc_now(), **config))
    unknown = dataset.mismatches["unknown_customers"]
    assert unknown, "the seed must leave some Magento customers out of NetSuite"
    customers_before = flow_env.netsuite.get("state")["counts"]["customers"]
    clock.now = utc_now() + timedelta(minutes=3)
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def run(flow: str) -> None:
        barrier.wait(timeout=30)
        results[flow] = run_flow(flow, f"race-{flow}", {"mode": "full"})

    threads = [threading.Thread(target=run, args=(flow,)) for flow in (REGISTRATION, ORDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert set(results) == {REGISTRATION, ORDERS}, results
    assert results[REGISTRATION]["quarantined"] == 0, results[REGISTRATION]
    created = results[REGISTRATION]["extra"]["customers"]["customers_created"]
    assert created + results[ORDERS]["extra"]["customers_created"] == len(unknown), results
    assert flow_env.netsuite.get("state")["counts"]["customers"] == customers_before + len(unknown)
    hook = NetSuiteHook()
    for customer_id in unknown:
        record = flow_env.netsuite_record("customer", f"MAG-CUST-{customer_id}")
        assert record is not None
        assert attribute(magento_customer(flow_env, customer_id), "netsuite_customer_id") == record["id"]
        email = magento_customer(flow_env, customer_id)["email"]
        same_email = [
            r for page in hook.suiteql("SELECT id FROM customer WHERE LOWER(email) = ?", [email]) for r in page
        ]
        assert [r["id"] for r in same_email] == [record["id"]]
    for key in dataset.mismatches["unknown_customer_orders"]:
        order = flow_env.netsuite_record("salesOrder", key)
        assert order is not None, f"order {key} did not sync"
        buyer = next(o for o in dataset.orders if o["increment_id"] == key)["customer_id"]
        assert order["entity"]["id"] == flow_env.netsuite_record("customer", f"MAG-CUST-{buyer}")["id"]


def test_netsuite_master_data_reaches_magento_and_magento_owned_fields_survive(
    flow_env: FlowEnv, clock: KitClock
) -> None:
    dataset = flow_env.seed(
        SeedConfig(skus=5, customers=4, orders=0, seed=21, now=utc_now() - timedelta(hours=2), **CLEAN)
    )
    contract = {str(p.customer_internal_id) for p in dataset.contract_prices}
    assert contract and len(contract) < 4, "the seed must give some customers contract prices, not all"
    plain = next(c for c in dataset.ns_customers if str(c.internal_id) not in contract)
    clock.now = utc_now()
    first = run_flow(MASTER, "master-1", {"mode": "full"})  # the first sync of the seeded accounts
    assert first["loaded"] == 4 - len(contract), first
    # both systems edit: NetSuite its master data (and its copy of the e-mail), Magento what the buyer owns
    edit_netsuite(
        str(plain.internal_id),
        {"creditLimit": 12345.5, "terms": {"id": "3"}, "priceLevel": {"id": "3"}, "email": "ns-copy@example.test"},
    )
    edit_magento(
        flow_env,
        plain.magento_id,
        email="changed.by.buyer@example.test",
        extension_attributes={"is_subscribed": False},
        attributes={"email_preferences": "never"},
    )
    clock.now = utc_now() + timedelta(minutes=3)

    summary = run_flow(MASTER, "master-2")

    assert summary["loaded"] == 1, summary
    account = magento_customer(flow_env, plain.magento_id)
    assert attribute(account, "ns_credit_limit") in (12345.5, "12345.5")
    assert attribute(account, "ns_payment_terms") == "Net 60"
    assert account["group_id"] == 4  # price level 3 (Distributor) -> customer group 4
    assert attribute(account, "netsuite_customer_id") == str(plain.internal_id)
    assert account["email"] == "changed.by.buyer@example.test"
    assert account["extension_attributes"]["is_subscribed"] is False
    assert attribute(account, "email_preferences") == "never"
    # a customer with contract prices belongs in CONTRACT-<id>; until the pricing flow made it: queued
    for customer_id in contract:
        row = next(r for r in flow_env_errors() if r["record_key"] == f"MAG-CUST-{int(customer_id) - 2000}")
        assert f"CONTRACT-{customer_id} does not exist" in row["message"] and row["field_path"] == "group_id"


def flow_env_errors() -> list[dict[str, Any]]:
    from magento_netsuite.errorqueue.store import ErrorQueueStore

    return [vars(r) for r in ErrorQueueStore.from_connection().open_errors(flow=MASTER, limit=100)]


def test_a_registration_quarantined_for_a_shared_email_retries_in_one_step_once_fixed(
    flow_env: FlowEnv, clock: KitClock
) -> None:
    from magento_netsuite.errorqueue.replay import replay
    from magento_netsuite.errorqueue.store import ErrorQueueStore

    flow_env.seed(SeedConfig(skus=5, customers=2, orders=0, seed=5, now=utc_now() - timedelta(days=3), **CLEAN))
    flow_env.netsuite.post(
        "records/customer",
        [
            {"id": "940001", "email": "twin@example.test", "companyName": "Twin A", "subsidiary": {"id": "1"}},
            {"id": "940002", "email": " TWIN@example.test", "companyName": "Twin B", "subsidiary": {"id": "1"}},
        ],
    )
    register(flow_env, 601, "twin@example.test")
    clock.now = utc_now() + timedelta(minutes=2)
    assert run_flow(REGISTRATION, "reg-1")["quarantined"] == 1
    store = ErrorQueueStore.from_connection()
    [row] = store.open_errors(flow=REGISTRATION)
    assert (row.record_key, row.error_class, row.field_path) == ("601", "conflict", "email")
    assert "940001" in row.message and "940002" in row.message
    customers_before = flow_env.netsuite.get("state")["counts"]["customers"]
    edit_netsuite("940002", {"externalId": "MAG-CUST-601"})  # the fix the message asks for

    summary = replay(store, run_id="replay-1", flow=REGISTRATION)

    assert summary.loaded == 1 and summary.requeued == 0, summary
    assert store.open_errors(flow=REGISTRATION) == []
    assert attribute(magento_customer(flow_env, 601), "netsuite_customer_id") == "940002"
    assert flow_env.netsuite.get("state")["counts"]["customers"] == customers_before


def test_the_group_rule_contract_prices_win_over_the_price_level() -> None:
    from magento_netsuite.flows.customer_master.groups import GroupChoice, choose_group

    assert choose_group("2044", 4, has_contract_prices=True) == GroupChoice(contract_code="CONTRACT-2044")
    assert choose_group("2044", 4, has_contract_prices=False) == GroupChoice(group_id=4)
    assert choose_group("2044", None, has_contract_prices=False) == GroupChoice()
