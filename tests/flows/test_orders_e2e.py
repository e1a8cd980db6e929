"""End to end: ``magento_orders_to_netsuite`` under ``dag.test()`` against both sandboxes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from magento_netsuite.flows.orders.constants import DAG_ID, FLOW, WRITE_BACK_MARKER
from magento_netsuite.flows.orders.transform import guest_external_id
from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.alerts.receiver import SlackReceiver
from tests.flows.conftest import FlowEnv, KitClock, utc_now

pytestmark = pytest.mark.airflow
CLEAN = {
    "unknown_sku_share": 0.0,
    "unknown_customer_share": 0.0,
    "missing_postcode_share": 0.0,
    "guest_share": 0.0,
}


@pytest.fixture
def env(flow_env: FlowEnv, airflow_db: Path, monkeypatch: pytest.MonkeyPatch) -> FlowEnv:
    # seeded orders end a minute before "now": read up to now (the default keeps two minutes back)
    monkeypatch.setenv("MNS_ORDERS_MAGENTO_TO_NETSUITE_SAFE_LAG_SECONDS", "0")
    return flow_env


def seed(env: FlowEnv, orders: int = 12, **shares: Any) -> Any:
    now = utc_now() - timedelta(minutes=1)
    return env.seed(SeedConfig(skus=60, customers=15, orders=orders, seed=7, now=now, **shares))


def window_end():
    """A logical date whose 5-minute interval ends after every order (and every write-back comment)."""
    now = utc_now()
    return now.replace(minute=now.minute - now.minute % 5, second=0) + timedelta(minutes=10)


def run(dag, logical_date=None, conf=None):
    # dag.test() keeps a run's conf in the DAG's params: pass the defaults explicitly
    dagrun = dag.test(logical_date=logical_date or window_end(), run_conf={"since": None, **(conf or {})})
    tis = {ti.task_id: ti for ti in dagrun.get_task_instances()}
    return dagrun, tis


def a_second_later(env: FlowEnv) -> None:
    """The next run starts in a later second than every change so far (the write-back comments, a fix).

    A run reads changes before its start second (``updated_at < until``) and the cursor moves to that
    second, so a change made in the same second as a run is read by the next run, never lost; a test
    whose runs follow each other within one second moves the kit's clock instead of sleeping."""
    KitClock(env.monkeypatch, utc_now() + timedelta(seconds=2))


def summary_of(tis) -> dict[str, Any]:
    return tis["summarize"].xcom_pull(task_ids="summarize")


def test_happy_path_every_order_once_with_write_back(orders_dag, env: FlowEnv) -> None:
    dataset = seed(env, **CLEAN)
    keys = [o["increment_id"] for o in dataset.orders]

    dagrun, tis = run(orders_dag)

    assert dagrun.state == "success", {t: ti.state for t, ti in tis.items()}
    summary = summary_of(tis)
    assert summary["extracted"] == len(keys) == summary["loaded"]
    assert summary["unchanged"] == summary["quarantined"] == 0
    assert env.netsuite.get("state")["counts"]["salesOrders"] == len(keys)
    for key in keys:
        record = env.netsuite_record("salesOrder", key)
        assert record is not None and record["externalId"] == key
        comments = [h["comment"] for h in env.magento_order(key)["status_histories"]]
        assert sum(WRITE_BACK_MARKER in c for c in comments) == 1
        assert f"{WRITE_BACK_MARKER} {record['id']} " in comments[0]


def store():
    from magento_netsuite.errorqueue.store import ErrorQueueStore

    return ErrorQueueStore.from_connection()


def use_slack(env: FlowEnv, receiver_url: str) -> None:
    env.monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps({"conn_type": "slackwebhook", "password": f"{receiver_url}/services/T0TEST/B0TEST/orders"}),
    )


@pytest.fixture
def slack() -> Iterator[SlackReceiver]:
    receiver = SlackReceiver()
    yield receiver
    receiver.stop()


