"""``python -m magento_netsuite.sandbox serve``: both sandboxes with demo data, on loopback.

Defaults: Magento on http://127.0.0.1:8780, NetSuite on http://127.0.0.1:8790, seed
``SeedConfig()`` (200 SKUs, 3 locations, 50 customers, 20 orders in the last hour). Prints the
URLs, where the credentials live and the ``AIRFLOW_CONN_*`` values to export.
"""

from __future__ import annotations

import argparse
import importlib
import shlex
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import Dataset, SeedConfig, generate
from magento_netsuite.sandbox.magento.app import create_app as create_magento_app

NETSUITE_APP_MODULE = "magento_netsuite.sandbox.netsuite.app"


def _netsuite_factory() -> Callable[[Dataset], Any] | None:
    """The NetSuite sandbox's ``create_app``, or None while that module does not exist."""
    try:
        module = importlib.import_module(NETSUITE_APP_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and NETSUITE_APP_MODULE.startswith(exc.name):
            return None
        raise
    return module.create_app


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m magento_netsuite.sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sandboxes with seeded demo data")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--magento-port", type=int, default=8780)
    serve.add_argument("--netsuite-port", type=int, default=8790)
    serve.add_argument("--only", choices=("magento", "netsuite"), help="serve one sandbox only")
    defaults = SeedConfig()
    for name in ("skus", "locations", "customers", "orders", "seed"):
        serve.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
    serve.add_argument("--input-limit", action="store_true", help="Magento: enforce the 2.4 web API input limits")
    serve.add_argument(
        "--realistic-states",
        action="store_true",
        help="orders as real stores keep them: offline payments at new/pending, card payments processing",
    )
    return parser


def _shown_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host


def serve(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    config = SeedConfig(
        skus=args.skus,
        locations=args.locations,
        customers=args.customers,
        orders=args.orders,
        seed=args.seed,
        realistic_states=getattr(args, "realistic_states", False),
    )
    dataset = generate(config)
    servers: list[SandboxServer] = []
    lines: list[str] = []
    exports: list[str] = []
    if args.only in (None, "magento"):
        magento = SandboxServer(create_magento_app(dataset, input_limit=args.input_limit), args.host, args.magento_port)
        servers.append(magento.start())
        url = f"http://{_shown_host(args.host)}:{magento.port}"
        lines.append(f"Magento sandbox:  {url}/rest/V1/...   control: {url}/_sandbox/state")
        exports.append(f"export AIRFLOW_CONN_MAGENTO_DEFAULT={shlex.quote(credentials.magento_connection(url))}")
    if args.only in (None, "netsuite"):
        factory = _netsuite_factory()
        if factory is None:
            lines.append(
                f"NetSuite sandbox: not available yet ({NETSUITE_APP_MODULE} is missing); serving Magento only"
            )
            if args.only == "netsuite":
                sys.stderr.write("\n".join(lines) + "\n")
                return 1
        else:
            netsuite = SandboxServer(factory(dataset), args.host, args.netsuite_port)
            servers.append(netsuite.start())
            url = f"http://{_shown_host(args.host)}:{netsuite.port}"
            lines.append(f"NetSuite sandbox: {url}/services/rest/...   control: {url}/_sandbox/state")
            exports.append(f"export AIRFLOW_CONN_NETSUITE_DEFAULT={shlex.quote(credentials.netsuite_connection(url))}")
    sys.stdout.write(
        "\n".join(
            [
                f"Seeded {len(dataset.items)} SKUs, {len(dataset.locations)} locations, "
                f"{len(dataset.magento_customers)} customers, {len(dataset.orders)} orders (seed {config.seed}).",
                *lines,
                "Credentials: fixed sandbox-only values in magento_netsuite/sandbox/credentials.py.",
                "Point Airflow at the sandboxes with:",
                *exports,
                "Ctrl-C stops.",
            ]
        )
        + "\n"
    )
    sys.stdout.flush()
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        for server in servers:
            server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
