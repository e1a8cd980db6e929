"""The harness every benchmark in ``bench/`` shares (no ``main()``: ``python -m bench`` does not run it).

* the sandboxes, each in its own process like a real, separate system (:func:`sandboxes`, :func:`serve`),
  seeded and configured over their ``/_sandbox/`` control endpoints (:func:`seed`, :func:`configure`,
  :func:`reset`, :func:`metrics`, :func:`total_calls`);
* Airflow in child processes with their own ``AIRFLOW_HOME`` (:func:`airflow_env`, :func:`airflow`,
  :func:`prepare_airflow`, :func:`child`); inside the child, one ``dag.test()`` reported as JSON
  (:func:`load_dag`, :func:`dag_test`, :func:`emit`);
* the report lines several benches print (:func:`counts`, :func:`print_wall_time`, :func:`print_endpoints`).
"""

from __future__ import annotations

import cProfile
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Generator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHONPATH = f"{ROOT / 'plugins'}{os.pathsep}{ROOT}"
RESULT_PREFIX = "BENCH-RESULT "
# pool slots (parallel requests) a NetSuite task takes; the account limit (5) unless the environment says
REQUEST_SLOTS = int(os.environ.get("MNS_BENCH_REQUEST_SLOTS", "5"))
SUMMARY_COUNTS = ("extracted", "loaded", "unchanged", "quarantined")


# --- sandboxes ---------------------------------------------------------------------------------------

SANDBOX_PIDS: dict[str, int] = {}
"""The process id of each sandbox :func:`serve` started, by its URL (for :func:`process_cpu_seconds`)."""


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process ``pid`` has used so far (Linux ``/proc/<pid>/stat``); the
    difference around a run is that process's own share, e.g. a sandbox's beside the client's."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of ``pid`` and every process below it (the NetSuite sandbox runs the RESTlets in a
    node child process)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):  # a process that ended while we looked
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += process_cpu_seconds(current)
        except OSError:
            continue
        todo += children.get(current, [])
    return total


