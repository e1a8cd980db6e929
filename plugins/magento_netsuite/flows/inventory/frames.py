"""The inventory rows as frames: NetSuite pages → one typed table, and that table → MSI source items.

A row the vectorised path can vouch for (a clean SKU, a mapped location, whole non-negative numbers
that every mapped validation admits) is converted column-wise. Every other row goes through
:func:`~.transform.source_item`, the row-by-row rule that names the record and the field, so the two
paths never disagree on an error: the fast path only ever handles rows that rule would accept.
Values that don't fit the table's types (a quantity sent as text) travel whole in the ``raw`` column.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from magento_netsuite.flows.inventory.constants import FLOW
from magento_netsuite.flows.inventory.settings import InventorySettings
from magento_netsuite.flows.inventory.transform import (
    MAGENTO_QUANTITY_MAX,
    MAGENTO_SKU_LENGTH,
    UNMAPPED_LOCATION,
    record_key,
    source_item,
    source_of,
)
from magento_netsuite.governance import MappingDocument
from magento_netsuite.pipeline.flow import FrameOutcomes
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status

NUMBERS = ("on_hand", "committed", "available")
TEXT = ("item_id", "sku", "location_id", "last_modified")
COLUMNS = ("key", *TEXT, *NUMBERS, "inactive", "raw")
CONTROL = r"[\x00-\x1f\x7f]"
ITEM_COLUMNS = ["key", "sku", "source_code", "quantity", "status"]
FAST_VALIDATIONS = {"required", "type", "min", "max"}


def empty_items() -> pd.DataFrame:
    """No source items, typed as every items frame is."""
    return pd.DataFrame(
        {
            "key": pd.Series(dtype="str"),
            "sku": pd.Series(dtype="str"),
            "source_code": pd.Series(dtype="str"),
            "quantity": pd.Series(dtype="float64"),
            "status": pd.Series(dtype="int64"),
        }
    )


def location_sources(doc: MappingDocument) -> dict[str, str]:
    return {str(k): str(v) for k, v in doc.value_map("location_to_source").entries.items()}


def rows_frame(rows: Iterable[Mapping[str, Any]], sources: Mapping[str, str]) -> pd.DataFrame:
    """NetSuite inventory rows (RESTlet or SuiteQL shape) as one typed frame with the record ``key``.

    A row whose values don't fit the types (a number sent as text, a SKU that is not text) keeps
    its original JSON in ``raw``; the transform reads it from there, so nothing is lost or coerced."""
    given = list(rows)
    frame = pd.DataFrame.from_records(given, columns=[*TEXT, *NUMBERS, "inactive"])
    numbers = {c: pd.to_numeric(frame[c], errors="coerce").astype("float64") for c in NUMBERS}
    sku_ok = _texts(frame["sku"])
    misfit = ~sku_ok
    for column in NUMBERS:  # a number sent as text, or a bool: not a number to the row-by-row rule
        misfit |= ~_numbers(frame[column]) & frame[column].notna()
    inactive = frame["inactive"]
    out = pd.DataFrame(
        {
            "item_id": _text(frame["item_id"]),
            "sku": frame["sku"].where(sku_ok, "").astype("str"),
            "location_id": _text(frame["location_id"]),
            "last_modified": _text(frame["last_modified"]),
            **numbers,
            "inactive": (inactive == True) | inactive.astype("str").str.upper().isin(["T", "TRUE"]),  # ruff: ignore[true-false-comparison]
        }
    )
    source = out["location_id"].map(sources).fillna(UNMAPPED_LOCATION + out["location_id"])
    out.insert(0, "key", (out["sku"] + "@" + source).astype("str"))
    raw = pd.Series(None, index=out.index, dtype="str")
    if misfit.any():
        originals = [dict(given[i]) for i in np.flatnonzero(misfit.to_numpy())]
        raw[misfit] = [json.dumps(r, default=str) for r in originals]
        # the key of a non-text SKU as the row-by-row rule spells it
        out.loc[misfit & ~sku_ok, "key"] = [
            record_key(r.get("sku") or "", source_of(r.get("location_id"), sources))
            for r, ok in zip(originals, sku_ok[misfit], strict=True)
            if not ok
        ]
    out["raw"] = raw
    return out[list(COLUMNS)]


def _texts(values: pd.Series) -> pd.Series:
    """Which values are text (answered by the dtype for the usual page, value by value otherwise)."""
    if pd.api.types.is_string_dtype(values) and values.notna().all():
        return pd.Series(True, index=values.index)
    return values.astype(object).map(lambda v: isinstance(v, str)).astype(bool)


def _numbers(values: pd.Series) -> pd.Series:
    """Which values are numbers or missing (a number sent as text, or a bool, is not)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return pd.Series(True, index=values.index)
    return values.astype(object).map(lambda v: v is None or _real(v)).astype(bool)


