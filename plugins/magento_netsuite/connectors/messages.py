"""Magento's message templates: ``"%fieldName" is required`` plus ``parameters`` (a list or an object).

Magento answers errors and price-write failures as a template and its parameters. A list fills
``%1``, ``%2`` by position and named placeholders (``%fieldName``) in the order they first appear;
an object fills named placeholders by key.
"""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"%(\w+)")


def placeholder_values(template: str, parameters: Any) -> dict[str, str]:
    """Map each placeholder name in ``template`` to its value from ``parameters``."""
    if isinstance(parameters, dict):
        named = {str(k): _text(v) for k, v in parameters.items()}
        values = list(named.values())
        for name in _PLACEHOLDER.findall(template):
            if name.isdigit() and name not in named and 0 < int(name) <= len(values):
                named[name] = values[int(name) - 1]
        return named
    if not isinstance(parameters, list):
        return {}
    values = [_text(v) for v in parameters]
    named: dict[str, str] = {}
    position = 0
    for name in _PLACEHOLDER.findall(template):
        if name in named:
            continue
        if name.isdigit():
            if 0 < int(name) <= len(values):
                named[name] = values[int(name) - 1]
        elif position < len(values):
            named[name] = values[position]
            position += 1
    return named


def render(template: str, parameters: Any) -> str:
    """The message a Magento admin would read: placeholders replaced by their values."""
    values = placeholder_values(template, parameters)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def field_name(template: str, parameters: Any) -> str | None:
    """The field a Magento validation message is about, when it names one."""
    values = placeholder_values(template, parameters)
    for key in ("fieldName", "field", "attribute", "attributeCode", "attribute_code"):
        if values.get(key):
            return values[key]
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
