"""NetSuite: authentication, the role's permissions, the RESTlets, the SuiteQL columns, the limit.

Every answer comes from the account: a one-row read per record type (View), a PATCH of internal id
0 (Edit: NetSuite checks the role before it looks the record up, and id 0 never exists), a call of
each deployed RESTlet, and a ``FETCH FIRST 1 ROWS ONLY`` query per table selecting exactly the
columns the flows use; when that fails, one query per column says which one the account lacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from magento_netsuite.check import sdf
from magento_netsuite.check.needs import FLOW_NEEDS, RESTLET_SWITCHES, SUITEQL_TABLE_PERMISSIONS, RecordNeed
from magento_netsuite.connectors.diagnostics import FAILED, OK, SKIPPED, Finding, netsuite_auth
from magento_netsuite.connectors.errors import AuthError, NotFoundError, RecordError, SyncError
from magento_netsuite.connectors.netsuite import NetSuiteHook

SECTION = "netsuite"
NOT_DEPLOYED = "SSS_INVALID_SCRIPTLET_ID"
GOVERNANCE_LIMITS = "/services/rest/system/v1/governanceLimits"
_RECORD_NOT_FOUND = re.compile(r"Record '([^']+)' was not found")
_ROLE_FIX = "Setup > Users/Roles > Manage Roles > (the integration's role) > Permissions"


def check_netsuite(hook: NetSuiteHook, restlets: Iterable[sdf.Restlet]) -> list[Finding]:
    auth = netsuite_auth(hook)
    if not auth.ok:
        return [auth, Finding(SECTION, "NetSuite account", SKIPPED, "not checked: NetSuite refused the credentials")]
    return [auth, *record_permissions(hook), *restlet_deployments(hook, restlets), *suiteql_columns(hook)]


# ------------------------------------------------------------------------------ role permissions


def _record_needs() -> dict[tuple[str, str, str], list[str]]:
    needs: dict[tuple[str, str, str], list[str]] = {}
    for flow in FLOW_NEEDS:
        for need in flow.netsuite_records:
            needs.setdefault((need.record_type, need.permission, need.level), []).append(f"{flow.flow}: {need.why}")
    return needs


def _permission_fix(permission: str, level: str) -> str:
    tab, _, name = permission.partition(" -> ")
    return f"{_ROLE_FIX} > {tab}: add '{name}' at level {level} (or higher), save"


def record_permissions(hook: NetSuiteHook) -> list[Finding]:
    findings = []
    for (record_type, permission, level), reasons in _record_needs().items():
        subject = f"NetSuite role: {permission} ({level})"
        why = "; ".join(reasons)
        refusal = _probe_record(hook, RecordNeed(record_type, permission, level, why))
        if refusal is None:
            findings.append(Finding(SECTION, subject, OK, f"{record_type} {level.lower()} allowed ({why})"))
        else:
            findings.append(
                Finding(SECTION, subject, FAILED, f"{refusal} (needed for {why})", _permission_fix(permission, level))
            )
    return findings


def _probe_record(hook: NetSuiteHook, need: RecordNeed) -> str | None:
    """None when the role may; else NetSuite's refusal."""
    try:
        hook.request("GET", hook.record_url(need.record_type), params={"limit": 1})
        if need.level != "View":
            hook.request("PATCH", hook.record_url(need.record_type, "0"), json={}, idempotent=True)
    except NotFoundError:
        return None  # past the permission check, to a record that does not exist
    except AuthError as exc:
        return str(exc)
    except RecordError:
        return None  # the body was judged, so the role was allowed
    return None


# ------------------------------------------------------------------------------ RESTlets


def restlet_deployments(hook: NetSuiteHook, restlets: Iterable[sdf.Restlet]) -> list[Finding]:
    findings = []
    for restlet in restlets:
        switch = RESTLET_SWITCHES.get(restlet.script_id)
        if switch and str(hook.extras.get(switch[0], "")).lower() == switch[1]:
            findings.append(
                Finding(SECTION, f"NetSuite RESTlet {restlet.script_id}", SKIPPED, f"not used: {switch[0]}={switch[1]}")
            )
            continue
        for deploy in restlet.deployment_ids:
            subject = f"NetSuite RESTlet {restlet.script_id}/{deploy}"
            try:
                hook.restlet(restlet.script_id, deploy, "GET", {"limit": 1})
            except SyncError as exc:
                if exc.code == NOT_DEPLOYED:
                    findings.append(Finding(SECTION, subject, FAILED, f"not deployed: {exc}", _deploy_fix(restlet)))
                    continue
                if isinstance(exc, AuthError) or exc.status is None or exc.status >= 500:
                    findings.append(Finding(SECTION, subject, FAILED, f"call failed: {exc}", _deploy_fix(restlet)))
                    continue
                if exc.status == HTTP_OK:  # the script ran and answered its own error: it cannot work here
                    message = f"deployed, but answers an error: {exc}"
                    findings.append(Finding(SECTION, subject, FAILED, message, RUN_FIX))
                    continue
            findings.append(Finding(SECTION, subject, OK, f"deployed and answering ({restlet.name})"))
    return findings


HTTP_OK = 200
RUN_FIX = (
    "the RESTlet's SuiteQL runs with the integration role: give it the permissions in "
    "include/netsuite/README.md (The integration role: permissions); a column the account does not "
    "expose: docs/netsuite-columns.md"
)


