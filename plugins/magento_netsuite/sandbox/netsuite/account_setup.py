"""What an account's setup decides about one integration, so ``check`` has something real to find.

By default everything is granted, deployed and exposed (the sandbox behaves as it always did).
``POST /_sandbox/account`` changes it; ``POST /_sandbox/reset`` restores the default:

* ``permissions``: ``{"Lists -> Items": "None" | "View" | "Create" | "Edit" | "Full"}`` overrides the
  role's level (default Full). Record calls need View (GET), Create (POST) or Edit (PATCH/PUT) of
  the record type's permission, else 403 ``INSUFFICIENT_PERMISSION`` "Permission Violation: ..."
  (the REST answer); a SuiteQL query touching a table without View fails like NetSuite's search
  layer: 400 ``Search error occurred: Record 'customer' was not found.``
* ``undeployed``: ``[[script, deploy], ...]`` answer ``SSS_INVALID_SCRIPTLET_ID`` like a RESTlet with
  no released deployment.
* ``hidden_columns``: ``["table.column", ...]`` a SuiteQL query naming them fails with
  ``Field 'column' for record 'table' was not found. Reason: NOT_EXPOSED - Not available for channel
  SEARCH`` (another edition, a feature that is off).
* ``administrator``: whether the role may read ``GET /services/rest/system/v1/governanceLimits``
  (NetSuite answers it for administrators only); ``integration_limit`` allocates this integration
  its own share of the account concurrency limit.

The account's reference lists the value maps point at (terms, payment methods, ship items,
subsidiaries, currencies) are tables here too (:func:`ensure_reference_lists`), created next to
the dataset's tables on the first SuiteQL query.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from magento_netsuite.sandbox.netsuite.concurrency import ConcurrencyLimit
from magento_netsuite.sandbox.netsuite.errors import RESTLET_PATH, NetSuiteError, restlet_error
from magento_netsuite.sandbox.netsuite.records import CURRENCIES, SUBSIDIARIES
from magento_netsuite.sandbox.netsuite.suiteql import UNKNOWN_PREFIX, SuiteQLError

LEVELS = ("None", "View", "Create", "Edit", "Full")
METHOD_LEVEL = {"GET": "View", "POST": "Create", "PATCH": "Edit", "PUT": "Edit", "DELETE": "Full"}

RECORD_PERMISSIONS = {
    "salesOrder": "Transactions -> Sales Order",
    "itemFulfillment": "Transactions -> Item Fulfillment",
    "customer": "Lists -> Customers",
    "inventoryItem": "Lists -> Items",
    "location": "Lists -> Locations",
    "priceLevel": "Setup -> Accounting Lists",
}
"""REST record type → the role permission NetSuite checks for it."""

TABLE_PERMISSIONS = {
    "item": "Lists -> Items",
    "inventoryitemlocations": "Lists -> Items",
    "pricing": "Lists -> Items",
    "shipitem": "Lists -> Items",
    "location": "Lists -> Locations",
    "customer": "Lists -> Customers",
    "customeritempricing": "Lists -> Customers",
    "transaction": "Transactions -> Find Transaction",
    "transactionline": "Transactions -> Find Transaction",
    "salesorder": "Transactions -> Find Transaction",
    "itemfulfillment": "Transactions -> Find Transaction",
    "pricelevel": "Setup -> Accounting Lists",
    "term": "Setup -> Accounting Lists",
    "paymentmethod": "Setup -> Accounting Lists",
    "subsidiary": "Lists -> Subsidiaries",
    "currency": "Lists -> Currency",
}
"""SuiteQL table → the role permission that exposes it."""

GOVERNANCE_LIMITS_PATH = "/services/rest/system/v1/governanceLimits"
_TABLE_REF = re.compile(r'(?i)\b(?:FROM|JOIN)\s+"?([A-Za-z_]\w*)"?')
_NOT_DEPLOYED = "That Suitelet is invalid, disabled, or no longer exists."

REFERENCE_LISTS: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    "term": (
        "id INTEGER PRIMARY KEY, name TEXT, isinactive TEXT DEFAULT 'F'",
        [(1, "Net 15"), (2, "Net 30"), (3, "Net 60"), (4, "Due on receipt"), (5, "1% 10 Net 30"), (6, "2% 10 Net 30")],
    ),
    "paymentmethod": (
        "id INTEGER PRIMARY KEY, name TEXT, isinactive TEXT DEFAULT 'F'",
        [(1, "Cash"), (2, "Check"), (3, "Discover"), (4, "Master Card"), (5, "VISA"), (6, "American Express"),
         (7, "Wire Transfer"), (8, "Purchase Order")],
    ),
    "shipitem": (
        "id INTEGER PRIMARY KEY, itemid TEXT, isinactive TEXT DEFAULT 'F'",
        [(101, "Flat Rate"), (102, "Table Rate"), (103, "Free Shipping"), (104, "UPS Ground")],
    ),
    # the OneWorld mode's own lists (records.py), so check and the record API agree on what exists
    "subsidiary": (
        "id INTEGER PRIMARY KEY, name TEXT, isinactive TEXT DEFAULT 'F'",
        [(sid, name) for sid, (name, _currency) in SUBSIDIARIES.items()],
    ),
    # ``symbol`` is the ISO code (NetSuite's Currency record: Name "US Dollar", Symbol "USD")
    "currency": (
        "id INTEGER PRIMARY KEY, name TEXT, symbol TEXT, isinactive TEXT DEFAULT 'F'",
        [(cid, code, code) for cid, code in CURRENCIES.items()],
    ),
}  # fmt: skip
"""Lists the value maps point at: table → (columns, rows of (id, name[, more columns in order])). A table
the dataset's own schema already has (e.g. ``subsidiary`` in OneWorld mode) is left as it is."""


