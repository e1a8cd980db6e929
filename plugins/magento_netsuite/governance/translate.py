"""Turn one source record into its target-side shape, following a flow's fields.

``extract_fields`` reads each carried field at its source path, ``validate_record`` checks the
values, and ``build_target`` transforms them and writes them at their target paths. Problems come
back as :class:`~magento_netsuite.governance.transforms.FieldViolation` naming the field and path,
so a flow can quarantine the record instead of failing the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from magento_netsuite.governance.errors import TransformError, ValueMapMiss
from magento_netsuite.governance.model import Flow, MappingDocument
from magento_netsuite.governance.paths import get_path, set_path
from magento_netsuite.governance.transforms import FieldViolation, apply_transform, condition_holds, validate_record


@dataclass
class Translation:
    """The target-side record and every violation found on the way (empty when it is clean)."""

    record: dict[str, Any] = field(default_factory=dict)
    violations: list[FieldViolation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def json_record(self) -> dict[str, Any]:
        """The record with decimals as JSON numbers (int when whole), ready for an API body."""
        return jsonable(self.record)


def jsonable(value: Any) -> Any:
    """``value`` with every :class:`~decimal.Decimal` turned into an int (when whole) or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def extract_fields(flow: Flow, source_record: Mapping[str, Any]) -> dict[str, Any]:
    """Values keyed by field name, read at each field's path on the flow's source."""
    return {spec.name: get_path(source_record, spec.path_for(flow.source) or "") for spec in flow.fields}


def build_target(
    flow: Flow, values_by_field: Mapping[str, Any], doc: MappingDocument, conditions: Mapping[str, bool] | None = None
) -> Translation:
    """Transform the values and write them at the target paths.

    A missing value (``None``, or a ``[]`` list of nothing but ``None``) is not written, so a sync
    never blanks a target field the source simply did not send; nor is a field whose ``required_when``
    condition does not hold for the record.
    """
    result = Translation()
    for spec in flow.fields:
        if spec.name not in values_by_field or not condition_holds(spec, conditions):
            continue
        value = values_by_field[spec.name]
        target_path = spec.path_for(flow.target)
        if target_path is None or value is None or (isinstance(value, list) and all(v is None for v in value)):
            continue
        try:
            converted = apply_transform(spec.transform, value, source=flow.source, target=flow.target, doc=doc)
        except (TransformError, ValueMapMiss) as exc:
            source_path = spec.path_for(flow.source) or spec.name
            result.violations.append(FieldViolation(spec.name, source_path, str(exc)))
            continue
        set_path(result.record, target_path, converted)
    return result


def translate_record(
    flow: Flow, source_record: Mapping[str, Any], doc: MappingDocument, conditions: Mapping[str, bool] | None = None
) -> Translation:
    """Extract, validate, transform and place one source record for ``flow``; ``conditions`` says which
    ``required_when`` conditions hold for this record."""
    values = extract_fields(flow, source_record)
    violations = validate_record(flow, values, conditions)
    result = build_target(flow, values, doc, conditions)
    result.violations[:0] = violations
    return result
