"""The ledger: who created which record, and side-effect claims across overlapping runs and retries."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from magento_netsuite.pipeline.ledger import Creations, SideEffects
from magento_netsuite.pipeline.state import KEY_CHUNK

from .conftest import Clock

# ---------------------------------------------------------------- Creations


def test_no_entry_no_creator(engine: sa.Engine, clock: Clock) -> None:
    creations = Creations("orders", engine)
    assert creations.creators(["100"]) == {}
    assert creations.made_by(["100"], "run-a") == set()
    creations.intend([], "run-a")  # nothing to record
    assert creations.creators([]) == {}


def test_intent_marks_the_run(engine: sa.Engine, clock: Clock) -> None:
    creations = Creations("orders", engine)
    creations.intend(["100", "101"], "run-a")
    assert creations.creators(["100", "101", "102"]) == {"100": "run-a", "101": "run-a"}
    assert creations.made_by(["100", "101", "102"], "run-a") == {"100", "101"}
    assert creations.made_by(["100", "101"], "run-b") == set()


def test_unfinished_intent_is_taken_over(engine: sa.Engine, clock: Clock) -> None:
    creations = Creations("orders", engine)
    creations.intend(["100", "101"], "run-a")
    creations.intend(["101", "102"], "run-b")  # run-a died before the answer came for 101
    assert creations.creators(["100", "101", "102"]) == {"100": "run-a", "101": "run-b", "102": "run-b"}
    assert creations.made_by(["100", "101", "102"], "run-b") == {"101", "102"}


def test_completed_creation_is_not_taken_over_by_an_intent(engine: sa.Engine, clock: Clock) -> None:
    creations = Creations("orders", engine)
    creations.intend(["100"], "run-a")
    creations.created("100", "ns-9001", "run-a")
    creations.intend(["100"], "run-b")  # a later run that found it unsynced in its snapshot
    assert creations.creators(["100"]) == {"100": "run-a"}
    assert creations.made_by(["100"], "run-b") == set()


def test_created_without_intent_and_created_overrides(engine: sa.Engine, clock: Clock) -> None:
    from magento_netsuite.pipeline.state import CREATION

    creations = Creations("orders", engine)
    creations.created("100", "ns-1", "run-a")
    assert creations.creators(["100"]) == {"100": "run-a"}
    creations.created("100", "ns-2", "run-b")
    assert creations.creators(["100"]) == {"100": "run-b"}
    with engine.connect() as conn:
        target = conn.execute(sa.select(CREATION.c.target_id).where(CREATION.c.record_key == "100")).scalar_one()
    assert target == "ns-2"


def test_created_all_records_many_at_once_over_intents_and_earlier_creations(engine: sa.Engine, clock: Clock) -> None:
    creations = Creations("orders", engine)
    creations.intend(["100", "101"], "run-a")
    creations.created("102", "ns-1", "run-z")
    creations.created_all({"100": "ns-100", "101": "ns-101", "102": "ns-102"}, "run-a")
    creations.created_all({}, "run-a")  # nothing to record
    assert creations.creators(["100", "101", "102"]) == {"100": "run-a", "101": "run-a", "102": "run-a"}
    assert creations.created_keys(["100", "101", "102", "103"]) == {"100", "101", "102"}
    creations.intend(["101"], "run-b")  # a recorded creation is not taken over
    assert creations.made_by(["100", "101", "102"], "run-a") == {"100", "101", "102"}


def test_creations_are_per_flow(engine: sa.Engine, clock: Clock) -> None:
    Creations("orders", engine).intend(["100"], "run-a")
    Creations("inventory", engine).intend(["100"], "run-b")
    assert Creations("orders", engine).creators(["100"]) == {"100": "run-a"}
    assert Creations("inventory", engine).creators(["100"]) == {"100": "run-b"}


def test_creators_reads_more_keys_than_one_in_list(engine: sa.Engine, clock: Clock) -> None:
    keys = [f"{n:06d}" for n in range(KEY_CHUNK * 2 + 7)]
    creations = Creations("orders", engine)
    creations.intend(keys[::2], "run-a")
    creations.intend(keys[1::2], "run-b")
    assert creations.made_by(keys, "run-a") == set(keys[::2])
    assert len(creations.creators(keys + keys)) == len(keys)


# ---------------------------------------------------------------- SideEffects

TARGETS = {"100": "ns-1", "101": "ns-2"}


def test_first_claim_wins_second_run_is_skipped(engine: sa.Engine, clock: Clock) -> None:
    effects = SideEffects("orders", "writeback", engine)
    assert effects.claim(TARGETS, "run-a") == ({"100", "101"}, {})
    claimed, skipped = effects.claim({"100": "ns-1", "102": "ns-3"}, "run-b")
    assert claimed == {"102"}
    assert skipped == {"100": "in progress by run-a"}


def test_same_run_reclaims_its_own_claim(engine: sa.Engine, clock: Clock) -> None:
    """A retried task (same run id) takes over what its dead earlier try claimed."""
    effects = SideEffects("orders", "writeback", engine)
    effects.claim(TARGETS, "run-a")
    clock.advance(timedelta(seconds=1))
    assert effects.claim(TARGETS, "run-a") == ({"100", "101"}, {})


def test_expired_lease_is_taken_over(engine: sa.Engine, clock: Clock) -> None:
    effects = SideEffects("orders", "writeback", engine, lease=timedelta(seconds=5))
    effects.claim(TARGETS, "run-a")
    clock.advance(timedelta(seconds=5))
    assert effects.claim(TARGETS, "run-b") == (set(), {"100": "in progress by run-a", "101": "in progress by run-a"})
    clock.advance(timedelta(microseconds=1))
    assert effects.claim(TARGETS, "run-b") == ({"100", "101"}, {})
    assert effects.claim(TARGETS, "run-a")[1] == {"100": "in progress by run-b", "101": "in progress by run-b"}


def test_finished_effects_are_skipped_as_done(engine: sa.Engine, clock: Clock) -> None:
    effects = SideEffects("orders", "writeback", engine, lease=timedelta(seconds=5))
    effects.claim(TARGETS, "run-a")
    effects.finish({"100": "ns-1"}, "run-a")
    assert effects.claim(TARGETS, "run-b") == (set(), {"100": "done", "101": "in progress by run-a"})
    assert effects.claim({"100": "ns-1"}, "run-a") == (set(), {"100": "done"})  # not even its own run redoes it
    clock.advance(timedelta(days=1))  # a done effect has no lease
    assert effects.claim({"100": "ns-1"}, "run-c") == (set(), {"100": "done"})


def test_released_claims_are_claimable_again(engine: sa.Engine, clock: Clock) -> None:
    effects = SideEffects("orders", "writeback", engine)
    effects.claim(TARGETS, "run-a")
    effects.release({"100": "ns-1"}, "run-b")  # not run-b's claim: no effect
    assert effects.claim({"100": "ns-1"}, "run-b") == (set(), {"100": "in progress by run-a"})
    effects.release(TARGETS, "run-a")
    assert effects.claim(TARGETS, "run-b") == ({"100", "101"}, {})


def test_release_does_not_undo_a_finished_effect(engine: sa.Engine, clock: Clock) -> None:
    effects = SideEffects("orders", "writeback", engine)
    effects.claim(TARGETS, "run-a")
    effects.finish(TARGETS, "run-a")
    effects.release(TARGETS, "run-a")
    assert effects.claim(TARGETS, "run-b") == (set(), {"100": "done", "101": "done"})


def test_claims_are_per_target_id_effect_and_flow(engine: sa.Engine, clock: Clock) -> None:
    SideEffects("orders", "writeback", engine).claim({"100": "ns-1"}, "run-a")
    assert SideEffects("orders", "writeback", engine).claim({"100": "ns-2"}, "run-b") == ({"100"}, {})
    assert SideEffects("orders", "comment", engine).claim({"100": "ns-1"}, "run-b") == ({"100"}, {})
    assert SideEffects("inventory", "writeback", engine).claim({"100": "ns-1"}, "run-b") == ({"100"}, {})


def test_concurrent_claims_claim_each_key_once(engine: sa.Engine) -> None:
    """Eight runs claim the same 50 keys at once: each key goes to exactly one of them."""
    effects = SideEffects("orders", "writeback", engine)
    targets = {f"{n:06d}": f"ns-{n}" for n in range(50)}
    runs = [f"run-{i}" for i in range(8)]
    barrier = threading.Barrier(len(runs))
    results: dict[str, tuple[set[str], dict[str, str]]] = {}
    errors: list[BaseException] = []

    def worker(run_id: str) -> None:
        try:
            barrier.wait()
            # each run walks the keys in its own order, so they really collide
            order = dict(sorted(targets.items(), key=lambda kv: hash((run_id, kv[0]))))
            results[run_id] = effects.claim(order, run_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert set(results) == set(runs)
    winners = Counter(key for claimed, _ in results.values() for key in claimed)
    assert set(winners) == set(targets)
    assert set(winners.values()) == {1}
    owner = {key: run for run, (claimed, _) in results.items() for key in claimed}
    for run, (claimed, skipped) in results.items():
        assert claimed | set(skipped) == set(targets)
        assert not claimed & set(skipped)
        assert all(skipped[key] == f"in progress by {owner[key]}" for key in skipped), run
