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
from more_itertools import chunked

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
CHUNK = 10_000
"""Customers of each side turned into a frame at once."""
NO_ACCOUNT = -1
"""The Magento id of a NetSuite customer whose externalId names no Magento account."""


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


def magento_frame(customers: Iterable[Mapping[str, Any]], doc: MappingDocument, chunk: int = CHUNK) -> pd.DataFrame:
    """One row per Magento account (index: its id), each compared field as Magento holds it; the
    accounts are read ``chunk`` at a time and only the compared fields kept."""
    netsuite_owned, magento_owned = compared_fields(doc)
    paths = {name: doc.entity("customer").field(name).path_for("magento") or "" for name in netsuite_owned}
    email_path = doc.entity("customer").field(EMAIL_FIELD).path_for("magento") or "email"
    frames = []
    for part in chunked(customers, chunk):
        rows: dict[int, dict[str, Any]] = {}
        for customer in part:
            row = {name: canon(get_path(customer, path)) for name, path in paths.items()}
            for name in magento_owned:
                row[name] = normalise_email(get_path(customer, email_path))
            row["_changed"] = customer.get("updated_at")
            rows[int(customer["id"])] = row
        frames.append(pd.DataFrame.from_dict(rows, orient="index"))
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames)
    return frame[~frame.index.duplicated(keep="last")]


def _after(value: Any, mark: datetime | None) -> bool:
    if mark is None or value in (None, ""):
        return True
    return parse_time(value) > mark


def field_differences(
    netsuite: pd.DataFrame,
    magento: pd.DataFrame,
    doc: MappingDocument,
    *,
    master_mark: datetime | None,
    registration_mark: datetime | None,
) -> list[Difference]:
    """Every owned field that differs between the customers both frames hold, classified.
    ``*_mark``: where each carrying flow's cursor is."""
    netsuite_owned, magento_owned = compared_fields(doc)
    both = netsuite.index.intersection(magento.index)
    if both.empty:
        return []
    ns, mg = netsuite.loc[both], magento.loc[both]
    found: list[Difference] = []
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
            found.append(
                Difference(int(customer_id), name, kind, owner, ns.at[customer_id, name], mg.at[customer_id, name])
            )
    return found


@dataclass
class Compared:
    """The comparison, and the NetSuite records (by Magento id) of the customers it found to differ or
    only in NetSuite: what repair needs, and all of NetSuite it keeps."""

    comparison: Comparison
    netsuite_records: dict[int, Mapping[str, Any]]


def compare(
    netsuite: Iterable[Mapping[str, Any]],
    magento: pd.DataFrame,
    doc: MappingDocument,
    *,
    contract_customers: set[str],
    contract_group_ids: Mapping[str, int],
    master_mark: datetime | None,
    registration_mark: datetime | None,
    chunk: int = CHUNK,
) -> Compared:
    """Every difference between every active NetSuite customer (``netsuite``, REST-shaped, read as it
    streams, ``chunk`` at a time) and Magento's accounts (``magento``: :func:`magento_frame`), classified.

    Per chunk, the customers handed over from Magento become a frame joined with Magento's on the
    Magento id; only the e-mail, internal id and Magento id of every NetSuite customer are kept for the
    e-mail check. When two NetSuite customers name one Magento account, the later one (by internal id)
    is compared, as a frame built from all of them would keep it."""
    owners: list[tuple[str, str, int]] = []
    differences: dict[int, list[Difference]] = {}
    only: dict[int, str] = {}
    records: dict[int, Mapping[str, Any]] = {}
    handed: set[int] = set()
    for part in chunked(netsuite, chunk):
        by_customer: dict[int, Mapping[str, Any]] = {}
        for record in part:
            email = normalise_email(record.get("email"))
            customer_id = magento_id(str(record.get("externalId") or ""))
            if email:
                owners.append((str(record.get("id")), email, NO_ACCOUNT if customer_id is None else customer_id))
            if customer_id is not None:
                by_customer[customer_id] = record
        frame = netsuite_frame(by_customer.values(), doc, contract_customers, contract_group_ids)
        for customer_id in handed.intersection(by_customer):  # named again: the later record counts
            differences.pop(customer_id, None)
            only.pop(customer_id, None)
            records.pop(customer_id, None)
        handed.update(by_customer)
        for difference in field_differences(
            frame, magento, doc, master_mark=master_mark, registration_mark=registration_mark
        ):
            differences.setdefault(difference.customer_id, []).append(difference)
        missing = frame.index.difference(magento.index)
        only.update({int(i): str(frame.at[i, "_netsuite_id"]) for i in missing})
        records.update({i: by_customer[i] for i in (*differences.keys() & by_customer.keys(), *map(int, missing))})
    result = Comparison(
        compared=len(handed.intersection(magento.index)),
        netsuite_total=len(handed),
        magento_total=len(magento),
        differences=[d for found in differences.values() for d in found],
        netsuite_only=[{"customer_id": i, "netsuite_id": only[i]} for i in sorted(only)],
        magento_only=[{"customer_id": int(i)} for i in magento.index.difference(pd.Index(sorted(handed)))],
        email_conflicts=email_conflicts(pd.DataFrame(owners, columns=["netsuite_id", "email", "magento_id"]), magento),
    )
    return Compared(result, records)


def email_conflicts(owners: pd.DataFrame, magento: pd.DataFrame) -> list[dict[str, Any]]:
    """E-mails two records claim: on two active NetSuite customers, or Magento's login of customer A
    that NetSuite holds for the customer of another Magento account B. ``owners``: ``netsuite_id,
    email, magento_id`` of every NetSuite customer with an e-mail (``magento_id`` -1 when none)."""
    ids = owners.groupby("email", sort=False)["netsuite_id"].agg(list)
    twice = ids[ids.map(len) > 1]
    found = [
        {"email": email, "kind": EMAIL_CLAIMED_TWICE, "netsuite_ids": sorted(held, key=int), "customer_id": None}
        for email, held in twice.items()
    ]
    if EMAIL_FIELD not in magento.columns:
        return found
    logins = magento[EMAIL_FIELD]
    logins = logins[logins.notna() & logins.ne("") & ~logins.isin(twice.index)]
    claims = logins.rename("email").rename_axis("customer_id").reset_index().merge(owners, on="email")
    claims = claims[claims.magento_id.ne(NO_ACCOUNT) & claims.magento_id.ne(claims.customer_id)]
    for (customer_id, email), held in claims.groupby(["customer_id", "email"], sort=False)["netsuite_id"]:
        found.append(
            {"email": email, "kind": EMAIL_CLAIMED_TWICE, "netsuite_ids": list(held), "customer_id": int(customer_id)}
        )
    return found
