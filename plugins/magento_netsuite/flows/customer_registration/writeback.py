"""Load of the registration handoff: the NetSuite id onto the Magento account; e-mail copies to NetSuite.

The write-back reads the account fresh and sends it back with only the id attribute changed (Magento's
``PUT /V1/customers/{id}`` needs ``email``, ``firstname`` and ``lastname``; they go back as just read,
so nothing the buyer owns is changed by us). An account that already carries the id is left alone, so
overlapping runs and replays write at most once per value.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from magento_netsuite.connectors.errors import AuthError, SyncError, TransientError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.customer_registration.constants import ENTITY, FLOW, NETSUITE_ID_FIELD
from magento_netsuite.flows.customer_registration.extract import customers_by_id
from magento_netsuite.flows.customer_registration.prepare import EMAIL, HANDOFF, magento_path
from magento_netsuite.governance import MappingDocument, get_path, set_path
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined
from magento_netsuite.pipeline.writes import write_all

RECORD_TYPE = "customer"
WRITABLE_KEYS = ("id", "email", "firstname", "lastname", "website_id", "group_id", "custom_attributes")
"""What the write-back sends: the fields Magento requires, as read, plus the custom attributes."""


def account_body(current: Mapping[str, Any], path: str, value: str) -> dict[str, Any]:
    """The ``PUT`` body: the account as read (required fields, attributes) with ``path`` set to ``value``."""
    customer = {k: copy.deepcopy(current[k]) for k in WRITABLE_KEYS if k in current}
    customer.setdefault("custom_attributes", [])
    set_path(customer, path, value)
    return {"customer": customer}


def _failed(row: Mapping[str, Any], exc: SyncError, path: str, ctx: RunContext) -> RecordOutcome:
    return quarantined(
        FLOW,
        ENTITY,
        row["key"],
        dict(row),
        error_class="not_found" if exc.status == 404 else "validation",
        message=exc.message,
        field_path=exc.field_path or path,
        code=exc.code,
        ctx=ctx,
    )


def load_rows(
    magento: MagentoHook, netsuite: NetSuiteHook, rows: list[Mapping[str, Any]], doc: MappingDocument, ctx: RunContext
) -> list[RecordOutcome]:
    id_path = magento_path(doc, NETSUITE_ID_FIELD)
    handoffs = [r for r in rows if r["kind"] == HANDOFF]
    fresh = customers_by_id(magento, [r["customer_id"] for r in handoffs]) if handoffs else {}

    def write(row: Mapping[str, Any]) -> RecordOutcome:
        key, netsuite_id = row["key"], str(row["netsuite_id"])
        try:
            if row["kind"] == EMAIL:
                netsuite.patch_record(RECORD_TYPE, netsuite_id, dict(row["body"]))
                return RecordOutcome(key, Status.LOADED, target_id=netsuite_id)
            current = fresh.get(key)
            if current is None:
                return quarantined(
                    FLOW,
                    ENTITY,
                    key,
                    dict(row),
                    error_class="not_found",
                    message=(
                        f"Magento customer {key} is gone; "
                        f"NetSuite customer {netsuite_id} keeps externalId MAG-CUST-{key}"
                    ),
                    field_path="id",
                    ctx=ctx,
                )
            if str(get_path(current, id_path) or "") == netsuite_id:
                return RecordOutcome(key, Status.UNCHANGED, target_id=netsuite_id)
            magento.put(f"customers/{int(row['customer_id'])}", account_body(current, id_path, netsuite_id))
            return RecordOutcome(key, Status.LOADED, target_id=netsuite_id)
        except (AuthError, TransientError):
            raise
        except SyncError as exc:
            return _failed(row, exc, id_path if row["kind"] == HANDOFF else "email", ctx)

    workers = ctx.workers(min(magento.concurrency.limit, netsuite.concurrency.limit))
    return list(write_all(rows, write, workers=workers, what="customer write(s)"))