def test_guest_and_unknown_customer_are_created_then_their_orders_load(orders_dag, env: FlowEnv) -> None:
    dataset = seed(
        env, orders=16, unknown_sku_share=0.0, missing_postcode_share=0.0, guest_share=0.3, unknown_customer_share=0.2
    )
    guests = dataset.mismatches["guest_orders"]
    unknown_buyers = dataset.mismatches["unknown_customer_orders"]
    assert guests and unknown_buyers
    orders = {o["increment_id"]: o for o in dataset.orders}
    # One guest already exists in NetSuite under a differently written email: matched, not duplicated.
    # Another NetSuite customer carries a second guest's *name* but another email: never matched.
    known_guest, namesake_guest = orders[guests[0]], orders[guests[1]]
    env.netsuite.post(
        "records/customer",
        [
            {
                "id": "900001",
                "email": "  " + known_guest["customer_email"].upper(),
                "firstName": "Known",
                "lastName": "Guest",
                "companyName": "Known Guest Co",
            },
            {
                "id": "900002",
                "email": "someone.else@example.test",
                "firstName": namesake_guest["customer_firstname"],
                "lastName": namesake_guest["customer_lastname"],
                "companyName": "Namesake Co",
            },
        ],
    )

    dagrun, tis = run(orders_dag)

    assert dagrun.state == "success"
    summary = summary_of(tis)
    assert summary["loaded"] == len(orders) and summary["quarantined"] == 0
    assert env.netsuite_record("salesOrder", known_guest["increment_id"])["entity"]["id"] == "900001"
    namesake_entity = env.netsuite_record("salesOrder", namesake_guest["increment_id"])["entity"]["id"]
    assert namesake_entity != "900002"
    created = env.netsuite.get("state", record="customer", id=namesake_entity)["record"]
    assert created["externalId"] == guest_external_id(namesake_guest["customer_email"])
    assert created["email"] == namesake_guest["customer_email"].lower()
    for key in unknown_buyers:
        external_id = f"MAG-CUST-{orders[key]['customer_id']}"
        customer = env.netsuite_record("customer", external_id)
        assert customer is not None, f"customer {external_id} was not created"
        assert env.netsuite_record("salesOrder", key)["entity"]["id"] == customer["id"]
    # guests without a NetSuite match were created, once per email
    expected_creations = (
        len({orders[k]["customer_email"] for k in guests}) - 1 + len({orders[k]["customer_id"] for k in unknown_buyers})
    )
    assert summary["extra"]["customers_created"] == expected_creations


def test_unknown_sku_and_missing_postcode_are_quarantined_with_field_paths(
    orders_dag, env: FlowEnv, slack: SlackReceiver
) -> None:
    use_slack(env, slack.url)
    dataset = seed(
        env, orders=20, unknown_customer_share=0.0, guest_share=0.0, unknown_sku_share=0.1, missing_postcode_share=0.1
    )
    bad_sku = set(dataset.mismatches["unknown_sku_orders"])
    no_postcode = set(dataset.mismatches["missing_postcode_orders"])
    orders = {o["increment_id"]: o for o in dataset.orders}

    dagrun, tis = run(orders_dag)

    assert dagrun.state == "success"
    summary = summary_of(tis)
    bad = bad_sku | no_postcode
    assert summary["quarantined"] == len(bad) and summary["loaded"] == len(orders) - len(bad)
    rows = {r.record_key: r for r in store().open_errors(flow=FLOW)}
    assert set(rows) == bad
    for key in bad_sku - no_postcode:
        index = next(i for i, item in enumerate(orders[key]["items"]) if item["sku"].startswith("MAGONLY-"))
        row = rows[key]
        assert (row.error_class, row.field_path) == ("reference", f"items[{index}].sku")
        assert orders[key]["items"][index]["sku"] in row.message and "NetSuite" in row.fix_hint
        assert env.netsuite_record("salesOrder", key) is None
    for key in no_postcode - bad_sku:
        row = rows[key]
        assert row.field_path == "extension_attributes.shipping_assignments[0].shipping.address.postcode"
        assert row.error_class == "validation" and "postcode" in row.fix_hint
        assert row.payload["increment_id"] == key and row.dag_id == DAG_ID and row.task_id == "transform"
    digests = [r.body["text"] for r in slack.requests]
    assert len(digests) == 1 and FLOW in digests[0]


