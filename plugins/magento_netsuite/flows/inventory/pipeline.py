"""The flow's steps on frames, shared by the DAG's tasks, the replay handler and the bench.

:class:`Planner` (a part at a time: source items, compare with the snapshot, one batched Magento
SKU lookup; in full mode, after the last part, the source items NetSuite no longer stocks) →
:func:`load_items` (batches in parallel, per-item failures quarantined, the snapshot updated in bulk
with only what Magento accepted).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.inventory.constants import FULL
from magento_netsuite.flows.inventory.frames import empty_items, location_sources, outcomes, same, source_items
from magento_netsuite.flows.inventory.settings import InventorySettings
from magento_netsuite.flows.inventory.snapshot import Snapshot
from magento_netsuite.flows.inventory.transform import quarantine
from magento_netsuite.governance import MappingDocument
from magento_netsuite.pipeline.flow import FrameOutcomes
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status
from magento_netsuite.pipeline.writes import write_all

log = logging.getLogger(__name__)
SKU_LOOKUP_BATCH = 500
SKU_EQ_BATCH = 50
"""SKUs holding a comma per ORed ``eq`` lookup (Magento splits an ``in`` value on commas)."""
MAGENTO_PAGE = 1000
MAGENTO_LISTING_PAGE = 5000
"""Source items per page of the full-mode listing (the hook caps it at 300 when the input limit is on)."""


def known_skus(hook: MagentoHook, skus: Iterable[str]) -> set[str]:
    """The SKUs Magento has a product for, in batched ``sku in (...)`` searches (500 SKUs each).

    A SKU with an MSI source item is a Magento product, so the source-items search (indexed on SKU)
    answers most of them; only SKUs without any source item are looked up among the products. A SKU
    holding a comma can't travel in an ``in`` list (Magento splits the value on commas), so those are
    asked for with ORed ``eq`` filters, 50 a request.
    """
    wanted = sorted(set(skus))
    found: set[str] = set()
    for resource in ("inventory/source-items", "products"):
        rest = [s for s in wanted if s not in found]
        plain = [s for s in rest if "," not in s]
        comma = [s for s in rest if "," in s]
        groups = [[("sku", plain[i : i + SKU_LOOKUP_BATCH], "in")] for i in range(0, len(plain), SKU_LOOKUP_BATCH)]
        groups += [[("sku", s, "eq") for s in comma[i : i + SKU_EQ_BATCH]] for i in range(0, len(comma), SKU_EQ_BATCH)]
        for group in groups:
            for page in hook.search(resource, [group], page_size=MAGENTO_PAGE, fields=["sku"]):
                found.update(str(p.get("sku")) for p in page)
    return found


@dataclass(frozen=True)
class Listing:
    """Magento's source items at the mapped sources, kept compact for a million-SKU catalog: per
    source, the keys (``SKU@source``) of the rows still showing stock, the only ones zeroing could
    touch; and every listed SKU once. Arrow strings throughout."""

    showing: dict[str, list[pa.Array]]
    skus: pa.Array


def magento_source_items(hook: MagentoHook, source_codes: Iterable[str]) -> Listing:
    """Every Magento source item at these sources (full mode: what NetSuite may no longer stock).

    The listing is unfiltered and narrowed page by page: the non-NetSuite sources hold few rows, and a
    plain paged listing is the cheapest query for Magento to answer page after page. Pages are read
    ahead within the Magento concurrency setting and reduced to keys as they arrive."""
    wanted = list(source_codes)
    showing: dict[str, list[pa.Array]] = {code: [] for code in wanted}
    skus: list[pa.Array] = []
    pages = hook.search("inventory/source-items", None, page_size=MAGENTO_LISTING_PAGE, workers=hook.concurrency.limit)
    for page in pages:
        frame = pd.DataFrame.from_records(page, columns=["sku", "source_code", "quantity", "status"])
        frame = frame[frame["source_code"].astype("str").isin(wanted)]
        sku, code = frame["sku"].astype("str"), frame["source_code"].astype("str")
        quantity = pd.to_numeric(frame["quantity"], errors="coerce").fillna(0).astype("float64")
        stocked = ~same(quantity, pd.Series(0.0, index=frame.index))
        stocked |= pd.to_numeric(frame["status"], errors="coerce").fillna(0) != 0
        keys = sku + "@" + code
        for source, at in code[stocked].groupby(code[stocked]).groups.items():
            showing[str(source)].append(pa.array(keys[at], type=pa.large_string()))
        skus.append(pa.array(sku.unique(), type=pa.large_string()))
    return Listing(showing=showing, skus=pc.unique(pa.chunked_array(skus, type=pa.large_string())))


def mapped_sources(doc: MappingDocument) -> list[str]:
    return sorted(str(s) for s in doc.value_map("location_to_source").entries.values())


class Planner:
    """The plan of one run, a part at a time: full mode pushes every valid row (repairs drift) and,
    with ``zero_stale``, zeroes what NetSuite no longer stocks (:meth:`stale`, after the last part);
    delta pushes only rows that differ from the snapshot. Rows for SKUs Magento has no product for
    are quarantined (one batched lookup for the SKUs neither the listing nor the snapshot knows)."""

    def __init__(
        self,
        mode: str,
        doc: MappingDocument,
        settings: InventorySettings,
        magento: MagentoHook,
        snapshot: Snapshot,
        ctx: RunContext,
        *,
        zero_stale: bool = True,
    ) -> None:
        self.mode, self.doc, self.settings, self.magento, self.snapshot, self.ctx = (
            mode,
            doc,
            settings,
            magento,
            snapshot,
            ctx,
        )
        self.zero_stale = mode == FULL and zero_stale
        self.listing = magento_source_items(magento, mapped_sources(doc)) if self.zero_stale else None
        self.keys: dict[str, list[pa.Array]] = {}  # per location: extracted keys, to find what is gone
        self.skus: list[pa.Array] = []
        self.unknown: list[str] = []
        self.counts = {"push": 0, "unchanged": 0, "quarantined": 0}

    def part(self, rows: pd.DataFrame) -> tuple[pd.DataFrame, FrameOutcomes]:
        """Rows to push, and the outcomes settled here, for one part of the extracted rows."""
        if self.listing is not None:
            for location, at in rows.groupby("location_id").groups.items():
                self.keys.setdefault(str(location), []).append(pa.array(rows["key"][at], type=pa.large_string()))
        self.skus.append(pa.array(rows["sku"], type=pa.large_string()))
        items, quarantined = source_items(rows, self.doc, self.settings, self.ctx)
        unchanged = items.iloc[0:0]
        if self.mode != FULL and len(items):
            before = self.snapshot.frame(items["sku"].unique())
            merged = items.merge(before, on=["sku", "source_code"], how="left", suffixes=("", "_before"))
            same_now = same(merged["quantity"], merged["quantity_before"].fillna(-1.0)) & (
                merged["status"] == merged["status_before"]
            )
            unchanged, items = items[same_now.to_numpy()], items[~same_now.to_numpy()]
        unknown = self._unknown(items)
        if unknown:
            is_unknown = items["sku"].isin(unknown)
            quarantined += [_unknown_sku(item, self.ctx) for item in items[is_unknown].to_dict("records")]
            items = items[~is_unknown]
        self.counts["push"] += len(items)
        self.counts["unchanged"] += len(unchanged)
        self.counts["quarantined"] += len(quarantined)
        return items.reset_index(drop=True), outcomes(unchanged["key"], Status.UNCHANGED, quarantined)

    def _unknown(self, items: pd.DataFrame) -> set[str]:
        """SKUs of ``items`` Magento has no product for: neither listed, nor accepted before, nor found."""
        unseen = pd.Index(items["sku"].unique(), dtype="str")
        if self.listing is not None:
            listed = pc.is_in(pa.array(unseen, type=pa.large_string()), value_set=self.listing.skus)
            unseen = unseen[~listed.to_numpy(zero_copy_only=False)]
        if unseen.empty:
            return set()
        unseen = unseen.difference(pd.Index(self.snapshot.frame(unseen)["sku"].unique(), dtype="str"))
        if unseen.empty:
            return set()
        unknown = set(unseen) - known_skus(self.magento, unseen)
        self.unknown.extend(sorted(unknown))
        return unknown

    def stale(self) -> pd.DataFrame:
        """Magento source items at mapped sources that NetSuite no longer stocks, still showing stock: to
        zero. An extracted row that was quarantined is not "no longer stocked" (we just could not read it)."""
        if self.listing is None:
            return empty_items()
        gone: list[str] = []
        # one source at a time: the hash set of one location's keys, not of the whole catalog's
        sources = location_sources(self.doc)
        for source, listed in self.listing.showing.items():
            if not listed:
                continue
            extracted = [a for loc, arrays in self.keys.items() if sources.get(loc) == source for a in arrays]
            listed_keys = pa.chunked_array(listed, type=pa.large_string())
            value_set = pa.chunked_array(extracted, type=pa.large_string()).combine_chunks()
            gone += listed_keys.filter(pc.invert(pc.is_in(listed_keys, value_set=value_set))).to_pylist()
        keys = pd.Series(gone, dtype="str")
        sku_source = keys.str.rsplit("@", n=1, expand=True) if len(keys) else pd.DataFrame({0: [], 1: []})
        zero = pd.DataFrame(
            {"key": keys, "sku": sku_source[0], "source_code": sku_source[1], "quantity": 0.0, "status": 0}
        )
        return zero.astype(empty_items().dtypes)

    def report(self) -> dict[str, Any]:
        """The summary's figures, logged once after the last part."""
        skus = pc.count_distinct(pa.chunked_array(self.skus, type=pa.large_string())).as_py()
        log.info(
            "plan (%s): %d to push, %d unchanged, %d quarantined (%d unknown SKU)",
            self.mode,
            self.counts["push"],
            self.counts["unchanged"],
            self.counts["quarantined"],
            len(self.unknown),
        )
        return {"unknown_skus": self.unknown[:100], "unknown_sku_count": len(self.unknown), "skus": int(skus)}


