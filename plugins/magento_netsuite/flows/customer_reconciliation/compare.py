"""Compare: both systems' customers as pandas frames, one column per owned field, and every difference
classified.

For each field with an owner the *owner's* value is turned into the reader's representation by the
mapping (value maps, transforms, the group rule) and set beside what the reader holds; values are
compared canonically (``"5000.00"`` equals ``5000``). A difference is:

* ``owner_changed_reader_behind``: the owner changed the record after the flow that carries the field
  last settled (its watermark): the reader is merely behind;
* ``reader_edited_against_rules``: the owner did not change since, so the reader was edited directly;
* ``missing_in_magento`` / ``missing_in_netsuite``: a customer only one side has;
* ``email_claimed_by_two_records``: one normalised e-mail on two NetSuite customers, or Magento's login
  of one customer is NetSuite's copy for another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from magento_netsuite.flows.customer_master.constants import FLOW as MASTER
from magento_netsuite.flows.customer_master.constants import GROUP_FIELD
from magento_netsuite.flows.customer_master.extract import magento_id
from magento_netsuite.flows.customer_master.groups import choose_group
from magento_netsuite.flows.customer_master.load import canon
from magento_netsuite.flows.customer_reconciliation.constants import (
    EMAIL_CLAIMED_TWICE,
    OWNER_AHEAD,
    READER_EDITED,
)
from magento_netsuite.flows.customer_reconciliation.read import REST_FIELDS
from magento_netsuite.flows.customer_registration.constants import EMAIL_FLOW
from magento_netsuite.flows.customers.handoff import normalise_email
from magento_netsuite.governance import MappingDocument, OwnershipFilter, apply_transform, get_path
from magento_netsuite.governance.errors import TransformError, ValueMapMiss
from magento_netsuite.pipeline.watermark import parse_time

EMAIL_FIELD = "login_email"


@dataclass
class Difference:
    customer_id: int
    field: str
    kind: str
    owner: str
    netsuite: Any
    magento: Any


@dataclass
class Comparison:
    compared: int
    netsuite_total: int
    magento_total: int
    differences: list[Difference] = field(default_factory=list)
    netsuite_only: list[dict[str, Any]] = field(default_factory=list)
    magento_only: list[dict[str, Any]] = field(default_factory=list)
    email_conflicts: list[dict[str, Any]] = field(default_factory=list)


def compared_fields(doc: MappingDocument) -> tuple[list[str], list[str]]:
    """(NetSuite-owned fields, Magento-owned fields) compared: every owned field with a path on both
    sides that a SuiteQL row carries (addresses live in a sublist: the on-change flow keeps those)."""
    netsuite_owned = [
        name
        for name in OwnershipFilter(doc, MASTER).field_names
        if (doc.flow(MASTER).field(name).path_for("netsuite") or "").split(".")[0] in REST_FIELDS
    ]
    magento_owned = [n for n in OwnershipFilter(doc, EMAIL_FLOW).field_names if n == EMAIL_FIELD]
    return netsuite_owned, magento_owned


def _value(transform: str | None, value: Any, doc: MappingDocument, source: str, target: str) -> Any:
    if value is None or transform is None:
        return value
    try:
        return apply_transform(transform, value, source=source, target=target, doc=doc)
    except (TransformError, ValueMapMiss) as exc:
        return f"<unmappable: {exc}>"


def netsuite_frame(
    records: Iterable[Mapping[str, Any]],
    doc: MappingDocument,
    contract_customers: set[str],
    contract_group_ids: Mapping[str, int],
) -> pd.DataFrame:
    """One row per NetSuite customer handed over from Magento (index: the Magento id): each field as
    Magento should show it (NetSuite-owned) or as NetSuite holds it (the e-mail copy)."""
    netsuite_owned, magento_owned = compared_fields(doc)
    specs = {name: doc.flow(MASTER).field(name) for name in netsuite_owned}
    rows: dict[int, dict[str, Any]] = {}
    for record in records:
        customer_id = magento_id(str(record.get("externalId") or ""))
        if customer_id is None:
            continue
        row: dict[str, Any] = {
            name: canon(
                _value(spec.transform, get_path(record, spec.path_for("netsuite") or ""), doc, "netsuite", "magento")
            )
            for name, spec in specs.items()
        }
        if GROUP_FIELD in row:
            netsuite_id = str(record.get("id"))
            choice = choose_group(netsuite_id, None, netsuite_id in contract_customers)
            if choice.contract_code is not None:  # the group rule: contract prices win over the price level
                row[GROUP_FIELD] = canon(
                    contract_group_ids.get(choice.contract_code, f"<group {choice.contract_code}>")
                )
        for name in magento_owned:
            row[name] = normalise_email(record.get("email"))
        row["_netsuite_id"] = str(record.get("id"))
        row["_changed"] = record.get("lastModifiedDate")
        rows[customer_id] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def magento_frame(customers: Iterable[Mapping[str, Any]], doc: MappingDocument) -> pd.DataFrame:
    """One row per Magento account (index: its id), each compared field as Magento holds it."""
    netsuite_owned, magento_owned = compared_fields(doc)
    paths = {name: doc.entity("customer").field(name).path_for("magento") or "" for name in netsuite_owned}
    email_path = doc.entity("customer").field(EMAIL_FIELD).path_for("magento") or "email"
    rows: dict[int, dict[str, Any]] = {}
    for customer in customers:
        row = {name: canon(get_path(customer, path)) for name, path in paths.items()}
        for name in magento_owned:
            row[name] = normalise_email(get_path(customer, email_path))
        row["_changed"] = customer.get("updated_at")
        rows[int(customer["id"])] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def _after(value: Any, mark: datetime | None) -> bool:
    if mark is None or value in (None, ""):
        return True
    return parse_time(value) > mark


def compare(
    netsuite: pd.DataFrame,
    magento: pd.DataFrame,
    doc: MappingDocument,
    *,
    netsuite_records: Mapping[str, Mapping[str, Any]],
    master_mark: datetime | None,
    registration_mark: datetime | None,
) -> Comparison:
    """Every difference between the frames, classified. ``*_mark``: where each carrying flow's cursor is.
    ``netsuite_records``: every active NetSuite customer by internal id (the e-mail check sees all)."""
    netsuite_owned, magento_owned = compared_fields(doc)
    both = netsuite.index.intersection(magento.index)
    result = Comparison(compared=len(both), netsuite_total=len(netsuite), magento_total=len(magento))
    result.netsuite_only = [
        {"customer_id": int(i), "netsuite_id": netsuite.at[i, "_netsuite_id"]}
        for i in netsuite.index.difference(magento.index)
    ]
    result.magento_only = [{"customer_id": int(i)} for i in magento.index.difference(netsuite.index)]

    ns, mg = netsuite.loc[both], magento.loc[both]
    for name in netsuite_owned + magento_owned:
        # an owner without a value makes no claim: flows never blank the reader's field (build_target)
        differs = ns[name].ne(mg[name]) & ns[name].ne("")
        if not differs.any():
            continue
        owner = "netsuite" if name in netsuite_owned else "magento"
        changed = ns["_changed"] if owner == "netsuite" else mg["_changed"]
        mark = master_mark if owner == "netsuite" else registration_mark
        for customer_id in differs[differs].index:
            kind = OWNER_AHEAD if _after(changed.at[customer_id], mark) else READER_EDITED
            result.differences.append(
                Difference(int(customer_id), name, kind, owner, ns.at[customer_id, name], mg.at[customer_id, name])
            )

    result.email_conflicts = email_conflicts(netsuite_records, magento)
    return result


def email_conflicts(netsuite_records: Mapping[str, Mapping[str, Any]], magento: pd.DataFrame) -> list[dict[str, Any]]:
    """E-mails two records claim: on two active NetSuite customers, or Magento's login of customer A
    that NetSuite holds for the customer of another Magento account B."""
    owners: dict[str, list[str]] = {}
    for internal_id, record in netsuite_records.items():
        email = normalise_email(record.get("email"))
        if email:
            owners.setdefault(email, []).append(internal_id)
    found = [
        {"email": email, "kind": EMAIL_CLAIMED_TWICE, "netsuite_ids": sorted(ids, key=int), "customer_id": None}
        for email, ids in owners.items()
        if len(ids) > 1
    ]
    twice = {f["email"] for f in found}
    if EMAIL_FIELD in magento.columns:
        for customer_id, email in magento[EMAIL_FIELD].items():
            if not email or email in twice:
                continue
            holders = [
                i
                for i in owners.get(email, [])
                if magento_id(str(netsuite_records[i].get("externalId") or "")) not in (None, customer_id)
            ]
            if holders:
                found.append(
                    {
                        "email": email,
                        "kind": EMAIL_CLAIMED_TWICE,
                        "netsuite_ids": holders,
                        "customer_id": int(customer_id),
                    }
                )
    return found
