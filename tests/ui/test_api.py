"""The Error Queue app's routes, served the way Airflow's API server serves them (``create_app()``)."""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest

from tests.ui.helpers import CSRF, ORDERS_DAG, SOURCE_RUN, bearer, cookie, order

pytestmark = pytest.mark.timeout(120)

BASE = "/error-queue"


def replay_runs(client, token: str) -> list[dict]:
    response = client.get("/api/v2/dags/error_queue_replay/dagRuns?limit=100", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()["dag_runs"]


# ------------------------------------------------------------------ who may do what


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/api/errors"),
        ("GET", "/api/errors/1"),
        ("POST", "/api/retry"),
        ("POST", "/api/errors/1/ignore"),
    ],
)
def test_unauthenticated_calls_get_401_and_no_data(client, method, path):
    response = client.request(method, BASE + path, headers=CSRF, json={"ids": [1], "reason": "x"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}


def test_a_forged_token_gets_403(client):
    response = client.get(f"{BASE}/api/errors", headers=bearer("not.a.jwt"))
    assert response.status_code == 403
    assert "rows" not in response.text


def test_viewer_reads_but_cannot_retry_or_ignore(client, tokens, store, flow):
    [row_id] = store.quarantine([order(flow, "000000101")])
    viewer = bearer(tokens["viewer"])

    assert client.get(f"{BASE}/", headers=viewer).status_code == 200
    listing = client.get(f"{BASE}/api/errors", params={"flow": flow}, headers=viewer)
    assert [r["id"] for r in listing.json()["rows"]] == [row_id]
    assert client.get(f"{BASE}/api/errors/{row_id}", headers=viewer).status_code == 200

    runs_before = len(replay_runs(client, tokens["admin"]))
    retry = client.post(f"{BASE}/api/retry", json={"ids": [row_id]}, headers=viewer | CSRF)
    ignore = client.post(f"{BASE}/api/errors/{row_id}/ignore", json={"reason": "test"}, headers=viewer | CSRF)
    assert (retry.status_code, ignore.status_code) == (403, 403)
    assert retry.json() == {"detail": "Forbidden"}
    assert store.get(row_id).status == "open"
    assert len(replay_runs(client, tokens["admin"])) == runs_before


def test_the_login_cookie_authenticates_like_the_ui(client, tokens, store, flow):
    store.quarantine([order(flow, "000000102")])
    response = client.get(f"{BASE}/api/errors", params={"flow": flow}, headers=cookie(tokens["viewer"]))
    assert response.status_code == 200
    assert response.json()["total"] == 1


def test_plugin_registers_the_app_and_the_nav_entry(client, tokens):
    plugins = client.get("/api/v2/plugins", headers=bearer(tokens["viewer"])).json()["plugins"]
    [plugin] = [p for p in plugins if p["name"] == "magento_netsuite_error_queue"]
    assert plugin["fastapi_apps"] == [
        {"app": "fastapi.applications.FastAPI", "url_prefix": BASE, "name": "Error Queue"}
    ]
    [view] = plugin["external_views"]
    assert (view["name"], view["destination"], view["href"], view["url_route"]) == (
        "Error Queue",
        "nav",
        f"{BASE}/",
        "error-queue",
    )
    assert client.get(f"{BASE}/static/app.js").status_code == 200
    assert client.get(f"{BASE}/static/icon.svg").headers["content-type"].startswith("image/svg")


# ------------------------------------------------------------------ listing


def test_listing_filters_search_and_counts(client, tokens, store, flow):
    other = f"{flow}_b"
    ids = store.quarantine(
        [
            order(flow, "000000201"),
            order(flow, "000000202", error_class="reference", field_path="items[0].sku", message="unknown SKU"),
            order(flow, "100000203", run_id="manual__other"),
            order(other, "000000204"),
        ]
    )
    admin = bearer(tokens["admin"])

    def listing(**params):
        response = client.get(f"{BASE}/api/errors", params=params, headers=admin)
        assert response.status_code == 200, response.text
        return response.json()

    everything = listing(flow=flow)
    assert [r["id"] for r in everything["rows"]] == [ids[2], ids[1], ids[0]]  # newest first
    assert everything["total"] == 3
    assert everything["counts"][flow] == {"validation": 2, "reference": 1}
    assert everything["counts"][other] == {"validation": 1}

    assert [r["record_key"] for r in listing(flow=flow, error_class="reference")["rows"]] == ["000000202"]
    assert [r["record_key"] for r in listing(flow=flow, q="10000")["rows"]] == ["100000203"]
    assert [r["record_key"] for r in listing(run_id="manual__other", flow=flow)["rows"]] == ["100000203"]
    assert listing(flow=flow, status="resolved")["total"] == 0

    row = everything["rows"][-1]
    assert row["field_path"] == "shipping_address.postcode"
    assert row["fix_hint"].startswith("Add the postcode")
    assert row["status"] == "open"
    assert row["log_url"] == f"/dags/{ORDERS_DAG}/runs/{quote(SOURCE_RUN, safe='')}/tasks/transform?try_number=1"
    assert "payload" not in row  # the listing stays small; the detail view carries the payload


def test_keyset_paging_visits_every_row_once(client, tokens, store, flow):
    ids = store.quarantine([order(flow, f"{i:09d}") for i in range(1, 8)])
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"flow": flow, "limit": 3} | ({"cursor": cursor} if cursor else {})
        data = client.get(f"{BASE}/api/errors", params=params, headers=bearer(tokens["admin"])).json()
        seen += [r["id"] for r in data["rows"]]
        pages += 1
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(ids, reverse=True)


