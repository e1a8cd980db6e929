"""End to end: the nightly customer reconciliation finds, classifies, repairs and reports drift."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from magento_netsuite.errorqueue.drift import DriftReports
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.customer_master.constants import FLOW as MASTER
from magento_netsuite.flows.customer_reconciliation.constants import (
    MISSING_IN_MAGENTO,
    MISSING_IN_NETSUITE,
    OWNER_AHEAD,
    READER_EDITED,
    RECONCILIATION,
)
from magento_netsuite.flows.customer_reconciliation.run import reconcile
from magento_netsuite.flows.customer_registration.constants import FLOW as REGISTRATION
from magento_netsuite.pipeline.outcomes import RunContext
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, KitClock, utc_now
from tests.flows.customers_support import attribute, edit_magento, edit_netsuite, magento_customer, run_flow

CLEAN = {"unknown_sku_share": 0.0, "missing_postcode_share": 0.0, "guest_share": 0.0}


def ctx(run_id: str) -> RunContext:
    return RunContext(run_id=run_id, dag_id="customers_nightly_reconciliation", task_id="t", try_number=1)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> KitClock:
    return KitClock(monkeypatch, utc_now())


def test_reconciliation_repairs_drift_in_the_owners_direction_and_reports_it(
    flow_env: FlowEnv, clock: KitClock
) -> None:
    dataset = flow_env.seed(
        SeedConfig(
            skus=5,
            customers=6,
            orders=0,
            seed=30,
            unknown_customer_share=0.0,
            now=utc_now() - timedelta(hours=2),
            **CLEAN,
        )
    )
    run_flow(MASTER, "master-1", {"mode": "full"})  # in sync, as after a normal day
    clock.now = utc_now() + timedelta(minutes=2)
    run_flow(REGISTRATION, "registration-1", {"mode": "full"})
    unregistered = 777  # a Magento account the handoff has not seen yet (it registered after the last run)
    flow_env.magento.post(
        "customers", {"id": unregistered, "email": "late@example.test", "firstname": "La", "lastname": "Te"}
    )
    flow_env.netsuite.post(  # a NetSuite customer whose Magento account is gone
        "records/customer",
        [{"id": "930001", "externalId": "MAG-CUST-999", "email": "gone@example.test", "companyName": "Gone Ltd"}],
    )
    edited, behind, mail = dataset.ns_customers[:3]
    # against the rules: a Magento admin edits a credit limit NetSuite owns; someone edits NetSuite's e-mail copy
    edit_magento(
        flow_env,
        edited.magento_id,
        attributes={"ns_credit_limit": "1.00"},
        extension_attributes={"is_subscribed": True},
    )
    edit_netsuite(str(mail.internal_id), {"email": "typo@example.test"})
    # the owner moved on and the on-change flow has not run yet: NetSuite changed terms
    edit_netsuite(str(behind.internal_id), {"terms": {"id": "4"}})
    clock.now = utc_now() + timedelta(minutes=3)

    first = reconcile(ctx("recon-1"))

    report = DriftReports.from_connection().get(first["id"])["report"]
    assert report["by_field"]["credit_limit"] == {READER_EDITED: 1}
    assert report["by_field"]["terms"] == {OWNER_AHEAD: 1}
    assert report["by_field"]["login_email"] == {READER_EDITED: 1}
    assert report["by_field"]["(customer)"] == {MISSING_IN_MAGENTO: 1, MISSING_IN_NETSUITE: 1}
    assert report["examples"]["credit_limit"][0]["customer_id"] == edited.magento_id
    assert report["examples"]["credit_limit"][0]["magento"] == "1"
    assert first["drifted"] == 5 and first["repaired"] == 4 and first["unrepairable"] == 1, first
    # repaired in the owner's direction; what Magento owns is untouched
    account = magento_customer(flow_env, edited.magento_id)
    assert Decimal(str(attribute(account, "ns_credit_limit"))) == Decimal(edited.creditlimit)
    assert account["extension_attributes"]["is_subscribed"] is True
    assert attribute(magento_customer(flow_env, behind.magento_id), "ns_payment_terms") == "Due on receipt"
    assert (
        flow_env.netsuite_record("customer", mail.external_id)["email"]
        == magento_customer(flow_env, mail.magento_id)["email"]
    )
    created = flow_env.netsuite_record("customer", f"MAG-CUST-{unregistered}")
    assert created is not None
    assert attribute(magento_customer(flow_env, unregistered), "netsuite_customer_id") == created["id"]
    [queued] = ErrorQueueStore.from_connection().open_errors(flow=MASTER)
    assert (queued.record_key, queued.error_class, queued.field_path) == ("MAG-CUST-999", "not_found", "externalId")
    assert "no Magento account" in queued.message and "inactive" in queued.message

    clock.now = utc_now() + timedelta(minutes=3)
    run_flow(MASTER, "master-2")  # the on-change flow carries the new customer's NetSuite defaults
    second = reconcile(ctx("recon-2"))  # only the unrepairable one is left, still reported

    assert (second["drifted"], second["repaired"]) == (1, 0), second
    trend = DriftReports.from_connection().recent(RECONCILIATION)
    assert [t["run_id"] for t in trend] == ["recon-2", "recon-1"]
