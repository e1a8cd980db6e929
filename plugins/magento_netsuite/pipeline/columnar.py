"""The kit's steps for a columnar flow (:class:`~.flow.Columnar`): the same tasks and XCom shapes as
:mod:`.tasks`, with records staged as Parquet parts (:mod:`.frames`) and handled a part at a time.

Outcomes are frames of ``key``, ``status`` and ``side``; only the quarantined records carry an
error-queue row, staged as JSON lines like every other flow's, so the quarantine step is shared.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from magento_netsuite.errorqueue.records import RecordOutcome, Status
from magento_netsuite.pipeline.flow import Columnar, Flow, FrameOutcomes
from magento_netsuite.pipeline.frames import FrameWriter, read_frames, read_part, read_tables
from magento_netsuite.pipeline.outcomes import (
    RunContext,
    RunSummary,
    outcome_from_dict,
    outcome_to_dict,
    summarize_keys,
)
from magento_netsuite.pipeline.staging import read_batch, write_batch
from magento_netsuite.pipeline.watermark import Window

log = logging.getLogger(__name__)
OUTCOME_SCHEMA = pa.schema([("key", pa.large_string()), ("status", pa.large_string()), ("side", pa.large_string())])


def parts(flow: Flow) -> Columnar:
    if flow.columnar is None or flow.cursor is not None:
        raise TypeError(f"flow {flow.name} is not columnar (or pages by a cursor, which a columnar flow cannot)")
    return flow.columnar


def read_window(flow: Flow, window: Window, ctx: RunContext) -> dict[str, Any]:
    """Stage every row of the window as it is read; ``{"uri", "count", "part_counts"}``."""
    writer = FrameWriter(flow.name, ctx.run_id, "extracted")
    for page in parts(flow).extract(window, ctx):
        writer.write(page)
    return writer.close()


def _outcome_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[["key", "status"]].copy()
    out["side"] = frame.get("side", None)
    return out


class _Sink:
    """The :class:`~.flow.FrameSink` of one transform: ready rows in load-sized parts, settled apart."""

    def __init__(self, flow: Flow, ctx: RunContext) -> None:
        self.ready_rows = FrameWriter(flow.name, ctx.run_id, "ready", part_rows=flow.load_chunk or 100_000)
        self.settled_rows = FrameWriter(flow.name, ctx.run_id, "settled", schema=OUTCOME_SCHEMA)
        self.quarantined: list[RecordOutcome] = []
        self.statuses: Counter[str] = Counter()

    def ready(self, rows: pd.DataFrame) -> None:
        self.ready_rows.write(rows)

    def settled(self, outcomes: FrameOutcomes) -> None:
        self.settled_rows.write(_outcome_frame(outcomes.frame))
        self.quarantined.extend(outcomes.quarantined)
        self.statuses.update({str(k): int(n) for k, n in outcomes.frame["status"].value_counts().items()})


def transform(flow: Flow, extracted: Mapping[str, Any], mode: str, ctx: RunContext) -> dict[str, Any]:
    """The flow's transform over the extracted parts; the ready parts become the load chunks."""
    sink = _Sink(flow, ctx)
    extra = parts(flow).transform(read_frames(extracted["uri"]), ctx, mode, sink)
    ready = sink.ready_rows.close()
    settled = sink.settled_rows.close()
    chunks = [
        {"uri": f"{ready['uri']}/part-{n:05d}.parquet", "count": count, "index": n}
        for n, count in enumerate(ready["part_counts"])
    ]
    errors = write_batch(flow.name, ctx.run_id, "settled-errors", (outcome_to_dict(o) for o in sink.quarantined))
    return {
        "extracted_uri": extracted["uri"],
        "settled_uri": settled["uri"],
        "errors_uri": errors,
        "chunks": chunks,
        "ready": ready["count"],
        "quarantined": len(sink.quarantined),
        "settled": dict(sink.statuses),
        "extra": extra,
    }


