"""Every DAG in dags/ parses, and carries what an operator relies on: docs, tags, owner, retries,
one run at a time for sync flows, and a failure alert."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DAG_FILES = sorted(p for p in (ROOT / "dags").glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(dagbag):
    assert not dagbag.import_errors, "\n".join(f"{f}: {e}" for f, e in dagbag.import_errors.items())


def test_one_dag_per_file(dagbag):
    files = {Path(dag.fileloc).name for dag in dagbag.dags.values()}
    assert files == {p.name for p in DAG_FILES}
    assert len(dagbag.dags) == len(DAG_FILES)


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.stem)
def test_dag_carries_docs_tags_owner_and_retries(dagbag, dag_file):
    dags = [d for d in dagbag.dags.values() if Path(d.fileloc) == dag_file]
    assert dags, f"{dag_file.name} defines no DAG"
    for dag in dags:
        assert dag.doc_md and len(dag.doc_md) > 200, f"{dag.dag_id}: doc_md missing or thin"
        assert dag.tags, f"{dag.dag_id}: no tags"
        assert not dag.catchup, f"{dag.dag_id}: catchup must be off"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag.dag_id}.{task.task_id}: set a real owner"
        if dag.timetable.can_be_scheduled:
            assert dag.max_active_runs == 1, f"{dag.dag_id}: scheduled syncs must not overlap"
            for task in dag.tasks:
                assert task.retries >= 1, f"{dag.dag_id}.{task.task_id}: no retries"
                assert task.on_failure_callback, f"{dag.dag_id}.{task.task_id}: no failure alert"


REPLAY_DAG_ID = "error_queue_replay"


def test_replay_dag_is_not_paused_on_creation(dagbag):
    """A Retry click (Error Queue page, CLI) triggers error_queue_replay; a paused DAG would leave the run
    queued until someone unpauses it, so the DAG is created unpaused, also after serialization."""
    from airflow.serialization.serialized_objects import DagSerialization

    dag = dagbag.dags.get(REPLAY_DAG_ID)
    assert dag is not None, f"{REPLAY_DAG_ID} did not load: {sorted(dagbag.import_errors)}"
    assert dag.is_paused_upon_creation is False
    assert DagSerialization.from_dict(DagSerialization.to_dict(dag)).is_paused_upon_creation is False


def test_flow_dags_keep_the_default_pause_on_creation(dagbag):
    """The sync flows keep Airflow's default (``[core] dags_are_paused_at_creation``, paused unless the
    deployment says otherwise): they never start pulling and pushing by themselves on a fresh deploy."""
    flow_dags = [dag for dag in dagbag.dags.values() if dag.dag_id != REPLAY_DAG_ID]
    assert flow_dags
    for dag in flow_dags:
        assert dag.is_paused_upon_creation is None, f"{dag.dag_id}: leave is_paused_upon_creation unset"
