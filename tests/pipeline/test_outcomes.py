"""Outcomes: the staged row format round-trips, and the run summary names every lost or doubled record."""

from __future__ import annotations

import json

import pytest

from magento_netsuite.pipeline.outcomes import (
    ConservationError,
    QuarantineRecord,
    RecordOutcome,
    RunContext,
    Status,
    outcome_from_dict,
    outcome_to_dict,
    quarantined,
    summarize,
)

CTX = RunContext(run_id="scheduled__2026-11-30T09:00:00+00:00", dag_id="orders_dag", task_id="load", try_number=2)


def rejected(key: str = "000000123") -> RecordOutcome:
    return quarantined(
        "orders_magento_to_netsuite",
        "order",
        key,
        {"increment_id": key, "items": [{"sku": "AB-1", "qty": 2}], "total": 10.5, "note": None},
        error_class="reference",
        message="unknown SKU AB-1",
        field_path="items[0].sku",
        ctx=CTX,
        code="INVALID_KEY_OR_REF",
    )


def staged(outcome: RecordOutcome) -> RecordOutcome:
    """Through the staged file's JSON line and back."""
    return outcome_from_dict(json.loads(json.dumps(outcome_to_dict(outcome), default=str)))


@pytest.mark.parametrize(
    "outcome",
    [
        RecordOutcome("000000100", Status.LOADED, target_id="9001"),
        RecordOutcome("000000101", Status.UNCHANGED),
        RecordOutcome("SKU-1@WH1", Status.UNCHANGED, target_id="77"),
    ],
)
def test_round_trip_of_synced_outcomes(outcome: RecordOutcome) -> None:
    row = outcome_to_dict(outcome)
    assert row == {"key": outcome.key, "status": outcome.status.value, "target_id": outcome.target_id, "error": None}
    assert outcome_from_dict(row) == outcome
    assert staged(outcome) == outcome


def test_round_trip_of_a_quarantined_outcome() -> None:
    outcome = rejected()
    assert outcome.status is Status.QUARANTINED
    error = outcome.error
    assert error is not None
    assert error.fix_hint  # filled from the hint catalogue
    assert (error.dag_id, error.run_id, error.task_id, error.try_number) == ("orders_dag", CTX.run_id, "load", 2)
    back = staged(outcome)
    assert back == outcome
    assert back.error is not None and back.error.payload["items"] == [{"sku": "AB-1", "qty": 2}]
    assert isinstance(back.error, QuarantineRecord)
    assert back.status is Status.QUARANTINED


def test_from_dict_rejects_inconsistent_rows() -> None:
    with pytest.raises(ValueError, match="a quarantined outcome needs an error"):
        outcome_from_dict({"key": "1", "status": "quarantined", "target_id": None, "error": None})
    with pytest.raises(ValueError):
        outcome_from_dict({"key": "1", "status": "lost"})


def test_from_dict_coerces_the_key_to_text() -> None:
    assert outcome_from_dict({"key": 42, "status": "loaded"}) == RecordOutcome("42", Status.LOADED)


# ---------------------------------------------------------------- summarize


def test_summary_counts_when_every_key_has_one_outcome() -> None:
    outcomes = [
        RecordOutcome("a", Status.LOADED, target_id="1"),
        RecordOutcome("b", Status.LOADED, target_id="2"),
        RecordOutcome("c", Status.UNCHANGED),
        rejected("d"),
    ]
    summary = summarize("orders", "run-1", ["a", "b", "c", "d"], outcomes, extra={"mode": "delta"})
    assert (summary.extracted, summary.loaded, summary.unchanged, summary.quarantined) == (4, 2, 1, 1)
    assert summary.extra == {"mode": "delta"}
    assert summary.line() == "orders run-1: extracted=4 = loaded=2 + unchanged=1 + quarantined=1"
    assert summary.as_dict()["loaded"] == 2


def test_summary_of_an_empty_run() -> None:
    summary = summarize("orders", "run-1", [], [])
    assert (summary.extracted, summary.loaded, summary.unchanged, summary.quarantined) == (0, 0, 0, 0)


def test_missing_outcome_is_named() -> None:
    with pytest.raises(ConservationError) as caught:
        summarize("orders", "run-1", ["a", "b", "c"], [RecordOutcome("b", Status.LOADED)])
    message = str(caught.value)
    assert message.startswith("orders run-1: ")
    assert "2 extracted record(s) without an outcome: ['a', 'c']" in message


def test_doubled_outcome_is_named() -> None:
    outcomes = [
        RecordOutcome("a", Status.LOADED),
        RecordOutcome("a", Status.UNCHANGED),
        RecordOutcome("b", Status.LOADED),
    ]
    with pytest.raises(ConservationError, match=r"1 record\(s\) with more than one outcome: \['a'\]"):
        summarize("orders", "run-1", ["a", "b"], outcomes)


def test_key_extracted_twice_is_named() -> None:
    with pytest.raises(ConservationError, match=r"extracted twice: \['a'\]"):
        summarize(
            "orders", "run-1", ["a", "a", "b"], [RecordOutcome("a", Status.LOADED), RecordOutcome("b", Status.LOADED)]
        )


def test_outcome_for_a_record_never_extracted_is_named() -> None:
    outcomes = [RecordOutcome("a", Status.LOADED), RecordOutcome("zz", Status.LOADED)]
    with pytest.raises(ConservationError, match=r"1 outcome\(s\) for records never extracted: \['zz'\]"):
        summarize("orders", "run-1", ["a"], outcomes)


def test_counts_that_add_up_by_number_but_not_by_key_still_fail() -> None:
    """Same count, different keys: a lost record hidden by a doubled one."""
    outcomes = [RecordOutcome("a", Status.LOADED), RecordOutcome("a", Status.LOADED)]
    with pytest.raises(ConservationError) as caught:
        summarize("orders", "run-1", ["a", "b"], outcomes)
    message = str(caught.value)
    assert "without an outcome: ['b']" in message
    assert "more than one outcome: ['a']" in message


def test_long_lists_are_capped_but_counted() -> None:
    keys = [f"{n:04d}" for n in range(25)]
    with pytest.raises(ConservationError) as caught:
        summarize("orders", "run-1", keys, [])
    message = str(caught.value)
    assert "25 extracted record(s) without an outcome: " in message
    assert "'0009'" in message and "'0010'" not in message


def test_conservation_error_is_an_assertion_error() -> None:
    assert issubclass(ConservationError, AssertionError)
