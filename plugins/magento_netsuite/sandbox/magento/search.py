"""``searchCriteria`` exactly as Magento's web API parses and applies it.

* Query keys ``searchCriteria[filter_groups][0][filters][0][field]=...``; camelCase
  (``filterGroups``, ``conditionType``, ``sortOrders``, ``pageSize``, ``currentPage``) works too.
* Filters inside a group are ORed; groups are ANDed. ``condition_type`` defaults to ``eq``.
* Conditions: eq neq gt gteq lt lteq like nlike in nin from to null notnull finset nfinset moreq.
  String comparison is case-insensitive (MySQL's default collation); numbers compare as numbers.
  ``like`` uses SQL ``%`` / ``_`` wildcards. ``in``/``nin`` take a comma-separated list.
* ``sortOrders`` default direction DESC (as the docs state); no sort order = entity id order.
* Paging (2.4): no ``pageSize`` returns every match; ``currentPage`` defaults to 1 (values below
  1 count as 1); a page past the end is empty. ``total_count`` counts all matches.
* A field a record does not have is NULL (matches ``null``/``neq``/``nin`` only).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.sandbox.magento.errors import MAX_PAGE_SIZE, bad_request

CONDITIONS = frozenset(
    {"eq", "neq", "gt", "gteq", "lt", "lteq", "like", "nlike", "in", "nin", "from", "to", "null", "notnull",
     "finset", "nfinset", "moreq"}
)  # fmt: skip
_KEY_ALIASES = {
    "filterGroups": "filter_groups",
    "conditionType": "condition_type",
    "sortOrders": "sort_orders",
    "pageSize": "page_size",
    "currentPage": "current_page",
}
_BRACKETS = re.compile(r"\[([^\]]*)\]")

FieldGetter = Callable[[Any, str], Any]


@dataclass
class Filter:
    field: str
    value: str
    condition_type: str = "eq"


@dataclass
class SearchCriteria:
    filter_groups: list[list[Filter]] = field(default_factory=list)
    sort_orders: list[tuple[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int | None = None

    def echo(self) -> dict[str, Any]:
        """The ``search_criteria`` Magento echoes back."""
        body: dict[str, Any] = {
            "filter_groups": [
                {"filters": [{"field": f.field, "value": f.value, "condition_type": f.condition_type} for f in group]}
                for group in self.filter_groups
            ]
        }
        if self.sort_orders:
            body["sort_orders"] = [{"field": name, "direction": direction} for name, direction in self.sort_orders]
        if self.page_size is not None:
            body["page_size"] = self.page_size
        if self.current_page is not None:
            body["current_page"] = self.current_page
        return body


def _nested(params: Sequence[tuple[str, str]], root: str = "searchCriteria") -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in params:
        if not key.startswith(root):
            continue
        parts = [_KEY_ALIASES.get(part, part) for part in _BRACKETS.findall(key[len(root) :])]
        if not parts:
            continue
        node = tree
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise bad_request('"%fieldName" is not a valid search criteria key.', {"fieldName": key})
            node = child
        node[parts[-1]] = value
    return tree


def _ordered(node: Any) -> list[Any]:
    """Children of an indexed node (``[0]``, ``[1]``...) in index order."""
    if not isinstance(node, dict):
        return []
    return [node[k] for k in sorted(node, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))]


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(
            'Invalid value of "%value" provided for the %fieldName field.', {"value": value, "fieldName": name}
        ) from None


def parse(params: Sequence[tuple[str, str]], *, input_limit: bool = False, max_page_size: int = 300) -> SearchCriteria:
    """Parse the query string's ``searchCriteria`` (both key styles) into :class:`SearchCriteria`."""
    tree = _nested(params)
    criteria = SearchCriteria()
    for group in _ordered(tree.get("filter_groups")):
        filters = []
        for raw in _ordered(group.get("filters") if isinstance(group, dict) else None):
            if not isinstance(raw, dict) or "field" not in raw:
                continue
            condition = raw.get("condition_type") or "eq"
            if condition not in CONDITIONS:
                raise bad_request('Invalid condition type "%1" provided.', [condition])
            filters.append(Filter(raw["field"], raw.get("value", ""), condition))
        if filters:
            criteria.filter_groups.append(filters)
    for raw in _ordered(tree.get("sort_orders")):
        if isinstance(raw, dict) and raw.get("field"):
            direction = (raw.get("direction") or "DESC").upper()
            if direction not in ("ASC", "DESC"):
                raise bad_request('Invalid sort direction "%1".', [raw.get("direction")])
            criteria.sort_orders.append((raw["field"], direction))
    if "page_size" in tree:
        criteria.page_size = _int(tree["page_size"], "pageSize")
    if "current_page" in tree:
        criteria.current_page = _int(tree["current_page"], "currentPage")
    if input_limit:
        if criteria.page_size is None:
            criteria.page_size = 20
        if criteria.page_size > max_page_size:
            raise bad_request(MAX_PAGE_SIZE, {"max": max_page_size})
    return criteria


