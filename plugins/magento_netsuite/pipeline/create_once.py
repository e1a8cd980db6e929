"""Create a NetSuite record keyed by its ``externalId`` exactly once, even when the answer is lost.

A ``POST`` whose outcome is unknown (a timeout after the body went out, a connection reset, any 5xx)
may or may not have created the record. The error's wording is never parsed to tell: NetSuite does
not document the wording of its duplicate-externalId rejection. Instead, whenever a create fails for
any reason but credentials, the record is looked up by its externalId: if it is there, that is the
answer (created by a lost attempt of ours, or by a concurrent run); if not, the original error stands
(transient: the task retries; record-level: the caller quarantines with NetSuite's field path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from magento_netsuite.connectors.errors import AuthError, NotFoundError, SyncError
from magento_netsuite.connectors.netsuite import NetSuiteHook


def find_by_external_id(hook: NetSuiteHook, record_type: str, external_id: str) -> str | None:
    """The internal id of the ``record_type`` whose externalId is ``external_id``, or None."""
    try:
        return str(hook.get_record(record_type, f"eid:{external_id}", fields=["id"])["id"])
    except NotFoundError:
        return None


def create_once(hook: NetSuiteHook, record_type: str, body: Mapping[str, Any]) -> tuple[str, bool]:
    """``POST`` the record; returns ``(internal id, created by this call's answer)``.

    ``False`` means the record was found by its externalId after a failed or unanswered POST: the
    caller's creation ledger says whether this run made it (a lost answer) or someone else did.
    """
    external_id = str(body["externalId"])
    try:
        return hook.create_record(record_type, dict(body)), True
    except AuthError:
        raise
    except SyncError:
        existing = find_by_external_id(hook, record_type, external_id)
        if existing is None:
            raise
        return existing, False
