"""Transform of the registration handoff: each changed Magento customer, settled against NetSuite.

* A customer without the NetSuite id on its account goes through the shared buyer path
  (:func:`~magento_netsuite.flows.customers.handoff.resolve_buyers`: externalId, then normalised
  e-mail, else one minimal create). The orders flow uses the same path and creation ledger, so a
  buyer who registers and orders in the same minute gets one NetSuite customer. The id found or
  created is then written back onto the account (the load).
* A customer already linked is checked for a login e-mail changed in Magento (Magento owns it): one
  SuiteQL query per 1,000 linked customers, a ``PATCH`` of ``email`` only where NetSuite's copy differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.customer_registration.constants import EMAIL_FLOW, ENTITY, FLOW, NETSUITE_ID_FIELD
from magento_netsuite.flows.customer_registration.extract import customer_key
from magento_netsuite.flows.customers.handoff import (
    Buyer,
    BuyerResult,
    normalise_email,
    registered_external_id,
    resolve_buyers,
)
from magento_netsuite.governance import MappingDocument, ValueMapMiss, get_path
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined

SUBSIDIARY_MAP = "store_to_subsidiary"
STORE_PATH = "store_id"
CHUNK = 1000
HANDOFF, EMAIL = "handoff", "email"
"""Kinds of rows to load: write the NetSuite id back to Magento; copy the login e-mail to NetSuite."""


@dataclass
class Prepared:
    ready: list[dict[str, Any]] = field(default_factory=list)
    settled: list[RecordOutcome] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def magento_path(doc: MappingDocument, name: str) -> str:
    spec = doc.entity(ENTITY).field(name)
    path = spec.path_for("magento")
    if path is None:
        raise LookupError(f"customer.yaml: field {name!r} has no Magento path")
    return path


def linked_id(customer: Mapping[str, Any], doc: MappingDocument) -> str | None:
    """The NetSuite internal id already written back onto the Magento account, if any."""
    value = str(get_path(customer, magento_path(doc, NETSUITE_ID_FIELD)) or "").strip()
    return value or None


def buyer_of(customer: Mapping[str, Any], doc: MappingDocument) -> Buyer:
    """The registered buyer for the handoff; raises :class:`ValueMapMiss` for an unmapped store."""
    paths = {name: magento_path(doc, name) for name in ("login_email", "first_name", "last_name", "company_name")}
    subsidiary = doc.value_map(SUBSIDIARY_MAP).lookup(customer.get(STORE_PATH))
    return Buyer(
        registered_external_id(customer.get("id")),
        normalise_email(customer.get("email")),
        False,
        str(get_path(customer, paths["first_name"]) or "").strip(),
        str(get_path(customer, paths["last_name"]) or "").strip(),
        str(get_path(customer, paths["company_name"]) or "").strip(),
        subsidiary=str(subsidiary),
        paths=paths,
    )


def _quarantine(key: str, customer: Mapping[str, Any], ctx: RunContext, **error: Any) -> RecordOutcome:
    return quarantined(FLOW, ENTITY, key, customer, ctx=ctx, **error)


def buyer_problem(
    key: str, customer: Mapping[str, Any], buyer: Buyer, result: BuyerResult, ctx: RunContext
) -> RecordOutcome | None:
    """The quarantine of a customer the handoff could not settle (None when it has a NetSuite id)."""
    email_path = buyer.paths["login_email"]
    if result.ambiguous:
        return _quarantine(
            key,
            customer,
            ctx,
            error_class="conflict",
            message=(
                f"{len(result.candidates)} NetSuite customers share the e-mail {buyer.email!r} "
                f"(internal ids {', '.join(result.candidates)}); names are never used to pick one: merge them in "
                f"NetSuite or set externalId {buyer.external_id} on the right one, then retry"
            ),
            field_path=email_path,
        )
    if result.violations:
        first = result.violations[0]
        message = "; ".join(f"{v.path}: {v.message}" for v in result.violations)
        return _quarantine(key, customer, ctx, error_class="validation", message=message, field_path=first.path)
    if result.internal_id is None:
        error = result.error
        return _quarantine(
            key,
            customer,
            ctx,
            error_class="reference",
            message=(
                f"customer {buyer.external_id} could not be created in NetSuite: "
                f"{error.message if error else 'no id returned'}"
                + (f" (NetSuite field {error.field_path})" if error and error.field_path else "")
            ),
            field_path=email_path,
            code=error.code if error else None,
        )
    return None


def netsuite_emails(hook: NetSuiteHook, internal_ids: list[str]) -> dict[str, str]:
    """NetSuite's copy of the login e-mail per internal id (normalised), one query per 1,000 ids."""
    found: dict[str, str] = {}
    ids = sorted({i for i in internal_ids if i.isdigit()}, key=int)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = f"SELECT id, email FROM customer WHERE id IN ({', '.join('?' * len(chunk))})"
        for page in hook.suiteql(query, chunk):
            found.update((str(r["id"]), normalise_email(r.get("email"))) for r in page)
    return found


def prepare_customers(
    customers: list[Mapping[str, Any]], hook: NetSuiteHook, doc: MappingDocument, ctx: RunContext, *, workers: int
) -> Prepared:
    result = Prepared()
    to_hand_over: list[tuple[Mapping[str, Any], Buyer]] = []
    linked: list[tuple[Mapping[str, Any], str]] = []
    for customer in customers:
        key = customer_key(customer)
        internal_id = linked_id(customer, doc)
        if internal_id is not None:
            linked.append((customer, internal_id))
            continue
        try:
            to_hand_over.append((customer, buyer_of(customer, doc)))
        except ValueMapMiss as exc:
            result.settled.append(
                _quarantine(key, customer, ctx, error_class="reference", message=str(exc), field_path=STORE_PATH)
            )

    resolution = resolve_buyers(hook, (b for _, b in to_hand_over), doc, ctx.run_id, workers=workers)
    result.counts = resolution.counts()
    for customer, buyer in to_hand_over:
        key = customer_key(customer)
        settled = resolution[buyer.external_id]
        problem = buyer_problem(key, customer, buyer, settled, ctx)
        if problem is not None:
            result.settled.append(problem)
        else:
            result.ready.append(
                {
                    "key": key,
                    "kind": HANDOFF,
                    "customer_id": int(customer["id"]),
                    "netsuite_id": settled.internal_id,
                    "how": settled.how,
                }
            )

    email_path = magento_path(doc, "login_email")
    netsuite_email = doc.flow(EMAIL_FLOW).field("login_email").path_for("netsuite") or "email"
    theirs = netsuite_emails(hook, [i for _, i in linked])
    for customer, internal_id in linked:
        key = customer_key(customer)
        mine = normalise_email(get_path(customer, email_path))
        if internal_id not in theirs:
            result.settled.append(
                _quarantine(
                    key,
                    customer,
                    ctx,
                    error_class="not_found",
                    message=(
                        f"the Magento account names NetSuite customer {internal_id}, which is not an active customer"
                    ),
                    field_path=magento_path(doc, NETSUITE_ID_FIELD),
                )
            )
        elif mine and theirs[internal_id] != mine:
            result.ready.append({"key": key, "kind": EMAIL, "netsuite_id": internal_id, "body": {netsuite_email: mine}})
        else:
            result.settled.append(RecordOutcome(key, Status.UNCHANGED, target_id=internal_id))
    result.counts["emails_to_copy"] = sum(r["kind"] == EMAIL for r in result.ready)
    return result
