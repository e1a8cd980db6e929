"""Write-back: the NetSuite internal id goes onto the Magento order as a comment, once.

Support finds the order in both systems from either side. "Once" holds whatever overlaps: two runs
at the same time, a Retry from the Error Queue during a scheduled run, a retried task. Each comment
is claimed first in the kit's side-effect ledger, keyed on the order and the NetSuite id (only the
claim holder posts); then the order is read fresh from Magento, and an order whose history already
carries the comment for that id is not commented again (check before you act).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.connectors.errors import AuthError, SyncError, TransientError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.orders.constants import FLOW, WRITE_BACK_EFFECT, WRITE_BACK_MARKER
from magento_netsuite.flows.orders.extract import orders_by_increment_id
from magento_netsuite.pipeline.ledger import SideEffects
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status
from magento_netsuite.pipeline.writes import write_all

log = logging.getLogger(__name__)
_WRITTEN_BACK = re.compile(re.escape(WRITE_BACK_MARKER) + r" (\S+) \(externalId ")


@dataclass(frozen=True)
class WriteBackTarget:
    key: str
    entity_id: int
    status: str | None
    netsuite_id: str


@dataclass
class WriteBackReport:
    written: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    """Done before (the ledger or Magento's history says so), or being done by a concurrent run."""
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"written": len(self.written), "skipped": len(self.already), "failed": dict(self.failed)}


def comment_text(key: str, netsuite_id: str) -> str:
    return f"{WRITE_BACK_MARKER} {netsuite_id} (externalId {key}), created by magento-netsuite-sync."


def has_write_back(order: Mapping[str, Any], netsuite_id: str) -> bool:
    """The order's history already carries the write-back comment for this NetSuite id."""
    marker = f"{WRITE_BACK_MARKER} {netsuite_id} "
    return any(marker in str(h.get("comment") or "") for h in order.get("status_histories") or [])


def written_back_id(order: Mapping[str, Any]) -> str | None:
    """The NetSuite id an earlier write-back put on this order, if any (the comment is our own text)."""
    for entry in order.get("status_histories") or []:
        match = _WRITTEN_BACK.search(str(entry.get("comment") or ""))
        if match:
            return match.group(1)
    return None


def write_back_targets(ready: Iterable[Mapping[str, Any]], outcomes: Iterable[RecordOutcome]) -> list[WriteBackTarget]:
    """Orders now in NetSuite (created or already there), with the Magento order to comment on."""
    by_key = {r["key"]: r for r in ready}
    targets = []
    for outcome in outcomes:
        record = by_key.get(outcome.key)
        if outcome.status is Status.QUARANTINED or record is None or not outcome.target_id:
            continue
        magento = record["magento"]
        if magento.get("entity_id") is None:
            continue
        targets.append(
            WriteBackTarget(outcome.key, int(magento["entity_id"]), magento.get("status"), outcome.target_id)
        )
    return targets


def write_back(
    hook: MagentoHook, targets: Iterable[WriteBackTarget], ctx: RunContext, ledger: SideEffects | None = None
) -> WriteBackReport:
    """Post one comment per target that nobody posted. Auth errors and exhausted transient errors raise
    (the task retries; their claims are given back); a record-level failure (order gone, rejected) is
    reported in the run summary (``write_back.failed``) and its claim given back, so the next run that
    reads the order again (it changed, or a ``since`` backfill) may post it; nothing else retries it."""
    ledger = ledger or SideEffects(FLOW, WRITE_BACK_EFFECT)
    report = WriteBackReport()
    wanted = {t.key: t for t in targets}
    claimed, skipped = ledger.claim({k: t.netsuite_id for k, t in wanted.items()}, ctx.run_id)
    report.already.extend(sorted(skipped))
    current = orders_by_increment_id(hook, claimed) if claimed else {}
    done_before = {k for k in claimed if has_write_back(current.get(k) or {}, wanted[k].netsuite_id)}
    ledger.finish({k: wanted[k].netsuite_id for k in done_before}, ctx.run_id)
    report.already.extend(sorted(done_before))
    todo = [wanted[k] for k in sorted(claimed - done_before)]

    def post(target: WriteBackTarget) -> tuple[str, str | None]:
        try:
            hook.add_order_comment(target.entity_id, comment_text(target.key, target.netsuite_id), status=target.status)
        except (AuthError, TransientError):
            raise
        except SyncError as exc:
            return target.key, str(exc)
        return target.key, None

    try:
        results = write_all(todo, post, workers=ctx.workers(hook.concurrency.limit), what="write-back comment(s)")
    except SyncError:
        # which posts landed is unknown here: give every claim back; the fresh look above keeps the
        # retry from posting twice
        ledger.release({t.key: t.netsuite_id for t in todo}, ctx.run_id)
        raise
    for key, error in results:
        if error is None:
            report.written.append(key)
        else:
            log.warning("write-back of order %s failed: %s", key, error)
            report.failed[key] = error
    ledger.finish({k: wanted[k].netsuite_id for k in report.written}, ctx.run_id)
    ledger.release({k: wanted[k].netsuite_id for k in report.failed}, ctx.run_id)
    return report
