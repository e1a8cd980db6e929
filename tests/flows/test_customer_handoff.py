"""The shared buyer handoff against the NetSuite sandbox (OneWorld), on SQLite and PostgreSQL ledgers.

Externalid first, then normalised e-mail (link, never duplicate), ambiguity with both ids, companies,
subsidiary and currency, field limits, a create whose answer is lost, and a second run that creates
nothing.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.customers.constants import HANDOFF_CREATIONS
from magento_netsuite.flows.customers.handoff import (
    CREATED,
    LINKED_BY_EMAIL,
    MATCHED_BY_EXTERNAL_ID,
    Buyer,
    guest_external_id,
    handoff_body,
    resolve_buyers,
)
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.ledger import Creations
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, utc_now
from tests.pipeline.conftest import engine  # ruff: ignore[unused-import] - the SQLite / PostgreSQL store fixture


def test_buyers_link_by_email_create_once_and_never_duplicate(flow_env: FlowEnv, engine: sa.Engine) -> None:  # ruff: ignore[redefined-while-unused]
    flow_env.seed(SeedConfig(skus=5, customers=3, orders=0, seed=3, now=utc_now() - timedelta(minutes=1)))
    flow_env.netsuite.post(
        "records/customer",
        [
            {
                "id": "910001",
                "email": " Sales.Known@Example.TEST",
                "companyName": "Known by sales",
                "subsidiary": {"id": "1"},
            },
            {"id": "910002", "email": "twin@example.test", "companyName": "Twin A", "subsidiary": {"id": "1"}},
            {"id": "910003", "email": "TWIN@example.test ", "companyName": "Twin B", "subsidiary": {"id": "1"}},
        ],
    )
    doc = load_mapping_document()
    known = Buyer("MAG-CUST-501", "sales.known@example.test", False, "Kim", "Known", subsidiary="1")
    twin = Buyer(guest_external_id("twin@example.test"), "twin@example.test", True, "T", "Win", subsidiary="1")
    company = Buyer("MAG-CUST-502", "buyer@acme.test", False, "Ada", "Buyer", "Acme GmbH", subsidiary="2", currency="2")
    person = Buyer(guest_external_id("lost@example.test"), "lost@example.test", True, "Lou", "Lost", subsidiary="1")
    too_long = Buyer("MAG-CUST-503", "long@example.test", False, "X" * 40, "Nul\x00l", subsidiary="1")
    nowhere = Buyer("MAG-CUST-504", "nowhere@example.test", False, "No", "Where", subsidiary="99")
    buyers = [known, twin, company, person, too_long, nowhere]
    # the first create lands in NetSuite, then its answer is lost (a 502 after the body went out)
    flow_env.netsuite.fault(kind="lost_answer", path="/record/v1/customer$", method="POST", count=1, status=502)
    creations = Creations(HANDOFF_CREATIONS, engine)
    hook = NetSuiteHook()
    posts_before = flow_env.netsuite.calls("POST")

    first = resolve_buyers(hook, buyers, doc, "run-1", workers=1, creations=creations)

    assert (first[known.external_id].internal_id, first[known.external_id].how) == ("910001", LINKED_BY_EMAIL)
    assert first[twin.external_id].ambiguous and set(first[twin.external_id].candidates) == {"910002", "910003"}
    assert [v.path for v in first[too_long.external_id].violations] == ["customer_firstname", "customer_lastname"]
    assert "longer than 32" in first[too_long.external_id].violations[0].message
    assert "control character (0x00)" in first[too_long.external_id].violations[1].message
    rejected = first[nowhere.external_id].error
    assert rejected is not None and rejected.field_path == "subsidiary"
    assert first[company.external_id].how == first[person.external_id].how == CREATED
    assert first.created_by_run == 2
    acme = flow_env.netsuite_record("customer", company.external_id)
    assert acme["isPerson"] is False and acme["companyName"] == "Acme GmbH" and "firstName" not in acme
    assert acme["subsidiary"] == {"id": "2"} and acme["currency"] == {"id": "2"}
    lost = flow_env.netsuite_record("customer", person.external_id)
    assert lost["id"] == first[person.external_id].internal_id and lost["isPerson"] is True
    assert (lost["firstName"], lost["lastName"], lost["email"]) == ("Lou", "Lost", "lost@example.test")
    # three creates (company, person, the refused subsidiary); nothing for the matched or invalid
    assert flow_env.netsuite.calls("POST") - posts_before == 3 + 1  # + the SuiteQL match query
    customers_after_first = flow_env.netsuite.get("state")["counts"]["customers"]

    second = resolve_buyers(hook, buyers, doc, "run-2", workers=2, creations=creations)

    assert flow_env.netsuite.get("state")["counts"]["customers"] == customers_after_first
    assert second[company.external_id].how == second[person.external_id].how == MATCHED_BY_EXTERNAL_ID
    assert second[known.external_id].how == LINKED_BY_EMAIL and second.created_by_run == 0
    assert creations.creators([company.external_id, person.external_id]) == {
        company.external_id: "run-1",
        person.external_id: "run-1",
    }


def test_a_person_without_names_is_named_by_the_email_and_companies_drop_person_names() -> None:
    doc = load_mapping_document()
    nameless = handoff_body(Buyer("MAG-GUEST-x", "anon@example.test", True, subsidiary="1"), doc)
    assert nameless == {
        "externalId": "MAG-GUEST-x",
        "email": "anon@example.test",
        "isPerson": True,
        "companyName": "anon@example.test",
        "subsidiary": {"id": "1"},
    }
    company = handoff_body(Buyer("MAG-CUST-1", "a@b.test", False, "Ada", "L", " Acme "), doc)
    assert company == {"externalId": "MAG-CUST-1", "email": "a@b.test", "isPerson": False, "companyName": "Acme"}
