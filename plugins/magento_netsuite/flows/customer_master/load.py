"""Load: NetSuite-owned fields onto the Magento account, and nothing else.

Each account is read fresh, the row's fields are laid over it (custom attributes by code, addresses by
position, keeping each address's id), and only when that changes something is the account ``PUT``
back. Magento requires ``email``, ``firstname`` and ``lastname`` on a ``PUT``; the e-mail goes back
exactly as just read, and extension attributes (newsletter subscription) are not sent at all, so
the fields Magento owns are never written by this flow.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from magento_netsuite.connectors.errors import AuthError, NotFoundError, SyncError, TransientError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.customer_master.constants import ENTITY, FLOW, GROUP_FIELD
from magento_netsuite.flows.customer_master.groups import group_ids_by_code
from magento_netsuite.governance import MappingDocument
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined
from magento_netsuite.pipeline.writes import write_all

REQUIRED = ("id", "email", "firstname", "lastname", "website_id")
"""What Magento needs on every customer ``PUT``; sent as read."""


def customers_by_id(hook: MagentoHook, ids: list[int], *, workers: int) -> dict[int, dict[str, Any]]:
    """The accounts as they are now, one ``GET /V1/customers/{id}`` each (a keyed read, cheap on any store
    size); an account that is gone is left out."""

    def read(customer_id: int) -> dict[str, Any] | None:
        try:
            return hook.get(f"customers/{customer_id}")
        except NotFoundError:
            return None

    found = write_all(sorted(set(ids)), read, workers=workers, what="customer read(s)", system="magento")
    return {int(c["id"]): c for c in found if c}


def _merge_attributes(current: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = {a["attribute_code"]: dict(a) for a in current if isinstance(a, dict) and "attribute_code" in a}
    for attribute in wanted:
        merged[attribute["attribute_code"]] = {**merged.get(attribute["attribute_code"], {}), **attribute}
    return list(merged.values())


def _merge_addresses(current: list[dict[str, Any]], wanted: list[dict[str, Any]], account: Mapping[str, Any]) -> list:
    merged = [copy.deepcopy(a) for a in current]
    for n, address in enumerate(wanted):
        if n < len(merged):
            for name, value in address.items():
                if name == "street" and isinstance(value, list):
                    street = list(merged[n].get("street") or [])
                    street[: len(value)] = value
                    merged[n]["street"] = street
                elif name == "region" and isinstance(value, dict):
                    merged[n]["region"] = {**(merged[n].get("region") or {}), **value}
                else:
                    merged[n][name] = value
        else:  # an address NetSuite has and the account has not: the account holder's name on it
            merged.append({"firstname": account.get("firstname"), "lastname": account.get("lastname"), **address})
    return merged


def overlay(current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``values`` (a partial Magento customer) laid over it."""
    merged = copy.deepcopy(dict(current))
    for name, value in values.items():
        if name == "custom_attributes":
            merged[name] = _merge_attributes(list(merged.get(name) or []), list(value))
        elif name == "addresses":
            merged[name] = _merge_addresses(list(merged.get(name) or []), list(value), merged)
        else:
            merged[name] = value
    return merged


def canon(value: Any) -> Any:
    """A value as both APIs may spell it: Magento answers attributes as strings ("5000.00", "1"), the
    mapping's transforms give numbers and booleans; equal values compare equal after this."""
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canon(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return format(number.normalize(), "f") if number.is_finite() else text


def put_body(merged: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Magento's required fields as read plus exactly the fields this flow owns."""
    customer = {k: merged[k] for k in REQUIRED if k in merged}
    customer.update({k: merged[k] for k in values})
    return {"customer": customer}


def push_rows(
    hook: MagentoHook, rows: list[Mapping[str, Any]], doc: MappingDocument, ctx: RunContext
) -> list[RecordOutcome]:
    """Write every row's fields onto its Magento account; unchanged accounts are not written."""
    group_path = doc.flow(FLOW).field(GROUP_FIELD).path_for("magento") or "group_id"
    workers = ctx.workers(hook.concurrency.limit)
    current = customers_by_id(hook, [int(r["customer_id"]) for r in rows], workers=workers)
    groups = group_ids_by_code(hook, {r["contract_group"] for r in rows if r.get("contract_group")})

    def problem(row: Mapping[str, Any], error_class: str, path: str, message: str) -> RecordOutcome:
        return quarantined(
            FLOW, ENTITY, row["key"], dict(row), error_class=error_class, field_path=path, message=message, ctx=ctx
        )

    def write(row: Mapping[str, Any]) -> RecordOutcome:
        key = row["key"]
        account = current.get(int(row["customer_id"]))
        if account is None:
            return problem(
                row,
                "not_found",
                "externalId",
                f"NetSuite customer {row['netsuite_id']} ({key}) has no Magento account {row['customer_id']}: "
                "it was deleted in Magento; make the NetSuite customer inactive or clear its externalId",
            )
        values = dict(row["set"])
        if row.get("contract_group"):
            code = row["contract_group"]
            if code not in groups:
                return problem(
                    row,
                    "reference",
                    group_path,
                    f"customer group {code} does not exist in Magento yet (the pricing flow creates it with the "
                    "customer's contract prices); run the pricing DAG, then retry",
                )
            values[group_path] = groups[code]
        merged = overlay(account, values)
        if canon(merged) == canon(account):
            return RecordOutcome(key, Status.UNCHANGED, target_id=str(account["id"]))
        try:
            hook.put(f"customers/{int(account['id'])}", put_body(merged, values))
        except (AuthError, TransientError):
            raise
        except SyncError as exc:
            return problem(row, "validation", exc.field_path or "customer", str(exc))
        return RecordOutcome(key, Status.LOADED, target_id=str(account["id"]))

    return list(write_all(rows, write, workers=workers, what="customer account(s)"))
