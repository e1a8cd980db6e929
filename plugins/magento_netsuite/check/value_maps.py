"""Every id the value maps and mapping settings name must exist in the account it belongs to.

A value map's NetSuite side (its keys when ``from: netsuite``, else its values) holds internal ids of
one NetSuite list, asked with one SuiteQL ``WHERE id IN (...)``; its Magento side holds source
codes or customer groups, compared with what the store lists. Maps not named here (order status
letters, booleans) hold no account ids and are not checked. A new map adds one entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from magento_netsuite.check.magento_side import StoreLists
from magento_netsuite.check.needs import SUITEQL_TABLE_PERMISSIONS
from magento_netsuite.config import REPO_ROOT
from magento_netsuite.connectors.diagnostics import FAILED, OK, SKIPPED, Finding
from magento_netsuite.connectors.errors import SyncError
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.governance.model import ValueMap

SECTION = "value maps"
VALUE_MAPS_FILE = "value_maps.yaml"

NETSUITE_LISTS = {
    "location_to_source": "location",
    "price_level_to_customer_group": "pricelevel",
    "price_level_to_customer_group_id": "pricelevel",
    "terms": "term",
    "payment_method": "paymentmethod",
    "shipping_method": "shipitem",
}
"""Value map → the SuiteQL table whose internal ids its NetSuite side holds."""
NAME_HINTS = (("subsidiar", "subsidiary"), ("currenc", "currency"))
"""Maps named after these lists (e.g. ``subsidiary``, ``currency_by_website``) hold their ids."""

MAGENTO_LISTS = {
    "location_to_source": ("sources", "MSI source codes"),
    "price_level_to_customer_group": ("group_codes", "customer group codes"),
    "price_level_to_customer_group_id": ("group_ids", "customer group ids"),
}
"""Value map → the :class:`StoreLists` attribute its Magento side must be in."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SETTINGS = {"website_id": ("websites", "website ids"), "attribute_set_id": ("attribute_sets", "attribute set ids")}
"""Mapping-document settings (any file, any depth) naming Magento ids → the store list they must be in."""


def netsuite_table(name: str) -> str | None:
    if name in NETSUITE_LISTS:
        return NETSUITE_LISTS[name]
    return next((table for hint, table in NAME_HINTS if hint in name), None)


def netsuite_side(value_map: ValueMap) -> list[str]:
    values = value_map.entries.keys() if value_map.from_ == "netsuite" else value_map.entries.values()
    return sorted({str(v) for v in values}, key=lambda v: (len(v), v))


def magento_side(value_map: ValueMap) -> list[str]:
    values = value_map.entries.keys() if value_map.from_ == "magento" else value_map.entries.values()
    return sorted({str(v) for v in values})


def map_line(mappings_dir: Path, name: str) -> str:
    path = mappings_dir / VALUE_MAPS_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return str(path)
    number = next((i for i, line in enumerate(lines, 1) if re.match(rf"\s+{re.escape(name)}:\s*$", line)), None)
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    return f"{shown}:{number}" if number else str(shown)


def check_netsuite_ids(hook: NetSuiteHook, maps: dict[str, ValueMap], mappings_dir: Path) -> list[Finding]:
    findings = []
    for name, value_map in maps.items():
        table = netsuite_table(name)
        if table is None:
            continue
        subject = f"value map {name} (NetSuite {table} ids)"
        wanted = netsuite_side(value_map)
        not_ids = [v for v in wanted if not v.isdigit()]
        if not_ids:
            findings.append(
                Finding(
                    SECTION,
                    subject,
                    FAILED,
                    f"not internal ids: {', '.join(not_ids)}",
                    f"{map_line(mappings_dir, name)}: use NetSuite internal ids (SELECT id, name FROM {table})",
                )
            )
            continue
        try:
            found = _existing_ids(hook, table, wanted)
        except SyncError as exc:
            permission = SUITEQL_TABLE_PERMISSIONS.get(table, "its list")
            findings.append(
                Finding(
                    SECTION,
                    subject,
                    FAILED,
                    f"cannot read {table}: {exc}",
                    f"give the integration's role View on {permission}",
                )
            )
            continue
        missing = [v for v in wanted if v not in found]
        if missing:
            findings.append(
                Finding(
                    SECTION,
                    subject,
                    FAILED,
                    f"{len(missing)} of {len(wanted)} ids do not exist in account {hook.account_id}: "
                    f"{', '.join(missing)}",
                    f"{map_line(mappings_dir, name)}: replace {', '.join(missing)} with ids the account has "
                    f"(SELECT id, name FROM {table}), then `make mapping-doc`",
                )
            )
        else:
            findings.append(Finding(SECTION, subject, OK, f"all {len(wanted)} ids exist"))
    return findings


def _existing_ids(hook: NetSuiteHook, table: str, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        query = f"SELECT id FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})"
        for page in hook.suiteql(query, [int(i) for i in chunk]):
            found.update(str(row["id"]) for row in page)
    return found


def check_magento_codes(store: StoreLists, maps: dict[str, ValueMap], mappings_dir: Path) -> list[Finding]:
    findings = []
    for name, (attribute, label) in MAGENTO_LISTS.items():
        if name not in maps:
            continue
        findings.append(
            _compare(
                f"value map {name} (Magento {label})",
                magento_side(maps[name]),
                getattr(store, attribute),
                store.errors.get(_list_name(attribute)),
                f"{map_line(mappings_dir, name)}",
            )
        )
    documents = _documents(mappings_dir)
    for key, (attribute, label) in SETTINGS.items():
        for path, value in ((p, v) for p, document in documents for v in _values_of(document, key)):
            findings.append(
                _compare(
                    f"mapping setting {key} in {path.name} (Magento {label})",
                    [str(value)],
                    getattr(store, attribute),
                    store.errors.get(_list_name(attribute)),
                    str(path),
                )
            )
    return findings


def _list_name(attribute: str) -> str:
    return {
        "sources": "sources",
        "group_codes": "customer groups",
        "group_ids": "customer groups",
        "websites": "websites",
        "attribute_sets": "attribute sets",
    }[attribute]


def _compare(subject: str, wanted: list[str], existing: set[str] | None, error: str | None, where: str) -> Finding:
    if existing is None:
        return Finding(SECTION, subject, SKIPPED, f"not checked: {error or 'the store list could not be read'}")
    missing = [v for v in wanted if v not in existing]
    if missing:
        return Finding(
            SECTION,
            subject,
            FAILED,
            f"not in the store: {', '.join(missing)} (the store has: {', '.join(sorted(existing))})",
            f"{where}: use values the store has, or create them in the Magento admin",
        )
    return Finding(SECTION, subject, OK, f"all {len(wanted)} exist")


def _documents(mappings_dir: Path) -> list[tuple[Path, Any]]:
    documents = []
    for path in sorted(mappings_dir.glob("*.yaml")):
        try:
            documents.append((path, yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)))  # ruff: ignore[unsafe-yaml-load] - a safe (C) loader
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue  # the loader reports broken files; check only reads what loads
    return documents


def _values_of(node: Any, key: str) -> Iterable[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, (int, str)):
                yield v
            else:
                yield from _values_of(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _values_of(item, key)
