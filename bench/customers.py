"""Nightly customer reconciliation at scale: 100,000 customers with 1 % drift.

Both sandboxes are seeded with the same ``MNS_BENCH_CUSTOMERS`` customers (default 100,000; no contract
prices, every Magento customer handed over), the Magento accounts first brought in line with NetSuite by
the mapping (as after a normal day of the on-change flows), then drift is planted on 1 %:

* 40 % of it: a Magento admin edited the credit limit (a NetSuite-owned field) on the account;
* 30 %: NetSuite changed the payment terms and the on-change flow has not run yet;
* 30 %: someone edited NetSuite's copy of the login e-mail (Magento owns it).

One reconciliation (compare → repair → report, in this process) then runs against the sandboxes,
which serve from threads of this process too (their own memory counts in the peak RSS printed).
Printed: time per step, calls each side served, peak RSS, drift found per kind, repairs written, and
whether repairs == drift found.

``python -m bench customers`` (or ``make bench``).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import harness

CUSTOMERS = int(os.environ.get("MNS_BENCH_CUSTOMERS", "100000"))
DRIFT_SHARE = 0.01


def _netsuite_rest(customer: Any) -> dict[str, Any]:
    """The REST record the NetSuite sandbox serves for a seeded customer (the fields the mapping reads)."""
    return {
        "id": str(customer.internal_id),
        "externalId": customer.external_id,
        "email": customer.email,
        "firstName": customer.firstname,
        "lastName": customer.lastname,
        "companyName": customer.companyname,
        "creditLimit": float(customer.creditlimit),
        "terms": {"id": str(customer.terms_id)},
        "taxable": customer.taxable,
        **({"resaleNumber": customer.resalenumber} if customer.resalenumber else {}),
        "category": {"id": str(customer.category_id)},
        "salesRep": {"id": str(customer.salesrep_id)},
        "priceLevel": {"id": str(customer.pricelevel_id)},
        "addressBook": {"items": customer.addressbook},
    }


def _prepare(now: datetime) -> tuple[Any, dict[str, int]]:
    """The dataset, in sync by the mapping, with 1 % drift planted; returns it and the drift planted."""
    from magento_netsuite.flows.customer_master.constants import FLOW
    from magento_netsuite.flows.customer_master.load import overlay
    from magento_netsuite.governance import load_mapping_document, translate_record
    from magento_netsuite.governance.translate import jsonable
    from magento_netsuite.sandbox.datagen import SeedConfig, generate

    config = SeedConfig(skus=5, customers=CUSTOMERS, orders=0, unknown_customer_share=0.0, now=now)
    dataset = generate(config)
    dataset.contract_prices = []
    doc = load_mapping_document()
    flow = doc.flow(FLOW)
    by_id = {c["id"]: c for c in dataset.magento_customers}
    for ns in dataset.ns_customers:
        values = jsonable(translate_record(flow, _netsuite_rest(ns), doc).record)
        merged = overlay(by_id[ns.magento_id], values)
        merged["updated_at"] = (now - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
        by_id[ns.magento_id].clear()
        by_id[ns.magento_id].update(merged)
    drifting = dataset.ns_customers[:: int(1 / DRIFT_SHARE)]
    planted = {"credit_limit (Magento edited)": 0, "terms (NetSuite ahead)": 0, "login_email (NetSuite copy edited)": 0}
    for n, ns in enumerate(drifting):
        account = by_id[ns.magento_id]
        if n % 10 < 4:
            for attribute in account["custom_attributes"]:
                if attribute["attribute_code"] == "ns_credit_limit":
                    attribute["value"] = "1.00"
            planted["credit_limit (Magento edited)"] += 1
        elif n % 10 < 7:
            ns.terms_id = 4 if ns.terms_id != 4 else 1
            ns.lastmodifieddate = now - timedelta(minutes=5)
            planted["terms (NetSuite ahead)"] += 1
        else:
            ns.email = f"edited.{ns.magento_id}@example.test"
            planted["login_email (NetSuite copy edited)"] += 1
    return dataset, planted


def main() -> None:
    from magento_netsuite.sandbox import credentials
    from magento_netsuite.sandbox.common.server import SandboxServer
    from magento_netsuite.sandbox.magento.app import create_app as magento_app
    from magento_netsuite.sandbox.netsuite.app import create_app as netsuite_app

    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    clock = time.monotonic()
    dataset, planted = _prepare(now)
    print(f"seeded {CUSTOMERS:,} customers, drift planted: {planted} in {time.monotonic() - clock:.1f} s", flush=True)
    magento = SandboxServer(magento_app(dataset)).start(timeout=600)
    netsuite = SandboxServer(netsuite_app(dataset)).start(timeout=600)
    work = Path(tempfile.mkdtemp(prefix="mns-bench-customers-"))
    os.environ["AIRFLOW_CONN_MNS_STORE"] = json.dumps({"conn_type": "sqlite", "host": str(work / "mns_store.db")})
    os.environ["MNS_STAGING_URL"] = f"file://{work / 'staging'}"
    os.environ["AIRFLOW_CONN_MAGENTO_DEFAULT"] = credentials.magento_connection(magento.url)
    os.environ["AIRFLOW_CONN_NETSUITE_DEFAULT"] = credentials.netsuite_connection(netsuite.url)
    try:
        from magento_netsuite.errorqueue.drift import DriftReports
        from magento_netsuite.flows.customer_reconciliation.run import compare_task, repair_task, report_task
        from magento_netsuite.pipeline.outcomes import RunContext
        from magento_netsuite.pipeline.watermark import Cursor, Watermarks

        # the on-change flows last ran an hour ago: NetSuite's newer terms are "behind", the rest edited
        for flow in ("customers_netsuite_to_magento", "customer_registration_magento_to_netsuite"):
            Watermarks().advance(flow, Cursor(now - timedelta(hours=1)), "bench")
        with httpx.Client(timeout=30) as http:
            harness.reset(http, magento.url, netsuite.url)
        ctx = RunContext(run_id="bench", dag_id="customers_nightly_reconciliation", task_id="bench", request_slots=5)
        rss_before = harness.rss_mb()
        timings = {}
        calls = {}
        for step in ("compare", "repair", "report"):
            started = time.monotonic()
            if step == "compare":
                compared = compare_task(ctx)
            elif step == "repair":
                repaired = repair_task(compared, ctx)
            else:
                reported = report_task(compared, repaired, ctx)
            timings[step] = time.monotonic() - started
            calls[step] = {"magento": harness.total_calls(magento.url), "netsuite": harness.total_calls(netsuite.url)}
        report = DriftReports.from_connection().get(reported["id"])["report"]
    finally:
        magento.stop()
        netsuite.stop()

    repair_calls = {s: calls["repair"][s] - calls["compare"][s] for s in ("magento", "netsuite")}
    print(f"compared {report['compared']:,} customers: drifted {report['drifted']:,} ({report['drift_percent']} %)")
    print(f"drift by field and kind: {report['by_field']}")
    print(
        f"repairs written: {report['repaired']:,} {report['repaired_by_direction']}; to the error queue: "
        f"{report['unrepairable']}"
    )
    print(f"repairs == drift found: {report['repaired'] == report['drifted']}")
    print(
        f"time: compare {timings['compare']:.1f} s, repair {timings['repair']:.1f} s, "
        f"report {timings['report']:.2f} s, total {sum(timings.values()):.1f} s"
    )
    print(
        f"calls: compare Magento {calls['compare']['magento']:,} / NetSuite {calls['compare']['netsuite']:,}; "
        f"repair Magento {repair_calls['magento']:,} / NetSuite {repair_calls['netsuite']:,}"
    )
    print(
        f"peak RSS {harness.rss_mb():.0f} MB (before the run {rss_before:.0f} MB; both sandboxes live in this process)"
    )


if __name__ == "__main__":
    main()
