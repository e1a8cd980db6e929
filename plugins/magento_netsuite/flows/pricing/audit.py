"""The price parity audit: does Magento show each customer the price NetSuite will invoice?

Every contract customer (their contract SKUs and a sample of others) and a sample of the other
customers (a sample of SKUs), at quantity 1 and at and around each quantity break of the customer's
price level: NetSuite's invoice price (:func:`.rules.netsuite_price`, read fresh from NetSuite) against
the price Magento shows the customer's group (:func:`.rules.magento_price`, read from Magento's base
and tier prices). The group is the one :func:`.groups.group_for` assigns. Each mismatch is an
error-queue row (flow ``pricing_parity_audit``, key ``<customer>|<SKU>|<quantity>``) with both prices,
and one alert per run; a point found in parity again resolves its row. Retrying a row re-pushes the
SKU's prices from NetSuite, compared with Magento's own prices rather than the snapshot.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from magento_netsuite.connectors.errors import NotFoundError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.pricing.constants import AUDIT_ENTITY, AUDIT_FLOW, DAG_ID
from magento_netsuite.flows.pricing.extract import contract_customers, contract_skus, other_customers, read_skus
from magento_netsuite.flows.pricing.groups import group_for
from magento_netsuite.flows.pricing.plan import known_products
from magento_netsuite.flows.pricing.rules import (
    CENT,
    break_quantities,
    expected_magento_price,
    magento_price,
    netsuite_price,
)
from magento_netsuite.flows.pricing.settings import PricingSettings
from magento_netsuite.governance import MappingDocument
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined

log = logging.getLogger(__name__)
EXAMPLES = 10
CANNOT_SHOW = "magento_cannot_show"
"""Magento shows what NetSuite's prices call for, yet NetSuite invoices more: a level price above the
base price or above a lower break's price (Magento shows the lowest applicable price)."""
DRIFT = "magento_differs"
"""Magento's prices are not the ones NetSuite's call for (changed behind our back, or not synced yet)."""
MAX_RECHECK = 2000
"""Open mismatch rows re-checked per audit (the oldest wait for the next run beyond that)."""


@dataclass(frozen=True)
class Customer:
    customer_id: str
    level: str | None
    has_contract: bool


def point_key(customer_id: str, sku: str, quantity: float) -> str:
    return f"{customer_id}|{sku}|{quantity:g}"


def parse_key(key: str) -> tuple[str, str, float]:
    customer_id, sku, quantity = key.rsplit("|", 2)
    return customer_id, sku, float(quantity)


def magento_prices(hook: MagentoHook, skus: Iterable[str]) -> tuple[dict[str, float], dict[str, list[dict]]]:
    """Base price and tier prices per SKU, as Magento holds them."""
    wanted = sorted(set(skus))
    try:
        answer = hook.price_information("base", wanted)
    except NotFoundError:  # a product deleted in Magento since we priced it: the call refuses the batch
        wanted = known_products(hook, wanted)
        answer = hook.price_information("base", wanted)
    base = {str(b["sku"]): float(b["price"]) for b in answer}
    tiers: dict[str, list[dict]] = {}
    for tier in hook.price_information("tier", wanted):
        tiers.setdefault(str(tier["sku"]), []).append(tier)
    return base, tiers


def check_points(
    points: Iterable[tuple[Customer, str, float]],
    items: Mapping[str, Mapping[str, Any]],
    base: Mapping[str, float],
    tiers: Mapping[str, list[dict]],
    settings: PricingSettings,
    doc: MappingDocument,
) -> tuple[list[str], list[dict[str, Any]]]:
    """(keys in parity, mismatches as payloads). A SKU NetSuite no longer prices is skipped."""
    clean: list[str] = []
    mismatches: list[dict[str, Any]] = []
    for customer, sku, qty in points:
        item = items.get(sku)
        if item is None:
            continue
        group = group_for(
            {
                "id": customer.customer_id,
                "price_level_id": customer.level,
                "has_contract_prices": customer.has_contract,
            },
            doc,
        )
        invoiced = netsuite_price(item, customer.level, customer.customer_id, qty, settings.base_level_id)
        shown = magento_price(base.get(sku), tiers.get(sku, []), group, qty, settings.website_id)
        key = point_key(customer.customer_id, sku, qty)
        if invoiced is not None and shown is not None and abs(invoiced - shown) < CENT:
            clean.append(key)
            continue
        expected = expected_magento_price(item, customer.level, customer.customer_id, qty, settings.base_level_id)
        cannot = expected is not None and shown is not None and abs(expected - shown) < CENT
        mismatches.append(
            {"key": key, "customer_id": customer.customer_id, "price_level_id": customer.level, "group": group,
             "sku": sku, "quantity": qty, "netsuite_price": invoiced, "magento_price": shown,
             "cause": CANNOT_SHOW if cannot else DRIFT}
        )  # fmt: skip
    return clean, mismatches


