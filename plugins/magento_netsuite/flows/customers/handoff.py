"""Resolve or create the NetSuite customer of a Magento buyer: the one path every flow uses.

NetSuite owns the customer master; Magento hands a buyer over once. For a batch of buyers:

1. **Match** (one SuiteQL query per 1,000 keys): by ``externalId`` first (registered buyers
   ``MAG-CUST-<id>``, guests ``MAG-GUEST-<hash of the normalised e-mail>``), then by normalised
   e-mail (trimmed, lower-cased) against every active NetSuite customer, as ``customer.yaml``'s
   ``match_existing_by: email`` says. One e-mail match links the buyer to that customer (never a
   second customer); two or more are ambiguous: the caller quarantines with every candidate id.
   Names are never used to match.
2. **Create** the buyers nobody matched, with the minimal body made of the fields the mapping's
   handoff flow carries (``customer_registration_magento_to_netsuite``), plus ``isPerson`` (a buyer
   with a company name is a company) and, on OneWorld accounts, the buyer's ``subsidiary`` (and
   currency), which the caller resolved through the mapping's value maps. Field limits of those
   fields are validated first; a violation names the buyer's field and nothing is sent.
3. **Exactly once**: a ``POST`` with the externalId, the intent recorded in the kit's creation
   ledger before it; a failed or unanswered create is settled by looking the externalId up
   (:mod:`magento_netsuite.pipeline.create_once`), never by reading an error's wording.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.connectors.errors import AuthError, SyncError, TransientError
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.customers.constants import (
    ENTITY,
    GUEST_EXTERNAL_ID_PREFIX,
    HANDOFF_CREATIONS,
    HANDOFF_FLOW,
    RECORD_TYPE,
)
from magento_netsuite.governance import FieldViolation, MappingDocument, build_target
from magento_netsuite.governance.transforms import CUSTOMER_EXTERNAL_ID_PREFIX, validate_value
from magento_netsuite.governance.translate import jsonable
from magento_netsuite.pipeline.create_once import create_once
from magento_netsuite.pipeline.ledger import Creations
from magento_netsuite.pipeline.writes import write_all

log = logging.getLogger(__name__)

CHUNK = 1000
"""Keys per SuiteQL query (Oracle allows at most 1,000 expressions in one ``IN`` list)."""

DEFAULT_PATHS = {
    "login_email": "customer_email",
    "first_name": "customer_firstname",
    "last_name": "customer_lastname",
    "company_name": "billing_address.company",
}
"""Where each handoff field of a buyer came from in a Magento order (errors name these paths)."""


def normalise_email(email: Any) -> str:
    """The e-mail matching key: trimmed and lower-cased (never a name)."""
    return str(email or "").strip().lower()


def guest_external_id(email: str) -> str:
    """A stable externalId for a guest buyer: ``MAG-GUEST-`` + a hash of the normalised e-mail."""
    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()[:24]
    return f"{GUEST_EXTERNAL_ID_PREFIX}{digest}"


def registered_external_id(customer_id: Any) -> str:
    return f"{CUSTOMER_EXTERNAL_ID_PREFIX}{customer_id}"


@dataclass(frozen=True)
class Buyer:
    """Who bought, as the handoff needs it. ``email`` is normalised; ids are NetSuite internal ids."""

    external_id: str
    email: str
    is_guest: bool
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    subsidiary: str | None = None
    currency: str | None = None
    paths: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PATHS))

    @property
    def is_company(self) -> bool:
        return bool(self.company_name.strip())


# ---------------------------------------------------------------- the minimal body


def _handoff_values(buyer: Buyer) -> dict[str, Any]:
    values: dict[str, Any] = {"login_email": buyer.email or None}
    if buyer.is_company:
        values["company_name"] = buyer.company_name.strip()
    else:
        values["first_name"] = buyer.first_name.strip() or None
        values["last_name"] = buyer.last_name.strip() or None
    return values


def handoff_violations(buyer: Buyer, doc: MappingDocument) -> list[FieldViolation]:
    """The buyer's handoff values against the mapping's validations (NetSuite lengths, printable text).

    Only what would be sent is checked, each at the path it came from in the Magento record; the
    "required" rule of names is NetSuite's own (a person needs both names, else the e-mail names it).
    """
    flow = doc.flow(HANDOFF_FLOW)
    found: list[FieldViolation] = []
    for name, value in _handoff_values(buyer).items():
        if value is None:
            continue
        spec = flow.field(name)
        path = buyer.paths.get(name) or spec.path_for(flow.source) or name
        found.extend(v for v in validate_value(spec, path, value) if "required" not in v.message)
    return found


def handoff_body(buyer: Buyer, doc: MappingDocument) -> dict[str, Any]:
    """The minimal NetSuite customer: the handoff flow's fields, ``isPerson``, subsidiary and currency."""
    flow = doc.flow(HANDOFF_FLOW)
    values = _handoff_values(buyer)
    body = jsonable(build_target(flow, values, doc).record)
    body["externalId"] = buyer.external_id
    body["isPerson"] = not buyer.is_company
    if not buyer.is_company and not (values.get("first_name") and values.get("last_name")):
        # NetSuite needs a name on every customer: a person without both names is named by the e-mail
        company = flow.field("company_name")
        body[company.path_for(flow.target) or "companyName"] = (buyer.email or buyer.external_id)[
            : company.validation.max_length or None
        ]
    if buyer.subsidiary:
        body["subsidiary"] = {"id": str(buyer.subsidiary)}
    if buyer.currency:
        body["currency"] = {"id": str(buyer.currency)}
    return body


