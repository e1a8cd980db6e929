"""End to end: ``netsuite_products_to_magento`` under ``dag.test()`` against both sandboxes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.products.constants import DAG_ID, FLOW
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.governance.paths import get_path
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, parsed_dag, utc_now

pytestmark = pytest.mark.airflow
SKUS = 12


@pytest.fixture(scope="module")
def products_dag(airflow_db: Path):
    dag = parsed_dag("netsuite_products_to_magento.py", DAG_ID)
    for task in dag.tasks:
        task.retries = 0  # a failure shows at once instead of after the minute-long retry delays
    return dag


@pytest.fixture
def env(flow_env: FlowEnv, airflow_db: Path) -> FlowEnv:
    flow_env.seed(SeedConfig(skus=SKUS, customers=1, orders=0, seed=15, now=utc_now() - timedelta(hours=2)))
    flow_env.connect(magento={"backoff_base": 0.05, "backoff_max": 0.2}, netsuite={"backoff_base": 0.05})
    # changes made by the test are read at once (no commit-lag allowance against the sandbox)
    flow_env.monkeypatch.setenv(f"MNS_{FLOW.upper()}_SAFE_LAG_SECONDS", "0")
    flow_env.magento.post("config", {"bulk_delay_ms": 0})
    return flow_env


_RUNS = {"n": 0}


def run(dag, mode: str = "delta") -> dict[str, Any]:
    _RUNS["n"] += 1
    dagrun = dag.test(logical_date=utc_now() + timedelta(minutes=_RUNS["n"]), run_conf={"mode": mode, "since": None})
    tis = {ti.task_id: ti for ti in dagrun.get_task_instances()}
    assert dagrun.state == "success", {k: t.state for k, t in tis.items()}
    return tis["summarize"].xcom_pull(task_ids="summarize")


def product(env: FlowEnv, sku: str) -> dict[str, Any] | None:
    return env.magento.get("state", sku=sku)["product"]


def attributes(body: dict[str, Any]) -> dict[str, Any]:
    return {a["attribute_code"]: a["value"] for a in body.get("custom_attributes") or []}


def product_writes(env: FlowEnv) -> int:
    """Calls that write a product (sync or bulk), add an option or link a child."""
    endpoints = env.magento.get("metrics")["endpoints"]
    return sum(
        s["calls"]
        for name, s in endpoints.items()
        if ("products" in name and name.split()[0] in ("POST", "PUT")) or "configurable-products" in name
    )


def magento_owned(env: FlowEnv, skus: list[str]) -> dict[str, dict[str, Any]]:
    """Every Magento-owned attribute (the mapping's ``owner: magento`` fields) of each product."""
    specs = [f for f in load_mapping_document().entity("product").fields if f.owner == "magento"]
    assert {s.name for s in specs} >= {"description", "images", "url_key", "meta_title", "meta_description"}
    return {sku: {s.name: get_path(product(env, sku), s.magento) for s in specs} for sku in skus}


def new_item(sku: str, **fields: Any) -> dict[str, Any]:
    return {"sku": sku, "displayname": f"Item {sku}", "cost": 4.25, "weight": 1.5, "vendorname": "Acme",
            "upccode": "0123456789012", **fields}  # fmt: skip


def test_new_simple_item_is_created_disabled_and_a_rerun_writes_nothing(products_dag, env: FlowEnv) -> None:
    env.netsuite.post("items", [new_item("NEW-0001")])

    summary = run(products_dag)  # no cursor yet: the whole catalogue; seeded products gain cost, vendor, UPC

    assert summary["extracted"] == SKUS + 1 and summary["quarantined"] == 0
    assert summary["extra"]["to_create"] == 1
    created = product(env, "NEW-0001")
    assert created is not None and created["type_id"] == "simple"
    assert (created["name"], created["status"], created["attribute_set_id"]) == ("Item NEW-0001", 2, 4)
    assert created["extension_attributes"]["website_ids"] == [1]
    assert created["weight"] == pytest.approx(1.5)
    values = attributes(created)
    assert (values["cost"], values["ns_vendor"], values["upc"]) == (pytest.approx(4.25), "Acme", "0123456789012")

    env.magento.clear()
    again = run(products_dag, "full")  # compares every item with Magento
    assert (again["extracted"], again["unchanged"], again["loaded"]) == (SKUS + 1, SKUS + 1, 0), again
    assert product_writes(env) == 0, env.magento.get("metrics")["endpoints"]


def test_matrix_parent_and_children_become_a_configurable(products_dag, env: FlowEnv) -> None:
    env.netsuite.post("items", [new_item("TEE-100", displayname="Crew tee", matrixtype="PARENT")])
    children = {"TEE-100-RED-M": ("Red", "M"), "TEE-100-BLU-M": ("Blue", "M"), "TEE-100-GRN-L": ("Green", "L")}
    env.netsuite.post(
        "items",
        [
            new_item(
                sku,
                displayname=f"Crew tee {c} {s}",
                matrixtype="CHILD",
                parent="TEE-100",
                custitem_color=c,
                custitem_size=s,
            )
            for sku, (c, s) in children.items()
        ],
    )

    summary = run(products_dag)

    assert summary["loaded"] >= 4 and summary["quarantined"] == 0, summary
    parent = product(env, "TEE-100")
    assert parent is not None and parent["type_id"] == "configurable"
    kids = {sku: product(env, sku) for sku in children}
    ext = parent["extension_attributes"]
    assert sorted(ext["configurable_product_links"]) == sorted(k["id"] for k in kids.values())
    options = {o["attribute_id"]: {v["value_index"] for v in o["values"]} for o in ext["configurable_product_options"]}
    assert set(options) == {"93", "144"}  # color and size
    for sku, body in kids.items():
        assert body["visibility"] == 1 and body["type_id"] == "simple"
        values = attributes(body)
        assert int(values["color"]) in options["93"] and int(values["size"]) in options["144"], sku
    assert attributes(kids["TEE-100-GRN-L"])["color"] not in {attributes(kids[s])["color"] for s in children if
                                                               "GRN" not in s}  # fmt: skip

    env.netsuite.post(
        "items", [new_item("TEE-100-RED-L", matrixtype="CHILD", parent="TEE-100", custitem_color="Red",
                           custitem_size="L")])  # fmt: skip
    summary = run(products_dag)
    assert summary["loaded"] == 1
    assert product(env, "TEE-100-RED-L")["id"] in product(env, "TEE-100")["extension_attributes"][
        "configurable_product_links"]  # fmt: skip


def test_netsuite_change_reaches_magento_and_content_is_never_touched(products_dag, env: FlowEnv) -> None:
    assert env.dataset is not None
    skus = [i.sku for i in env.dataset.items]
    before = magento_owned(env, skus)
    names = {sku: product(env, sku)["name"] for sku in skus}
    target = skus[0]
    env.netsuite.post("items", [{"sku": target, "cost": 99.5, "weight": 7.25, "displayname": "ERP rename"}])

    run(products_dag)  # delta (no cursor yet: every item, the changed one included)

    changed = product(env, target)
    assert (attributes(changed)["cost"], changed["weight"]) == (pytest.approx(99.5), pytest.approx(7.25))
    assert changed["name"] == names[target], "storefront_name_owner magento: NetSuite's rename stays in NetSuite"
    assert magento_owned(env, skus) == before
    env.netsuite.post("items", [{"sku": skus[1], "weight": 0.5}])
    assert run(products_dag, "full")["loaded"] == 1
    assert magento_owned(env, skus) == before
    assert {sku: product(env, sku)["name"] for sku in skus} == names


def test_inactivated_item_is_disabled_not_deleted(products_dag, env: FlowEnv) -> None:
    assert env.dataset is not None
    sku = next(i.sku for i in env.dataset.items if not i.isinactive)
    assert product(env, sku)["status"] == 1
    env.netsuite.post("items", [{"sku": sku, "isinactive": True}])

    run(products_dag)

    body = product(env, sku)
    assert body is not None and body["status"] == 2
    env.netsuite.post("items", [{"sku": sku, "isinactive": False}])
    again = run(products_dag)
    assert again["loaded"] == 0 and again["unchanged"] >= 1, "enabled_owner magento: re-enabling is merchandising's"
    assert product(env, sku)["status"] == 2


@pytest.mark.parametrize("load_mode", ["sync", "async"])
def test_rejected_product_is_quarantined_alone_and_replays(products_dag, env: FlowEnv, load_mode: str) -> None:
    env.monkeypatch.setenv("MNS_PRODUCTS_LOAD_MODE", load_mode)  # async: the bulk API, one operation per product
    env.netsuite.post("items", [new_item("NEW-0002"), new_item("NEW-0003")])
    env.magento.fault(kind="record", key="NEW-0003", message='The value of attribute "upc" must be unique', field="upc")

    summary = run(products_dag)

    assert summary["quarantined"] == 1 and summary["extra"]["to_create"] == 2
    assert product(env, "NEW-0002") is not None and product(env, "NEW-0003") is None
    assert (env.magento.calls("async/bulk") > 0) == (load_mode == "async")
    (row,) = ErrorQueueStore.from_connection().open_errors(flow=FLOW)
    assert row.record_key == "NEW-0003" and row.field_path == "upc"
    assert "must be unique" in row.message and row.payload["itemId"] == "NEW-0003"

    env.magento.clear()
    from magento_netsuite.errorqueue.replay import replay

    result = replay(ErrorQueueStore.from_connection(), ids=[row.id], by="test", run_id="manual__replay")
    assert (result.loaded, result.requeued) == (1, 0), result
    assert product(env, "NEW-0003") is not None
    assert ErrorQueueStore.from_connection().count(flow=FLOW) == 0


def test_stock_queued_for_an_unknown_sku_resolves_once_the_product_exists(products_dag, env: FlowEnv) -> None:
    from magento_netsuite.errorqueue.replay import replay
    from magento_netsuite.flows.inventory.constants import DAG_ID as INVENTORY_DAG_ID
    from magento_netsuite.flows.inventory.constants import FLOW as INVENTORY_FLOW

    inventory = parsed_dag("netsuite_inventory_to_magento.py", INVENTORY_DAG_ID)
    inventory.deadline = None  # see tests/flows/test_inventory_e2e.py: dag.test() can't look deadlines up
    env.monkeypatch.setenv("MNS_INVENTORY_UNMATCHED_ALERT_SHARE", "0.5")  # 2 of 14 SKUs unknown is the point here
    stock = [{"location_id": "1", "on_hand": 9, "committed": 0}]
    env.netsuite.post("items", [new_item("NEW-0004", inventory=stock), new_item("NEW-0005", inventory=stock)])
    store = ErrorQueueStore.from_connection()

    dagrun = inventory.test(logical_date=utc_now(), run_conf={"mode": "delta", "since": None})
    assert dagrun.state == "success"
    queued = {r.record_key: r for r in store.open_errors(flow=INVENTORY_FLOW)}
    assert set(queued) == {"NEW-0004@wh_east", "NEW-0005@wh_east"}
    assert {r.error_class for r in queued.values()} == {"reference"}

    run(products_dag)  # creates both products

    result = replay(store, ids=[queued["NEW-0005@wh_east"].id], by="test", run_id="manual__inventory_replay")
    assert (result.loaded, result.requeued) == (1, 0), result
    dagrun = inventory.test(logical_date=utc_now() + timedelta(minutes=30), run_conf={"mode": "delta", "since": None})
    assert dagrun.state == "success"
    assert store.count(flow=INVENTORY_FLOW) == 0, "the next inventory run read the queued row again and synced it"
    items = {(r["sku"], r["source_code"]): r for r in env.magento.get("source-items")["items"]}
    assert items["NEW-0004", "wh_east"]["quantity"] == 9 and items["NEW-0005", "wh_east"]["quantity"] == 9