@dataclass
class AccountSetup:
    permissions: dict[str, str] = field(default_factory=dict)
    undeployed: set[tuple[str, str]] = field(default_factory=set)
    hidden_columns: set[tuple[str, str]] = field(default_factory=set)
    administrator: bool = True
    integration_limit: int | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> AccountSetup:
        unknown = set(body) - {"permissions", "undeployed", "hidden_columns", "administrator", "integration_limit"}
        if unknown:
            raise ValueError(f"unknown account settings: {sorted(unknown)}")
        permissions = {str(k): str(v) for k, v in (body.get("permissions") or {}).items()}
        bad = {k: v for k, v in permissions.items() if v not in LEVELS}
        if bad:
            raise ValueError(f"permission levels must be one of {LEVELS}: {bad}")
        hidden = set()
        for name in body.get("hidden_columns") or []:
            table, _, column = str(name).lower().partition(".")
            if not column:
                raise ValueError(f"hidden column {name!r} must be table.column")
            hidden.add((table, column))
        limit = body.get("integration_limit")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise ValueError("integration_limit must be a positive integer")
        return cls(
            permissions=permissions,
            undeployed={(str(s), str(d)) for s, d in body.get("undeployed") or []},
            hidden_columns=hidden,
            administrator=bool(body.get("administrator", True)),
            integration_limit=limit,
        )

    def describe(self) -> dict[str, Any]:
        return {
            "permissions": dict(self.permissions),
            "undeployed": sorted([list(p) for p in self.undeployed]),
            "hidden_columns": sorted(f"{t}.{c}" for t, c in self.hidden_columns),
            "administrator": self.administrator,
            "integration_limit": self.integration_limit,
        }

    def level(self, permission: str) -> str:
        return self.permissions.get(permission, "Full")

    def allows(self, permission: str, needed: str) -> bool:
        return LEVELS.index(self.level(permission)) >= LEVELS.index(needed)


def permission_violation(permission: str, needed: str) -> NetSuiteError:
    """The REST answer to a role below the level a call needs (NetSuite's legacy wording, two spaces and all)."""
    return NetSuiteError(
        403,
        "INSUFFICIENT_PERMISSION",
        f"Permission Violation: You need  the '{permission}' permission ({needed} level) to access this page. "
        "Please contact your account administrator.",
    )


