"""Extract: NetSuite customers handed over from Magento and changed after the flow's cursor.

One SuiteQL query lists them in change order (``lastmodifieddate``, id); each record is then read
through the REST record API with its sublists (the address book is not a column of ``customer``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from magento_netsuite.connectors.errors import NotFoundError
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.customer_master.constants import EXTERNAL_ID_PREFIX, RECORD_TYPE
from magento_netsuite.pipeline.watermark import Cursor, Window, parse_time
from magento_netsuite.pipeline.writes import write_all

KEY_WIDTH = 12
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
CHANGED = (
    "SELECT id FROM customer WHERE externalid LIKE ? AND isinactive = 'F'{since} "
    "AND lastmodifieddate < TO_TIMESTAMP(?, 'YYYY-MM-DD\"T\"HH24:MI:SS') ORDER BY lastmodifieddate, id"
)


def customer_key(record: dict[str, Any]) -> str:
    """The NetSuite customer's externalId (``MAG-CUST-<Magento id>``): one key in both systems."""
    return str(record.get("externalId"))


def magento_id(key: str) -> int | None:
    """The Magento customer id of an externalId ``MAG-CUST-<id>`` (None for anything else)."""
    rest = key.removeprefix(EXTERNAL_ID_PREFIX)
    return int(rest) if rest != key and rest.isdigit() else None


def customer_cursor(record: dict[str, Any]) -> Cursor:
    changed = record.get("lastModifiedDate")
    if not changed:
        raise ValueError(f"customer {record.get('id')!r}: no lastModifiedDate to order it by")
    return Cursor(parse_time(changed, what="lastModifiedDate"), f"{int(record.get('id') or 0):0{KEY_WIDTH}d}")


def read_records(hook: NetSuiteHook, ids: list[str], *, workers: int) -> list[dict[str, Any]]:
    """The full records (with the address book) of these internal ids, in the given order; gone ones left out."""

    def read(internal_id: str) -> dict[str, Any] | None:
        try:
            return hook.get_record(RECORD_TYPE, internal_id, expand=True)
        except NotFoundError:
            return None

    return [r for r in write_all(ids, read, workers=workers, what="customer read(s)", system="netsuite") if r]


def changed_customers(hook: NetSuiteHook, window: Window, *, workers: int) -> Iterator[list[dict[str, Any]]]:
    params: list[Any] = [f"{EXTERNAL_ID_PREFIX}%"]
    since = ""
    if window.since is not None:
        since = " AND lastmodifieddate >= TO_TIMESTAMP(?, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        params.append(window.since.at.strftime(TIME_FORMAT))
    params.append(window.until.strftime(TIME_FORMAT))
    for page in hook.suiteql(CHANGED.format(since=since), params):
        yield read_records(hook, [str(r["id"]) for r in page], workers=workers)


def records_by_external_id(hook: NetSuiteHook, keys: Iterable[str], *, workers: int) -> dict[str, dict[str, Any]]:
    """The current NetSuite customers of these externalIds (replay)."""

    def read(key: str) -> dict[str, Any] | None:
        try:
            return hook.get_record(RECORD_TYPE, f"eid:{key}", expand=True)
        except NotFoundError:
            return None

    found = write_all(sorted(set(keys)), read, workers=workers, what="customer read(s)", system="netsuite")
    return {customer_key(r): r for r in found if r}
