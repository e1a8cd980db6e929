"""The kit's columnar path with a flow made of plain functions: Parquet parts, load chunks, side work,
quarantine and the vectorised conservation check, through the same task bodies the DAGs call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.pipeline import frames, tasks
from magento_netsuite.pipeline.flow import Columnar, Flow, FrameOutcomes, FrameSink
from magento_netsuite.pipeline.outcomes import ConservationError, RunContext, Status, quarantined
from magento_netsuite.pipeline.watermark import Window

FLOW = "columnar_fake"
ROWS = 23


def page(start: int, stop: int) -> pd.DataFrame:
    return pd.DataFrame({"key": [f"K{n:03d}" for n in range(start, stop)], "value": list(range(start, stop))})


def make_flow(pages: list[pd.DataFrame], refused: set[str]) -> Flow:
    def extract(window: Window, ctx: RunContext) -> Iterator[pd.DataFrame]:
        yield from pages

    def transform(parts: Iterator[pd.DataFrame], ctx: RunContext, mode: str, sink: FrameSink) -> dict[str, Any]:
        seen = 0
        for part in parts:
            seen += 1
            bad = part["value"] % 10 == 3  # invalid in the transform
            same = part["value"] % 10 == 5  # already in the target
            errors = [
                quarantined(
                    FLOW, "thing", k, {"key": k}, error_class="validation", message="3s", field_path="value", ctx=ctx
                )
                for k in part.loc[bad, "key"]
            ]
            frame = pd.DataFrame({"key": part.loc[same, "key"], "status": Status.UNCHANGED.value})
            sink.settled(
                FrameOutcomes(
                    pd.concat([frame, pd.DataFrame({"key": part.loc[bad, "key"], "status": "quarantined"})]), errors
                )
            )
            sink.ready(part[~bad & ~same].assign(side=pd.Series(None, index=part[~bad & ~same].index, dtype="str")))
        sink.ready(pd.DataFrame({"key": ["Z1", "Z2"], "value": [0, 0], "side": ["cleanup", "cleanup"]}))
        return {"parts_seen": seen}

    def load(rows: pd.DataFrame, ctx: RunContext) -> FrameOutcomes:
        no = rows["key"].isin(refused)
        errors = [
            quarantined(
                FLOW, "thing", k, {"key": k}, error_class="validation", message="refused", field_path="value", ctx=ctx
            )
            for k in rows.loc[no, "key"]
        ]
        status = pd.Series(Status.LOADED.value, index=rows.index).where(~no, Status.QUARANTINED.value)
        return FrameOutcomes(pd.DataFrame({"key": rows["key"], "status": status}), errors)

    def unused(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the columnar path must not call the list parts")

    return Flow(
        name=FLOW,
        dag_id="columnar_fake_dag",
        entity="thing",
        key=lambda r: r["key"],
        transform=unused,
        load=unused,
        reread=unused,
        load_chunk=5,
        columnar=Columnar(extract=extract, transform=transform, load=load),
    )


@pytest.fixture
def kit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("AIRFLOW_CONN_MNS_STORE", json.dumps({"conn_type": "sqlite", "host": str(tmp_path / "s.db")}))
    monkeypatch.setenv("MNS_STAGING_URL", f"file://{tmp_path / 'staging'}")
    monkeypatch.setattr(frames, "PART_ROWS", 7)  # several extracted parts

    def run(flow: Flow, run_id: str = "manual__1") -> dict[str, Any]:
        monkeypatch.setattr(tasks, "flow_spec", lambda name: flow)
        ctx = RunContext(run_id=run_id, dag_id=flow.dag_id, task_id="t")
        extracted = tasks.extract(FLOW, {"mode": "full"}, ctx)
        transformed = tasks.transform(FLOW, extracted, ctx)
        loaded = [tasks.load(FLOW, chunk, transformed["extracted_uri"], ctx) for chunk in transformed["chunks"]]
        again = [tasks.load(FLOW, chunk, transformed["extracted_uri"], ctx) for chunk in transformed["chunks"]]
        assert [{k: v for k, v in a.items() if "seconds" not in k} for a in again] == [
            {k: v for k, v in a.items() if "seconds" not in k} for a in loaded
        ], "a retried load task stages the same outcomes in the same place"
        tasks.quarantine(FLOW, transformed, loaded, ctx)
        return {"transformed": transformed, "summary": tasks.summarize(FLOW, extracted, transformed, loaded, ctx)}

    return run


def test_every_record_ends_in_one_outcome_across_parts_and_chunks(kit, tmp_path: Path) -> None:
    flow = make_flow([page(0, 10), page(10, ROWS)], refused={"K004", "K017", "Z2"})
    result = kit(flow)
    summary, transformed = result["summary"], result["transformed"]
    assert [c["count"] for c in transformed["chunks"]] == [5, 5, 5, 5, 1]  # 19 rows + 2 side rows, 5 a chunk
    # K003, K013 invalid in the transform; K005, K015 unchanged; K004, K017 refused by the target
    counts = (summary["extracted"], summary["loaded"], summary["unchanged"], summary["quarantined"])
    assert counts == (ROWS, 17, 2, 4)
    assert summary["extra"]["side"] == {"cleanup": {"loaded": 1, "quarantined": 1}}
    assert summary["extra"]["side_keys"] == {"cleanup": ["Z1"]}
    assert summary["extra"]["parts_seen"] == 4  # 23 rows in parts of 7
    store = ErrorQueueStore.from_connection()
    assert sorted(store.active_keys(FLOW)) == ["K003", "K004", "K013", "K017", "Z2"]


def test_a_record_extracted_twice_fails_the_summary_by_name(kit) -> None:
    flow = make_flow([page(0, 6), page(5, 8)], refused=set())
    with pytest.raises(ConservationError, match=r"extracted twice: \['K005'\]"):
        kit(flow)


def test_a_dataset_written_again_replaces_its_parts_and_an_empty_one_keeps_its_columns(kit) -> None:
    first = frames.FrameWriter(FLOW, "run", "x", part_rows=2)
    first.write(page(0, 5))
    assert first.close()["part_counts"] == [2, 2, 1]
    again = frames.FrameWriter(FLOW, "run", "x", part_rows=2)
    again.write(page(0, 1))
    uri = again.close()["uri"]
    assert [f["key"].tolist() for f in frames.read_frames(uri)] == [["K000"]]  # no stale part of the first write
    writer = frames.FrameWriter(FLOW, "run", "e")
    writer.write(page(0, 0))
    empty = writer.close()
    assert empty["count"] == 0 and [list(f.columns) for f in frames.read_frames(empty["uri"])] == [["key", "value"]]
