"""A flow declares its parts; the kit (:mod:`.tasks`) runs them with watermarks, staging, quarantine,
the write loop, summaries and replay.

A flow is its real logic (how to read the source, how to turn a batch into target writes, how to
write them) plus this declaration in ``flows/<flow>/flow.py``. Each part receives a
:class:`RunContext` (which run, which task, how many parallel requests it may make) and returns plain
data the kit stages between tasks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from magento_netsuite.errorqueue.records import RecordOutcome
from magento_netsuite.pipeline.outcomes import RunContext
from magento_netsuite.pipeline.watermark import Cursor, WatermarkSettings, Window

if TYPE_CHECKING:  # a columnar flow's frames; pandas is imported in the tasks, never at DAG parse time
    import pandas as pd

Record = dict[str, Any]
DELTA, FULL, REPLAY = "delta", "full", "replay"
"""Transform modes: records changed since the cursor; everything (repair drift); records a person retried."""


@dataclass
class Transformed:
    """What a transform made of a batch: rows to load, and records it settled already.

    ``ready`` rows carry ``"key"`` (the extracted record's key). A row with ``"side": "<kind>"`` is extra
    work that is not an extracted record (e.g. zeroing stock NetSuite no longer has): its outcome is
    reported under ``side`` in the summary, outside the extracted = loaded + unchanged + quarantined sum.
    """

    ready: Iterable[Record] = field(default_factory=list)
    """A list, or for a :attr:`Flow.streamed` flow an iterator the kit stages chunk by chunk as it runs;
    ``settled`` and ``extra`` are read once it is exhausted."""
    settled: list[RecordOutcome] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FrameOutcomes:
    """What a columnar step settled: ``frame`` with ``key`` and ``status`` (a :class:`Status` value; a
    ``side`` column for side work) and the quarantined records with their error-queue rows."""

    frame: pd.DataFrame
    quarantined: list[RecordOutcome] = field(default_factory=list)


class FrameSink(Protocol):
    """Where a columnar transform puts its results, part by part (the kit stages them)."""

    def ready(self, rows: pd.DataFrame) -> None:
        """Rows to load (a ``key`` column; ``side`` names side work, as in :class:`Transformed`)."""

    def settled(self, outcomes: FrameOutcomes) -> None:
        """Extracted records the transform settled (unchanged, or quarantined)."""


@dataclass(frozen=True)
class Columnar:
    """The parts of a flow whose records are rows of one flat table, too many to hold as dicts (stock
    per SKU and location across a million-SKU catalog). The kit stages them as Parquet parts
    (:mod:`.frames`) and hands them over a part at a time, so memory follows the part, not the catalog.
    Every frame carries the record key in a ``key`` column. The list-based parts of :class:`Flow`
    stay in use for replay (a handful of records) and should call the same frame logic."""

    extract: Callable[[Window, RunContext], Iterable[pd.DataFrame]]
    """Pages of source rows in the window, each key once (the read pages by a keyset, no cursor)."""
    transform: Callable[[Iterator[pd.DataFrame], RunContext, str, FrameSink], dict[str, Any]]
    """``(extracted parts, ctx, mode, sink)`` → the summary's ``extra``."""
    load: Callable[[pd.DataFrame, RunContext], FrameOutcomes]
    """One chunk of ready rows → one outcome per row."""


class Extract(Protocol):
    def __call__(self, window: Window, ctx: RunContext) -> Iterable[list[Record]]: ...


class Transform(Protocol):
    def __call__(self, records: list[Record], ctx: RunContext, *, mode: str) -> Transformed: ...


class Load(Protocol):
    def __call__(self, rows: list[Record], ctx: RunContext) -> list[RecordOutcome]: ...


class Reread(Protocol):
    def __call__(self, keys: list[str], ctx: RunContext) -> Mapping[str, Record | None]: ...


class AfterLoad(Protocol):
    def __call__(self, rows: list[Record], outcomes: list[RecordOutcome], ctx: RunContext) -> dict[str, Any]: ...


class Finish(Protocol):
    def __call__(self, summary: dict[str, Any], ctx: RunContext) -> None: ...


@dataclass(frozen=True)
class Flow:
    """One data flow between Magento and NetSuite, as the kit needs to know it."""

    name: str
    """The flow's name in the mapping document and the error queue (``orders_magento_to_netsuite``)."""
    dag_id: str
    entity: str
    key: Callable[[Mapping[str, Any]], str]
    """The stable key of an extracted record (increment id, ``SKU@source``): one outcome per key."""
    transform: Transform
    load: Load
    reread: Reread
    """Replay: the current source record of each key (``None`` when the source no longer has it)."""
    extract: Extract | None = None
    """Pages of source records in the window. With ``cursor``, oldest change first. (A columnar flow
    reads through :attr:`Columnar.extract` instead.)"""
    cursor: Callable[[Mapping[str, Any]], Cursor] | None = None
    """A record's position in the source's change order. ``None``: the source can't page in that order
    (a RESTlet keyset-paged on item id), so a run reads its whole window and the cursor moves to the
    window's upper bound."""
    after_load: AfterLoad | None = None
    """A side effect on the records now in the target (the write-back), run by its own task and by replay.
    It must be idempotent across overlapping runs: use :class:`~.ledger.SideEffects`."""
    finish: Finish | None = None
    """Called by the summary after the cursor moved (flow-specific checks; may raise to alert)."""
    supersede_stale_errors: bool = False
    """A record is a snapshot of a changing value (stock, a price): a newer sync supersedes its queued error."""
    initial_lookback: timedelta = timedelta(days=1)
    safe_lag: timedelta = timedelta(minutes=2)
    max_records: int = 5000
    load_chunk: int | None = None
    """Rows per mapped load task (``None``: one load task)."""
    streamed: bool = False
    """Records are staged as they are read and handed to the transform as an iterator, one at a time,
    and its ``ready`` rows may come as an iterator: memory follows the flow's own chunks (pricing), not
    the run. Needs ``cursor=None`` (a run reads its whole window) and keys that repeat in no page."""
    columnar: Columnar | None = None
    """Set for a flow staged as Parquet parts (:class:`Columnar`); its ``cursor`` must be ``None``."""

    def __post_init__(self) -> None:
        if (self.extract is None) == (self.columnar is None):
            raise TypeError(f"flow {self.name}: declare exactly one of extract (records) or columnar (frames)")

    def watermark_settings(self) -> WatermarkSettings:
        """The declared defaults, overridable per flow by ``MNS_<FLOW>_INITIAL_LOOKBACK_HOURS``,
        ``MNS_<FLOW>_SAFE_LAG_SECONDS`` and ``MNS_<FLOW>_MAX_RECORDS`` (``<FLOW>`` upper-cased)."""
        prefix = f"MNS_{self.name.upper()}_"
        return WatermarkSettings(
            initial_lookback=timedelta(
                hours=_env_number(f"{prefix}INITIAL_LOOKBACK_HOURS", self.initial_lookback.total_seconds() / 3600)
            ),
            safe_lag=timedelta(seconds=_env_number(f"{prefix}SAFE_LAG_SECONDS", self.safe_lag.total_seconds())),
            max_records=int(_env_number(f"{prefix}MAX_RECORDS", self.max_records, minimum=1)),
        )


def _env_number(name: str, default: float, minimum: float = 0) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"environment variable {name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"environment variable {name} must be at least {minimum:g}, got {raw!r}")
    return value
