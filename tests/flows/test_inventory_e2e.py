"""End to end: ``netsuite_inventory_to_magento`` under ``dag.test()`` against both sandboxes."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from magento_netsuite.flows.inventory.constants import DAG_ID, FLOW
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.alerts.receiver import SlackReceiver
from tests.flows.conftest import FlowEnv, parsed_dag, utc_now

pytestmark = pytest.mark.airflow
SOURCES = {"1": "wh_east", "2": "wh_west", "3": "wh_central"}
SKUS = 200


@pytest.fixture(scope="module")
def inventory_dag(airflow_db: Path):
    dag = parsed_dag("netsuite_inventory_to_magento.py", DAG_ID)
    # dag.test() in 3.3.2 looks the DAG's deadline alerts up by id, which only a serialized DAG (the
    # scheduler's) has; the alert itself is asserted in test_freshness_deadline_is_twice_the_schedule
    dag.deadline = None
    return dag


def test_freshness_deadline_is_twice_the_schedule(airflow_db: Path) -> None:
    dag = parsed_dag("netsuite_inventory_to_magento.py", DAG_ID)
    (alert,) = dag.deadline if isinstance(dag.deadline, list) else [dag.deadline]
    assert alert.interval == timedelta(minutes=30)
    assert dag.max_active_runs == 1
    assert dag.timetable.expression == "*/15 * * * *"


@pytest.fixture
def env(flow_env: FlowEnv, airflow_db: Path) -> FlowEnv:
    flow_env.seed(SeedConfig(skus=SKUS, customers=1, orders=0, seed=11, now=utc_now() - timedelta(hours=2)))
    flow_env.connect(magento={"backoff_base": 0.05, "backoff_max": 0.2}, netsuite={"backoff_base": 0.05})
    return flow_env


@pytest.fixture
def slack(env: FlowEnv) -> Iterator[SlackReceiver]:
    receiver = SlackReceiver()
    env.monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps({"conn_type": "slackwebhook", "password": f"{receiver.url}/services/T0TEST/B0TEST/inv"}),
    )
    yield receiver
    receiver.stop()


_RUNS = {"n": 0}


def run(dag, mode: str = "delta"):
    _RUNS["n"] += 1
    logical = utc_now().replace(second=0) + timedelta(minutes=_RUNS["n"])
    dagrun = dag.test(logical_date=logical, run_conf={"mode": mode, "since": None})
    tis = {(ti.task_id, ti.map_index): ti for ti in dagrun.get_task_instances()}
    return dagrun, tis


def summary_of(tis) -> dict[str, Any]:
    return tis["summarize", -1].xcom_pull(task_ids="summarize")


def netsuite_available(env: FlowEnv) -> dict[tuple[str, str], float]:
    assert env.dataset is not None
    return {
        (i.sku, SOURCES[str(lvl.location_id)]): float(lvl.available) for i in env.dataset.items for lvl in i.inventory
    }


def magento_items(env: FlowEnv) -> dict[tuple[str, str], dict]:
    rows = env.magento.get("source-items")
    rows = rows.get("items", rows) if isinstance(rows, dict) else rows
    return {(r["sku"], r["source_code"]): r for r in rows}


def source_item_posts(env: FlowEnv) -> int:
    endpoints = env.magento.get("metrics")["endpoints"]
    return sum(s["calls"] for name, s in endpoints.items() if "source-items" in name and "POST" in name)


def test_full_sync_maps_locations_and_matches_netsuite(inventory_dag, env: FlowEnv) -> None:
    dagrun, tis = run(inventory_dag, "full")
    assert dagrun.state == "success", {k: t.state for k, t in tis.items()}
    summary = summary_of(tis)
    expected = netsuite_available(env)
    assert summary["extracted"] == len(expected) == SKUS * 3
    assert summary["loaded"] == len(expected) and summary["quarantined"] == 0
    magento = magento_items(env)
    for (sku, source), available in expected.items():
        row = magento[sku, source]  # location 1 → wh_east, 2 → wh_west, 3 → wh_central
        assert row["quantity"] == max(0.0, available)
        assert row["status"] == (1 if available > 0 else 0)
    # one cursor stream per mapped location (value map: 5, the seed stocks 3), each one page here
    assert env.netsuite.calls("restlet") == 5, env.netsuite.get("metrics")


def test_delta_after_one_percent_change_pushes_exactly_those(inventory_dag, env: FlowEnv) -> None:
    assert run(inventory_dag, "full")[0].state == "success"
    assert env.dataset is not None
    changed = random.Random(3).sample([i.sku for i in env.dataset.items], SKUS // 100)
    env.netsuite.post("inventory", [{"sku": s, "location_id": "2", "on_hand": 500, "committed": 7} for s in changed])
    env.magento.clear()

    dagrun, tis = run(inventory_dag)

    assert dagrun.state == "success"
    summary = summary_of(tis)
    assert summary["extra"]["mode"] == "delta"
    assert summary["loaded"] == len(changed)
    assert summary["extracted"] == summary["loaded"] + summary["unchanged"] + summary["quarantined"]
    magento = magento_items(env)
    assert all(magento[s, "wh_west"]["quantity"] == 493 for s in changed)
    assert source_item_posts(env) == 1

    env.magento.clear()
    quiet = summary_of(run(inventory_dag)[1])
    assert quiet["loaded"] == 0
    assert source_item_posts(env) == 0


def test_unknown_sku_and_negative_quantity_are_quarantined(inventory_dag, env: FlowEnv) -> None:
    env.netsuite.post(
        "items", [{"sku": "NS-ONLY-1", "inventory": [{"location_id": "1", "on_hand": 9, "committed": 0}]}]
    )
    assert env.dataset is not None
    negative = env.dataset.items[0].sku
    env.netsuite.post("inventory", [{"sku": negative, "location_id": "3", "on_hand": 1, "committed": 4}])

    dagrun, tis = run(inventory_dag, "full")

    assert dagrun.state == "success"
    summary = summary_of(tis)
    assert summary["quarantined"] == 2
    assert summary["extra"]["unknown_skus"] == ["NS-ONLY-1"]
    from magento_netsuite.errorqueue.store import ErrorQueueStore

    rows = {r.record_key: r for r in ErrorQueueStore.from_connection().open_errors(flow=FLOW)}
    assert rows["NS-ONLY-1@wh_east"].error_class == "reference"
    assert rows[f"{negative}@wh_central"].error_class == "validation"
    assert rows[f"{negative}@wh_central"].field_path == "available"
    assert ("NS-ONLY-1", "wh_east") not in magento_items(env)


def test_429_bursts_are_survived(inventory_dag, env: FlowEnv) -> None:
    env.connect(
        magento={"backoff_base": 0.05, "backoff_max": 0.2, "max_attempts": 8},
        netsuite={"backoff_base": 0.05, "backoff_max": 0.2, "max_attempts": 8},
    )
    env.netsuite.fault(kind="status", status=429, path="restlet", count=3)
    env.magento.fault(kind="status", status=429, path="source-items", method="POST", count=3)
    dagrun, tis = run(inventory_dag, "full")
    assert dagrun.state == "success"
    assert all(ti.try_number == 1 for ti in tis.values())
    assert summary_of(tis)["loaded"] == SKUS * 3


def test_netsuite_401_fails_extract_and_alerts(inventory_dag, env: FlowEnv, slack: SlackReceiver) -> None:
    env.netsuite.fault(kind="auth")
    dagrun, tis = run(inventory_dag)
    assert dagrun.state == "failed"
    assert tis["extract", -1].state == "failed" and tis["extract", -1].try_number == 1
    assert len(slack.texts) == 1, "one alert, no retry storm"
    assert FLOW in slack.texts[0]


def test_magento_failure_halfway_then_rerun_converges(inventory_dag, env: FlowEnv) -> None:
    env.monkeypatch.setenv("MNS_INVENTORY_BATCH_SIZE", "50")
    env.connect(magento={"max_attempts": 1})
    env.magento.fault(kind="status", status=503, path="source-items", method="POST", share=0.5)
    retries = {t.task_id: t.retries for t in inventory_dag.tasks}
    for t in inventory_dag.tasks:
        t.retries = 0
    try:
        dagrun, tis = run(inventory_dag, "full")
    finally:
        for t in inventory_dag.tasks:
            t.retries = retries[t.task_id]
    assert dagrun.state == "failed"
    from magento_netsuite.flows.inventory.snapshot import Snapshot

    accepted = len(Snapshot().load())
    assert 0 < accepted < SKUS * 3

    env.magento.clear()
    env.connect(magento={"backoff_base": 0.05})
    dagrun, tis = run(inventory_dag)  # delta without a watermark: reads all, pushes what the snapshot lacks
    assert dagrun.state == "success"
    summary = summary_of(tis)
    assert summary["loaded"] == SKUS * 3 - accepted, "what landed in the failed run is not pushed again"
    assert summary["unchanged"] == accepted
    expected = netsuite_available(env)
    magento = magento_items(env)
    assert all(magento[k]["quantity"] == max(0.0, v) for k, v in expected.items())


def test_full_mode_zeroes_what_netsuite_no_longer_stocks(inventory_dag, env: FlowEnv) -> None:
    from magento_netsuite.connectors.magento import MagentoHook

    assert env.dataset is not None
    inactive = env.dataset.items[1].sku
    env.netsuite.post("items", [{"sku": inactive, "isinactive": True}])
    magento_only = next(p.sku for p in env.dataset.products if p.sku.startswith("MAGONLY-"))
    saved = MagentoHook().save_source_items(
        [{"sku": magento_only, "source_code": "wh_west", "quantity": 12, "status": 1}]
    )
    assert saved.ok

    dagrun, tis = run(inventory_dag, "full")

    assert dagrun.state == "success"
    summary = summary_of(tis)
    assert summary["extra"]["side_keys"]["zeroed"] == [f"{magento_only}@wh_west"]
    assert summary["extra"]["side"]["zeroed"] == {"loaded": 1}
    magento = magento_items(env)
    assert magento[magento_only, "wh_west"]["quantity"] == 0 and magento[magento_only, "wh_west"]["status"] == 0
    assert magento[magento_only, "default"]["quantity"] > 0, "unmapped sources are not NetSuite's to zero"
    assert all(magento[inactive, s]["quantity"] == 0 for s in SOURCES.values())


def test_suiteql_fallback_gives_the_same_result(inventory_dag, env: FlowEnv) -> None:
    env.connect(netsuite={"inventory_source": "suiteql"})
    dagrun, _ = run(inventory_dag, "full")
    assert dagrun.state == "success"
    assert env.netsuite.calls("restlet") == 0 and env.netsuite.calls("suiteql") >= 1
    magento = magento_items(env)
    assert all(magento[k]["quantity"] == max(0.0, v) for k, v in netsuite_available(env).items())


def test_unmatched_sku_share_over_the_threshold_alerts(inventory_dag, env: FlowEnv, slack: SlackReceiver) -> None:
    env.monkeypatch.setenv("MNS_INVENTORY_UNMATCHED_ALERT_SHARE", "0.001")
    env.netsuite.post("items", [{"sku": "NS-ONLY-2", "inventory": [{"location_id": "2", "on_hand": 3}]}])
    dagrun, tis = run(inventory_dag, "full")
    assert tis["load", 0].state == "success", "the known SKUs are still pushed"
    assert tis["summarize", -1].state == "failed" and dagrun.state == "failed"
    alerts = [t for t in slack.texts if "unknown to Magento" in t]
    assert len(alerts) == 1, slack.texts  # besides the quarantine digest of the unknown SKU


def test_replay_of_a_fixed_quantity_pushes_it_and_resolves_the_row(inventory_dag, env: FlowEnv) -> None:
    from magento_netsuite.errorqueue.replay import replay
    from magento_netsuite.errorqueue.store import ErrorQueueStore

    assert env.dataset is not None
    sku = env.dataset.items[2].sku
    env.netsuite.post("inventory", [{"sku": sku, "location_id": "1", "on_hand": 0, "committed": 5}])
    assert run(inventory_dag, "full")[0].state == "success"
    store = ErrorQueueStore.from_connection()
    (row,) = store.open_errors(flow=FLOW)
    assert row.record_key == f"{sku}@wh_east"

    env.netsuite.post("inventory", [{"sku": sku, "location_id": "1", "on_hand": 8, "committed": 0}])
    result = replay(store, run_id="replay-inventory", ids=[row.id])

    assert result.loaded == 1 and result.requeued == 0, result.line()
    assert store.get(row.id).status == "resolved"
    assert magento_items(env)[sku, "wh_east"]["quantity"] == 8


@pytest.mark.parametrize("load_mode", ["sync", "async"])
def test_an_item_magento_refuses_is_quarantined_and_not_in_the_snapshot(
    inventory_dag, env: FlowEnv, load_mode: str
) -> None:
    from magento_netsuite.flows.inventory.snapshot import Snapshot

    env.monkeypatch.setenv("MNS_INVENTORY_LOAD_MODE", load_mode)
    assert env.dataset is not None
    refused = env.dataset.items[5].sku
    env.magento.fault(kind="record", key=refused, message="The quantity is locked by a stock take.")

    dagrun, tis = run(inventory_dag, "full")

    assert dagrun.state == "success"
    summary = summary_of(tis)
    assert summary["quarantined"] == 3 and summary["loaded"] == SKUS * 3 - 3
    assert not any(sku == refused for sku, _ in Snapshot().load()), "the snapshot holds only accepted items"
    from magento_netsuite.errorqueue.store import ErrorQueueStore

    rows = ErrorQueueStore.from_connection().open_errors(flow=FLOW)
    assert {r.record_key for r in rows} == {f"{refused}@{s}" for s in SOURCES.values()}
    assert all("stock take" in r.message for r in rows)
