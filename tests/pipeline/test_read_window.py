"""tasks.read_window with a flow made of plain functions: tie-break, bounded slices, duplicates, unordered sources."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from magento_netsuite.pipeline.flow import Flow, Transformed
from magento_netsuite.pipeline.outcomes import RunContext
from magento_netsuite.pipeline.tasks import read_window
from magento_netsuite.pipeline.watermark import Cursor, Window, parse_time

T0 = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)
UNTIL = T0 + timedelta(hours=1)
CTX = RunContext(run_id="run-1", dag_id="dag", task_id="extract")


def rec(key: str, second: int, version: int = 1) -> dict[str, Any]:
    """A source record changed ``second`` seconds after T0 (Magento's text format)."""
    changed = (T0 + timedelta(seconds=second)).strftime("%Y-%m-%d %H:%M:%S")
    return {"id": key, "updated_at": changed, "version": version}


def position(record: Mapping[str, Any]) -> Cursor:
    return Cursor(parse_time(record["updated_at"], what="updated_at"), record["id"])


class Source:
    """``extract``: serves fixed pages and counts how many were pulled (the kit may stop early)."""

    def __init__(self, *pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.pulled = 0
        self.windows: list[Window] = []

    def __call__(self, window: Window, ctx: RunContext) -> Iterator[list[dict[str, Any]]]:
        self.windows.append(window)
        for page in self.pages:
            self.pulled += 1
            yield list(page)


def make_flow(source: Source, *, ordered: bool = True) -> Flow:
    def not_called(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("read_window must only extract")

    def transform(records: list[dict[str, Any]], ctx: RunContext, *, mode: str) -> Transformed:
        return not_called()

    return Flow(
        name="fake_flow",
        dag_id="fake_dag",
        entity="thing",
        key=lambda r: r["id"],
        extract=source,
        transform=transform,
        load=not_called,
        reread=not_called,
        cursor=position if ordered else None,
    )


def window(since: Cursor | None = None, max_records: int = 100) -> Window:
    return Window(since, UNTIL, max_records, "cursor" if since else "full")


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]


def test_complete_read_moves_to_the_windows_upper_bound() -> None:
    source = Source([rec("000001", 1), rec("000002", 2)], [rec("000003", 3)])
    records, cursor, truncated = read_window(make_flow(source), window(), CTX)
    assert ids(records) == ["000001", "000002", "000003"]
    assert cursor == Cursor(UNTIL)
    assert truncated is False
    assert source.windows == [window()]  # the flow is handed the window itself


def test_empty_window() -> None:
    records, cursor, truncated = read_window(make_flow(Source([])), window(Cursor(T0)), CTX)
    assert (records, cursor, truncated) == ([], Cursor(UNTIL), False)


def test_records_at_or_before_the_since_cursor_are_dropped() -> None:
    since = Cursor(T0 + timedelta(seconds=5), "000005")
    source = Source(
        [rec("000009", 4), rec("000004", 5), rec("000005", 5)],  # settled by the last run
        [rec("000006", 5), rec("000001", 6)],  # same second, higher key; a later second, any key
    )
    records, cursor, truncated = read_window(make_flow(source), window(since), CTX)
    assert ids(records) == ["000006", "000001"]
    assert (cursor, truncated) == (Cursor(UNTIL), False)


def test_max_records_truncates_at_the_last_read_cursor() -> None:
    source = Source([rec("000001", 1), rec("000002", 2)], [rec("000003", 2), rec("000004", 3)], [rec("000005", 4)])
    records, cursor, truncated = read_window(make_flow(source), window(max_records=3), CTX)
    assert ids(records) == ["000001", "000002", "000003"]
    assert cursor == Cursor(T0 + timedelta(seconds=2), "000003")
    assert truncated is True
    assert source.pulled == 2  # stopped reading once the slice was full


def test_next_slice_continues_after_the_truncation_cursor() -> None:
    """Two runs with max_records=2 over records sharing a second: nothing skipped, nothing twice."""
    pages = [rec("000001", 1), rec("000002", 1), rec("000003", 1), rec("000004", 2)]
    first, cursor, truncated = read_window(make_flow(Source(pages)), window(max_records=2), CTX)
    assert truncated and ids(first) == ["000001", "000002"]
    second, cursor, truncated = read_window(make_flow(Source(pages)), window(cursor, max_records=2), CTX)
    assert ids(second) == ["000003", "000004"]
    assert truncated is False and cursor == Cursor(UNTIL)  # exactly max_records left: not a backlog


def test_dropped_records_do_not_count_against_max_records() -> None:
    since = Cursor(T0 + timedelta(seconds=1), "000002")
    source = Source([rec("000001", 1), rec("000002", 1), rec("000003", 1), rec("000004", 2)])
    records, cursor, truncated = read_window(make_flow(source), window(since, max_records=2), CTX)
    assert ids(records) == ["000003", "000004"]
    assert (cursor, truncated) == (Cursor(UNTIL), False)


def test_a_record_changed_while_paging_appears_once_latest_version() -> None:
    source = Source(
        [rec("000001", 1, version=1), rec("000002", 2)],
        [rec("000003", 3), rec("000001", 4, version=2)],  # 000001 changed again while we paged
    )
    records, cursor, truncated = read_window(make_flow(source), window(), CTX)
    assert ids(records) == ["000002", "000003", "000001"]
    assert records[-1]["version"] == 2
    assert (cursor, truncated) == (Cursor(UNTIL), False)


def test_a_record_changed_again_beyond_a_full_slice_is_read_by_the_next_run() -> None:
    """The newer version of a key already in a full slice is past the slice: the next run reads it."""
    pages = [rec("000001", 1, version=1), rec("000002", 2), rec("000001", 3, version=2), rec("000003", 4)]
    first, cursor, truncated = read_window(make_flow(Source(pages)), window(max_records=2), CTX)
    assert truncated is True
    assert [(r["id"], r["version"]) for r in first] == [("000001", 1), ("000002", 1)]
    assert cursor == Cursor(T0 + timedelta(seconds=2), "000002")
    second, cursor, truncated = read_window(make_flow(Source(pages)), window(cursor, max_records=2), CTX)
    assert [(r["id"], r["version"]) for r in second] == [("000001", 2), ("000003", 1)]
    assert (cursor, truncated) == (Cursor(UNTIL), False)


def test_unordered_flow_reads_the_whole_window_and_moves_to_until() -> None:
    since = Cursor(T0 + timedelta(seconds=30), "zzz")
    pages = [{"id": f"SKU-{n}@WH1", "qty": n} for n in range(5)]
    source = Source(pages[:3], pages[3:], [{"id": "SKU-0@WH1", "qty": 99}])
    records, cursor, truncated = read_window(make_flow(source, ordered=False), window(since, max_records=2), CTX)
    assert ids(records) == ["SKU-1@WH1", "SKU-2@WH1", "SKU-3@WH1", "SKU-4@WH1", "SKU-0@WH1"]
    assert records[-1]["qty"] == 99
    assert (cursor, truncated) == (Cursor(UNTIL), False)
    assert source.pulled == 3


def test_zero_max_records_never_skips_the_window() -> None:
    source = Source([rec("000001", 1), rec("000002", 2)])
    try:
        records, cursor, _ = read_window(make_flow(source), window(Cursor(T0), max_records=0), CTX)
    except ValueError:
        return  # refusing max_records=0 is a fix too
    assert records == []
    assert cursor <= Cursor(T0)  # the next run must still read 000001
