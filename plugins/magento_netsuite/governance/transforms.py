"""Named transforms and per-field validation.

A field's ``transform`` is one name from :data:`TRANSFORMS`, ``map:<value map>``, or a chain of
those joined by ``|`` (applied left to right, e.g. ``from_ns_ref|map:terms``). Transforms are
direction-aware: they receive the flow's source and target system. ``None`` passes through every
transform unchanged (missing stays missing; ``required`` validation catches it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from magento_netsuite.governance.errors import TransformError
from magento_netsuite.governance.paths import EACH, parse_path

if TYPE_CHECKING:
    from magento_netsuite.governance.model import FieldSpec, Flow, MappingDocument

MAGENTO_DATETIME = "%Y-%m-%d %H:%M:%S"
CUSTOMER_EXTERNAL_ID_PREFIX = "MAG-CUST-"


@dataclass(frozen=True)
class Direction:
    source: str
    target: str
    doc: MappingDocument | None = None


TransformFn = Callable[[Any, Direction], Any]


def _identity(value: Any, _: Direction) -> Any:
    return value


def _string(value: Any, _: Direction) -> str:
    return str(value).strip()


def _decimal(value: Any, _: Direction) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise TransformError("decimal", value, "not a number") from None
    if not result.is_finite():
        raise TransformError("decimal", value, "not a finite number")
    return result


def _integer(value: Any, _: Direction) -> int:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise TransformError("integer", value, "not a number") from None
    if number != number.to_integral_value():
        raise TransformError("integer", value, "not a whole number")
    return int(number)


_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n", ""}


def _boolean(value: Any, _: Direction) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise TransformError("boolean", value, "not a boolean (true/false, T/F, 1/0)")


def _email(value: Any, _: Direction) -> str:
    return str(value).strip().lower()


def _datetime_utc(value: Any, direction: Direction) -> str:
    """Magento ``YYYY-MM-DD HH:MM:SS`` (UTC) ↔ NetSuite ISO-8601 ``YYYY-MM-DDTHH:MM:SSZ``."""
    parsed = _parse_datetime(value)
    if direction.target == "magento":
        return parsed.strftime(MAGENTO_DATETIME)
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip().replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise TransformError("datetime_utc", value, "not a date-time") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _date_utc(value: Any, _: Direction) -> str:
    """Any date-time → its UTC calendar date ``YYYY-MM-DD`` (NetSuite ``tranDate``)."""
    return _parse_datetime(value).strftime("%Y-%m-%d")


def _negate(value: Any, direction: Direction) -> bool:
    return not _boolean(value, direction)


def _ns_ref(value: Any, direction: Direction) -> Any:
    """Toward NetSuite wrap an internal id as a reference ``{"id": ...}``; from NetSuite unwrap it."""
    if direction.target == "netsuite":
        return {"id": str(value)}
    return _from_ns_ref(value, direction)


def _from_ns_ref(value: Any, _: Direction) -> str:
    if isinstance(value, dict):
        if value.get("id") is None:
            raise TransformError("from_ns_ref", value, "reference has no id")
        return str(value["id"])
    return str(value)


def _bool_int(value: Any, direction: Direction) -> Any:
    """Magento stores flags as 1/0, NetSuite as booleans."""
    flag = _boolean(value, direction)
    return int(flag) if direction.target == "magento" else flag


def _in_stock(value: Any, direction: Direction) -> int:
    """A quantity → MSI source item status: 1 (in stock) when above zero, else 0."""
    return 1 if _decimal(value, direction) > 0 else 0


def _customer_external_id(value: Any, direction: Direction) -> str:
    """Magento customer id ↔ NetSuite customer ``externalId`` ``MAG-CUST-<id>``."""
    text = str(value).strip()
    if direction.target == "netsuite":
        return f"{CUSTOMER_EXTERNAL_ID_PREFIX}{text}"
    if not text.startswith(CUSTOMER_EXTERNAL_ID_PREFIX):
        raise TransformError("customer_external_id", value, f"not a {CUSTOMER_EXTERNAL_ID_PREFIX}<id> external id")
    return text.removeprefix(CUSTOMER_EXTERNAL_ID_PREFIX)


def _customer_ref(value: Any, direction: Direction) -> Any:
    """Magento customer id → NetSuite reference by external id ``{"externalId": "MAG-CUST-<id>"}``."""
    if direction.target != "netsuite":
        raise TransformError("customer_ref", value, "only writes toward NetSuite")
    return {"externalId": _customer_external_id(value, direction)}


TRANSFORMS: dict[str, TransformFn] = {
    "identity": _identity,
    "string": _string,
    "decimal": _decimal,
    "integer": _integer,
    "boolean": _boolean,
    "email": _email,
    "datetime_utc": _datetime_utc,
    "date_utc": _date_utc,
    "negate": _negate,
    "ns_ref": _ns_ref,
    "from_ns_ref": _from_ns_ref,
    "bool_int": _bool_int,
    "in_stock": _in_stock,
    "customer_external_id": _customer_external_id,
    "customer_ref": _customer_ref,
}
MAP_PREFIX = "map:"


def transform_steps(name: str) -> list[str]:
    """The single steps of a (possibly chained) transform name."""
    return [step.strip() for step in name.split("|")]


def unknown_transform_steps(name: str, value_maps: Mapping[str, Any]) -> list[str]:
    """Steps of ``name`` that are neither a known transform nor ``map:`` of a known value map."""
    unknown = []
    for step in transform_steps(name):
        if step.startswith(MAP_PREFIX):
            if step.removeprefix(MAP_PREFIX) not in value_maps:
                unknown.append(step)
        elif step not in TRANSFORMS:
            unknown.append(step)
    return unknown


def apply_transform(name: str, value: Any, *, source: str, target: str, doc: MappingDocument | None = None) -> Any:
    """Apply the transform ``name`` to ``value`` for a ``source`` → ``target`` flow.

    A list value (from a ``[]`` path) is transformed element by element.
    """
    direction = Direction(source, target, doc)
    if isinstance(value, list):
        return [_apply_steps(name, element, direction) for element in value]
    return _apply_steps(name, value, direction)


def _apply_steps(name: str, value: Any, direction: Direction) -> Any:
    for step in transform_steps(name):
        if value is None:
            return None
        value = _apply_step(step, value, direction)
    return value


def _apply_step(step: str, value: Any, direction: Direction) -> Any:
    if step.startswith(MAP_PREFIX):
        if direction.doc is None:
            raise TransformError(step, value, "value maps need the mapping document")
        value_map = direction.doc.value_map(step.removeprefix(MAP_PREFIX))
        if value_map.from_ == direction.source:
            return value_map.lookup(value)
        return value_map.reverse_lookup(value)
    try:
        function = TRANSFORMS[step]
    except KeyError:
        raise TransformError(step, value, f"unknown transform; known: {sorted(TRANSFORMS)}") from None
    return function(value, direction)


@dataclass(frozen=True)
class FieldViolation:
    """A value that breaks its field's validation; ``path`` is the field's path on the flow's source."""

    field: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path} ({self.field}): {self.message}"


