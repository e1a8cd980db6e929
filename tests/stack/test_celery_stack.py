"""The real path, end to end: scheduler, dag-processor, api-server, triggerer and two Celery workers.

One stack for the module (``magento_netsuite.stack``, what ``make stack`` runs) on the local
PostgreSQL and Redis, the sandboxes and a loopback Slack receiver. The tests run in file order and
build on each other: the scheduled runs quarantine the orders that the Retry test replays.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from magento_netsuite.errorqueue.replay import REPLAY_DAG_ID, REPLAY_TASK_ID
from magento_netsuite.flows.inventory import DAG_ID as INVENTORY_DAG
from magento_netsuite.flows.orders import DAG_ID as ORDERS_DAG
from magento_netsuite.flows.orders import FLOW as ORDERS_FLOW
from magento_netsuite.stack import Stack, StackConfig
from tests.alerts.receiver import SlackReceiver
from tests.stack.conftest import METRICS, free_redis_db, require_services

FRESHNESS_SECONDS = 30
RESTLET_PATH = "/app/site/hosting/restlet"
NETSUITE_LATENCY = {"latency_ms": 200}  # every NetSuite answer takes a while: requests overlap
INVENTORY_CHUNK = 150  # the seed's 200 SKUs x 3 locations: four mapped load tasks


@pytest.fixture(scope="module")
def stack(stack_dir: Path, slack: SlackReceiver, request: pytest.FixtureRequest) -> Iterator[Stack]:
    require_services()
    config = StackConfig(
        run_dir=stack_dir,
        redis_db=free_redis_db(),
        slack_webhook_url=f"{slack.url}/services/T000/B000/stack",
        slack_repeat_interval_minutes=0,  # every alert of the test reaches the receiver
        extra_env={
            "MNS_INVENTORY_CHUNK_SIZE": str(INVENTORY_CHUNK),
            "MNS_INVENTORY_FRESHNESS_MINUTES": str(FRESHNESS_SECONDS / 60),
            f"MNS_{ORDERS_FLOW.upper()}_SAFE_LAG_SECONDS": "0",
        },
    )
    running = Stack(config)
    running.start()
    try:
        # loads that take a while and NetSuite answers that overlap: batches spread over both workers
        sandbox(config.magento_url, "POST", "/_sandbox/faults", json=latency("/V1/inventory/source-items", 1.0))
        sandbox(config.netsuite_url, "POST", "/_sandbox/config", json=NETSUITE_LATENCY)
        for dag_id in (ORDERS_DAG, INVENTORY_DAG):
            running.wait_for_dag(dag_id)
            running.api("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False}).raise_for_status()
        yield running
    finally:
        failed = request.session.testsfailed
        if failed:
            print(running.logs(tail=4000))
        running.stop(purge=True, grace=5)  # a throw-away stack: running tasks need not finish


def latency(path: str | None, seconds: float) -> dict[str, Any]:
    return {"kind": "latency", "path": path, "seconds": seconds}


def sandbox(base: str, method: str, path: str, **kwargs: Any) -> Any:
    response = httpx.request(method, f"{base}{path}", timeout=30, **kwargs)
    response.raise_for_status()
    return response.json()


def wait_for(what: str, probe: Callable[[], Any], timeout: float, stack: Stack, every: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        if result := probe():
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def runs(stack: Stack, dag_id: str) -> list[dict[str, Any]]:
    response = stack.api("GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 50})
    response.raise_for_status()
    return response.json()["dag_runs"]


def task_instances(stack: Stack, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    response = stack.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances")
    response.raise_for_status()
    return response.json()["task_instances"]


def trigger(stack: Stack, dag_id: str) -> str:
    response = stack.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None})
    response.raise_for_status()
    return response.json()["dag_run_id"]


def finished(stack: Stack, dag_id: str, run_id: str) -> str | None:
    state = stack.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").json()["state"]
    return state if state in ("success", "failed") else None


def alerts(slack: SlackReceiver, title: str, run_id: str) -> list[str]:
    return [
        r.body.get("text", "") for r in slack.requests if r.body.get("text", "").startswith(title) and run_id in r.raw
    ]


def assert_link_works(stack: Stack, url: str) -> None:
    """A UI link of an alert: on this stack, and naming a run / task try / page that really exists."""
    assert url.startswith(stack.url + "/"), url
    parts = urlsplit(url)
    route = [unquote(p) for p in parts.path.strip("/").split("/")]
    if route[0] == "error-queue":
        assert stack.api("GET", parts.path + (f"?{parts.query}" if parts.query else "")).status_code == 200
        return
    assert route[0] == "dags" and route[2] == "runs", url
    dag_id, run_id = route[1], route[3]
    api = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}"
    if len(route) > 5 and route[4] == "tasks":
        try_number = re.search(r"try_number=(\d+)", parts.query or "")
        api += f"/taskInstances/{route[5]}" + (f"/tries/{try_number.group(1)}" if try_number else "")
    response = stack.api("GET", api)
    assert response.status_code == 200, f"{url} -> {api}: {response.status_code} {response.text[:200]}"


def test_the_scheduler_runs_both_flows_and_mapped_batches_land_on_both_workers(stack: Stack):
    def scheduled_success(dag_id: str) -> Callable[[], dict | None]:
        def probe() -> dict | None:
            done = [r for r in runs(stack, dag_id) if r["run_type"] == "scheduled" and r["state"] == "success"]
            failed = [r for r in runs(stack, dag_id) if r["state"] == "failed"]
            assert not failed, f"{dag_id} run failed: {failed}"
            return done[0] if done else None

        return probe

    orders_run = wait_for("a scheduled orders run", scheduled_success(ORDERS_DAG), 180, stack, every=2)
    inventory_run = wait_for("a scheduled inventory run", scheduled_success(INVENTORY_DAG), 180, stack, every=2)
    assert orders_run["triggered_by"] != "rest_api" and inventory_run["run_type"] == "scheduled"

    loads = [t for t in task_instances(stack, INVENTORY_DAG, inventory_run["dag_run_id"]) if t["task_id"] == "load"]
    assert len(loads) == 4 and {t["map_index"] for t in loads} == {0, 1, 2, 3}
    hosts = {t["hostname"].split("@")[0] for t in loads}
    assert hosts == {"worker1", "worker2"}, f"mapped batches ran on {hosts}"
    METRICS["inventory batches per worker"] = {h: sum(t["hostname"].startswith(h) for t in loads) for h in hosts}

    every_task = task_instances(stack, ORDERS_DAG, orders_run["dag_run_id"]) + loads
    assert {t["hostname"].split("@")[0] for t in every_task} <= {"worker1", "worker2"}


def test_a_retry_from_the_error_queue_api_replays_on_a_worker_and_resolves_the_row(stack: Stack):
    listing = stack.api("GET", "/error-queue/api/errors", params={"flow": ORDERS_FLOW}).json()["rows"]
    by_class = {row["error_class"]: row for row in listing}
    unknown_sku, invalid = by_class["reference"], by_class["validation"]
    sku = re.search(r"SKU '([^']+)'", unknown_sku["message"]).group(1)
    sandbox(stack.config.netsuite_url, "POST", "/_sandbox/items", json=[{"sku": sku}])  # the fix

    response = stack.api(
        "POST",
        "/error-queue/api/retry",
        json={"ids": [unknown_sku["id"], invalid["id"]]},
        headers={"X-Error-Queue": "1"},
    )
    assert response.status_code == 200, response.text
    run_id = response.json()["run_id"]
    assert wait_for("the replay run", lambda: finished(stack, REPLAY_DAG_ID, run_id), 120, stack) == "success"

    replayed = [t for t in task_instances(stack, REPLAY_DAG_ID, run_id) if t["task_id"] == REPLAY_TASK_ID]
    assert [t["rendered_map_index"] for t in replayed] == [ORDERS_FLOW]
    assert replayed[0]["hostname"].split("@")[0] in {"worker1", "worker2"}

    resolved = stack.api("GET", f"/error-queue/api/errors/{unknown_sku['id']}").json()["row"]
    assert resolved["status"] == "resolved" and run_id in resolved["resolution"]
    requeued = stack.api("GET", f"/error-queue/api/errors/{invalid['id']}").json()["row"]
    assert requeued["status"] == "open" and requeued["run_id"] == run_id
    # the re-queued row links to the replay's mapped task instances, which exist
    assert requeued["log_url"].endswith(f"/tasks/{REPLAY_TASK_ID}/mapped")
    mapped = stack.api(
        "GET", f"/api/v2/dags/{REPLAY_DAG_ID}/dagRuns/{run_id}/taskInstances", params={"task_id": REPLAY_TASK_ID}
    ).json()["task_instances"]
    assert [t["map_index"] for t in mapped] == [0]


def test_an_auth_fault_in_netsuite_reaches_slack_within_a_minute(stack: Stack, slack: SlackReceiver):
    netsuite = stack.config.netsuite_url
    fault = sandbox(netsuite, "POST", "/_sandbox/faults", json={"kind": "auth", "path": RESTLET_PATH})["ids"]
    try:
        started = time.monotonic()
        run_id = trigger(stack, INVENTORY_DAG)
        texts = wait_for("the failure alert", lambda: alerts(slack, "Sync failed", run_id), 60, stack, every=0.25)
        METRICS["fault-to-Slack latency (trigger to alert received), s"] = round(time.monotonic() - started, 1)
    finally:
        sandbox(netsuite, "DELETE", "/_sandbox/faults")  # clears the latency too
        sandbox(netsuite, "POST", "/_sandbox/config", json=NETSUITE_LATENCY)
    assert fault
    text = texts[0]
    assert f"DAG {INVENTORY_DAG}, task extract, run {run_id}, try 1" in text  # what: the run and the task
    assert "(auth)" in text and "401" in text  # why
    assert "What to do:" in text and "connection" in text.lower()  # how
    links = re.findall(r"https?://\S+", text)
    assert len(links) == 2
    for link in links:
        assert_link_works(stack, link)
    assert wait_for("the failed run", lambda: finished(stack, INVENTORY_DAG, run_id), 60, stack) == "failed"


def test_a_stale_inventory_fires_the_freshness_alert_with_its_run_id(stack: Stack, slack: SlackReceiver):
    netsuite = stack.config.netsuite_url
    # the extract's first RESTlet call hangs well past the freshness deadline (then answers)
    sandbox(netsuite, "POST", "/_sandbox/faults", json=latency(RESTLET_PATH, FRESHNESS_SECONDS + 20) | {"count": 1})
    started = time.monotonic()
    run_id = trigger(stack, INVENTORY_DAG)
    texts = wait_for("the freshness alert", lambda: alerts(slack, "Data is stale", run_id), 120, stack, every=0.5)
    METRICS[f"stale run: trigger to freshness alert (deadline {FRESHNESS_SECONDS} s), s"] = round(
        time.monotonic() - started, 1
    )
    text = texts[0]
    assert f"run {run_id}, try 0" in text
    assert f"within {FRESHNESS_SECONDS / 60:g} minutes" in text
    dag_runs_link = next(link for link in re.findall(r"https?://\S+", text) if "/runs/" in link)
    assert unquote(dag_runs_link).endswith(f"/dags/{INVENTORY_DAG}/runs/{run_id}")
    assert_link_works(stack, dag_runs_link)


def test_the_netsuite_pool_kept_peak_concurrency_within_the_account_limit(stack: Stack):
    concurrency = sandbox(stack.config.netsuite_url, "GET", "/_sandbox/state")["concurrency"]
    METRICS["NetSuite peak in-flight requests / account limit / pool slots"] = (
        f"{concurrency['peak']} / {concurrency['limit']} / {stack.config.pool_slots}"
    )
    assert concurrency["limit"] == stack.config.netsuite_concurrency_limit
    assert 1 <= concurrency["peak"] <= stack.config.pool_slots <= concurrency["limit"]
    assert concurrency["rejected"] == 0


def test_mapped_runs_leave_no_xcom_not_found_errors(stack: Stack):
    logs = [*(stack.config.run_dir / "logs").glob("*.log"), *(stack.config.home / "logs").rglob("*.log")]
    assert len(logs) > 10
    hits = [p for p in logs if "XCom not found" in p.read_text(errors="replace")]
    assert not hits, f"'XCom not found' logged in {hits}"