def _deploy_fix(restlet: sdf.Restlet) -> str:
    deployments = ", ".join(restlet.deployment_ids)
    switch = RESTLET_SWITCHES.get(restlet.script_id)
    instead = f"; or set the connection extra {switch[0]}={switch[1]} to do without it" if switch else ""
    return (
        f"cd include/netsuite && suitecloud project:deploy (deploys {restlet.source.name}: script "
        f"{restlet.script_id}, deployment {deployments}, status Released, audience incl. the integration's role); "
        f"see include/netsuite/README.md{instead}"
    )


# ------------------------------------------------------------------------------ SuiteQL columns


def _columns_by_table() -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for flow in FLOW_NEEDS:
        for table, columns in flow.suiteql.items():
            known = tables.setdefault(table, [])
            known.extend(c for c in columns if c not in known)
    return tables


def _probe_columns(hook: NetSuiteHook, table: str, columns: list[str]) -> None:
    next(hook.suiteql(f"SELECT {', '.join(columns)} FROM {table} FETCH FIRST 1 ROWS ONLY", page_size=1), None)


def suiteql_columns(hook: NetSuiteHook) -> list[Finding]:
    findings = []
    for table, columns in _columns_by_table().items():
        subject = f"NetSuite SuiteQL {table}"
        try:
            _probe_columns(hook, table, columns)
        except SyncError as exc:
            findings.append(_diagnose_table(hook, table, columns, exc))
            continue
        findings.append(Finding(SECTION, subject, OK, f"columns present: {', '.join(columns)}"))
    return findings


def _diagnose_table(hook: NetSuiteHook, table: str, columns: list[str], error: SyncError) -> Finding:
    subject = f"NetSuite SuiteQL {table}"
    if _RECORD_NOT_FOUND.search(str(error)):
        permission = SUITEQL_TABLE_PERMISSIONS.get(table, "the permission for this record type")
        return Finding(
            SECTION,
            subject,
            FAILED,
            f"the role cannot query {table}: {error}",
            _permission_fix(permission, "View") if " -> " in permission else f"{_ROLE_FIX}: {permission}",
        )
    missing = []
    for column in columns:
        try:
            _probe_columns(hook, table, [column])
        except SyncError as exc:
            missing.append(f"{column} ({_search_error(exc)})")
    if not missing:
        return Finding(SECTION, subject, FAILED, f"query failed: {error}")
    return Finding(
        SECTION,
        subject,
        FAILED,
        f"missing in this account: {'; '.join(missing)}",
        f"the flows select {table}.{', '.join(columns)}; enable the feature that exposes the missing column(s) "
        "(Setup > Company > Enable Features) or see include/netsuite/README.md, 'SuiteQL columns', for the "
        "documented substitute",
    )


def _search_error(exc: SyncError) -> str:
    text = str(exc)
    marker = "Search error occurred: "
    return text.split(marker, 1)[1].split(" code=")[0] if marker in text else text


# ------------------------------------------------------------------------------ concurrency


def concurrency_limit(hook: NetSuiteHook, pool_slots: int | None, pool_name: str) -> Finding:
    """The ``governanceLimits`` operation (administrators only) against the Airflow pool's slots."""
    subject = f"NetSuite concurrency vs pool {pool_name}"
    try:
        body = hook.request("GET", f"{hook.rest_base}{GOVERNANCE_LIMITS}").json()
    except AuthError as exc:
        if exc.code == "INSUFFICIENT_PERMISSION":
            return Finding(
                SECTION,
                subject,
                SKIPPED,
                "NetSuite reports the limit to administrators only; compare the pool with Setup > Integration > "
                "Integration Management > Integration Governance by hand",
            )
        return Finding(SECTION, subject, FAILED, str(exc))
    except SyncError as exc:
        return Finding(SECTION, subject, SKIPPED, f"the account did not report its limit: {exc}")
    limit, scope = _our_limit(body)
    if pool_slots is None:
        return Finding(
            SECTION,
            subject,
            FAILED,
            f"pool {pool_name} does not exist (the {scope} is {limit})",
            f"airflow pools set {pool_name} {limit} 'NetSuite concurrency share'",
        )
    if pool_slots > limit:
        return Finding(
            SECTION,
            subject,
            FAILED,
            f"pool {pool_name} has {pool_slots} slots but the {scope} is {limit}: NetSuite would refuse the excess "
            "with 429 CONCURRENCY_LIMIT_EXCEEDED",
            f"airflow pools set {pool_name} {limit} 'NetSuite concurrency share' (or raise the limit in NetSuite: "
            "Setup > Integration > Integration Management > Integration Governance)",
        )
    return Finding(SECTION, subject, OK, f"pool {pool_name} has {pool_slots} slots, within the {scope} of {limit}")


def _our_limit(body: dict) -> tuple[int, str]:
    """The limit that binds this integration: its own allocation, else the account's unallocated share."""
    if body.get("integrationConcurrencyLimit") is not None:
        return int(body["integrationConcurrencyLimit"]), "integration's concurrency limit"
    if body.get("accountUnallocatedConcurrencyLimit") is not None:
        return int(body["accountUnallocatedConcurrencyLimit"]), "account's unallocated concurrency limit"
    return int(body["accountConcurrencyLimit"]), "account concurrency limit"
