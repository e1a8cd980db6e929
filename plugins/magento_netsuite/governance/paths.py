"""Read and write values in nested records by the paths of the mapping document.

Path rules:

* dots separate keys: ``billing_address.postcode``;
* ``[n]`` selects one list element: ``street[0]``;
* ``[]`` means "each element": ``items[].sku`` reads a list with one value per item, and writing
  it takes a list and writes element ``i`` into item ``i`` (creating items as needed);
* ``custom_attributes.<attribute_code>`` addresses Magento's custom attribute list
  ``[{"attribute_code": ..., "value": ...}]`` by code (a plain dict under ``custom_attributes``
  is read and written as a dict).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from magento_netsuite.governance.errors import PathError

CUSTOM_ATTRIBUTES = "custom_attributes"
EACH = object()
"""Token for ``[]``."""

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d*)\]|(\.)")


@lru_cache(maxsize=1024)
def parse_path(path: str) -> tuple[Any, ...]:
    """Split a path into keys (str), indexes (int) and :data:`EACH` tokens."""
    if not path or path.startswith(".") or path.endswith(".") or ".." in path:
        raise PathError(f"malformed path {path!r}")
    tokens: list[Any] = []
    pos = 0
    for match in _TOKEN.finditer(path):
        if match.start() != pos:
            raise PathError(f"malformed path {path!r} at position {pos}")
        pos = match.end()
        key, index, dot = match.groups()
        if key is not None:
            tokens.append(key)
        elif index is not None:
            tokens.append(int(index) if index else EACH)
        elif dot is None:
            raise PathError(f"malformed path {path!r}")
    if pos != len(path):
        raise PathError(f"malformed path {path!r} at position {pos}")
    return tuple(tokens)


def validate_path(path: str) -> None:
    """Raise :class:`PathError` when ``path`` is not a valid mapping path."""
    parse_path(path)


def get_path(record: Any, path: str, default: Any = None) -> Any:
    """The value at ``path`` in ``record`` (``default`` when any step is missing).

    With ``[]`` the result is a list holding one value per element.
    """
    return _get(record, parse_path(path), default)


def _get(node: Any, tokens: tuple[Any, ...], default: Any) -> Any:
    for i, token in enumerate(tokens):
        if node is None:
            return default
        if token is EACH:
            if not isinstance(node, list):
                return default
            return [_get(element, tokens[i + 1 :], default) for element in node]
        if isinstance(token, int):
            if not isinstance(node, list) or token >= len(node):
                return default
            node = node[token]
            continue
        previous = tokens[i - 1] if i else None
        if previous == CUSTOM_ATTRIBUTES and isinstance(node, list):
            node = _custom_attribute(node, token, default)
            continue
        if not isinstance(node, dict) or token not in node:
            return default
        node = node[token]
    return node


def _custom_attribute(attributes: list[Any], code: str, default: Any) -> Any:
    for attribute in attributes:
        if isinstance(attribute, dict) and attribute.get("attribute_code") == code:
            return attribute.get("value")
    return default


def set_path(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Write ``value`` at ``path`` in ``record`` (in place, creating containers); returns ``record``."""
    tokens = parse_path(path)
    if not isinstance(tokens[0], str):
        raise PathError(f"path {path!r} must start with a key")
    _set(record, tokens, value, path)
    return record


def _set(node: Any, tokens: tuple[Any, ...], value: Any, path: str) -> None:
    token, rest = tokens[0], tokens[1:]
    if token is EACH:
        if not isinstance(value, list):
            raise PathError(f"path {path!r} has [] and needs a list value, got {type(value).__name__}")
        while len(node) < len(value):
            node.append({} if rest else None)
        for i, element_value in enumerate(value):
            if rest:
                node[i] = _container(node[i], rest[0])
                _set(node[i], rest, element_value, path)
            else:
                node[i] = element_value
        return
    if isinstance(token, int):
        while len(node) <= token:
            node.append(None)
        if not rest:
            node[token] = value
            return
        node[token] = _container(node[token], rest[0])
        _set(node[token], rest, value, path)
        return
    if token == CUSTOM_ATTRIBUTES and rest and isinstance(rest[0], str):
        existing = node.get(token)
        if isinstance(existing, dict):
            _set(existing, rest, value, path)
            return
        attributes = existing if isinstance(existing, list) else []
        node[token] = attributes
        _set_custom_attribute(attributes, rest, value, path)
        return
    if not rest:
        node[token] = value
        return
    node[token] = _container(node.get(token), rest[0])
    _set(node[token], rest, value, path)


def _set_custom_attribute(attributes: list[Any], tokens: tuple[Any, ...], value: Any, path: str) -> None:
    code, rest = tokens[0], tokens[1:]
    entry = next((a for a in attributes if isinstance(a, dict) and a.get("attribute_code") == code), None)
    if entry is None:
        entry = {"attribute_code": code, "value": None}
        attributes.append(entry)
    if not rest:
        entry["value"] = value
        return
    entry["value"] = _container(entry.get("value"), rest[0])
    _set(entry["value"], rest, value, path)


def _container(existing: Any, next_token: Any) -> Any:
    wants_list = next_token is EACH or isinstance(next_token, int)
    if wants_list:
        return existing if isinstance(existing, list) else []
    return existing if isinstance(existing, dict) else {}
