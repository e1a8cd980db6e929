"""Magento integration authentication: bearer token and OAuth 1.0a HMAC-SHA256.

The OAuth 1.0a check is written from RFC 5849 (section 3.4.1 signature base string, 3.4.2
HMAC, 3.6 percent-encoding) rather than with oauthlib's server, so a client library is verified
by an independent implementation. Magento 2.4 accepts only ``HMAC-SHA256``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.magento.errors import MagentoError, unauthorized

TIMESTAMP_WINDOW_SECONDS = 600
_OAUTH_PARAM = re.compile(r'([A-Za-z0-9_\-.~]+)\s*=\s*"([^"]*)"')


def percent_encode(value: str) -> str:
    """RFC 5849 section 3.6: UTF-8, then escape everything but ALPHA / DIGIT / - . _ ~."""
    return quote(value.encode("utf-8"), safe="-._~")


def base_string_uri(url: str) -> str:
    """RFC 5849 section 3.4.1.2: scheme and host lowercase, default port dropped, no query."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is not None and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def normalized_parameters(params: Iterable[tuple[str, str]]) -> str:
    """RFC 5849 section 3.4.1.3.2: encode names and values, sort, join with ``=`` and ``&``."""
    encoded = sorted((percent_encode(name), percent_encode(value)) for name, value in params)
    return "&".join(f"{name}={value}" for name, value in encoded)


def signature_base_string(method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    return "&".join(
        (method.upper(), percent_encode(base_string_uri(url)), percent_encode(normalized_parameters(params)))
    )


def hmac_sha256_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode("utf-8"), base_string.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_oauth_header(header: str) -> dict[str, str]:
    """The ``OAuth k="v", ...`` parameters of an Authorization header, percent-decoded."""
    return {name: unquote(value) for name, value in _OAUTH_PARAM.findall(header[len("OAuth") :])}


class OAuthVerifier:
    """Checks OAuth 1.0a requests against the sandbox integration's four credentials."""

    def __init__(self) -> None:
        self._seen_nonces: dict[tuple[str, str], float] = {}

    def verify(
        self,
        *,
        method: str,
        url: str,
        header: str,
        form_params: list[tuple[str, str]],
        resource: str,
        now: float | None = None,
    ) -> None:
        """Raise Magento's 401 unless the request is correctly signed with fresh nonce and timestamp."""
        now = time.time() if now is None else now
        oauth = parse_oauth_header(header)
        if oauth.get("oauth_signature_method") != "HMAC-SHA256":
            raise MagentoError(401, "Signature method %1 is not supported", [oauth.get("oauth_signature_method", "")])
        if oauth.get("oauth_version", "1.0") != "1.0":
            raise MagentoError(401, "OAuth version %1 is not supported", [oauth["oauth_version"]])
        if oauth.get("oauth_consumer_key") != credentials.MAGENTO_CONSUMER_KEY:
            raise unauthorized(resource)
        if oauth.get("oauth_token") != credentials.MAGENTO_ACCESS_TOKEN:
            raise unauthorized(resource)
        try:
            timestamp = int(oauth.get("oauth_timestamp", ""))
        except ValueError:
            raise MagentoError(401, "Invalid timestamp value") from None
        if abs(now - timestamp) > TIMESTAMP_WINDOW_SECONDS:
            raise MagentoError(401, "The timestamp is out of the allowed range")
        nonce = oauth.get("oauth_nonce", "")
        if not nonce:
            raise MagentoError(401, "The nonce is missing")
        signature = oauth.get("oauth_signature", "")
        query = urlsplit(url).query
        params = [
            *parse_qsl(query, keep_blank_values=True),
            *form_params,
            *((k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")),
        ]
        expected = hmac_sha256_signature(
            signature_base_string(method, url, params),
            credentials.MAGENTO_CONSUMER_SECRET,
            credentials.MAGENTO_ACCESS_TOKEN_SECRET,
        )
        if not hmac.compare_digest(expected, signature):
            raise MagentoError(401, "The signature is invalid. Verify and try again.")
        key = (nonce, str(timestamp))
        self._forget_old(now)
        if key in self._seen_nonces:
            raise MagentoError(401, "The nonce is already being used by the consumer with ID %1", [1])
        self._seen_nonces[key] = now

    def _forget_old(self, now: float) -> None:
        if len(self._seen_nonces) > 10_000:
            cutoff = now - 2 * TIMESTAMP_WINDOW_SECONDS
            self._seen_nonces = {k: t for k, t in self._seen_nonces.items() if t >= cutoff}


def check_bearer(header: str, *, bearer_enabled: bool, resource: str) -> None:
    """Integration token as bearer: accepted only when enabled (off by default since 2.4.4)."""
    token = header[len("Bearer") :].strip()
    if not bearer_enabled or not hmac.compare_digest(token, credentials.MAGENTO_BEARER_TOKEN):
        raise unauthorized(resource)
