"""The ownership filter: a flow A → B only ever carries fields A owns (or A hands off at creation)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from magento_netsuite.governance.errors import OwnershipError
from magento_netsuite.governance.model import FieldSpec, Flow, MappingDocument

if TYPE_CHECKING:
    import pandas as pd


class OwnershipFilter:
    """The fields one flow may carry, applied to records and frames keyed by field name.

    Build it from a flow name (``OwnershipFilter(doc, "inventory_netsuite_to_magento")``) or from an
    entity and a direction (``OwnershipFilter(doc, entity="customer", source="netsuite",
    target="magento")``). Keys that are not allowed are left out; *asking* for a field the source does
    not own raises :class:`OwnershipError` rather than dropping it silently.
    """

    def __init__(
        self,
        doc: MappingDocument,
        flow_name: str | None = None,
        *,
        entity: str | None = None,
        source: str | None = None,
        target: str | None = None,
    ) -> None:
        self.doc = doc
        if flow_name is not None:
            self.flow: Flow | None = doc.flow(flow_name)
            self.entity = self.flow.entity
            self.source, self.target = self.flow.source, self.flow.target
            self._fields = list(self.flow.fields)
        else:
            if entity is None or source is None or target is None:
                raise ValueError("give a flow name, or entity, source and target")
            if source == target:
                raise ValueError(f"source and target are both {source!r}")
            self.flow = None
            self.entity, self.source, self.target = entity, source, target
            self._fields = [
                f
                for f in doc.entity(entity).fields
                if f.owner == source and f.conflict != "never_synced" and f.path_for(target) is not None
            ]
        self._by_name = {f.name: f for f in self._fields}

    @property
    def fields(self) -> list[FieldSpec]:
        return list(self._fields)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self._fields]

    def check(self, fields: Iterable[str] | None = None) -> list[str]:
        """The requested field names, each verified; all allowed fields when ``fields`` is None."""
        if fields is None:
            return self.field_names
        requested = list(fields)
        entity = self.doc.entity(self.entity)
        for name in requested:
            if name in self._by_name:
                continue
            if name not in entity.field_names:
                raise OwnershipError(f"entity {self.entity!r} has no field {name!r}")
            spec = entity.field(name)
            raise OwnershipError(
                f"{self._label()} may not carry field {name!r} of entity {self.entity!r}: "
                f"owner is {spec.owner}, conflict rule {spec.conflict}"
            )
        return requested

    def apply_record(self, record: Mapping[str, Any], fields: Iterable[str] | None = None) -> dict[str, Any]:
        """A copy of ``record`` holding only the allowed (or requested) fields.

        With explicit ``fields``, each must be allowed and present in the record.
        """
        names = self.check(fields)
        if fields is not None:
            missing = [n for n in names if n not in record]
            if missing:
                raise OwnershipError(f"{self._label()}: record lacks requested field(s) {missing}")
        return {name: record[name] for name in names if name in record}

    def apply_frame(self, frame: pd.DataFrame, fields: Iterable[str] | None = None) -> pd.DataFrame:
        """The columns of ``frame`` that are allowed (or requested), in document order."""
        names = self.check(fields)
        if fields is not None:
            missing = [n for n in names if n not in frame.columns]
            if missing:
                raise OwnershipError(f"{self._label()}: frame lacks requested column(s) {missing}")
        return frame.loc[:, [name for name in names if name in frame.columns]].copy()

    def _label(self) -> str:
        name = f"flow {self.flow.name!r}" if self.flow is not None else "the filter"
        return f"{name} ({self.source} → {self.target})"