def _money(value: float | None) -> str:
    return "none" if value is None else f"{value:.2f}"


def mismatch_outcome(m: Mapping[str, Any], ctx: RunContext) -> RecordOutcome:
    message = (
        f"customer {m['customer_id']} (group {m['group']}), {m['sku']} at quantity {m['quantity']:g}: "
        f"NetSuite invoices {_money(m['netsuite_price'])}, Magento shows {_money(m['magento_price'])}"
    )
    if m.get("cause") == CANNOT_SHOW:
        message += (
            " (Magento shows the lowest of the base price and the tier prices up to the quantity, so it cannot"
            " show this NetSuite price: make the level's price at most the base price and falling with quantity)"
        )
    outcome = quarantined(
        AUDIT_FLOW, AUDIT_ENTITY, m["key"], dict(m),
        error_class="conflict", message=message, field_path=f"tier_prices[{m['group']}][{m['quantity']:g}]", ctx=ctx,
    )  # fmt: skip
    assert outcome.error is not None
    outcome.error.fix_hint = (
        f"Retry re-pushes {m['sku']}'s prices from NetSuite and checks again; if Magento was edited on purpose, "
        "make the change in NetSuite instead (NetSuite owns prices)"
        if m.get("cause") != CANNOT_SHOW
        else f"Change {m['sku']}'s NetSuite price for this customer's level or contract so Magento can show it "
        "(at most the base price, falling with quantity), or map the level to no customer group, then Retry"
    )
    return outcome


def sample_skus(rng: random.Random, snapshot: Any, count: int, page: int) -> list[str]:
    """``count`` SKUs of the snapshot drawn by ``rng`` as ``rng.sample`` draws from the sorted list of
    them, found by paging through the snapshot ``page`` SKUs at a time (never the catalog in memory)."""
    positions = rng.sample(range(snapshot.count()), count)
    wanted = {p: n for n, p in enumerate(positions)}
    found: list[str | None] = [None] * len(positions)
    offset = 0
    for skus in snapshot.sku_pages(page):
        for p in range(offset, offset + len(skus)):
            if p in wanted:
                found[wanted[p]] = skus[p - offset]
        offset += len(skus)
    return [s for s in found if s is not None]  # a SKU removed while paging is left out


def sample_points(
    netsuite: NetSuiteHook, settings: PricingSettings, snapshot: Any, seed: str, extra_keys: Iterable[str]
) -> list[tuple[Customer, str]]:
    """(customer, SKU) pairs to check: every contract customer, a sample of the others."""
    rng = random.Random(seed)
    contracts = contract_customers(netsuite)
    their_skus = contract_skus(netsuite)
    others = other_customers(netsuite)
    known = {cid: Customer(cid, level, True) for cid, level in contracts.items()}
    known.update({cid: Customer(cid, level, False) for cid, level in others.items()})
    sampled_skus = sample_skus(rng, snapshot, min(settings.audit_skus, snapshot.count()), settings.plan_chunk)
    picked = rng.sample(sorted(others), min(settings.audit_customers, len(others)))
    pairs: list[tuple[Customer, str]] = []
    for cid in sorted(contracts):
        own = their_skus.get(cid, [])
        own = rng.sample(own, min(settings.audit_skus, len(own)))
        pairs += [(known[cid], sku) for sku in dict.fromkeys(own + sampled_skus)]
    pairs += [(known[cid], sku) for cid in picked for sku in sampled_skus]
    for key in extra_keys:  # points still open from earlier audits: checked again until in parity
        cid, sku, _qty = parse_key(key)
        if cid in known:
            pairs.append((known[cid], sku))
    return list(dict.fromkeys(pairs))


def _quantities(customer: Customer, item: Mapping[str, Any], settings: PricingSettings) -> list[float]:
    """A contract price holds at every quantity: quantity 1 shows it. Otherwise at and around each break."""
    if customer.has_contract and any(c["customer_id"] == customer.customer_id for c in item["contracts"]):
        return [1.0]
    return break_quantities(item, customer.level, settings.base_level_id)