# ---------------------------------------------------------------- matching


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


@dataclass
class CustomerMatches:
    by_external_id: dict[str, str] = field(default_factory=dict)
    by_email: dict[str, list[str]] = field(default_factory=dict)

    def candidates(self, buyer: Buyer) -> list[str]:
        """Internal ids that match: the externalId's customer, else every customer with the e-mail."""
        if buyer.external_id in self.by_external_id:
            return [self.by_external_id[buyer.external_id]]
        return list(self.by_email.get(buyer.email, [])) if buyer.email else []


def matches_by_email(doc: MappingDocument) -> bool:
    """customer.yaml ``settings.match_existing_by``: ``email`` links a buyer to the NetSuite customer
    with that e-mail (anything else: externalId only)."""
    return str(doc.entity(ENTITY).settings.get("match_existing_by") or "") == "email"


def find_customers(hook: NetSuiteHook, buyers: Iterable[Buyer], *, by_email: bool = True) -> CustomerMatches:
    """One query per 1,000 keys for a whole batch: by externalId, and (``by_email``) by normalised e-mail."""
    people = list(buyers)
    keys = [("e", x) for x in sorted({b.external_id for b in people})]
    if by_email:
        keys += [("m", x) for x in sorted({b.email for b in people if b.email})]
    matches = CustomerMatches()
    for chunk in _chunks(keys):
        eids = [v for kind, v in chunk if kind == "e"]
        mails = [v for kind, v in chunk if kind == "m"]
        conditions = []
        if eids:
            conditions.append(f"externalid IN ({', '.join('?' * len(eids))})")
        if mails:
            conditions.append(f"LOWER(TRIM(email)) IN ({', '.join('?' * len(mails))})")
        query = (
            "SELECT id, externalid, LOWER(TRIM(email)) AS email FROM customer "
            f"WHERE isinactive = 'F' AND ({' OR '.join(conditions)}) ORDER BY id"
        )
        for page in hook.suiteql(query, eids + mails):
            for row in page:
                internal_id = str(row["id"])
                if row.get("externalid") in eids:
                    matches.by_external_id[row["externalid"]] = internal_id
                email = row.get("email")
                if email in mails and internal_id not in matches.by_email.get(email, []):
                    matches.by_email.setdefault(email, []).append(internal_id)
    return matches


# ---------------------------------------------------------------- resolve or create

