"""The unit the error queue stores (one failed record: what failed, why, how to fix it), and the
outcome every flow gives each record it extracted (loaded, unchanged or quarantined with that unit).

Both live here, below the flow kit (``magento_netsuite.pipeline``), so the queue's replay can read
outcomes without importing the kit: imports run one way, kit → error queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ERROR_CLASSES = (
    "validation",  # a field fails the mapping document's validation, or the target rejected its value
    "reference",  # a reference does not resolve (unknown SKU, unmapped location, unknown customer group)
    "not_found",  # the record itself is gone
    "transient_exhausted",  # timeouts / 429 / 5xx past every retry
    "auth",  # credentials refused
    "conflict",  # the target holds a different record under the same key
    "unexpected",  # a bug or an error nobody classified yet
    "total_mismatch",  # the record was created, but the target's computed total disagrees with the source's
)


@dataclass
class QuarantineRecord:
    """A record a flow could not sync. ``fix_hint`` is filled from the hint catalogue when left empty."""

    flow: str
    entity: str
    record_key: str
    error_class: str
    message: str
    payload: dict[str, Any] = field(default_factory=dict)
    field_path: str | None = None
    code: str | None = None
    fix_hint: str | None = None
    dag_id: str | None = None
    run_id: str | None = None
    task_id: str | None = None
    try_number: int | None = None

    def __post_init__(self) -> None:
        if self.error_class not in ERROR_CLASSES:
            raise ValueError(f"record {self.record_key!r}: unknown error class {self.error_class!r}")


class Status(StrEnum):
    LOADED = "loaded"
    UNCHANGED = "unchanged"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class RecordOutcome:
    """The fate of one record: ``error`` is set exactly when ``status`` is quarantined."""

    key: str
    status: Status
    target_id: str | None = None
    error: QuarantineRecord | None = None

    def __post_init__(self) -> None:
        if (self.status is Status.QUARANTINED) != (self.error is not None):
            raise ValueError(f"record {self.key!r}: a quarantined outcome needs an error, and only it")