def _unknown_sku(item: Mapping[str, Any], ctx: RunContext) -> RecordOutcome:
    message = f"SKU {item['sku']} is not a Magento product; its stock at {item['source_code']} was not pushed"
    return quarantine(item["key"], item, "reference", message, "sku", ctx)


def _failure_outcome(failure: Any, item: Mapping[str, Any], ctx: RunContext) -> RecordOutcome:
    unknown = "doesn't exist" in failure.message or "not found" in failure.message.lower()
    return quarantine(
        item["key"],
        item,
        "reference" if unknown else "validation",
        f"Magento refused {item['sku']} at {item['source_code']}: {failure.message}",
        failure.field_path or "quantity",
        ctx,
    )


def _body(batch: pd.DataFrame) -> list[dict[str, Any]]:
    """The JSON of a source-item batch: whole quantities as integers, statuses as 0/1."""
    return [
        {"sku": sku, "source_code": code, "quantity": int(q) if q.is_integer() else q, "status": int(st)}
        for sku, code, q, st in zip(
            batch["sku"].tolist(),
            batch["source_code"].tolist(),
            batch["quantity"].tolist(),
            batch["status"].tolist(),
            strict=True,
        )
    ]


def load_items(
    magento: MagentoHook,
    items: pd.DataFrame,
    settings: InventorySettings,
    snapshot: Snapshot,
    ctx: RunContext,
    *,
    workers: int,
) -> FrameOutcomes:
    """Push ``items`` in batches (``workers`` at a time); one outcome per item.

    Items this run already pushed (an earlier try of the task saved them to the snapshot) are not
    sent again. The snapshot is written once, in bulk, after the batches (also when one failed).
    Auth errors stop at once; transient errors past the hook's retries let the other batches finish,
    then raise so the task fails (and alerts); the rerun skips what landed.
    """
    # a first try has pushed nothing yet (clearing a task gives it a new try number)
    retry = ctx.try_number is None or ctx.try_number > 1
    earlier = snapshot.pushed_by(ctx.run_id, items["sku"].unique()) if retry else snapshot.frame([])
    merged = items.merge(earlier, on=["sku", "source_code"], how="left", suffixes=("", "_before"))
    done = (
        same(merged["quantity"], merged["quantity_before"].fillna(-1.0)) & (merged["status"] == merged["status_before"])
    ).to_numpy()
    todo = items[~done].reset_index(drop=True)
    if done.any():
        log.info("load: %d item(s) already pushed by an earlier try of this run", int(done.sum()))
    size = settings.batch_size
    batches = [todo.iloc[i : i + size] for i in range(0, len(todo), size)]

    def push(batch: pd.DataFrame) -> tuple[pd.Series, list[RecordOutcome]]:
        body = _body(batch)
        result = magento.save_source_items(body, batch_size=size, mode=settings.load_mode)  # type: ignore[arg-type]
        failed = {(f.sku, f.source_code): f for f in result.failures}
        if failed and settings.load_mode == "async":
            # a bulk operation fails as a whole: re-send its items synchronously, which narrows the
            # refusal down to the items Magento really rejects
            again = [b for b in body if (b["sku"], b["source_code"]) in failed]
            failed = {(f.sku, f.source_code): f for f in magento.save_source_items(again, size, "sync").failures}
        refused = pd.Series(
            [(s, c) in failed for s, c in zip(batch["sku"].tolist(), batch["source_code"].tolist(), strict=True)],
            index=batch.index,
            dtype=bool,
        )
        accepted.append(batch[~refused])
        rejected = [
            _failure_outcome(failed[r["sku"], r["source_code"]], r, ctx) for r in batch[refused].to_dict("records")
        ]
        return batch.loc[~refused, "key"], rejected

    accepted: list[pd.DataFrame] = []  # list.append is atomic: the writer threads share it
    loaded = [items.loc[done, "key"]]
    rejected: list[RecordOutcome] = []
    try:
        for keys, refusals in write_all(batches, push, workers=workers, what="source-item batch(es)", system="magento"):
            loaded.append(keys)
            rejected.extend(refusals)
    finally:  # what Magento accepted is recorded even when a batch failed the task: the retry skips it
        if accepted:
            snapshot.save(pd.concat(accepted, ignore_index=True), ctx.run_id)
    return outcomes(pd.concat(loaded, ignore_index=True), Status.LOADED, rejected)
