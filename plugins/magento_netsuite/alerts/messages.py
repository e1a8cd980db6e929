"""Alert wording: what happened, why it matters, what to do; Block Kit plus the plain-text fallback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

_CLASS_ADVICE: dict[str, str] = {
    "auth": (
        "Credentials were refused. Check the {conn} connection credentials/role (token, consumer key/secret, "
        "role permissions); all syncs to {system} fail until fixed. Then clear the failed task."
    ),
    "transient_exhausted": (
        "{system} kept timing out or answering 429/5xx past the retry budget. Check {system}'s status and "
        "the netsuite_api pool (other integrations share the account concurrency limit); clear the task once "
        "it answers again."
    ),
    "not_found": "A record or endpoint the task needs does not exist in {system}. Check the {conn} connection URL and "
    "the RESTlet deployment, then clear the task.",
    "validation": "{system} rejected the data as a whole. Open the task log and the Error Queue for the field, "
    "fix the mapping or the source, then clear the task.",
    "stale": "The flow has not finished a run in time. Check that its DAG is unpaused, the scheduler and "
    "workers are running, and its last run's log.",
    "unexpected": "An unexpected error (likely a bug or an unreadable source). Read the task log, fix the cause, "
    "then clear the task.",
}

_FLOW_IMPACT: dict[str, str] = {
    "inventory_netsuite_to_magento": "Stale inventory causes oversells: Magento keeps selling stock NetSuite no "
    "longer has.",
    "orders_magento_to_netsuite": "New Magento orders are not reaching NetSuite: fulfilment and invoicing wait.",
    "fulfillments_netsuite_to_magento": "Shipments are not reaching Magento: customers get no tracking or "
    "shipping email.",
    "pricing_netsuite_to_magento": "Magento keeps showing the previous prices and contract prices.",
    "customers_netsuite_to_magento": "Customer credit limits, terms and groups in Magento go stale.",
    "customer_registration_magento_to_netsuite": "New Magento customers are not created in NetSuite; their "
    "orders will fail to sync.",
    "customer_email_magento_to_netsuite": "Customer email changes are not reaching NetSuite.",
    "products_netsuite_to_magento": "New and changed items do not appear in Magento.",
}


def advice(error_class: str, flow: str, system: str | None) -> str:
    """What to do about a systemic failure of ``flow``, and why it matters."""
    system_name = {"netsuite": "NetSuite", "magento": "Magento"}.get((system or "").lower())
    if system_name is None:
        system_name = "NetSuite" if "netsuite_to" in flow else "the target system"
    conn = "magento_default" if system_name == "Magento" else "netsuite_default"
    text = _CLASS_ADVICE.get(error_class, _CLASS_ADVICE["unexpected"]).format(system=system_name, conn=conn)
    impact = _FLOW_IMPACT.get(flow)
    return f"{text} {impact}" if impact else text


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[dict[str, Any]]


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _escape(text: str) -> str:
    """Slack mrkdwn control characters (``&``, ``<``, ``>``) escaped so a message can't forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _buttons(links: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": label}, "url": url} for label, url in links
        ],
    }


def _repeat_note(repeated: int, since: datetime | None) -> str:
    if not repeated or since is None:
        return ""
    return f"…repeated {repeated} time{'s' if repeated != 1 else ''} since {since:%H:%M} UTC"


