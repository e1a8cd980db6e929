"""What every fault test asserts, and the suite's running figures (printed at the end of the session).

* duplicates 0: NetSuite holds each order once (by externalId), Magento shows our write-back once;
* lost 0: every extracted record was loaded, unchanged or quarantined (the kit's conservation check
  in ``summarize``), and in the end every seeded order is in NetSuite or open in the error queue;
* one write-back per order in NetSuite.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.orders.constants import FLOW as ORDERS
from magento_netsuite.flows.orders.constants import WRITE_BACK_MARKER
from tests.flows.conftest import FlowEnv

FIGURES: Counter[str] = Counter()


def count_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """Conservation, as the kit checks it, plus the suite's record count."""
    assert summary["extracted"] == summary["loaded"] + summary["unchanged"] + summary["quarantined"], summary
    FIGURES["records"] += summary["extracted"]
    return summary


def orders_in_order(env: FlowEnv, keys: list[str]) -> dict[str, int]:
    """Assert duplicates 0, lost 0, one write-back per order; return the figures."""
    netsuite_total = env.netsuite.get("state")["counts"]["salesOrders"]
    in_netsuite = [k for k in keys if env.netsuite_record("salesOrder", k) is not None]
    open_rows = {r.record_key for r in ErrorQueueStore.from_connection().open_errors(flow=ORDERS, limit=1000)}
    duplicates = netsuite_total - len(in_netsuite)
    lost = [k for k in keys if k not in in_netsuite and k not in open_rows]
    write_backs = {
        k: sum(WRITE_BACK_MARKER in str(h.get("comment")) for h in env.magento_order(k)["status_histories"])
        for k in in_netsuite
    }
    assert duplicates == 0, f"{duplicates} duplicate sales order(s)"
    assert lost == [], f"lost: {lost}"
    assert all(n == 1 for n in write_backs.values()), write_backs
    FIGURES["duplicates"] += duplicates
    FIGURES["lost"] += len(lost)
    return {"in_netsuite": len(in_netsuite), "quarantined": len(open_rows & set(keys))}
