"""Write-back: the NetSuite internal id goes onto the Magento order as a comment.

Support finds the order in both systems from either side. Every comment carries
:data:`~.constants.WRITE_BACK_MARKER`; an order whose history already has it is not commented again,
so reruns and replays never stack duplicate comments.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.connectors.errors import AuthError, SyncError, TransientError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.orders.constants import WRITE_BACK_MARKER

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriteBackTarget:
    key: str
    entity_id: int
    status: str | None
    netsuite_id: str


@dataclass
class WriteBackReport:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"written": len(self.written), "skipped": len(self.skipped), "failed": dict(self.failed)}


def comment_text(key: str, netsuite_id: str) -> str:
    return f"{WRITE_BACK_MARKER} {netsuite_id} (externalId {key}), created by magento-netsuite-sync."


def has_write_back(order: Mapping[str, Any]) -> bool:
    return any(WRITE_BACK_MARKER in str(h.get("comment") or "") for h in order.get("status_histories") or [])


def write_back(hook: MagentoHook, targets: Iterable[WriteBackTarget], *, workers: int) -> WriteBackReport:
    """Post one comment per target. Auth errors and exhausted transient errors raise (the task retries);
    a record-level failure (order gone, rejected) is reported and logged, the order stays synced."""
    report = WriteBackReport()

    def post(target: WriteBackTarget) -> tuple[str, str | None]:
        try:
            hook.add_order_comment(target.entity_id, comment_text(target.key, target.netsuite_id), status=target.status)
        except (AuthError, TransientError):
            raise
        except SyncError as exc:
            return target.key, str(exc)
        return target.key, None

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="mag-comment") as pool:
        for key, error in pool.map(post, list(targets)):
            if error is None:
                report.written.append(key)
            else:
                log.warning("write-back of order %s failed: %s", key, error)
                report.failed[key] = error
    return report
