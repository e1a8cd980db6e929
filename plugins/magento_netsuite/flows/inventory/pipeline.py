"""The flow's steps on lists of rows, shared by the DAG's tasks, the replay handler and the bench.

``plan`` (transform, one batched Magento SKU lookup, compare with the snapshot, in full mode find
the source items NetSuite no longer stocks) → ``load_items`` (batches, per-item failures
quarantined, snapshot updated only for what Magento accepted).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.inventory.constants import FLOW, FULL
from magento_netsuite.flows.inventory.settings import InventorySettings
from magento_netsuite.flows.inventory.snapshot import Snapshot
from magento_netsuite.flows.inventory.transform import quarantine, record_key, source_item
from magento_netsuite.governance import MappingDocument
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status
from magento_netsuite.pipeline.writes import write_all

log = logging.getLogger(__name__)
SKU_LOOKUP_BATCH = 500
SKU_EQ_BATCH = 50
"""SKUs holding a comma per ORed ``eq`` lookup (Magento splits an ``in`` value on commas)."""
MAGENTO_PAGE = 1000
MAGENTO_LISTING_PAGE = 5000
"""Source items per page of the full-mode listing (the hook caps it at 300 when the input limit is on)."""


def _same(a: Any, b: Any) -> bool:
    """Quantities equal to Magento's precision, 0.0001 (they travel as floats through JSON and the store)."""
    return abs(float(a) - float(b)) < 5e-5


@dataclass
class Plan:
    """What to push (``push`` and, in full mode, ``zero``), and the extracted rows settled already."""

    push: list[dict[str, Any]] = field(default_factory=list)
    zero: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[RecordOutcome] = field(default_factory=list)
    unknown_skus: list[str] = field(default_factory=list)
    skus: int = 0


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


def magento_source_items(hook: MagentoHook, source_codes: Iterable[str]) -> list[dict[str, Any]]:
    """Every Magento source item at these sources (full mode: what NetSuite may no longer stock).

    The listing is unfiltered and narrowed here: the non-NetSuite sources hold few rows, and a plain
    paged listing is the cheapest query for Magento to answer page after page."""
    wanted = set(source_codes)
    items: list[dict[str, Any]] = []
    for page in hook.search("inventory/source-items", None, page_size=MAGENTO_LISTING_PAGE):
        items.extend(i for i in page if str(i.get("source_code")) in wanted)
    return items


def plan(
    rows: list[Mapping[str, Any]],
    mode: str,
    doc: MappingDocument,
    settings: InventorySettings,
    magento: MagentoHook,
    snapshot: Snapshot,
    ctx: RunContext,
    *,
    zero_stale: bool = True,
) -> Plan:
    """Full mode pushes every valid row (repairs drift) and, with ``zero_stale``, zeroes what NetSuite
    no longer stocks; delta pushes only rows that differ from the snapshot."""
    flow = doc.flow(FLOW)
    result = Plan()
    items: list[dict[str, Any]] = []
    for row in rows:
        item = source_item(row, flow, doc, settings, ctx)
        if isinstance(item, RecordOutcome):
            result.outcomes.append(item)
        else:
            items.append(item)
    skus = {i["sku"] for i in items}
    result.skus = len(skus | {str(r.get("sku")) for r in rows})
    pushed = snapshot.load(None if mode == FULL else skus)
    if mode == FULL:
        candidates = items
    else:
        candidates = []
        for item in items:
            before = pushed.get((item["sku"], item["source_code"]))
            if before is not None and _same(before[0], item["quantity"]) and before[1] == item["status"]:
                result.outcomes.append(RecordOutcome(item["key"], Status.UNCHANGED))
            else:
                candidates.append(item)
    # a SKU Magento accepted before, or with a source item at a mapped source, is known
    listing = magento_source_items(magento, mapped_sources(doc)) if mode == FULL and zero_stale else []
    seen = {sku for sku, _ in pushed} | {str(i.get("sku")) for i in listing}
    unseen = {i["sku"] for i in candidates if i["sku"] not in seen}
    known = known_skus(magento, unseen) if unseen else set()
    unknown = unseen - known
    result.unknown_skus = sorted(unknown)
    for item in candidates:
        if item["sku"] in unknown:
            result.outcomes.append(
                quarantine(
                    item["key"],
                    item,
                    "reference",
                    f"SKU {item['sku']} is not a Magento product; its stock at {item['source_code']} was not pushed",
                    "sku",
                    ctx,
                )
            )
        else:
            result.push.append(item)
    if mode == FULL and zero_stale:
        result.zero = stale_source_items(listing, rows, items, doc)
    log.info(
        "plan (%s): %d to push, %d unchanged, %d quarantined (%d unknown SKU), %d to zero",
        mode,
        len(result.push),
        sum(o.status is Status.UNCHANGED for o in result.outcomes),
        sum(o.status is Status.QUARANTINED for o in result.outcomes),
        len(unknown),
        len(result.zero),
    )
    return result


