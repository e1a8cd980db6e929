"""Records quarantined because the target lacked something another flow has since created.

The inventory (and pricing) flows quarantine a row whose SKU Magento does not have (``reference``,
field ``sku``). Once the products flow creates that SKU, the row can sync, but a delta run would not
read it again until its stock changes. :func:`created_since_quarantined` finds those rows from the
creating flow's ledger (a local query, no API call), so the flow re-reads them in its next run and the
summary resolves them; the Error Queue's Retry does the same on demand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.pipeline.ledger import Creations

log = logging.getLogger(__name__)
MAX_REQUEUED = 5000
"""Rows looked at per run (the oldest first); more are picked up by the runs after."""


def created_since_quarantined(
    flow: str,
    creator: str,
    sku_of: Callable[[str], str],
    *,
    error_class: str = "reference",
    store: ErrorQueueStore | None = None,
    limit: int = MAX_REQUEUED,
) -> list[str]:
    """Keys of ``flow``'s open ``error_class`` rows whose SKU (``sku_of(key)``) ``creator`` has created."""
    store = store or ErrorQueueStore.from_connection()
    if store.count(flow=flow, error_class=error_class, status="open") == 0:
        return []
    rows = store.open_errors(flow=flow, error_class=error_class, status="open", limit=limit, order="oldest")
    skus = {row.record_key: sku_of(row.record_key) for row in rows}
    created = Creations(creator, store.engine).created_keys(set(skus.values()))  # both live in mns_store
    keys = sorted(key for key, sku in skus.items() if sku in created)
    if keys:
        log.info("%s: %d queued row(s) for SKU(s) %s has since created are read again", flow, len(keys), creator)
    return keys
