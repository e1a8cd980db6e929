"""NetSuite authentication, verified independently of any client library.

* TBA (OAuth 1.0a, HMAC-SHA256): :func:`signature_base_string` and :func:`sign` follow RFC 5849
  as Oracle describes it (section_1534941088): the base URI from the request as received, the
  query parameters plus every ``oauth_*`` parameter except ``oauth_signature``, sorted; ``realm``
  is not signed and must equal the account id; the key is ``enc(consumer secret)&enc(token secret)``.
  :class:`TbaVerifier` also checks nonce length (>= 6), nonce+timestamp reuse, the timestamp
  window (±5 min), known consumer/token and ``oauth_version`` 1.0.
* OAuth 2.0 client credentials: :class:`OAuth2Issuer` checks the ``client_assertion`` JWT
  (PS256/ES256..512, ``kid`` = certificate id registered with the client's public key,
  ``iss`` = client id, ``aud`` = the token URL, ``exp`` at most 60 min after ``iat``) and issues
  bearer tokens valid for 3600 s.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

TIMESTAMP_WINDOW_S = 300
TOKEN_TTL_S = 3600
JWT_ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
SCOPES = {"restlets", "rest_webservices", "suite_analytics"}


class AuthFailure(Exception):
    """Why a request was refused (for the sandbox's state only: clients see INVALID_LOGIN)."""


def enc(value: str) -> str:
    """RFC 5849 section 3.6 percent-encoding."""
    return quote(value, safe="~-._")


def signature_base_string(method: str, base_uri: str, params: list[tuple[str, str]]) -> str:
    """``METHOD&enc(base uri)&enc(sorted, encoded params)`` (params exclude realm and oauth_signature)."""
    pairs = sorted((enc(k), enc(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    return f"{method.upper()}&{enc(base_uri)}&{enc(normalized)}"


def sign(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{enc(consumer_secret)}&{enc(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base_string.encode(), hashlib.sha256).digest()).decode()


def parse_oauth_header(header: str) -> dict[str, str]:
    """``OAuth realm="x", oauth_token="y", ...`` → decoded dict."""
    if not header[:6].lower() == "oauth ":
        raise AuthFailure("not an OAuth header")
    params: dict[str, str] = {}
    for part in header[6:].split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise AuthFailure(f"malformed OAuth parameter {name!r}")
        params[unquote(name.strip())] = unquote(value.strip().strip('"'))
    return params


def base_uri(scheme: str, host: str, path: str) -> str:
    """RFC 5849 3.4.1.2: lowercase scheme and host, default port dropped."""
    scheme, host = scheme.lower(), host.lower()
    if (scheme == "http" and host.endswith(":80")) or (scheme == "https" and host.endswith(":443")):
        host = host.rsplit(":", 1)[0]
    return f"{scheme}://{host}{path}"


@dataclass(frozen=True)
class TbaCredentials:
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str


class TbaVerifier:
    """Checks TBA headers for one account."""

    def __init__(self, account_id: str, credentials: list[TbaCredentials]) -> None:
        self.account_id = account_id
        self.consumers = {c.consumer_key: c.consumer_secret for c in credentials}
        self.tokens = {c.token_id: (c.consumer_key, c.token_secret) for c in credentials}
        self._seen: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def verify(self, method: str, uri: str, query: list[tuple[str, str]], header: str, now: float | None = None) -> str:
        """Return the token id, or raise :class:`AuthFailure` naming the reason."""
        params = parse_oauth_header(header)
        now = time.time() if now is None else now
        if params.get("realm") != self.account_id:
            raise AuthFailure(f"realm {params.get('realm')!r} is not the account id")
        if params.get("oauth_signature_method") != "HMAC-SHA256":
            raise AuthFailure("signature method rejected")
        if params.get("oauth_version", "1.0") != "1.0":
            raise AuthFailure("VersionRejected")
        consumer_key, token = params.get("oauth_consumer_key", ""), params.get("oauth_token", "")
        if consumer_key not in self.consumers:
            raise AuthFailure("consumer_key_unknown")
        if token not in self.tokens or self.tokens[token][0] != consumer_key:
            raise AuthFailure("token_rejected")
        nonce, timestamp = params.get("oauth_nonce", ""), params.get("oauth_timestamp", "")
        if len(nonce) < 6:
            raise AuthFailure("nonce_rejected")
        if not timestamp.isdigit() or abs(int(timestamp) - now) > TIMESTAMP_WINDOW_S:
            raise AuthFailure("InvalidTimestamp")
        signed = [(k, v) for k, v in params.items() if k.startswith("oauth_") and k != "oauth_signature"]
        expected = sign(
            signature_base_string(method, uri, query + signed), self.consumers[consumer_key], self.tokens[token][1]
        )
        if not hmac.compare_digest(expected, params.get("oauth_signature", "")):
            raise AuthFailure("InvalidSignature")
        with self._lock:
            self._seen = {k: t for k, t in self._seen.items() if t > now - 2 * TIMESTAMP_WINDOW_S}
            key = (consumer_key, nonce, timestamp)
            if key in self._seen:
                raise AuthFailure("NonceUsed")
            self._seen[key] = now
        return token


@dataclass(frozen=True)
class OAuth2Client:
    client_id: str
    certificate_id: str
    public_key_pem: str


class OAuth2Issuer:
    """Client-credentials grant: registered clients, issued bearer tokens."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, str], OAuth2Client] = {}
        self.tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def register(self, client: OAuth2Client) -> None:
        load_pem_public_key(client.public_key_pem.encode())  # raises ValueError on a bad key
        self.clients[client.client_id, client.certificate_id] = client

    def issue(self, assertion: str, token_url: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise AuthFailure(f"malformed client_assertion: {exc}") from exc
        if header.get("alg") not in JWT_ALGORITHMS:
            raise AuthFailure(f"algorithm {header.get('alg')!r} not allowed")
        client = self.clients.get((str(claims.get("iss")), str(header.get("kid"))))
        if client is None:
            raise AuthFailure("unknown client id or certificate id")
        try:
            claims = jwt.decode(
                assertion,
                client.public_key_pem,
                algorithms=list(JWT_ALGORITHMS),
                audience=token_url,
                options={"require": ["iss", "aud", "iat", "exp", "scope"]},
                leeway=TIMESTAMP_WINDOW_S,
            )
        except jwt.PyJWTError as exc:
            raise AuthFailure(f"client_assertion rejected: {exc}") from exc
        if int(claims["exp"]) - int(claims["iat"]) > TOKEN_TTL_S:
            raise AuthFailure("exp more than 60 minutes after iat")
        scopes = (
            claims["scope"] if isinstance(claims["scope"], list) else str(claims["scope"]).replace(",", " ").split()
        )
        if not set(scopes) & SCOPES:
            raise AuthFailure(f"no known scope in {scopes}")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self.tokens[token] = now + TOKEN_TTL_S
        return token

    def check(self, token: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self._lock:
            expiry = self.tokens.get(token)
        return expiry is not None and expiry > now
