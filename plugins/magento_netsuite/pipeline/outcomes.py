"""What happened to each extracted record, and the run summary that proves nothing was lost.

Every record a flow extracts ends in exactly one outcome: loaded, unchanged (already in sync), or
quarantined (in the error queue with its field and a fix hint). :func:`summarize` checks that by
key, not just by count, and names any record that has no outcome or two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from magento_netsuite.errorqueue.hints import fix_hint
from magento_netsuite.errorqueue.records import QuarantineRecord, RecordOutcome, Status

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
    extracted = Counter(extracted_keys)
    seen = Counter(o.key for o in outcomes)
    duplicated_extract = sorted(k for k, n in extracted.items() if n > 1)
    missing = sorted(set(extracted) - set(seen))
    unexpected = sorted(set(seen) - set(extracted))
    doubled = sorted(k for k, n in seen.items() if n > 1)
    problems = []
    if duplicated_extract:
        problems.append(f"extracted twice: {duplicated_extract[:10]}")
    if missing:
        problems.append(f"{len(missing)} extracted record(s) without an outcome: {missing[:10]}")
    if unexpected:
        problems.append(f"{len(unexpected)} outcome(s) for records never extracted: {unexpected[:10]}")
    if doubled:
        problems.append(f"{len(doubled)} record(s) with more than one outcome: {doubled[:10]}")
    if problems:
        raise ConservationError(f"{flow} {run_id}: " + "; ".join(problems))
    by_status = Counter(o.status for o in outcomes)
    return RunSummary(
        flow=flow,
        run_id=run_id,
        extracted=len(extracted_keys),
        loaded=by_status[Status.LOADED],
        unchanged=by_status[Status.UNCHANGED],
        quarantined=by_status[Status.QUARANTINED],
        extra=dict(extra or {}),
    )


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
