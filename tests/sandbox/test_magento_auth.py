"""Magento auth: integration bearer token and OAuth 1.0a HMAC-SHA256 verified independently."""

from __future__ import annotations

import time

import httpx
import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, Client
from oauthlib.oauth1.rfc5849.signature import sign_hmac_sha256_with_client
from requests_oauthlib import OAuth1

from magento_netsuite.sandbox import credentials as creds
from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.magento.auth import hmac_sha256_signature, signature_base_string

NOT_AUTHORIZED = {
    "message": "The consumer isn't authorized to access %resources.",
    "parameters": {"resources": "Magento_Sales::actions_view"},
}


def _oauth(**overrides) -> OAuth1:
    values = {
        "client_key": creds.MAGENTO_CONSUMER_KEY,
        "client_secret": creds.MAGENTO_CONSUMER_SECRET,
        "resource_owner_key": creds.MAGENTO_ACCESS_TOKEN,
        "resource_owner_secret": creds.MAGENTO_ACCESS_TOKEN_SECRET,
        "signature_method": "HMAC-SHA256",
    } | overrides
    return OAuth1(**values)


def test_rfc5849_signature_base_string_example() -> None:
    """The worked example of RFC 5849 section 3.4.1.1 (base string is independent of the method)."""
    params = [
        ("b5", "=%3D"), ("a3", "a"), ("c@", ""), ("a2", "r b"),  # query, decoded
        ("c2", ""), ("a3", "2 q"),  # form body, decoded
        ("oauth_consumer_key", "9djdj82h48djs9d2"), ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "137131201"), ("oauth_nonce", "7d8f3e4a"),
    ]  # fmt: skip
    assert signature_base_string("post", "http://EXAMPLE.COM:80/request?b5=%3D%253D", params) == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26"
        "c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26"
        "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )
    # our HMAC-SHA256 agrees with oauthlib's (an implementation we did not write), secrets with reserved chars
    base = signature_base_string("GET", "http://127.0.0.1:8780/rest/V1/orders", [("a", "b c")])
    assert hmac_sha256_signature(base, "c s&1", "t/s") == sign_hmac_sha256_with_client(
        base, Client("key", client_secret="c s&1", resource_owner_secret="t/s")
    )


def test_bearer_token_accepted_missing_or_wrong_refused(magento: httpx.Client, magento_server: SandboxServer) -> None:
    assert magento.get("/rest/V1/orders/1").status_code == 200
    anonymous = httpx.get(f"{magento_server.url}/rest/V1/orders/1")
    assert anonymous.status_code == 401 and anonymous.json() == NOT_AUTHORIZED
    wrong = httpx.get(f"{magento_server.url}/rest/V1/orders/1", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json() == NOT_AUTHORIZED
    products = httpx.get(f"{magento_server.url}/rest/V1/products/SKU-000001", headers={"Authorization": "Bearer nope"})
    assert products.json()["parameters"] == {"resources": "Magento_Catalog::products"}


def test_bearer_refused_when_integration_as_bearer_is_off(magento: httpx.Client, magento_server: SandboxServer) -> None:
    httpx.post(f"{magento_server.url}/_sandbox/config", json={"bearer_enabled": False}).raise_for_status()
    refused = magento.get("/rest/V1/orders/1")
    assert refused.status_code == 401 and refused.json() == NOT_AUTHORIZED
    signed = requests.get(f"{magento_server.url}/rest/V1/orders/1", auth=_oauth(), timeout=10)
    assert signed.status_code == 200 and signed.json()["increment_id"] == "000000001"


def test_oauth1_signed_by_requests_oauthlib_is_accepted(magento: httpx.Client, magento_server: SandboxServer) -> None:
    url = f"{magento_server.url}/rest/default/V1/orders"
    params = {
        "searchCriteria[filter_groups][0][filters][0][field]": "increment_id",
        "searchCriteria[filter_groups][0][filters][0][value]": "000000001,000000003",
        "searchCriteria[filter_groups][0][filters][0][condition_type]": "in",
    }
    response = requests.get(url, params=params, auth=_oauth(), timeout=10)
    assert response.status_code == 200, response.text
    assert sorted(o["increment_id"] for o in response.json()["items"]) == ["000000001", "000000003"]
    put = requests.put(
        f"{magento_server.url}/rest/all/V1/products/SKU-000002",
        json={"product": {"price": 12.34}},
        auth=_oauth(),
        timeout=10,
    )
    assert put.status_code == 200 and put.json()["price"] == pytest.approx(12.34)


def test_tampered_or_wrongly_signed_requests_are_refused(magento: httpx.Client, magento_server: SandboxServer) -> None:
    url = f"{magento_server.url}/rest/V1/orders/1"
    prepared = requests.Request("GET", url, auth=_oauth()).prepare()
    prepared.url = f"{magento_server.url}/rest/V1/orders/2"  # signed for order 1
    with requests.Session() as session:
        tampered = session.send(prepared, timeout=10)
    assert tampered.status_code == 401
    assert tampered.json()["message"] == "The signature is invalid. Verify and try again."
    wrong_secret = requests.get(url, auth=_oauth(client_secret="not-the-secret"), timeout=10)
    assert wrong_secret.status_code == 401
    wrong_token = requests.get(url, auth=_oauth(resource_owner_key="other-token"), timeout=10)
    assert wrong_token.status_code == 401 and wrong_token.json() == NOT_AUTHORIZED
    sha1 = requests.get(url, auth=_oauth(signature_method=SIGNATURE_HMAC_SHA1), timeout=10)
    assert sha1.status_code == 401
    assert sha1.json() == {"message": "Signature method %1 is not supported", "parameters": ["HMAC-SHA1"]}


def test_replayed_nonce_and_stale_timestamp_are_refused(magento: httpx.Client, magento_server: SandboxServer) -> None:
    url = f"{magento_server.url}/rest/V1/orders/1"
    prepared = requests.Request("GET", url, auth=_oauth()).prepare()
    with requests.Session() as session:
        assert session.send(prepared, timeout=10).status_code == 200
        replay = session.send(prepared, timeout=10)
    assert replay.status_code == 401 and "nonce" in replay.json()["message"]
    stale = requests.get(url, auth=_oauth(timestamp=str(int(time.time()) - 3600)), timeout=10)
    assert stale.status_code == 401 and "timestamp" in stale.json()["message"]
