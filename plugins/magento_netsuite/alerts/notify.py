"""The alerts the flows call: task failure callback, quarantine digest, recovery, freshness deadline.

Nothing here ever raises into the caller: a Slack outage, a missing connection or an unreachable
store is logged as a warning and the sync goes on.

DAG files import this module at parse time for the callbacks, so what the callbacks need (dedup
store, message builders, Slack transport) is imported when one runs, not here.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from magento_netsuite.config import MAGENTO_CONN_ID, NETSUITE_CONN_ID, SLACK_CONN_ID, STORE_CONN_ID

if TYPE_CHECKING:
    from magento_netsuite.alerts.messages import Message
    from magento_netsuite.alerts.transport import SlackTarget

log = logging.getLogger(__name__)

_SECRET_SOURCES = (MAGENTO_CONN_ID, NETSUITE_CONN_ID, SLACK_CONN_ID)


def _known_secrets(target: SlackTarget | None) -> list[str]:
    """Passwords and extra values of the connections whose secrets could show up in an error message."""
    from airflow.sdk import Connection

    from magento_netsuite.alerts.scrub import secret_values

    found: list[str] = list(target.secrets) if target else []
    for conn_id in _SECRET_SOURCES:
        try:
            conn = Connection.get(conn_id)
        except Exception:  # not defined here: nothing of it to hide
            log.debug("connection %r not available for secret scrubbing", conn_id)
            continue
        found += secret_values(conn.password or "") + secret_values(conn.extra_dejson or {})
    return found


def _classify(exc: BaseException | None) -> str:
    """The error-queue class of an exception (our ``SyncError`` subclasses know theirs)."""
    if exc is None:
        return "unexpected"
    error_class = getattr(exc, "error_class", None)
    if isinstance(error_class, str) and error_class:
        return error_class
    if isinstance(exc, TimeoutError | ConnectionError):
        return "transient_exhausted"
    return "unexpected"


def _deliver(
    target: SlackTarget | None,
    *,
    flow: str,
    kind: str,
    task_id: str,
    error_class: str,
    dedup_text: str,
    build: Any,
) -> bool:
    """Dedup, build and send. ``build(repeated, since) -> Message``. Returns True when Slack accepted it."""
    from magento_netsuite.alerts import dedup
    from magento_netsuite.alerts.transport import post

    if target is None:
        message: Message = build(0, None)
        log.warning("connection %r is not defined; Slack alert follows:\n%s", SLACK_CONN_ID, message.text)
        return False
    engine = None
    repeated, since = 0, None
    try:
        from magento_netsuite.store import engine_for

        engine = engine_for(STORE_CONN_ID)
        decision = dedup.decide(
            engine,
            flow=flow,
            kind=kind,
            task_id=task_id,
            error_class=error_class,
            message=dedup_text,
            interval=timedelta(minutes=target.repeat_interval_minutes),
        )
    except Exception as exc:  # the store being down must not silence the alert
        log.warning("alert dedup store unavailable (%s); sending without dedup", type(exc).__name__)
        engine = None
    else:
        if not decision.send:
            log.info(
                "Slack alert suppressed as a repeat within %s min: %s %s", target.repeat_interval_minutes, flow, task_id
            )
            return False
        repeated, since = decision.repeated, decision.since
    message = build(repeated, since)
    delivered = post(target, text=message.text, blocks=message.blocks, flow=flow)
    if not delivered and engine is not None:
        try:
            dedup.forget_send(engine, flow, task_id, error_class, dedup_text)
        except Exception as exc:
            log.warning("could not reset alert dedup state (%s)", type(exc).__name__)
    return delivered


def task_failure_alert(context: Any) -> None:
    """``on_failure_callback`` for systemic failures: flow, task, run, class, scrubbed message, advice, links."""
    try:
        from magento_netsuite.alerts.messages import advice, failure_message
        from magento_netsuite.alerts.routing import error_queue_url, flow_for, task_log_url
        from magento_netsuite.alerts.scrub import scrub
        from magento_netsuite.alerts.transport import load_target

        ti = context.get("ti") or context["task_instance"]
        dag = context.get("dag")
        dag_id, task_id, run_id = ti.dag_id, ti.task_id, ti.run_id
        try_number = int(getattr(ti, "try_number", 0) or 0)
        map_index = int(getattr(ti, "map_index", -1) if getattr(ti, "map_index", None) is not None else -1)
        flow = flow_for(dag_id, tags=getattr(dag, "tags", ()), params=context.get("params"))
        exc = context.get("exception")
        error_class = _classify(exc if isinstance(exc, BaseException) else None)
        target = load_target()
        raw = f"{type(exc).__name__}: {exc}" if isinstance(exc, BaseException) else str(exc or "the task failed")
        text = scrub(raw, _known_secrets(target))
        what_to_do = advice(error_class, flow, getattr(exc, "system", None))
        log_url = task_log_url(dag_id, run_id, task_id, try_number, map_index)
        queue_url = error_queue_url(flow=flow)

        def build(repeated: int, since: Any) -> Message:
            return failure_message(
                flow=flow,
                dag_id=dag_id,
                task_id=task_id,
                run_id=run_id,
                try_number=try_number,
                error_class=error_class,
                message=text,
                what_to_do=what_to_do,
                log_url=log_url,
                queue_url=queue_url,
                repeated=repeated,
                since=since,
            )

        _deliver(
            target, flow=flow, kind="failure", task_id=task_id, error_class=error_class, dedup_text=text, build=build
        )
    except Exception:  # an alert must never turn into a second failure
        log.warning("task failure alert could not be built or sent", exc_info=True)


def send_quarantine_digest(
    flow: str,
    dag_id: str,
    run_id: str,
    counts_by_class: dict[str, int],
    top_reasons: list[tuple[str, str, int]],
) -> bool:
    """A digest of the records one run quarantined; True when Slack accepted it."""
    if not counts_by_class or sum(counts_by_class.values()) == 0:
        return False
    try:
        from magento_netsuite.alerts.messages import digest_message
        from magento_netsuite.alerts.routing import error_queue_url
        from magento_netsuite.alerts.scrub import scrub
        from magento_netsuite.alerts.transport import load_target

        target = load_target()
        secrets = _known_secrets(target)
        reasons = [
            (scrub(field or "", secrets), scrub(message, secrets), count) for field, message, count in top_reasons
        ]
        queue_url = error_queue_url(run_id=run_id)
        signature = ";".join(sorted(counts_by_class)) + "|" + ";".join(f"{f}:{m}" for f, m, _ in reasons)

        def build(repeated: int, since: Any) -> Message:
            return digest_message(
                flow=flow,
                dag_id=dag_id,
                run_id=run_id,
                counts_by_class=counts_by_class,
                top_reasons=reasons,
                queue_url=queue_url,
                repeated=repeated,
                since=since,
            )

        return _deliver(
            target,
            flow=flow,
            kind="digest",
            task_id="(quarantine digest)",
            error_class="quarantine",
            dedup_text=signature,
            build=build,
        )
    except Exception:
        log.warning("quarantine digest could not be built or sent", exc_info=True)
        return False


def send_recovered(flow: str, dag_id: str) -> bool:
    """A "resolved" message when ``flow`` had an open failure or freshness alert; True when Slack accepted it."""
    try:
        from magento_netsuite.alerts import dedup
        from magento_netsuite.alerts.messages import recovered_message
        from magento_netsuite.alerts.routing import airflow_base_url
        from magento_netsuite.alerts.transport import load_target, post

        target = load_target()
        if target is None:
            return False
        from magento_netsuite.store import engine_for

        if dedup.close_flow(engine_for(STORE_CONN_ID), flow) == 0:
            return False
        message = recovered_message(flow=flow, dag_id=dag_id, dag_url=f"{airflow_base_url()}/dags/{dag_id}")
        return post(target, text=message.text, blocks=message.blocks, flow=flow)
    except Exception:
        log.warning("recovery message could not be built or sent", exc_info=True)
        return False


def flow_success_callback(context: Any) -> None:
    """``on_success_callback`` (task or DAG level): tells the channel a flow that alerted is healthy again."""
    from magento_netsuite.alerts.routing import flow_for

    dag = context.get("dag")
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(dag, "dag_id", None) or getattr(ti, "dag_id", None)
    if not dag_id:
        log.warning("flow_success_callback: no dag in the context; nothing to resolve")
        return
    send_recovered(flow_for(dag_id, tags=getattr(dag, "tags", ()), params=context.get("params")), dag_id)


def deadline_run_id(context: Any) -> str:
    """The run id in a deadline callback's context, or ``""``.

    Airflow 3.3's scheduler passes ``context={"dag_run": DAGRunResponse(...).model_dump(mode="json"),
    "deadline": {...}}`` (``airflow/models/deadline.py``, ``Deadline.handle_miss``): the REST API's DAG
    run shape, whose run id is ``dag_run_id``, not ``run_id``.
    """
    dag_run = context.get("dag_run") if isinstance(context, dict) else None
    if not isinstance(dag_run, dict):
        return ""
    return str(dag_run.get("dag_run_id") or "")


def freshness_missed(flow: str, dag_id: str, interval_minutes: float, context: Any = None) -> bool:
    """Deadline callback: the flow's run did not finish within ``interval_minutes``, so its data is stale."""
    try:
        from magento_netsuite.alerts.messages import advice, failure_message
        from magento_netsuite.alerts.routing import airflow_base_url, error_queue_url
        from magento_netsuite.alerts.transport import load_target

        target = load_target()
        run_id = deadline_run_id(context)
        what = advice("stale", flow, None)
        text = f"{flow} has not completed a run within {interval_minutes:g} minutes; its data in the target is stale."
        dag_url = f"{airflow_base_url()}/dags/{quote(dag_id)}/runs" + (f"/{quote(run_id, safe='')}" if run_id else "")

        def build(repeated: int, since: Any) -> Message:
            return failure_message(
                flow=flow,
                dag_id=dag_id,
                task_id="(freshness deadline)",
                run_id=run_id or "-",
                try_number=0,
                error_class="stale",
                message=text,
                what_to_do=what,
                log_url=dag_url,
                queue_url=error_queue_url(flow=flow),
                repeated=repeated,
                since=since,
                title="Data is stale",
                log_label="DAG runs",
            )

        return _deliver(
            target,
            flow=flow,
            kind="freshness",
            task_id="(freshness deadline)",
            error_class="stale",
            dedup_text=text,
            build=build,
        )
    except Exception:
        log.warning("freshness alert could not be built or sent", exc_info=True)
        return False


def freshness_deadline(flow: str, dag_id: str, interval: timedelta) -> Any:
    """A ``DeadlineAlert`` for the DAG: alert when a run has not finished ``interval`` after it was queued.

    For "inventory older than twice its schedule" pass ``interval=2 * schedule``. The callback runs
    :func:`freshness_missed` synchronously on an executor (``SyncCallback``).
    """
    from airflow.sdk import DeadlineAlert, DeadlineReference, SyncCallback

    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=interval,
        callback=SyncCallback(
            freshness_missed,
            kwargs={"flow": flow, "dag_id": dag_id, "interval_minutes": interval.total_seconds() / 60},
        ),
        name=f"{flow}_freshness",
    )
