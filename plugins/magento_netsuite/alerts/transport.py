"""Posting to Slack through the ``slack_alerts`` connection, never failing the caller.

The Slack provider's hooks read the connection (webhook URL or token + host, bot token, ``timeout``,
``proxy``, ``base_url``); this module adds only what they don't do: the per-flow channel, the dedup
window, the secrets to scrub, and "never raise".

Connection shapes:

* ``slackwebhook`` (:class:`~airflow.providers.slack.hooks.slack_webhook.SlackWebhookHook`): a full
  incoming-webhook URL in ``password``, or the webhook token in ``password`` and the base (e.g.
  ``https://hooks.slack.com/services``) in ``host``.
* ``slack`` (:class:`~airflow.providers.slack.hooks.slack.SlackHook`): a bot token in ``password`` and
  the channel in extra ``channel``; extra ``base_url`` points the Web API elsewhere (tests, GovSlack).

Shared extras: ``channels`` (``{flow: "#channel"}``, a per-flow override), ``repeat_interval_minutes``
(dedup window, default 60), ``timeout`` (seconds, default 10).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.alerts.scrub import secret_values
from magento_netsuite.config import SLACK_CONN_ID

log = logging.getLogger(__name__)

DEFAULT_REPEAT_INTERVAL_MINUTES = 60


@dataclass(frozen=True)
class SlackTarget:
    """Where alerts go: the connection (read by the provider's hook) and our routing settings."""

    kind: str  # "webhook" | "bot"
    conn_id: str
    channel: str | None = None
    channels: dict[str, str] = field(default_factory=dict)
    timeout: int = 10
    repeat_interval_minutes: float = DEFAULT_REPEAT_INTERVAL_MINUTES
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def channel_for(self, flow: str | None) -> str | None:
        return self.channels.get(flow or "", self.channel)


def _extra(conn: Any) -> dict[str, Any]:
    extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else json.loads(conn.extra or "{}")
    return dict(extra or {})


def load_target(conn_id: str = SLACK_CONN_ID) -> SlackTarget | None:
    """The Slack target of ``conn_id``, or ``None`` when the connection is not defined or unusable."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException, AirflowSecretsBackendAccessDenied

    try:
        conn = Connection.get(conn_id)
    except AirflowNotFoundException:
        return None
    except AirflowSecretsBackendAccessDenied:
        # Airflow 3.3 denies a deadline callback the Execution API's connection lookup: it sees
        # env-var and secrets-backend connections only. Say so instead of failing silently.
        log.error(
            "connection %r is not readable in this process (a deadline callback reads connections from "
            "AIRFLOW_CONN_* variables or a secrets backend only); this alert is not sent",
            conn_id,
        )
        return None
    extra = _extra(conn)
    password = (conn.password or "").strip()
    kinds = {"slackwebhook": "webhook", "slack": "bot"}
    if conn.conn_type not in kinds:
        log.warning(
            "connection %r has conn_type %r; use slackwebhook or slack. Slack alerts are off", conn_id, conn.conn_type
        )
        return None
    if not password:
        what = "webhook URL or token" if conn.conn_type == "slackwebhook" else "bot token"
        log.warning("connection %r has no %s in its password; Slack alerts are off", conn_id, what)
        return None
    return SlackTarget(
        kind=kinds[conn.conn_type],
        conn_id=conn_id,
        channel=extra.get("channel") or None,
        channels={str(k): str(v) for k, v in (extra.get("channels") or {}).items()},
        timeout=int(extra.get("timeout") or 10),
        repeat_interval_minutes=float(
            DEFAULT_REPEAT_INTERVAL_MINUTES
            if extra.get("repeat_interval_minutes") in (None, "")
            else extra["repeat_interval_minutes"]
        ),
        secrets=tuple(secret_values(password) + secret_values(extra)),
    )


def post(target: SlackTarget, *, text: str, blocks: list[dict[str, Any]], flow: str | None) -> bool:
    """Post one message. Any failure (refused, timeout, 5xx, 429, API error) is logged and returns False."""
    channel = target.channel_for(flow)
    try:
        if target.kind == "webhook":
            from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook

            body: dict[str, Any] = {"text": text, "blocks": blocks}
            if channel and channel != target.channel:
                body["channel"] = channel  # honoured by legacy webhooks; app webhooks keep their own channel
            # the hook's client, not hook.send_dict: that one raises on a non-200 answer (we only log it)
            # and warns on every legacy "channel" override
            hook = SlackWebhookHook(slack_webhook_conn_id=target.conn_id, timeout=target.timeout)
            response = hook.client.send_dict(body)
            if response.status_code != 200:
                log.warning("Slack webhook answered HTTP %s; alert not delivered: %s", response.status_code, text)
                return False
            return True
        from airflow.providers.slack.hooks.slack import SlackHook

        if not channel:
            log.warning(
                "slack connection has no channel (extra 'channel' or 'channels'); alert not delivered: %s", text
            )
            return False
        SlackHook(slack_conn_id=target.conn_id, timeout=target.timeout).client.chat_postMessage(
            channel=channel, text=text, blocks=blocks
        )
        return True
    except Exception as exc:  # a Slack outage must never fail the sync task
        log.warning("Slack is unreachable (%s); alert not delivered: %s", type(exc).__name__, text)
        return False
