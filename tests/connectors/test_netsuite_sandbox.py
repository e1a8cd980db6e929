"""NetSuiteHook against the NetSuite sandbox: records, SuiteQL, RESTlets, both auth modes, limits."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from magento_netsuite.connectors.errors import AuthError, NotFoundError, RecordError, SyncError, TransientError
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.netsuite.app import create_app
from tests.connectors.sandbox_support import Control, set_connection

FAST = {"backoff_base": 0.01, "backoff_max": 0.05, "max_attempts": 5, "max_elapsed": 10}
TBA_SECRETS = (credentials.NETSUITE_CONSUMER_SECRET, credentials.NETSUITE_TOKEN_ID, credentials.NETSUITE_TOKEN_SECRET)
INVENTORY = ("customscript_mns_inventory", "customdeploy_mns_inventory")
SKUS = 300


@pytest.fixture(scope="module")
def netsuite():
    dataset = generate(SeedConfig(skus=SKUS, locations=3, customers=30, orders=10, seed=11))
    with SandboxServer(create_app(dataset, account_id=credentials.NETSUITE_ACCOUNT_ID, concurrency_limit=5)) as server:
        yield server


@pytest.fixture
def control(netsuite):
    ctl = Control(netsuite.url)
    _wait_until_idle(netsuite)
    httpx.post(f"{netsuite.url}/_sandbox/reset", timeout=30).raise_for_status()
    yield ctl
    ctl.clean()


def _wait_until_idle(netsuite, timeout: float = 5.0) -> None:
    """Requests a client gave up on still hold NetSuite concurrency slots until they finish."""
    deadline = time.monotonic() + timeout
    while _state(netsuite)["concurrency"]["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.05)


def _hook(monkeypatch, netsuite, auth="tba", conn_id="ns_sandbox", max_concurrency=None, private_key=None, **extras):
    connection = credentials.netsuite_connection(netsuite.url, auth, private_key=private_key)
    set_connection(monkeypatch, conn_id, connection, **{**FAST, **extras})
    return NetSuiteHook(conn_id, max_concurrency=max_concurrency)


def _state(netsuite, **params) -> dict:
    return httpx.get(f"{netsuite.url}/_sandbox/state", params=params, timeout=10).json()


# -- records ---------------------------------------------------------------------------------------


def test_get_record_and_by_external_id(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    customer = hook.get_by_external_id("customer", "MAG-CUST-1")
    assert customer["externalId"] == "MAG-CUST-1"
    same = hook.get_record("customer", customer["id"])
    assert same["id"] == customer["id"]
    assert "links" not in same
    trimmed = hook.get_record("customer", customer["id"], fields=["email"])
    assert "email" in trimmed
    with pytest.raises(NotFoundError) as info:
        hook.get_record("customer", 999999)
    assert info.value.code == "NONEXISTENT_ID" and info.value.status == 404
    with pytest.raises(NotFoundError):
        hook.get_by_external_id("customer", "MAG-CUST-NOPE")


def test_create_upsert_patch(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    body = {"companyName": "Hook Test Co", "email": "hook.test@example.test", "subsidiary": {"id": "1"}}
    new_id = hook.create_record("customer", {**body, "externalId": "MAG-CUST-HOOK-1"})
    assert new_id.isdigit()
    assert hook.get_record("customer", new_id)["companyName"] == "Hook Test Co"
    upserted = hook.upsert_by_external_id("customer", "MAG-CUST-HOOK-2", {**body, "email": "hook2@example.test"})
    assert upserted.isdigit() and upserted != new_id
    again = hook.upsert_by_external_id("customer", "MAG-CUST-HOOK-2", {**body, "companyName": "Renamed"})
    assert again == upserted  # idempotent: the same record, updated
    hook.patch_record("customer", upserted, {"companyName": "Patched"})
    assert hook.get_by_external_id("customer", "MAG-CUST-HOOK-2")["companyName"] == "Patched"
    with pytest.raises(RecordError) as info:  # creating twice is caught by the sandbox
        hook.create_record("customer", {**body, "externalId": "MAG-CUST-HOOK-1"})
    assert info.value.field_path == "externalId"


def test_record_error_field_path_reaches_the_caller(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    order = {
        "externalId": "SHOP-HOOK-1",
        "entity": {"id": str(hook.get_by_external_id("customer", "MAG-CUST-1")["id"])},
        "item": {"items": [{"item": {"id": "1001"}, "quantity": 1}, {"item": {"id": "987654"}, "quantity": 2}]},
    }
    with pytest.raises(RecordError) as info:
        hook.upsert_by_external_id("salesOrder", "SHOP-HOOK-1", order)
    assert info.value.field_path == "item.items[1].item"
    assert info.value.code == "INVALID_CONTENT"
    assert "field=item.items[1].item" in str(info.value)
    assert control.calls("PUT /services/rest/record") == 1  # a record error is never retried


def test_expand_sublists_and_external_ids_outside_the_allowed_alphabet(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    entity = str(hook.get_by_external_id("customer", "MAG-CUST-1")["id"])
    order = {"entity": {"id": entity}, "item": {"items": [{"item": {"id": "1001"}, "quantity": 2, "rate": 9.5}]}}
    order_id = hook.upsert_by_external_id("salesOrder", "SHOP-HOOK-2", order)
    linked = hook.get_record("salesOrder", order_id)
    assert "items" not in linked["item"]  # sublists come back as links only (which the hook strips)
    expanded = hook.get_record("salesOrder", order_id, expand=True)
    assert [line["item"]["id"] for line in expanded["item"]["items"]] == ["1001"]
    assert "links" not in expanded["item"]["items"][0]
    for bad in ("MAG|CUST|7", "MAG CUST 7", ""):  # refused before any call, naming the field
        with pytest.raises(RecordError, match="only letters, digits") as info:
            hook.upsert_by_external_id("customer", bad, {})
        assert info.value.field_path == "externalId"
        with pytest.raises(RecordError):
            hook.get_by_external_id("customer", bad)


# -- SuiteQL ---------------------------------------------------------------------------------------


def test_suiteql_pages_until_has_more_is_false(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    pages = list(hook.suiteql("SELECT id, itemid FROM item WHERE id > ? ORDER BY id", params=[0], page_size=25))
    rows = [row for page in pages for row in page]
    assert len(rows) == SKUS and len(pages) == SKUS // 25
    assert all("links" not in row for row in rows)
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    assert control.calls("suiteql") == len(pages)


def test_suiteql_past_the_row_cap_continues_from_the_watermark(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    query = "SELECT id, itemid FROM item WHERE id >= ? AND {watermark} ORDER BY id"
    rows = [r for page in hook.suiteql(query, params=[1000], page_size=20, watermark_column="id", row_cap=100)
            for r in page]  # fmt: skip
    ids = [int(r["id"]) for r in rows]
    assert len(ids) == SKUS == len(set(ids))
    assert ids == sorted(ids)
    with pytest.raises(SyncError, match="watermark_column"):
        list(hook.suiteql("SELECT id FROM item ORDER BY id", page_size=20, row_cap=100))


def test_suiteql_watermark_with_ties_neither_loses_nor_repeats(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    query = "SELECT item, location, quantityonhand FROM inventoryitemlocations ORDER BY item, location"
    plain = [r for page in hook.suiteql(query, page_size=100) for r in page]
    capped = [
        r
        for page in hook.suiteql(
            "SELECT item, location, quantityonhand FROM inventoryitemlocations WHERE {watermark} ORDER BY item",
            page_size=25,
            watermark_column="item",
            row_cap=50,
        )
        for r in page
    ]
    assert len(capped) == len(plain) == SKUS * 3
    assert len({(r["item"], r["location"]) for r in capped}) == len(capped)


def test_bad_suiteql_is_a_record_error_on_q(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    with pytest.raises(RecordError) as info:
        list(hook.suiteql("SELECT nosuchcolumn FROM item"))
    assert info.value.field_path == "q" and info.value.code == "INVALID_PARAMETER"


# -- RESTlets --------------------------------------------------------------------------------------


def test_restlet_inventory_pages_by_cursor(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    cursor, rows, calls = None, [], 0
    while True:
        page = hook.restlet(*INVENTORY, params={"limit": 200, "cursor": cursor})
        rows.extend(page["rows"])
        calls += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert calls > 2
    assert len({(r["item_id"], r["location_id"]) for r in rows}) == len(rows) == SKUS * 3
    with pytest.raises(RecordError, match="limit must be"):
        hook.restlet(*INVENTORY, params={"limit": 999999})
    with pytest.raises(RecordError) as info:
        hook.restlet("customscript_nope", "customdeploy_nope")
    assert info.value.code == "SSS_INVALID_SCRIPTLET_ID"


def test_restlet_request_limit_is_ridden_out(monkeypatch, netsuite, control):
    control.config(concurrency_limit=1)
    slow = _hook(monkeypatch, netsuite, conn_id="ns_slow", max_concurrency=1)
    control.config(latency_ms=300, latency_path="/services/rest/query/")
    blocker = threading.Thread(target=lambda: list(slow.suiteql("SELECT id FROM location", page_size=10)))
    blocker.start()
    time.sleep(0.1)
    hook = _hook(monkeypatch, netsuite, backoff_base=0.1, backoff_max=0.3)
    page = hook.restlet(*INVENTORY, params={"limit": 50})
    blocker.join()
    assert page["rows"]
    assert _state(netsuite)["concurrency"]["rejected"] >= 1  # SSS_REQUEST_LIMIT_EXCEEDED came back and was retried


# -- auth ------------------------------------------------------------------------------------------


def test_tba_401_fails_at_once_without_retries(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite, conn_id="ns_bad_secret", token_secret="wrong-token-secret")
    with pytest.raises(AuthError) as info:
        hook.get_record("customer", 2001)
    assert info.value.code == "INVALID_LOGIN" and info.value.status == 401
    assert control.calls() == 1
    assert _state(netsuite)["auth_failures"] == {"InvalidSignature": 1}
    with pytest.raises(AuthError, match="Invalid login attempt"):
        hook.restlet(*INVENTORY)


def test_oauth2_client_credentials_with_the_sandbox_certificate(monkeypatch, netsuite, control):
    from magento_netsuite.sandbox.netsuite.app import oauth2_private_key_pem

    hook = _hook(monkeypatch, netsuite, "oauth2", private_key=oauth2_private_key_pem(), jwt_algorithm="ES256")
    assert hook.get_by_external_id("customer", "MAG-CUST-1")["externalId"] == "MAG-CUST-1"
    assert next(hook.suiteql("SELECT id FROM location", page_size=10))
    assert hook.restlet(*INVENTORY, params={"limit": 10})["rows"]
    assert hook.tokens.fetches == 1  # one token for every call
    assert control.calls("token") == 1
    assert hook.test_connection()[0]


def test_oauth2_ps256_with_a_registered_certificate_and_refused_key(monkeypatch, netsuite, control):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    httpx.post(
        f"{netsuite.url}/_sandbox/oauth2/clients",
        json={"client_id": "hook-client", "certificate_id": "hook-cert", "public_key_pem": public},
        timeout=10,
    ).raise_for_status()
    hook = _hook(monkeypatch, netsuite, "oauth2", conn_id="ns_ps256", private_key=pem, client_id="hook-client",
                 certificate_id="hook-cert")  # fmt: skip
    assert hook.get_record("customer", hook.get_by_external_id("customer", "MAG-CUST-2")["id"])
    wrong = _hook(monkeypatch, netsuite, "oauth2", conn_id="ns_ps256_wrong", private_key=pem)  # not registered
    with pytest.raises(AuthError):
        wrong.get_record("customer", 2001)
    assert control.calls("token") == 2


def test_oauth2_refetches_once_when_a_cached_token_is_refused(monkeypatch, netsuite, control):
    from magento_netsuite.sandbox.netsuite.app import oauth2_private_key_pem

    hook = _hook(monkeypatch, netsuite, "oauth2", private_key=oauth2_private_key_pem(), jwt_algorithm="ES256")
    hook.get_record("customer", hook.get_by_external_id("customer", "MAG-CUST-1")["id"])
    control.fault(kind="auth", count=1, path="/record/")
    assert hook.get_by_external_id("customer", "MAG-CUST-3")["externalId"] == "MAG-CUST-3"
    assert hook.tokens.fetches == 2


# -- limits and transient errors -------------------------------------------------------------------


def test_twenty_parallel_calls_bounded_at_five_never_trip_the_limit_of_five(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite, max_concurrency=5, max_attempts=1)
    ids = [r["id"] for page in hook.suiteql("SELECT id FROM customer ORDER BY id", page_size=20) for r in page][:20]
    control.clean()
    control.config(latency_ms=80)
    errors: list[BaseException] = []

    def call(n: int) -> None:
        try:
            hook.get_record("customer", ids[n])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    concurrency = _state(netsuite)["concurrency"]
    assert not errors
    assert concurrency["rejected"] == 0
    assert concurrency["peak"] == 5 == hook.concurrency.peak
    assert control.errors() == 0 and control.calls() == 20


def test_the_limit_is_real_an_unbounded_burst_trips_it_and_retries_ride_it_out(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite, max_concurrency=12, max_attempts=10, backoff_base=0.05, backoff_max=0.3)
    control.config(latency_ms=80)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(_or_error(hook.get_record, "location", "1"))) for _ in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _state(netsuite)["concurrency"]["rejected"] > 0  # the sandbox limit of 5 bites
    assert control.calls() > 12
    assert all(isinstance(r, dict) and r["id"] == "1" for r in results)  # and the hook rode it out


def _or_error(fn, *args):
    try:
        return fn(*args)
    except Exception as exc:  # returned so the assertion shows it
        return exc


def test_a_429_burst_is_ridden_out(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    control.fault(kind="status", status=429, count=3)
    rows = [r for page in hook.suiteql("SELECT id FROM location") for r in page]
    assert len(rows) == 3
    assert control.injected() == {"status": 3} and control.calls() == 4


def test_a_timeout_storm_ends_in_transient_error_after_the_budget(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite, timeout=0.2, max_attempts=50, max_elapsed=1.0)
    control.fault(kind="timeout", seconds=2)
    with pytest.raises(TransientError, match="retry budget 1s spent"):
        hook.get_record("customer", 2001)
    assert 3 <= control.injected()["timeout"] < 50  # retried, and stopped by the budget, not the 50 attempts


def test_create_is_not_resent_after_a_5xx(monkeypatch, netsuite, control):
    hook = _hook(monkeypatch, netsuite)
    control.fault(kind="status", status=500, count=1, method="POST")
    with pytest.raises(TransientError, match="not retried") as info:
        hook.create_record("customer", {"companyName": "X", "email": "x@example.test", "externalId": "MAG-CUST-X"})
    assert info.value.code == "UNEXPECTED_ERROR"
    assert control.calls("POST") == 1


# -- secrets ---------------------------------------------------------------------------------------


def test_no_secret_in_logs_or_errors_of_a_failing_call(monkeypatch, netsuite, control, caplog, capfd):
    from magento_netsuite.sandbox.netsuite.app import oauth2_private_key_pem

    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "requests", "requests_oauthlib", "oauthlib", "airflow"):
        caplog.set_level(logging.DEBUG, logger=name)
    control.fault(kind="status", status=503)
    tba = _hook(monkeypatch, netsuite, max_attempts=2)
    with pytest.raises(TransientError) as tba_error:
        tba.restlet(*INVENTORY, params={"limit": 5})
    control.clean()
    pem = oauth2_private_key_pem()
    oauth2 = _hook(monkeypatch, netsuite, "oauth2", conn_id="ns_secret_o2", private_key=pem, jwt_algorithm="ES256")
    oauth2.get_record("customer", oauth2.get_by_external_id("customer", "MAG-CUST-1")["id"])
    control.fault(kind="auth")
    with pytest.raises(AuthError) as oauth2_error:
        oauth2.get_record("customer", 2001)
    access_token = oauth2.tokens._current.value if oauth2.tokens._current else None
    captured = caplog.text + "".join(capfd.readouterr())
    assert "retry 1 of 1" in captured and "HTTP/1.1" in captured  # our lines and urllib3's were captured
    secrets = [*TBA_SECRETS, pem.splitlines()[1], *([access_token] if access_token else [])]
    for secret in secrets:
        assert secret not in captured
        for error in (tba_error.value, oauth2_error.value):
            assert secret not in str(error) and secret not in repr(error.details)
    assert "oauth_signature" not in captured and "client_assertion" not in captured


def test_a_request_is_built_and_signed_before_it_waits_for_a_slot(monkeypatch, netsuite, control):
    """The slot covers the HTTP exchange only: a thread signs its request while another holds the slot."""
    hook = _hook(monkeypatch, netsuite, max_concurrency=1)
    hook.get_conn()
    signed = threading.Event()
    sign = hook._tba

    def signing(request):
        signed.set()
        return sign(request)

    hook._tba = signing
    found: list[dict] = []
    with hook.concurrency.slot():
        caller = threading.Thread(target=lambda: found.append(hook.get_record("location", "1")))
        caller.start()
        assert signed.wait(timeout=30), "the request was not signed while the slot was taken"
        assert found == [] and hook.concurrency.in_flight == 1
    caller.join()
    assert found[0]["id"] == "1" and hook.concurrency.peak == 1


def test_the_environments_proxy_settings_are_read_once_per_host_and_honoured(monkeypatch, netsuite, control):
    import requests

    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    reads: list[str] = []
    merge = requests.Session.merge_environment_settings

    def counting(self, url, *args):
        reads.append(url)
        return merge(self, url, *args)

    monkeypatch.setattr(requests.Session, "merge_environment_settings", counting)
    hook = _hook(monkeypatch, netsuite, max_attempts=1)
    for _ in range(3):
        assert hook.get_record("location", "1")["id"] == "1"
    assert reads == [netsuite.url.rstrip("/")]

    proxied = _hook(monkeypatch, netsuite, conn_id="ns_proxied", max_attempts=1)
    with monkeypatch.context() as env:
        env.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there: the call must fail
        with pytest.raises(TransientError):
            proxied.get_record("location", "1")
