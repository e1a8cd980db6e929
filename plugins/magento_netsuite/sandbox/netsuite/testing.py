"""Helpers for talking to the NetSuite sandbox from tests and benchmarks (sandbox credentials only)."""

from __future__ import annotations

import time

import jwt
from requests_oauthlib import OAuth1

from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.netsuite.app import TOKEN_PATH, oauth2_private_key_pem


def tba_auth(realm: str = credentials.NETSUITE_ACCOUNT_ID, **overrides: str) -> OAuth1:
    """requests-oauthlib TBA signer with the sandbox credentials (``overrides`` replace any of them)."""
    values = {
        "client_key": credentials.NETSUITE_CONSUMER_KEY,
        "client_secret": credentials.NETSUITE_CONSUMER_SECRET,
        "resource_owner_key": credentials.NETSUITE_TOKEN_ID,
        "resource_owner_secret": credentials.NETSUITE_TOKEN_SECRET,
    } | overrides
    return OAuth1(**values, signature_method="HMAC-SHA256", realm=realm)


def client_assertion(base_url: str, *, private_key_pem: str | None = None, scope: str = "rest_webservices") -> str:
    """A client-credentials JWT (ES256) for the sandbox's default OAuth 2.0 client."""
    now = int(time.time())
    claims = {
        "iss": credentials.NETSUITE_CLIENT_ID,
        "scope": [scope, "restlets"],
        "aud": f"{base_url.rstrip('/')}{TOKEN_PATH}",
        "iat": now,
        "exp": now + 3000,
    }
    return jwt.encode(
        claims,
        private_key_pem or oauth2_private_key_pem(),
        algorithm="ES256",
        headers={"kid": credentials.NETSUITE_CERTIFICATE_ID, "typ": "JWT"},
    )


def oauth2_connection(url: str, **extra: object) -> str:
    """Airflow connection JSON for OAuth 2.0 against the sandbox: its default client key, signed ES256."""
    return credentials.netsuite_connection(
        url, "oauth2", private_key=oauth2_private_key_pem(), jwt_algorithm="ES256", **extra
    )