def source_rows(extracted_uri: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The extracted rows of ``keys`` (a rejected record keeps its source payload in the error queue)."""
    wanted = pd.Index(list(keys), dtype="str")
    found: dict[str, dict[str, Any]] = {}
    for part in read_frames(extracted_uri):
        hits = part[part["key"].isin(wanted)]
        found.update((str(r["key"]), r) for r in hits.astype(object).where(hits.notna(), None).to_dict("records"))
    return found


def load(flow: Flow, chunk: Mapping[str, Any], extracted_uri: str, ctx: RunContext) -> dict[str, Any]:
    """Write one ready part through the flow's frame load; outcomes staged as a frame, errors as JSON lines."""
    rows = read_part(chunk["uri"])
    result = parts(flow).load(rows, ctx)
    frame = _outcome_frame(
        result.frame.drop(columns=["side"], errors="ignore").merge(
            rows[["key"] + (["side"] if "side" in rows else [])], on="key", how="left"
        )
    )
    side_keys = set(frame.loc[frame["side"].notna(), "key"])
    rejected = [o for o in result.quarantined if o.key not in side_keys and o.error is not None]
    if rejected:
        source = source_rows(extracted_uri, (o.key for o in rejected))
        for outcome in rejected:
            outcome.error.payload = source.get(outcome.key, outcome.error.payload)  # type: ignore[union-attr]
    name = f"loaded-{chunk.get('index', 0):04d}"
    staged = FrameWriter(flow.name, ctx.run_id, name, schema=OUTCOME_SCHEMA)
    staged.write(frame)
    errors = write_batch(flow.name, ctx.run_id, f"{name}-errors", (outcome_to_dict(o) for o in result.quarantined))
    counts = frame["status"].value_counts().to_dict()
    return {"uri": staged.close()["uri"], "errors_uri": errors, **{str(k): int(v) for k, v in counts.items()}}


def summarize(
    flow: Flow,
    extracted: Mapping[str, Any],
    transformed: Mapping[str, Any],
    loaded: list[Mapping[str, Any]],
    extra: dict[str, Any],
    open_keys: set[str],
    ctx: RunContext,
) -> tuple[RunSummary, list[str], list[RecordOutcome]]:
    """The summary (conservation checked by key, vectorised), the keys in ``open_keys`` this run synced
    and the quarantined outcomes (side work's refusals are in the error queue but not among them).

    Read as Arrow columns, part by part, never as one pandas frame: at three million records the keys
    and their sorted copies are most of the task's memory."""
    keys = pa.chunked_array([t.column("key") for t in read_tables(extracted["uri"], ["key"])], pa.large_string())
    parts = [transformed["settled_uri"], *(p["uri"] for p in loaded)]
    tables = [t.cast(OUTCOME_SCHEMA) for uri in parts for t in read_tables(uri, ["key", "status", "side"])]
    outcomes = pa.concat_tables(tables) if tables else OUTCOME_SCHEMA.empty_table()
    is_side = pc.is_valid(outcomes.column("side"))
    side = outcomes.filter(is_side).to_pandas()
    extra["side"] = {
        str(kind): {str(s): int(n) for s, n in group["status"].value_counts().items() if n}
        for kind, group in side.groupby("side")
    }
    extra["side_keys"] = {
        str(kind): sorted(group.loc[group["status"] == Status.LOADED.value, "key"].head(200).tolist())
        for kind, group in side.groupby("side")
    }
    main = outcomes.filter(pc.invert(is_side)) if len(side) else outcomes
    counts = {str(c["values"]): int(c["counts"]) for c in pc.value_counts(main.column("status")).to_pylist()}
    summary = summarize_keys(flow.name, ctx.run_id, keys, main.column("key"), counts, extra)
    side_keys = set(side["key"])
    quarantined = [
        outcome
        for uri in error_uris(transformed, loaded)
        for outcome in map(outcome_from_dict, read_batch(uri))
        if outcome.key not in side_keys
    ]
    synced: list[str] = []
    if open_keys:
        ok = main.filter(pc.not_equal(main.column("status"), Status.QUARANTINED.value)).column("key")
        synced = ok.filter(pc.is_in(ok, value_set=pa.array(sorted(open_keys), pa.large_string()))).to_pylist()
    return summary, synced, quarantined


def error_uris(transformed: Mapping[str, Any], loaded: list[Mapping[str, Any]]) -> list[str]:
    """The staged error-queue rows of the transform and of every load chunk."""
    return [transformed["errors_uri"]] + [part["errors_uri"] for part in loaded]
