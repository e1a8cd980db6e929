"""``python -m magento_netsuite.sandbox serve``: serves the sandboxes and prints where and how to connect."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import threading
import time

import httpx
import pytest

from magento_netsuite.sandbox import __main__ as cli
from magento_netsuite.sandbox.credentials import MAGENTO_BEARER_TOKEN


def test_serve_prints_urls_and_connections(capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.build_parser().parse_args(
        ["serve", "--magento-port", "0", "--netsuite-port", "0", "--skus", "20", "--customers", "4", "--orders", "2"]
    )
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(cli.serve(args, stop)), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    out = ""
    try:
        while "Ctrl-C" not in out and time.monotonic() < deadline:
            time.sleep(0.05)
            out += capsys.readouterr().out
        assert "Seeded 20 SKUs" in out
        magento_url = re.search(r"Magento sandbox:\s+(http://\S+?)/rest/V1", out).group(1)
        export = next(line for line in out.splitlines() if line.startswith("export AIRFLOW_CONN_MAGENTO_DEFAULT="))
        connection = json.loads(shlex.split(export.split("=", 1)[1])[0])
        assert connection["host"] == magento_url and connection["password"] == MAGENTO_BEARER_TOKEN
        orders = httpx.get(f"{magento_url}/rest/V1/orders", headers={"Authorization": f"Bearer {MAGENTO_BEARER_TOKEN}"})
        assert orders.json()["total_count"] == 2
        if cli._netsuite_factory() is not None:
            assert "export AIRFLOW_CONN_NETSUITE_DEFAULT=" in out
        else:
            assert "NetSuite sandbox: not available yet" in out
    finally:
        stop.set()
        thread.join(timeout=15)
    assert result == [0]


def test_cli_help_runs_as_a_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "magento_netsuite.sandbox", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0
    assert "--magento-port" in completed.stdout and "--netsuite-port" in completed.stdout