def condition_holds(spec: FieldSpec, conditions: Mapping[str, bool] | None) -> bool:
    """Whether a ``required_when`` field applies to the record (fields without a condition always do;
    a condition the caller did not evaluate counts as holding, the strict reading)."""
    name = spec.validation.required_when
    return name is None or conditions is None or bool(conditions.get(name, True))


def validate_record(
    flow: Flow, record_by_field_name: Mapping[str, Any], conditions: Mapping[str, bool] | None = None
) -> list[FieldViolation]:
    """Check one record (values keyed by field name) against the validation of every field the flow carries.

    A value from a ``[]`` path (a list) is checked element by element and the violation's path names
    the element (``items[2].sku``). A NetSuite reference ``{"id": ...}`` is checked by its id. A field
    whose ``required_when`` condition does not hold for the record (``conditions``) is not checked.
    """
    violations: list[FieldViolation] = []
    for spec in flow.fields:
        if not condition_holds(spec, conditions):
            continue
        path = spec.path_for(flow.source) or spec.path_for(flow.target) or spec.name
        value = record_by_field_name.get(spec.name)
        if isinstance(value, list) and EACH in parse_path(path):
            for i, element in enumerate(value):
                element_path = path.replace("[]", f"[{i}]", 1)
                violations.extend(_check(spec, element_path, element))
        else:
            violations.extend(_check(spec, path, value))
    return violations


def validate_value(spec: FieldSpec, path: str, value: Any) -> list[FieldViolation]:
    """Check one value against ``spec.validation``."""
    return _check(spec, path, value)


_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: _as_number(v) is not None,
    "integer": lambda v: (n := _as_number(v)) is not None and n == n.to_integral_value(),
    "boolean": lambda v: isinstance(v, bool) or str(v).strip().lower() in _TRUE | (_FALSE - {""}),
    "datetime": lambda v: _is_datetime(v),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _is_datetime(value: Any) -> bool:
    try:
        _parse_datetime(value)
    except TransformError:
        return False
    return True


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        if value != value:  # NaN from a pandas frame
            return True
    except (TypeError, ValueError):
        return False
    return isinstance(value, str) and not value.strip()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters NetSuite's text fields do not take (NUL first); tab and line breaks are text."""


def first_control_character(value: Any) -> int | None:
    """The position of the first control character in ``value`` as text, or None."""
    match = _CONTROL.search(str(value))
    return None if match is None else match.start()


def _check(spec: FieldSpec, path: str, value: Any) -> list[FieldViolation]:
    rules = spec.validation
    if isinstance(value, dict) and "id" in value and rules.type != "object":
        value = value["id"]  # a NetSuite reference is validated by its id
    found: list[str] = []
    if _is_blank(value):
        if rules.required or rules.required_when:
            found.append("is required but missing")
        return [FieldViolation(spec.name, path, message) for message in found]
    if rules.type and not _TYPE_CHECKS[rules.type](value):
        found.append(f"must be of type {rules.type}, got {value!r}")
    if rules.pattern and not re.fullmatch(rules.pattern, str(value).strip()):
        found.append(f"{value!r} does not match pattern {rules.pattern!r}")
    if rules.allowed is not None and value not in rules.allowed and str(value) not in map(str, rules.allowed):
        found.append(f"{value!r} is not one of {rules.allowed}")
    number = _as_number(value) if rules.min is not None or rules.max is not None else None
    if rules.min is not None and number is not None and number < Decimal(str(rules.min)):
        found.append(f"{value!r} is below the minimum {rules.min}")
    if rules.max is not None and number is not None and number > Decimal(str(rules.max)):
        found.append(f"{value!r} is above the maximum {rules.max}")
    if rules.max_length is not None and len(str(value)) > rules.max_length:
        found.append(f"is longer than {rules.max_length} characters")
    if rules.printable and (position := first_control_character(value)) is not None:
        found.append(f"holds a control character ({ord(str(value)[position]):#04x}) at position {position}")
    return [FieldViolation(spec.name, path, message) for message in found]
