"""The task bodies every flow DAG calls: extract → transform → load → quarantine → summarize.

Each takes the flow's name (the declaration is imported here, in the worker, not at parse time) and
small dicts from the tasks before it. Records travel as staged files (:mod:`.staging`); XCom carries
only URIs and counts. Nothing here touches Airflow's metadata DB: watermarks, the error queue and the
ledger live in ``mns_store``.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any

from more_itertools import chunked

from magento_netsuite.config import NETSUITE_POOL
from magento_netsuite.errorqueue.records import RecordOutcome, Status
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.pipeline import outcomes as run_outcomes
from magento_netsuite.pipeline.flow import DELTA, FULL, Flow, Record
from magento_netsuite.pipeline.outcomes import RunContext, outcome_from_dict, outcome_to_dict
from magento_netsuite.pipeline.registry import flow_spec
from magento_netsuite.pipeline.staging import iter_batch, read_batch, write_batch
from magento_netsuite.pipeline.watermark import Cursor, Watermarks, Window, plan_window

log = logging.getLogger(__name__)
TOP_REASONS = 5
LOGGED_QUARANTINES = 50


def context(ti: Any, run_id: str) -> RunContext:
    """The run context of a task: its run, task, try, map index, and the parallel requests it may make
    (its ``pool_slots`` when it runs in the NetSuite pool)."""
    task = getattr(ti, "task", None)
    slots = getattr(task, "pool_slots", None) if getattr(task, "pool", None) == NETSUITE_POOL else None
    return RunContext(
        run_id=run_id,
        dag_id=ti.dag_id,
        task_id=ti.task_id,
        try_number=ti.try_number,
        map_index=getattr(ti, "map_index", -1) if getattr(ti, "map_index", None) is not None else -1,
        request_slots=slots,
    )


def _columnar() -> ModuleType:
    """The columnar path (pandas, pyarrow): imported in the task that needs it, never at DAG parse time."""
    from magento_netsuite.pipeline import columnar

    return columnar


def _seconds(clock: float) -> float:
    return round(time.monotonic() - clock, 3)


def _cpu(clock: float) -> float:
    """CPU seconds of this process since ``clock`` (``time.process_time()``): the task's own work, apart
    from the time it waited on the systems."""
    return round(time.process_time() - clock, 3)


# ---------------------------------------------------------------- extract


def read_window(flow: Flow, window: Window, ctx: RunContext) -> tuple[list[Record], Cursor, bool]:
    """The records of ``window`` (each key once, its latest version; at most ``window.max_records`` when
    the flow pages in change order),
    the cursor the summary may move to once they are all settled, and whether a backlog remains."""
    records: dict[str, Record] = {}
    last: Cursor | None = None
    truncated = False
    for page in flow.extract(window, ctx):
        for record in page:
            if flow.cursor is not None:
                position = flow.cursor(record)
                if not window.admits(position):
                    continue  # settled by an earlier run (same second, lower tie-break key)
                if len(records) >= window.max_records:
                    truncated = True
                    break
                last = position if last is None or position > last else last
            key = flow.key(record)
            records.pop(key, None)  # a record changed while we paged: keep its latest version, once
            records[key] = record
        if truncated:
            break
    upper = Cursor(window.until)
    return list(records.values()), (last if truncated and last is not None else upper), truncated


def _stream_window(flow: Flow, window: Window, ctx: RunContext) -> dict[str, Any]:
    """A streamed flow's records staged as they are read (``{"uri", "count"}``): no run-sized dict."""
    if flow.cursor is not None or flow.extract is None:
        raise TypeError(f"flow {flow.name}: a streamed flow reads its whole window (no cursor) through extract")
    count = 0

    def records() -> Iterator[Record]:
        nonlocal count
        for page in flow.extract(window, ctx):  # type: ignore[misc]
            count += len(page)
            yield from page

    uri = write_batch(flow.name, ctx.run_id, "extracted", records())
    return {"uri": uri, "count": count}


