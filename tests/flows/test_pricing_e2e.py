"""End to end: ``netsuite_pricing_to_magento`` under ``dag.test()`` against both sandboxes.

Every seeded price level is at or below the base price, so a correct sync audits clean (a level
Magento cannot show, above the base price, has its own test in test_pricing_rules.py and is counted
in the summary).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.pricing.constants import AUDIT_FLOW, DAG_ID, FLOW
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, parsed_dag, utc_now

pytestmark = pytest.mark.airflow
SKUS = 12
LEVEL_GROUP = {"1": "General", "2": "Wholesale", "3": "Distributor", "4": "Retailer"}


@pytest.fixture(scope="module")
def pricing_dag(airflow_db: Path):
    return parsed_dag("netsuite_pricing_to_magento.py", DAG_ID)


@pytest.fixture
def env(flow_env: FlowEnv, airflow_db: Path) -> Iterator[FlowEnv]:
    dataset = flow_env.seed(SeedConfig(skus=SKUS, customers=15, orders=0, seed=5, now=utc_now() - timedelta(hours=2)))
    assert {c.customer_internal_id for c in dataset.contract_prices}, "the seed needs contract customers"
    flow_env.connect(magento={"backoff_base": 0.05, "backoff_max": 0.2}, netsuite={"backoff_base": 0.05})
    for name in ("MNS_PRICING_AUDIT_CUSTOMERS", "MNS_PRICING_AUDIT_SKUS"):
        flow_env.monkeypatch.setenv(name, "100")
    yield flow_env


_RUNS = {"n": 0}


def run(dag, mode: str = "delta") -> tuple[Any, dict[str, Any]]:
    _RUNS["n"] += 1
    logical = utc_now().replace(second=0) + timedelta(minutes=_RUNS["n"])
    dagrun = dag.test(logical_date=logical, run_conf={"mode": mode, "since": None})
    tis = {(ti.task_id, ti.map_index): ti for ti in dagrun.get_task_instances()}
    assert dagrun.state == "success", {k: t.state for k, t in tis.items()}
    return dagrun, tis["audit", -1].xcom_pull(task_ids="audit")


def tiers(sku: str) -> dict[tuple[str, float], float]:
    """Magento's tier prices of one SKU, read through the hook (the test's connection)."""
    answer = MagentoHook().price_information("tier", [sku])
    return {(t["customer_group"], float(t["quantity"])): float(t["price"]) for t in answer}


def base_price(env: FlowEnv, sku: str) -> float:
    return float(env.magento.get("state", sku=sku)["product"]["price"])


def netsuite_prices(env: FlowEnv, sku: str) -> dict[tuple[str, float], float]:
    """``(level id, break) → unit price`` as NetSuite holds them now (the RESTlet's view via the state API)."""
    rows = NetSuiteHook().suiteql(
        "SELECT p.pricelevel AS level, p.quantity AS quantity, p.unitprice AS price FROM pricing p "
        "JOIN item i ON i.id = p.item WHERE i.itemid = ?",
        [sku],
    )
    return {(str(r["level"]), float(r["quantity"])): float(r["price"]) for page in rows for r in page}


def price_writes(env: FlowEnv) -> int:
    endpoints = env.magento.get("metrics")["endpoints"]
    return sum(s["calls"] for name, s in endpoints.items() if "prices" in name and "information" not in name)


def contract_of(env: FlowEnv) -> tuple[str, str, float, str]:
    """(customer internal id, contract SKU, contract price, the customer's price level id) of the seed."""
    assert env.dataset is not None
    contract = env.dataset.contract_prices[0]
    customer = next(c for c in env.dataset.ns_customers if c.internal_id == contract.customer_internal_id)
    return str(contract.customer_internal_id), contract.sku, float(contract.unit_price), str(customer.pricelevel_id)


def open_rows(flow: str) -> list[Any]:
    return ErrorQueueStore.from_connection().open_errors(flow=flow, limit=500)


def test_levels_breaks_and_contracts_then_a_rerun_writes_nothing(pricing_dag, env: FlowEnv) -> None:
    _dagrun, summary = run(pricing_dag, "full")

    assert summary["extracted"] == SKUS and summary["loaded"] == SKUS and summary["quarantined"] == 0
    customer_id, contract_sku, contract_price, level = contract_of(env)
    theirs = {c.sku for c in env.dataset.contract_prices if str(c.customer_internal_id) == customer_id}
    other_sku = next(i.sku for i in env.dataset.items if i.sku not in theirs)
    ns = netsuite_prices(env, other_sku)
    assert base_price(env, other_sku) == ns["1", 0.0]
    magento = tiers(other_sku)
    # levels: each level's breaks for its group; break 0 ("any") is written at quantity 1
    for level_id, group in (("2", "Wholesale"), ("3", "Distributor"), ("4", "Retailer")):
        assert {q: p for (g, q), p in magento.items() if g == group} == {
            1.0: ns[level_id, 0.0],
            10.0: ns[level_id, 10.0],
            50.0: ns[level_id, 50.0],
        }
    # the Base Price level's breaks for General and NOT LOGGED IN (its quantity 0 is the product price)
    for group in ("General", "NOT LOGGED IN"):
        assert {q: p for (g, q), p in magento.items() if g == group} == {10.0: ns["1", 10.0], 50.0: ns["1", 50.0]}
    # the contract customer's own group: its level's tiers on other SKUs, the contract price alone on its SKU
    group = f"CONTRACT-{customer_id}"
    level_tiers = {q: p for (g, q), p in magento.items() if g == LEVEL_GROUP[level]}
    assert level_tiers and {q: p for (g, q), p in magento.items() if g == group} == level_tiers
    assert {q: p for (g, q), p in tiers(contract_sku).items() if g == group} == {1.0: contract_price}
    assert summary["extra"]["audit"]["mismatches"] == 0
    contract_customers = {c.customer_internal_id for c in env.dataset.contract_prices}
    assert summary["extra"]["audit"]["contract_customers"] == len(contract_customers)

    env.magento.clear()
    again = kit_run("full", "rerun")
    assert again["loaded"] == 0 and again["unchanged"] == SKUS
    assert price_writes(env) == 0


def kit_run(mode: str, run_id: str) -> dict[str, Any]:
    """One run through the same task bodies as the DAG, in order, without a scheduler (cheaper than
    ``dag.test()``; the DAG itself is exercised by the test above)."""
    from magento_netsuite.flows.pricing.flow import audit
    from magento_netsuite.pipeline import tasks as kit
    from magento_netsuite.pipeline.outcomes import RunContext

    ctx = RunContext(run_id=run_id, dag_id=DAG_ID, task_id="kit")
    extracted = kit.extract(FLOW, {"mode": mode}, ctx)
    transformed = kit.transform(FLOW, extracted, ctx)
    loaded = [kit.load(FLOW, chunk, transformed["extracted_uri"], ctx) for chunk in transformed["chunks"]]
    kit.quarantine(FLOW, transformed, loaded, ctx)
    return audit(kit.summarize(FLOW, extracted, transformed, loaded, ctx), ctx)


def test_netsuite_changes_reach_magento_and_removed_prices_go(env: FlowEnv) -> None:
    kit_run("full", "full-1")
    customer_id, _sku, _price, _level = contract_of(env)
    theirs = {c.sku for c in env.dataset.contract_prices if str(c.customer_internal_id) == customer_id}
    changed, removed, new_contract = [i.sku for i in env.dataset.items if i.sku not in theirs][:3]
    ns_changed = netsuite_prices(env, changed)
    assert ("Distributor", 50.0) in tiers(removed)
    contract_price = round(netsuite_prices(env, new_contract)["1", 0.0] * 0.5, 2)
    env.netsuite.post(
        "pricing",
        [
            {"sku": changed, "price_level_id": 2, "quantity": 10, "unit_price": f"{ns_changed['2', 10.0] - 1:.2f}"},
            {"sku": removed, "price_level_id": 3, "quantity": 50, "remove": True},
            {"sku": new_contract, "customer_id": int(customer_id), "unit_price": f"{contract_price:.2f}"},
        ],
    )

    summary = kit_run("delta", "delta-1")

    assert summary["loaded"] == 3, summary
    assert summary["extracted"] == summary["loaded"] + summary["unchanged"] + summary["quarantined"]
    assert tiers(changed)["Wholesale", 10.0] == round(ns_changed["2", 10.0] - 1, 2)
    assert ("Distributor", 50.0) not in tiers(removed)  # NetSuite dropped the break: Magento drops it
    assert ("Distributor", 1.0) in tiers(removed)
    group = f"CONTRACT-{customer_id}"
    assert {q: p for (g, q), p in tiers(new_contract).items() if g == group} == {1.0: contract_price}
    assert summary["extra"]["audit"]["mismatches"] == 0


def test_a_sku_magento_rejects_is_quarantined_alone(env: FlowEnv) -> None:
    kit_run("full", "full-2")
    rejected, accepted = env.dataset.items[0].sku, env.dataset.items[1].sku
    env.magento.fault(kind="record", key=rejected, message="Product %sku is locked", count=10)
    env.netsuite.post(
        "pricing",
        [
            {
                "sku": sku,
                "price_level_id": 2,
                "quantity": 0,
                "unit_price": f"{netsuite_prices(env, sku)['2', 0.0] - 1:.2f}",
            }
            for sku in (rejected, accepted)
        ],
    )

    summary = kit_run("delta", "delta-2")

    assert summary["quarantined"] == 1 and summary["loaded"] == 1
    (row,) = open_rows(FLOW)
    assert row.record_key == rejected and "Product" in row.message and "locked" in row.message
    assert tiers(accepted)["Wholesale", 1.0] == netsuite_prices(env, accepted)["2", 0.0]


def test_parity_audit_finds_a_price_changed_behind_our_back_and_retry_repairs_it(env: FlowEnv) -> None:
    from magento_netsuite.errorqueue.replay import replay

    assert kit_run("full", "full-3")["extra"]["audit"]["mismatches"] == 0
    contract_customers = {c.customer_internal_id for c in env.dataset.contract_prices}
    level = next(str(c.pricelevel_id) for c in env.dataset.ns_customers if c.internal_id not in contract_customers)
    sku = env.dataset.items[2].sku
    right = tiers(sku)[LEVEL_GROUP[level], 10.0]
    tier = {"sku": sku, "price_type": "fixed", "website_id": 0, "customer_group": LEVEL_GROUP[level], "quantity": 10}
    assert MagentoHook().save_tier_prices([{**tier, "price": round(right / 2, 2)}]) == []

    audit = kit_run("delta", "delta-3")["extra"]["audit"]

    assert audit["mismatches"] >= 1 and audit["by_cause"] == {"magento_differs": audit["mismatches"]}
    rows = open_rows(AUDIT_FLOW)
    assert len(rows) == audit["mismatches"]
    row = next(r for r in rows if r.payload["quantity"] == 10)
    assert row.payload["sku"] == sku and row.payload["magento_price"] == round(right / 2, 2)
    assert "Retry re-pushes" in (row.fix_hint or "")
    assert row.payload["netsuite_price"] == right and row.record_key.startswith(f"{row.payload['customer_id']}|{sku}|")

    result = replay(ErrorQueueStore.from_connection(), run_id="replay-parity", flow=AUDIT_FLOW)

    assert result.loaded == len(rows) and result.requeued == 0
    assert tiers(sku)[LEVEL_GROUP[level], 10.0] == right
    assert open_rows(AUDIT_FLOW) == []
