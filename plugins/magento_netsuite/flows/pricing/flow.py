"""The pricing flow declared for the kit, its two replay handlers and the audit task's body.

NetSuite's RESTlet pages by item id, not by change time, so this flow declares no record cursor: a
run reads every item changed after the watermark (or every item: ``mode=full``) in one go. A record
is one SKU with all its prices; the transform compares the prices Magento should hold with the
snapshot of what we pushed, a chunk of SKUs at a time, and stages only the SKUs with writes. A full
run also clears the tier prices of SKUs NetSuite no longer prices (side work ``removed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.errorqueue.replay import REPLAY_DAG_ID, register_handler
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.pricing.audit import parse_key, recheck, run_audit
from magento_netsuite.flows.pricing.constants import AUDIT_ENTITY, AUDIT_FLOW, DAG_ID, ENTITY, FLOW, FULL
from magento_netsuite.flows.pricing.extract import contract_customers, extract_pages, read_skus
from magento_netsuite.flows.pricing.load import load_prices
from magento_netsuite.flows.pricing.plan import PlanTally, plan_parts
from magento_netsuite.flows.pricing.settings import pricing_settings
from magento_netsuite.flows.pricing.snapshot import PriceSnapshot
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.budget import netsuite_hook
from magento_netsuite.pipeline.flow import REPLAY, Flow, Record, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext
from magento_netsuite.pipeline.replay import REPLAY_TASK_ID, FlowReplay
from magento_netsuite.pipeline.watermark import Window

REMOVED = "removed"


def extract(window: Window, ctx: RunContext) -> Any:
    return extract_pages(netsuite_hook(ctx), window.since.at if window.since else None)


def transform(records: Iterable[Record], ctx: RunContext, *, mode: str) -> Transformed:
    """Runs compare with the snapshot; a replay compares with Magento's own prices (it repairs). The
    records are planned in chunks of SKUs as they arrive, and the rows to write are handed to the kit
    as each chunk is planned (``ready`` is an iterator; ``settled`` and ``extra`` are complete once it
    is exhausted), so the run's memory follows the chunk, not the catalog."""
    doc = load_mapping_document()
    settings = pricing_settings(doc)
    contract_levels = contract_customers(netsuite_hook(ctx))
    settled: list[RecordOutcome] = []
    extra: dict[str, Any] = {}

    def ready() -> Iterator[Record]:
        tally = PlanTally()
        for part in plan_parts(
            records,
            tally,
            reference="magento" if mode == REPLAY else "snapshot",
            contract_levels=contract_levels,
            settings=settings,
            doc=doc,
            ctx=ctx,
            snapshot=PriceSnapshot(),
            magento=MagentoHook() if mode == REPLAY else None,
            clear_removed=mode == FULL,
        ):
            settled.extend(part.outcomes)
            yield from part.ready
            yield from ({**r, "side": REMOVED} for r in part.removed)
        extra.update(tally.figures(len(contract_levels)))

    return Transformed(ready=ready(), settled=settled, extra=extra)


def load(rows: list[Record], ctx: RunContext) -> list[RecordOutcome]:
    doc = load_mapping_document()
    return load_prices(MagentoHook(), rows, pricing_settings(doc), doc, PriceSnapshot(), ctx)


def reread(keys: list[str], ctx: RunContext) -> dict[str, Record | None]:
    """The current NetSuite prices of each SKU (SuiteQL)."""
    found = read_skus(netsuite_hook(ctx), keys)
    return {key: found.get(key) for key in keys}


def audit(summary: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """The run's last task: the parity audit over the SKUs we price in Magento, added to the summary."""
    doc = load_mapping_document()
    report = run_audit(
        netsuite_hook(ctx), MagentoHook(), ErrorQueueStore.from_connection(), PriceSnapshot(),
        pricing_settings(doc), doc, ctx,
    )  # fmt: skip
    return {**summary, "extra": {**summary.get("extra", {}), "audit": report}}


SPEC = Flow(
    name=FLOW,
    dag_id=DAG_ID,
    entity=ENTITY,
    key=lambda record: str(record.get("sku") or record.get("item_id")),
    extract=extract,
    transform=transform,
    load=load,
    reread=reread,
    supersede_stale_errors=True,
    initial_lookback=timedelta(days=3650),  # no cursor yet: read everything, push what the snapshot lacks
    safe_lag=timedelta(minutes=2),
    load_chunk=pricing_settings(load_mapping_document()).chunk_size,
    streamed=True,
)
register_handler(FlowReplay(SPEC))


class ParityAuditReplay:
    """Retry of a parity mismatch: re-push the SKU's prices from NetSuite (compared with Magento's own
    prices, so a price changed behind our back is put right), then check the point again."""

    flow = AUDIT_FLOW
    entity = AUDIT_ENTITY

    def reread(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        points = {}
        for key in keys:
            customer_id, sku, quantity = parse_key(key)
            points[key] = {"key": key, "customer_id": customer_id, "sku": sku, "quantity": quantity}
        return points

    def process(self, records: list[tuple[str, dict[str, Any]]], *, run_id: str) -> list[RecordOutcome]:
        ctx = RunContext(run_id=run_id, dag_id=REPLAY_DAG_ID, task_id=REPLAY_TASK_ID, try_number=1)
        keys = [key for key, _payload in records]
        netsuite, magento = NetSuiteHook(), MagentoHook()
        items = read_skus(netsuite, {parse_key(k)[1] for k in keys})
        rows = list(transform(list(items.values()), ctx, mode=REPLAY).ready)
        if rows:
            load(rows, ctx)
        doc = load_mapping_document()
        return recheck(keys, netsuite, magento, pricing_settings(doc), doc, ctx)


register_handler(ParityAuditReplay())
