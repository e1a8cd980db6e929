"""Load: create each new order in NetSuite exactly once.

One batched existence check (SuiteQL on ``transaction.externalid``), then one ``POST salesOrder``
with ``externalId`` per new order. NetSuite rejects a second record with the same externalId, so even
a race with another run (or a retried POST whose first attempt did land) cannot duplicate: that
answer counts as already synced. An order already in NetSuite is left alone: NetSuite owns it after
checkout. Record-level rejections quarantine the order with NetSuite's ``o:errorPath``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any
from urllib.parse import urlsplit

from magento_netsuite.connectors.errors import AuthError, SyncError, TransientError
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.orders.constants import RECORD_TYPE
from magento_netsuite.flows.orders.netsuite_refs import existing_orders
from magento_netsuite.flows.orders.transform import RunContext, quarantine
from magento_netsuite.pipeline.outcomes import RecordOutcome, Status

log = logging.getLogger(__name__)

DUPLICATE_CODES = frozenset({"DUP_RCRD", "DUP_ENTITY", "DUP_ITEM"})


def is_duplicate_external_id(exc: SyncError) -> bool:
    """NetSuite's answer to a second record with the same externalId."""
    if (exc.code or "").upper() in DUPLICATE_CODES:
        return True
    return exc.field_path == "externalId" and "already exists" in exc.message.lower()


def create_sales_order(hook: NetSuiteHook, body: Mapping[str, Any]) -> tuple[str, bool]:
    """POST the order; returns ``(internal id, created by this call)``.

    Retried by the hook on timeouts and 5xx like an idempotent call: a repeat can only meet the
    duplicate-externalId rejection, which resolves to the existing record.
    """
    external_id = str(body["externalId"])
    try:
        response = hook.request("POST", hook.record_url(RECORD_TYPE), json=dict(body), idempotent=True)
    except SyncError as exc:
        if isinstance(exc, AuthError | TransientError) or not is_duplicate_external_id(exc):
            raise
        existing = hook.get_record(RECORD_TYPE, f"eid:{external_id}", fields=["id"])
        return str(existing["id"]), False
    location = response.headers.get("Location") or ""
    internal_id = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
    if not internal_id:
        raise SyncError(f"POST salesOrder {external_id}: NetSuite answered without a Location header")
    return internal_id, True


def load_orders(
    hook: NetSuiteHook, ready: Iterable[Mapping[str, Any]], ctx: RunContext, *, workers: int
) -> list[RecordOutcome]:
    """One outcome per ready order (``{"key", "body", "magento"}``, optionally the Magento ``payload``).

    Auth errors stop the load at once. Transient errors past the hook's retries let the other orders
    finish, then raise, so Airflow retries the task; the rerun's existence check skips what landed.
    """
    ready = list(ready)
    already = existing_orders(hook, [r["key"] for r in ready])
    outcomes = [
        RecordOutcome(r["key"], Status.UNCHANGED, target_id=already[r["key"]]) for r in ready if r["key"] in already
    ]
    todo = [r for r in ready if r["key"] not in already]
    log.info("load: %d order(s) already in NetSuite, %d to create", len(outcomes), len(todo))

    def create(record: Mapping[str, Any]) -> RecordOutcome:
        key = record["key"]
        try:
            internal_id, created = create_sales_order(hook, record["body"])
        except (AuthError, TransientError):
            raise
        except SyncError as exc:
            return quarantine(
                key,
                record.get("payload") or record["body"],
                error_class=exc.error_class if exc.error_class != "unexpected" else "validation",
                message=exc.message,
                field_path=exc.field_path,
                code=exc.code,
                ctx=ctx,
            )
        if not created:
            log.info("order %s: NetSuite already had it (a concurrent run created it); left alone", key)
        return RecordOutcome(key, Status.LOADED if created else Status.UNCHANGED, target_id=internal_id)

    transient: list[TransientError] = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="ns-order") as pool:
        futures = [pool.submit(create, record) for record in todo]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            if isinstance(future.exception(), AuthError):
                for other in pending:
                    other.cancel()
                raise future.exception()  # type: ignore[misc]
        wait(pending)
        for future in futures:
            if future.cancelled():
                continue
            error = future.exception()
            if isinstance(error, AuthError):
                raise error
            if isinstance(error, TransientError):
                transient.append(error)
            elif error is not None:
                raise error
            else:
                outcomes.append(future.result())
    if transient:
        raise TransientError(
            f"{len(transient)} of {len(todo)} order(s) could not be created past the retry budget "
            f"(first: {transient[0]}); the task retries and skips the orders that landed",
            system="netsuite",
        )
    return outcomes
