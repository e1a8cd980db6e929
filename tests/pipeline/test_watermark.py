"""Watermarks: cursor order, time parsing, the window a run reads, and a cursor that only moves forwards."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from magento_netsuite.pipeline.watermark import (
    Cursor,
    Watermarks,
    WatermarkSettings,
    Window,
    parse_time,
    plan_window,
)

from .conftest import Clock

T0 = datetime(2026, 11, 30, 9, 35, 5, tzinfo=UTC)
T1 = T0 + timedelta(seconds=1)
SETTINGS = WatermarkSettings(initial_lookback=timedelta(hours=6), safe_lag=timedelta(minutes=2), max_records=100)


# ---------------------------------------------------------------- Cursor


def test_cursor_orders_by_time_then_key() -> None:
    shuffled = [Cursor(T1, "a"), Cursor(T0, "b"), Cursor(T0), Cursor(T1), Cursor(T0, "a")]
    assert sorted(shuffled) == [Cursor(T0), Cursor(T0, "a"), Cursor(T0, "b"), Cursor(T1), Cursor(T1, "a")]


def test_cursor_time_wins_over_key() -> None:
    assert Cursor(T0, "zzz") < Cursor(T1, "")
    assert Cursor(T1, "") > Cursor(T0, "zzz")


def test_cursor_empty_key_sorts_first_within_its_second() -> None:
    assert Cursor(T0) == Cursor(T0, "")
    assert Cursor(T0, "") < Cursor(T0, "0")
    assert not Cursor(T0, "") < Cursor(T0, "")


def test_cursor_list_round_trip_and_str() -> None:
    cursor = Cursor(T0, "000042")
    assert Cursor.from_list(cursor.as_list()) == cursor
    assert Cursor.from_list(tuple(cursor.as_list())) == cursor
    assert str(cursor) == "2026-11-30T09:35:05+00:00#000042"
    assert str(Cursor(T0)) == "2026-11-30T09:35:05+00:00"


# ---------------------------------------------------------------- parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30 09:35:05", T0),  # Magento's format, naive means UTC
        ("2026-11-30T09:35:05Z", T0),
        ("2026-11-30T09:35:05.250Z", T0 + timedelta(milliseconds=250)),
        ("2026-11-30T09:35:05+00:00", T0),
        ("2026-11-30T11:35:05+02:00", T0),
        ("2026-11-30T09:35:05", T0),
        ("  2026-11-30 09:35:05 ", T0),
    ],
)
def test_parse_time_strings(text: str, expected: datetime) -> None:
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_parse_time_datetimes() -> None:
    assert parse_time(datetime(2026, 11, 30, 9, 35, 5)) == T0  # naive: UTC
    aware = parse_time(datetime(2026, 11, 30, 4, 35, 5, tzinfo=timezone(timedelta(hours=-5))))
    assert aware == T0
    assert aware.tzinfo is UTC


@pytest.mark.parametrize("bad", ["yesterday", "", "2026-13-01 00:00:00", "30/11/2026", None])
def test_parse_time_bad_input_names_what(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^Param since must be an ISO-8601 date-time, got ") as caught:
        parse_time(bad, what="Param since")
    assert repr(bad) in str(caught.value)


def test_parse_time_default_what() -> None:
    with pytest.raises(ValueError, match=r"^timestamp must be"):
        parse_time("nope")


# ---------------------------------------------------------------- Window


def test_window_admits_strictly_after_since_with_tie_break() -> None:
    window = Window(Cursor(T0, "000005"), T1 + timedelta(hours=1), 10, "cursor")
    assert not window.admits(Cursor(T0 - timedelta(seconds=1), "999999"))
    assert not window.admits(Cursor(T0, "000004"))  # same second, settled by the last run
    assert not window.admits(Cursor(T0, "000005"))  # the last settled record itself
    assert window.admits(Cursor(T0, "000006"))
    assert window.admits(Cursor(T1, ""))


def test_window_without_since_admits_everything() -> None:
    window = Window(None, T1, 10, "full")
    assert window.admits(Cursor(datetime(1970, 1, 1, tzinfo=UTC)))
    assert window.describe().startswith("after the beginning (full) until ")


def test_window_since_without_key_admits_later_keys_of_the_same_second() -> None:
    window = Window(Cursor(T0), T1, 10, "since param")
    assert not window.admits(Cursor(T0))
    assert window.admits(Cursor(T0, "000001"))


# ---------------------------------------------------------------- plan_window


def test_plan_window_initial_lookback_when_no_cursor(engine: sa.Engine, clock: Clock) -> None:
    window = plan_window("flow_a", SETTINGS, watermarks=Watermarks(engine))
    until = datetime(2026, 11, 30, 11, 58, 0, tzinfo=UTC)  # 12:00:00.654321 - 2 min, microseconds dropped
    assert window.until == until
    assert window.since == Cursor(until - timedelta(hours=6))
    assert window.origin == "initial lookback"
    assert window.max_records == 100


def test_plan_window_until_is_truncated_to_seconds(engine: sa.Engine, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 30, 12, 0, 7, 999999, tzinfo=UTC)
    window = plan_window("flow_a", SETTINGS, full=True, watermarks=Watermarks(engine))
    assert window.until == datetime(2026, 11, 30, 11, 58, 7, tzinfo=UTC)
    assert window.until.microsecond == 0


def test_plan_window_uses_stored_cursor(engine: sa.Engine, clock: Clock) -> None:
    marks = Watermarks(engine)
    marks.advance("flow_a", Cursor(T0, "000007"), "run-1")
    window = plan_window("flow_a", SETTINGS, watermarks=marks)
    assert window.since == Cursor(T0, "000007")
    assert window.origin == "cursor"
    other = plan_window("flow_b", SETTINGS, watermarks=marks)  # cursors are per flow
    assert other.origin == "initial lookback"


@pytest.mark.parametrize("since", ["2026-11-01 00:00:00", "2026-11-01T00:00:00Z", datetime(2026, 11, 1, tzinfo=UTC)])
def test_plan_window_since_param_wins_over_cursor(engine: sa.Engine, clock: Clock, since: object) -> None:
    marks = Watermarks(engine)
    marks.advance("flow_a", Cursor(T0, "000007"), "run-1")
    window = plan_window("flow_a", SETTINGS, since=since, watermarks=marks)  # type: ignore[arg-type]
    assert window.since == Cursor(datetime(2026, 11, 1, tzinfo=UTC))
    assert window.origin == "since param"


def test_plan_window_empty_since_means_cursor(engine: sa.Engine, clock: Clock) -> None:
    marks = Watermarks(engine)
    marks.advance("flow_a", Cursor(T0, "000007"), "run-1")
    assert plan_window("flow_a", SETTINGS, since="", watermarks=marks).origin == "cursor"


def test_plan_window_bad_since_names_the_param(clock: Clock) -> None:
    with pytest.raises(ValueError, match=r"Param since must be an ISO-8601 date-time, got 'last week'"):
        plan_window("flow_a", SETTINGS, since="last week")


def test_plan_window_full_reads_from_the_beginning(engine: sa.Engine, clock: Clock) -> None:
    marks = Watermarks(engine)
    marks.advance("flow_a", Cursor(T0, "000007"), "run-1")
    window = plan_window("flow_a", SETTINGS, since="2026-11-01T00:00:00Z", full=True, watermarks=marks)
    assert window.since is None
    assert window.origin == "full"
    assert window.until == datetime(2026, 11, 30, 11, 58, 0, tzinfo=UTC)


# ---------------------------------------------------------------- Watermarks.advance


def test_advance_creates_the_first_cursor(engine: sa.Engine, clock: Clock) -> None:
    marks = Watermarks(engine)
    assert marks.get("flow_a") is None
    assert marks.advance("flow_a", Cursor(T0, "000005"), "run-1") is True
    stored = marks.get("flow_a")
    assert stored == Cursor(T0, "000005")
    assert stored is not None and stored.at.tzinfo is not None


@pytest.mark.parametrize(
    ("attempt", "moves"),
    [
        (Cursor(T0, "000005"), False),  # equal
        (Cursor(T0, "000004"), False),  # same second, lower key
        (Cursor(T0), False),  # same second, no key
        (Cursor(T0 - timedelta(seconds=1), "999999"), False),  # older second, higher key
        (Cursor(T0 - timedelta(days=3)), False),  # a rerun of an old run / a backfill
        (Cursor(T0, "000006"), True),  # same second, higher key
        (Cursor(T1), True),  # later second, no key
        (Cursor(T0 + timedelta(microseconds=1)), True),
    ],
)
def test_advance_only_moves_forwards(engine: sa.Engine, clock: Clock, attempt: Cursor, moves: bool) -> None:
    marks = Watermarks(engine)
    marks.advance("flow_a", Cursor(T0, "000005"), "run-1")
    assert marks.advance("flow_a", attempt, "run-2") is moves
    assert marks.get("flow_a") == (attempt if moves else Cursor(T0, "000005"))


def test_advance_records_the_run_that_moved_it(engine: sa.Engine, clock: Clock) -> None:
    from magento_netsuite.pipeline.state import WATERMARK

    marks = Watermarks(engine)
    marks.advance("flow_a", Cursor(T0), "run-1")
    clock.advance(timedelta(minutes=5))
    marks.advance("flow_a", Cursor(T0 - timedelta(hours=1)), "run-old")  # does not move
    with engine.connect() as conn:
        row = conn.execute(sa.select(WATERMARK).where(WATERMARK.c.flow == "flow_a")).one()
    assert row.run_id == "run-1"
    marks.advance("flow_a", Cursor(T1), "run-2")
    with engine.connect() as conn:
        row = conn.execute(sa.select(WATERMARK).where(WATERMARK.c.flow == "flow_a")).one()
    assert (row.run_id, row.moved_at) == ("run-2", clock.now)


def test_advance_is_per_flow(engine: sa.Engine, clock: Clock) -> None:
    marks = Watermarks(engine)
    marks.advance("flow_a", Cursor(T1), "run-1")
    assert marks.advance("flow_b", Cursor(T0), "run-1") is True
    assert marks.get("flow_a") == Cursor(T1)
    assert marks.get("flow_b") == Cursor(T0)


def test_concurrent_advances_end_at_the_maximum(engine: sa.Engine) -> None:
    """Two runs finishing at once (and replays of old ones): the cursor ends at the highest, never lower."""
    marks = Watermarks(engine)
    cursors = [Cursor(T0 + timedelta(seconds=s), f"{k:06d}") for s in range(10) for k in range(4)]
    halves = [cursors[0::2], list(reversed(cursors[1::2]))]
    barrier = threading.Barrier(len(halves))
    errors: list[BaseException] = []

    def worker(mine: list[Cursor], run_id: str) -> None:
        try:
            barrier.wait()
            for cursor in mine:
                marks.advance("flow_a", cursor, run_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(part, f"run-{i}")) for i, part in enumerate(halves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert marks.get("flow_a") == max(cursors)