def test_bad_parameters_are_rejected(client, tokens):
    admin = bearer(tokens["admin"])
    assert client.get(f"{BASE}/api/errors", params={"cursor": "garbage"}, headers=admin).status_code == 422
    assert client.get(f"{BASE}/api/errors", params={"status": "deleted"}, headers=admin).status_code == 422
    assert client.get(f"{BASE}/api/errors", params={"limit": 5000}, headers=admin).status_code == 422


# ------------------------------------------------------------------ detail


def test_detail_has_payload_and_history(client, tokens, store, flow):
    [row_id] = store.quarantine([order(flow, "000000301")])
    store.quarantine([order(flow, "000000301", message="still no postcode")])  # a second failure
    data = client.get(f"{BASE}/api/errors/{row_id}", headers=bearer(tokens["viewer"])).json()
    assert data["row"]["payload"]["shipping_address"] == {"city": "London", "postcode": None}
    assert data["row"]["attempts"] == 2
    assert [h["event"] for h in data["history"]] == ["failed", "failed"]
    assert data["history"][1]["message"] == "still no postcode"
    assert data["history"][0]["log_url"].startswith(f"/dags/{ORDERS_DAG}/runs/")


def test_detail_of_a_missing_row_is_404(client, tokens):
    response = client.get(f"{BASE}/api/errors/999999999", headers=bearer(tokens["admin"]))
    assert response.status_code == 404


# ------------------------------------------------------------------ retry


def test_retry_triggers_one_replay_run_for_exactly_those_rows(client, tokens, store, flow):
    ids = store.quarantine([order(flow, f"00000040{i}") for i in range(1, 4)])
    admin = bearer(tokens["admin"])
    chosen = ids[:2]

    response = client.post(f"{BASE}/api/retry", json={"ids": chosen}, headers=admin | CSRF)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["ids"] == chosen
    assert result["skipped"] == []
    assert result["run_url"] == f"/dags/error_queue_replay/runs/{quote(result['run_id'], safe='')}"

    run = client.get(f"/api/v2/dags/error_queue_replay/dagRuns/{result['run_id']}", headers=admin).json()
    assert run["conf"] == {"ids": chosen}
    assert run["state"] == "queued"

    # The run's own claim task takes the rows; until then the listing shows them retrying in that run.
    rows = {r["id"]: r for r in client.get(f"{BASE}/api/errors", params={"flow": flow}, headers=admin).json()["rows"]}
    assert [rows[i]["status"] for i in ids] == ["retrying", "retrying", "open"]
    assert rows[ids[0]]["replay_run_id"] == result["run_id"]
    assert [store.get(i).status for i in ids] == ["open", "open", "open"]  # free for the run to claim
    events = [h.event for h in store.history(ids[0])]
    assert events == ["failed", "retrying", "reopened"]


