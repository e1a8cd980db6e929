"""``python -m magento_netsuite.errorqueue``: the error queue for people without the Airflow UI.

``retry`` runs the replay **in this process** with the same functions as the ``error_queue_replay``
DAG (claim → re-read from the source → the flow's transform + load → resolve or re-queue), so it
works without the UI or the scheduler; run it where the Airflow connections (``mns_store``,
``magento_default``, ``netsuite_default``) resolve, e.g. on a worker. To go through Airflow instead,
trigger the DAG: ``airflow dags trigger error_queue_replay --conf '{"ids": [12, 13]}'``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from magento_netsuite.errorqueue.replay import CLI_RUN_PREFIX, replay
from magento_netsuite.errorqueue.schema import ACTIVE_STATUSES, STATUSES
from magento_netsuite.errorqueue.store import ErrorQueueStore, ErrorRow
from magento_netsuite.store import describe_store

_COLUMNS = (
    ("id", 7),
    ("status", 9),
    ("flow", 34),
    ("record_key", 18),
    ("error_class", 19),
    ("attempts", 8),
    ("last_seen", 23),
    ("message", 60),
)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value).replace("\n", " ")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(rows: Sequence[ErrorRow]) -> str:
    header = "  ".join(name.upper().ljust(width) for name, width in _COLUMNS).rstrip()
    lines = [header, "  ".join("-" * width for _, width in _COLUMNS)]
    for row in rows:
        cells = [_cut(_fmt(getattr(row, name)), width).ljust(width) for name, width in _COLUMNS]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def format_detail(store: ErrorQueueStore, row: ErrorRow) -> str:
    fields = [
        ("Error", f"#{row.id} ({row.status})"),
        ("Flow", row.flow),
        ("Record", f"{row.entity} {row.record_key}"),
        ("Class", row.error_class),
        ("Field", row.field_path),
        ("Code", row.code),
        ("Message", row.message),
        ("How to fix", row.fix_hint),
        (
            "Hit by",
            f"dag {_fmt(row.dag_id)}, run {_fmt(row.run_id)}, task {_fmt(row.task_id)}, try {_fmt(row.try_number)}",
        ),
        ("Attempts", row.attempts),
        ("First seen", row.first_seen),
        ("Last seen", row.last_seen),
        (
            "Resolved",
            f"{_fmt(row.resolved_at)} by {_fmt(row.resolved_by)}: {_fmt(row.resolution)}" if row.resolved_at else None,
        ),
        ("Payload from", row.payload_source),
    ]
    lines = [f"{label + ':':<14}{_fmt(value)}" for label, value in fields]
    lines += ["Payload:", json.dumps(row.payload, indent=2, sort_keys=True, default=str), "History:"]
    for event in store.history(row.id):
        detail = "; ".join(
            part
            for part in (
                event.error_class,
                f"field {event.field_path}" if event.field_path else None,
                event.message,
                f"run {event.run_id}" if event.run_id else None,
                f"by {event.by}" if event.by else None,
            )
            if part
        )
        lines.append(f"  {_fmt(event.at)}  {event.event:<10}  {detail}")
    return "\n".join(lines)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m magento_netsuite.errorqueue",
        description="List, inspect, retry and ignore quarantined records.",
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--conn-id", default="mns_store", help="store connection (default: mns_store)")
    sub = parser.add_subparsers(dest="command", required=True)

    ls = sub.add_parser("list", help="list errors (open and retrying by default), newest first")
    ls.add_argument("--flow")
    ls.add_argument("--class", dest="error_class")
    ls.add_argument(
        "--status",
        action="append",
        choices=(*STATUSES, "all"),
        help="repeatable; default: open + retrying",
    )
    ls.add_argument("--run", dest="run_id", help="only errors hit by this Airflow run id")
    ls.add_argument("--search", dest="key_search", help="record key contains this text")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--offset", type=int, default=0)

    show = sub.add_parser("show", help="one error with its fix hint, payload and history")
    show.add_argument("id", type=int)

    retry = sub.add_parser("retry", help="retry errors now, in this process (see below)")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("ids", type=int, nargs="*", default=[], help="error ids")
    which.add_argument("--flow", help="every open error of this flow")
    which.add_argument("--all", dest="all_open", action="store_true", help="every open error")
    retry.add_argument("--who", default=None, help="your name, recorded on the rows (default: OS user)")

    ignore = sub.add_parser("ignore", help="close an error on purpose; a reason is required")
    ignore.add_argument("id", type=int)
    ignore.add_argument("--why", required=True)
    ignore.add_argument("--who", default=None, help="default: OS user")

    reopen = sub.add_parser("reopen", help="release a row stuck in 'retrying' (its replay died)")
    reopen.add_argument("id", type=int)
    reopen.add_argument("--who", default=None)

    sub.add_parser("counts", help="open errors by flow and error class")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    store = ErrorQueueStore.from_connection(args.conn_id)
    # stderr, so the tables on stdout stay parseable; says which store when it isn't the one expected
    _err(f"error queue store: {describe_store(args.conn_id)}")
    who = getattr(args, "who", None) or getpass.getuser()

    if args.command == "list":
        statuses = args.status or list(ACTIVE_STATUSES)
        status = None if "all" in statuses else statuses
        filters = {
            "flow": args.flow,
            "error_class": args.error_class,
            "status": status,
            "run_id": args.run_id,
            "key_search": args.key_search,
        }
        rows = store.open_errors(**filters, limit=args.limit, offset=args.offset)
        total = store.count(**filters)
        _out(format_table(rows))
        _out(f"\n{len(rows)} of {total} error(s) shown (offset {args.offset}).")
        return 0

    if args.command == "show":
        row = store.get(args.id)
        if row is None:
            _err(f"error {args.id} does not exist")
            return 1
        _out(format_detail(store, row))
        return 0

    if args.command == "retry":
        if not (args.ids or args.flow or args.all_open):
            _err("retry: give error ids, --flow FLOW or --all")
            return 2
        run_id = f"{CLI_RUN_PREFIX}{datetime.now().strftime('%Y%m%dT%H%M%S')}_{uuid.uuid4().hex[:6]}"
        summary = replay(
            store,
            run_id=run_id,
            by=f"cli:{who}:{run_id}",
            ids=args.ids or None,
            flow=args.flow,
            all_open=args.all_open,
        )
        _out(summary.line())
        if args.ids:
            _out(format_table(store.get_many(args.ids)))
        return 0 if summary.requeued == 0 else 3

    if args.command == "ignore":
        try:
            row = store.ignore(args.id, who=who, why=args.why)
        except (KeyError, ValueError) as exc:
            _err(str(exc).strip("'\""))
            return 1
        _out(f"error {row.id} ignored by {row.resolved_by}: {row.resolution}")
        return 0

    if args.command == "reopen":
        row = store.reopen(args.id, by=who)
        if row is None:
            _err(f"error {args.id} is not retrying; nothing to reopen")
            return 1
        _out(f"error {row.id} is open again")
        return 0

    counts = store.counts()
    if not counts:
        _out("no open errors")
    for flow, by_class in sorted(counts.items()):
        _out(f"{flow}: " + ", ".join(f"{c}={n}" for c, n in sorted(by_class.items())))
    return 0
