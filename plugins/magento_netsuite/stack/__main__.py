"""``python -m magento_netsuite.stack up|down|status`` (``make stack`` / ``make stack-down``).

``up`` starts the stack in the background and returns once the UI answers; ``down`` stops every
process group it started (``--purge`` also drops its two PostgreSQL databases and its Celery queue).
Settings come from flags or ``MNS_STACK_*`` environment variables (flags win).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import sys
from pathlib import Path

from magento_netsuite.config import REPO_ROOT
from magento_netsuite.stack.launcher import ADMIN, STATE_FILE, Stack, StackConfig, free_port, stop_stack

FLOW_DAGS = ("magento_orders_to_netsuite", "netsuite_inventory_to_magento")


def _default_name(run_dir: Path) -> str:
    """Stable per run dir (a restart finds its databases again), distinct between checkouts."""
    return "mns_stack_" + hashlib.sha256(str(run_dir.resolve()).encode()).hexdigest()[:8]


def _port(value: str | None) -> int:
    return int(value) if value else free_port()


def build_parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m magento_netsuite.stack", description=__doc__)
    parser.add_argument("--run-dir", type=Path, default=Path(env("MNS_STACK_DIR") or REPO_ROOT / "var" / "stack"))
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the stack in the background")
    up.add_argument("--api-port", default=env("MNS_STACK_API_PORT"), help="default: a free port")
    up.add_argument("--magento-port", default=env("MNS_STACK_MAGENTO_PORT"), help="default: a free port")
    up.add_argument("--netsuite-port", default=env("MNS_STACK_NETSUITE_PORT"), help="default: a free port")
    up.add_argument("--postgres", default=env("MNS_STACK_POSTGRES") or "postgresql://127.0.0.1:5432/test")
    up.add_argument("--redis", default=env("MNS_STACK_REDIS") or "redis://127.0.0.1:6379")
    up.add_argument("--redis-db", type=int, default=int(env("MNS_STACK_REDIS_DB") or 1))
    up.add_argument("--workers", type=int, default=int(env("MNS_STACK_WORKERS") or 2))
    up.add_argument("--slack-webhook", default=env("MNS_STACK_SLACK_WEBHOOK"), help="where failure alerts go")
    up.add_argument("--unpause-flows", action="store_true", help=f"unpause {', '.join(FLOW_DAGS)} too")
    down = commands.add_parser("down", help="stop what `up` started")
    down.add_argument("--purge", action="store_true", help="also drop the stack's databases and Celery queue")
    commands.add_parser("status", help="which components are running")
    return parser


def _running(run_dir: Path) -> dict[str, int]:
    path = run_dir / STATE_FILE
    if not path.exists():
        return {}
    alive = {}
    for name, pid in json.loads(path.read_text())["pids"].items():
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            continue
        alive[name] = pid
    return alive


def _write_env_file(config: StackConfig) -> Path:
    path = config.run_dir / "stack.env"
    keep = ("AIRFLOW", "MNS_", "PYTHONPATH")
    lines = [f"export {k}={shlex.quote(v)}" for k, v in sorted(config.env().items()) if k.startswith(keep)]
    path.write_text("# source me to run `airflow` or the error-queue CLI against the stack\n" + "\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def up(args: argparse.Namespace) -> int:
    run_dir: Path = args.run_dir.resolve()
    if running := _running(run_dir):
        sys.stderr.write(f"a stack is already running from {run_dir} ({', '.join(running)}): `make stack-down`\n")
        return 1
    config = StackConfig(
        run_dir=run_dir,
        name=_default_name(run_dir),
        postgres_admin_url=args.postgres,
        redis_url=args.redis,
        redis_db=args.redis_db,
        workers=args.workers,
        api_port=_port(args.api_port),
        magento_port=_port(args.magento_port),
        netsuite_port=_port(args.netsuite_port),
        slack_webhook_url=args.slack_webhook,
        unpause=FLOW_DAGS if args.unpause_flows else (),
    )
    print(f"Starting the stack from {run_dir} (logs: {run_dir / 'logs'}) ...", flush=True)
    Stack(config).start()
    env_file = _write_env_file(config)
    flows = "unpaused" if args.unpause_flows else "paused (unpause them in the UI, or `make stack UNPAUSE=1`)"
    print(
        "\n".join(
            [
                f"Airflow UI       {config.url}   (Error Queue: {config.url}/plugin/error-queue)",
                f"Admin login      {ADMIN} / {config.password}",
                f"                 (SimpleAuthManager passwords file: {config.passwords_file})",
                f"Executor         CeleryExecutor, {config.workers} workers on Redis "
                f"{config.redis_url}/{config.redis_db}, queue {config.queue}",
                f"Metadata DB      {config.databases['airflow']}; mns_store: {config.databases['store']} (PostgreSQL)",
                f"Magento sandbox  {config.magento_url}",
                f"NetSuite sandbox {config.netsuite_url}",
                f"Flow DAGs        {flows}; error_queue_replay unpaused",
                f"CLI environment  source {env_file}",
                "Stop it with     make stack-down",
            ]
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run_dir: Path = args.run_dir.resolve()
    if args.command == "up":
        return up(args)
    if args.command == "down":
        stopped = stop_stack(run_dir, purge=args.purge)
        print(f"stopped: {', '.join(stopped) or 'nothing was running'}" + (" (purged)" if args.purge else ""))
        return 0
    running = _running(run_dir)
    print("\n".join(f"{name}: pid {pid}" for name, pid in running.items()) or "not running")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
