"""Request signing: Oracle's TBA vector, realms, the OAuth 2.0 client assertion and the token cache."""

from __future__ import annotations

import threading
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from magento_netsuite.connectors.auth import BearerAuth, ClientCredentialsTokens, oauth1_hmac_sha256
from magento_netsuite.connectors.errors import AuthError

# Inputs of Oracle's published example (ns-online-help section_1534941088 / section_1534941295).
ORACLE = {
    "consumer_key": "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
    "consumer_secret": "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
    "token": "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
    "token_secret": "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
}
ORACLE_URL = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40"


def _signed(method: str, url: str, realm: str = "123456", **kwargs) -> str:
    auth = oauth1_hmac_sha256(**ORACLE, realm=realm)
    auth.client.nonce = "fjaLirsIcCGVZWzBX0pg"
    auth.client.timestamp = "1508242306"
    prepared = requests.Request(method, url, auth=auth, **kwargs).prepare()
    header = prepared.headers["Authorization"]
    return header.decode() if isinstance(header, bytes) else header


def _params(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.removeprefix("OAuth ").split(","))


def test_tba_signature_matches_oracles_published_vector():
    header = _signed("GET", ORACLE_URL)
    params = _params(header)
    assert params["oauth_signature"] == '"B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D"'
    assert params["realm"] == '"123456"'
    assert params["oauth_signature_method"] == '"HMAC-SHA256"'


def test_realm_is_sent_but_not_signed_and_json_bodies_are_not_signed():
    base = _params(_signed("GET", ORACLE_URL))["oauth_signature"]
    assert _params(_signed("GET", ORACLE_URL, realm="1234567_SB1"))["oauth_signature"] == base
    post_a = _params(_signed("POST", ORACLE_URL, json={"a": 1}))["oauth_signature"]
    post_b = _params(_signed("POST", ORACLE_URL, json={"b": 2}))["oauth_signature"]
    assert post_a == post_b != base


def test_restlet_query_parameters_are_signed():
    url = "https://1234567-sb1.restlets.api.netsuite.com/app/site/hosting/restlet.nl"
    one = _params(_signed("GET", url, params={"script": "1", "deploy": "1"}))["oauth_signature"]
    two = _params(_signed("GET", url, params={"script": "2", "deploy": "1"}))["oauth_signature"]
    assert one != two


def test_oauth1_names_missing_credentials_without_values():
    with pytest.raises(AuthError, match="consumer_secret, token_secret"):
        oauth1_hmac_sha256("ck", "", "tok", "")


def test_bearer_auth_sets_header_and_hides_token_in_repr():
    prepared = requests.Request("GET", "http://x/rest/V1/orders", auth=BearerAuth("s3cr3t")).prepare()
    assert prepared.headers["Authorization"] == "Bearer s3cr3t"
    assert "s3cr3t" not in repr(BearerAuth("s3cr3t"))


def _rsa_pem() -> tuple[str, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, key.public_key()


@pytest.fixture(scope="module")
def rsa_key():
    return _rsa_pem()


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


def _tokens(pem: str, clock: Clock, **kwargs) -> ClientCredentialsTokens:
    return ClientCredentialsTokens(
        token_url="https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token",
        client_id="client-1",
        certificate_id="cert-1",
        private_key=pem,
        clock=clock,
        **kwargs,
    )


def test_client_assertion_is_a_ps256_jwt_with_kid_and_netsuite_claims(rsa_key):
    pem, public = rsa_key
    clock = Clock()
    tokens = _tokens(pem, clock)
    assertion = tokens.assertion()
    header = jwt.get_unverified_header(assertion)
    assert header["alg"] == "PS256"
    assert header["kid"] == "cert-1"
    assert header["typ"] == "JWT"
    claims = jwt.decode(
        assertion, public, algorithms=["PS256"], audience=tokens.token_url, options={"verify_exp": False}
    )
    assert claims["iss"] == "client-1"
    assert claims["scope"] == ["restlets", "rest_webservices"]
    assert claims["iat"] == int(clock.now)
    assert 0 < claims["exp"] - claims["iat"] < 3600


def test_es256_assertion_with_an_ec_key():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    tokens = _tokens(pem, Clock(), algorithm="ES256")
    assert jwt.decode(tokens.assertion(), key.public_key(), algorithms=["ES256"], audience=tokens.token_url)


def test_a_bad_private_key_is_an_auth_error_that_does_not_echo_it():
    tokens = _tokens("-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----", Clock())
    with pytest.raises(AuthError) as info:
        tokens.assertion()
    assert "not-a-key" not in str(info.value)


def test_token_is_cached_until_shortly_before_expiry(rsa_key):
    clock = Clock()
    tokens = _tokens(rsa_key[0], clock, refresh_margin=60)
    posts: list[dict] = []

    def post(form: dict) -> dict:
        posts.append(form)
        assert form["grant_type"] == "client_credentials"
        assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        return {"access_token": f"tok-{len(posts)}", "expires_in": 3600, "token_type": "bearer"}

    assert tokens.token(post) == ("tok-1", True)
    clock.now += 3500
    assert tokens.token(post) == ("tok-1", False)
    clock.now += 50  # 3550 s: inside the 60 s margin
    assert tokens.token(post) == ("tok-2", True)
    tokens.invalidate("tok-1")  # stale value: no effect
    assert tokens.token(post) == ("tok-2", False)
    tokens.invalidate("tok-2")
    assert tokens.token(post) == ("tok-3", True)
    assert len(posts) == 3


def test_token_fetch_is_single_flight_across_threads(rsa_key):
    tokens = _tokens(rsa_key[0], Clock())
    calls = 0
    start = threading.Barrier(20)
    results: list[str] = []

    def post(form: dict) -> dict:
        nonlocal calls
        calls += 1
        time.sleep(0.05)
        return {"access_token": "shared", "expires_in": 3600}

    def worker() -> None:
        start.wait()
        results.append(tokens.token(post)[0])

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == 1
    assert results == ["shared"] * 20


def test_missing_oauth2_settings_are_named():
    with pytest.raises(AuthError, match="certificate_id, private_key"):
        ClientCredentialsTokens(token_url="u", client_id="c", certificate_id="", private_key="")