def test_429_bursts_and_timeouts_are_survived(orders_dag, env: FlowEnv) -> None:
    dataset = seed(env, orders=15, **CLEAN)
    env.connect(
        magento={"timeout": 1.0, "backoff_base": 0.05, "backoff_max": 0.5},
        netsuite={"timeout": 1.0, "backoff_base": 0.1, "backoff_max": 1.0, "max_attempts": 10},
    )
    # another integration holds one of the account's 5 slots while the hook runs 5 requests: real 429s
    env.netsuite.post("config", {"concurrency_limit": 4})
    env.netsuite.fault(kind="status", status=429, path="salesOrder", method="POST", count=6)
    env.netsuite.fault(kind="timeout", seconds=2.0, path="suiteql", count=1)
    env.netsuite.fault(kind="timeout", seconds=2.0, path="salesOrder", method="POST", count=2)
    env.magento.fault(kind="status", status=429, path="orders", method="GET", count=2)
    env.magento.fault(kind="status", status=503, path="comments", count=2)
    try:
        dagrun, tis = run(orders_dag)
    finally:
        env.netsuite.post("config", {"concurrency_limit": 5})

    assert dagrun.state == "success"
    assert all(ti.try_number == 1 for ti in tis.values()), "the hook's retries absorbed every fault"
    summary = summary_of(tis)
    assert summary["loaded"] + summary["unchanged"] == len(dataset.orders) and summary["quarantined"] == 0
    assert env.netsuite.get("state")["counts"]["salesOrders"] == len(dataset.orders)
    injected = env.netsuite.get("faults")["counters"]["injected"]
    assert injected.get("status", 0) >= 6 and injected.get("timeout", 0) == 3
    for order in dataset.orders:
        comments = [h["comment"] for h in env.magento_order(order["increment_id"])["status_histories"]]
        assert sum(WRITE_BACK_MARKER in c for c in comments) == 1


def test_401_fails_fast_and_alerts_at_once(orders_dag, env: FlowEnv, slack: SlackReceiver) -> None:
    use_slack(env, slack.url)
    seed(env, orders=5, **CLEAN)
    env.netsuite.fault(kind="auth", path="/services/rest")

    dagrun, tis = run(orders_dag)

    assert dagrun.state == "failed"
    assert tis["extract"].state == "success"
    assert tis["transform"].state == "failed" and tis["transform"].try_number == 1, "auth must not be retried"
    assert tis["load"].state == "upstream_failed"
    assert len(slack.requests) == 1
    text = slack.requests[0].body["text"]
    assert text.startswith(f"Sync failed: {FLOW} (auth)") and "task transform" in text
    assert credentials.NETSUITE_TOKEN_ID not in slack.requests[0].raw
    assert env.netsuite.get("state")["counts"]["salesOrders"] == 0


def test_a_rerun_and_a_backfill_over_the_same_orders_never_duplicate(orders_dag, env: FlowEnv) -> None:
    dataset = seed(env, orders=12, **CLEAN)
    n = len(dataset.orders)

    first, _ = run(orders_dag)
    env.netsuite.clear()
    a_second_later(env)
    since = (utc_now() - timedelta(hours=3)).isoformat()
    second, tis = run(orders_dag, conf={"since": since})

    assert first.state == second.state == "success"
    summary = summary_of(tis)
    assert (summary["extracted"], summary["loaded"], summary["unchanged"]) == (n, 0, n)
    assert env.netsuite.calls("POST /services/rest/record/v1/{record_type}") == 0
    assert env.netsuite.get("state")["counts"]["salesOrders"] == n
    for order in dataset.orders:
        comments = [h["comment"] for h in env.magento_order(order["increment_id"])["status_histories"]]
        assert sum(WRITE_BACK_MARKER in c for c in comments) == 1


def test_replay_of_a_fixed_order_resolves_its_row(orders_dag, env: FlowEnv) -> None:
    from magento_netsuite.errorqueue.replay import replay

    dataset = seed(
        env, orders=10, unknown_sku_share=0.0, unknown_customer_share=0.0, guest_share=0.0, missing_postcode_share=0.2
    )
    broken = dataset.mismatches["missing_postcode_orders"]
    dagrun, _ = run(orders_dag)
    assert dagrun.state == "success"
    assert {r.record_key for r in store().open_errors(flow=FLOW)} == set(broken)

    fixed = broken[0]
    response = httpx.patch(
        f"{env.magento.url}/_sandbox/orders/{fixed}",
        json={"extension_attributes.shipping_assignments[0].shipping.address.postcode": "78701"},
        timeout=10,
    )
    response.raise_for_status()
    rows = {r.record_key: r for r in store().open_errors(flow=FLOW)}

    result = replay(store(), run_id="replay-test", ids=[rows[fixed].id])

    assert (result.loaded, result.requeued) == (1, 0)
    assert store().get(rows[fixed].id).status == "resolved"
    assert {r.record_key for r in store().open_errors(flow=FLOW)} == set(broken) - {fixed}
    order = env.netsuite_record("salesOrder", fixed)
    assert order is not None and order["shippingAddress"]["zip"] == "78701"
    comments = [h["comment"] for h in env.magento_order(fixed)["status_histories"]]
    assert sum(WRITE_BACK_MARKER in c for c in comments) == 1


