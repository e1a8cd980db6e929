"""Governance: the Field-Level Mapping Document, its validator, the ownership filter and renderer."""

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
