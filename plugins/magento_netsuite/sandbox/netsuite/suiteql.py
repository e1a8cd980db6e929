"""SuiteQL over the sandbox tables: translate NetSuite's dialect to SQLite, run, page, format.

Supported beyond plain SQL: ``BUILTIN.DF(col)`` (display value by column name: location, price
level, item, customer/entity, terms, status, type, shipmethod), ``TO_TIMESTAMP``/``TO_DATE``/
``TO_CHAR`` with Oracle formats (YYYY MM DD HH24 HH MI SS and quoted literals), ``SYSDATE``,
``NVL``, ``FETCH FIRST n ROWS ONLY`` and anonymous ``?`` binds. Only SELECT/WITH statements run.

Output follows SuiteQL: lowercase column keys, every value a string, null columns omitted, dates
(stored timestamps) rendered in the account's default date format ``M/D/YYYY``; select
``TO_CHAR(col, 'YYYY-MM-DD HH24:MI:SS')`` for the time part.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_PAGE = 1000
ROW_CAP = 100_000
UNKNOWN_PREFIX = "Invalid search query. Detailed unprocessed description follows. Search error occurred: "
_STORED_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_ORACLE_TOKENS = re.compile(r'"[^"]*"|YYYY|HH24|HH|MM|DD|MI|SS|.', re.IGNORECASE)
_STRFTIME = {"YYYY": "%Y", "MM": "%m", "DD": "%d", "HH24": "%H", "HH": "%I", "MI": "%M", "SS": "%S"}
STATUS_NAMES = {
    "A": "Pending Approval",
    "B": "Pending Fulfillment",
    "C": "Cancelled",
    "D": "Partially Fulfilled",
    "E": "Pending Billing/Partially Fulfilled",
    "F": "Pending Billing",
    "G": "Billed",
    "H": "Closed",
}
TYPE_NAMES = {"SalesOrd": "Sales Order", "ItemShip": "Item Fulfillment"}


class SuiteQLError(Exception):
    """A query NetSuite would refuse (400 INVALID_PARAMETER on ``q``)."""


@functools.lru_cache(maxsize=256)
def oracle_format(fmt: str) -> str:
    out = []
    for token in _ORACLE_TOKENS.findall(fmt):
        if token.startswith('"'):
            out.append(token[1:-1].replace("%", "%%"))
        else:
            out.append(_STRFTIME.get(token.upper(), token.replace("%", "%%")))
    return "".join(out)


def _parse_time(value: str | None, fmt: str | None = None) -> str | None:
    if value is None:
        return None
    try:
        moment = datetime.strptime(value, oracle_format(fmt)) if fmt else datetime.fromisoformat(value)
    except ValueError as exc:
        raise sqlite3.OperationalError(f"invalid date {value!r} for format {fmt!r}") from exc
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


_FORMATTED = "\x1f"
"""Leads every ``TO_CHAR`` result inside SQLite, so the output step returns it as formatted: NetSuite
renders raw date columns as ``M/D/YYYY`` but never re-renders ``TO_CHAR`` text, even text shaped like a
stored timestamp (``'YYYY-MM-DD"T"HH24:MI:SS'``). The marker is stripped from every output value, so
only a comparison with a ``TO_CHAR`` result inside the query would see it (no flow does that)."""


@functools.lru_cache(maxsize=256)
def _is_stored_form(fmt: str) -> bool:
    """True for a format that renders a timestamp exactly as it is stored (``'YYYY-MM-DD"T"HH24:MI:SS'``)."""
    sample = datetime(2001, 2, 3, 4, 5, 6)
    return sample.strftime(oracle_format(fmt)) == sample.isoformat()


def _to_char(value: Any, fmt: str | None = None) -> str | None:
    if value is None:
        return None
    if fmt and isinstance(value, str) and _STORED_TIME.match(value):
        if _is_stored_form(fmt):
            return _FORMATTED + value
        return _FORMATTED + datetime.fromisoformat(value).strftime(oracle_format(fmt))
    return _FORMATTED + _string(value)


def _string(value: Any) -> str:
    if isinstance(value, str) and value.startswith(_FORMATTED):
        return value.removeprefix(_FORMATTED)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str) and _STORED_TIME.match(value):
        moment = datetime.fromisoformat(value)
        return f"{moment.month}/{moment.day}/{moment.year}"
    return str(value)


@dataclass
class Page:
    items: list[dict[str, str]]
    total: int


class SuiteQLEngine:
    """Runs SuiteQL on ``conn``; ``display`` maps (column name, value) → display value for BUILTIN.DF."""

    def __init__(self, conn: sqlite3.Connection, display: Callable[[str, Any], str | None], now: Callable[[], str]):
        self.conn = conn
        conn.create_function("ns_df", 2, display, deterministic=True)
        conn.create_function("to_timestamp", 2, _parse_time, deterministic=True)
        conn.create_function("to_timestamp", 1, _parse_time, deterministic=True)
        conn.create_function("to_date", 2, _parse_time, deterministic=True)
        conn.create_function("to_date", 1, _parse_time, deterministic=True)
        conn.create_function("to_char", 2, _to_char, deterministic=True)
        conn.create_function("to_char", 1, _to_char, deterministic=True)
        conn.create_function("nvl", 2, lambda a, b: b if a is None else a, deterministic=True)
        conn.create_function("ns_sysdate", 0, now)

    @staticmethod
    def translate(query: str) -> str:
        """NetSuite dialect → SQLite (string literals are left alone)."""
        text = query.strip().rstrip(";")
        if not re.match(r"(?is)^\s*(select|with)\b", text):
            raise SuiteQLError(UNKNOWN_PREFIX + "only SELECT statements are supported")
        parts = re.split(r"('(?:[^']|'')*')", text)
        for i in range(0, len(parts), 2):
            part = parts[i]
            part = re.sub(r"(?i)\bBUILTIN\.DF\(\s*((?:\w+\.)?(\w+))\s*\)", r"ns_df('\2', \1)", part)
            part = re.sub(r"(?i)\bSYSDATE\b", "ns_sysdate()", part)
            part = re.sub(r"(?i)\bFETCH\s+FIRST\s+(\d+)\s+ROWS?\s+ONLY\b", r"LIMIT \1", part)
            part = re.sub(r'(?i)(?<!["\w])transaction\b(?!["])', '"transaction"', part)
            if ";" in part:
                raise SuiteQLError(UNKNOWN_PREFIX + "one statement per query")
            parts[i] = part
        return "".join(parts)

    def run(self, query: str, params: list[Any], limit: int, offset: int) -> Page:
        """One page as the REST endpoint answers it: every value a string, null columns omitted."""
        total = self.count(query, params)
        names, values = self.select(query, params, limit, offset)
        items = [
            {"links": [], **{n: _string(v) for n, v in zip(names, row, strict=True) if v is not None}} for row in values
        ]
        return Page(items, total)

    def count(self, query: str, params: list[Any]) -> int:
        """How many rows the query has (what a paged run reports as its count)."""
        sql = self.translate(query)
        try:
            return self.conn.execute(f"SELECT COUNT(*) FROM ({sql})", tuple(_bind(p) for p in params)).fetchone()[0]
        except sqlite3.Error as exc:
            raise SuiteQLError(UNKNOWN_PREFIX + _describe(exc)) from exc

    def select(self, query: str, params: list[Any], limit: int, offset: int) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Lowercase column names and the rows of one page, SQLite-typed (numbers stay numbers)."""
        names, cursor = self.stream(query, params, offset)
        try:
            return names, cursor.fetchmany(limit)
        except sqlite3.Error as exc:
            raise SuiteQLError(UNKNOWN_PREFIX + _describe(exc)) from exc
        finally:
            cursor.close()

    def stream(self, query: str, params: list[Any], offset: int = 0) -> tuple[list[str], sqlite3.Cursor]:
        """Lowercase column names and an open cursor over the rows from ``offset`` on (read it with
        ``fetchmany``; close it when done)."""
        sql = self.translate(query)
        try:
            binds = (*(_bind(p) for p in params), offset)
            cursor = self.conn.execute(f"SELECT * FROM ({sql}) LIMIT -1 OFFSET ?", binds)
        except sqlite3.Error as exc:
            raise SuiteQLError(UNKNOWN_PREFIX + _describe(exc)) from exc
        return [d[0].lower() for d in cursor.description], cursor


def typed_row(row: tuple[Any, ...]) -> list[Any]:
    """A row as ``N/query`` results give it: numbers as numbers, text (and dates) as SuiteQL renders them."""
    return [value if value.__class__ is not str else _text(value) for value in row]


def _text(value: str) -> str:
    if value.startswith(_FORMATTED):
        return value.removeprefix(_FORMATTED)
    if len(value) == 19 and _STORED_TIME.match(value):
        moment = datetime.fromisoformat(value)
        return f"{moment.month}/{moment.day}/{moment.year}"
    return value


def _bind(value: Any) -> Any:
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, (int, float, str)) or value is None:
        return value
    raise SuiteQLError(UNKNOWN_PREFIX + f"unsupported bind value {value!r}")


def _describe(exc: sqlite3.Error) -> str:
    message = str(exc)
    match = re.match(r"no such (?:column|table|function): (.+)$", message)
    if match:
        name = match.group(1).strip().strip('"')
        return f"Unknown identifier '{name}'"
    if "bindings" in message:
        return f"Wrong number of parameters: {message}"
    return message