def serve(which: str, *, customers: int, skus: int, timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """One sandbox (``magento`` or ``netsuite``) in its own process, started with ``customers`` and ``skus``
    demo records (the benches reseed it); returns the process and the URL it printed."""
    command = [sys.executable, "-m", "magento_netsuite.sandbox", "serve", "--only", which]
    command += ["--magento-port", "0", "--netsuite-port", "0", "--orders", "0"]
    command += ["--customers", str(customers), "--skus", str(skus)]
    env = {**os.environ, "PYTHONPATH": PYTHONPATH}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        match = re.match(r"(Magento|NetSuite) sandbox:\s+(http://[\d.]+:\d+)", line)
        if match:
            SANDBOX_PIDS[match.group(2)] = proc.pid
            return proc, match.group(2)
    proc.kill()
    raise RuntimeError(f"the {which} sandbox did not start")


@contextmanager
def sandboxes(*, customers: int = 50, skus: int = 200, stop_timeout: float = 30) -> Generator[tuple[str, str]]:
    """Both sandboxes, each in its own process (:func:`serve`); yields their URLs (Magento, NetSuite) and
    stops them on the way out."""
    magento_proc, magento = serve("magento", customers=customers, skus=skus)
    try:
        netsuite_proc, netsuite = serve("netsuite", customers=customers, skus=skus)
    except BaseException:
        magento_proc.terminate()
        magento_proc.wait(timeout=stop_timeout)
        raise
    try:
        yield magento, netsuite
    finally:
        for url, proc in ((magento, magento_proc), (netsuite, netsuite_proc)):
            proc.terminate()
            proc.wait(timeout=stop_timeout)
            SANDBOX_PIDS.pop(url, None)


def seed(http: httpx.Client, config: Mapping[str, Any], *urls: str) -> None:
    """Reseed each sandbox at ``urls`` with the same seed ``config``."""
    for url in urls:
        http.post(f"{url}/_sandbox/seed", json=config).raise_for_status()


def configure(http: httpx.Client, magento: str, netsuite: str, *, latency_ms: int, netsuite_limit: int) -> None:
    """``latency_ms`` on every API call of both sandboxes; NetSuite's account concurrency limit."""
    for url in (magento, netsuite):
        http.post(f"{url}/_sandbox/config", json={"latency_ms": latency_ms}).raise_for_status()
    http.post(f"{netsuite}/_sandbox/config", json={"concurrency_limit": netsuite_limit}).raise_for_status()


def reset(http: httpx.Client, *urls: str) -> None:
    """Zero the call metrics of each sandbox at ``urls``."""
    for url in urls:
        http.post(f"{url}/_sandbox/metrics/reset").raise_for_status()


def metrics(http: httpx.Client, url: str) -> dict[str, Any]:
    """Calls and bytes the sandbox at ``url`` served, in total and per endpoint (control calls not counted)."""
    return http.get(f"{url}/_sandbox/metrics").json()


def total_calls(url: str) -> int:
    """Every API call the sandbox at ``url`` served since its last metrics reset."""
    endpoints = httpx.get(f"{url}/_sandbox/metrics", timeout=30).json()["endpoints"]
    return sum(s["calls"] for s in endpoints.values())


def seed_config(now: datetime, *, skus: int, customers: int, orders: int) -> Any:
    """A ``SeedConfig`` without the awkward cases (no unknown SKUs or customers, guests, missing postcodes,
    configurables or bundles): the benches measure the plain path."""
    from magento_netsuite.sandbox.datagen import SeedConfig

    return SeedConfig(
        skus=skus,
        customers=customers,
        orders=orders,
        unknown_sku_share=0.0,
        unknown_customer_share=0.0,
        missing_postcode_share=0.0,
        configurable_share=0.0,
        bundle_share=0.0,
        guest_share=0.0,
        now=now,
    )


def seed_payload(config: Any) -> dict[str, Any]:
    """The ``/_sandbox/seed`` body for ``config`` without its orders (the benches post their own)."""
    return {k: v for k, v in config.__dict__.items() if k != "now"} | {"orders": 0, "now": config.now.isoformat()}


# --- Airflow in child processes ----------------------------------------------------------------------


def watermark_settings(flow: str, max_records: int | None = None) -> dict[str, str]:
    """Read what was seeded up to the run's start (safe lag 0), and up to ``max_records`` in one run."""
    settings = {f"MNS_{flow.upper()}_SAFE_LAG_SECONDS": "0"}
    if max_records is not None:
        settings[f"MNS_{flow.upper()}_MAX_RECORDS"] = str(max_records)
    return settings


def airflow_env(
    home: Path,
    magento: str,
    netsuite: str,
    *,
    magento_concurrency: int = 16,
    netsuite_concurrency: int = 5,
    request_slots: int = REQUEST_SLOTS,
    settings: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of an Airflow child: its own ``AIRFLOW_HOME`` (``home``, with the sync store and
    staging in it), connections to the sandboxes with the given concurrency, ``request_slots`` pool slots a
    NetSuite task, and the bench's own ``settings`` on top."""
    from magento_netsuite.sandbox import credentials

    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "PYTHONPATH": PYTHONPATH,
        "AIRFLOW_CONN_MAGENTO_DEFAULT": credentials.magento_connection(magento, concurrency=magento_concurrency),
        "AIRFLOW_CONN_NETSUITE_DEFAULT": credentials.netsuite_connection(netsuite, concurrency=netsuite_concurrency),
        "AIRFLOW_CONN_MNS_STORE": json.dumps({"conn_type": "sqlite", "host": str(home / "mns_store.db")}),
        "MNS_NETSUITE_REQUEST_SLOTS": str(request_slots),
        "MNS_STAGING_URL": f"file://{home / 'staging'}",
        **(settings or {}),
    }


def airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``python *args`` in ``env``; raises with the tail of its output if it fails."""
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def prepare_airflow(env: dict[str, str], netsuite_pool_slots: int) -> None:
    """Migrate the child's metadata database and size the ``netsuite_api`` pool."""
    airflow(env, "-m", "airflow", "db", "migrate")
    airflow(env, "-m", "airflow", "pools", "set", "netsuite_api", str(netsuite_pool_slots), "NetSuite API share")


def setup_airflow(
    http: httpx.Client,
    home: Path,
    magento: str,
    netsuite: str,
    *,
    latency_ms: int,
    netsuite_limit: int,
    magento_concurrency: int = 16,
    settings: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The usual set-up before the runs: the child's environment (:func:`airflow_env`, NetSuite connection
    concurrency = pool size = the sandbox's account limit = ``netsuite_limit``), its metadata database and
    pool (:func:`prepare_airflow`), and the sandboxes' latency and limit (:func:`configure`)."""
    env = airflow_env(
        home,
        magento,
        netsuite,
        magento_concurrency=magento_concurrency,
        netsuite_concurrency=netsuite_limit,
        settings=settings,
    )
    prepare_airflow(env, netsuite_limit)
    configure(http, magento, netsuite, latency_ms=latency_ms, netsuite_limit=netsuite_limit)
    return env


def results(stdout: str) -> list[dict[str, Any]]:
    """Every result a child printed with :func:`emit`, in order."""
    return [json.loads(ln.removeprefix(RESULT_PREFIX)) for ln in stdout.splitlines() if ln.startswith(RESULT_PREFIX)]


def child(env: dict[str, str], module: str, function: str) -> list[dict[str, Any]]:
    """Run ``bench.<module>.<function>()`` in a child process with ``env``; returns what it emitted."""
    out = airflow(env, "-c", f"from bench.{module} import {function}; {function}()")
    found = results(out.stdout)
    if not found:
        raise RuntimeError(f"bench.{module}.{function} printed no result:\n{out.stdout[-3000:]}")
    return found


def emit(result: Mapping[str, Any]) -> None:
    """In the child: print ``result`` for the parent (:func:`child`)."""
    print(RESULT_PREFIX + json.dumps(result, default=str), flush=True)


def rss_mb() -> float:
    """This process's peak resident set size in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_dag(dag_id: str) -> Any:
    """The DAG ``dag_id`` parsed from ``dags/<dag_id>.py``."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags" / f"{dag_id}.py")).get_dag(dag_id)


