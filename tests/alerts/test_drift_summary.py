"""The reconciliation's Slack summary: sent above the configured drift threshold, not below it."""

from __future__ import annotations

import pytest

from magento_netsuite.flows.customer_reconciliation.compare import Comparison, Difference
from magento_netsuite.flows.customer_reconciliation.constants import READER_EDITED, THRESHOLD_ENV
from magento_netsuite.flows.customer_reconciliation.report import alert_if_above, build_report
from tests.alerts.conftest import WEBHOOK_SECRET, use_webhook
from tests.alerts.receiver import SlackReceiver


def comparison(drifted: int, compared: int = 200) -> Comparison:
    found = Comparison(compared=compared, netsuite_total=compared, magento_total=compared)
    found.differences = [Difference(i, "credit_limit", READER_EDITED, "netsuite", "5000", "1") for i in range(drifted)]
    return found


def test_a_drift_above_the_threshold_is_summarised_in_slack_and_one_below_is_not(
    monkeypatch: pytest.MonkeyPatch, receiver: SlackReceiver
) -> None:
    use_webhook(monkeypatch, receiver.url)
    monkeypatch.setenv(THRESHOLD_ENV, "2.5")
    repaired = {"repaired_total": 6, "queued": 0}

    below = build_report(comparison(5), repaired, "run-below")  # 2.5 %: not above
    above = build_report(comparison(6), repaired, "run-above")  # 3 %

    assert (below["drift_percent"], above["drift_percent"]) == (2.5, 3.0)
    assert alert_if_above(below) is False
    assert alert_if_above(above) is True
    [text] = receiver.texts
    assert "run-above" in text and "6 of 200 customers drifted" in text and "credit_limit 6" in text
    assert "/error-queue/#drift" in text and WEBHOOK_SECRET not in text


def test_a_threshold_that_is_not_a_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THRESHOLD_ENV, "lots")
    with pytest.raises(ValueError, match=THRESHOLD_ENV):
        build_report(comparison(1), {}, "run")
