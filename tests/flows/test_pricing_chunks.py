"""The pricing plan, load and audit sample in chunks give what one pass over the whole catalog gives.

``plan`` with ``plan_chunk`` 1, 2 or 3 SKUs is compared with the same plan in one chunk (the
unchunked semantics) against a snapshot in SQLite and in PostgreSQL: writes, deletes of removed
prices, contract groups, quarantined SKUs, removed SKUs of a full run, and an idempotent rerun.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

from magento_netsuite.connectors.magento import PriceFailure
from magento_netsuite.flows.pricing import load as load_module
from magento_netsuite.flows.pricing.audit import sample_skus
from magento_netsuite.flows.pricing.load import load_prices
from magento_netsuite.flows.pricing.plan import PricePlan, plan, sku_chunks
from magento_netsuite.flows.pricing.settings import pricing_settings
from magento_netsuite.flows.pricing.snapshot import PriceSnapshot
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RunContext, Status
from tests.flows.test_pricing_rules import item
from tests.pipeline.conftest import engine as engine  # the store fixture: SQLite file, PostgreSQL schema

DOC = load_mapping_document()
SETTINGS = pricing_settings(DOC)
CTX = RunContext(run_id="chunks", dag_id="netsuite_pricing_to_magento", task_id="t")
CONTRACT_LEVELS = {"2001": "2", "2002": None}
LEVELS = {"1": {0: 20.0, 10: 19.0, 50: 18.0}, "2": {0: 17.0, 10: 16.0}, "3": {0: 15.0, 50: 14.0}}


def catalog() -> list[dict[str, Any]]:
    """Six SKUs: plain, with contract prices, one split over two consecutive records, one invalid."""
    split = item("C", LEVELS)
    return [
        item("A", LEVELS),
        item("B", LEVELS, {"2001": 12.0}),
        {**split, "prices": split["prices"][:5]},  # C's rows straddle a chunk edge of 1 or 3 SKUs:
        {**split, "prices": split["prices"][:1] + split["prices"][5:]},  # its Distributor tiers come second
        item("D", {"2": {0: 9.0}}),  # no Base Price: quarantined
        item("E", {**LEVELS, "2": {0: 16.5, 10: 15.0}}, {"2002": 11.0}),
        item("F", LEVELS),
    ]


def snapshot_of(engine: sa.Engine) -> PriceSnapshot:
    """What an earlier run pushed: A as now, B with a changed price and a break NetSuite dropped since,
    E with its contract group's old price, and G and H (NetSuite no longer prices them)."""
    snapshot = PriceSnapshot(engine)
    first = plan(
        [item("A", LEVELS), item("B", {**LEVELS, "2": {0: 17.5, 10: 16.0, 100: 15.0}}), item("E", LEVELS),
         item("G", LEVELS, {"2001": 10.0}), item("H", LEVELS)],
        reference="snapshot", contract_levels=CONTRACT_LEVELS, settings=SETTINGS, doc=DOC, ctx=CTX, snapshot=snapshot,
    )  # fmt: skip
    record(snapshot, first)
    return snapshot


def record(snapshot: PriceSnapshot, planned: PricePlan) -> None:
    """What load records once Magento accepted every planned row."""
    rows = planned.ready + planned.removed
    written = [(r["sku"], "", 0.0, r["base"]) for r in rows if r["base"] is not None]
    written += [(r["sku"], g, q, p) for r in rows for g, q, p in r["upsert"]]
    snapshot.apply(written, [(r["sku"], g, q) for r in rows for g, q, _p in r["delete"]], CTX.run_id)


