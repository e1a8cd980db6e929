"""Seeding and request helpers shared by the UI tests."""

from __future__ import annotations

from typing import Any

from magento_netsuite.errorqueue.records import QuarantineRecord

ORDERS_DAG = "magento_orders_to_netsuite"
SOURCE_RUN = "scheduled__2026-11-29T01:00:00+00:00"
CSRF = {"X-Error-Queue": "1"}


def order(flow: str, key: str, **changes: Any) -> QuarantineRecord:
    """A quarantined order without a postcode, as the orders flow records it."""
    values: dict[str, Any] = {
        "flow": flow,
        "entity": "order",
        "record_key": key,
        "error_class": "validation",
        "field_path": "shipping_address.postcode",
        "code": "required",
        "message": f"order {key}: shipping_address.postcode is required",
        "fix_hint": "Add the postcode to the order's shipping address in Magento, then Retry.",
        "payload": {
            "increment_id": key,
            "customer": {"firstname": "Ada", "lastname": "Lovelace"},
            "shipping_address": {"city": "London", "postcode": None},
            "items": [{"sku": "SKU-000001", "qty": 1}],
        },
        "dag_id": ORDERS_DAG,
        "run_id": SOURCE_RUN,
        "task_id": "transform",
        "try_number": 1,
    }
    values.update(changes)
    return QuarantineRecord(**values)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cookie(token: str) -> dict[str, str]:
    """The UI's login cookie, sent the way a browser sends it (no Authorization header)."""
    return {"Cookie": f"_token={token}"}
