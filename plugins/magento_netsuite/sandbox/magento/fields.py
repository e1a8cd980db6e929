"""The ``fields=`` response filter of Magento's REST API.

``fields=items[increment_id,entity_id,items[sku,qty_ordered]],total_count`` keeps only the named
keys, recursively; a filter on a list applies to each element. Unknown names are ignored.
"""

from __future__ import annotations

from typing import Any

from magento_netsuite.sandbox.magento.errors import bad_request

FieldTree = dict[str, "FieldTree | None"]


def parse(spec: str) -> FieldTree:
    """``a,b[c,d[e]]`` → ``{"a": None, "b": {"c": None, "d": {"e": None}}}``."""
    tree, position = _parse_level(spec, 0)
    if position != len(spec):
        raise bad_request("Incorrect format of request URI or Invalid fields filter: %1", [spec])
    return tree


def _parse_level(spec: str, position: int) -> tuple[FieldTree, int]:
    tree: FieldTree = {}
    name = ""
    while position < len(spec):
        char = spec[position]
        if char == ",":
            if name:
                tree[name.strip()] = None
            name = ""
            position += 1
        elif char == "[":
            if not name.strip():
                raise bad_request("Incorrect format of request URI or Invalid fields filter: %1", [spec])
            subtree, position = _parse_level(spec, position + 1)
            if position >= len(spec) or spec[position] != "]":
                raise bad_request("Incorrect format of request URI or Invalid fields filter: %1", [spec])
            tree[name.strip()] = subtree
            name = ""
            position += 1
        elif char == "]":
            break
        else:
            name += char
            position += 1
    if name.strip():
        tree[name.strip()] = None
    return tree, position


def apply(value: Any, tree: FieldTree) -> Any:
    if isinstance(value, list):
        return [apply(element, tree) for element in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for name, subtree in tree.items():
        if name in value:
            out[name] = value[name] if subtree is None else apply(value[name], subtree)
    return out
