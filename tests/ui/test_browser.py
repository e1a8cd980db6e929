"""The Error Queue in a real browser against a real Airflow (api-server, scheduler, dag-processor).

Headless Debian Chromium (``/usr/bin/chromium``, installed by ``make browser``) driven by Playwright:
log in, open Error Queue from the navigation, see the seeded quarantined order with its field and
hint, fix the order at its source, click Retry, and watch the row resolve once the
``error_queue_replay`` run has loaded it. Screenshots of the list and detail views (and of the Drift
section with seeded reconciliation reports) are taken on every run; with ``MNS_UPDATE_SCREENSHOTS=1``
they replace the committed ones in ``docs/img/``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from magento_netsuite.errorqueue.records import QuarantineRecord
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.store.db import engine_for_url
from tests.environment import unavailable
from tests.ui.airflow_stack import ROOT, AirflowStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DOCS_IMG = ROOT / "docs" / "img"
PROBE_FLOW = "replay_probe"  # tests.replay_probe.probe.FLOW
ORDER_KEY = "000000042"
XSS_NAME = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStack]:
    if not CHROMIUM.exists():
        unavailable("Debian Chromium missing at /usr/bin/chromium: run `make browser` (apt-get install chromium)")
    airflow = AirflowStack(tmp_path_factory.mktemp("airflow-stack"))
    try:
        airflow.start()
        yield airflow
    finally:
        airflow.stop()


def seed(stack: AirflowStack) -> tuple[ErrorQueueStore, int]:
    """The order the probe flow could not load (no postcode), plus rows of real flows for the screenshot."""
    store = ErrorQueueStore(engine_for_url(f"sqlite:///{stack.store_db}"))
    order = {"increment_id": ORDER_KEY, "name": "Ada Lovelace", "city": "London", "postcode": None}
    (stack.probe_dir / "source.json").write_text(json.dumps({ORDER_KEY: order}))
    store.quarantine(
        [
            QuarantineRecord(
                flow="inventory_netsuite_to_magento",
                entity="inventory",
                record_key="SKU-000777@3",
                error_class="reference",
                field_path="location_id",
                code="unmapped_location",
                message="location 3 has no MSI source in value map location_to_source",
                payload={"sku": "SKU-000777", "location_id": "3", "available": 12},
                dag_id="netsuite_inventory_to_magento",
                run_id="scheduled__2026-11-29T02:45:00+00:00",
                task_id="transform",
                try_number=1,
            ),
            QuarantineRecord(
                flow="orders_magento_to_netsuite",
                entity="order",
                record_key="000000017",
                error_class="validation",
                field_path="customer.firstname",
                message=f"customer name {XSS_NAME} contains characters NetSuite refuses",
                payload={"increment_id": "000000017", "customer": {"firstname": XSS_NAME, "lastname": "Test"}},
                dag_id="magento_orders_to_netsuite",
                run_id="scheduled__2026-11-29T02:50:00+00:00",
                task_id="load",
                try_number=2,
            ),
        ]
    )
    [row_id] = store.quarantine(
        [
            QuarantineRecord(
                flow=PROBE_FLOW,
                entity="order",
                record_key=ORDER_KEY,
                error_class="validation",
                field_path="shipping_address.postcode",
                message=f"order {ORDER_KEY}: shipping_address.postcode is required",
                payload={"increment_id": ORDER_KEY, "shipping_address": {"city": "London", "postcode": None}},
                dag_id="magento_orders_to_netsuite",
                run_id="scheduled__2026-11-29T03:00:00+00:00",
                task_id="transform",
                try_number=1,
            )
        ]
    )
    seed_drift(stack)
    return store, row_id


def seed_drift(stack: AirflowStack) -> None:
    """Three nights of customer reconciliation reports for the Drift section."""
    from magento_netsuite.errorqueue.drift import DriftReports

    reports = DriftReports(engine_for_url(f"sqlite:///{stack.store_db}"))
    for night, (drifted, repaired) in enumerate(((41, 41), (17, 16), (9, 8)), start=27):
        reports.save(
            "customers_reconciliation",
            f"scheduled__2026-11-{night}T02:30:00+00:00",
            {
                "run_id": f"scheduled__2026-11-{night}T02:30:00+00:00",
                "compared": 4812,
                "drifted": drifted,
                "differences": drifted + 1,
                "repaired": repaired,
                "unrepairable": drifted - repaired,
                "drift_percent": round(100 * drifted / 4812, 3),
                "threshold_percent": 1.0,
                "by_field": {
                    "credit_limit": {"reader_edited_against_rules": drifted // 2},
                    "terms": {"owner_changed_reader_behind": drifted - drifted // 2 - 1},
                    "(customer)": {"missing_in_magento": 1},
                },
                "examples": {
                    "credit_limit": [
                        {
                            "customer_id": 1042,
                            "kind": "reader_edited_against_rules",
                            "netsuite": "25000",
                            "magento": "1",
                        }
                    ],
                    "terms": [
                        {
                            "customer_id": 311,
                            "kind": "owner_changed_reader_behind",
                            "netsuite": "Net 60",
                            "magento": "Net 30",
                        }
                    ],
                    "(customer)": [{"customer_id": 999, "netsuite_id": "930001", "kind": "missing_in_magento"}],
                },
            },
            at=datetime(2026, 11, night, 2, 31, tzinfo=UTC),
        )


def test_operator_retries_a_fixed_order_from_the_error_queue(stack: AirflowStack):
    from playwright.sync_api import expect, sync_playwright

    store, row_id = seed(stack)
    hint = store.get(row_id).fix_hint
    assert hint, "the hint catalogue gives every row a fix hint"
    screenshots = DOCS_IMG if os.environ.get("MNS_UPDATE_SCREENSHOTS") == "1" else stack.workdir / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(20_000)
        try:
            # Log in through Airflow's own login page.
            page.goto(f"{stack.url}/")
            page.locator("input[name=username]").fill("admin")
            page.locator("input[name=password]").fill(stack.password)
            page.locator("button[type=submit]").click()

            # Error Queue from the navigation: the page opens inside the Airflow UI. Click once the UI
            # has settled after the login redirect (a click during it landed on a wrong URL once).
            nav = page.get_by_role("link", name="Error Queue")
            expect(nav).to_be_visible()
            page.wait_for_load_state("networkidle")
            nav.click()
            expect(page).to_have_url(f"{stack.url}/plugin/error-queue")
            queue = page.frame_locator("iframe")
            row = queue.locator("#errors tbody tr", has_text=ORDER_KEY)
            expect(row).to_be_visible()
            expect(row.locator("td.status")).to_have_text("open")
            expect(row).to_contain_text("shipping_address.postcode")
            expect(row.locator("td.hint")).to_have_text(hint)
            expect(queue.locator("#counts")).to_contain_text(PROBE_FLOW)

            # A customer named like markup is shown as text, never run.
            xss_row = queue.locator("#errors tbody tr", has_text="000000017")
            expect(xss_row.locator("td.msg")).to_contain_text("<script>window.__xss = 1</script>")
            frame = page.frames[-1]
            assert frame.evaluate("window.__xss") is None
            page.screenshot(path=screenshots / "error-queue-list.png")
            page.emulate_media(color_scheme="dark")  # the page follows the Airflow UI's theme
            expect(queue.locator("html")).to_have_class("dark")
            page.screenshot(path=screenshots / "error-queue-list-dark.png")
            page.emulate_media(color_scheme="light")
            expect(queue.locator("html")).to_have_class("light")

            # The Drift section: the last nightly customer reconciliation and the trend.
            drift = queue.locator("#drift")
            expect(drift.locator("#drift-headline")).to_contain_text("9 of 4812 customers drifted")
            expect(drift.locator("#drift-fields tbody")).to_contain_text("1042: 25000 / 1")
            expect(drift.locator("#drift-trend tbody tr")).to_have_count(3)
            drift.scroll_into_view_if_needed()
            page.screenshot(path=screenshots / "error-queue-drift.png")

            # Detail: the payload with the failing field highlighted, and the history.
            row.get_by_role("link", name=ORDER_KEY).click()
            expect(queue.locator("#detail-title")).to_have_text(f"{PROBE_FLOW} · {ORDER_KEY}")
            expect(queue.locator("#payload mark.failing")).to_contain_text('"postcode": null')
            expect(queue.locator("#history tbody tr")).to_have_count(1)
            expect(queue.locator("#history tbody")).to_contain_text("failed")
            page.screenshot(path=screenshots / "error-queue-detail.png")

            # The operator fixes the order at its source, then clicks Retry once.
            fixed = {"increment_id": ORDER_KEY, "name": "Ada Lovelace", "city": "London", "postcode": "SW1A 1AA"}
            (stack.probe_dir / "source.json").write_text(json.dumps({ORDER_KEY: fixed}))
            queue.locator("#back").click()
            retry = row.locator("button[data-action=retry]")
            retry.click()
            expect(queue.locator("#notice")).to_contain_text("Retrying 1 row(s) in run")
            run_link = queue.locator("#notice a")
            assert run_link.get_attribute("href").startswith("/dags/error_queue_replay/runs/")
            expect(row.locator("td.status")).to_contain_text("retrying")
            expect(retry).to_be_disabled()

            # Meanwhile the operator ignores the markup order: a reason is required.
            xss_row.locator("button[data-action=ignore]").click()
            dialog = queue.locator("#ignore-dialog")
            dialog.locator("button[type=submit]").click()
            expect(dialog).to_be_visible()  # an empty reason does not submit
            dialog.locator("#ignore-reason").fill("test order placed by QA")
            dialog.locator("button[type=submit]").click()
            expect(dialog).to_be_hidden()
            expect(xss_row.locator("td.status")).to_have_text("ignored")

            # The replay run loads the fixed order; the page shows the row resolved.
            expect(row.locator("td.status")).to_contain_text("resolved", timeout=90_000)
        except Exception:
            page.screenshot(path=stack.workdir / "failure.png")
            print(stack.logs())
            raise
        finally:
            browser.close()

    ignored = store.open_errors(flow="orders_magento_to_netsuite", status="ignored")
    assert [(r.record_key, r.resolution, r.resolved_by) for r in ignored] == [
        ("000000017", "test order placed by QA", "admin")
    ]
    resolved = store.get(row_id)
    assert resolved.status == "resolved"
    assert resolved.resolution.startswith("loaded on retry")
    loads = [json.loads(line) for line in (stack.probe_dir / "target.jsonl").read_text().splitlines()]
    assert [load["key"] for load in loads] == [ORDER_KEY]  # loaded exactly once
    assert loads[0]["payload"]["postcode"] == "SW1A 1AA"  # re-read from the source, not the stored payload
