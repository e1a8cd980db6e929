"""Governance: the Field-Level Mapping Document, its validator, the ownership filter and renderer.

The names below are imported on first use (PEP 562), so a DAG file that only needs
``flow_doc_md`` at parse time does not import the loader, the models or the transforms.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from magento_netsuite.governance.errors import (
        MappingDocumentError,
        MappingIssue,
        OwnershipError,
        PathError,
        TransformError,
        ValueMapMiss,
    )
    from magento_netsuite.governance.loader import load_mapping_document
    from magento_netsuite.governance.model import Entity, FieldSpec, Flow, MappingDocument, ValueMap
    from magento_netsuite.governance.ownership import OwnershipFilter
    from magento_netsuite.governance.paths import get_path, set_path
    from magento_netsuite.governance.render import flow_doc_md, render_document
    from magento_netsuite.governance.transforms import FieldViolation, apply_transform, validate_record
    from magento_netsuite.governance.translate import Translation, build_target, extract_fields, translate_record

__all__ = [
    "Entity",
    "FieldSpec",
    "FieldViolation",
    "Flow",
    "MappingDocument",
    "MappingDocumentError",
    "MappingIssue",
    "OwnershipError",
    "OwnershipFilter",
    "PathError",
    "TransformError",
    "Translation",
    "ValueMap",
    "ValueMapMiss",
    "apply_transform",
    "build_target",
    "extract_fields",
    "flow_doc_md",
    "get_path",
    "load_mapping_document",
    "render_document",
    "set_path",
    "translate_record",
    "validate_record",
]


def __getattr__(name: str) -> Any:
    modules = {
        "errors": (
            "MappingDocumentError",
            "MappingIssue",
            "OwnershipError",
            "PathError",
            "TransformError",
            "ValueMapMiss",
        ),
        "loader": ("load_mapping_document",),
        "model": ("Entity", "FieldSpec", "Flow", "MappingDocument", "ValueMap"),
        "ownership": ("OwnershipFilter",),
        "paths": ("get_path", "set_path"),
        "render": ("flow_doc_md", "render_document"),
        "transforms": ("FieldViolation", "apply_transform", "validate_record"),
        "translate": ("Translation", "build_target", "extract_fields", "translate_record"),
    }
    module = next((module for module, names in modules.items() if name in names), None)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
