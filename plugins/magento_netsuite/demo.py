"""``make demo``: the main job on the embedded default (SQLite stores, bundled sandboxes).

1. Load and validate the Field-Level Mapping Document and print who owns what, per flow.
2. Start the Magento and NetSuite sandboxes on free loopback ports, seeded with the same demo data
   (including deliberate mismatches: an unknown SKU, a customer NetSuite doesn't know, an address
   without a postcode).
3. Run each flow's DAG with ``airflow dags test`` against them, exactly as a scheduler would run it,
   with the connections given as ``AIRFLOW_CONN_*`` environment variables.
4. Print each run's summary and what landed in the error queue: what failed, why (the field), and
   how to fix it.

Full task logs go to ``$AIRFLOW_HOME/demo/<dag_id>.log``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from magento_netsuite.config import NETSUITE_POOL, airflow_home, default_store_path
from magento_netsuite.flows.inventory.constants import FLOW as INVENTORY_FLOW
from magento_netsuite.flows.orders.constants import FLOW as ORDERS_FLOW
from magento_netsuite.flows.pricing.constants import FLOW as PRICING_FLOW
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.governance.render import ownership_tables
from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.magento.app import create_app as magento_app
from magento_netsuite.sandbox.netsuite.app import create_app as netsuite_app

DEMO_SEED = {"skus": 200, "locations": 3, "customers": 40, "orders": 30, "seed": 7}

DEMO_RUNS: list[tuple[str, dict[str, str]]] = [
    # (DAG id, extra environment). A flow reads by its watermark in mns_store (fresh for each demo),
    # so each first run reads from the flow's initial lookback up to now minus a safe lag (2 minutes
    # by default). The seeded orders are spread over the hour before the seed's "now", the last of
    # them seconds before the run: the demo reads up to now (safe lag 0) so every seeded order syncs.
    (
        "magento_orders_to_netsuite",
        {f"MNS_{ORDERS_FLOW.upper()}_SAFE_LAG_SECONDS": "0"},
    ),
    # The first inventory run has no cursor yet: it reads every item (the initial lookback is ten
    # years) and pushes everything Magento doesn't have from us yet. `airflow dags test` in 3.3.2
    # cannot resolve a DAG's deadline alerts (a scheduler can), so the demo parses the DAG without
    # its freshness deadline.
    (
        "netsuite_inventory_to_magento",
        {f"MNS_{INVENTORY_FLOW.upper()}_SAFE_LAG_SECONDS": "0", "MNS_INVENTORY_FRESHNESS_DEADLINE": "off"},
    ),
    # Pricing after inventory: the first run reads every item's prices (no cursor yet), writes base and
    # tier prices, then audits price parity. The seed's Retail level is 10% above the base price, which
    # Magento cannot show: the audit counts those mismatches and queues 20 of them here (flow
    # pricing_parity_audit on the Error Queue page), so the other flows' rows stay in view below.
    (
        "netsuite_pricing_to_magento",
        {f"MNS_{PRICING_FLOW.upper()}_SAFE_LAG_SECONDS": "0", "MNS_PRICING_AUDIT_MAX_ROWS": "20"},
    ),
]

_LOG_TAIL = r"(?:\s+\[[\w.]+\] loc=\S+)?$"
_SUMMARY = re.compile(r"(\S+ \S+: extracted=\d+ = .*?)" + _LOG_TAIL)
_WINDOW = re.compile(r"extract \S+: (reading .*?)" + _LOG_TAIL)
_AUDIT = re.compile(r"(price parity audit: .*?)" + _LOG_TAIL)


def _say(text: str = "") -> None:
    print(text, flush=True)


def _airflow(args: list[str], env: dict[str, str], log_path: Path | None = None) -> int:
    """Run the Airflow CLI; output goes to ``log_path`` (or is printed only when the command fails)."""
    argv = [sys.executable, "-m", "airflow", *args]
    if log_path is not None:
        with log_path.open("w") as log:
            return subprocess.run(argv, env=env, stdout=log, stderr=subprocess.STDOUT, check=False).returncode
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        _say(result.stdout + result.stderr)
    return result.returncode


def _print_error_queue(flow_filter: set[str]) -> int:
    from magento_netsuite.errorqueue.store import ErrorQueueStore

    store = ErrorQueueStore.from_connection()
    rows = [r for r in store.open_errors(limit=200) if r.flow in flow_filter]
    if not rows:
        _say("  error queue: empty")
        return 0
    _say(f"  error queue: {len(rows)} open record(s)")
    for row in rows:
        _say(f"   - {row.flow} {row.record_key} [{row.error_class}] field={row.field_path or '-'}")
        _say(f"       why: {row.message}")
        _say(f"       fix: {row.fix_hint}")
    return len(rows)


def main() -> int:
    started = time.monotonic()
    _say("== 1. The Field-Level Mapping Document (include/mappings/) ==")
    doc = load_mapping_document()
    _say(ownership_tables(doc))

    home = airflow_home()
    demo_dir = home / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    # the default store (what the CLI, the Error Queue page and the tasks read when mns_store is not
    # defined), emptied: each demo starts from fresh watermarks against freshly seeded sandboxes
    store_path = default_store_path()
    for stale in (store_path, *(store_path.with_name(store_path.name + end) for end in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    seed = SeedConfig(now=now, **DEMO_SEED)

    _say("\n== 2. Sandboxes (Magento 2.4 REST, NetSuite REST/SuiteQL/RESTlets) with demo data ==")
    dataset = generate(seed)
    with SandboxServer(magento_app(dataset)) as magento, SandboxServer(netsuite_app(dataset)) as netsuite:
        _say(f"  Magento sandbox  {magento.url}")
        _say(f"  NetSuite sandbox {netsuite.url}")
        _say(f"  seed {json.dumps({k: v for k, v in asdict(seed).items() if k in DEMO_SEED})}")
        env = os.environ.copy()
        env.update(
            {
                "AIRFLOW_CONN_MAGENTO_DEFAULT": credentials.magento_connection(magento.url),
                "AIRFLOW_CONN_NETSUITE_DEFAULT": credentials.netsuite_connection(netsuite.url),
                "AIRFLOW_CONN_MNS_STORE": json.dumps({"conn_type": "sqlite", "host": str(store_path)}),
                "MNS_STAGING_URL": f"file://{demo_dir / 'staging'}",
            }
        )
        os.environ["AIRFLOW_CONN_MNS_STORE"] = env["AIRFLOW_CONN_MNS_STORE"]
        if _airflow(["pools", "set", NETSUITE_POOL, "4", "Share of the NetSuite account concurrency limit"], env):
            return 1

        _say("\n== 3. Flows, run with `airflow dags test` ==")
        failed = []
        for dag_id, extra_env in DEMO_RUNS:
            log_path = demo_dir / f"{dag_id}.log"
            t0 = time.monotonic()
            returncode = _airflow(["dags", "test", dag_id], {**env, **extra_env}, log_path)
            output = log_path.read_text()
            summaries = [m.group(1) for line in output.splitlines() if (m := _SUMMARY.search(line))]
            windows = [m.group(1) for line in output.splitlines() if (m := _WINDOW.search(line))]
            state = "success" if returncode == 0 else f"FAILED (exit {returncode})"
            _say(f"\n  {dag_id}: {state} in {time.monotonic() - t0:.1f} s (log: {log_path})")
            for window in windows[-1:]:
                _say(f"  {window}")
            for summary in summaries[-1:]:
                _say(f"  summary: {summary}")
            for audit in [m.group(1) for line in output.splitlines() if (m := _AUDIT.search(line))][-1:]:
                _say(f"  {audit}")
            if returncode == 0 and not summaries:
                failed.append(dag_id)
                _say("  no run summary in the log")
            if returncode != 0:
                failed.append(dag_id)
                _say("\n".join("    " + line for line in output.splitlines()[-30:]))

        _say("\n== 4. The error queue: what failed, why, how to fix ==")
        _print_error_queue({flow.name for flow in doc.flows})
        _say(f"  store: {store_path} (`python -m magento_netsuite.errorqueue list` and the Error Queue page")
        _say(f"  read it too, with AIRFLOW_HOME={home} and no mns_store connection)")

    _say(f"\nDone in {time.monotonic() - started:.1f} s.")
    if failed:
        _say(f"These DAG runs failed: {', '.join(failed)}")
        return 1
    _say("Next: `make test`; the Error Queue page and the runbook are described in README.md.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
