"""Load: create each new order in NetSuite exactly once, and know whether this run created it.

One batched existence check (SuiteQL on ``transaction.externalid``), then one ``POST salesOrder``
with ``externalId`` per new order. NetSuite rejects a second record with the same externalId, so even
a race with another run cannot duplicate; a POST that failed or whose answer was lost (timeout, reset,
5xx) is settled by looking the externalId up, never by reading the error's wording. An order already
in NetSuite is left alone: NetSuite owns it
after checkout. Record-level rejections quarantine the order with NetSuite's ``o:errorPath``.

"Created by this run" versus "already there" comes from the kit's :class:`~magento_netsuite.pipeline.
ledger.Creations`: the run records its intent before each POST, so after a task retry or a POST whose
answer was lost the order still counts as this run's creation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from magento_netsuite.connectors.errors import AuthError, SyncError, TransientError
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.orders.constants import ENTITY, FLOW, RECORD_TYPE
from magento_netsuite.flows.orders.netsuite_refs import existing_orders
from magento_netsuite.flows.orders.totals import TotalsPolicy, check_total
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.create_once import create_once
from magento_netsuite.pipeline.ledger import Creations
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined
from magento_netsuite.pipeline.writes import write_all

log = logging.getLogger(__name__)
THREADS_PER_SLOT = 2
"""Write threads per NetSuite slot: one in the call, one preparing the next order's call."""


def create_sales_order(hook: NetSuiteHook, body: Mapping[str, Any]) -> tuple[str, bool]:
    """POST the order; returns ``(internal id, created by this call's answer)``. A failed or unanswered
    POST is settled by looking the externalId up (:func:`~magento_netsuite.pipeline.create_once.create_once`)."""
    return create_once(hook, RECORD_TYPE, body)


def load_orders(
    hook: NetSuiteHook,
    ready: Iterable[Mapping[str, Any]],
    ctx: RunContext,
    creations: Creations | None = None,
    policy: TotalsPolicy | None = None,
) -> list[RecordOutcome]:
    """One outcome per ready order (``{"key", "body", "magento"}``): loaded (this run created it),
    unchanged (it was there already) or quarantined (NetSuite rejected it, or its total disagrees with
    Magento's grand total: then the outcome keeps the NetSuite id)."""
    ready = list(ready)
    creations = creations or Creations(FLOW)
    policy = policy or TotalsPolicy.from_doc(load_mapping_document())
    already = existing_orders(hook, [r["key"] for r in ready])
    mine = creations.made_by(already, ctx.run_id)
    outcomes = [
        RecordOutcome(r["key"], Status.LOADED if r["key"] in mine else Status.UNCHANGED, target_id=already[r["key"]][0])
        for r in ready
        if r["key"] in already
    ]
    todo = [r for r in ready if r["key"] not in already]
    log.info(
        "load: %d order(s) already in NetSuite (%d of them created earlier by this run), %d to create",
        len(outcomes),
        len(mine),
        len(todo),
    )
    creations.intend((r["key"] for r in todo), ctx.run_id)

    def create(record: Mapping[str, Any]) -> RecordOutcome:
        key = record["key"]
        try:
            internal_id, created = create_sales_order(hook, record["body"])
        except (AuthError, TransientError):
            raise
        except SyncError as exc:
            return quarantined(
                FLOW,
                ENTITY,
                key,
                record["body"],
                error_class=exc.error_class if exc.error_class != "unexpected" else "validation",
                message=exc.message,
                field_path=exc.field_path,
                code=exc.code,
                ctx=ctx,
            )
        if created:
            return RecordOutcome(key, Status.LOADED, target_id=internal_id)
        if creations.made_by([key], ctx.run_id):
            log.info("order %s: created by this run's earlier attempt (its answer was lost)", key)
            return RecordOutcome(key, Status.LOADED, target_id=internal_id)
        log.info("order %s: NetSuite already had it (a concurrent run created it); left alone", key)
        return RecordOutcome(key, Status.UNCHANGED, target_id=internal_id)

    # the hook's bound holds the POSTs in flight at ``workers``; the spare threads prepare the next
    # orders meanwhile, so no slot idles between two calls
    workers = ctx.workers(hook.concurrency.limit)
    outcomes += write_all(
        todo, create, workers=workers, threads=THREADS_PER_SLOT * workers, what="order(s)", system="netsuite"
    )
    # recorded once the calls are done (no slot waits on the store); a task that dies before this
    # line still has its intents, so its retry counts these orders as its own and records them then
    creations.created_all(
        {o.key: o.target_id for o in outcomes if o.status is Status.LOADED and o.target_id}, ctx.run_id
    )
    return check_totals(hook, ready, outcomes, already, policy, ctx)


def check_totals(
    hook: NetSuiteHook,
    ready: list[Mapping[str, Any]],
    outcomes: list[RecordOutcome],
    already: Mapping[str, tuple[str, float | None]],
    policy: TotalsPolicy,
    ctx: RunContext,
) -> list[RecordOutcome]:
    """NetSuite's total of every order now in NetSuite against Magento's grand total: the orders that
    were there came with theirs; the new ones cost one SuiteQL query per 1,000."""
    fresh = [o.key for o in outcomes if o.target_id and o.key not in already and o.status is not Status.QUARANTINED]
    totals = {key: total for key, (_, total) in already.items()}
    totals.update((key, total) for key, (_, total) in existing_orders(hook, fresh).items())
    by_key = {r["key"]: r for r in ready}
    checked = [check_total(o, by_key[o.key].get("magento") or {}, totals.get(o.key), policy, ctx) for o in outcomes]
    mismatched = sum(o.status is Status.QUARANTINED and o.target_id is not None for o in checked)
    if mismatched:
        log.warning("load: %d order(s) in NetSuite whose total disagrees with Magento's grand total", mismatched)
    return checked
