"""NetSuite sandbox authentication: Oracle's TBA vector, a foreign signer, rejections, OAuth 2.0 M2M."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.netsuite.app import TOKEN_PATH, create_app
from magento_netsuite.sandbox.netsuite.auth import AuthFailure, TbaCredentials, TbaVerifier, sign, signature_base_string
from magento_netsuite.sandbox.netsuite.testing import client_assertion, tba_auth

RESTLET = "/app/site/hosting/restlet.nl"
INVENTORY = {"script": "customscript_mns_inventory", "deploy": "customdeploy_mns_inventory", "limit": "3"}
DATASET = generate(SeedConfig(skus=20, customers=5, orders=0, now=datetime(2026, 11, 29, 2, tzinfo=UTC)))
FIRST_CUSTOMER = DATASET.ns_customers[0]
CUSTOMER = f"/services/rest/record/v1/customer/{FIRST_CUSTOMER.internal_id}"


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(create_app(DATASET)) as running:
        yield running


@pytest.fixture
def url(server: SandboxServer) -> str:
    requests.post(f"{server.url}/_sandbox/reset", timeout=10).raise_for_status()
    return server.url


def test_oracle_published_tba_vector() -> None:
    # Inputs of Oracle's example on ns-online-help section_1534941088 (REST GET employee/40).
    params = [
        ("oauth_consumer_key", "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4"),
        ("oauth_token", "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc"),
        ("oauth_nonce", "fjaLirsIcCGVZWzBX0pg"),
        ("oauth_timestamp", "1508242306"),
        ("oauth_signature_method", "HMAC-SHA256"),
        ("oauth_version", "1.0"),
    ]
    base = signature_base_string(
        "GET", "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40", params
    )
    assert base.startswith("GET&https%3A%2F%2F123456.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord")
    signature = sign(
        base,
        "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
        "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
    )
    assert signature == "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY="


def test_requests_oauthlib_signature_is_accepted_on_rest_and_restlet(url: str) -> None:
    rest = requests.get(url + CUSTOMER, auth=tba_auth(), timeout=10)
    assert rest.status_code == 200, rest.text
    assert rest.json()["externalId"] == FIRST_CUSTOMER.external_id
    restlet = requests.get(url + RESTLET, params=INVENTORY, auth=tba_auth(), timeout=10)
    assert restlet.status_code == 200, restlet.text
    assert restlet.json()["rows"][0]["sku"] == "SKU-000001"


def _assert_rest_401(response: requests.Response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["title"] == "Unauthorized" and body["status"] == 401
    assert body["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    assert body["o:errorDetails"][0]["detail"].startswith("Invalid login attempt.")


def test_tampered_signature_is_rejected(url: str) -> None:
    prepared = requests.Request("GET", url + CUSTOMER, auth=tba_auth()).prepare()
    header = prepared.headers["Authorization"]
    header = header.decode() if isinstance(header, bytes) else header
    prepared.headers["Authorization"] = header.replace('oauth_signature="', 'oauth_signature="A', 1)
    _assert_rest_401(requests.Session().send(prepared, timeout=10))


def test_signed_query_parameters_cannot_be_changed(url: str) -> None:
    prepared = requests.Request("GET", url + RESTLET, params=INVENTORY, auth=tba_auth()).prepare()
    prepared.url = prepared.url.replace("limit=3", "limit=4")
    response = requests.Session().send(prepared, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "INVALID_LOGIN_ATTEMPT", "message": "Invalid login attempt."}}


def test_wrong_realm_unknown_token_and_stale_timestamp_are_rejected(url: str) -> None:
    _assert_rest_401(requests.get(url + CUSTOMER, auth=tba_auth(realm="1234567"), timeout=10))
    _assert_rest_401(requests.get(url + CUSTOMER, auth=tba_auth(resource_owner_key="nope-token"), timeout=10))
    _assert_rest_401(requests.get(url + CUSTOMER, auth=tba_auth(client_key="nope-consumer"), timeout=10))
    stale = tba_auth()
    stale.client.timestamp = str(int(time.time()) - 600)
    _assert_rest_401(requests.get(url + CUSTOMER, auth=stale, timeout=10))
    short_nonce = tba_auth()
    short_nonce.client.nonce = "abc"
    _assert_rest_401(requests.get(url + CUSTOMER, auth=short_nonce, timeout=10))
    _assert_rest_401(requests.get(url + CUSTOMER, timeout=10))
    failures = requests.get(url + "/_sandbox/state", timeout=10).json()["auth_failures"]
    assert {"InvalidTimestamp", "token_rejected", "consumer_key_unknown", "nonce_rejected", "missing"} <= set(failures)


def test_replayed_nonce_is_rejected(url: str) -> None:
    prepared = requests.Request("GET", url + CUSTOMER, auth=tba_auth()).prepare()
    session = requests.Session()
    assert session.send(prepared, timeout=10).status_code == 200
    _assert_rest_401(session.send(prepared, timeout=10))
    assert requests.get(url + "/_sandbox/state", timeout=10).json()["auth_failures"] == {"NonceUsed": 1}


def _token(url: str, assertion: str) -> requests.Response:
    return requests.post(
        url + TOKEN_PATH,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
        timeout=10,
    )


def test_oauth2_client_credentials_token_works_on_rest_and_restlet(url: str) -> None:
    response = _token(url, client_assertion(url))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 3600 and body["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert requests.get(url + CUSTOMER, headers=headers, timeout=10).status_code == 200
    assert requests.get(url + RESTLET, params=INVENTORY, headers=headers, timeout=10).status_code == 200


def test_bad_bearer_token_gets_www_authenticate(url: str) -> None:
    response = requests.get(url + CUSTOMER, headers={"Authorization": "Bearer forged"}, timeout=10)
    _assert_rest_401(response)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="1234567", error="invalid_token"'


def _rsa_pem() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def test_assertion_with_unregistered_key_is_refused_and_registered_ps256_client_is_accepted(url: str) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert _token(url, client_assertion(url, private_key_pem=stranger.decode())).status_code == 401
    private, public = _rsa_pem()
    registered = requests.post(
        url + "/_sandbox/oauth2/clients",
        json={"client_id": "other-client", "certificate_id": "cert-2", "public_key_pem": public},
        timeout=10,
    )
    assert registered.status_code == 201
    now = int(time.time())
    assertion = jwt.encode(
        {"iss": "other-client", "scope": "restlets", "aud": url + TOKEN_PATH, "iat": now, "exp": now + 600},
        private,
        algorithm="PS256",
        headers={"kid": "cert-2"},
    )
    assert _token(url, assertion).status_code == 200
    too_long = jwt.encode(
        {"iss": "other-client", "scope": "restlets", "aud": url + TOKEN_PATH, "iat": now, "exp": now + 7200},
        private,
        algorithm="PS256",
        headers={"kid": "cert-2"},
    )
    assert _token(url, too_long).status_code == 401
    assert credentials.NETSUITE_CLIENT_ID != "other-client"


def test_verifier_rejects_other_oauth_versions_and_signature_methods() -> None:
    verifier = TbaVerifier("1234567_SB1", [TbaCredentials("ck", "cs", "tk", "ts")])
    uri = "http://127.0.0.1:1/services/rest/record/v1/customer/1"
    now = int(time.time())

    def header(**overrides: str) -> str:
        params = {
            "oauth_consumer_key": "ck",
            "oauth_token": "tk",
            "oauth_nonce": f"nonce{len(overrides)}{sorted(overrides)}",
            "oauth_timestamp": str(now),
            "oauth_signature_method": "HMAC-SHA256",
            "oauth_version": "1.0",
        } | overrides
        params["oauth_signature"] = sign(signature_base_string("GET", uri, list(params.items())), "cs", "ts")
        return "OAuth " + ", ".join(['realm="1234567_SB1"', *(f'{k}="{quote(v, safe="")}"' for k, v in params.items())])

    assert verifier.verify("GET", uri, [], header(), now=now) == "tk"
    with pytest.raises(AuthFailure, match="VersionRejected"):
        verifier.verify("GET", uri, [], header(oauth_version="2.0"), now=now)
    with pytest.raises(AuthFailure, match="signature method"):
        verifier.verify("GET", uri, [], header(oauth_signature_method="HMAC-SHA1"), now=now)
