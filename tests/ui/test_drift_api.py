"""The Drift section's API on the Error Queue app, served the way Airflow's API server serves it."""

from __future__ import annotations

import uuid

import pytest

from tests.ui.helpers import bearer

pytestmark = pytest.mark.timeout(120)

BASE = "/error-queue"


def test_drift_reports_and_their_trend_are_served_to_readers_only(client, tokens):
    from magento_netsuite.errorqueue.drift import DriftReports

    reports = DriftReports.from_connection()
    name = f"ui_drift_{uuid.uuid4().hex[:8]}"
    older = {"compared": 100, "drifted": 3, "differences": 4, "repaired": 3, "unrepairable": 0, "by_field": {}}
    newer = {
        "compared": 100,
        "drifted": 2,
        "differences": 2,
        "repaired": 1,
        "unrepairable": 1,
        "by_field": {"credit_limit": {"reader_edited_against_rules": 1}, "(customer)": {"missing_in_magento": 1}},
        "examples": {
            "credit_limit": [
                {"customer_id": 7, "kind": "reader_edited_against_rules", "netsuite": "5000", "magento": "1"}
            ]
        },
    }
    first = reports.save(name, "scheduled__1", older)
    reports.save(name, "scheduled__2", {**newer, "drifted": 9})
    reports.save(name, "scheduled__2", newer)  # a rerun of the run replaces its report (the trend below has it once)

    assert client.get(f"{BASE}/api/drift").status_code == 401
    viewer = bearer(tokens["viewer"])
    listing = client.get(f"{BASE}/api/drift", params={"limit": 365}, headers=viewer)
    assert listing.status_code == 200, listing.text
    body = listing.json()
    mine = [t for t in body["trend"] if t["reconciliation"] == name]
    assert [(t["run_id"], t["drifted"], t["repaired"]) for t in mine] == [
        ("scheduled__2", 2, 1),
        ("scheduled__1", 3, 3),
    ]
    latest = body["latest"]
    assert latest["run_id"] == "scheduled__2" and latest["report"]["by_field"]["(customer)"] == {
        "missing_in_magento": 1
    }

    one = client.get(f"{BASE}/api/drift/{first}", headers=viewer)
    assert one.status_code == 200 and one.json()["report"]["drifted"] == 3
    assert client.get(f"{BASE}/api/drift/999999999", headers=viewer).status_code == 404
    page = client.get(f"{BASE}/", headers=viewer)
    assert 'id="drift"' in page.text and "static/drift.js" in page.text
