"""Request signing for both systems.

* Magento: an integration access token as ``Authorization: Bearer`` or OAuth 1.0a HMAC-SHA256 with
  the four integration credentials (the only signature method Magento 2.4 accepts).
* NetSuite: TBA (OAuth 1.0a HMAC-SHA256 with ``realm`` = account id) or OAuth 2.0 client
  credentials: a JWT signed with the certificate's private key (PS256 by default, ``kid`` = the
  certificate id) exchanged for an access token that is cached until shortly before it expires.

Signing lives in ``requests`` auth objects and headers; it never touches URLs, so nothing secret
reaches urllib3's DEBUG log lines (which print the method, path and query).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jwt
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1

from magento_netsuite.connectors.errors import AuthError

SIGNING_LOGGERS = (
    "requests_oauthlib.oauth1_auth",
    "oauthlib",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
)
"""Loggers of the OAuth libraries that print tokens, base strings and signatures at DEBUG."""


class _DropSigningDetail(logging.Filter):
    """Drop the OAuth libraries' DEBUG/INFO records: they carry the access token and the signature."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def _silence_signing_loggers() -> None:
    for name in SIGNING_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropSigningDetail) for f in logger.filters):
            logger.addFilter(_DropSigningDetail())


_silence_signing_loggers()

JWT_ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "RS256")
DEFAULT_SCOPES = ("restlets", "rest_webservices")


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer <token>``; ``repr`` never shows the token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(<hidden>)"


def oauth1_hmac_sha256(
    consumer_key: str,
    consumer_secret: str,
    token: str,
    token_secret: str,
    *,
    realm: str | None = None,
) -> OAuth1:
    """OAuth 1.0a HMAC-SHA256, signature in the ``Authorization`` header (query params are signed too)."""
    missing = [
        name
        for name, value in (
            ("consumer_key", consumer_key),
            ("consumer_secret", consumer_secret),
            ("token", token),
            ("token_secret", token_secret),
        )
        if not value
    ]
    if missing:
        raise AuthError(f"OAuth 1.0a needs {', '.join(missing)} in the connection")
    return OAuth1(
        consumer_key,
        client_secret=consumer_secret,
        resource_owner_key=token,
        resource_owner_secret=token_secret,
        signature_method=SIGNATURE_HMAC_SHA256,
        realm=realm,
    )


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float


class ClientCredentialsTokens:
    """NetSuite OAuth 2.0 client credentials (machine to machine), thread-safe.

    ``token(post)`` returns a cached access token, or builds a fresh JWT client assertion and calls
    ``post(form)`` (the hook's own request path: concurrency bound, error mapping) to get one. Only
    one thread fetches at a time; the others wait and reuse its token.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        certificate_id: str,
        private_key: str,
        algorithm: str = "PS256",
        scopes: Sequence[str] = DEFAULT_SCOPES,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        missing = [
            name
            for name, value in (
                ("client_id", client_id),
                ("certificate_id", certificate_id),
                ("private_key", private_key),
            )
            if not value
        ]
        if missing:
            raise AuthError(f"OAuth 2.0 client credentials need {', '.join(missing)} in the connection")
        if algorithm not in JWT_ALGORITHMS:
            raise AuthError(f"unsupported JWT algorithm {algorithm!r}; NetSuite accepts PS256/384/512, ES256/384/512")
        self.token_url = token_url
        self.client_id = client_id
        self.certificate_id = certificate_id
        self._private_key = private_key
        self.algorithm = algorithm
        self.scopes = tuple(scopes)
        self.refresh_margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._current: AccessToken | None = None
        self.fetches = 0

    def __repr__(self) -> str:
        return f"ClientCredentialsTokens(client_id=<hidden>, certificate_id={self.certificate_id!r})"

    def assertion(self) -> str:
        """The signed JWT: ``iss`` client id, ``scope``, ``aud`` token URL, ``iat``/``exp`` (5 min)."""
        now = int(self._clock())
        claims = {
            "iss": self.client_id,
            "scope": list(self.scopes),
            "aud": self.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        try:
            return jwt.encode(
                claims,
                self._private_key,
                algorithm=self.algorithm,
                headers={"kid": self.certificate_id, "typ": "JWT"},
            )
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise AuthError(
                f"cannot sign the OAuth 2.0 client assertion with the connection's private_key "
                f"({type(exc).__name__}); expected a PEM private key matching {self.algorithm}"
            ) from None

    def token(self, post: Callable[[dict[str, str]], dict]) -> tuple[str, bool]:
        """``(access_token, fresh)``: ``fresh`` is True when this call fetched it."""
        with self._lock:
            current = self._current
            if current is not None and self._clock() < current.expires_at - self.refresh_margin:
                return current.value, False
            body = post(
                {
                    "grant_type": "client_credentials",
                    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    "client_assertion": self.assertion(),
                }
            )
            value = body.get("access_token") if isinstance(body, dict) else None
            if not value:
                raise AuthError("NetSuite token endpoint answered without an access_token")
            _mask(value)
            expires_in = float(body.get("expires_in", 3600))
            self._current = AccessToken(value, self._clock() + expires_in)
            self.fetches += 1
            return value, True

    def invalidate(self, value: str) -> None:
        """Forget ``value`` if it is still the cached token (the server refused it)."""
        with self._lock:
            if self._current is not None and self._current.value == value:
                self._current = None


def _mask(secret: str) -> None:
    """Register a secret we obtained at run time with Airflow's log masker."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # outside Airflow nothing masks logs; we never log the token anyway
        return
    mask_secret(secret)
