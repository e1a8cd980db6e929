"""Drift reports in ``mns_store``, on SQLite and PostgreSQL: saved per run, replaced on rerun, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from magento_netsuite.errorqueue.drift import DriftReports

T0 = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)


def test_reports_are_kept_per_run_replaced_on_rerun_and_listed_newest_first(engine: sa.Engine) -> None:
    reports = DriftReports(engine)
    for night in range(3):
        report = {"compared": 1000, "drifted": 10 - night, "differences": 12, "repaired": 9, "unrepairable": 1}
        reports.save("customers_reconciliation", f"night-{night}", report, at=T0 + timedelta(days=night))
    reports.save("other_reconciliation", "night-9", {"compared": 5, "drifted": 5}, at=T0 + timedelta(days=9))
    rerun = {"compared": 1000, "drifted": 3, "by_field": {"terms": {"owner_changed_reader_behind": 3}}}
    new_id = reports.save("customers_reconciliation", "night-2", rerun, at=T0 + timedelta(days=2, hours=1))

    trend = reports.recent("customers_reconciliation")
    assert [(t["run_id"], t["drifted"]) for t in trend] == [("night-2", 3), ("night-1", 9), ("night-0", 10)]
    assert trend[0]["at"] == T0 + timedelta(days=2, hours=1)
    assert reports.get(new_id)["report"]["by_field"] == {"terms": {"owner_changed_reader_behind": 3}}
    assert [t["run_id"] for t in reports.recent(limit=2)] == ["night-9", "night-2"]
    assert reports.get(10_000) is None
