"""Run every check against the configured connections and render the report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from magento_netsuite.check import sdf
from magento_netsuite.check.magento_side import StoreLists, check_magento
from magento_netsuite.check.netsuite_side import check_netsuite, concurrency_limit
from magento_netsuite.check.value_maps import check_magento_codes, check_netsuite_ids
from magento_netsuite.config import MAGENTO_CONN_ID, MAPPINGS_DIR, NETSUITE_CONN_ID, NETSUITE_POOL
from magento_netsuite.connectors.diagnostics import FAILED, MARKS, SKIPPED, Finding
from magento_netsuite.connectors.errors import SyncError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.governance import MappingDocumentError, load_mapping_document

SECTIONS = ("magento", "netsuite", "value maps", "airflow")


@dataclass(frozen=True)
class Options:
    magento_conn_id: str = MAGENTO_CONN_ID
    netsuite_conn_id: str = NETSUITE_CONN_ID
    mappings_dir: Path = MAPPINGS_DIR
    objects_dir: Path = sdf.OBJECTS_DIR
    pool: str = NETSUITE_POOL
    pool_slots: int | None = None
    """Compare with this many slots instead of reading the pool from Airflow's metadata database."""


def run_checks(options: Options) -> list[Finding]:
    magento = MagentoHook(options.magento_conn_id, max_concurrency=1)
    netsuite = NetSuiteHook(options.netsuite_conn_id, max_concurrency=1)
    for hook in (magento, netsuite):
        _report_quickly(hook)
    try:
        magento_findings, store = check_magento(magento)
        netsuite_findings = check_netsuite(netsuite, sdf.restlets(options.objects_dir))
        findings = [*magento_findings, *netsuite_findings]
        netsuite_ok = netsuite_findings[0].status != FAILED
        findings += value_map_findings(netsuite if netsuite_ok else None, store, options.mappings_dir)
        if netsuite_ok:
            findings.append(pool_finding(netsuite, options))
        return findings
    finally:
        magento.close()
        netsuite.close()


def _report_quickly(hook: MagentoHook | NetSuiteHook) -> None:
    """At most two tries per call and 30 s: a check reports an outage, it does not ride it out."""
    try:
        hook.get_conn()
    except SyncError:
        return  # an incomplete connection: the auth check reports what is missing
    policy = hook.retry_policy
    hook.retry_policy = replace(
        policy, max_attempts=min(2, policy.max_attempts), max_elapsed=min(30.0, policy.max_elapsed)
    )


def value_map_findings(netsuite: NetSuiteHook | None, store: StoreLists, mappings_dir: Path) -> list[Finding]:
    try:
        maps = load_mapping_document(mappings_dir).value_maps
    except MappingDocumentError as exc:
        return [Finding("value maps", "mapping document", FAILED, str(exc), "fix the files named above")]
    findings = check_magento_codes(store, maps, mappings_dir)
    if netsuite is None:
        return [*findings, Finding("value maps", "NetSuite ids", SKIPPED, "not checked: NetSuite auth failed")]
    return [*check_netsuite_ids(netsuite, maps, mappings_dir), *findings]


def pool_finding(netsuite: NetSuiteHook, options: Options) -> Finding:
    if options.pool_slots is not None:
        return concurrency_limit(netsuite, options.pool_slots, options.pool)
    try:
        slots = pool_slots(options.pool)
    except SQLAlchemyError as exc:
        return Finding(
            "netsuite",
            f"NetSuite concurrency vs pool {options.pool}",
            SKIPPED,
            f"not checked: Airflow's metadata database is not readable here ({type(exc).__name__}); "
            "run check where the scheduler runs, or pass --pool-slots",
        )
    return concurrency_limit(netsuite, slots, options.pool)


def pool_slots(pool: str) -> int | None:
    """Slots of the Airflow pool (None when it does not exist), read from the metadata database."""
    from airflow.models.pool import Pool  # the metadata DB is only needed here (a CLI, never a task)

    found = Pool.get_pool(pool)
    return None if found is None else int(found.slots)


def render_text(findings: Sequence[Finding]) -> str:
    out = []
    for section in SECTIONS:
        lines = [f.line() for f in findings if f.section == section]
        if lines:
            out += [f"{section.upper()}", *lines, ""]
    failed = sum(1 for f in findings if f.status == FAILED)
    skipped = sum(1 for f in findings if f.status == SKIPPED)
    verdict = f"{MARKS['failed']} {failed} of {len(findings)} checks failed" if failed else f"{MARKS['ok']} all passed"
    out.append(f"{verdict} ({skipped} not checked)")
    return "\n".join(out)


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps(
        {"ok": all(f.ok for f in findings), "checks": [f.as_dict() for f in findings]}, indent=2, ensure_ascii=False
    )
