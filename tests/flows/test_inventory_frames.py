"""The vectorised inventory transform equals the row-by-row rule, row for row (hypothesis).

:func:`~magento_netsuite.flows.inventory.frames.source_items` handles the rows it can vouch for
column-wise and hands the rest to :func:`~magento_netsuite.flows.inventory.transform.source_item`;
on any mix of clean and hostile rows and any safety buffers the two must give the same source items
and the same quarantined records (key, field, message).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magento_netsuite.flows.inventory.constants import FLOW
from magento_netsuite.flows.inventory.frames import location_sources, records, rows_frame, source_items
from magento_netsuite.flows.inventory.settings import InventorySettings
from magento_netsuite.flows.inventory.transform import source_item
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext

CTX = RunContext(run_id="r1", dag_id="netsuite_inventory_to_magento", task_id="transform")
DOC = load_mapping_document()
SOURCES = location_sources(DOC)

skus = st.one_of(
    st.from_regex(r"SKU-[0-9]{1,6}", fullmatch=True),
    st.sampled_from([" SKU-1", "SKU-2 ", "", "X" * 65, "A\x00B", "TAB\tSKU", "PACK,2", "ünï-çødé"]),
    st.none(),
    st.integers(0, 99),
)
quantities = st.one_of(  # as the RESTlet's JSON carries them: no NaN, whole numbers as integers (JavaScript)
    st.integers(-5, 10**6),
    st.floats(min_value=-3, max_value=1e5, allow_nan=False, allow_infinity=False),
    st.sampled_from([10**15, 12.34567, 0.00001, 2.5, 99999999, 100000000, "7", "abc", None]),
).map(lambda v: int(v) if isinstance(v, float) and v.is_integer() else v)
rows = st.fixed_dictionaries(
    {
        "item_id": st.integers(1, 10**6).map(str),
        "sku": skus,
        "location_id": st.sampled_from(["1", "2", "3", "9"]),
        "on_hand": quantities,
        "committed": st.one_of(st.integers(0, 50), st.sampled_from([-1, 1.5, None])),
        "available": quantities,
        "inactive": st.sampled_from([False, True, "T", "F", None]),
        "last_modified": st.sampled_from(["2026-11-30T10:00:00Z", None]),
    }
)
buffers = st.builds(
    lambda default, per_location, per_sku: InventorySettings(
        buffer_default=Decimal(default),
        buffer_per_location={k: Decimal(v) for k, v in per_location.items()},
        buffer_per_sku={k: Decimal(v) for k, v in per_sku.items()},
    ),
    st.sampled_from(["0", "1", "2.5"]),
    st.dictionaries(st.sampled_from(sorted(SOURCES.values())), st.sampled_from(["0", "3", "0.5"]), max_size=2),
    st.dictionaries(st.sampled_from(["SKU-1", "SKU-12", "SKU-123"]), st.sampled_from(["4", "1.25"]), max_size=2),
)


def by_rule(rows: list[dict[str, Any]], settings: InventorySettings) -> tuple[dict, dict]:
    items, quarantined = {}, {}
    for row in rows:
        outcome = source_item(row, DOC.flow(FLOW), DOC, settings, CTX)
        if isinstance(outcome, RecordOutcome):
            assert outcome.error is not None
            quarantined[outcome.key] = (outcome.error.field_path, outcome.error.message)
        else:
            items[outcome["key"]] = (
                outcome["sku"],
                outcome["source_code"],
                float(outcome["quantity"]),
                outcome["status"],
            )
    return items, quarantined


def vectorised(rows: list[dict[str, Any]], settings: InventorySettings) -> tuple[dict, dict]:
    frame, quarantined = source_items(rows_frame(rows, SOURCES), DOC, settings, CTX)
    items = {
        r["key"]: (r["sku"], r["source_code"], float(r["quantity"]), int(r["status"])) for r in frame.to_dict("records")
    }
    return items, {o.key: (o.error.field_path, o.error.message) for o in quarantined if o.error is not None}


def unique_keys(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per record key (SKU, location), as the RESTlet serves them."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        seen.setdefault((str(row["sku"] or ""), row["location_id"]), row)
    return list(seen.values())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=40).map(unique_keys), buffers)
def test_vectorised_source_items_equal_the_row_by_row_rule(rows: list[dict[str, Any]], settings) -> None:
    assert vectorised(rows, settings) == by_rule(rows, settings)


def test_a_row_that_does_not_fit_the_types_travels_whole_in_raw() -> None:
    row = {"item_id": "5", "sku": "SKU-5", "location_id": "1", "on_hand": "lots", "committed": 0, "available": 3}
    frame = rows_frame([row], SOURCES)
    assert frame.loc[0, "key"] == "SKU-5@wh_east" and isinstance(frame.loc[0, "raw"], str)
    assert records(frame)[0] == row


def test_clean_rows_come_back_as_the_records_they_were() -> None:
    row = {
        "item_id": "5",
        "sku": "SKU-5",
        "location_id": "2",
        "on_hand": 4,
        "committed": 1,
        "available": 3,
        "inactive": False,
        "last_modified": "2026-11-30T10:00:00Z",
    }
    frame = rows_frame([row], SOURCES)
    assert (frame["raw"].isna()).all() and records(frame) == [row]


@pytest.mark.parametrize("quantity", [7, 7.0])
def test_whole_quantities_are_sent_as_integers(quantity: float) -> None:
    frame, _ = source_items(
        rows_frame(
            [{"item_id": "1", "sku": "S", "location_id": "1", "on_hand": 9, "committed": 0, "available": quantity}],
            SOURCES,
        ),
        DOC,
        InventorySettings(),
        CTX,
    )
    assert frame.loc[0, "quantity"] == 7 and not math.isnan(frame.loc[0, "quantity"])
