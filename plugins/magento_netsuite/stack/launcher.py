"""Start and stop the stack's processes; its state (ports, databases, pids) lives in ``<run_dir>/stack.json``.

:class:`StackConfig` says what to run; :class:`Stack` runs it. Celery (the default) puts the Airflow
metadata and the ``mns_store`` in two PostgreSQL databases named after the stack and the broker on a
Redis DB number; the LocalExecutor variant (the browser test) keeps both on SQLite files in the run
dir. Ports are free loopback ports unless given. :func:`stop_stack` stops a stack from its
``stack.json`` alone (``make stack-down`` from another shell) and can drop what it created.
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
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from cryptography.fernet import Fernet

from magento_netsuite.config import NETSUITE_POOL, REPO_ROOT, STORE_CONN_ID
from magento_netsuite.errorqueue.replay import REPLAY_DAG_ID
from magento_netsuite.sandbox import credentials
from magento_netsuite.stack.hostname import WORKER_ENV

CELERY, LOCAL = "CeleryExecutor", "LocalExecutor"
STATE_FILE = "stack.json"
ADMIN = "admin"

COMPONENTS: dict[str, tuple[str, ...]] = {
    "api-server": ("api-server",),
    "scheduler": ("scheduler",),
    "dag-processor": ("dag-processor",),
    "triggerer": ("triggerer",),
}
"""The Airflow components every stack runs (``docker-compose.yaml`` has one service for each), besides
the Celery workers (``celery worker``, one compose service scaled; here ``StackConfig.workers``)."""
WORKER_COMMAND = ("celery", "worker")
POOL_DESCRIPTION = "Share of the NetSuite account concurrency limit used by magento-netsuite-sync"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_url(admin_url: str, database: str) -> str:
    return sa.make_url(admin_url).set(drivername="postgresql+psycopg2", database=database).render_as_string(False)


@dataclass
class StackConfig:
    """What a stack runs. Everything has a default that works on this machine; ``MNS_STACK_*`` env vars
    override them for ``make stack`` (see ``python -m magento_netsuite.stack up --help``)."""

    run_dir: Path
    name: str = field(default_factory=lambda: f"mns_{secrets.token_hex(4)}")
    executor: str = CELERY
    postgres_admin_url: str = "postgresql://127.0.0.1:5432/test"
    """A database to connect to while creating the stack's own two (``<name>_airflow``, ``<name>_store``)."""
    redis_url: str = "redis://127.0.0.1:6379"
    redis_db: int = 1
    workers: int = 2
    worker_concurrency: int = 2
    api_port: int = field(default_factory=free_port)
    sandboxes: bool = True
    magento_port: int = field(default_factory=free_port)
    netsuite_port: int = field(default_factory=free_port)
    pool_slots: int = 4
    """The ``netsuite_api`` pool: our share of the NetSuite account concurrency limit (as in compose)."""
    netsuite_concurrency_limit: int = 5
    """The sandbox account's concurrency limit (the real account's is in its Integration settings)."""
    slack_webhook_url: str | None = None
    slack_repeat_interval_minutes: float | None = None
    """Alert dedup interval of the Slack connection (``None``: the package default)."""
    paused_at_creation: bool = True
    unpause: tuple[str, ...] = ()
    """DAG ids to unpause once parsed (the replay DAG is never paused: it unpauses itself)."""
    extra_env: dict[str, str] = field(default_factory=dict)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    fernet_key: str = field(default_factory=lambda: Fernet.generate_key().decode())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def home(self) -> Path:
        return self.run_dir / "airflow-home"

    @property
    def passwords_file(self) -> Path:
        return self.home / "simple_auth_manager_passwords.json"

    @property
    def queue(self) -> str:
        """The Celery queue of this stack's tasks: other stacks on the same Redis never take them."""
        return self.name

    @property
    def databases(self) -> dict[str, str]:
        """PostgreSQL databases the stack owns (Celery stacks only)."""
        if self.executor != CELERY:
            return {}
        return {"airflow": f"{self.name}_airflow", "store": f"{self.name}_store"}

    @property
    def metadata_url(self) -> str:
        if self.executor == CELERY:
            return _pg_url(self.postgres_admin_url, self.databases["airflow"])
        return f"sqlite:///{self.home / 'airflow.db'}"

    @property
    def store_url(self) -> str:
        if self.executor == CELERY:
            return _pg_url(self.postgres_admin_url, self.databases["store"])
        return f"sqlite:///{self.run_dir / 'mns_store.db'}"

    @property
    def magento_url(self) -> str:
        return f"http://127.0.0.1:{self.magento_port}"

    @property
    def netsuite_url(self) -> str:
        return f"http://127.0.0.1:{self.netsuite_port}"

    def store_connection(self) -> str:
        """``AIRFLOW_CONN_MNS_STORE``: the same store for tasks, callbacks, the Error Queue page and the CLI."""
        if self.executor != CELERY:
            return json.dumps({"conn_type": "sqlite", "host": str(self.run_dir / "mns_store.db")})
        url = sa.make_url(self.store_url)
        return json.dumps(
            {
                "conn_type": "postgres",
                "host": url.host or "127.0.0.1",
                "port": url.port or 5432,
                "login": url.username or _os_user(),
                "schema": url.database,
            }
        )

    def env(self) -> dict[str, str]:
        """The environment of every component (and of anyone who sources ``stack.env``)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW"))}
        bundles = [
            {
                "name": "dags-folder",
                "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                "kwargs": {"path": str(REPO_ROOT / "dags")},
            }
        ]
        env |= {
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": str(self.paused_at_creation),
            "AIRFLOW__CORE__EXECUTOR": self.executor,
            "AIRFLOW__CORE__PARALLELISM": "8",
            "AIRFLOW__CORE__FERNET_KEY": self.fernet_key,
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.passwords_file),
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.metadata_url,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": self.jwt_secret,
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "AIRFLOW_CONN_" + STORE_CONN_ID.upper(): self.store_connection(),
            "MNS_STAGING_URL": f"file://{self.run_dir / 'staging'}",
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "plugins"), str(REPO_ROOT)]),
        }
        if self.executor == CELERY:
            pg = sa.make_url(self.metadata_url).set(drivername="postgresql")
            env |= {
                "AIRFLOW__CELERY__BROKER_URL": f"{self.redis_url.rstrip('/')}/{self.redis_db}",
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + pg.render_as_string(hide_password=False),
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.worker_concurrency),
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "magento_netsuite.stack.hostname.worker_hostname",
            }
        if self.sandboxes:
            env["AIRFLOW_CONN_MAGENTO_DEFAULT"] = credentials.magento_connection(self.magento_url)
            # the hook's own bound on parallel requests: the pool's share, as in docker-compose.yaml
            env["AIRFLOW_CONN_NETSUITE_DEFAULT"] = credentials.netsuite_connection(
                self.netsuite_url, concurrency=self.pool_slots
            )
        if self.slack_webhook_url:
            env["AIRFLOW_CONN_SLACK_ALERTS"] = json.dumps(
                {
                    "conn_type": "slackwebhook",
                    "password": self.slack_webhook_url,
                    "extra": {"channel": "#integrations", "timeout": 5}
                    | (
                        {"repeat_interval_minutes": self.slack_repeat_interval_minutes}
                        if self.slack_repeat_interval_minutes is not None
                        else {}
                    ),
                }
            )
        return env | self.extra_env


def _os_user() -> str:
    import getpass

    return getpass.getuser()


@dataclass
class Stack:
    """A running (or starting) stack. ``start()`` brings it up; ``stop()`` tears it down, always."""

    config: StackConfig
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _token: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return self.config.url

    def _spawn(self, name: str, argv: list[str], env: Mapping[str, str]) -> subprocess.Popen:
        log = (self.config.run_dir / "logs" / f"{name}.log").open("w")
        process = subprocess.Popen(
            argv,
            env=dict(env),
            cwd=self.config.run_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with everything it forks
        )
        self.processes[name] = process
        self._save()
        return process

    def _airflow(self, name: str, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen:
        return self._spawn(name, [sys.executable, "-m", "airflow", *args], env or self.config.env())

    def _save(self) -> None:
        state = {
            "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self.config).items()},
            "pids": {name: p.pid for name, p in self.processes.items()},
        }
        path = self.config.run_dir / STATE_FILE
        path.write_text(json.dumps(state, indent=2))
        path.chmod(0o600)

    def _create_databases(self) -> None:
        if not self.config.databases:
            return
        engine = sa.create_engine(self.config.postgres_admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                existing = set(conn.execute(sa.text("SELECT datname FROM pg_database")).scalars())
                for database in self.config.databases.values():
                    if database not in existing:
                        conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
        finally:
            engine.dispose()

    def _migrate(self) -> None:
        migrate = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            env=self.config.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        (self.config.run_dir / "logs" / "db-migrate.log").write_text(migrate.stdout + migrate.stderr)
        if migrate.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{migrate.stdout[-2000:]}\n{migrate.stderr[-2000:]}")

    def start(self, timeout: float = 180) -> Stack:
        """Databases, migration, then every process; returns once the replay DAG is served unpaused."""
        cfg = self.config
        for sub in ("logs", "staging"):
            (cfg.run_dir / sub).mkdir(parents=True, exist_ok=True)
        cfg.home.mkdir(parents=True, exist_ok=True)
        cfg.passwords_file.write_text(json.dumps({ADMIN: cfg.password}))
        cfg.passwords_file.chmod(0o600)
        self._save()
        try:
            self._create_databases()
            if cfg.sandboxes:
                self._spawn(
                    "sandboxes",
                    [
                        sys.executable,
                        "-m",
                        "magento_netsuite.sandbox",
                        "serve",
                        "--magento-port",
                        str(cfg.magento_port),
                        "--netsuite-port",
                        str(cfg.netsuite_port),
                    ],
                    cfg.env(),
                )
            self._migrate()
            for name, args in COMPONENTS.items():
                extra = ("--port", str(cfg.api_port), "--host", "127.0.0.1") if name == "api-server" else ()
                skip_logs = ("--skip-serve-logs",) if name in ("scheduler", "triggerer") else ()
                self._airflow(name, *args, *extra, *skip_logs)
            if cfg.executor == CELERY:
                for n in range(1, cfg.workers + 1):
                    worker = f"worker{n}"
                    self._airflow(
                        worker,
                        *WORKER_COMMAND,
                        "--queues",
                        cfg.queue,
                        "--concurrency",
                        str(cfg.worker_concurrency),
                        "--celery-hostname",
                        f"{worker}.{cfg.name}@%h",
                        "--skip-serve-logs",
                        env=cfg.env() | {WORKER_ENV: worker},
                    )
            self._wait_ready(timeout)
            self._provision()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                dag = self.api("GET", f"/api/v2/dags/{REPLAY_DAG_ID}")
                sandboxes_up = not self.config.sandboxes or all(
                    httpx.get(f"{url}/_sandbox/state", timeout=5).status_code == 200
                    for url in (self.config.magento_url, self.config.netsuite_url)
                )
                if dag.status_code == 200 and not dag.json()["is_paused"] and sandboxes_up and self._workers_ready():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise TimeoutError(f"the stack was not ready within {timeout} s:\n{self.logs()}")

    def _workers_ready(self) -> bool:
        if self.config.executor != CELERY:
            return True
        logs = self.config.run_dir / "logs"
        return all(
            "ready." in (logs / f"worker{n}.log").read_text(errors="replace") for n in range(1, self.config.workers + 1)
        )

    def _provision(self) -> None:
        """The pool every deployment must create, the sandbox account's limit, the DAGs to unpause."""
        cfg = self.config
        pool = {"name": NETSUITE_POOL, "slots": cfg.pool_slots, "description": POOL_DESCRIPTION}
        response = self._provisioning_call("PATCH", f"/api/v2/pools/{NETSUITE_POOL}", json=pool)
        if response.status_code == 404:
            response = self._provisioning_call("POST", "/api/v2/pools", json=pool)
        response.raise_for_status()
        if cfg.sandboxes:
            httpx.post(
                f"{cfg.netsuite_url}/_sandbox/config",
                json={"concurrency_limit": cfg.netsuite_concurrency_limit},
                timeout=10,
            ).raise_for_status()
        for dag_id in cfg.unpause:
            self.wait_for_dag(dag_id)
            self._provisioning_call("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False}).raise_for_status()

    def _provisioning_call(self, method: str, path: str, attempts: int = 5, **kwargs: Any) -> httpx.Response:
        """An API call that is retried on a 5xx: on SQLite a write can meet "database is locked" while
        the scheduler and the dag-processor write too (seen on a loaded 2-core machine)."""
        for attempt in range(1, attempts):
            response = self.api(method, path, **kwargs)
            if response.status_code < 500:
                return response
            time.sleep(attempt)
        return self.api(method, path, **kwargs)

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            response = self.api("GET", f"/api/v2/dags/{dag_id}")
            if response.status_code == 200:
                return response.json()
            time.sleep(1)
        raise TimeoutError(f"DAG {dag_id} was not parsed within {timeout} s:\n{self.logs()}")

    def token(self) -> str:
        response = httpx.post(
            f"{self.url}/auth/token", json={"username": ADMIN, "password": self.config.password}, timeout=10
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An authenticated request to the api-server (a token is fetched once)."""
        self._token = self._token or self.token()
        headers = {"Authorization": f"Bearer {self._token}", **kwargs.pop("headers", {})}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.logs()}")

    def logs(self, tail: int = 3000) -> str:
        files = sorted((self.config.run_dir / "logs").glob("*.log"))
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-tail:]}" for p in files)

    def stop(self, *, purge: bool = False, grace: float = 20) -> None:
        """Stop every process group this stack started; ``purge`` also drops its databases and Celery queue."""
        stop_stack(self.config.run_dir, purge=purge, grace=grace)
        for process in self.processes.values():
            if process.poll() is None:
                process.wait(timeout=5)


def _stop_groups(pids: Mapping[str, int], grace: float = 20) -> list[str]:
    """SIGTERM each process group, then SIGKILL what is left after ``grace`` seconds."""
    stopped = []
    for name, pid in pids.items():
        try:
            os.killpg(pid, signal.SIGTERM)
            stopped.append(name)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + grace
    alive = dict(pids)
    while alive and time.monotonic() < deadline:
        for name, pid in list(alive.items()):
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                alive.pop(name)
        time.sleep(0.2)
    for pid in alive.values():
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    return stopped


def stop_stack(run_dir: Path, *, purge: bool = False, grace: float = 20) -> list[str]:
    """Stop the stack recorded in ``run_dir/stack.json``; returns the components that were running.

    Each component gets ``grace`` seconds after SIGTERM (a Celery worker finishes its running tasks)
    before its whole process group is killed."""
    path = Path(run_dir) / STATE_FILE
    if not path.exists():
        return []
    state = json.loads(path.read_text())
    # the api-server and the sandboxes last: workers and the scheduler report to them while they stop
    last = ("api-server", "sandboxes")
    pids = state["pids"]
    stopped = _stop_groups({name: pid for name, pid in pids.items() if name not in last}, grace)
    stopped += _stop_groups({name: pid for name, pid in pids.items() if name in last}, grace)
    state["pids"] = {}
    path.write_text(json.dumps(state, indent=2))
    if purge:
        _purge(StackConfig(**{**state["config"], "run_dir": Path(state["config"]["run_dir"])}))
    return stopped


def _purge(cfg: StackConfig) -> None:
    if cfg.databases:
        engine = sa.create_engine(cfg.postgres_admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for database in cfg.databases.values():
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        finally:
            engine.dispose()
        import redis

        client = redis.Redis.from_url(f"{cfg.redis_url.rstrip('/')}/{cfg.redis_db}")
        keys = [cfg.queue, f"_kombu.binding.{cfg.queue}"]
        client.delete(*keys)
        client.close()
