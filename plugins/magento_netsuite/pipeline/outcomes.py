"""What happened to each extracted record, and the run summary that proves nothing was lost.

Every record a flow extracts ends in exactly one outcome: loaded, unchanged (already in sync), or
quarantined (in the error queue with its field and a fix hint). :func:`summarize` checks that by
key, not just by count, and names any record that has no outcome or two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from magento_netsuite.errorqueue.hints import fix_hint
from magento_netsuite.errorqueue.records import QuarantineRecord, RecordOutcome, Status

if TYPE_CHECKING:  # pandas and pyarrow are imported in the tasks, never when a DAG file is parsed
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "ConservationError",
    "QuarantineRecord",
    "RecordOutcome",
    "RunContext",
    "RunSummary",
    "Status",
    "outcome_from_dict",
    "outcome_to_dict",
    "quarantined",
    "summarize",
    "summarize_keys",
]


@dataclass(frozen=True)
class RunContext:
    """Where a record is processed: the DAG run and task that go onto its error-queue row, and how
    many parallel requests the task may make (its ``pool_slots``; ``None`` outside a pool)."""

    run_id: str
    dag_id: str | None = None
    task_id: str | None = None
    try_number: int | None = None
    map_index: int = -1
    request_slots: int | None = None

    def workers(self, hook_limit: int) -> int:
        """Parallel requests: the hook's own bound, capped by the task's pool slots."""
        return max(1, min(hook_limit, self.request_slots or hook_limit))


def quarantined(
    flow: str,
    entity: str,
    key: str,
    payload: Mapping[str, Any],
    *,
    error_class: str,
    message: str,
    field_path: str | None,
    ctx: RunContext,
    code: str | None = None,
) -> RecordOutcome:
    """A quarantined outcome carrying its error-queue record, fix hint included."""
    record = QuarantineRecord(
        flow=flow,
        entity=entity,
        record_key=key,
        error_class=error_class,
        message=message,
        payload=dict(payload),
        field_path=field_path,
        code=code,
        dag_id=ctx.dag_id,
        run_id=ctx.run_id,
        task_id=ctx.task_id,
        try_number=ctx.try_number,
    )
    record.fix_hint = fix_hint(record)
    return RecordOutcome(key, Status.QUARANTINED, error=record)


class ConservationError(AssertionError):
    """Extracted records and outcomes don't add up: something would have been silently dropped."""


@dataclass
class RunSummary:
    flow: str
    run_id: str
    extracted: int
    loaded: int = 0
    unchanged: int = 0
    quarantined: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        return (
            f"{self.flow} {self.run_id}: extracted={self.extracted} = loaded={self.loaded} "
            f"+ unchanged={self.unchanged} + quarantined={self.quarantined}"
        )


def summarize(
    flow: str,
    run_id: str,
    extracted_keys: list[str],
    outcomes: list[RecordOutcome],
    extra: dict[str, Any] | None = None,
) -> RunSummary:
    """Build the run summary; raise :class:`ConservationError` unless each key has exactly one outcome."""
    import pandas as pd

    counts = Counter(o.status.value for o in outcomes)
    keys = pd.Series([o.key for o in outcomes], dtype="str")
    return summarize_keys(flow, run_id, pd.Series(extracted_keys, dtype="str"), keys, counts, extra)


def summarize_keys(
    flow: str,
    run_id: str,
    extracted_keys: pd.Series | pa.ChunkedArray,
    outcome_keys: pd.Series | pa.ChunkedArray,
    counts: Mapping[str, int],
    extra: dict[str, Any] | None = None,
) -> RunSummary:
    """:func:`summarize` on columns (pandas or Arrow): the extracted keys, the outcomes' keys and the
    count of outcomes per :class:`Status` value. Sorted, not hashed: for runs of millions of records."""
    from magento_netsuite.pipeline.frames import absent, repeated, same_keys, sorted_keys

    extracted, keys = sorted_keys(extracted_keys), sorted_keys(outcome_keys)
    problems = []
    extracted_twice = repeated(extracted)
    if len(extracted_twice):
        problems.append(f"extracted twice: {_first(extracted_twice)}")
    if not same_keys(extracted, keys):
        missing = absent(extracted, keys)
        if len(missing):
            problems.append(f"{len(missing)} extracted record(s) without an outcome: {_first(missing)}")
        unexpected = absent(keys, extracted)
        if len(unexpected):
            problems.append(f"{len(unexpected)} outcome(s) for records never extracted: {_first(unexpected)}")
    doubled = repeated(keys)
    if len(doubled):
        problems.append(f"{len(doubled)} record(s) with more than one outcome: {_first(doubled)}")
    if problems:
        raise ConservationError(f"{flow} {run_id}: " + "; ".join(problems))
    return RunSummary(
        flow=flow,
        run_id=run_id,
        extracted=len(extracted),
        loaded=int(counts.get(Status.LOADED.value, 0)),
        unchanged=int(counts.get(Status.UNCHANGED.value, 0)),
        quarantined=int(counts.get(Status.QUARANTINED.value, 0)),
        extra=dict(extra or {}),
    )


def _first(keys: Any, n: int = 10) -> list[str]:
    """The first ``n`` of sorted Arrow ``keys`` (every array here comes from sorted keys)."""
    return [str(k) for k in keys.slice(0, n).to_pylist()]


def outcome_to_dict(outcome: RecordOutcome) -> dict[str, Any]:
    """An outcome as a JSON-able row for a staged batch file."""
    return {
        "key": outcome.key,
        "status": outcome.status.value,
        "target_id": outcome.target_id,
        "error": asdict(outcome.error) if outcome.error is not None else None,
    }


def outcome_from_dict(row: Mapping[str, Any]) -> RecordOutcome:
    error = QuarantineRecord(**row["error"]) if row.get("error") else None
    return RecordOutcome(str(row["key"]), Status(row["status"]), target_id=row.get("target_id"), error=error)
