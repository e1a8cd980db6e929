"""Findings about a connection: one verdict, what was seen, and the exact setting to change.

The hooks' ``test_connection`` (the Airflow connection form's **Test** button) and
``python -m magento_netsuite check`` build their authentication verdicts here, so both say the
same thing in the same words. Probes only read, or write to an id that cannot exist (Magento and
NetSuite check the caller's access before they look the record up), so running them against a
production account changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from magento_netsuite.connectors import search_criteria
from magento_netsuite.connectors.errors import AuthError, NotFoundError, SyncError

if TYPE_CHECKING:
    from magento_netsuite.connectors.magento import MagentoHook
    from magento_netsuite.connectors.netsuite import NetSuiteHook

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
MARKS = {OK: "✓", FAILED: "✗", SKIPPED: "–"}


@dataclass(frozen=True)
class Finding:
    """One line of ``check``: ``status`` is ok, failed or skipped (not checked, and why)."""

    section: str
    subject: str
    status: str
    message: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status != FAILED

    def line(self) -> str:
        text = f"{MARKS[self.status]} {self.subject}: {self.message}"
        return f"{text}\n    fix: {self.fix}" if self.fix and self.status == FAILED else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "subject": self.subject,
            "status": self.status,
            "message": self.message,
            "fix": self.fix,
        }


# ---------------------------------------------------------------------------------------- Magento

MAGENTO_PROBES: dict[str, tuple[str, str, Any]] = {
    "Magento_Sales::actions_view": ("GET", "V1/orders", None),
    "Magento_Sales::comment": ("POST", "V1/orders/0/comments", {"statusHistory": {"comment": "", "parent_id": 0}}),
    "Magento_Sales::ship": ("POST", "V1/order/0/ship", {}),
    "Magento_Sales::cancel": ("POST", "V1/orders/0/cancel", {}),
    "Magento_Sales::shipment": ("GET", "V1/shipments", None),
    "Magento_Customer::manage": ("GET", "V1/customers/search", None),
    "Magento_Customer::group": ("GET", "V1/customerGroups/search", None),
    "Magento_Catalog::products": ("GET", "V1/products", None),
    "Magento_Catalog::sets": ("GET", "V1/products/attribute-sets/sets/list", None),
    "Magento_InventoryApi::source": ("GET", "V1/inventory/sources", None),
    "Magento_InventoryApi::source_item": ("GET", "V1/inventory/source-items", None),
    "Magento_Backend::store": ("GET", "V1/store/websites", None),
    "Magento_Logging::system_magento_logging_bulk_operations": (
        "GET",
        "V1/bulk/00000000-0000-0000-0000-000000000000/status",
        None,
    ),
}
"""ACL resource → a call that needs exactly it: a one-row read, or a write to entity id 0 (never exists)."""


@dataclass(frozen=True)
class Probe:
    """The answer to one probe: granted, or the error that refused it."""

    granted: bool
    error: SyncError | None = None

    @property
    def refused_auth(self) -> bool:
        return isinstance(self.error, AuthError)


def probe_magento(hook: MagentoHook, resources: Iterable[str]) -> dict[str, Probe]:
    """Call each resource's probe once; a 404/400 past the ACL check counts as granted."""
    results: dict[str, Probe] = {}
    for resource in dict.fromkeys(resources):
        method, path, body = MAGENTO_PROBES[resource]
        params = search_criteria.build_params(page_size=1, current_page=1) if method == "GET" else None
        try:
            hook.request(method, path, params=params, json=body, idempotent=True)
            results[resource] = Probe(True)
        except AuthError as exc:
            results[resource] = Probe(False, exc)
        except (NotFoundError, SyncError) as exc:
            # NotFound: the ACL let us through to a record that does not exist; a record error
            # (bad body) also comes after the ACL check. Anything transient is a real failure.
            granted = isinstance(exc, NotFoundError) or (exc.status is not None and 400 <= exc.status < 500)
            results[resource] = Probe(granted, None if granted else exc)
    return results