def dag_test(
    dag: Any,
    *,
    logical_date: datetime | None = None,
    run_conf: Mapping[str, Any] | None = None,
    summary_task: str = "summarize",
) -> dict[str, Any]:
    """In the child: one ``dag.test()``; returns its state, wall seconds, seconds per task (mapped instances
    added up), the tasks that did not succeed, ``summary_task``'s XCom, the process's peak RSS and the CPU
    seconds it used during the run (the client's: the tasks run in this process).
    ``MNS_BENCH_PROFILE=<path>`` writes the run's cProfile statistics to ``<path>.<run id>``."""
    kwargs: dict[str, Any] = {"run_conf": dict(run_conf or {})}
    if logical_date is not None:
        kwargs["logical_date"] = logical_date
    profile = os.environ.get("MNS_BENCH_PROFILE")
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.monotonic(), process_cpu_seconds(os.getpid())
    if profiler is not None:
        profiler.enable()
    dagrun = dag.test(**kwargs)
    elapsed, cpu = time.monotonic() - started, process_cpu_seconds(os.getpid()) - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile}.{dagrun.run_id.replace(':', '_')}")
    tis = dagrun.get_task_instances()
    tasks: dict[str, float] = {}
    for ti in tis:
        if ti.start_date and ti.end_date:
            tasks[ti.task_id] = tasks.get(ti.task_id, 0.0) + (ti.end_date - ti.start_date).total_seconds()
    summary = next((ti for ti in tis if ti.task_id == summary_task), None)
    return {
        "failed_tasks": [ti.task_id for ti in tis if str(ti.state) != "success"],
        "state": str(dagrun.state),
        "elapsed": elapsed,
        "tasks": tasks,
        "summary": summary.xcom_pull(task_ids=summary_task) if summary else None,
        "peak_rss_mb": rss_mb(),
        "cpu_seconds": cpu,
    }


def logical_date_from_env() -> datetime:
    """In the child: the logical date the parent chose (``MNS_BENCH_LOGICAL_DATE``)."""
    return datetime.fromisoformat(os.environ["MNS_BENCH_LOGICAL_DATE"])


def run_env(env: dict[str, str], mode: str, logical_date: datetime) -> dict[str, str]:
    """``env`` for one run in ``mode`` (``full``/``delta``, read by the child as ``MNS_BENCH_MODE``)."""
    return {**env, "MNS_BENCH_MODE": mode, "MNS_BENCH_LOGICAL_DATE": logical_date.isoformat()}


def measured_run(
    http: httpx.Client, env: dict[str, str], module: str, mode: str, logical_date: datetime, magento: str, netsuite: str
) -> dict[str, Any]:
    """One ``bench.<module>._run_dag_child()`` in ``mode`` at ``logical_date`` (:func:`run_env`) with the
    sandboxes' metrics reset before; its result with each sandbox's metrics after (``netsuite``, ``magento``)
    and the CPU seconds each sandbox process tree used during the run (``sandbox_cpu``)."""
    reset(http, magento, netsuite)
    urls = {"netsuite": netsuite, "magento": magento}
    before = {name: tree_cpu_seconds(SANDBOX_PIDS[url]) for name, url in urls.items() if url in SANDBOX_PIDS}
    result = child(run_env(env, mode, logical_date), module, "_run_dag_child")[0]
    result["sandbox_cpu"] = {name: tree_cpu_seconds(SANDBOX_PIDS[urls[name]]) - cpu for name, cpu in before.items()}
    result["netsuite"] = metrics(http, netsuite)
    result["magento"] = metrics(http, magento)
    return result


# --- report lines ------------------------------------------------------------------------------------


def counts(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The record counts of a run summary."""
    return {k: summary.get(k) for k in SUMMARY_COUNTS}


def print_wall_time(result: Mapping[str, Any]) -> None:
    """``dag.test()``'s wall time and the seconds of each task."""
    print(
        f"  wall time (dag.test): {result['elapsed']:.1f} s; tasks: "
        + ", ".join(f"{k}={v:.1f}" for k, v in result["tasks"].items())
    )


def print_endpoints(result: Mapping[str, Any], systems: tuple[str, ...] = ("magento", "netsuite")) -> None:
    """The calls per endpoint of each system's metrics in ``result``."""
    for system in systems:
        for name, e in sorted(result[system]["endpoints"].items()):
            print(f"    {e['calls']:6d}  {system} {name}")
