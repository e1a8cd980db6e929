"""Create a NetSuite record keyed by its ``externalId`` exactly once, even when the answer is lost.

A ``POST`` whose outcome is unknown (a timeout after the body went out, a connection reset, any 5xx)
may or may not have created the record. The error's wording is never parsed to tell: NetSuite does
not document the wording of its duplicate-externalId rejection. Instead, whenever a create fails for
any reason but credentials, the record is looked up by its externalId: if it is there, that is the
answer (created by a lost attempt of ours, or by a concurrent run); if not, the original error stands
(transient: sent again a few times, then the task retries; record-level: the caller quarantines with
NetSuite's field path).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from magento_netsuite.connectors.errors import AuthError, NotFoundError, SyncError, TransientError
from magento_netsuite.connectors.netsuite import NetSuiteHook

log = logging.getLogger(__name__)
UNKNOWN_OUTCOME_ATTEMPTS = 3
"""POSTs of one record whose outcome stays unknown before the error goes to the task's retry."""


def find_by_external_id(hook: NetSuiteHook, record_type: str, external_id: str) -> str | None:
    """The internal id of the ``record_type`` whose externalId is ``external_id``, or None."""
    try:
        return str(hook.get_record(record_type, f"eid:{external_id}", fields=["id"])["id"])
    except NotFoundError:
        return None


def create_once(
    hook: NetSuiteHook, record_type: str, body: Mapping[str, Any], attempts: int = UNKNOWN_OUTCOME_ATTEMPTS
) -> tuple[str, bool]:
    """``POST`` the record; returns ``(internal id, created by this call's answer)``.

    ``False`` means the record was found by its externalId after a failed or unanswered POST: the
    caller's creation ledger says whether this run made it (a lost answer) or someone else did. An
    unanswered POST whose record is not there (yet) is sent again, up to ``attempts`` POSTs in all:
    NetSuite refuses a second record with the same externalId, so a resend can never duplicate (if the
    first one lands meanwhile, the resend's rejection leads to the lookup that finds it).
    """
    external_id = str(body["externalId"])
    for attempt in range(1, attempts + 1):
        try:
            return hook.create_record(record_type, dict(body)), True
        except AuthError:
            raise
        except TransientError:
            existing = find_by_external_id(hook, record_type, external_id)
            if existing is not None:
                return existing, False
            if attempt == attempts:
                raise
            log.info("POST %s %s: outcome unknown and not there (yet); sending again", record_type, external_id)
        except SyncError:
            existing = find_by_external_id(hook, record_type, external_id)
            if existing is None:
                raise
            return existing, False
    raise AssertionError("unreachable: the last attempt returns or raises")