def magento_auth_fix(hook: MagentoHook) -> str:
    conn = hook.magento_conn_id
    if hook.auth_mode == "bearer":
        return (
            f"connection {conn}: put the integration's Access Token in the password field; Magento 2.4.4+ refuses "
            "integration tokens as bearer tokens unless Stores > Configuration > Services > OAuth > Consumer Settings "
            "> 'Allow OAuth Access Tokens to be used as standalone Bearer tokens' is Yes; or set extra auth=oauth1 "
            "with consumer_key, consumer_secret, access_token, access_token_secret"
        )
    return (
        f"connection {conn}: copy consumer_key, consumer_secret, access_token, access_token_secret from System > "
        "Extensions > Integrations > (your integration) > Integration Details into the extras; the host must be "
        "the store's base URL"
    )


def magento_auth(hook: MagentoHook, probes: dict[str, Probe] | None = None) -> Finding:
    """Authenticated when any probe got past authentication; Magento names the resource it refused."""
    subject = "Magento auth"
    try:
        hook.get_conn()
        probes = probes if probes is not None else probe_magento(hook, MAGENTO_PROBES)
    except AuthError as exc:
        return Finding("magento", subject, FAILED, str(exc), magento_auth_fix(hook))
    except SyncError as exc:
        return Finding("magento", subject, FAILED, f"{hook.base_url} unreachable: {exc}", _host_fix(hook))
    subject = f"Magento auth ({hook.auth_mode})"
    if any(p.granted for p in probes.values()):
        granted = sum(p.granted for p in probes.values())
        return Finding(
            "magento",
            subject,
            OK,
            f"{hook.base_url} accepted the integration; {granted} of {len(probes)} API resources granted",
        )
    first = next((p.error for p in probes.values() if p.error is not None), None)
    if first is not None and not isinstance(first, AuthError):
        return Finding("magento", subject, FAILED, f"{hook.base_url} unreachable: {first}", _host_fix(hook))
    return Finding("magento", subject, FAILED, f"every call refused: {first}", magento_auth_fix(hook))


def _host_fix(hook: Any) -> str:
    return f"connection {hook.http_conn_id}: host must be the base URL the API answers on (scheme, host, port)"


# ---------------------------------------------------------------------------------------- NetSuite


def netsuite_auth_fix(hook: NetSuiteHook) -> str:
    conn = hook.netsuite_conn_id
    if hook.auth_mode == "oauth2":
        return (
            f"connection {conn}: extras client_id (the integration record's Client ID), certificate_id (Setup > "
            "Integration > OAuth 2.0 Client Credentials (M2M) Setup, the certificate mapped to this integration, "
            "entity and role) and private_key (the PEM key of that certificate), jwt_algorithm matching the key; "
            "the reason NetSuite refused is in Setup > Users/Roles > User Management > View Login Audit Trail"
        )
    return (
        f"connection {conn}: extras consumer_key and consumer_secret (the integration record) and token_id and "
        "token_secret (Setup > Users/Roles > Access Tokens, created for that integration, user and role); "
        "account_id must be the account (e.g. 1234567_SB1 for a sandbox); the reason NetSuite refused is in "
        "Setup > Users/Roles > User Management > View Login Audit Trail"
    )


def netsuite_auth(hook: NetSuiteHook) -> Finding:
    """One SuiteQL row: refused with 401 (or no token) = credentials; any other answer = authenticated."""
    subject = "NetSuite auth"
    try:
        hook.get_conn()
        subject = f"NetSuite auth ({hook.auth_mode})"
        rows = next(hook.suiteql("SELECT id FROM currency FETCH FIRST 1 ROWS ONLY", page_size=1), [])
        detail = f"{len(rows)} currency row read"
    except AuthError as exc:
        if exc.code != "INSUFFICIENT_PERMISSION":
            return Finding("netsuite", subject, FAILED, str(exc), netsuite_auth_fix(hook))
        detail = "authenticated (the role lacks a permission, see below)"
    except SyncError as exc:
        if exc.status is None or exc.status >= 500:
            return Finding("netsuite", subject, FAILED, f"{hook.rest_base} unreachable: {exc}", _host_fix(hook))
        detail = "authenticated (the query was refused, see below)"
    return Finding("netsuite", subject, OK, f"account {hook.account_id} accepted the credentials: {detail}")