def failure_message(
    *,
    flow: str,
    dag_id: str,
    task_id: str,
    run_id: str,
    try_number: int,
    error_class: str,
    message: str,
    what_to_do: str,
    log_url: str,
    queue_url: str,
    repeated: int = 0,
    since: datetime | None = None,
    title: str = "Sync failed",
    log_label: str = "Task log",
) -> Message:
    """A systemic failure: what (flow/task/run), why (class + message), how to fix, and the links."""
    repeat = _repeat_note(repeated, since)
    text = "\n".join(
        line
        for line in [
            f"{title}: {flow} ({error_class})",
            f"DAG {dag_id}, task {task_id}, run {run_id}, try {try_number}",
            f"Error: {message}",
            f"What to do: {what_to_do}",
            f"{log_label}: {log_url}",
            f"Error Queue: {queue_url}",
            repeat,
        ]
        if line
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f":red_circle: {title}: {flow}"[:150]}},
        {
            "type": "section",
            "fields": [
                _mrkdwn(f"*Flow*\n{_escape(flow)}"),
                _mrkdwn(f"*Error class*\n`{_escape(error_class)}`"),
                _mrkdwn(f"*DAG / task*\n{_escape(dag_id)} / {_escape(task_id)}"),
                _mrkdwn(f"*Run / try*\n{_escape(run_id)} / {try_number}"),
            ],
        },
        {"type": "section", "text": _mrkdwn(f"*Error*\n```{_escape(message)}```")},
        {"type": "section", "text": _mrkdwn(f"*What to do*\n{_escape(what_to_do)}")},
        _buttons([(log_label, log_url), ("Error Queue", queue_url)]),
    ]
    if repeat:
        blocks.append({"type": "context", "elements": [_mrkdwn(_escape(repeat))]})
    return Message(text=text, blocks=blocks)


def digest_message(
    *,
    flow: str,
    dag_id: str,
    run_id: str,
    counts_by_class: dict[str, int],
    top_reasons: list[tuple[str, str, int]],
    queue_url: str,
    repeated: int = 0,
    since: datetime | None = None,
) -> Message:
    """Records quarantined by one run: counts by class, the top reasons with their fields, the queue link."""
    total = sum(counts_by_class.values())
    counts = ", ".join(f"{cls}: {n}" for cls, n in sorted(counts_by_class.items(), key=lambda kv: (-kv[1], kv[0])))
    reasons = [f"{count}× {field or '(record)'}: {message}" for field, message, count in top_reasons]
    repeat = _repeat_note(repeated, since)
    text = "\n".join(
        [
            f"{total} record{'s' if total != 1 else ''} quarantined: {flow}",
            f"DAG {dag_id}, run {run_id}",
            f"By error class: {counts}",
            *(["Top reasons:"] + [f"- {r}" for r in reasons] if reasons else []),
            "What to do: fix each record at its source (or the mapping), then Retry it on the Error Queue page.",
            f"Error Queue (this run): {queue_url}",
            *([repeat] if repeat else []),
        ]
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f":warning: {total} quarantined: {flow}"[:150]}},
        {
            "type": "section",
            "fields": [
                _mrkdwn(f"*DAG*\n{_escape(dag_id)}"),
                _mrkdwn(f"*Run*\n{_escape(run_id)}"),
                *[_mrkdwn(f"*{_escape(cls)}*\n{n}") for cls, n in sorted(counts_by_class.items())][:8],
            ],
        },
    ]
    if reasons:
        blocks.append(
            {"type": "section", "text": _mrkdwn("*Top reasons*\n" + "\n".join(f"• {_escape(r)}" for r in reasons))}
        )
    blocks.append(
        {
            "type": "section",
            "text": _mrkdwn(
                "*What to do*\nFix each record at its source (or the mapping), then Retry it on the Error Queue page."
            ),
        }
    )
    blocks.append(_buttons([("Error Queue (this run)", queue_url)]))
    if repeat:
        blocks.append({"type": "context", "elements": [_mrkdwn(_escape(repeat))]})
    return Message(text=text, blocks=blocks)


def recovered_message(*, flow: str, dag_id: str, dag_url: str) -> Message:
    text = f"Resolved: {flow} is syncing again (DAG {dag_id} succeeded). {dag_url}"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f":large_green_circle: Resolved: {flow}"[:150]}},
        {"type": "section", "text": _mrkdwn(f"{_escape(flow)} is syncing again: DAG {_escape(dag_id)} succeeded.")},
        _buttons([("DAG", dag_url)]),
    ]
    return Message(text=text, blocks=blocks)
