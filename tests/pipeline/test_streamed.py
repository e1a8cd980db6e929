"""A streamed flow through the kit's task bodies: records staged as read, handed to the transform one at a
time, ready rows staged chunk by chunk as the transform yields them, settled outcomes complete after."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from magento_netsuite.pipeline import tasks
from magento_netsuite.pipeline.flow import Flow, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status
from magento_netsuite.pipeline.staging import read_batch
from magento_netsuite.pipeline.watermark import Window

FLOW = "streamed_fake"


def make_flow(pages: list[list[dict[str, Any]]], seen: dict[str, Any]) -> Flow:
    def extract(window: Window, ctx: RunContext) -> Iterator[list[dict[str, Any]]]:
        yield from pages

    def transform(records: Iterable[dict[str, Any]], ctx: RunContext, *, mode: str) -> Transformed:
        seen["records"] = type(records).__name__
        settled: list[RecordOutcome] = []

        def ready() -> Iterator[dict[str, Any]]:
            for record in records:
                if record["n"] % 4 == 0:
                    settled.append(RecordOutcome(record["id"], Status.UNCHANGED))
                else:
                    yield {"key": record["id"], "n": record["n"]}

        return Transformed(ready=ready(), settled=settled)

    def load(rows: list[dict[str, Any]], ctx: RunContext) -> list[RecordOutcome]:
        return [RecordOutcome(r["key"], Status.LOADED) for r in rows]

    def unused(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("not part of a run")

    return Flow(
        name=FLOW,
        dag_id="streamed_fake_dag",
        entity="thing",
        key=lambda r: r["id"],
        extract=extract,
        transform=transform,
        load=load,
        reread=unused,
        load_chunk=4,
        streamed=True,
    )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_MNS_STORE", json.dumps({"conn_type": "sqlite", "host": str(tmp_path / "s.db")}))
    monkeypatch.setenv("MNS_STAGING_URL", f"file://{tmp_path / 'staging'}")


def test_records_and_ready_rows_stream_through_and_every_record_ends_in_one_outcome(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = [[{"id": f"R{n}", "n": n} for n in range(start, start + 5)] for start in range(0, 15, 5)]
    seen: dict[str, Any] = {}
    monkeypatch.setattr(tasks, "flow_spec", lambda name: make_flow(pages, seen))
    ctx = RunContext(run_id="manual__1", dag_id="streamed_fake_dag", task_id="t")
    extracted = tasks.extract(FLOW, {"mode": "full"}, ctx)
    assert extracted["count"] == 15 and len(read_batch(extracted["uri"])) == 15
    transformed = tasks.transform(FLOW, extracted, ctx)
    assert seen["records"] == "generator", "a streamed flow's transform is handed an iterator, not a list"
    assert [c["count"] for c in transformed["chunks"]] == [4, 4, 3]  # 11 rows (R0, R4, R8, R12 unchanged)
    assert transformed["ready"] == 11
    loaded = [tasks.load(FLOW, chunk, transformed["extracted_uri"], ctx) for chunk in transformed["chunks"]]
    summary = tasks.summarize(FLOW, extracted, transformed, loaded, ctx)
    assert (summary["extracted"], summary["loaded"], summary["unchanged"]) == (15, 11, 4)


def test_a_streamed_flow_with_a_cursor_is_refused(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    flow = make_flow([[{"id": "R1", "n": 1}]], {})
    object.__setattr__(flow, "cursor", lambda record: None)
    monkeypatch.setattr(tasks, "flow_spec", lambda name: flow)
    with pytest.raises(TypeError, match="a streamed flow reads its whole window"):
        tasks.extract(FLOW, {"mode": "full"}, RunContext(run_id="manual__2", dag_id="d", task_id="t"))
