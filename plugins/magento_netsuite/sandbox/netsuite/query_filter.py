"""The REST record API's ``q=`` collection filter (IS, IS_NOT, START_WITH, CONTAIN, ANY_OF, EMPTY,
EQUAL, GREATER, LESS, *_OR_EQUAL, AFTER, BEFORE, ON_OR_AFTER, ON_OR_BEFORE; AND binds tighter than OR).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]
_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(\[)|(\])|(,)|([^\s,\[\]"]+))')


class FilterError(ValueError):
    """An unparseable ``q``."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FilterError(f"cannot parse q near {text[pos:]!r}")
        pos = match.end()
        quoted, lb, rb, comma, word = match.groups()
        if quoted is not None:
            out.append(("str", quoted.replace('\\"', '"')))
        elif lb:
            out.append(("[", "["))
        elif rb:
            out.append(("]", "]"))
        elif comma:
            out.append((",", ","))
        elif word:
            out.append(("word", word))
    return out


def _value(record: dict[str, Any], field: str) -> Any:
    value: Any = record
    for part in field.split("."):
        if isinstance(value, dict):
            matched = next((k for k in value if k.lower() == part.lower()), None)
            value = value.get(matched) if matched else None
        else:
            return None
    if isinstance(value, dict) and "id" in value:
        value = value["id"]
    return value


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).lower()


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(op: str, actual: Any, wanted: list[str]) -> bool:
    a = _norm(actual)
    w = [x.lower() for x in wanted]
    if op == "EMPTY":
        return a == ""
    if op == "EMPTY_NOT":
        return a != ""
    if op in ("IS", "EQUAL"):
        return a == w[0] or (_number(a) is not None and _number(a) == _number(w[0]))
    if op in ("IS_NOT", "EQUAL_NOT"):
        return a != w[0]
    if op == "ANY_OF":
        return a in w
    if op == "ANY_OF_NOT":
        return a not in w
    if op == "START_WITH":
        return a.startswith(w[0])
    if op == "START_WITH_NOT":
        return not a.startswith(w[0])
    if op == "CONTAIN":
        return w[0] in a
    if op == "CONTAIN_NOT":
        return w[0] not in a
    na, nw = _number(a), _number(w[0])
    left, right = (na, nw) if na is not None and nw is not None else (a, w[0])
    return {
        "GREATER": left > right,
        "AFTER": left > right,
        "GREATER_OR_EQUAL": left >= right,
        "ON_OR_AFTER": left >= right,
        "LESS": left < right,
        "BEFORE": left < right,
        "LESS_OR_EQUAL": left <= right,
        "ON_OR_BEFORE": left <= right,
    }[op]


OPERATORS = {
    "IS", "IS_NOT", "EQUAL", "EQUAL_NOT", "ANY_OF", "ANY_OF_NOT", "START_WITH", "START_WITH_NOT", "CONTAIN",
    "CONTAIN_NOT", "EMPTY", "EMPTY_NOT", "GREATER", "GREATER_OR_EQUAL", "LESS", "LESS_OR_EQUAL", "AFTER", "BEFORE",
    "ON_OR_AFTER", "ON_OR_BEFORE",
}  # fmt: skip


def parse(q: str) -> Predicate:
    tokens = _tokens(q)
    pos = 0

    def condition() -> Predicate:
        nonlocal pos
        if pos >= len(tokens):
            raise FilterError("q ends early")
        field = tokens[pos][1]
        op = tokens[pos + 1][1].upper() if pos + 1 < len(tokens) else ""
        if op not in OPERATORS:
            raise FilterError(f"unknown operator {op!r} after {field!r}")
        pos += 2
        values: list[str] = []
        if op not in ("EMPTY", "EMPTY_NOT"):
            bracket = pos < len(tokens) and tokens[pos][0] == "["
            if bracket:
                pos += 1
            while pos < len(tokens):
                kind, text = tokens[pos]
                if kind in ("str", "word") and not (not bracket and values and kind == "word"):
                    values.append(text)
                    pos += 1
                if pos < len(tokens) and tokens[pos][0] == ",":
                    pos += 1
                    continue
                break
            if bracket:
                if pos >= len(tokens) or tokens[pos][0] != "]":
                    raise FilterError("missing ] in q")
                pos += 1
            if not values:
                raise FilterError(f"missing value for {field} {op}")
        return lambda record: _compare(op, _value(record, field), values)

    def conjunction() -> Predicate:
        nonlocal pos
        parts = [condition()]
        while pos < len(tokens) and tokens[pos][1].upper() == "AND":
            pos += 1
            parts.append(condition())
        return lambda record: all(p(record) for p in parts)

    alternatives = [conjunction()]
    while pos < len(tokens) and tokens[pos][1].upper() == "OR":
        pos += 1
        alternatives.append(conjunction())
    if pos != len(tokens):
        raise FilterError(f"unexpected {tokens[pos][1]!r} in q")
    return lambda record: any(p(record) for p in alternatives)