def _real(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(values: pd.Series) -> pd.Series:
    """Ids and timestamps as text ("" when missing)."""
    return values.astype(object).where(values.notna(), "").astype("str")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as the NetSuite records they came from (for the error queue and the row-by-row rule)."""
    out = []
    for row in frame.to_dict("records"):
        raw = row.get("raw")
        if isinstance(raw, str):
            out.append(json.loads(raw))
            continue
        record = {c: row[c] for c in (*TEXT, *NUMBERS, "inactive")}
        record["last_modified"] = record["last_modified"] or None
        for c in NUMBERS:
            value = float(record[c])
            record[c] = None if np.isnan(value) else int(value) if value.is_integer() else value
        out.append(record)
    return out


def _fast_rule(doc: MappingDocument, basis: str) -> tuple[bool, dict[str, tuple[float | None, float | None]]]:
    """Whether the vectorised path may judge rows under this mapping, and the numeric bounds per
    NetSuite column. It may when ``sku`` and ``source_code`` are placed from the RESTlet's ``sku`` and
    ``location_id`` (through ``location_to_source``) and every validation is of a kind it checks
    (required, type, min, max); otherwise every row takes the row-by-row rule."""
    flow = doc.flow(FLOW)
    placed = (flow.field("sku").netsuite, flow.field("sku").transform) == ("sku", "string") and (
        flow.field("source_code").netsuite,
        flow.field("source_code").transform,
    ) == ("location_id", "map:location_to_source")
    bounds: dict[str, tuple[float | None, float | None]] = {basis: (None, None)}
    for field in flow.fields:
        rule = field.validation.model_dump(exclude_defaults=True)
        if set(rule) - FAST_VALIDATIONS:
            return False, {}
        if rule.get("type") == "number" and field.netsuite:
            if field.netsuite not in NUMBERS:
                return False, {}
            low, high = bounds.get(field.netsuite, (None, None))
            if "min" in rule:
                low = rule["min"] if low is None else max(low, rule["min"])
            if "max" in rule:
                high = rule["max"] if high is None else min(high, rule["max"])
            bounds[field.netsuite] = (low, high)
    return placed, bounds


def source_items(
    frame: pd.DataFrame, doc: MappingDocument, settings: InventorySettings, ctx: RunContext
) -> tuple[pd.DataFrame, list[RecordOutcome]]:
    """MSI source items (``key, sku, source_code, quantity, status``) and the quarantined rows."""
    sources = location_sources(doc)
    basis = settings.quantity_basis
    vectorisable, bounds = _fast_rule(doc, basis)
    source = frame["location_id"].map(sources)
    sku = frame["sku"]
    fast = pd.Series(vectorisable, index=frame.index) & frame["raw"].isna() & source.notna()
    fast &= (sku.str.len() > 0) & (sku.str.len() <= MAGENTO_SKU_LENGTH) & (sku == sku.str.strip())
    fast &= ~sku.str.contains(CONTROL, regex=True)
    for column, (low, high) in bounds.items():
        values = frame[column]
        fast &= values.notna() & (values == np.floor(values)) & (values >= 0) & (values <= float(MAGENTO_QUANTITY_MAX))
        fast &= values >= low if low is not None else True
        fast &= values <= high if high is not None else True
    buffer = _buffers(frame, source, settings)
    fast &= buffer == np.floor(buffer)
    quantity = frame[basis].where(~frame["inactive"], 0.0)
    pushed = (quantity - buffer).clip(lower=0)
    items = pd.DataFrame(
        {
            "key": frame["key"],
            "sku": sku,
            "source_code": source.astype("str"),
            "quantity": pushed,
            "status": (pushed > 0).astype("int64"),
        }
    )[fast]
    quarantined: list[RecordOutcome] = []
    slow = frame[~fast]
    if len(slow):
        by_rule = []
        for row in records(slow):
            item = source_item(row, doc.flow(FLOW), doc, settings, ctx)
            if isinstance(item, RecordOutcome):
                quarantined.append(item)
            else:
                by_rule.append({**item, "quantity": float(item["quantity"])})
        if by_rule:
            by_rule_items = pd.DataFrame(by_rule, columns=ITEM_COLUMNS).astype(empty_items().dtypes)
            items = pd.concat([items, by_rule_items], ignore_index=True)
    return items.reset_index(drop=True), quarantined


def _buffers(frame: pd.DataFrame, source: pd.Series, settings: InventorySettings) -> pd.Series:
    """Units held back per row: per SKU wins over per source, which wins over the default."""
    buffer = pd.Series(float(settings.buffer_default), index=frame.index)
    if settings.buffer_per_location:
        per_source = source.map({k: float(v) for k, v in settings.buffer_per_location.items()})
        buffer = per_source.fillna(buffer)
    if settings.buffer_per_sku:
        per_sku = frame["sku"].map({k: float(v) for k, v in settings.buffer_per_sku.items()})
        buffer = per_sku.fillna(buffer)
    return buffer.astype("float64")


def same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Quantities equal to Magento's precision, 0.0001 (they travel as floats through JSON and the store)."""
    return (a.astype("float64") - b.astype("float64")).abs() < 5e-5


def outcomes(keys: pd.Series, status: Status, quarantined: list[RecordOutcome] | None = None) -> FrameOutcomes:
    """One status for ``keys``, plus the quarantined records (their keys with their status)."""
    quarantined = quarantined or []
    frames = [pd.DataFrame({"key": keys.astype("str").to_numpy(), "status": status.value})]
    if quarantined:
        bad = pd.Series([o.key for o in quarantined], dtype="str")
        frames.append(pd.DataFrame({"key": bad, "status": Status.QUARANTINED.value}))
    return FrameOutcomes(pd.concat(frames, ignore_index=True), quarantined)
