"""Repair in the owner's direction, through the flows that own each direction.

* NetSuite-owned fields: the customer master flow's own transform and load (the account read fresh,
  the fields laid over it, Magento-owned fields never sent);
* the login e-mail (Magento owns it): NetSuite's copy ``PATCH``ed, as the registration flow does;
* a Magento account NetSuite lacks: the registration handoff (link by e-mail or create once);
* what no write can settle (a customer only NetSuite has, an e-mail two records claim) goes to the
  error queue under the flow whose replay retries it, with what, why and how to fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.errorqueue.records import QuarantineRecord
from magento_netsuite.flows.customer_master.constants import FLOW as MASTER
from magento_netsuite.flows.customer_master.extract import records_by_external_id
from magento_netsuite.flows.customer_master.load import push_rows
from magento_netsuite.flows.customer_master.transform import prepare_rows
from magento_netsuite.flows.customer_reconciliation.compare import Comparison
from magento_netsuite.flows.customer_registration.constants import EMAIL_FLOW
from magento_netsuite.flows.customer_registration.constants import FLOW as REGISTRATION
from magento_netsuite.flows.customer_registration.prepare import EMAIL, prepare_customers
from magento_netsuite.flows.customer_registration.writeback import load_rows
from magento_netsuite.governance import MappingDocument
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined


@dataclass
class RepairResult:
    repaired: Counter[str] = field(default_factory=Counter)
    """Customers written, by direction (``magento``, ``netsuite``, ``created_in_netsuite``)."""
    queued: list[QuarantineRecord] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "repaired": dict(self.repaired),
            "repaired_total": sum(self.repaired.values()),
            "queued": len(self.queued),
        }


def _collect(outcomes: list[RecordOutcome], result: RepairResult, direction: str) -> None:
    for outcome in outcomes:
        if outcome.status is Status.LOADED:
            result.repaired[direction] += 1
        elif outcome.error is not None:
            result.queued.append(outcome.error)


def repair(
    comparison: Comparison,
    netsuite_records: Mapping[int, Mapping[str, Any]],
    magento_records: Mapping[int, Mapping[str, Any]],
    contract_customers: set[str],
    *,
    magento: MagentoHook,
    netsuite: NetSuiteHook,
    doc: MappingDocument,
    ctx: RunContext,
) -> RepairResult:
    """``netsuite_records`` / ``magento_records``: the records read, by Magento customer id."""
    result = RepairResult()
    master_ids = sorted({d.customer_id for d in comparison.differences if d.owner == "netsuite"})
    if master_ids:
        # the full current records (with the address book the mapping validates), read for drifting customers only
        keys = [str(netsuite_records[i]["externalId"]) for i in master_ids]
        current = records_by_external_id(netsuite, keys, workers=ctx.workers(netsuite.concurrency.limit))
        prepared = prepare_rows((current[k] for k in keys if k in current), doc, contract_customers, ctx)
        result.queued.extend(o.error for o in prepared.settled if o.error is not None)
        _collect(push_rows(magento, prepared.ready, doc, ctx), result, "magento")

    emails = [d for d in comparison.differences if d.owner == "magento"]
    email_path = doc.flow(EMAIL_FLOW).field("login_email").path_for("netsuite") or "email"
    rows = [
        {
            "key": str(d.customer_id),
            "kind": EMAIL,
            "netsuite_id": str(netsuite_records[d.customer_id]["id"]),
            "body": {email_path: d.magento},
        }
        for d in emails
        if d.magento
    ]
    if rows:
        _collect(load_rows(magento, netsuite, rows, doc, ctx), result, "netsuite")

    missing = [magento_records[m["customer_id"]] for m in comparison.magento_only]
    if missing:
        handed = prepare_customers(missing, netsuite, doc, ctx, workers=ctx.workers(netsuite.concurrency.limit))
        result.queued.extend(o.error for o in handed.settled if o.error is not None)
        _collect(load_rows(magento, netsuite, handed.ready, doc, ctx), result, "created_in_netsuite")

    for only in comparison.netsuite_only:
        record = netsuite_records[only["customer_id"]]
        result.queued.append(
            quarantined(
                MASTER,
                "customer",
                str(record.get("externalId")),
                dict(record),
                error_class="not_found",
                field_path="externalId",
                ctx=ctx,
                message=(
                    f"NetSuite customer {record.get('id')} ({record.get('externalId')}) has no Magento account "
                    f"{only['customer_id']}: the account was deleted in Magento. Make the NetSuite customer inactive "
                    "(or clear its externalId if the buyer will register again), then Retry or Ignore"
                ),
            ).error
        )
    for conflict in comparison.email_conflicts:
        customer_id = conflict["customer_id"]
        key = str(customer_id) if customer_id is not None else conflict["email"]
        payload = dict(magento_records.get(customer_id) or {"email": conflict["email"]})
        result.queued.append(
            quarantined(
                REGISTRATION,
                "customer",
                key,
                payload,
                error_class="conflict",
                field_path="email",
                ctx=ctx,
                message=(
                    f"the e-mail {conflict['email']!r} is claimed by NetSuite customers "
                    f"{', '.join(conflict['netsuite_ids'])}"
                    + (f" and Magento account {customer_id}" if customer_id else "")
                    + ": one login must belong to one customer. Merge the duplicates in NetSuite (or correct the "
                    "e-mail on the wrong record), then Retry"
                ),
            ).error
        )
    result.queued = [q for q in result.queued if q is not None]
    return result
