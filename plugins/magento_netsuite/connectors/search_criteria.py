"""Magento ``searchCriteria`` query parameters.

Filters are a list of filter groups; filters inside a group are ORed, groups are ANDed. A filter is
``(field, value)`` (condition ``eq``) or ``(field, value, condition_type)``. Lists become Magento's
comma-separated ``in``/``nin`` values, datetimes Magento's UTC ``YYYY-MM-DD HH:MM:SS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

CONDITIONS = frozenset(
    {
        "eq", "neq", "gt", "gteq", "lt", "lteq", "like", "nlike", "in", "nin",
        "finset", "nfinset", "from", "to", "null", "notnull", "moreq",
    }
)  # fmt: skip

Filter = tuple[str, Any] | tuple[str, Any, str]
FilterGroups = Sequence[Sequence[Filter]]
Sort = Sequence[tuple[str, str] | str]


def format_value(value: Any) -> str:
    """A filter value as Magento compares it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(format_value(v) for v in value)
    return str(value)


def build_params(
    filters: FilterGroups | None = None,
    sort: Sort | None = None,
    page_size: int | None = None,
    current_page: int | None = None,
    fields: str | Sequence[str] | None = None,
) -> dict[str, str]:
    """The flat query parameters for one search request."""
    params: dict[str, str] = {}
    for g, group in enumerate(filters or []):
        if isinstance(group, tuple) and group and isinstance(group[0], str):
            raise TypeError(f"filter group {g} must be a list of filters, got a single filter {group!r}")
        for f, flt in enumerate(group):
            if len(flt) == 2:
                field, value = flt  # type: ignore[misc]
                condition = "eq"
            elif len(flt) == 3:
                field, value, condition = flt  # type: ignore[misc]
            else:
                raise ValueError(f"filter {flt!r} must be (field, value) or (field, value, condition_type)")
            if condition not in CONDITIONS:
                raise ValueError(f"unknown condition_type {condition!r} for field {field!r}")
            prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
            params[f"{prefix}[field]"] = field
            if value is not None:
                params[f"{prefix}[value]"] = format_value(value)
            params[f"{prefix}[condition_type]"] = condition
    for k, order in enumerate(sort or []):
        field, direction = (order, "ASC") if isinstance(order, str) else order
        direction = direction.upper()
        if direction not in ("ASC", "DESC"):
            raise ValueError(f"sort direction for {field!r} must be ASC or DESC, got {direction!r}")
        params[f"searchCriteria[sortOrders][{k}][field]"] = field
        params[f"searchCriteria[sortOrders][{k}][direction]"] = direction
    if page_size is not None:
        params["searchCriteria[pageSize]"] = str(page_size)
    if current_page is not None:
        params["searchCriteria[currentPage]"] = str(current_page)
    if fields:
        params["fields"] = fields_param(fields)
    return params


def fields_param(fields: str | Sequence[str]) -> str:
    """``fields=items[a,b],total_count``: trim items but keep ``total_count`` (paging needs it)."""
    if isinstance(fields, str):
        if fields.startswith("items["):
            return fields if "total_count" in fields else f"{fields},total_count"
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    return f"items[{','.join(fields)}],total_count"
