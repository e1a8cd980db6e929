"""Resolve what an order references in NetSuite, in batches: items by SKU, customers, existing orders.

Each lookup is one SuiteQL query per run (one per ``CHUNK`` keys when a run carries more), never one
call per order. Customers match by externalId (registered: ``MAG-CUST-<id>``; guests:
``MAG-GUEST-<hash>``) or by normalised email (guests), never by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from magento_netsuite.connectors.errors import AuthError, SyncError, TransientError
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.orders.transform import CustomerRef
from magento_netsuite.pipeline.writes import write_all

CHUNK = 1000
"""Keys per SuiteQL query (Oracle allows at most 1,000 expressions in one ``IN`` list)."""


def _chunks(values: Sequence[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _rows(hook: NetSuiteHook, query: str, params: list[str]) -> Iterator[dict]:
    for page in hook.suiteql(query, params):
        yield from page


def item_ids_by_sku(hook: NetSuiteHook, skus: Iterable[str]) -> dict[str, str]:
    """Active inventory items by SKU (NetSuite ``itemId``) → internal id."""
    wanted = sorted({s for s in skus if s})
    found: dict[str, str] = {}
    for chunk in _chunks(wanted):
        query = f"SELECT id, itemid FROM item WHERE isinactive = 'F' AND itemid IN ({_marks(len(chunk))})"
        found.update((row["itemid"], str(row["id"])) for row in _rows(hook, query, chunk))
    return found


@dataclass
class CustomerMatches:
    by_external_id: dict[str, str] = field(default_factory=dict)
    by_email: dict[str, list[str]] = field(default_factory=dict)

    def resolve(self, customer: CustomerRef) -> list[str]:
        """Internal ids that match: externalId first; guests by email when no externalId matched."""
        if customer.external_id in self.by_external_id:
            return [self.by_external_id[customer.external_id]]
        if customer.is_guest:
            return self.by_email.get(customer.email, [])
        return []


def find_customers(hook: NetSuiteHook, customers: Iterable[CustomerRef]) -> CustomerMatches:
    """One query (per chunk) for every buyer of the batch: by externalId, and guests by normalised email."""
    people = list(customers)
    external_ids = sorted({c.external_id for c in people})
    emails = sorted({c.email for c in people if c.is_guest and c.email})
    matches = CustomerMatches()
    keys = [("e", x) for x in external_ids] + [("m", x) for x in emails]
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        eids = [v for kind, v in chunk if kind == "e"]
        mails = [v for kind, v in chunk if kind == "m"]
        conditions = []
        if eids:
            conditions.append(f"externalid IN ({_marks(len(eids))})")
        if mails:
            conditions.append(f"LOWER(TRIM(email)) IN ({_marks(len(mails))})")
        query = (
            "SELECT id, externalid, LOWER(TRIM(email)) AS email FROM customer "
            f"WHERE isinactive = 'F' AND ({' OR '.join(conditions)}) ORDER BY id"
        )
        for row in _rows(hook, query, eids + mails):
            internal_id = str(row["id"])
            if row.get("externalid") in eids:
                matches.by_external_id[row["externalid"]] = internal_id
            email = row.get("email")
            if email in mails and internal_id not in matches.by_email.get(email, []):
                matches.by_email.setdefault(email, []).append(internal_id)
    return matches


def minimal_customer_body(customer: CustomerRef) -> dict[str, object]:
    """The registration handoff's fields (mapping: customer_registration_magento_to_netsuite)."""
    body: dict[str, object] = {"email": customer.email, "isPerson": True}
    if customer.first_name:
        body["firstName"] = customer.first_name[:255]
    if customer.last_name:
        body["lastName"] = customer.last_name[:255]
    if not (customer.first_name and customer.last_name):
        body["companyName"] = (customer.email or customer.external_id)[:83]
    return body


@dataclass
class CreatedCustomers:
    ids: dict[str, str] = field(default_factory=dict)
    """externalId → internal id."""
    rejected: dict[str, SyncError] = field(default_factory=dict)
    """externalId → NetSuite's record-level rejection."""


def create_customers(hook: NetSuiteHook, customers: Iterable[CustomerRef], workers: int) -> CreatedCustomers:
    """Create each missing buyer minimally with ``PUT customer/eid:<externalId>``.

    An upsert by externalId cannot double-create when two runs race: the second one updates the same
    record with the same handoff values. Auth and transient errors propagate (the task fails and
    retries); a record-level rejection is returned for the orders of that buyer to quarantine.
    """
    unique = {c.external_id: c for c in customers}
    result = CreatedCustomers()

    def create(customer: CustomerRef) -> tuple[str, str | SyncError]:
        try:
            return customer.external_id, hook.upsert_by_external_id(
                "customer", customer.external_id, minimal_customer_body(customer)
            )
        except (AuthError, TransientError):
            raise
        except SyncError as exc:
            return customer.external_id, exc

    for external_id, outcome in write_all(unique.values(), create, workers=workers, what="customer(s)"):
        if isinstance(outcome, SyncError):
            result.rejected[external_id] = outcome
        else:
            result.ids[external_id] = outcome
    return result


def existing_orders(hook: NetSuiteHook, external_ids: Iterable[str]) -> dict[str, str]:
    """Sales orders already in NetSuite: externalId → internal id (one query per chunk)."""
    wanted = sorted(set(external_ids))
    found: dict[str, str] = {}
    for chunk in _chunks(wanted):
        query = (
            f"SELECT id, externalid FROM transaction WHERE type = 'SalesOrd' AND externalid IN ({_marks(len(chunk))})"
        )
        found.update((row["externalid"], str(row["id"])) for row in _rows(hook, query, chunk))
    return found