def test_a_netsuite_rejection_quarantines_the_order_with_netsuites_error_path(orders_dag, env: FlowEnv) -> None:
    dataset = seed(env, orders=6, **CLEAN)
    rejected = dataset.orders[2]["increment_id"]
    env.netsuite.fault(
        kind="record",
        key=rejected,
        field="item.items[0].quantity",
        message="Invalid quantity: the item is not sold in this unit.",
    )

    dagrun, tis = run(orders_dag)

    assert dagrun.state == "success"
    summary = summary_of(tis)
    assert (summary["loaded"], summary["quarantined"]) == (len(dataset.orders) - 1, 1)
    (row,) = store().open_errors(flow=FLOW)
    assert (row.record_key, row.field_path, row.code) == (rejected, "item.items[0].quantity", "INVALID_CONTENT")
    assert row.task_id == "load" and "not sold in this unit" in row.message
    assert row.payload["increment_id"] == rejected and "items" in row.payload, "the Magento order, for replay"
    assert env.netsuite_record("salesOrder", rejected) is None
    comments = [h["comment"] for h in env.magento_order(rejected)["status_histories"]]
    assert not any(WRITE_BACK_MARKER in c for c in comments)


def test_a_run_with_nothing_new_costs_no_netsuite_call(orders_dag, env: FlowEnv) -> None:
    seed(env, orders=4, **CLEAN)
    run(orders_dag)
    env.netsuite.clear()
    a_second_later(env)

    dagrun, tis = run(orders_dag)  # the write-back comments changed the orders: read, settled, no call

    assert dagrun.state == "success"
    summary = summary_of(tis)
    assert (summary["extracted"], summary["loaded"], summary["unchanged"], summary["quarantined"]) == (4, 0, 4, 0)
    assert env.netsuite.calls() == 0

    dagrun, tis = run(orders_dag)
    assert summary_of(tis)["extracted"] == 0 and env.netsuite.calls() == 0


def test_a_retried_write_back_comments_each_order_once(orders_dag, env: FlowEnv) -> None:
    dataset = seed(env, orders=10, **CLEAN)
    env.connect(magento={"max_attempts": 1})
    env.magento.fault(kind="status", status=503, path="comments", method="POST", count=4)
    delays = {t.task_id: t.retry_delay for t in orders_dag.tasks}
    for t in orders_dag.tasks:
        t.retry_delay = timedelta(0)
    try:
        dagrun, tis = run(orders_dag)
    finally:
        for t in orders_dag.tasks:
            t.retry_delay = delays[t.task_id]

    assert dagrun.state == "success"
    assert tis["write_back"].try_number == 2, "the first try failed past the hook's one attempt"
    assert tis["load"].try_number == 1
    for order in dataset.orders:
        comments = [h["comment"] for h in env.magento_order(order["increment_id"])["status_histories"]]
        assert sum(WRITE_BACK_MARKER in c for c in comments) == 1, order["increment_id"]


def test_a_later_run_that_loads_a_fixed_order_resolves_its_row(orders_dag, env: FlowEnv) -> None:
    dataset = seed(
        env, orders=8, unknown_sku_share=0.0, unknown_customer_share=0.0, guest_share=0.0, missing_postcode_share=0.25
    )
    broken = dataset.mismatches["missing_postcode_orders"]
    logical_date = window_end()
    run(orders_dag, logical_date)
    fixed = broken[0]
    httpx.patch(
        f"{env.magento.url}/_sandbox/orders/{fixed}",
        json={"extension_attributes.shipping_assignments[0].shipping.address.postcode": "02108"},
        timeout=10,
    ).raise_for_status()
    a_second_later(env)

    dagrun, tis = run(orders_dag, logical_date)

    summary = summary_of(tis)
    assert dagrun.state == "success" and summary["loaded"] == 1 and summary["extra"]["resolved"] == 1
    assert {r.record_key for r in store().open_errors(flow=FLOW)} == set(broken) - {fixed}
    (row,) = store().open_errors(flow=FLOW, status=("resolved",), key_search=fixed)
    assert row.resolved_by == DAG_ID
