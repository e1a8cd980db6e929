"""``python -m magento_netsuite.check [--json]`` (also ``python -m magento_netsuite check``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

# The report is the output: the hooks' paging lines would be noise (and would break --json), so
# Airflow's logging, configured when airflow is first imported, stays at WARNING unless set.
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")

from magento_netsuite.check.run import Options, render_json, render_text, run_checks


def main(argv: Sequence[str] | None = None) -> int:
    defaults = Options()
    parser = argparse.ArgumentParser(
        prog="python -m magento_netsuite check",
        description="Verify the Magento and NetSuite connections, permissions, RESTlets, value maps and pool.",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable report")
    parser.add_argument("--magento-conn-id", default=defaults.magento_conn_id)
    parser.add_argument("--netsuite-conn-id", default=defaults.netsuite_conn_id)
    parser.add_argument("--mappings", type=Path, default=defaults.mappings_dir, help="mapping document directory")
    parser.add_argument(
        "--pool-slots",
        type=int,
        default=None,
        help=f"compare this many slots with the NetSuite limit instead of reading pool {defaults.pool} from Airflow",
    )
    args = parser.parse_args(argv)
    options = Options(
        magento_conn_id=args.magento_conn_id,
        netsuite_conn_id=args.netsuite_conn_id,
        mappings_dir=args.mappings,
        pool_slots=args.pool_slots,
    )
    findings = _quietly(run_checks, options)
    sys.stdout.write((render_json(findings) if args.json else render_text(findings)) + "\n")
    return 0 if all(f.ok for f in findings) else 1


def _quietly(run: Callable[[Options], list], options: Options) -> list:
    """Run with file descriptor 1 pointed at stderr: whatever Airflow's logging prints (its warnings go to
    stdout) stays out of the report, so ``--json`` output is exactly one JSON document."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        return run(options)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


if __name__ == "__main__":
    sys.exit(main())
