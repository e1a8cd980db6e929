"""Typed model of the Field-Level Mapping Document (see ``docs/architecture.md``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from magento_netsuite.governance.errors import ValueMapMiss

System = Literal["netsuite", "magento"]
SYSTEMS: tuple[str, ...] = ("netsuite", "magento")
Conflict = Literal["owner_wins", "create_only", "never_synced"]
Mode = Literal["upsert", "create_only"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Validation(_Strict):
    """Per-field value rules, checked by :func:`~magento_netsuite.governance.transforms.validate_record`."""

    required: bool = False
    type: Literal["string", "number", "integer", "boolean", "datetime", "object", "array"] | None = None
    pattern: str | None = None
    allowed: list[Any] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    printable: bool = False
    """Text only: no NUL or other control character (tab and line breaks allowed)."""
    required_when: str | None = None
    """A condition named in the entity's ``settings.conditions``: the field is required (and written)
    only when it holds for the record (e.g. shipping fields only when the order has physical items)."""


class FieldSpec(_Strict):
    """One field of an entity: who owns it and where it lives on each side."""

    name: str
    description: str = ""
    owner: System
    netsuite: str | None = None
    magento: str | None = None
    transform: str = "identity"
    validation: Validation = Field(default_factory=Validation)
    updated_by: str
    conflict: Conflict
    handoff: System | None = None
    line: int | None = Field(default=None, exclude=True)

    def path_for(self, system: str) -> str | None:
        """The field's path on ``system`` (``"netsuite"`` or ``"magento"``), or None."""
        if system not in SYSTEMS:
            raise ValueError(f"unknown system {system!r}; expected one of {SYSTEMS}")
        return self.netsuite if system == "netsuite" else self.magento


class FlowSpec(_Strict):
    """A flow as written in an entity file (fields by name)."""

    source: System
    target: System
    dag_id: str
    cadence: str
    mode: Mode = "upsert"
    fields: list[str] | None = None
    description: str = ""


class Flow(_Strict):
    """A flow resolved against its entity: the exact fields it carries, in document order."""

    name: str
    entity: str
    source: System
    target: System
    dag_id: str
    cadence: str
    mode: Mode
    fields: list[FieldSpec]
    description: str = ""

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"flow {self.name!r} does not carry field {name!r}")


class Keys(_Strict):
    magento: str
    netsuite: str


class Entity(_Strict):
    """One entity file."""

    entity: str
    title: str
    description: str = ""
    keys: Keys
    flows: dict[str, FlowSpec] = Field(default_factory=dict)
    fields: list[FieldSpec]
    settings: dict[str, Any] = Field(default_factory=dict)
    file: str = Field(default="", exclude=True)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"entity {self.entity!r} has no field {name!r}")

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


class ValueMap(_Strict):
    """A lookup table between the two systems' codes."""

    name: str
    description: str = ""
    from_: System = Field(alias="from")
    to: System
    entries: dict[str, str | int]
    _reverse: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, _context: Any, /) -> None:
        self._reverse = {str(v): k for k, v in self.entries.items()}

    def lookup(self, value: Any) -> str | int:
        """Map a value of the ``from`` system to the ``to`` system; :class:`ValueMapMiss` if absent."""
        key = map_key(value)
        if key not in self.entries:
            raise ValueMapMiss(self.name, value)
        return self.entries[key]

    def reverse_lookup(self, value: Any) -> str:
        """Map a value of the ``to`` system back to the ``from`` system."""
        key = map_key(value)
        if key not in self._reverse:
            raise ValueMapMiss(self.name, value, reverse=True)
        return self._reverse[key]


def map_key(value: Any) -> str:
    """Value maps are keyed by strings; booleans key as ``true``/``false``, refs by their id."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and "id" in value:
        value = value["id"]
    return str(value)


class MappingDocument(_Strict):
    """The whole document: every entity, its flows and the value maps."""

    entities: dict[str, Entity]
    value_maps: dict[str, ValueMap]
    flow_index: dict[str, Flow]
    source: str = ""

    def entity(self, name: str) -> Entity:
        try:
            return self.entities[name]
        except KeyError:
            raise KeyError(f"mapping document has no entity {name!r}; known: {sorted(self.entities)}") from None

    def flow(self, name: str) -> Flow:
        try:
            return self.flow_index[name]
        except KeyError:
            raise KeyError(f"mapping document has no flow {name!r}; known: {sorted(self.flow_index)}") from None

    @property
    def flows(self) -> list[Flow]:
        return list(self.flow_index.values())

    def value_map(self, name: str) -> ValueMap:
        try:
            return self.value_maps[name]
        except KeyError:
            raise KeyError(f"mapping document has no value map {name!r}; known: {sorted(self.value_maps)}") from None

    def flows_between(self, entity: str, source: str, target: str) -> list[Flow]:
        return [f for f in self.flows if f.entity == entity and f.source == source and f.target == target]