def test_a_second_click_triggers_nothing(client, tokens, store, flow):
    [row_id] = store.quarantine([order(flow, "000000501")])
    admin = bearer(tokens["admin"])
    first = client.post(f"{BASE}/api/retry", json={"ids": [row_id]}, headers=admin | CSRF)
    assert first.status_code == 200
    runs = len(replay_runs(client, tokens["admin"]))

    second = client.post(f"{BASE}/api/retry", json={"ids": [row_id]}, headers=admin | CSRF)
    assert second.status_code == 409
    assert "nothing triggered" in second.json()["detail"]
    assert len(replay_runs(client, tokens["admin"])) == runs
    assert store.get(row_id).status == "open"  # the refused claim was given back


def test_concurrent_clicks_trigger_one_run(client, tokens, store, flow):
    [row_id] = store.quarantine([order(flow, "000000502")])
    headers = bearer(tokens["admin"]) | CSRF
    answers: list[int] = []

    def click() -> None:
        answers.append(client.post(f"{BASE}/api/retry", json={"ids": [row_id]}, headers=headers).status_code)

    threads = [threading.Thread(target=click) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409, 409]
    named = [r for r in replay_runs(client, tokens["admin"]) if row_id in (r["conf"] or {}).get("ids", [])]
    assert len(named) == 1


def test_retry_skips_rows_that_are_not_open(client, tokens, store, flow):
    open_id, ignored_id = store.quarantine([order(flow, "000000601"), order(flow, "000000602")])
    store.ignore(ignored_id, who="test", why="test order")
    response = client.post(
        f"{BASE}/api/retry", json={"ids": [open_id, ignored_id]}, headers=bearer(tokens["admin"]) | CSRF
    )
    assert response.status_code == 200
    assert (response.json()["ids"], response.json()["skipped"]) == ([open_id], [ignored_id])

    only_ignored = client.post(f"{BASE}/api/retry", json={"ids": [ignored_id]}, headers=bearer(tokens["admin"]) | CSRF)
    assert only_ignored.status_code == 409


def test_retry_needs_ids(client, tokens):
    response = client.post(f"{BASE}/api/retry", json={"ids": []}, headers=bearer(tokens["admin"]) | CSRF)
    assert response.status_code == 422


# ------------------------------------------------------------------ ignore


def test_ignore_needs_a_reason_and_closes_the_row(client, tokens, store, flow):
    [row_id] = store.quarantine([order(flow, "000000701")])
    headers = bearer(tokens["admin"]) | CSRF
    url = f"{BASE}/api/errors/{row_id}/ignore"
    assert client.post(url, json={}, headers=headers).status_code == 422
    assert client.post(url, json={"reason": "   "}, headers=headers).status_code == 422
    assert store.get(row_id).status == "open"

    response = client.post(url, json={"reason": "test order, cancelled in Magento"}, headers=headers)
    assert response.status_code == 200
    assert response.json()["row"]["status"] == "ignored"
    row = store.get(row_id)
    assert (row.status, row.resolved_by, row.resolution) == ("ignored", "admin", "test order, cancelled in Magento")

    again = client.post(url, json={"reason": "twice"}, headers=headers)
    assert again.status_code == 409
    assert client.post(f"{BASE}/api/errors/999999999/ignore", json={"reason": "x"}, headers=headers).status_code == 404


# ------------------------------------------------------------------ cross-site requests


@pytest.mark.parametrize(
    "extra",
    [
        {},  # no X-Error-Queue header: what a cross-site form post looks like
        {"X-Error-Queue": "1", "Sec-Fetch-Site": "cross-site"},
        {"X-Error-Queue": "1", "Sec-Fetch-Site": "same-site"},
        {"X-Error-Queue": "1", "Origin": "https://evil.example"},
    ],
)
def test_cross_site_state_changes_are_refused(client, tokens, store, flow, extra):
    [row_id] = store.quarantine([order(flow, "000000801")])
    headers = cookie(tokens["admin"]) | extra
    runs = len(replay_runs(client, tokens["admin"]))
    retry = client.post(f"{BASE}/api/retry", json={"ids": [row_id]}, headers=headers)
    ignore = client.post(f"{BASE}/api/errors/{row_id}/ignore", json={"reason": "csrf"}, headers=headers)
    assert (retry.status_code, ignore.status_code) == (403, 403)
    assert "cross-site" in retry.json()["detail"]
    assert store.get(row_id).status == "open"
    assert len(replay_runs(client, tokens["admin"])) == runs