def authorize(setup: AccountSetup, request: Request) -> Response | None:
    """After authentication: the role's permission for a record call, the deployment of a RESTlet.

    Raises :class:`NetSuiteError` for a record call; returns the RESTlet error response to send, or None.
    """
    path = request.url.path
    if path == RESTLET_PATH:
        key = (request.query_params.get("script", ""), request.query_params.get("deploy", ""))
        if key in setup.undeployed:
            return restlet_error(400, "SSS_INVALID_SCRIPTLET_ID", _NOT_DEPLOYED)
        return None
    if path.startswith("/services/rest/record/v1/"):
        record_type = path.split("/")[5] if len(path.split("/")) > 5 else ""
        permission = RECORD_PERMISSIONS.get(record_type)
        needed = METHOD_LEVEL.get(request.method, "View")
        if permission and not setup.allows(permission, needed):
            raise permission_violation(permission, needed)
    return None


def check_query(setup: AccountSetup, query: str, conn: sqlite3.Connection) -> None:
    """Refuse a SuiteQL query the role or the edition cannot run, with NetSuite's search error."""
    ensure_reference_lists(conn)
    tables = {name.lower() for name in _TABLE_REF.findall(query)}
    for table in sorted(tables):
        permission = TABLE_PERMISSIONS.get(table)
        if permission and not setup.allows(permission, "View"):
            raise SuiteQLError(f"{UNKNOWN_PREFIX}Record '{table}' was not found.")
    for table, column in sorted(setup.hidden_columns):
        if table in tables and re.search(rf"(?i)\b{re.escape(column)}\b", query):
            raise SuiteQLError(
                f"{UNKNOWN_PREFIX}Field '{column}' for record '{table}' was not found. "
                "Reason: NOT_EXPOSED - Not available for channel SEARCH"
            )


def ensure_reference_lists(conn: sqlite3.Connection) -> None:
    """The account's terms, payment methods, ship items, subsidiaries and currencies (idempotent)."""
    existing = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    for table, (columns, rows) in REFERENCE_LISTS.items():
        if table in existing:
            continue
        names = [column.split()[0] for column in columns.split(", ")][: len(rows[0])]
        conn.execute(f"CREATE TABLE {table} ({columns})")
        conn.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", rows)


def governance_limits(setup: AccountSetup, limiter: ConcurrencyLimit) -> dict[str, Any]:
    """``GET /services/rest/system/v1/governanceLimits`` as NetSuite answers it (no allocation = accountLimit)."""
    if not setup.administrator:
        raise NetSuiteError(
            403,
            "INSUFFICIENT_PERMISSION",
            "Permission Violation: The governanceLimits operation is available to administrators only.",
        )
    allocated = setup.integration_limit or 0
    body: dict[str, Any] = {
        "accountConcurrencyLimit": limiter.limit,
        "accountUnallocatedConcurrencyLimit": max(0, limiter.limit - allocated),
    }
    if setup.integration_limit:
        body |= {"integrationConcurrencyLimit": setup.integration_limit, "integrationLimitType": "integrationSpecific"}
    else:
        body["integrationLimitType"] = "accountLimit"
    return body


def routers(box: dict[str, Any], authenticate: Any, limiter: ConcurrencyLimit) -> tuple[APIRouter, APIRouter]:
    """``(api, control)``: governanceLimits and ``/_sandbox/account``; ``box["setup"]`` holds the setup."""
    api = APIRouter()
    control = APIRouter(prefix="/_sandbox")

    @api.get(GOVERNANCE_LIMITS_PATH)
    def limits(request: Request) -> Response:
        authenticate(request)
        return JSONResponse(governance_limits(box["setup"], limiter))

    @control.get("/account")
    def show() -> Response:
        return JSONResponse(box["setup"].describe())

    @control.post("/account")
    async def change(request: Request) -> Response:
        try:
            box["setup"] = AccountSetup.from_json(await request.json())
        except (ValueError, TypeError) as exc:
            raise NetSuiteError(400, "INVALID_REQUEST", f"invalid account setup: {exc}") from None
        return JSONResponse(box["setup"].describe())

    return api, control