def mapped_sources(doc: MappingDocument) -> list[str]:
    return sorted(str(s) for s in doc.value_map("location_to_source").entries.values())


def stale_source_items(
    listing: list[dict[str, Any]], rows: list[Mapping[str, Any]], items: list[dict[str, Any]], doc: MappingDocument
) -> list[dict[str, Any]]:
    """Magento source items at mapped sources that NetSuite no longer stocks, still showing stock.

    An extracted row that was quarantined is not "no longer stocked" (we just could not read it)."""
    sources = doc.value_map("location_to_source").entries
    extracted = {(i["sku"], i["source_code"]) for i in items}
    extracted |= {(str(r.get("sku")), str(sources.get(str(r.get("location_id"))))) for r in rows}
    stale = []
    for current in listing:
        key = (str(current.get("sku")), str(current.get("source_code")))
        if key in extracted:
            continue
        if not _same(current.get("quantity") or 0, 0) or int(current.get("status") or 0) != 0:
            stale.append({"key": record_key(*key), "sku": key[0], "source_code": key[1], "quantity": 0, "status": 0})
    return stale


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


def load_items(
    magento: MagentoHook,
    items: list[dict[str, Any]],
    settings: InventorySettings,
    snapshot: Snapshot,
    ctx: RunContext,
    *,
    workers: int,
) -> list[RecordOutcome]:
    """Push ``items`` in batches (``workers`` at a time); one outcome per item.

    Items this run already pushed (an earlier try of the task saved them to the snapshot) are not
    sent again. Auth errors stop at once; transient errors past the hook's retries let the other
    batches finish, then raise so the task fails (and alerts); the rerun skips what landed.
    """
    earlier = snapshot.load(i["sku"] for i in items)
    outcomes: list[RecordOutcome] = []
    todo = []
    for item in items:
        before = earlier.get((item["sku"], item["source_code"]))
        if before and _same(before[0], item["quantity"]) and before[1:] == (item["status"], ctx.run_id):
            outcomes.append(RecordOutcome(item["key"], Status.LOADED))
        else:
            todo.append(item)
    if len(todo) < len(items):
        log.info("load: %d item(s) already pushed by an earlier try of this run", len(items) - len(todo))
    size = settings.batch_size
    batches = [todo[i : i + size] for i in range(0, len(todo), size)]

    def push(batch: list[dict[str, Any]]) -> list[RecordOutcome]:
        body = [{k: i[k] for k in ("sku", "source_code", "quantity", "status")} for i in batch]
        result = magento.save_source_items(body, batch_size=size, mode=settings.load_mode)  # type: ignore[arg-type]
        failed = {(f.sku, f.source_code): f for f in result.failures}
        if failed and settings.load_mode == "async":
            # a bulk operation fails as a whole: re-send its items synchronously, which narrows the
            # refusal down to the items Magento really rejects
            again = [b for b in body if (b["sku"], b["source_code"]) in failed]
            failed = {(f.sku, f.source_code): f for f in magento.save_source_items(again, size, "sync").failures}
        accepted = [i for i in batch if (i["sku"], i["source_code"]) not in failed]
        snapshot.save(accepted, ctx.run_id)
        return [
            _failure_outcome(failed[i["sku"], i["source_code"]], i, ctx)
            if (i["sku"], i["source_code"]) in failed
            else RecordOutcome(i["key"], Status.LOADED)
            for i in batch
        ]

    for pushed in write_all(batches, push, workers=workers, what="source-item batch(es)", system="magento"):
        outcomes.extend(pushed)
    return outcomes
