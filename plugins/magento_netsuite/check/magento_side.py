"""Magento: authentication, the integration's ACL resources per flow, and the store's lists."""

from __future__ import annotations

from dataclasses import dataclass, field

from magento_netsuite.check.needs import CHECK_MAGENTO_ACL, FLOW_NEEDS
from magento_netsuite.connectors.diagnostics import (
    FAILED,
    MAGENTO_PROBES,
    OK,
    SKIPPED,
    Finding,
    magento_auth,
    probe_magento,
)
from magento_netsuite.connectors.errors import SyncError
from magento_netsuite.connectors.magento import MagentoHook

SECTION = "magento"


def acl_needs() -> dict[str, list[str]]:
    """ACL resource → the reasons (``flow: why``) it is needed, flows first, then ``check`` itself."""
    needs: dict[str, list[str]] = {}
    for flow in FLOW_NEEDS:
        for resource, why in flow.magento_acl.items():
            needs.setdefault(resource, []).append(f"{flow.flow}: {why}")
    for resource, why in CHECK_MAGENTO_ACL.items():
        needs.setdefault(resource, []).append(f"check: {why}")
    return needs


def _acl_fix(resource: str) -> str:
    return (
        f"System > Extensions > Integrations > (the integration) > API: tick {resource} in the resource tree "
        "(or Resource Access = All), Save, then Reauthorize; copy the tokens into the connection if they changed"
    )


@dataclass
class StoreLists:
    """What the store has, for the value-map and settings checks (None = could not be read)."""

    sources: set[str] | None = None
    group_codes: set[str] | None = None
    group_ids: set[str] | None = None
    websites: set[str] | None = None
    attribute_sets: set[str] | None = None
    errors: dict[str, str] = field(default_factory=dict)


def check_magento(hook: MagentoHook) -> tuple[list[Finding], StoreLists]:
    needs = acl_needs()
    try:
        hook.get_conn()
    except SyncError:
        return [magento_auth(hook)], StoreLists()  # the connection itself is incomplete; it says what is missing
    probes = probe_magento(hook, [*needs, *MAGENTO_PROBES])  # all of them: the auth line reads as Test's
    auth = magento_auth(hook, probes)
    findings = [auth]
    if not auth.ok:
        findings += [
            Finding(SECTION, f"Magento ACL {r}", SKIPPED, "not checked: Magento refused the credentials") for r in needs
        ]
        return findings, StoreLists()
    for resource, reasons in needs.items():
        probe = probes[resource]
        subject = f"Magento ACL {resource}"
        why = "; ".join(reasons)
        if probe.granted:
            findings.append(Finding(SECTION, subject, OK, f"granted ({why})"))
        elif probe.refused_auth:
            findings.append(
                Finding(SECTION, subject, FAILED, f"refused: {probe.error} (needed for {why})", _acl_fix(resource))
            )
        else:
            findings.append(Finding(SECTION, subject, FAILED, f"probe failed: {probe.error}"))
    return findings, read_store_lists(hook, probes)


def read_store_lists(hook: MagentoHook, probes: dict) -> StoreLists:
    lists = StoreLists()

    def read(resource: str, name: str, load):  # type: ignore[no-untyped-def]
        if not probes[resource].granted:
            lists.errors[name] = f"not readable: the integration lacks {resource}"
            return None
        try:
            return load()
        except SyncError as exc:
            lists.errors[name] = str(exc)
            return None

    def everything(resource: str) -> list[dict]:
        return [row for page in hook.search(resource, page_size=300) for row in page]

    sources = read("Magento_InventoryApi::source", "sources", lambda: everything("inventory/sources"))
    lists.sources = {str(s["source_code"]) for s in sources} if sources is not None else None
    groups = read("Magento_Customer::group", "customer groups", lambda: everything("customerGroups/search"))
    if groups is not None:
        lists.group_codes = {str(g.get("code")) for g in groups}
        lists.group_ids = {str(g.get("id")) for g in groups}
    websites = read("Magento_Backend::store", "websites", lambda: hook.get("V1/store/websites"))
    lists.websites = {str(w.get("id")) for w in websites} if websites is not None else None
    sets = read("Magento_Catalog::sets", "attribute sets", lambda: everything("products/attribute-sets/sets/list"))
    lists.attribute_sets = {str(s.get("attribute_set_id")) for s in sets} if sets is not None else None
    return lists