def run_audit(
    netsuite: NetSuiteHook,
    magento: MagentoHook,
    store: ErrorQueueStore,
    snapshot: Any,
    settings: PricingSettings,
    doc: MappingDocument,
    ctx: RunContext,
) -> dict[str, Any]:
    """Audit a sample of the SKUs we price in Magento (``snapshot``: what we pushed); queue mismatches,
    resolve fixed ones. The sampled SKUs are read and checked ``settings.plan_chunk`` at a time."""
    from magento_netsuite.alerts import send_quarantine_digest

    still_open = min(store.count(flow=AUDIT_FLOW), MAX_RECHECK)
    open_keys = [r.record_key for r in store.open_errors(flow=AUDIT_FLOW, limit=still_open)] if still_open else []
    pairs = sample_points(netsuite, settings, snapshot, ctx.run_id, open_keys)
    skus = sorted(snapshot.present(sku for _c, sku in pairs))
    by_sku: dict[str, list[Customer]] = {}
    for customer, sku in pairs:
        by_sku.setdefault(sku, []).append(customer)
    clean: list[str] = []
    mismatches: list[dict[str, Any]] = []
    points = 0
    for start in range(0, len(skus), settings.plan_chunk):
        chunk = skus[start : start + settings.plan_chunk]
        items = read_skus(netsuite, chunk)
        base, tiers = magento_prices(magento, chunk)
        chunk_points = [
            (customer, sku, qty)
            for sku in chunk
            if sku in items
            for customer in by_sku[sku]
            for qty in _quantities(customer, items[sku], settings)
        ]
        points += len(chunk_points)
        chunk_clean, chunk_mismatches = check_points(chunk_points, items, base, tiers, settings, doc)
        clean += chunk_clean
        mismatches += chunk_mismatches
    # drift first: it is what a person can act on at once; every mismatch is counted either way
    ranked = sorted(mismatches, key=lambda m: m["cause"] != DRIFT)
    outcomes = [mismatch_outcome(m, ctx) for m in ranked[: settings.audit_max_rows]]
    if outcomes:
        store.quarantine([o.error for o in outcomes if o.error is not None])
    resolved = store.resolve(AUDIT_FLOW, clean, how="in parity", by=ctx.dag_id or DAG_ID) if open_keys else 0
    digest = False
    if outcomes:
        reasons = Counter(
            (o.error.field_path or "", f"price mismatch ({o.error.payload.get('cause')})")
            for o in outcomes
            if o.error is not None
        )
        digest = send_quarantine_digest(
            AUDIT_FLOW, ctx.dag_id or DAG_ID, ctx.run_id, {"conflict": len(outcomes)},
            [(f, m, n) for (f, m), n in reasons.most_common(5)],
        )  # fmt: skip
    report = {
        "customers": len({c.customer_id for c, _s in pairs}),
        "contract_customers": len({c.customer_id for c, _s in pairs if c.has_contract}),
        "skus": len(skus),
        "points": points,
        "mismatches": len(mismatches),
        "by_cause": dict(Counter(m["cause"] for m in mismatches)),
        "queued": len(outcomes),
        "resolved": resolved,
        "alerted": digest,
        "examples": [o.error.message for o in outcomes[:EXAMPLES] if o.error is not None],
    }
    log.info("price parity audit: %d point(s) checked, %d mismatch(es)", points, len(mismatches))
    for example in report["examples"]:
        log.warning("  parity mismatch: %s", example)
    return report


def recheck(keys: list[str], netsuite: NetSuiteHook, magento: MagentoHook, settings: PricingSettings,
            doc: MappingDocument, ctx: RunContext) -> list[RecordOutcome]:  # fmt: skip
    """One outcome per audit key: loaded when the point is in parity now, quarantined otherwise."""
    parsed = [parse_key(k) for k in keys]
    levels = {**other_customers(netsuite)}
    contracts = contract_customers(netsuite)
    skus = sorted({sku for _c, sku, _q in parsed})
    items = read_skus(netsuite, skus)
    present = [s for s in skus if s in items]
    base, tiers = magento_prices(magento, present)
    points = [
        (Customer(cid, contracts[cid] if cid in contracts else levels.get(cid), cid in contracts), sku, qty)
        for cid, sku, qty in parsed
    ]
    clean, mismatches = check_points(points, items, base, tiers, settings, doc)
    outcomes = [RecordOutcome(k, Status.LOADED) for k in clean]
    outcomes += [mismatch_outcome(m, ctx) for m in mismatches]
    seen = {o.key for o in outcomes}
    outcomes += [
        RecordOutcome(k, Status.LOADED) for k in keys if k not in seen
    ]  # SKU no longer priced: nothing to show
    return outcomes
