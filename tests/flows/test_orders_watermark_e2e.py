"""End to end on the flow kit's time model: ``magento_orders_to_netsuite`` under ``dag.test()`` with the
kit's clock moved, runs far apart, overlapping runs, a replay during a run, a killed and retried load.

Orders are seeded, then each one's ``updated_at`` is set to the moment it "happened", so a run at a
given clock sees exactly what a scheduled run at that time would have seen.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from magento_netsuite.flows.orders.constants import DAG_ID, FLOW, WRITE_BACK_MARKER
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, KitClock, utc_now

pytestmark = pytest.mark.airflow
CLEAN = {"unknown_sku_share": 0.0, "unknown_customer_share": 0.0, "missing_postcode_share": 0.0, "guest_share": 0.0}
T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
"""The "first scheduled run" of these tests: well in the past, so real write-back times never interfere."""


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> KitClock:
    return KitClock(monkeypatch, T0)


def magento_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def seed_at(env: FlowEnv, moments: list[datetime]) -> list[str]:
    """Seed one order per moment, each last changed at that moment; returns their increment ids."""
    dataset = env.seed(SeedConfig(skus=60, customers=15, orders=len(moments), seed=11, now=utc_now(), **CLEAN))
    keys = [o["increment_id"] for o in dataset.orders]
    for key, moment in zip(keys, moments, strict=True):
        httpx.patch(
            f"{env.magento.url}/_sandbox/orders/{key}", json={"updated_at": magento_time(moment)}, timeout=10
        ).raise_for_status()
    return keys


def spread(start: datetime, end: datetime, n: int) -> list[datetime]:
    """``n`` moments evenly in ``(start, end]``, to the second."""
    step = (end - start) / n
    return [(start + step * (i + 1)).replace(microsecond=0) for i in range(n)]


def run(dag, clock: KitClock, at: datetime, **conf: Any):
    clock.now = at
    # dag.test() keeps a run's conf in the DAG's params: pass the defaults explicitly
    dagrun = dag.test(logical_date=at, run_conf={"since": None, **conf})
    tis = {ti.task_id: ti for ti in dagrun.get_task_instances()}
    return dagrun, tis


def summary(tis) -> dict[str, Any]:
    return tis["summarize"].xcom_pull(task_ids="summarize")


def assert_each_once(env: FlowEnv, keys: list[str]) -> None:
    """One sales order per Magento order and one write-back comment on each."""
    assert env.netsuite.get("state")["counts"]["salesOrders"] == len(keys)
    for key in keys:
        record = env.netsuite_record("salesOrder", key)
        assert record is not None, f"order {key} never reached NetSuite"
        comments = [h["comment"] for h in env.magento_order(key)["status_histories"]]
        assert sum(WRITE_BACK_MARKER in c for c in comments) == 1, (key, comments)
        assert f"{WRITE_BACK_MARKER} {record['id']} " in "".join(comments)


def test_first_run_then_runs_45_minutes_3_hours_and_a_day_apart_sync_every_order_once(
    orders_dag, flow_env: FlowEnv, clock: KitClock
) -> None:
    buckets = [
        spread(T0 - timedelta(hours=20), T0, 20),  # waiting before the first scheduled run
        spread(T0, T0 + timedelta(minutes=45), 60),  # a paused DAG, or a scheduler restart
        spread(T0 + timedelta(minutes=45), T0 + timedelta(hours=3, minutes=45), 50),  # a failed run nobody cleared
        spread(T0 + timedelta(hours=3, minutes=45), T0 + timedelta(days=1, hours=3, minutes=45), 70),  # a day paused
    ]
    keys = seed_at(flow_env, [m for bucket in buckets for m in bucket])
    run_times = [b[-1] + timedelta(minutes=2, seconds=1) for b in buckets]  # the default safe lag is 2 minutes

    extracted = []
    for at in run_times:
        dagrun, tis = run(orders_dag, clock, at)
        assert dagrun.state == "success", {t: ti.state for t, ti in tis.items()}
        result = summary(tis)
        extracted.append((result["extracted"], result["loaded"], result["extra"]["origin"]))

    assert extracted == [
        (20, 20, "initial lookback"),
        (60, 60, "cursor"),
        (50, 50, "cursor"),
        (70, 70, "cursor"),
    ]
    assert_each_once(flow_env, keys)
    # the write-back comments changed every order again: a run now reads them back and settles them
    # without a single NetSuite call
    flow_env.netsuite.clear()
    dagrun, tis = run(orders_dag, clock, utc_now() + timedelta(minutes=3))
    result = summary(tis)
    assert (result["extracted"], result["loaded"], result["unchanged"]) == (len(keys), 0, len(keys))
    assert flow_env.netsuite.calls() == 0
    assert_each_once(flow_env, keys)


def test_a_backlog_is_caught_up_in_bounded_slices_and_says_how_far_behind(
    orders_dag, flow_env: FlowEnv, clock: KitClock
) -> None:
    flow_env.monkeypatch.setenv("MNS_ORDERS_MAGENTO_TO_NETSUITE_MAX_RECORDS", "25")
    moments = [T0 - timedelta(hours=10) + timedelta(minutes=5) * (i // 2) for i in range(60)]  # pairs share a second
    keys = seed_at(flow_env, moments)

    slices = []
    for _ in range(3):
        dagrun, tis = run(orders_dag, clock, T0)
        result = summary(tis)
        assert dagrun.state == "success"
        slices.append((result["extracted"], result["extra"]["truncated"], result["extra"]["behind_seconds"] > 0))

    assert slices == [(25, True, True), (25, True, True), (10, False, False)]
    assert_each_once(flow_env, keys)


def test_rerunning_an_old_run_never_moves_the_cursor_back_and_a_backfill_duplicates_nothing(
    orders_dag, flow_env: FlowEnv, clock: KitClock
) -> None:
    from magento_netsuite.pipeline.watermark import Watermarks

    keys = seed_at(flow_env, spread(T0 - timedelta(hours=2), T0, 12))
    run(orders_dag, clock, T0 + timedelta(minutes=5))
    after_first = Watermarks().get(FLOW)
    run(orders_dag, clock, T0 + timedelta(hours=1))
    cursor = Watermarks().get(FLOW)
    assert cursor is not None and after_first is not None and cursor > after_first

    # the operator re-runs the first run (same logical date, the clock back then): nothing moves back
    dagrun, tis = run(orders_dag, clock, T0 + timedelta(minutes=5))
    assert dagrun.state == "success" and summary(tis)["extra"]["cursor"]["moved"] is False
    assert Watermarks().get(FLOW) == cursor

    # an explicit backfill re-reads everything since a point in time (the write-back comments changed
    # the orders since, so it reads up to now): all already there, nothing posted
    flow_env.netsuite.clear()
    dagrun, tis = run(orders_dag, clock, utc_now() + timedelta(minutes=3), since=(T0 - timedelta(hours=3)).isoformat())
    result = summary(tis)
    assert (result["extracted"], result["loaded"], result["unchanged"]) == (12, 0, 12)
    assert result["extra"]["origin"] == "since param"
    assert flow_env.netsuite.calls("POST /services/rest/record/v1/{record_type}") == 0
    assert_each_once(flow_env, keys)


def test_two_overlapping_runs_and_a_replay_leave_one_write_back_per_order(flow_env: FlowEnv, clock: KitClock) -> None:
    """Two runs of the flow at the same moment plus a replay of the same orders, in three threads."""
    from magento_netsuite.pipeline import tasks as kit
    from magento_netsuite.pipeline.outcomes import RunContext
    from magento_netsuite.pipeline.registry import flow_spec
    from magento_netsuite.pipeline.replay import FlowReplay

    keys = seed_at(flow_env, spread(T0 - timedelta(hours=1), T0, 30))
    clock.now = T0 + timedelta(minutes=3)
    barrier = threading.Barrier(3)
    results: dict[str, Any] = {}

    def scheduled(run_id: str) -> None:
        ctx = RunContext(run_id=run_id, dag_id=DAG_ID, task_id="load", try_number=1, request_slots=2)
        extracted = kit.extract(FLOW, {}, ctx)
        transformed = kit.transform(FLOW, extracted, ctx)
        loaded = kit.load(FLOW, transformed["chunks"][0], extracted["uri"], ctx)
        barrier.wait(timeout=60)
        results[run_id] = kit.after_load(FLOW, transformed, loaded, ctx)

    def replay() -> None:
        from magento_netsuite.connectors.magento import MagentoHook
        from magento_netsuite.flows.orders.extract import orders_by_increment_id

        orders = orders_by_increment_id(MagentoHook(), keys)
        handler = FlowReplay(flow_spec(FLOW), request_slots=2)
        barrier.wait(timeout=60)
        results["replay"] = Counter(o.status.value for o in handler.process(list(orders.items()), run_id="replay-1"))

    threads = [threading.Thread(target=scheduled, args=(f"scheduled__{i}",)) for i in (1, 2)]
    threads.append(threading.Thread(target=replay))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert set(results) == {"scheduled__1", "scheduled__2", "replay"}, results
    written = results["scheduled__1"]["written"] + results["scheduled__2"]["written"]
    assert written <= len(keys)
    assert_each_once(flow_env, keys)


def test_a_killed_and_retried_load_counts_what_this_run_created(orders_dag, flow_env: FlowEnv, clock: KitClock) -> None:
    """Some creates fail past a one-attempt budget; Airflow retries the load task in the same run:
    the retry finds the others in NetSuite and still counts them as created by this run."""
    from magento_netsuite.connectors.netsuite import NetSuiteHook
    from magento_netsuite.flows.orders.load import THREADS_PER_SLOT
    from magento_netsuite.pipeline.create_once import UNKNOWN_OUTCOME_ATTEMPTS
    from magento_netsuite.pipeline.ledger import Creations

    keys = seed_at(flow_env, spread(T0 - timedelta(hours=1), T0, 12))
    flow_env.connect(netsuite={"max_attempts": 1})
    # every POST fails while the faults last, and each load thread sends its order until it gives up:
    # more faults than the threads can absorb without giving up make at least one order fail the try
    threads = THREADS_PER_SLOT * NetSuiteHook.default_concurrency
    faults = threads * (UNKNOWN_OUTCOME_ATTEMPTS - 1) + 1
    flow_env.netsuite.fault(kind="status", status=503, path="salesOrder", method="POST", count=faults)
    load = orders_dag.get_task("load")
    retries, delay = load.retries, load.retry_delay
    load.retries, load.retry_delay = 1, timedelta(0)
    try:
        dagrun, tis = run(orders_dag, clock, T0 + timedelta(minutes=3))
    finally:
        load.retries, load.retry_delay = retries, delay

    assert dagrun.state == "success" and tis["load"].try_number == 2
    result = summary(tis)
    assert (result["extracted"], result["loaded"], result["unchanged"]) == (len(keys), len(keys), 0)
    assert flow_env.netsuite.calls("POST /services/rest/record/v1/{record_type}") == len(keys) + faults
    assert_each_once(flow_env, keys)
    # the first try died before recording its creations; the retry recorded them with NetSuite's ids
    assert Creations(FLOW).created_keys(keys) == set(keys)


def test_an_order_created_by_another_run_counts_as_already_there(
    orders_dag, flow_env: FlowEnv, clock: KitClock
) -> None:
    from magento_netsuite.pipeline.ledger import Creations

    keys = seed_at(flow_env, spread(T0 - timedelta(hours=1), T0, 6))
    dagrun, tis = run(orders_dag, clock, T0 + timedelta(minutes=3))
    assert summary(tis)["loaded"] == 6
    creators = Creations(FLOW).creators(keys)
    assert set(creators.values()) == {dagrun.run_id}

    flow_env.netsuite.clear()
    dagrun, tis = run(orders_dag, clock, utc_now() + timedelta(minutes=3), since=(T0 - timedelta(hours=2)).isoformat())
    result = summary(tis)
    assert (result["loaded"], result["unchanged"]) == (0, 6)
    assert flow_env.netsuite.calls("POST /services/rest/record/v1/{record_type}") == 0
