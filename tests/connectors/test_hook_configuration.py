"""How the hooks read their Airflow connections (no network): URLs, realms, auth modes, bounds."""

from __future__ import annotations

import json

import pytest
import requests

from magento_netsuite.connectors.errors import AuthError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook

TBA = {"consumer_key": "ck", "consumer_secret": "cs", "token_id": "tid", "token_secret": "ts"}


def _conn(monkeypatch, conn_id: str, **fields) -> str:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({"conn_type": "http", **fields}))
    return conn_id


def _auth_header(hook: NetSuiteHook, url: str) -> str:
    prepared = requests.Request("GET", url, auth=hook._tba).prepare()
    value = prepared.headers["Authorization"]
    return value.decode() if isinstance(value, bytes) else value


def test_netsuite_hosts_and_realm_derive_from_the_account_id(monkeypatch):
    conn_id = _conn(monkeypatch, "ns_cfg_a", extra={"account_id": "1234567-sb1", **TBA})
    hook = NetSuiteHook(conn_id)
    hook.get_conn()
    assert hook.account_id == "1234567_SB1"
    assert hook.rest_base == "https://1234567-sb1.suitetalk.api.netsuite.com"
    assert hook.restlet_base == "https://1234567-sb1.restlets.api.netsuite.com"
    assert hook.record_url("customer", "eid:MAG-CUST-1") == (
        "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer/eid:MAG-CUST-1"
    )
    assert 'realm="1234567_SB1"' in _auth_header(hook, hook.record_url("customer", "1"))
    assert hook.auth_mode == "tba"


def test_netsuite_host_and_restlet_url_override(monkeypatch):
    conn_id = _conn(
        monkeypatch,
        "ns_cfg_b",
        host="http://127.0.0.1:8790/services/rest",
        extra={"account_id": "1234567_SB1", "restlet_base_url": "http://127.0.0.1:8791/app/site/hosting/restlet.nl",
               "concurrency": 3, **TBA},
    )  # fmt: skip
    hook = NetSuiteHook(conn_id)
    hook.get_conn()
    assert hook.rest_base == "http://127.0.0.1:8790"
    assert hook.restlet_base == "http://127.0.0.1:8791"
    assert hook.concurrency.limit == 3
    assert NetSuiteHook(conn_id, max_concurrency=5).concurrency.limit == 5


def test_netsuite_account_from_a_netsuite_host(monkeypatch):
    conn_id = _conn(monkeypatch, "ns_cfg_c", host="https://7654321.suitetalk.api.netsuite.com", extra=TBA)
    hook = NetSuiteHook(conn_id)
    hook.get_conn()
    assert hook.account_id == "7654321"
    assert hook.restlet_base == "https://7654321.restlets.api.netsuite.com"


def test_netsuite_misconfigurations_are_named(monkeypatch):
    with pytest.raises(AuthError, match="account_id is required"):
        NetSuiteHook(_conn(monkeypatch, "ns_cfg_d", extra=TBA)).get_conn()
    with pytest.raises(AuthError, match="token_secret"):
        NetSuiteHook(_conn(monkeypatch, "ns_cfg_e", extra={"account_id": "1", **TBA, "token_secret": ""})).get_conn()
    with pytest.raises(AuthError, match="certificate_id, private_key"):
        NetSuiteHook(
            _conn(monkeypatch, "ns_cfg_f", extra={"account_id": "1", "auth": "oauth2", "client_id": "c"})
        ).get_conn()
    with pytest.raises(ValueError, match="max_concurrency"):
        NetSuiteHook("x", max_concurrency=0)


def test_connection_extras_never_become_request_headers(monkeypatch):
    """HttpHook copies extras into session headers; ours must not (they hold secrets)."""
    conn_id = _conn(monkeypatch, "ns_cfg_g", extra={"account_id": "1", **TBA})
    session = NetSuiteHook(conn_id).get_conn()
    assert not {"consumer_secret", "token_secret", "consumer_key"} & {h.lower() for h in session.headers}


def test_magento_urls_auth_modes_and_pool_size(monkeypatch):
    conn_id = _conn(monkeypatch, "mg_cfg_a", host="https://shop.example.com/", password="tok",
                    extra={"store_code": "default", "concurrency": 6})  # fmt: skip
    hook = MagentoHook(conn_id)
    session = hook.get_conn()
    assert hook.auth_mode == "bearer"
    assert hook.rest_url("/V1/orders") == "https://shop.example.com/rest/default/V1/orders"
    assert hook.rest_url("orders") == "https://shop.example.com/rest/default/V1/orders"
    assert hook.rest_url("async/bulk/V1/inventory/source-items").endswith(
        "/rest/default/async/bulk/V1/inventory/source-items"
    )
    assert session.get_adapter("https://shop.example.com")._pool_maxsize == 6
    oauth = MagentoHook(_conn(monkeypatch, "mg_cfg_b", host="shop.example.com", schema="https",
                              extra={"consumer_key": "k", "consumer_secret": "s", "access_token": "t",
                                     "access_token_secret": "ts", "input_limit": "true"}))  # fmt: skip
    oauth.get_conn()
    assert oauth.auth_mode == "oauth1" and oauth.input_limit == 20
    assert oauth.rest_url("V1/orders") == "https://shop.example.com/rest/V1/orders"
    with pytest.raises(AuthError, match="password field"):
        MagentoHook(_conn(monkeypatch, "mg_cfg_c", host="https://x", extra={"auth": "bearer"})).get_conn()


def test_magento_base_url_without_httphooks_private_set_base_url(monkeypatch):
    def private(*_args, **_kwargs):
        raise AssertionError("MagentoHook must not call HttpHook._set_base_url (private API)")

    monkeypatch.setattr("airflow.providers.http.hooks.http.HttpHook._set_base_url", private)
    hook = MagentoHook(_conn(monkeypatch, "mg_cfg_d", host="shop.example.com", port=8443, password="tok"))
    hook.get_conn()
    assert hook.rest_url("V1/orders") == "https://shop.example.com:8443/rest/V1/orders"
    plain = MagentoHook(_conn(monkeypatch, "mg_cfg_e", host="127.0.0.1", schema="http", port=8080, password="tok"))
    plain.get_conn()
    assert plain.base_url == "http://127.0.0.1:8080"
    with pytest.raises(AuthError, match="no host"):
        MagentoHook(_conn(monkeypatch, "mg_cfg_f", password="tok")).get_conn()