# ---------------------------------------------------------------- matching


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare_key(record_value: Any, filter_value: str) -> tuple[Any, Any] | None:
    """Both sides as comparable values (numbers if the record's is numeric), else None."""
    if isinstance(record_value, bool):
        record_value = int(record_value)
    if _is_number(record_value):
        try:
            return float(record_value), float(filter_value)
        except ValueError:
            return None
    return str(record_value).casefold(), str(filter_value).casefold()


def _like(pattern: str) -> re.Pattern[str]:
    out = []
    for char in pattern:
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)


def matches(value: Any, flt: Filter) -> bool:
    cond = flt.condition_type
    if cond == "null":
        return value is None
    if cond == "notnull":
        return value is not None
    if value is None:
        return cond in ("neq", "nin", "nlike", "nfinset")
    if cond in ("in", "nin"):
        candidates = [v.strip() for v in str(flt.value).split(",")]
        hit = any((pair := _compare_key(value, c)) is not None and pair[0] == pair[1] for c in candidates)
        return hit if cond == "in" else not hit
    if cond in ("like", "nlike"):
        hit = _like(str(flt.value)).match(str(value)) is not None
        return hit if cond == "like" else not hit
    if cond in ("finset", "nfinset"):
        members = {part.strip().casefold() for part in str(value).split(",")}
        hit = str(flt.value).strip().casefold() in members
        return hit if cond == "finset" else not hit
    pair = _compare_key(value, flt.value)
    if pair is None:
        return cond == "neq"
    left, right = pair
    return {
        "eq": left == right,
        "neq": left != right,
        "gt": left > right,
        "gteq": left >= right,
        "moreq": left >= right,
        "from": left >= right,
        "lt": left < right,
        "lteq": left <= right,
        "to": left <= right,
    }[cond]


def dict_field(record: dict[str, Any], name: str) -> Any:
    """A top-level field of an API record, falling back to its ``custom_attributes``."""
    if name in record:
        return record[name]
    for attribute in record.get("custom_attributes") or ():
        if attribute.get("attribute_code") == name:
            return attribute.get("value")
    return None


def customer_field(record: dict[str, Any], name: str) -> Any:
    """A customer's field for a search: ``entity_id`` is the record's ``id`` (Magento's customer collection)."""
    return dict_field(record, "id" if name == "entity_id" else name)


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if _is_number(value) or isinstance(value, bool):
        return (1, float(value))
    return (2, str(value).casefold())


def apply(
    records: Sequence[Any],
    criteria: SearchCriteria,
    get: FieldGetter = dict_field,
) -> tuple[list[Any], int]:
    """The page of ``records`` selected by ``criteria`` and the total match count."""
    if criteria.filter_groups:
        selected = [
            r
            for r in records
            if all(any(matches(get(r, f.field), f) for f in group) for group in criteria.filter_groups)
        ]
    else:
        selected = list(records)
    for name, direction in reversed(criteria.sort_orders):
        selected.sort(key=lambda r, n=name: _sort_value(get(r, n)), reverse=direction == "DESC")
    total = len(selected)
    if criteria.page_size:
        page = max(1, criteria.current_page or 1)
        start = (page - 1) * criteria.page_size
        selected = selected[start : start + criteria.page_size]
    return selected, total