def extract(flow_name: str, params: Mapping[str, Any] | None, ctx: RunContext) -> dict[str, Any]:
    """Read everything after the flow's cursor up to the safe bound (or from Param ``since``; ``mode=full``
    reads everything) and stage it. The cursor itself moves only in :func:`summarize`."""
    clock, cpu = time.monotonic(), time.process_time()
    flow = flow_spec(flow_name)
    params = params or {}
    full = params.get("mode") == FULL
    window = plan_window(flow.name, flow.watermark_settings(), since=params.get("since"), full=full)
    log.info("extract %s: reading %s", flow.name, window.describe())
    if flow.columnar is not None:
        staged, cursor_to, truncated = _columnar().read_window(flow, window, ctx), Cursor(window.until), False
    elif flow.streamed:
        staged, cursor_to, truncated = _stream_window(flow, window, ctx), Cursor(window.until), False
    else:
        records, cursor_to, truncated = read_window(flow, window, ctx)
        staged = {"uri": write_batch(flow.name, ctx.run_id, "extracted", records), "count": len(records)}
    behind = (window.until - cursor_to.at).total_seconds() if truncated else 0.0
    stored = Watermarks().get(flow.name) if window.origin == "since param" else None
    keep_cursor = window.origin == "since param" and (stored is None or window.since is None or window.since > stored)
    if keep_cursor:
        log.info("extract %s: a backfill from after the cursor (%s) leaves the cursor where it is", flow.name, stored)
    if truncated:
        log.warning(
            "extract %s: backlog: read the oldest %d change(s), up to %s; changes until %s remain (%.1f h behind): "
            "the next runs catch up",
            flow.name,
            staged["count"],
            cursor_to,
            window.until.isoformat(),
            behind / 3600,
        )
    log.info("extract %s: %d record(s); once settled, the cursor moves to %s", flow.name, staged["count"], cursor_to)
    return {
        "uri": staged["uri"],
        "count": staged["count"],
        "mode": FULL if full else DELTA,
        "window": {"since": str(window.since) if window.since else None, "until": window.until.isoformat()},
        "origin": window.origin,
        "cursor_to": None if keep_cursor else cursor_to.as_list(),
        "truncated": truncated,
        "behind_seconds": round(behind),
        "seconds": _seconds(clock),
        "cpu_seconds": _cpu(cpu),
    }


# ---------------------------------------------------------------- transform


