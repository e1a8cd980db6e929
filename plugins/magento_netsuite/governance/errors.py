"""Errors raised by the governance package; each one names where the problem is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MappingIssue:
    """One problem in the mapping document, located by file, line, entity and field."""

    file: str
    line: int | None
    entity: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = Path(self.file).name if self.file else "<mapping>"
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.entity:
            parts.append(f"entity {self.entity!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return f"{', '.join(parts)}: {self.message}"


class MappingDocumentError(ValueError):
    """The mapping document is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[MappingIssue]) -> None:
        self.issues = list(issues)
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"invalid Field-Level Mapping Document ({len(self.issues)} problem(s)):\n{lines}")


class OwnershipError(ValueError):
    """A flow asked for a field its source system does not own (or the entity does not have)."""


class ValueMapMiss(LookupError):
    """A value has no entry in a value map."""

    def __init__(self, map_name: str, value: object, reverse: bool = False) -> None:
        self.map_name = map_name
        self.value = value
        direction = "reverse " if reverse else ""
        super().__init__(f"value map {map_name!r} has no {direction}entry for {value!r}")


class TransformError(ValueError):
    """A value could not be converted by a named transform."""

    def __init__(self, transform: str, value: object, reason: str) -> None:
        self.transform = transform
        self.value = value
        super().__init__(f"transform {transform!r} cannot convert {value!r}: {reason}")


class PathError(ValueError):
    """A record path is malformed or cannot be written."""
