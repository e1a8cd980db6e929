"""The customer reconciliation compares NetSuite in chunks and finds what one frame of everything finds:
differences, customers only one side has, e-mails two records claim, across chunk edges."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest

from magento_netsuite.flows.customer_reconciliation.compare import Compared, compare, magento_frame
from magento_netsuite.flows.customer_reconciliation.constants import EMAIL_CLAIMED_TWICE
from magento_netsuite.governance import load_mapping_document

DOC = load_mapping_document()


def netsuite(internal_id: int, magento_id: int | None, first: str, email: str) -> dict[str, Any]:
    record = {"id": str(internal_id), "email": email, "firstName": first, "lastName": "Doe",
              "lastModifiedDate": "2026-01-01 00:00:00"}  # fmt: skip
    return record | ({"externalId": f"MAG-CUST-{magento_id}"} if magento_id is not None else {})


def magento(customer_id: int, internal_id: int, first: str, email: str) -> dict[str, Any]:
    return {"id": customer_id, "email": email, "firstname": first, "lastname": "Doe",
            "updated_at": "2026-01-01 00:00:00",
            "custom_attributes": [{"attribute_code": "netsuite_customer_id", "value": str(internal_id)}]}  # fmt: skip


NETSUITE = [
    netsuite(101, 1, "Ann", "ann@example.com"),
    netsuite(102, 2, "Bob", "bob@example.com"),  # Magento says Rob: NetSuite owns the name
    netsuite(103, 3, "Cy", "shared@example.com"),
    netsuite(104, None, "Dee", "shared@example.com"),  # not a Magento customer, same e-mail as 103
    netsuite(105, 9, "Eve", "eve@example.com"),  # Magento has no account 9
    netsuite(106, 5, "Fay", "fay@example.com"),  # Magento's account 4 logs in with Fay's e-mail
    netsuite(107, 6, "Old", "gil@example.com"),
    netsuite(108, 6, "Gil", "gil@example.com"),  # names account 6 again, later: this one is compared
]
MAGENTO = [
    magento(1, 101, "Ann", "ann@example.com"),
    magento(2, 102, "Rob", "bob@example.com"),
    magento(3, 103, "Cy", "shared@example.com"),
    magento(4, 0, "Hal", "fay@example.com"),
    magento(5, 106, "Fay", "fay@example.com"),
    magento(6, 108, "Gil", "gil@example.com"),
]


def compared(chunk: int) -> Compared:
    return compare(
        iter(NETSUITE), magento_frame(iter(MAGENTO), DOC, chunk=chunk), DOC, contract_customers=set(),
        contract_group_ids={}, master_mark=None, registration_mark=None, chunk=chunk,
    )  # fmt: skip


def canonical(found: Compared) -> dict[str, Any]:
    c = found.comparison
    return {
        "totals": (c.compared, c.netsuite_total, c.magento_total),
        "differences": sorted(tuple(asdict(d).values()) for d in c.differences),
        "netsuite_only": c.netsuite_only,
        "magento_only": c.magento_only,
        "email_conflicts": sorted(map(repr, c.email_conflicts)),
        "records": {k: v["id"] for k, v in found.netsuite_records.items()},
    }


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_chunks_find_what_one_frame_finds(chunk: int) -> None:
    found = compared(chunk)

    assert canonical(found) == canonical(compared(1000))
    c = found.comparison
    assert [(d.customer_id, d.field, d.netsuite, d.magento) for d in c.differences] == [(2, "first_name", "Bob", "Rob")]
    assert c.netsuite_only == [{"customer_id": 9, "netsuite_id": "105"}]
    assert c.magento_only == [{"customer_id": 4}]
    assert (c.compared, c.netsuite_total, c.magento_total) == (5, 6, 6)
    conflicts = {(x["email"], x["customer_id"]): x["netsuite_ids"] for x in c.email_conflicts}
    assert conflicts == {
        ("shared@example.com", None): ["103", "104"],
        ("gil@example.com", None): ["107", "108"],
        ("fay@example.com", 4): ["106"],
    }
    assert all(x["kind"] == EMAIL_CLAIMED_TWICE for x in c.email_conflicts)
    assert {k: v["id"] for k, v in found.netsuite_records.items()} == {2: "102", 9: "105"}  # what repair reads
