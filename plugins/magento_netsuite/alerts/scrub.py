"""Keep secrets out of alert text.

Exception messages can carry what a request carried: a NetSuite TBA ``Authorization: OAuth ...``
header, a bearer token, a password in a URL. Everything an alert shows passes through
:func:`scrub` first; known secret values (passwords and extras of our connections) are removed
verbatim as well as by shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "***"
MAX_MESSAGE_CHARS = 1500

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # PEM blocks (private keys for NetSuite OAuth 2.0 client credentials)
    (re.compile(r"-----BEGIN [A-Z ]+-----.*?(-----END [A-Z ]+-----|$)", re.S), REDACTED),
    # whole Authorization header values: OAuth 1.0a (TBA), Bearer, Basic
    (
        re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?:oauth|bearer|basic)\b[^\n'\"}]*"),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(?i)\bOAuth\s+(?:realm|oauth_)\S*[^\n]*"), "OAuth " + REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # oauth_signature="...", oauth_token=..., any *password* / *secret* / *token* / *key* = value
    (
        re.compile(
            r"(?i)\b([\w-]*(?:oauth_\w+|password|passwd|pwd|secret|token|signature|api[_-]?key|private[_-]?key|"
            r"consumer[_-]?key|client[_-]?id|credential)[\w-]*['\"]?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&}]+)"
        ),
        r"\1" + REDACTED,
    ),
    # user:password@ in URLs
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"), r"\1" + REDACTED + "@"),
    # Slack webhook paths and tokens
    (re.compile(r"https://hooks\.slack\.com/\S+"), "https://hooks.slack.com/" + REDACTED),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]+"), REDACTED),
    # JWTs and long opaque strings (hex or base64 tokens, signatures)
    (re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*"), REDACTED),
    (re.compile(r"(?<![\w/])[A-Za-z0-9+/_-]{32,}={0,2}"), REDACTED),
]


def scrub(text: str, known_secrets: Iterable[str] = ()) -> str:
    """``text`` without secret values or anything shaped like one, cut to a readable length."""
    for secret in sorted({s for s in known_secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + " …(truncated)"
    return text


SENSITIVE_KEY_PARTS = (
    "password", "passwd", "secret", "token", "private_key", "privatekey", "api_key", "apikey", "authorization",
    "passphrase", "consumer_key", "credential", "signature", "webhook", "keyfile",
)  # fmt: skip
"""Extra keys whose values are secrets (Airflow's masker decides the same way, by key name). Other extras,
such as ``inventory_source: restlet`` or ``auth: bearer``, are settings: hiding them would cut ordinary
words like "restlet" out of every alert."""


def sensitive_key(name: object) -> bool:
    lowered = str(name).lower()
    return any(part in lowered for part in SENSITIVE_KEY_PARTS)


def secret_values(value: object, key: object = None) -> list[str]:
    """The secret strings of a connection password (``key`` None: all of it) or extra (the values under
    sensitive key names, nested dicts and lists included)."""
    if isinstance(value, str):
        return [value] if key is None or sensitive_key(key) else []
    if isinstance(value, dict):
        return [
            s for k, v in value.items() for s in secret_values(v, k if key is None or not sensitive_key(key) else key)
        ]
    if isinstance(value, list | tuple):
        return [s for v in value for s in secret_values(v, key)]
    return []
