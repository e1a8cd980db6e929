"""Staged tables: large flat batches travel between tasks as Parquet parts, read back chunk by chunk.

The JSON-lines batches of :mod:`.staging` hold a run's records as one list, which is right for orders
and customers (nested, thousands) and wrong for a million SKUs × locations (a Python dict per row, the
whole batch in memory at once). A columnar flow stages its rows here instead: a dataset is a folder
of Parquet files of at most ``part_rows`` rows under the same staging root (local or object storage,
:func:`.staging.staging_root`), written as pages arrive and read back one part at a time, so a task's
memory follows the part size, not the catalog. Strings come back as pandas' Arrow-backed ``str``
(a few bytes a value, not a Python object each).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from airflow.sdk import ObjectStoragePath

from magento_netsuite.pipeline.staging import batch_path

PART_ROWS = 100_000


class FrameWriter:
    """Appends frames to a staged dataset; a part is written each time ``part_rows`` rows are buffered.

    :meth:`close` writes the last part and returns ``{"uri", "count", "part_counts"}`` for XCom. A
    dataset with no rows still has one (empty) part carrying ``schema``, so a reader knows its columns.
    Writing to a name again (a retried task) replaces the dataset.
    """

    def __init__(
        self, flow: str, run_id: str, name: str, *, schema: pa.Schema | None = None, part_rows: int | None = None
    ) -> None:
        self.root = batch_path(flow, run_id, name).with_suffix("")
        self.root.mkdir(parents=True, exist_ok=True)
        for stale in self.root.glob("part-*.parquet"):
            stale.unlink()
        self.schema = schema
        self.part_rows = part_rows or PART_ROWS
        self.buffer: list[pd.DataFrame] = []
        self.buffered = 0
        self.count = 0
        self.part_counts: list[int] = []

    def write(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            if self.schema is None:
                self.schema = pa.Schema.from_pandas(frame, preserve_index=False)
            return
        self.buffer.append(frame)
        self.buffered += len(frame)
        if self.buffered >= self.part_rows:
            self._flush()

    def _flush(self, *, last: bool = False) -> None:
        """Write the buffered rows as whole parts (and, when ``last``, the rest as a smaller one)."""
        if not self.buffer:
            return
        frame = pd.concat(self.buffer, ignore_index=True) if len(self.buffer) > 1 else self.buffer[0]
        whole = len(frame) if last else len(frame) - len(frame) % self.part_rows
        for start in range(0, whole, self.part_rows):
            self._write_part(pa.Table.from_pandas(frame.iloc[start : start + self.part_rows], preserve_index=False))
        rest = frame.iloc[whole:]
        self.buffer, self.buffered = ([rest], len(rest)) if len(rest) else ([], 0)

    def _write_part(self, table: pa.Table) -> None:
        if self.schema is None:
            self.schema = table.schema  # every part of a dataset has the first part's schema
        elif table.schema != self.schema:
            table = table.cast(self.schema)
        path = self.root / f"part-{len(self.part_counts):05d}.parquet"
        with path.open("wb") as fh:
            pq.write_table(table, fh, compression="snappy")
        self.part_counts.append(table.num_rows)
        self.count += table.num_rows

    def close(self) -> dict[str, Any]:
        self._flush(last=True)
        if not self.part_counts:
            self._write_part((self.schema or pa.schema([])).empty_table())
        return {"uri": str(self.root), "count": self.count, "part_counts": self.part_counts}


def _parts(uri: str) -> list[ObjectStoragePath]:
    return sorted(ObjectStoragePath(uri).glob("part-*.parquet"), key=lambda p: p.name)


def read_part(uri: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One part file (a load chunk)."""
    with ObjectStoragePath(uri).open("rb") as fh:
        return pq.read_table(fh, columns=columns).to_pandas()


def read_tables(uri: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """The dataset's parts as Arrow tables (no pandas copy), in order."""
    for part in _parts(uri):
        with part.open("rb") as fh:
            yield pq.read_table(fh, columns=columns)


def read_frames(uri: str, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The dataset's parts in order, one frame each (only ``columns`` when given)."""
    for part in _parts(uri):
        yield read_part(str(part), columns)


def sorted_keys(values: pd.Series | pa.ChunkedArray) -> pa.Array:
    """The keys as one sorted Arrow string array. Sorting keeps a key check at two copies of the keys;
    a hash set of a few million strings (``isin``, ``duplicated``) takes several times that."""
    if isinstance(values, pa.ChunkedArray):
        keys = values.cast(pa.large_string())
    elif len(values):
        keys = pa.chunked_array([pa.array(values, type=pa.large_string())])
    else:
        keys = pa.chunked_array([], pa.large_string())
    return pc.take(keys, pc.sort_indices(keys)).combine_chunks()


def repeated(keys: pa.Array) -> pa.Array:
    """The values appearing more than once in sorted ``keys``, once each."""
    if len(keys) < 2:
        return keys.slice(0, 0)
    return pc.unique(keys.slice(1).filter(pc.equal(keys.slice(1), keys.slice(0, len(keys) - 1))))


def same_keys(a: pa.Array, b: pa.Array) -> bool:
    """Whether two sorted key arrays hold the same keys, in one vectorised comparison."""
    return len(a) == len(b) and (len(a) == 0 or bool(pc.all(pc.equal(a, b)).as_py()))


def absent(keys: pa.Array, others: pa.Array) -> pa.Array:
    """The distinct values of ``keys`` not in ``others`` (a hash set: for the rare run that fails its check)."""
    distinct = pc.unique(keys)
    return distinct.filter(pc.invert(pc.is_in(distinct, value_set=pc.unique(others))))