def transform(flow_name: str, extracted: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """The flow's ownership-filtered transform; rows to load are staged in chunks, settled records apart."""
    clock, cpu = time.monotonic(), time.process_time()
    flow = flow_spec(flow_name)
    if flow.columnar is not None:
        staged = _columnar().transform(flow, extracted, extracted.get("mode", DELTA), ctx)
        log.info("transform %s: %d row(s) to load; settled already: %s", flow.name, staged["ready"], staged["settled"])
        return {**staged, "seconds": _seconds(clock), "cpu_seconds": _cpu(cpu)}
    records = iter_batch(extracted["uri"]) if flow.streamed else read_batch(extracted["uri"])
    result = flow.transform(records, ctx, mode=extracted.get("mode", DELTA))
    ready = result.ready if flow.streamed else list(result.ready)
    size = flow.load_chunk or (max(1, len(ready)) if isinstance(ready, list) else 10_000)
    chunks = [
        {"uri": write_batch(flow.name, ctx.run_id, f"ready-{n:04d}", part), "count": len(part), "index": n}
        for n, part in enumerate(chunked(ready, size))
    ] or [{"uri": write_batch(flow.name, ctx.run_id, "ready-0000", []), "count": 0, "index": 0}]
    staged = sum(c["count"] for c in chunks)
    counts = Counter(o.status.value for o in result.settled)  # complete once ``ready`` is exhausted
    log.info("transform %s: %d row(s) to load; settled already: %s", flow.name, staged, dict(counts))
    return {
        "extracted_uri": extracted["uri"],
        "settled_uri": write_batch(flow.name, ctx.run_id, "settled", (outcome_to_dict(o) for o in result.settled)),
        "chunks": chunks,
        "ready": staged,
        "quarantined": counts[Status.QUARANTINED.value],
        "extra": result.extra,
        "seconds": _seconds(clock),
        "cpu_seconds": _cpu(cpu),
    }


# ---------------------------------------------------------------- load


def load(flow_name: str, chunk: Mapping[str, Any], extracted_uri: str, ctx: RunContext) -> dict[str, Any]:
    """Write one staged chunk through the flow's load; a rejected record keeps its source payload."""
    clock, cpu = time.monotonic(), time.process_time()
    flow = flow_spec(flow_name)
    if flow.columnar is not None:
        staged = _columnar().load(flow, chunk, extracted_uri, ctx)
        counts = {k: v for k, v in staged.items() if "uri" not in k}
        log.info("load %s chunk %s: %s", flow.name, chunk.get("index", 0), counts)
        return {**staged, "seconds": _seconds(clock), "cpu_seconds": _cpu(cpu)}
    rows = read_batch(chunk["uri"])
    outcomes = flow.load(rows, ctx)
    side = {r["key"]: r["side"] for r in rows if r.get("side")}
    rejected = [o for o in outcomes if o.error is not None and o.key not in side]
    if rejected:
        wanted = {o.key for o in rejected}
        source = {key: r for r in iter_batch(extracted_uri) if (key := flow.key(r)) in wanted}
        for outcome in rejected:
            outcome.error.payload = source.get(outcome.key, outcome.error.payload)  # type: ignore[union-attr]
    counts = Counter(o.status.value for o in outcomes)
    log.info("load %s chunk %s: %s", flow.name, chunk.get("index", 0), dict(counts))
    staged = ({**outcome_to_dict(o), "side": side.get(o.key)} for o in outcomes)
    name = f"loaded-{chunk.get('index', 0):04d}"
    return {
        "uri": write_batch(flow.name, ctx.run_id, name, staged),
        **counts,
        "seconds": _seconds(clock),
        "cpu_seconds": _cpu(cpu),
    }


def load_results(loaded: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The return values of one load task, or of every mapped one, as a list.

    A mapped task's results reach a downstream task as Airflow's lazy XCom sequence; iterating it
    fetches item by item until an index is missing, which the worker logs as an error (``XCom not
    found ... offset=N``) after every mapped run. A full slice is one request and no miss.
    """
    if isinstance(loaded, Mapping):
        return [loaded]
    if isinstance(loaded, Sequence):
        return list(loaded[:])
    return list(loaded)


def loaded_rows(loaded: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The staged outcome rows of one load task or of every mapped one."""
    parts = load_results(loaded)
    return [row for part in parts for row in read_batch(part["uri"])]


def after_load(
    flow_name: str, transformed: Mapping[str, Any], loaded: Mapping[str, Any], ctx: RunContext
) -> dict[str, Any]:
    """The flow's side effect (write-back) on the records that are in the target now."""
    flow = flow_spec(flow_name)
    if flow.after_load is None:
        raise LookupError(f"flow {flow.name} declares no after_load step")
    rows = [row for chunk in transformed["chunks"] for row in read_batch(chunk["uri"])]
    outcomes = [outcome_from_dict(r) for r in loaded_rows(loaded) if not r.get("side")]
    report = flow.after_load(rows, outcomes, ctx)
    log.info("%s after load: %s", flow.name, report)
    return report


# ---------------------------------------------------------------- quarantine


def _error_uris(transformed: Mapping[str, Any], loaded: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[str]:
    return _columnar().error_uris(transformed, load_results(loaded))


def quarantine(
    flow_name: str,
    transformed: Mapping[str, Any],
    loaded: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    ctx: RunContext,
) -> dict[str, Any]:
    """Put every record this run could not sync into the error queue (invalid in the transform, rejected
    by the target in the load); one open row per flow and record. Returns the counts the grid shows."""
    if "errors_uri" in transformed:  # a columnar flow stages only the quarantined records' rows
        rows = [r for uri in _error_uris(transformed, loaded) for r in read_batch(uri)]
    else:
        rows = read_batch(transformed["settled_uri"]) + loaded_rows(loaded)
    records = [outcome_from_dict(r).error for r in rows if r.get("error")]
    records = [r for r in records if r is not None]
    if records:
        ErrorQueueStore.from_connection().quarantine(records)
    for record in records[:LOGGED_QUARANTINES]:
        log.warning("quarantined %s at %s: %s", record.record_key, record.field_path, record.message)
    if len(records) > LOGGED_QUARANTINES:
        log.warning("... and %d more (see the Error Queue page)", len(records) - LOGGED_QUARANTINES)
    by_class = Counter(r.error_class for r in records)
    by_field = Counter(r.field_path or "" for r in records)
    log.info(
        "quarantine %s %s: %d record(s) to the error queue %s", flow_name, ctx.run_id, len(records), dict(by_class)
    )
    return {"quarantined": len(records), "by_class": dict(by_class), "by_field": dict(by_field.most_common(10))}


# ---------------------------------------------------------------- summarize


def _top_reasons(outcomes: list[RecordOutcome]) -> list[tuple[str, str, int]]:
    reasons = Counter(
        (o.error.field_path or "", o.error.message.split(";")[0].split(":")[0]) for o in outcomes if o.error is not None
    )
    return [(f, m, n) for (f, m), n in reasons.most_common(TOP_REASONS)]


def _summarize_records(
    flow: Flow,
    extracted: Mapping[str, Any],
    transformed: Mapping[str, Any],
    loaded: list[Mapping[str, Any]],
    extra: dict[str, Any],
    open_keys: set[str],
    ctx: RunContext,
) -> tuple[run_outcomes.RunSummary, list[str], list[RecordOutcome]]:
    """The summary of a flow staged as JSON lines, the keys in ``open_keys`` it synced and its
    quarantined outcomes."""
    keys = [flow.key(r) for r in iter_batch(extracted["uri"])]
    outcomes = [outcome_from_dict(r) for r in read_batch(transformed["settled_uri"])]
    side: dict[str, Counter[str]] = {}
    side_keys: dict[str, list[str]] = {}
    for row in loaded_rows(loaded):
        if row.get("side"):
            side.setdefault(row["side"], Counter())[row["status"]] += 1
            if row["status"] == Status.LOADED.value:
                side_keys.setdefault(row["side"], []).append(row["key"])
        else:
            outcomes.append(outcome_from_dict(row))
    extra["side"] = {kind: dict(c) for kind, c in side.items()}
    extra["side_keys"] = {kind: sorted(k)[:200] for kind, k in side_keys.items()}
    summary = run_outcomes.summarize(flow.name, ctx.run_id, keys, outcomes, extra=extra)
    synced = [o.key for o in outcomes if o.status is not Status.QUARANTINED and o.key in open_keys]
    return summary, synced, [o for o in outcomes if o.status is Status.QUARANTINED]


def summarize(
    flow_name: str,
    extracted: Mapping[str, Any],
    transformed: Mapping[str, Any],
    loaded: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    ctx: RunContext,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """extracted = loaded + unchanged + quarantined, by key; then resolve what synced, move the cursor,
    and digest what was quarantined. Fails (and alerts) when the counts don't add up."""
    from magento_netsuite.alerts import send_quarantine_digest

    flow = flow_spec(flow_name)
    parts = load_results(loaded)
    run_extra = {
        "mode": extracted.get("mode"),
        "window": extracted.get("window"),
        "origin": extracted.get("origin"),
        "truncated": extracted.get("truncated", False),
        "behind_seconds": extracted.get("behind_seconds", 0),
        "work_seconds": {
            "extract": extracted.get("seconds"),
            "transform": transformed.get("seconds"),
            "load": round(sum(p.get("seconds", 0) for p in parts), 3),
        },
        "work_cpu_seconds": {
            "extract": extracted.get("cpu_seconds"),
            "transform": transformed.get("cpu_seconds"),
            "load": round(sum(p.get("cpu_seconds", 0) for p in parts), 3),
        },
    }
    store = ErrorQueueStore.from_connection()
    # the keys with an active row (none, in the usual large inventory run): the only ones a sync resolves
    open_keys = set(store.active_keys(flow.name)) if store.count(flow=flow.name) > 0 else set()
    if flow.columnar is not None:
        summary, synced, quarantined = _columnar().summarize(
            flow, extracted, transformed, parts, run_extra, open_keys, ctx
        )
    else:
        summary, synced, quarantined = _summarize_records(
            flow, extracted, transformed, parts, run_extra, open_keys, ctx
        )
    summary.extra.update({**transformed.get("extra", {}), **(extra or {})})
    resolved = 0
    if synced:
        resolved = store.synced(flow.name, synced, by=ctx.dag_id or flow.dag_id, supersede=flow.supersede_stale_errors)
    summary.extra["resolved"] = resolved
    to = extracted["cursor_to"]
    moved = Watermarks().advance(flow.name, Cursor.from_list(to), ctx.run_id) if to else False
    summary.extra["cursor"] = {"to": extracted["cursor_to"], "moved": moved}
    if quarantined:
        by_class = Counter(o.error.error_class for o in quarantined if o.error is not None)
        summary.extra["digest_sent"] = send_quarantine_digest(
            flow.name, flow.dag_id, ctx.run_id, dict(by_class), _top_reasons(quarantined)
        )
    log.info(
        "%s (created by this run: %d, already in the target: %d; previously quarantined, now resolved: %d)",
        summary.line(),
        summary.loaded,
        summary.unchanged,
        resolved,
    )
    if extracted.get("truncated"):
        behind = summary.extra["behind_seconds"] / 3600
        log.warning("%s is %.1f h behind; the next run continues from %s", flow.name, behind, extracted["cursor_to"][0])
    for outcome in quarantined[:LOGGED_QUARANTINES]:
        assert outcome.error is not None
        log.info("  quarantined %s: %s | fix: %s", outcome.key, outcome.error.message, outcome.error.fix_hint)
    result = summary.as_dict()
    if flow.finish is not None:
        flow.finish(result, ctx)
    return result
