"""Extract: NetSuite inventory per item and location, through our RESTlet or the SuiteQL fallback.

Both paths give the same rows (the RESTlet contract of docs/architecture.md): ``item_id, sku,
location_id, on_hand, committed, available, inactive, last_modified``. Full mode reads every item;
delta mode only items whose inventory changed after ``since``. Only mapped locations are asked for.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from magento_netsuite.connectors.errors import SyncError
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.inventory.constants import RESTLET_DEPLOY, RESTLET_MAX_PAGE, RESTLET_PAGE, RESTLET_SCRIPT

log = logging.getLogger(__name__)
SOURCES = ("restlet", "suiteql")
RESTLET_STALLS = 3
"""Empty pages with an unmoved cursor ("call again", the RESTlet's governance guard) before giving up."""

SUITEQL = (
    "SELECT i.id AS item_id, i.itemid AS sku, l.location AS location_id, l.quantityonhand AS on_hand, "
    "l.quantitycommitted AS committed, l.quantityavailable AS available, i.isinactive AS inactive, "
    "TO_CHAR(l.lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS last_modified "
    "FROM inventoryitemlocations l JOIN item i ON i.id = l.item "
    "WHERE l.location IN ({locations}){since} AND {{watermark}} ORDER BY i.id, l.location"
)
"""The fallback: NetSuite's ``inventoryitemlocations`` table, keyset-paged past the 100,000-row cap on
the item id (``NetSuiteHook.suiteql`` with ``watermark_column="item_id"``)."""


def inventory_source(hook: NetSuiteHook) -> str:
    """Connection extra ``inventory_source``: ``restlet`` (default) or ``suiteql``."""
    hook.get_conn()
    source = str(hook.extras.get("inventory_source") or "restlet").lower()
    if source not in SOURCES:
        raise SyncError(
            f"connection {hook.netsuite_conn_id!r}: extra inventory_source must be restlet or suiteql, got {source!r}"
        )
    return source


def _iso(since: datetime) -> str:
    return since.strftime("%Y-%m-%dT%H:%M:%SZ")


def restlet_pages(
    hook: NetSuiteHook, locations: Iterable[str], since: datetime | None, limit: int = RESTLET_PAGE
) -> Iterator[list[dict[str, Any]]]:
    """Follow ``next_cursor`` until it is null; each page holds whole items."""
    params: dict[str, Any] = {"limit": limit, "locations": ",".join(sorted(locations, key=int))}
    if since is not None:
        params["since"] = _iso(since)
    cursor: str | None = None
    stalls = 0
    while True:
        body = hook.restlet(RESTLET_SCRIPT, RESTLET_DEPLOY, "GET", {**params, **({"cursor": cursor} if cursor else {})})
        if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
            raise SyncError(f"inventory RESTlet (cursor {cursor!r}): answer without a rows list", system="netsuite")
        yield body["rows"]
        given, cursor = cursor, body.get("next_cursor")
        if not cursor:
            return
        # the RESTlet's governance guard answers an empty page with the same cursor when the call ran out
        # of usage before one whole item: "call again", a few times; never a loop
        stalls = stalls + 1 if cursor == given and not body["rows"] else 0
        if stalls > RESTLET_STALLS:
            raise SyncError(
                f"inventory RESTlet answered the cursor it was given ({cursor!r}) {stalls} times with no rows: "
                "no progress; check the script's usage limit in NetSuite (Execution Log)",
                system="netsuite",
            )


def _suiteql_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "item_id": str(row.get("item_id")),
        "sku": row.get("sku"),
        "location_id": str(row.get("location_id")),
        "on_hand": row.get("on_hand"),
        "committed": row.get("committed"),
        "available": row.get("available"),
        "inactive": str(row.get("inactive")).upper() in ("T", "TRUE"),
        "last_modified": f"{row.get('last_modified')}Z" if row.get("last_modified") else None,
    }


def suiteql_pages(hook: NetSuiteHook, locations: Iterable[str], since: datetime | None) -> Iterator[list[dict]]:
    ids = sorted(locations, key=int)
    if not all(x.isdigit() for x in ids):
        raise ValueError(f"location ids must be internal ids (digits), got {ids}")
    params: list[Any] = []
    since_sql = ""
    if since is not None:
        since_sql = " AND l.lastmodifieddate > TO_TIMESTAMP(?, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        params.append(since.strftime("%Y-%m-%dT%H:%M:%S"))
    query = SUITEQL.format(locations=", ".join(ids), since=since_sql)
    for page in hook.suiteql(query, params, watermark_column="item_id", watermark_expression="i.id"):
        yield [_suiteql_row(r) for r in page]


def inventory_pages(
    hook: NetSuiteHook, locations: Iterable[str], since: datetime | None
) -> tuple[Iterator[list[dict[str, Any]]], str]:
    """Every row once (by item and location), page by page as they arrive, and which source serves them.

    A full read takes one RESTlet cursor per location, side by side within the hook's concurrency
    share: the keyset cursor makes each stream sequential, so parallel streams are what brings the
    wall time down. A delta (a few changed items, usually none) takes one cursor over every location:
    a quiet 15 minutes costs one call however many warehouses there are. Pages are handed over as
    they come (a bounded queue), never gathered first."""
    source = inventory_source(hook)
    locations = sorted(set(locations), key=int)
    if source == "suiteql":
        return suiteql_pages(hook, locations, since), source
    streams = [[location] for location in locations] if since is None else [locations]
    return _parallel(hook, streams, since), source


def _parallel(hook: NetSuiteHook, streams: list[list[str]], since: datetime | None) -> Iterator[list[dict[str, Any]]]:
    limit = RESTLET_MAX_PAGE if since is None else RESTLET_PAGE
    pages: queue.Queue[list[dict[str, Any]] | BaseException | None] = queue.Queue(maxsize=2 * len(streams) or 1)
    stop = threading.Event()

    def stream(locations: list[str]) -> None:
        try:
            for page in restlet_pages(hook, locations, since, limit):
                if stop.is_set():
                    return
                pages.put(page)
        except BaseException as error:  # handed to the reader, which raises it
            pages.put(error)
        finally:
            pages.put(None)

    workers = max(1, min(hook.concurrency.limit, len(streams)))
    running, rows = len(streams), 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mns-inventory") as pool:
        for locations in streams:
            pool.submit(stream, locations)
        try:
            while running:
                page = pages.get()
                if page is None:
                    running -= 1
                elif isinstance(page, BaseException):
                    raise page
                else:
                    rows += len(page)
                    yield page
        finally:  # on an error or an early close: let the other streams stop, never block on a full queue
            stop.set()
            while running:
                running -= pages.get() is None
    log.info("extract: %d inventory row(s) from the RESTlet (since %s)", rows, since)
