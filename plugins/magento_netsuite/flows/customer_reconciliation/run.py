"""The reconciliation's task bodies: compare (read both sides, classify), repair, report.

The comparison travels between tasks as a staged file (like every flow's batches), never as XCom.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.errorqueue.drift import DriftReports
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.customer_master.constants import FLOW as MASTER
from magento_netsuite.flows.customer_master.groups import group_ids_by_code
from magento_netsuite.flows.customer_reconciliation.compare import (
    Comparison,
    Difference,
    compare,
    magento_frame,
)
from magento_netsuite.flows.customer_reconciliation.constants import RECONCILIATION
from magento_netsuite.flows.customer_reconciliation.read import (
    magento_customers,
    magento_customers_by_id,
    netsuite_customers,
)
from magento_netsuite.flows.customer_reconciliation.repair import repair
from magento_netsuite.flows.customer_reconciliation.report import alert_if_above, build_report
from magento_netsuite.flows.customer_registration.constants import FLOW as REGISTRATION
from magento_netsuite.flows.pricing.groups import contract_group_code
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.budget import netsuite_hook
from magento_netsuite.pipeline.outcomes import RunContext
from magento_netsuite.pipeline.staging import read_batch, write_batch
from magento_netsuite.pipeline.watermark import Watermarks

log = logging.getLogger(__name__)
CONTRACT_CUSTOMERS = "SELECT DISTINCT customer FROM customeritempricing ORDER BY customer"


def contract_customers(hook: Any) -> set[str]:
    return {str(r["customer"]) for page in hook.suiteql(CONTRACT_CUSTOMERS) for r in page}


def compare_task(ctx: RunContext) -> dict[str, Any]:
    """Read both systems in full, compare every owned field, stage what differs with the records needed.

    Magento's accounts are kept as a frame of the compared fields only; NetSuite's customers are
    compared as they stream, a chunk at a time; the few full records repair needs are kept (NetSuite)
    or read again by id (Magento)."""
    clock = time.monotonic()
    doc = load_mapping_document()
    netsuite, magento = netsuite_hook(ctx), MagentoHook()
    contract = contract_customers(netsuite)
    groups = group_ids_by_code(magento, (contract_group_code(i) for i in contract))
    marks = Watermarks()
    master, registration = marks.get(MASTER), marks.get(REGISTRATION)
    compared = compare(
        netsuite_customers(netsuite),
        magento_frame(magento_customers(magento), doc),
        doc,
        contract_customers=contract,
        contract_group_ids=groups,
        master_mark=master.at if master else None,
        registration_mark=registration.at if registration else None,
    )
    comparison = compared.comparison
    needed_mg = {m["customer_id"] for m in comparison.magento_only}
    needed_mg |= {c["customer_id"] for c in comparison.email_conflicts if c["customer_id"] is not None}
    staged = {
        "comparison": {**asdict(comparison), "differences": [asdict(d) for d in comparison.differences]},
        "netsuite": {str(i): r for i, r in compared.netsuite_records.items()},
        "magento": {str(c["id"]): c for c in magento_customers_by_id(magento, needed_mg)},
        "contract": sorted(contract),
    }
    uri = write_batch(RECONCILIATION, ctx.run_id, "comparison", [staged])
    seconds = round(time.monotonic() - clock, 3)
    log.info(
        "compared %d customers (NetSuite %d, Magento %d): %d field difference(s), %d only in NetSuite, "
        "%d only in Magento, %d e-mail conflict(s) in %.1f s",
        comparison.compared,
        comparison.netsuite_total,
        comparison.magento_total,
        len(comparison.differences),
        len(comparison.netsuite_only),
        len(comparison.magento_only),
        len(comparison.email_conflicts),
        seconds,
    )
    return {"uri": uri, "compared": comparison.compared, "differences": len(comparison.differences), "seconds": seconds}


def _staged(compared: Mapping[str, Any]) -> tuple[Comparison, dict[str, Any]]:
    staged = read_batch(compared["uri"])[0]
    raw = dict(staged["comparison"])
    raw["differences"] = [Difference(**d) for d in raw["differences"]]
    return Comparison(**raw), staged


def repair_task(compared: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Write every repairable difference in the owner's direction; queue the rest (what, why, how)."""
    comparison, staged = _staged(compared)
    netsuite = netsuite_hook(ctx)
    result = repair(
        comparison,
        {int(k): v for k, v in staged["netsuite"].items()},
        {int(k): v for k, v in staged["magento"].items()},
        set(staged["contract"]),
        magento=MagentoHook(),
        netsuite=netsuite,
        doc=load_mapping_document(),
        ctx=ctx,
    )
    if result.queued:
        ErrorQueueStore.from_connection().quarantine(result.queued)
    log.info("repair: %s", result.as_dict())
    return result.as_dict()


def report_task(compared: Mapping[str, Any], repaired: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Store the run's drift report in ``mns_store``; Slack when the drift is above the threshold."""
    comparison, _ = _staged(compared)
    report = build_report(comparison, dict(repaired), ctx.run_id)
    report["alerted"] = alert_if_above(report)
    report["id"] = DriftReports.from_connection().save(RECONCILIATION, ctx.run_id, report)
    log.info(
        "drift: %d of %d customers (%.3f%%), %d difference(s) %s; repaired %d, queued %d",
        report["drifted"],
        report["compared"],
        report["drift_percent"],
        report["differences"],
        report["by_kind"],
        report["repaired"],
        report["unrepairable"],
    )
    return {k: report[k] for k in ("id", "compared", "drifted", "differences", "repaired", "unrepairable", "alerted")}


def reconcile(ctx: RunContext) -> dict[str, Any]:
    """All three steps in one process (the CLI, the bench and the tests)."""
    compared = compare_task(ctx)
    repaired = repair_task(compared, ctx)
    return report_task(compared, repaired, ctx)
