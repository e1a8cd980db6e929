"""Load and validate the Field-Level Mapping Document from ``include/mappings/``.

Every problem found is collected and raised together as :class:`MappingDocumentError`, each one
naming file, line, entity and field. DAG files call :func:`load_mapping_document` at parse time, so
an invalid document shows up as an import error in the Airflow UI.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from magento_netsuite.config import MAPPINGS_DIR
from magento_netsuite.governance.errors import MappingDocumentError, MappingIssue, PathError
from magento_netsuite.governance.model import (
    Entity,
    FieldSpec,
    Flow,
    FlowSpec,
    Keys,
    MappingDocument,
    ValueMap,
)
from magento_netsuite.governance.paths import validate_path
from magento_netsuite.governance.sources import VALUE_MAPS_FILE, Undecodable, read_sources
from magento_netsuite.governance.transforms import unknown_transform_steps

ENTITY_KEYS = {"entity", "title", "description", "keys", "flows", "fields", "settings"}


class LineDict(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[Any, int]


class _MarkedLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers and rejects duplicate keys (pure Python: slow, exact errors)."""


class _FastMarkedLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's C parser: the nodes it composes carry the same marks, about 7x faster."""


def _construct_mapping(loader: _MarkedLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_FastMarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_of(node: Any, key: Any = None) -> int | None:
    if isinstance(node, LineDict):
        if key is not None and key in node.key_lines:
            return node.key_lines[key]
        return node.line
    return None


class _Collector:
    def __init__(self) -> None:
        self.issues: list[MappingIssue] = []

    def add(self, file: Path, line: int | None, entity: str | None, field: str | None, message: str) -> None:
        self.issues.append(MappingIssue(str(file), line, entity, field, message))

    def pydantic(
        self, file: Path, raw: Any, error: ValidationError, entity: str | None, field: str | None, prefix: str = ""
    ) -> None:
        for item in error.errors():
            loc = item.get("loc", ())
            key = loc[0] if loc else None
            line = _line_of(raw, key)
            where = ".".join(str(part) for part in loc) or "(record)"
            message = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
            self.add(file, line, entity, field, f"{prefix}{where}: {message}")


def _parse(loader_class: type, text: str) -> Any:
    loader = loader_class(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _read_yaml(path: Path, text: str, issues: _Collector) -> Any:
    """The YAML of one file, or None after adding an issue naming the file (undecodable, malformed, empty)."""
    if isinstance(text, Undecodable):
        issues.add(path, text.line, path.stem, None, text.reason)
        return None
    before = len(issues.issues)
    raw = _parse_yaml(path, text, issues)
    if raw is None and len(issues.issues) == before:
        issues.add(path, None, path.stem, None, "the file is empty (no YAML document in it)")
    return raw


def _parse_yaml(path: Path, text: str, issues: _Collector) -> Any:
    try:
        return _parse(_FastMarkedLoader, text)
    except yaml.YAMLError:
        pass  # report what the pure-Python parser says: its messages and marks are the ones documented
    try:
        return _parse(_MarkedLoader, text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        issues.add(path, line, path.stem, None, f"malformed YAML: {problem}")
        return None


def _validated(model: type[BaseModel], raw: Any, **extra: Any) -> tuple[BaseModel | None, ValidationError | None]:
    try:
        return model.model_validate({**raw, **extra}), None
    except ValidationError as exc:
        return None, exc


def _load_value_maps(directory: Path, sources: dict[Path, str], issues: _Collector) -> dict[str, ValueMap]:
    path = directory / VALUE_MAPS_FILE
    if path not in sources:
        issues.add(path, None, None, None, f"missing {VALUE_MAPS_FILE}")
        return {}
    raw = _read_yaml(path, sources[path], issues)
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) != {"value_maps"} or not isinstance(raw["value_maps"], dict):
        issues.add(path, _line_of(raw), None, None, "expected exactly one top-level key 'value_maps' holding a mapping")
        return {}
    maps: dict[str, ValueMap] = {}
    for name, body in raw["value_maps"].items():
        line = _line_of(raw["value_maps"], name)
        if not isinstance(body, dict):
            issues.add(path, line, "value_maps", name, "a value map must be a mapping")
            continue
        entries = body.get("entries")
        if isinstance(entries, dict):
            body = LineDict(body, entries={str(k): v for k, v in entries.items()})
            body.line, body.key_lines = line, raw["value_maps"][name].key_lines
        value_map, error = _validated(ValueMap, body, name=name)
        if error is not None:
            issues.pydantic(path, body, error, "value_maps", name)
            continue
        maps[name] = value_map  # type: ignore[assignment]
    return maps


def _load_fields(path: Path, entity: str, raw_fields: Any, issues: _Collector) -> list[FieldSpec]:
    if not isinstance(raw_fields, list):
        issues.add(path, None, entity, None, "'fields' must be a list")
        return []
    fields: list[FieldSpec] = []
    seen: dict[str, int | None] = {}
    for raw in raw_fields:
        if not isinstance(raw, dict):
            issues.add(path, None, entity, None, f"a field must be a mapping, got {raw!r}")
            continue
        name = raw.get("name")
        line = _line_of(raw)
        label = str(name) if name is not None else None
        if name is None:
            issues.add(path, line, entity, None, "field has no name")
            continue
        if name in seen:
            issues.add(path, line, entity, label, f"duplicated field (first defined on line {seen[name]})")
            continue
        seen[name] = line
        owner = raw.get("owner")
        if owner is None:
            issues.add(path, line, entity, label, "field has no owner (exactly one of: netsuite, magento)")
            continue
        if isinstance(owner, list) or (isinstance(owner, str) and any(sep in owner for sep in (",", " and ", "/"))):
            issues.add(
                path, _line_of(raw, "owner"), entity, label, f"field has two owners {owner!r}; exactly one allowed"
            )
            continue
        spec, error = _validated(FieldSpec, raw, line=line)
        if error is not None:
            issues.pydantic(path, raw, error, entity, label)
            continue
        fields.append(spec)  # type: ignore[arg-type]
    return fields


def _check_field(path: Path, entity: str, spec: FieldSpec, value_maps: dict[str, ValueMap], issues: _Collector) -> None:
    for unknown in unknown_transform_steps(spec.transform, value_maps):
        kind = "value map" if unknown.startswith("map:") else "transform"
        issues.add(path, spec.line, entity, spec.name, f"unknown {kind} {unknown!r}")
    for system in ("netsuite", "magento"):
        field_path = spec.path_for(system)
        if field_path is None:
            continue
        try:
            validate_path(field_path)
        except PathError as exc:
            issues.add(path, spec.line, entity, spec.name, f"{system} path: {exc}")
    if spec.handoff is not None and spec.handoff == spec.owner:
        issues.add(path, spec.line, entity, spec.name, "handoff must be the system that does not own the field")
    if spec.conflict == "create_only" and spec.handoff is None:
        issues.add(path, spec.line, entity, spec.name, "conflict create_only needs a handoff system")
    if spec.path_for(spec.owner) is None and spec.conflict != "never_synced":
        issues.add(path, spec.line, entity, spec.name, f"a synced field needs a path on its owner ({spec.owner})")


def _writable(spec: FieldSpec, flow: FlowSpec) -> bool:
    if spec.owner == flow.source:
        return True
    return flow.mode == "create_only" and spec.handoff == flow.source


def _resolve_flow(
    path: Path, entity: str, name: str, flow: FlowSpec, raw: Any, fields: list[FieldSpec], issues: _Collector
) -> Flow:
    line = _line_of(raw)
    by_name = {f.name: f for f in fields}
    if flow.source == flow.target:
        issues.add(path, line, entity, None, f"flow {name!r}: source and target are both {flow.source}")
    if flow.fields is None:
        carried = [
            f
            for f in fields
            if _writable(f, flow)
            and f.conflict != "never_synced"
            and f.path_for(flow.source)
            and f.path_for(flow.target)
        ]
    else:
        carried = []
        for field_name in flow.fields:
            spec = by_name.get(field_name)
            if spec is None:
                issues.add(path, line, entity, field_name, f"flow {name!r} lists a field the entity does not define")
                continue
            if not _writable(spec, flow):
                issues.add(
                    path,
                    line,
                    entity,
                    field_name,
                    f"flow {name!r} ({flow.source} → {flow.target}) would write a field its target owns "
                    f"(owner {spec.owner}{', handoff ' + spec.handoff if spec.handoff else ''}, mode {flow.mode})",
                )
                continue
            if spec.conflict == "never_synced":
                issues.add(path, line, entity, field_name, f"flow {name!r} carries a never_synced field")
                continue
            if spec.path_for(flow.target) is None:
                issues.add(path, line, entity, field_name, f"flow {name!r}: field has no {flow.target} path to write")
                continue
            carried.append(spec)
    return Flow(name=name, entity=entity, fields=carried, **flow.model_dump(exclude={"fields"}))


def _load_entity(
    path: Path, text: str, value_maps: dict[str, ValueMap], issues: _Collector
) -> tuple[Entity | None, list[Flow]]:
    raw = _read_yaml(path, text, issues)
    if raw is None:
        return None, []
    if not isinstance(raw, dict):
        issues.add(path, 1, path.stem, None, "an entity file must be a mapping")
        return None, []
    entity = raw.get("entity")
    if entity != path.stem:
        issues.add(
            path, _line_of(raw, "entity"), path.stem, None, f"entity {entity!r} must equal the file name {path.stem!r}"
        )
        entity = path.stem
    before = len(issues.issues)
    for key in raw:
        if key not in ENTITY_KEYS:
            issues.add(path, _line_of(raw, key), entity, None, f"unknown key {key!r}")
    for key in ("title", "keys", "fields"):
        if key not in raw:
            issues.add(path, raw.line, entity, None, f"missing key {key!r}")
    fields = _load_fields(path, entity, raw.get("fields", []), issues)
    for spec in fields:
        _check_field(path, entity, spec, value_maps, issues)
    keys, error = _validated(Keys, raw.get("keys") or {})
    if error is not None:
        issues.pydantic(path, raw.get("keys"), error, entity, None)
    flows: dict[str, FlowSpec] = {}
    resolved: list[Flow] = []
    raw_flows = raw.get("flows") or {}
    if not isinstance(raw_flows, dict):
        issues.add(path, _line_of(raw, "flows"), entity, None, "'flows' must be a mapping of flow name → flow")
        raw_flows = {}
    for name, body in raw_flows.items():
        if not isinstance(body, dict):
            issues.add(path, _line_of(raw_flows, name), entity, None, f"flow {name!r} must be a mapping")
            continue
        flow, error = _validated(FlowSpec, body)
        if error is not None:
            issues.pydantic(path, body, error, entity, None, prefix=f"flow {name!r}: ")
            continue
        flows[name] = flow  # type: ignore[assignment]
        resolved.append(_resolve_flow(path, entity, name, flow, body, fields, issues))  # type: ignore[arg-type]
    settings = raw.get("settings") or {}
    if not isinstance(settings, dict):
        issues.add(path, _line_of(raw, "settings"), entity, None, "'settings' must be a mapping")
    if len(issues.issues) != before:
        return None, []
    model = Entity(
        entity=entity,
        title=raw["title"],
        description=raw.get("description", ""),
        keys=keys,
        flows=flows,
        fields=fields,
        settings=dict(settings),
        file=str(path),
    )
    return model, resolved


def _load(directory: Path, sources: dict[Path, str] | None = None, *, partial: bool = False) -> MappingDocument:
    """Validate the document in ``directory``; ``sources`` (from :func:`read_sources`) if already read.

    ``partial``: when only entity files have problems, the document of the other files (their entities
    and flows) instead of the error: what a DAG whose flow lives in a valid file needs to import. A
    problem in ``value_maps.yaml`` (which every file may use) still raises.
    """
    issues = _Collector()
    if not directory.is_dir():
        issues.add(directory, None, None, None, "mapping directory does not exist")
        raise MappingDocumentError(issues.issues)
    if sources is None:
        sources = read_sources(directory)
    value_maps = _load_value_maps(directory, sources, issues)
    entities: dict[str, Entity] = {}
    flow_index: dict[str, Flow] = {}
    for path, text in sources.items():
        if path.name == VALUE_MAPS_FILE:
            continue
        entity, flows = _load_entity(path, text, value_maps, issues)
        if entity is None:
            continue
        entities[entity.entity] = entity
        for flow in flows:
            if flow.name in flow_index:
                issues.add(
                    path,
                    None,
                    entity.entity,
                    None,
                    f"flow {flow.name!r} is already defined by entity {flow_index[flow.name].entity!r}",
                )
                continue
            flow_index[flow.name] = flow
    if issues.issues:
        broken = {Path(issue.file) for issue in issues.issues}
        if not partial or broken & {directory, directory / VALUE_MAPS_FILE}:
            raise MappingDocumentError(issues.issues)
        entities = {name: e for name, e in entities.items() if Path(e.file) not in broken}
        flow_index = {name: f for name, f in flow_index.items() if f.entity in entities}
    return MappingDocument(entities=entities, value_maps=value_maps, flow_index=flow_index, source=str(directory))


_cache: dict[Path | str, MappingDocument] = {}
"""Keyed by the resolved directory and by each path a caller passed for it."""
_lock = threading.Lock()


def load_mapping_document(path: Path | str = MAPPINGS_DIR, *, reload: bool = False) -> MappingDocument:
    """The validated mapping document under ``path`` (cached per path; ``reload=True`` re-reads it).

    Raises :class:`MappingDocumentError` listing every problem with file, line, entity and field.
    """
    if not reload and (cached := _cache.get(path)) is not None:
        return cached  # hot path (per record in the flows): no filesystem call for a path seen before
    directory = Path(path).resolve()
    with _lock:
        if reload or directory not in _cache:
            stale = _cache.get(directory)
            for alias in [key for key, doc in _cache.items() if doc is stale]:
                del _cache[alias]
            _cache[directory] = _load(directory)
        _cache[path] = _cache[directory]
        return _cache[directory]