def test_same_origin_cookie_post_is_accepted(client, tokens, store, flow):
    [row_id] = store.quarantine([order(flow, "000000802")])
    headers = cookie(tokens["admin"]) | CSRF | {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}
    response = client.post(f"{BASE}/api/errors/{row_id}/ignore", json={"reason": "duplicate"}, headers=headers)
    assert response.status_code == 200


def test_state_changes_are_post_only(client, tokens):
    admin = bearer(tokens["admin"]) | CSRF
    assert client.get(f"{BASE}/api/retry", headers=admin).status_code == 405
    assert client.get(f"{BASE}/api/errors/1/ignore", headers=admin).status_code in (404, 405)


# ------------------------------------------------------------------ escaping


def test_markup_in_payloads_stays_data(client, tokens, store, flow):
    evil = "<script>alert(1)</script>"
    [row_id] = store.quarantine(
        [order(flow, evil, payload={"customer": {"firstname": evil}}, message=f"bad name {evil}")]
    )
    admin = bearer(tokens["admin"])
    detail = client.get(f"{BASE}/api/errors/{row_id}", headers=admin)
    assert detail.headers["content-type"] == "application/json"
    assert detail.json()["row"]["payload"]["customer"]["firstname"] == evil
    page = client.get(f"{BASE}/", headers=admin)
    assert page.headers["content-type"].startswith("text/html")
    assert "alert(1)" not in page.text  # the shell never carries row data; the page renders it as text
    script = client.get(f"{BASE}/static/app.js").text
    assert ".innerHTML" not in script and "insertAdjacentHTML" not in script and "outerHTML" not in script


def test_rows_a_replay_run_holds_link_to_that_run(client, tokens, store, flow):
    [row_id] = store.quarantine([order(flow, "000000901")])
    store.mark_retrying([row_id], by="error_queue_replay:manual__2026-11-29T03:00:00+00:00")  # replay.claim_id()
    row = client.get(f"{BASE}/api/errors/{row_id}", headers=bearer(tokens["viewer"])).json()["row"]
    assert (row["status"], row["replay_run_id"]) == ("retrying", "manual__2026-11-29T03:00:00+00:00")
    assert row["replay_run_url"] == "/dags/error_queue_replay/runs/manual__2026-11-29T03%3A00%3A00%2B00%3A00"
    listing = client.get(
        f"{BASE}/api/errors", params={"flow": flow, "status": "retrying"}, headers=bearer(tokens["viewer"])
    )
    assert [r["id"] for r in listing.json()["rows"]] == [row_id]
    retry = client.post(f"{BASE}/api/retry", json={"ids": [row_id]}, headers=bearer(tokens["admin"]) | CSRF)
    assert retry.status_code == 409  # already held by a run: nothing triggered


# ------------------------------------------------------------------ hardening (issue 19)

TOO_BIG = 2**64 + 1


def test_ids_beyond_64_bits_are_request_errors_on_every_route(client, tokens):
    headers = bearer(tokens["admin"]) | CSRF
    answers = {
        "detail": client.get(f"{BASE}/api/errors/{TOO_BIG}", headers=headers).status_code,
        "ignore": client.post(f"{BASE}/api/errors/{TOO_BIG}/ignore", json={"reason": "x"}, headers=headers).status_code,
        "retry": client.post(f"{BASE}/api/retry", json={"ids": [TOO_BIG]}, headers=headers).status_code,
        "cursor": client.get(
            f"{BASE}/api/errors", params={"cursor": f"2026-01-01T00:00:00+00:00|{TOO_BIG}"}, headers=headers
        ).status_code,
    }
    assert set(answers.values()) <= {404, 422}, answers


def test_a_refused_retry_writes_no_history(client, tokens, store, flow):
    [row_id] = store.quarantine([order(flow, "000000901")])
    headers = bearer(tokens["admin"]) | CSRF
    assert client.post(f"{BASE}/api/retry", json={"ids": [row_id]}, headers=headers).status_code == 200
    before = [h.event for h in store.history(row_id)]

    refused = client.post(f"{BASE}/api/retry", json={"ids": [row_id]}, headers=headers)

    assert refused.status_code == 409
    assert [h.event for h in store.history(row_id)] == before == ["failed", "retrying", "reopened"]


def test_the_page_and_the_api_send_a_content_security_policy(client, tokens):
    for path in ("/", "/api/errors"):
        response = client.get(BASE + path, headers=bearer(tokens["viewer"]))
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
