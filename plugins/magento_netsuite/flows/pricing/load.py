"""Load: the planned writes into Magento, per SKU: base prices, contract groups, tier prices, deletes.

Magento answers each price call with HTTP 200 and an array of the rows it refused; a SKU with a
refused row is quarantined alone (its snapshot left as it was, so the next run tries again), every
other SKU is recorded in the snapshot as loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from magento_netsuite.connectors.errors import RecordError, SyncError
from magento_netsuite.connectors.magento import MagentoHook, PriceFailure
from magento_netsuite.flows.pricing.constants import BASE_GROUP, ENTITY, FLOW
from magento_netsuite.flows.pricing.groups import contract_group_code
from magento_netsuite.flows.pricing.settings import PricingSettings
from magento_netsuite.governance import MappingDocument
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined
from magento_netsuite.pipeline.writes import write_all

log = logging.getLogger(__name__)
GROUP_LOOKUP_BATCH = 100
WINDOW_BATCHES = 8
"""Full Magento batches per worker sent between two snapshot writes."""


def ensure_contract_groups(hook: MagentoHook, codes: Iterable[str], tax_class_id: int) -> list[str]:
    """Create the contract customer groups Magento does not have yet; returns the codes created.

    Two load tasks may race to create one group: Magento refuses the second ("already exists"),
    which is the outcome we wanted."""
    wanted = sorted(set(codes))
    known: set[str] = set()
    for start in range(0, len(wanted), GROUP_LOOKUP_BATCH):
        chunk = wanted[start : start + GROUP_LOOKUP_BATCH]
        for page in hook.search("customerGroups/search", [[("code", chunk, "in")]], fields=["code"]):
            known.update(str(g.get("code")).casefold() for g in page)
    created = []
    for code in wanted:
        if code.casefold() in known:
            continue
        try:
            hook.post("V1/customerGroups", {"group": {"code": code, "tax_class_id": tax_class_id}})
            created.append(code)
        except RecordError as exc:
            if "already exists" not in str(exc).lower():
                raise
    if created:
        log.info("created %d contract customer group(s): %s", len(created), created[:10])
    return created


def _tier(sku: str, group: str, qty: float, price: float, settings: PricingSettings) -> dict[str, Any]:
    return {"sku": sku, "price": price, "price_type": settings.price_type, "website_id": settings.website_id,
            "customer_group": group, "quantity": qty}  # fmt: skip


def _refusals(failures: list[PriceFailure], what: str, refused: dict[str, list[str]]) -> None:
    for failure in failures:
        if failure.sku is None:
            raise SyncError(f"Magento refused a {what} row without naming its SKU: {failure.message}", system="magento")
        refused.setdefault(failure.sku, []).append(f"{what}: {failure.message}")


def _settle(
    row: Mapping[str, Any],
    refused: dict[str, list[str]],
    written: list[tuple[str, str, float, float]],
    deleted: list[tuple[str, str, float]],
    ctx: RunContext,
) -> RecordOutcome:
    """The outcome of one SKU whose rows are all sent; what Magento accepted goes to ``written``/``deleted``."""
    sku = row["sku"]
    if sku in refused:
        reasons = refused[sku]
        return quarantined(
            FLOW,
            ENTITY,
            row["key"],
            row,
            error_class="reference" if any("doesn't exist" in r for r in reasons) else "validation",
            message=f"{sku}: Magento refused {len(reasons)} price row(s): " + "; ".join(reasons[:5]),
            field_path="tier_prices" if "tier" in reasons[0] else "price",
            ctx=ctx,
        )
    if row.get("base") is not None:
        written.append((sku, BASE_GROUP, 0.0, float(row["base"])))
    written += [(sku, g, float(q), float(p)) for g, q, p in row.get("upsert", [])]
    deleted += [(sku, g, float(q)) for g, q, _p in row.get("delete", [])]
    return RecordOutcome(row["key"], Status.LOADED)


def load_prices(
    hook: MagentoHook,
    rows: Iterable[Mapping[str, Any]],
    settings: PricingSettings,
    doc: MappingDocument,
    snapshot: Any,
    ctx: RunContext,
) -> list[RecordOutcome]:
    """Write the rows; one outcome per row's key, the snapshot updated for what Magento accepted.

    The rows are sent in windows of ``WINDOW_BATCHES`` full Magento batches per worker (so memory
    follows the window, not the catalog, and the calls are as few as one pass would make: only the
    run's last batch of each kind is partial); after each window the SKUs whose rows are all sent
    are settled and recorded in the snapshot in bulk."""
    rows = list(rows)
    prefix = contract_group_code("", doc)
    ensure_contract_groups(
        hook,
        {g for r in rows for g, _q, _p in r.get("upsert", []) if g.startswith(prefix)},
        settings.contract_tax_class_id,
    )
    size = settings.batch_size
    workers = ctx.workers(hook.concurrency.limit)
    kinds = (("base price", hook.save_base_prices), ("tier price", hook.save_tier_prices),
             ("tier price delete", hook.delete_tier_prices))  # fmt: skip
    buffers: dict[str, list[dict[str, Any]]] = {what: [] for what, _send in kinds}
    refused: dict[str, list[str]] = {}
    outcomes: list[RecordOutcome] = []
    pending: list[Mapping[str, Any]] = []  # SKUs with rows not sent yet
    totals = dict.fromkeys(buffers, 0)

    def send(final: bool) -> None:
        calls = []
        for what, sender in kinds:
            buffer = buffers[what]
            cut = len(buffer) if final else len(buffer) - len(buffer) % size
            calls += [(what, sender, buffer[i : min(i + size, cut)]) for i in range(0, cut, size)]
            buffers[what] = buffer[cut:]
            totals[what] += cut
        answers = write_all(
            calls,
            lambda call: (call[0], call[1](call[2], batch_size=size)),
            workers=workers,
            what="price batch(es)",
            system="magento",
        )
        for what, failures in answers:
            _refusals(failures, what, refused)
        unsent = {r["sku"] for buffer in buffers.values() for r in buffer}
        written: list[tuple[str, str, float, float]] = []
        deleted: list[tuple[str, str, float]] = []
        outcomes.extend(_settle(r, refused, written, deleted, ctx) for r in pending if r["sku"] not in unsent)
        pending[:] = [r for r in pending if r["sku"] in unsent]
        snapshot.apply(written, deleted, ctx.run_id)

    window = size * max(1, workers) * WINDOW_BATCHES
    for row in rows:
        sku = row["sku"]
        if row.get("base") is not None:
            buffers["base price"].append({"sku": sku, "price": row["base"], "store_id": 0})
        buffers["tier price"] += [_tier(sku, g, q, p, settings) for g, q, p in row.get("upsert", [])]
        buffers["tier price delete"] += [_tier(sku, g, q, p, settings) for g, q, p in row.get("delete", [])]
        pending.append(row)
        if sum(len(b) for b in buffers.values()) >= window:
            send(final=False)
    send(final=True)
    log.info(
        "load: %d SKU(s) written (%d base, %d tier, %d deleted rows), %d refused by Magento",
        len(rows) - len(refused), *totals.values(), len(refused),
    )  # fmt: skip
    return outcomes
