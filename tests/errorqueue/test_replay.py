"""Replay end to end: the ``error_queue_replay`` DAG (``dag.test()``) and the in-process replay on the
probe flow in ``tests/replay_probe``, whose source and target are files the test edits."""

from __future__ import annotations

import importlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from magento_netsuite.errorqueue.replay import replay
from magento_netsuite.errorqueue.store import PAYLOAD_FROM_SOURCE, PAYLOAD_STORED_FALLBACK, SUPERSEDED, ErrorQueueStore
from magento_netsuite.pipeline.outcomes import Status

PROBE_MODULE = "tests.replay_probe.probe"


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The probe flow on its own files and a fresh SQLite store behind the ``mns_store`` connection."""
    monkeypatch.setenv("MNS_REPLAY_PROBE_DIR", str(tmp_path))
    monkeypatch.setenv("MNS_REPLAY_HANDLER_MODULES", PROBE_MODULE)
    monkeypatch.setenv("AIRFLOW_CONN_MNS_STORE", f'{{"conn_type": "sqlite", "host": "{tmp_path}/mns_store.db"}}')
    return importlib.import_module(PROBE_MODULE)


def run_probe_sync(probe, store: ErrorQueueStore, keys: list[str], run_id: str) -> list:
    """A regular probe-flow run: load, quarantine failures, resolve successes (like every flow does)."""
    outcomes = probe.sync(keys, run_id=run_id)
    store.quarantine([o.error for o in outcomes if o.status is Status.QUARANTINED])
    ok = [o.key for o in outcomes if o.status is not Status.QUARANTINED]
    store.resolve(probe.FLOW, ok, how=f"synced by {run_id}", by=run_id)
    store.mark_synced(probe.FLOW, ok)
    return outcomes


@pytest.mark.airflow
def test_replay_dag_reloads_fixed_records_uses_stored_payloads_and_skips_superseded(probe, airflow_db) -> None:
    from dags.error_queue_replay import error_queue_replay

    store = ErrorQueueStore.from_connection()
    probe.write_source(
        {
            "000000001": {"name": "fixed later", "postcode": ""},
            "000000002": {"name": "deleted later", "postcode": None},
            "000000003": {"name": "synced later", "postcode": ""},
            "000000004": {"name": "fine", "postcode": "10115"},
        }
    )
    run_probe_sync(probe, store, ["000000001", "000000002", "000000003", "000000004"], "scheduled__1")
    rows = {r.record_key: r for r in store.open_errors(flow=probe.FLOW)}
    assert sorted(rows) == ["000000001", "000000002", "000000003"]
    assert rows["000000001"].field_path == "shipping_address.postcode"
    assert "no shipping postcode" in rows["000000001"].fix_hint

    # The owner fixes record 1 at the source, deletes record 2 there, and a newer sync gets record 3 through.
    source = probe.read_source()
    source["000000001"]["postcode"] = "20095"
    del source["000000002"]
    source["000000003"]["postcode"] = "80331"
    probe.write_source(source)
    store.mark_synced(probe.FLOW, ["000000003"], at=datetime.now(UTC) + timedelta(seconds=1))
    loads_before = len(probe.loads())

    ids = [rows[k].id for k in ("000000001", "000000002", "000000003")]
    run = error_queue_replay().test(run_conf={"ids": ids})
    assert run.state == "success"

    fixed, gone, superseded = (store.get(i) for i in ids)
    assert (fixed.status, fixed.payload_source) == ("resolved", PAYLOAD_FROM_SOURCE)
    assert fixed.resolution.startswith("loaded on retry")
    assert fixed.resolved_by == f"error_queue_replay:{run.run_id}"
    assert (gone.status, gone.payload_source, gone.attempts) == ("open", PAYLOAD_STORED_FALLBACK, 2)
    assert gone.payload == {"name": "deleted later", "postcode": None}, "the stored payload was retried"
    assert gone.run_id == run.run_id and gone.dag_id == "error_queue_replay"
    assert (superseded.status, superseded.resolution) == ("resolved", SUPERSEDED)
    assert [e.event for e in store.history(superseded.id)] == ["failed", "retrying", "superseded"]

    new_loads = probe.loads()[loads_before:]
    assert [(x["key"], x["payload"]["postcode"]) for x in new_loads] == [("000000001", "20095")]

    # The same ids again: nothing open among the resolved ones, the requeued one is retried once more.
    again = error_queue_replay().test(run_conf={"ids": ids})
    assert again.state == "success"
    assert len(probe.loads()) == loads_before + 1
    assert store.get(gone.id).attempts == 3


@pytest.mark.airflow
def test_replay_dag_rejects_an_empty_selection(probe, airflow_db) -> None:
    from dags.error_queue_replay import error_queue_replay

    run = error_queue_replay().test(run_conf={"ids": []})
    assert run.state == "failed"
    assert {ti.task_id: ti.state for ti in run.get_task_instances()}["claim"] == "failed"


def test_two_concurrent_replays_of_the_same_ids_load_each_record_once(probe) -> None:
    store = ErrorQueueStore.from_connection()
    keys = [f"{i:09d}" for i in range(1, 41)]
    probe.write_source({k: {"name": k, "postcode": ""} for k in keys})
    run_probe_sync(probe, store, keys, "scheduled__1")
    ids = [r.id for r in store.open_errors(flow=probe.FLOW, limit=100)]
    assert len(ids) == 40
    probe.write_source({k: {"name": k, "postcode": "10115"} for k in keys})

    barrier = threading.Barrier(2)

    def retry(run_id: str):
        barrier.wait()
        return replay(store, run_id=run_id, ids=ids)

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(retry, ["manual__a", "manual__b"])
    assert a.loaded + b.loaded == 40
    assert a.claimed + b.claimed == 40
    loaded = Counter(x["key"] for x in probe.loads())
    assert loaded == dict.fromkeys(keys, 1)
    assert store.count(flow=probe.FLOW) == 0


def test_replay_by_flow_and_all_open_and_a_later_sync_resolves_by_itself(probe) -> None:
    store = ErrorQueueStore.from_connection()
    probe.write_source({"A": {"postcode": ""}, "B": {"postcode": ""}, "C": {"postcode": ""}})
    run_probe_sync(probe, store, ["A", "B", "C"], "scheduled__1")
    assert store.count(flow=probe.FLOW) == 3

    probe.write_source({"A": {"postcode": "1"}, "B": {"postcode": ""}, "C": {"postcode": ""}})
    run_probe_sync(probe, store, ["A", "B", "C"], "scheduled__2")  # A goes through on its own
    assert sorted(r.record_key for r in store.open_errors(flow=probe.FLOW)) == ["B", "C"]
    assert store.open_errors(flow=probe.FLOW)[0].attempts == 2

    probe.write_source({"A": {"postcode": "1"}, "B": {"postcode": "2"}, "C": {"postcode": ""}})
    summary = replay(store, run_id="manual__flow", flow=probe.FLOW)
    assert (summary.claimed, summary.loaded, summary.requeued) == (2, 1, 1)
    assert summary.by_flow == {probe.FLOW: {"claimed": 2, "loaded": 1, "requeued": 1}}

    probe.write_source({"A": {"postcode": "1"}, "B": {"postcode": "2"}, "C": {"postcode": "3"}})
    summary = replay(store, run_id="manual__all", all_open=True)
    assert (summary.claimed, summary.loaded) == (1, 1)
    assert store.count(status=None, flow=probe.FLOW) == 3
    assert store.count(flow=probe.FLOW) == 0
    with pytest.raises(ValueError, match="exactly one"):
        replay(store, run_id="manual__bad", ids=[1], all_open=True)
