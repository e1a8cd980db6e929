"""A real Airflow for the browser test: api-server + scheduler + dag-processor on loopback.

Its own temporary ``AIRFLOW_HOME`` (SQLite metadata DB, LocalExecutor), the project's ``dags/`` and
``plugins/``, one SimpleAuthManager user ``admin`` with a known password, the error queue store in
its own SQLite file, and the replay probe flow (``tests.replay_probe.probe``) registered through
``MNS_REPLAY_HANDLER_MODULES``. Every process is started in its own session and stopped by its pid.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PROBE_MODULE = "tests.replay_probe.probe"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AirflowStack:
    workdir: Path
    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return self.workdir / "airflow-home"

    @property
    def store_db(self) -> Path:
        return self.workdir / "mns_store.db"

    @property
    def probe_dir(self) -> Path:
        return self.workdir / "probe"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW"))}
        bundles = [
            {
                "name": "dags-folder",
                "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                "kwargs": {"path": str(ROOT / "dags")},
            }
        ]
        env |= {
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.home / 'airflow.db'}",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": self.jwt_secret,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.home / "passwords.json"),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "AIRFLOW_CONN_MNS_STORE": json.dumps({"conn_type": "sqlite", "host": str(self.store_db)}),
            "MNS_REPLAY_HANDLER_MODULES": PROBE_MODULE,
            "MNS_REPLAY_PROBE_DIR": str(self.probe_dir),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)]),
        }
        return env

    def _airflow(self, *args: str, log_name: str) -> subprocess.Popen:
        log = (self.workdir / f"{log_name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "airflow", *args],
            env=self.env(),
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def start(self, timeout: float = 60) -> None:
        self.home.mkdir(parents=True)
        self.probe_dir.mkdir()
        (self.home / "passwords.json").write_text(json.dumps({"admin": self.password}))
        migrate = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"], env=self.env(), capture_output=True, text=True
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{migrate.stdout[-2000:]}\n{migrate.stderr[-2000:]}")
        # the replay's NetSuite tasks run in the netsuite_api pool, as every deployment must create it
        pool = subprocess.run(
            [sys.executable, "-m", "airflow", "pools", "set", "netsuite_api", "4", "NetSuite share"],
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if pool.returncode != 0:
            raise RuntimeError(f"airflow pools set failed:\n{pool.stdout[-2000:]}\n{pool.stderr[-2000:]}")
        self._airflow("api-server", "--port", str(self.port), "--host", "127.0.0.1", log_name="api-server")
        self._airflow("dag-processor", log_name="dag-processor")
        self._airflow("scheduler", log_name="scheduler")
        deadline = time.monotonic() + timeout
        token = None
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                token = token or self.token()
                dag = httpx.get(
                    f"{self.url}/api/v2/dags/error_queue_replay",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=5,
                )
                if dag.status_code == 200 and not dag.json()["is_paused"]:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"Airflow did not serve error_queue_replay within {timeout} s:\n{self.logs()}")

    def token(self) -> str:
        response = httpx.post(
            f"{self.url}/auth/token", json={"username": "admin", "password": self.password}, timeout=5
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def _check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[3]} exited with {process.returncode}:\n{self.logs()}")

    def logs(self, tail: int = 3000) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-tail:]}" for p in sorted(self.workdir.glob("*.log")))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
