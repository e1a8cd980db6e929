"""``python -m magento_netsuite.errorqueue``: list, show, retry (in-process replay), ignore, reopen, counts."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from magento_netsuite.errorqueue.cli import main
from magento_netsuite.errorqueue.records import QuarantineRecord
from magento_netsuite.errorqueue.store import ErrorQueueStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MNS_REPLAY_PROBE_DIR", str(tmp_path))
    monkeypatch.setenv("MNS_REPLAY_HANDLER_MODULES", "tests.replay_probe.probe")
    monkeypatch.setenv("AIRFLOW_CONN_MNS_STORE", f'{{"conn_type": "sqlite", "host": "{tmp_path}/mns_store.db"}}')
    probe = importlib.import_module("tests.replay_probe.probe")
    store = ErrorQueueStore.from_connection()
    probe.write_source({"000000123": {"postcode": ""}})
    ids = store.quarantine(
        [
            QuarantineRecord(
                flow="replay_probe",
                entity="order",
                record_key="000000123",
                error_class="validation",
                field_path="shipping_address.postcode",
                message="shipping_address.postcode is required",
                payload={"postcode": ""},
                run_id="scheduled__1",
            ),
            QuarantineRecord(
                flow="orders_magento_to_netsuite",
                entity="order",
                record_key="000000999",
                error_class="reference",
                field_path="items[0].sku",
                message="unknown SKU",
                payload={"sku": "ABC-1"},
            ),
        ]
    )
    return probe, store, ids


def test_list_show_and_counts(env, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, (_, order_id) = env
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["ID", "STATUS", "FLOW", "RECORD_KEY"]
    assert "000000123" in out and "000000999" in out and "2 of 2 error(s) shown" in out

    assert main(["list", "--class", "reference"]) == 0
    out = capsys.readouterr().out
    assert "000000999" in out and "000000123" not in out

    assert main(["show", str(order_id)]) == 0
    out = capsys.readouterr().out
    assert "How to fix:" in out and "SKU ABC-1 does not exist in NetSuite" in out
    assert '"sku": "ABC-1"' in out and "failed" in out

    assert main(["counts"]) == 0
    assert "orders_magento_to_netsuite: reference=1" in capsys.readouterr().out
    assert main(["show", "424242"]) == 1


def test_retry_runs_the_replay_in_process(env, capsys: pytest.CaptureFixture[str]) -> None:
    probe, store, (probe_id, _) = env
    assert main(["retry", str(probe_id), "--who", "ana"]) == 3, "still failing: exit code says requeued"
    assert store.get(probe_id).attempts == 2
    capsys.readouterr()

    probe.write_source({"000000123": {"postcode": "10115"}})
    assert main(["retry", str(probe_id), "--who", "ana"]) == 0
    out = capsys.readouterr().out
    assert "loaded=1" in out
    row = store.get(probe_id)
    assert row.status == "resolved" and row.resolved_by.startswith("cli:ana:")
    assert [x["key"] for x in probe.loads()] == ["000000123"]


def test_ignore_needs_a_reason_and_reopen_releases_a_claim(env, capsys: pytest.CaptureFixture[str]) -> None:
    _, store, (probe_id, order_id) = env
    with pytest.raises(SystemExit):
        main(["ignore", str(order_id)])
    capsys.readouterr()
    assert main(["ignore", str(order_id), "--why", "test order", "--who", "ops"]) == 0
    assert "ignored by ops: test order" in capsys.readouterr().out
    assert main(["ignore", str(order_id), "--why", "again"]) == 1

    store.mark_retrying([probe_id], by="dead-replay")
    assert main(["reopen", str(probe_id)]) == 0
    assert store.get(probe_id).status == "open"


def test_module_entry_point(env) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "magento_netsuite.errorqueue", "list", "--status", "all"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "2 of 2 error(s) shown" in result.stdout


def test_the_cli_says_which_store_it_reads(env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["counts"]) == 0
    err = capsys.readouterr().err
    assert f"error queue store: SQLite {tmp_path}/mns_store.db (connection mns_store)" in err


def test_without_the_connection_the_cli_reads_the_default_store_under_airflow_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from magento_netsuite.config import default_store_path

    monkeypatch.delenv("AIRFLOW_CONN_MNS_STORE", raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    assert default_store_path() == tmp_path / "mns_store.db"  # the tasks', the page's and the demo's too
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert f"SQLite {tmp_path}/mns_store.db (mns_store not defined: the embedded default)" in captured.err
    assert "0 of 0 error(s) shown" in captured.out
