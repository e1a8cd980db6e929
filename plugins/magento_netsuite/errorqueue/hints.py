"""Fix hints: one sentence a non-developer can act on, by error class, common code and field.

A hint says what is wrong with *this* record, where to fix it (Magento, NetSuite, the mapping
document under ``include/mappings/``, the Airflow connection) and ends with the next step, usually
"then Retry". :func:`fix_hint` picks the most specific rule that matches: a known code, then a known
field, then the error class.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from magento_netsuite.errorqueue.records import QuarantineRecord

MAPPINGS = "include/mappings"

_ENTITY_NAMES = {
    "order": "Order",
    "sales_order": "Order",
    "customer": "Customer",
    "inventory": "Stock for",
    "price": "Price for",
    "product": "Product",
    "item": "Item",
    "fulfillment": "Fulfillment",
}


def _subject(record: QuarantineRecord) -> str:
    name = _ENTITY_NAMES.get(record.entity, record.entity.replace("_", " ").capitalize())
    return f"{name} {record.record_key}"


def _value(record: QuarantineRecord, *names: str) -> str | None:
    """The first of these payload fields that has a value (for naming the SKU or location in the hint)."""
    for name in names:
        value = record.payload.get(name) if isinstance(record.payload, dict) else None
        if value not in (None, ""):
            return str(value)
    return None


def _field(record: QuarantineRecord) -> str:
    return (record.field_path or "").lower()


def _mentions(record: QuarantineRecord, *words: str) -> bool:
    text = f"{record.code or ''} {record.field_path or ''} {record.message}".lower()
    return any(word in text for word in words)


def _sku_from_message(record: QuarantineRecord) -> str | None:
    match = re.search(r"(?:sku|item)\s*['\"]?([A-Za-z0-9][\w.-]*)", record.message, re.IGNORECASE)
    return match.group(1) if match else None


def _unknown_sku(record: QuarantineRecord) -> str | None:
    if not (_mentions(record, "sku") or "item" in _field(record)):
        return None
    sku = _value(record, "sku") or _sku_from_message(record) or "in this record"
    sku_text = f"SKU {sku}" if sku != "in this record" else "A SKU in this record"
    if record.flow.endswith("_to_magento"):
        # NetSuite owns the item; it is Magento that lacks the product
        return (
            f"{sku_text} is not a Magento product ({_subject(record)}): create it in Magento through the products "
            "flow (NetSuite → Magento) or in the Magento admin with the same SKU, then Retry"
        )
    return (
        f"{sku_text} does not exist in NetSuite ({_subject(record)}): create the item in NetSuite (Item "
        f"Name/Number = the SKU) or, if Magento spells the SKU differently, map it in {MAPPINGS}/value_maps.yaml, "
        "then Retry"
    )


def _unknown_location(record: QuarantineRecord) -> str | None:
    if not _mentions(record, "location", "source_code", "source code"):
        return None
    location = _value(record, "location_id", "location", "source_code")
    which = f"location {location}" if location else "its location"
    return (
        f"{_subject(record)}: {which} has no Magento source: add it to value map location_to_source in "
        f"{MAPPINGS}/value_maps.yaml (and create the MSI source in Magento if it is new), then Retry"
    )


def _unknown_customer_group(record: QuarantineRecord) -> str | None:
    if not _mentions(record, "price level", "price_level", "customer group", "group_id"):
        return None
    return (
        f"{_subject(record)}: its price level or customer group is not mapped: add it to value map "
        f"price_level_to_customer_group in {MAPPINGS}/value_maps.yaml, then Retry"
    )


def _unknown_customer(record: QuarantineRecord) -> str | None:
    if not (_mentions(record, "customer") or _field(record) == "entity"):
        return None
    return (
        f"{_subject(record)}: its customer does not exist in NetSuite yet: let the customer registration sync "
        "create it (or create it in NetSuite with External ID MAG-CUST-<Magento id>), then Retry"
    )


def _missing_postcode(record: QuarantineRecord) -> str | None:
    if not _mentions(record, "postcode", "zip"):
        return None
    return f"{_subject(record)} has no shipping postcode: correct the address in Magento, then Retry"


def _address(record: QuarantineRecord) -> str | None:
    if not _mentions(record, "address", "street", "country", "region", "city"):
        return None
    where = record.field_path or "the address"
    return f"{_subject(record)} has an incomplete or invalid address ({where}): correct it in Magento, then Retry"


def _email(record: QuarantineRecord) -> str | None:
    if not _mentions(record, "email"):
        return None
    return f"{_subject(record)} has a missing or invalid email address: correct it in the owning system, then Retry"


def _reference(record: QuarantineRecord) -> str:
    return (
        _unknown_sku(record)
        or _unknown_location(record)
        or _unknown_customer_group(record)
        or _unknown_customer(record)
        or (
            f"{_subject(record)}: {record.field_path or 'a reference'} points to something the target does not "
            f"know: create it in the target system or map it in {MAPPINGS}/value_maps.yaml, then Retry"
        )
    )


def _validation(record: QuarantineRecord) -> str:
    specific = _missing_postcode(record) or _address(record) or _email(record)
    if specific:
        return specific
    if record.field_path:
        return (
            f"{_subject(record)}: field {record.field_path} was rejected ({record.message}): correct the value in "
            f"the system that owns it (see {MAPPINGS}/ for who owns the field), then Retry"
        )
    return f"{_subject(record)} was rejected ({record.message}): correct the record where it is owned, then Retry"


def _not_found(record: QuarantineRecord) -> str:
    return (
        f"{_subject(record)} no longer exists in the target system: recreate it there if it was deleted by "
        "mistake, then Retry; otherwise Ignore this error with the reason"
    )


def _transient(record: QuarantineRecord) -> str:
    return (
        f"{_subject(record)}: the API kept timing out or was over its limit ({record.code or 'timeout/429/5xx'}) "
        "after every retry: nothing is wrong with the record; Retry once the system responds again"
    )


def _auth(record: QuarantineRecord) -> str:
    return (
        f"{_subject(record)}: the credentials were refused ({record.code or 'auth'}): an administrator must fix "
        "the Airflow connection (magento_default or netsuite_default: token, role, permissions), then Retry all"
    )


def _conflict(record: QuarantineRecord) -> str:
    return (
        f"{_subject(record)}: the target already holds a different record under the same key "
        f"({record.field_path or 'external id'}): merge or re-key the duplicate in the target system, then Retry"
    )


def _unexpected(record: QuarantineRecord) -> str:
    return (
        f"{_subject(record)} failed with an unexpected error ({record.message}): Retry once; if it fails again, "
        "send this error's id and message to the integration team"
    )


def _total_mismatch(record: QuarantineRecord) -> str:
    return (
        f"{_subject(record)} is in the target, but its total disagrees with the source ({record.message}): "
        "compare discount, shipping and tax, correct the record in the target system (or Ignore with a reason), "
        "then Retry to check again"
    )


_BY_CLASS: dict[str, Callable[[QuarantineRecord], str]] = {
    "validation": _validation,
    "reference": _reference,
    "not_found": _not_found,
    "transient_exhausted": _transient,
    "auth": _auth,
    "conflict": _conflict,
    "unexpected": _unexpected,
    "total_mismatch": _total_mismatch,
}

# NetSuite/Magento codes whose meaning does not depend on the error class they were filed under.
_BY_CODE: dict[str, Callable[[QuarantineRecord], str]] = {
    "INVALID_LOGIN": _auth,
    "INVALID_LOGIN_CREDENTIALS": _auth,
    "USER_ERROR_INVALID_ROLE": _auth,
    "INSUFFICIENT_PERMISSION": _auth,
    "SSS_REQUEST_LIMIT_EXCEEDED": _transient,
    "CONCURRENCY_LIMIT_EXCEEDED": _transient,
    "RCRD_DSNT_EXIST": _not_found,
    "NONEXISTENT_ID": _not_found,
    "DUP_ENTITY": _conflict,
    "DUP_RCRD": _conflict,
    "UNIQUE_CUST_ID_REQD": _conflict,
}


def fix_hint(record: QuarantineRecord) -> str:
    """The hint for this record: its code's rule if the code is known, else its error class's rule."""
    by_code = _BY_CODE.get((record.code or "").upper())
    if by_code is not None:
        return by_code(record)
    return _BY_CLASS[record.error_class](record)
