"""Inventory (NetSuite → Magento) under faults, on SQLite and PostgreSQL: nothing lost, Magento never
sent a wrong stock, and an extract that fails leaves Magento untouched and alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from magento_netsuite.connectors.errors import AuthError, TransientError
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.inventory.constants import FLOW
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.alerts.receiver import SlackReceiver
from tests.chaos.conftest import FAST, Runner
from tests.chaos.invariants import FIGURES, count_summary
from tests.flows.conftest import FlowEnv, utc_now

SKUS = 20
SOURCES = {"1": "wh_east", "2": "wh_west", "3": "wh_central"}


def seed(env: FlowEnv) -> dict[tuple[str, str], float]:
    dataset = env.seed(SeedConfig(skus=SKUS, customers=1, orders=0, seed=23, now=utc_now() - timedelta(hours=1)))
    return {(i.sku, SOURCES[str(lvl.location_id)]): float(lvl.available) for i in dataset.items for lvl in i.inventory}


def magento_stock(env: FlowEnv) -> dict[tuple[str, str], float]:
    rows = env.magento.get("source-items")
    rows = rows.get("items", rows) if isinstance(rows, dict) else rows
    return {(r["sku"], r["source_code"]): float(r["quantity"]) for r in rows}


def source_item_posts(env: FlowEnv) -> int:
    return env.magento.calls("source-items") - env.magento.calls("GET")


def test_magento_rejects_a_share_of_the_skus_then_takes_them(chaos: FlowEnv) -> None:
    netsuite = seed(chaos)
    skus = sorted({sku for sku, _ in netsuite})
    refused = skus[::5]  # a fifth of the catalogue
    for sku in refused:
        chaos.magento.fault(kind="record", key=sku, message=f"The stock of {sku} was refused", field="quantity")

    first = count_summary(Runner(FLOW).run("chaos_refused", {"mode": "full"}))

    open_rows = {r.record_key for r in ErrorQueueStore.from_connection().open_errors(flow=FLOW, limit=1000)}
    assert {key.split("@")[0] for key in open_rows} == set(refused)
    assert first["quarantined"] == len(open_rows) and first["loaded"] == first["extracted"] - len(open_rows)
    stock = magento_stock(chaos)
    for (sku, source), available in netsuite.items():
        if sku not in refused:
            assert stock[sku, source] == max(0.0, available), (sku, source)

    chaos.magento.clear()  # Magento takes them again: the next run loads them and resolves the rows
    count_summary(Runner(FLOW).run("chaos_refused_again", {"mode": "full"}))
    stock = magento_stock(chaos)
    assert all(stock[key] == max(0.0, available) for key, available in netsuite.items())
    assert ErrorQueueStore.from_connection().count(flow=FLOW) == 0
    FIGURES["faults"] += 1


def test_restlet_down_alerts_and_leaves_magento_untouched(chaos: FlowEnv, slack: SlackReceiver) -> None:
    seed(chaos)
    before = magento_stock(chaos)
    chaos.netsuite.fault(kind="status", status=503, path="restlet")
    chaos.connect(magento=FAST, netsuite={**FAST, "max_attempts": 3})  # give up soon: it stays down
    runner = Runner(FLOW, retries=1)
    with pytest.raises(TransientError):
        runner.run("chaos_restlet_down")
    assert runner.alerts == ["extract: TransientError"]
    assert len(slack.requests) == 1 and "(transient" in slack.requests[0].body["text"]
    assert source_item_posts(chaos) == 0 and magento_stock(chaos) == before
    FIGURES["faults"] += 1


def test_auth_failure_mid_extract_alerts_at_once_and_leaves_magento_untouched(
    chaos: FlowEnv, slack: SlackReceiver
) -> None:
    seed(chaos)
    before = magento_stock(chaos)
    # a full read: one cursor per location; the fault hits one of the five location streams
    chaos.netsuite.fault(kind="auth", path="restlet", count=1)
    runner = Runner(FLOW, retries=3)
    with pytest.raises(AuthError):
        runner.run("chaos_auth", {"mode": "full"})
    assert runner.alerts == ["extract: AuthError"]  # not retried: credentials don't fix themselves
    assert len(slack.requests) == 1 and "(auth)" in slack.requests[0].body["text"]
    assert chaos.netsuite.calls("restlet") >= 2  # the other streams had answered: mid-extract
    assert source_item_posts(chaos) == 0 and magento_stock(chaos) == before
    FIGURES["faults"] += 1