def canonical(planned: PricePlan) -> dict[str, Any]:
    """The plan without the order chunks visit SKUs in."""

    def rows(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted(
            (r["sku"], r["base"], tuple(sorted(map(tuple, r["upsert"]))), tuple(sorted(map(tuple, r["delete"]))))
            for r in found
        )

    return {
        "ready": rows(planned.ready),
        "removed": rows(planned.removed),
        "outcomes": sorted((o.key, o.status, o.error.message if o.error else None) for o in planned.outcomes),
        "extra": {k: v for k, v in planned.extra.items() if k != "unrepresentable_examples"},
    }


def run_plan(snapshot: PriceSnapshot, chunk: int, *, full: bool) -> PricePlan:
    return plan(
        catalog(), reference="snapshot", contract_levels=CONTRACT_LEVELS, settings=replace(SETTINGS, plan_chunk=chunk),
        doc=DOC, ctx=CTX, snapshot=snapshot, clear_removed=full,
    )  # fmt: skip


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_a_chunked_full_plan_is_the_one_chunk_plan(engine: sa.Engine, chunk: int) -> None:
    snapshot = snapshot_of(engine)
    whole = run_plan(snapshot, 1000, full=True)
    chunked = run_plan(snapshot, chunk, full=True)

    assert canonical(chunked) == canonical(whole)
    ready = {r["sku"]: r for r in chunked.ready}
    assert set(ready) == {"B", "C", "E", "F"}  # A is as pushed; D is invalid
    assert ["Wholesale", 100.0, 15.0] in ready["B"]["delete"]  # a break NetSuite dropped goes
    assert ["CONTRACT-2002", 1.0, 11.0] in ready["E"]["upsert"]  # E's new contract price in its group
    c_groups = {g for r in chunked.ready if r["sku"] == "C" for g, _q, _p in r["upsert"]}
    assert {"Wholesale", "Distributor"} <= c_groups  # C planned from both its records at once
    assert {r["sku"] for r in chunked.removed} == {"G", "H"}
    assert ["CONTRACT-2001", 1.0, 10.0] in next(r for r in chunked.removed if r["sku"] == "G")["delete"]
    assert [o.key for o in chunked.outcomes if o.status == Status.QUARANTINED] == ["D"]


@pytest.mark.parametrize("chunk", [1, 4])
def test_a_delta_plan_leaves_skus_netsuite_did_not_send_alone(engine: sa.Engine, chunk: int) -> None:
    snapshot = snapshot_of(engine)
    planned = run_plan(snapshot, chunk, full=False)

    assert canonical(planned) == canonical(run_plan(snapshot, 1000, full=False))
    assert planned.removed == []


def test_a_rerun_after_a_chunked_load_writes_nothing(engine: sa.Engine) -> None:
    snapshot = snapshot_of(engine)
    record(snapshot, run_plan(snapshot, 2, full=True))

    again = run_plan(snapshot, 2, full=True)

    assert again.ready == [] and again.removed == []
    assert again.extra["rows_to_write"] == 0 and again.extra["rows_to_delete"] == 0
    assert {o.key for o in again.outcomes if o.status == Status.UNCHANGED} == {"A", "B", "C", "E", "F"}


def test_snapshot_pages_counts_and_lookups(engine: sa.Engine) -> None:
    snapshot = snapshot_of(engine)

    assert list(snapshot.sku_pages(2)) == [["A", "B"], ["E", "G"], ["H"]]
    assert list(snapshot.sku_pages(5)) == [["A", "B", "E", "G", "H"]]
    assert snapshot.count() == 5
    assert snapshot.present(["B", "Z", "H", "B"]) == {"B", "H"}
    g = snapshot.frame(["G"])
    assert set(g.sku) == {"G"} and {"", "Wholesale", "CONTRACT-2001", "CONTRACT-2002"} <= set(g.group)


@pytest.mark.parametrize("page", [1, 3, 100])
def test_the_audit_samples_the_snapshot_as_random_sample_samples_the_sorted_list(engine: sa.Engine, page: int) -> None:
    snapshot = snapshot_of(engine)
    every = sorted({"A", "B", "E", "G", "H"})

    for seed in ("run-1", "run-2", "run-3"):
        assert sample_skus(random.Random(seed), snapshot, 3, page) == random.Random(seed).sample(every, 3)


def test_chunks_never_cut_between_records_of_one_sku() -> None:
    records = [{"sku": s} for s in "AABCCCD"]

    assert [[r["sku"] for r in c] for c in sku_chunks(records, 2)] == [["A", "A", "B"], ["C", "C", "C", "D"]]
    assert [[r["sku"] for r in c] for c in sku_chunks(records, 1)] == [["A", "A"], ["B"], ["C", "C", "C"], ["D"]]


class PriceCalls:
    """Magento's price endpoints: counts the batches, refuses every row of ``refuse``."""

    concurrency = type("Concurrency", (), {"limit": 4})  # the hook's bound on parallel calls

    def __init__(self, refuse: str) -> None:
        self.refuse = refuse
        self.batches: dict[str, list[int]] = {"base": [], "tier": [], "delete": []}

    def _answer(self, kind: str, rows: list[dict[str, Any]]) -> list[PriceFailure]:
        self.batches[kind].append(len(rows))
        return [PriceFailure(r["sku"], "Product %1 is locked", "", {}) for r in rows if r["sku"] == self.refuse]

    def save_base_prices(self, rows: list[dict], batch_size: int | None = None) -> list[PriceFailure]:
        return self._answer("base", rows)

    def save_tier_prices(self, rows: list[dict], batch_size: int | None = None) -> list[PriceFailure]:
        return self._answer("tier", rows)

    def delete_tier_prices(self, rows: list[dict], batch_size: int | None = None) -> list[PriceFailure]:
        return self._answer("delete", rows)


def test_load_in_windows_makes_the_fewest_calls_and_settles_skus_across_window_edges(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load_module, "WINDOW_BATCHES", 1)
    monkeypatch.setattr(load_module, "ensure_contract_groups", lambda *_a: [])
    snapshot = PriceSnapshot(engine)
    rows = [
        {"key": f"S{n}", "sku": f"S{n}", "base": 10.0 + n,
         "upsert": [["Wholesale", float(q), 9.0] for q in (1, 10, 50)], "delete": [["Retailer", 1.0, 8.0]] * (n % 2)}
        for n in range(7)
    ]  # fmt: skip
    hook = PriceCalls(refuse="S3")  # S3's tiers straddle two windows of 2 x 4 = 8 rows

    outcomes = load_prices(hook, rows, replace(SETTINGS, batch_size=2), DOC, snapshot, CTX)  # type: ignore[arg-type]

    sizes = {kind: sorted(found, reverse=True) for kind, found in hook.batches.items()}
    assert sizes == {"base": [2, 2, 2, 1], "tier": [2] * 10 + [1], "delete": [2, 1]}  # as one pass
    status = {o.key: o.status for o in outcomes}
    assert len(outcomes) == 7 and status.pop("S3") == Status.QUARANTINED
    assert set(status.values()) == {Status.LOADED}
    stored = snapshot.frame()
    assert set(stored.sku) == {f"S{n}" for n in range(7)} - {"S3"}
    assert len(stored) == 6 * 4
