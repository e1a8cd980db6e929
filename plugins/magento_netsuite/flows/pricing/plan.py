"""Plan: NetSuite's prices for a batch of items → the Magento writes that make Magento agree.

``plan`` validates each item (bad ones quarantined by SKU and field), builds the desired base and
tier prices (:mod:`.rules`), and joins them with a reference frame: the snapshot of what we pushed
(runs) or Magento's own prices (replay, which repairs prices changed behind our back). Rows that
differ are written, tier prices the reference has and NetSuite no longer has are deleted; a SKU with
nothing to write is unchanged. Items are planned a chunk of SKUs at a time (:func:`sku_chunks`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.pricing.constants import BASE_GROUP, ENTITY, FLOW
from magento_netsuite.flows.pricing.groups import contract_group_code
from magento_netsuite.flows.pricing.rules import CENT, COLUMNS, check_item, desired_prices, empty_frame, price_frames
from magento_netsuite.flows.pricing.settings import PricingSettings
from magento_netsuite.governance import MappingDocument
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined

log = logging.getLogger(__name__)
EXAMPLES = 10
SKU_LOOKUP_BATCH = 500
SUMMED = ("price_rows", "contract_group_rows", "rows_to_write", "rows_to_delete")
"""Figures of the plan's summary that add up over its chunks."""


@dataclass
class PricePlan:
    """``ready``: one row per SKU with writes (``key, sku, base, upsert, delete``); ``outcomes``: the
    SKUs settled already (unchanged, quarantined); ``removed``: writes for SKUs NetSuite no longer has."""

    ready: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[RecordOutcome] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def known_products(hook: MagentoHook, skus: Iterable[str]) -> list[str]:
    """The SKUs Magento has a product for (the price information calls refuse a whole batch otherwise)."""
    wanted = sorted(set(skus))
    known: set[str] = set()
    for start in range(0, len(wanted), SKU_LOOKUP_BATCH):
        chunk = wanted[start : start + SKU_LOOKUP_BATCH]
        for page in hook.search("products", [[("sku", chunk, "in")]], page_size=1000, fields=["sku"]):
            known.update(str(p.get("sku")) for p in page)
    return [s for s in wanted if s in known]


def live_frame(hook: MagentoHook, skus: Iterable[str]) -> pd.DataFrame:
    """Magento's current base and tier prices of these SKUs (SKUs Magento lacks are left out)."""
    present = known_products(hook, skus)
    if not present:
        return empty_frame()
    rows = [(str(b["sku"]), BASE_GROUP, 0.0, float(b["price"])) for b in hook.price_information("base", present)]
    rows += [
        (str(t["sku"]), str(t["customer_group"]), float(t["quantity"]), float(t["price"]))
        for t in hook.price_information("tier", present)
        if t.get("price_type", "fixed") == "fixed"
    ]
    return pd.DataFrame(rows, columns=COLUMNS) if rows else empty_frame()