MATCHED_BY_EXTERNAL_ID = "external_id"
LINKED_BY_EMAIL = "email"
CREATED = "created"
FOUND_AFTER_CREATE = "already_there"


@dataclass(frozen=True)
class BuyerResult:
    """How one buyer was settled: an internal id (``how`` says why), or why not."""

    internal_id: str | None = None
    how: str | None = None
    candidates: tuple[str, ...] = ()
    """Two or more NetSuite customers share the buyer's e-mail: their internal ids."""
    violations: tuple[FieldViolation, ...] = ()
    error: SyncError | None = None

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


@dataclass
class Resolution:
    """externalId → :class:`BuyerResult`, plus how many customers this run created."""

    results: dict[str, BuyerResult] = field(default_factory=dict)
    created_by_run: int = 0

    def __getitem__(self, external_id: str) -> BuyerResult:
        return self.results[external_id]

    def counts(self) -> dict[str, int]:
        counts = {"customers_created": self.created_by_run}
        for how in (LINKED_BY_EMAIL, MATCHED_BY_EXTERNAL_ID):
            counts[f"customers_by_{how}"] = sum(r.how == how for r in self.results.values())
        counts["customers_ambiguous"] = sum(r.ambiguous for r in self.results.values())
        return counts


def resolve_buyers(
    hook: NetSuiteHook,
    buyers: Iterable[Buyer],
    doc: MappingDocument,
    run_id: str,
    *,
    workers: int,
    creations: Creations | None = None,
) -> Resolution:
    """Settle every buyer: matched, linked by e-mail, created once, ambiguous, invalid or rejected.

    Auth errors and exhausted transient errors propagate (the task retries; the ledger keeps this
    run's intents, so a retried or lost create still counts as this run's). A record-level rejection
    comes back as the buyer's ``error`` (NetSuite's ``o:errorPath`` in ``field_path``).
    """
    unique = {b.external_id: b for b in buyers}
    resolution = Resolution()
    if not unique:
        return resolution
    matches = find_customers(hook, unique.values(), by_email=matches_by_email(doc))
    missing: list[Buyer] = []
    for external_id, buyer in unique.items():
        candidates = matches.candidates(buyer)
        if len(candidates) > 1:
            resolution.results[external_id] = BuyerResult(candidates=tuple(candidates))
        elif candidates:
            how = MATCHED_BY_EXTERNAL_ID if external_id in matches.by_external_id else LINKED_BY_EMAIL
            resolution.results[external_id] = BuyerResult(candidates[0], how)
        elif violations := handoff_violations(buyer, doc):
            resolution.results[external_id] = BuyerResult(violations=tuple(violations))
        else:
            missing.append(buyer)
    if not missing:
        return resolution

    creations = creations or Creations(HANDOFF_CREATIONS)
    creations.intend((b.external_id for b in missing), run_id)

    def create(buyer: Buyer) -> tuple[str, BuyerResult]:
        try:
            internal_id, answered = create_once(hook, RECORD_TYPE, handoff_body(buyer, doc))
        except (AuthError, TransientError):
            raise
        except SyncError as exc:
            return buyer.external_id, BuyerResult(error=exc)
        if answered:
            creations.created(buyer.external_id, internal_id, run_id)
        return buyer.external_id, BuyerResult(internal_id, CREATED if answered else FOUND_AFTER_CREATE)

    results = dict(write_all(missing, create, workers=workers, what=f"{ENTITY}(s)", system="netsuite"))
    mine = creations.made_by([k for k, r in results.items() if r.how == FOUND_AFTER_CREATE], run_id)
    for external_id, result in results.items():
        if external_id in mine:  # our earlier POST landed but its answer was lost
            log.info("customer %s: created by this run's earlier attempt (its answer was lost)", external_id)
            creations.created(external_id, str(result.internal_id), run_id)
            result = BuyerResult(result.internal_id, CREATED)
        resolution.results[external_id] = result
    resolution.created_by_run = sum(r.how == CREATED for r in resolution.results.values())
    log.info("buyers: %s", resolution.counts())
    return resolution
