"""Each file in dags/ parses quickly and without pulling the API clients in, measured the way the
dag-processor parses it.

The dag-processor's manager has Airflow imported (and pre-imports the ``airflow.*`` modules a DAG
file names, ``[dag_processor] parsing_pre_import_modules``), then forks one child per file that
builds a ``BundleDagBag`` for that file alone and serializes its DAGs. The probe below does the
same in a fresh interpreter: import ``airflow`` and ``airflow.sdk`` once, ``gc.freeze()`` as the
manager does before its loop, then per file and per repetition pre-import, fork, and time the
child's ``BundleDagBag`` (Airflow's own per-file "duration", as in ``airflow dags report``) and the
serialization after it. Every child starts from
the same parent, so nothing our DAG files import is warm from a previous file or repetition.
``airflow dags report`` is not used: it parses every file in one process, so the first file pays
for the imports the others share.

A DAG file is parsed every ``min_file_process_interval`` seconds by the dag-processor, so what it
imports at module level is paid for again and again: the Magento / NetSuite hooks (``requests``,
the HTTP provider and its ``aiohttp``, ``requests_oauthlib``, ``jwt``) and ``pandas`` belong inside
the tasks that use them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.test_dag_integrity import DAG_FILES, ROOT

PARSE_BUDGET_S = 0.3
REPEATS = 3
HEAVY_MODULES = (
    "magento_netsuite.connectors.magento",
    "magento_netsuite.connectors.netsuite",
    "requests_oauthlib",
    "pandas",
)

# Runs in a fresh interpreter: argv = bundle path, repeats, DAG files. Prints one JSON line.
PROBE = r"""
import gc, importlib.abc, json, os, sys, time

import airflow
import airflow.sdk
import structlog
from airflow.dag_processing.dagbag import BundleDagBag
from airflow.dag_processing.processor import _pre_import_airflow_modules, _serialize_dags

HEAVY = set(json.loads(os.environ["MNS_PROBE_HEAVY"]))


class WhoImports(importlib.abc.MetaPathFinder):
    # Records, for each watched module, the chain of modules executing when it is first looked up.
    def __init__(self):
        self.chains = {}

    def find_spec(self, name, path=None, target=None):
        if name in HEAVY and name not in self.chains:
            chain, frame = [name], sys._getframe(1)
            while frame is not None:
                if frame.f_code.co_name == "<module>":
                    module = frame.f_globals.get("__name__", "?")
                    if module.startswith("unusual_prefix_"):
                        module = os.path.basename(frame.f_globals.get("__file__", module))
                    if module not in (chain[-1], "__main__"):
                        chain.append(module)
                frame = frame.f_back
            self.chains[name] = " <- ".join(chain)
        return None


def parse_in_child(path, bundle_path, log):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child, as the dag-processor forks it
        os.close(read_fd)
        os.environ["_AIRFLOW_PROCESS_CONTEXT"] = "client"
        finder = WhoImports()
        sys.meta_path.insert(0, finder)
        # CPU seconds of this process: what parsing costs, whatever else the 2-core machine is doing
        # (the suite's own workers, a benchmark); wall time under load measures the load instead
        start = time.process_time()
        bag = BundleDagBag(dag_folder=path, bundle_path=bundle_path, bundle_name="dags-folder", load_op_links=False)
        parsed = time.process_time()
        serialized, serialization_errors = _serialize_dags(bag, log)
        done = time.process_time()
        result = {
            "parse_s": parsed - start,
            "serialize_s": done - parsed,
            "dag_ids": sorted(bag.dag_ids),
            "import_errors": {**bag.import_errors, **serialization_errors},
            "heavy": {m: finder.chains.get(m, "imported before parsing") for m in sorted(HEAVY & set(sys.modules))},
        }
        with os.fdopen(write_fd, "w") as out:
            json.dump(result, out)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as inp:
        payload = inp.read()
    _, status = os.waitpid(pid, 0)
    if not payload:
        raise RuntimeError(f"parsing {path} killed the child (status {status})")
    return json.loads(payload)


bundle_path, repeats, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
log = structlog.get_logger()
# DagFileProcessorManager.before_run() freezes the collector before its parsing loop "to prevent COW
# in forked process parsing dag file"; without it every child's first full collection walks all of
# the parent's objects, which costs more the more this interpreter holds
gc.freeze()
report = {}
for path in files:
    runs = []
    for _ in range(repeats):
        _pre_import_airflow_modules(path, log)  # in the manager, before the fork
        runs.append(parse_in_child(path, bundle_path, log))
    report[path] = runs
print("MNS_PROBE_RESULT " + json.dumps(report))
"""


@pytest.fixture(scope="module")
def parse_report(pytestconfig) -> dict[str, dict]:
    """Per DAG file: best parse and serialize CPU seconds over ``REPEATS`` forks, errors, heavy imports."""
    env = {**os.environ, "MNS_PROBE_HEAVY": json.dumps(HEAVY_MODULES)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "dags"), str(REPEATS), *map(str, DAG_FILES)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("MNS_PROBE_RESULT ")]
    assert result.returncode == 0 and lines, f"parse probe failed:\n{result.stdout}\n{result.stderr}"
    raw = json.loads(lines[-1].removeprefix("MNS_PROBE_RESULT "))

    report = {}
    for path, runs in raw.items():
        parse = [r["parse_s"] for r in runs]
        serialize = [r["serialize_s"] for r in runs]
        report[os.path.basename(path)] = {
            "parse_s": min(parse),
            "parse_runs": parse,
            "serialize_s": min(serialize),
            "dag_ids": runs[0]["dag_ids"],
            "import_errors": runs[0]["import_errors"],
            "heavy": runs[0]["heavy"],
        }

    # the figures go to the terminal even when the tests pass (and under -q)
    reporter = pytestconfig.pluginmanager.getplugin("terminalreporter")
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(f"DAG file parse CPU time, best of {REPEATS} forks (budget {PARSE_BUDGET_S} s):")
            for name, r in report.items():
                runs_txt = ", ".join(f"{s:.3f}" for s in r["parse_runs"])
                reporter.write_line(
                    f"  {name:34s} parse {r['parse_s']:.3f} s [{runs_txt}] + serialize {r['serialize_s']:.3f} s;"
                    f" heavy imports: {', '.join(r['heavy']) or 'none'}"
                )
    return report


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.stem)
def test_dag_file_parses_without_errors_within_budget(parse_report, dag_file):
    r = parse_report[dag_file.name]
    assert not r["import_errors"], "\n".join(f"{f}: {e}" for f, e in r["import_errors"].items())
    assert r["dag_ids"], f"{dag_file.name} defines no DAG"
    assert r["parse_s"] < PARSE_BUDGET_S, (
        f"{dag_file.name} parses in {r['parse_s']:.3f} s (runs {r['parse_runs']}), budget {PARSE_BUDGET_S} s; "
        f"module-level imports: {r['heavy'] or 'none of the watched heavy modules'}"
    )


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.stem)
def test_dag_file_parse_does_not_import_api_clients(parse_report, dag_file):
    heavy = parse_report[dag_file.name]["heavy"]
    assert not heavy, f"parsing {dag_file.name} imports:\n" + "\n".join(
        f"  {module}: {chain}" for module, chain in heavy.items()
    )