def diff(desired: pd.DataFrame, reference: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows to write, tier rows to delete): a frame join on ``sku, group, quantity``."""
    joined = desired.merge(
        reference, on=["sku", "group", "quantity"], how="outer", suffixes=("", "_ref"), indicator=True
    )
    changed = (joined["_merge"] == "left_only") | (
        (joined["_merge"] == "both") & ((joined["price"] - joined["price_ref"]).abs() >= CENT)
    )
    writes = joined[changed][COLUMNS]
    gone = joined[(joined["_merge"] == "right_only") & (joined["group"] != BASE_GROUP)]
    deletes = gone[["sku", "group", "quantity", "price_ref"]].rename(columns={"price_ref": "price"})
    return writes, deletes


def _by_sku(frame: pd.DataFrame) -> dict[str, list[list[Any]]]:
    out: dict[str, list[list[Any]]] = {}
    for sku, group, qty, price in frame[COLUMNS].itertuples(index=False, name=None):
        out.setdefault(sku, []).append([group, qty, round(price, 4)])
    return out


def _rows(skus: Iterable[str], writes: pd.DataFrame, deletes: pd.DataFrame) -> dict[str, dict[str, Any]]:
    upserts, gone = _by_sku(writes), _by_sku(deletes)
    rows: dict[str, dict[str, Any]] = {}
    for sku in skus:
        if sku not in upserts and sku not in gone:
            continue
        mine = upserts.get(sku, [])
        rows[sku] = {
            "key": sku,
            "sku": sku,
            "base": next((p for g, _q, p in mine if g == BASE_GROUP), None),
            "upsert": [r for r in mine if r[0] != BASE_GROUP],
            "delete": gone.get(sku, []),
        }
    return rows


def _plan_chunk(
    items: list[Mapping[str, Any]],
    *,
    reference: str,
    contract_levels: Mapping[str, str | None],
    settings: PricingSettings,
    doc: MappingDocument,
    ctx: RunContext,
    snapshot: Any,
    magento: MagentoHook | None,
    removed_skus: Iterable[str],
) -> tuple[PricePlan, pd.DataFrame]:
    """One chunk of SKUs: the plan, and the prices of the chunk Magento cannot show."""
    result = PricePlan()
    valid: list[Mapping[str, Any]] = []
    for item in items:
        problem = check_item(item, settings)
        if problem is None:
            valid.append(item)
            continue
        result.outcomes.append(
            quarantined(
                FLOW,
                ENTITY,
                str(item.get("sku") or item.get("item_id")),
                item,
                error_class=problem.error_class,
                message=problem.message,
                field_path=problem.field,
                ctx=ctx,
            )
        )
    prices, contracts = price_frames(valid)
    desired = desired_prices(prices, contracts, contract_levels, settings, doc)
    skus = [str(item["sku"]) for item in valid]
    removed = sorted(set(removed_skus) - set(skus))
    if reference == "magento":
        assert magento is not None
        ref = live_frame(magento, skus)
    else:
        ref = snapshot.frame(skus + removed)
    writes, deletes = diff(desired.rows, ref)
    rows = _rows(skus, writes, deletes)
    result.ready = [rows[s] for s in skus if s in rows]
    result.outcomes += [RecordOutcome(s, Status.UNCHANGED) for s in skus if s not in rows]
    result.removed = list(_rows(removed, writes.iloc[0:0], deletes).values())
    result.extra = {
        "price_rows": len(desired.rows),
        "contract_group_rows": int(desired.rows["group"].str.startswith(contract_group_code("", doc)).sum()),
        "rows_to_write": len(writes),
        "rows_to_delete": len(deletes),
        "unmapped_levels": desired.unmapped_levels,
    }
    return result, desired.unrepresentable


def sku_chunks(items: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    """``items`` in lists of ``size`` SKUs, never cutting between consecutive records of one SKU."""
    chunk: list[Mapping[str, Any]] = []
    count, last = 0, None
    for item in items:
        sku = item.get("sku") or item.get("item_id")
        if sku != last:
            if count == size:
                yield chunk
                chunk, count = [], 0
            count += 1
            last = sku
        chunk.append(item)
    if chunk:
        yield chunk


@dataclass
class PlanTally:
    """The run's figures, added up over the chunks (the summary's ``extra``)."""

    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*SUMMED, "unrepresentable"), 0))
    unmapped: set[str] = field(default_factory=set)
    above: list[pd.DataFrame] = field(default_factory=list)

    def add(self, part: PricePlan, unrepresentable: pd.DataFrame) -> None:
        for name in SUMMED:
            self.totals[name] += part.extra[name]
        self.unmapped.update(part.extra["unmapped_levels"])
        if len(unrepresentable):
            self.above.append(unrepresentable.head(EXAMPLES))
        self.totals["unrepresentable"] += len(unrepresentable)

    def figures(self, contract_customers: int) -> dict[str, Any]:
        examples = pd.concat(self.above, ignore_index=True).head(EXAMPLES) if self.above else pd.DataFrame()
        extra = {
            **{name: self.totals[name] for name in SUMMED},
            "contract_customers": contract_customers,
            "unmapped_levels": sorted(self.unmapped),
            "unrepresentable": self.totals["unrepresentable"],
            "unrepresentable_examples": [
                f"{r.sku} level {r.level} at quantity {r.quantity:g}: "
                f"NetSuite {r.price:.2f}, Magento shows {r.shown:.2f}"
                for r in examples.itertuples()
            ],
        }
        if extra["unrepresentable"]:
            log.warning(
                "%d NetSuite price(s) Magento cannot show (above the base price or a lower break's price), e.g. %s",
                extra["unrepresentable"],
                extra["unrepresentable_examples"][:3],
            )
        return extra


def plan_parts(
    items: Iterable[Mapping[str, Any]],
    tally: PlanTally,
    *,
    reference: str,
    contract_levels: Mapping[str, str | None],
    settings: PricingSettings,
    doc: MappingDocument,
    ctx: RunContext,
    snapshot: Any = None,
    magento: MagentoHook | None = None,
    clear_removed: bool = False,
) -> Iterator[PricePlan]:
    """The plan, one chunk of ``settings.plan_chunk`` SKUs at a time, as ``items`` arrive (frames, and
    snapshot rows read for those SKUs only), so memory follows the chunk, not the catalog; the chunks
    together are the plan of ``items`` planned whole: each SKU's desired and reference rows are all in
    its chunk. ``reference``: ``snapshot`` (runs) or ``magento`` (replay: compare with Magento's own
    prices). ``clear_removed`` (full runs, ``items`` being every item NetSuite prices): after the last
    chunk, the tier prices of every SKU of the snapshot that ``items`` lack go (``removed``)."""
    seen: set[str] = set()
    common = {"reference": reference, "contract_levels": contract_levels, "settings": settings, "doc": doc,
              "ctx": ctx, "snapshot": snapshot, "magento": magento}  # fmt: skip
    for chunk in sku_chunks(items, settings.plan_chunk):
        seen.update(str(item.get("sku")) for item in chunk)
        part, unrepresentable = _plan_chunk(chunk, removed_skus=(), **common)
        tally.add(part, unrepresentable)
        yield part
    for page in snapshot.sku_pages(settings.plan_chunk) if clear_removed else ():
        gone = [s for s in page if s not in seen]  # the SKUs seen: one string each, the catalog's only trace
        if gone:
            part, unrepresentable = _plan_chunk([], removed_skus=gone, **common)
            tally.add(part, unrepresentable)
            yield part


def plan(items: Iterable[Mapping[str, Any]], **options: Any) -> PricePlan:
    """:func:`plan_parts` gathered into one plan (replay, and the tests)."""
    result, tally = PricePlan(), PlanTally()
    for part in plan_parts(items, tally, **options):
        result.ready += part.ready
        result.removed += part.removed
        result.outcomes += part.outcomes
    result.extra = tally.figures(len(options["contract_levels"]))
    return result
