"""NetSuite account ids, OAuth realms and hosts.

The account id is written two ways: the realm (and SOAP/UI form) is upper case with an underscore
(``1234567_SB1``); host names use lower case with a hyphen (``1234567-sb1.suitetalk.api.netsuite.com``).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

_ACCOUNT = re.compile(r"^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*$")
_NETSUITE_HOST = re.compile(r"^([a-z0-9-]+)\.(suitetalk|restlets)\.api\.netsuite\.com$")


def normalize_account_id(account_id: str) -> str:
    """The realm form: ``1234567-sb1`` → ``1234567_SB1``."""
    value = (account_id or "").strip()
    if not _ACCOUNT.match(value):
        raise ValueError(f"not a NetSuite account id: {account_id!r} (expected e.g. 1234567 or 1234567_SB1)")
    return value.upper().replace("-", "_")


def realm(account_id: str) -> str:
    """The OAuth 1.0a ``realm`` NetSuite expects (not signed, sent in the header)."""
    return normalize_account_id(account_id)


def host_prefix(account_id: str) -> str:
    """The host form: ``1234567_SB1`` → ``1234567-sb1``."""
    return normalize_account_id(account_id).lower().replace("_", "-")


def rest_base_url(account_id: str) -> str:
    """``https://1234567-sb1.suitetalk.api.netsuite.com`` (REST record API, SuiteQL, OAuth 2.0 token)."""
    return f"https://{host_prefix(account_id)}.suitetalk.api.netsuite.com"


def restlet_base_url(account_id: str) -> str:
    """``https://1234567-sb1.restlets.api.netsuite.com`` (RESTlets)."""
    return f"https://{host_prefix(account_id)}.restlets.api.netsuite.com"


def account_from_url(url: str) -> str | None:
    """The account id in realm form from a NetSuite API URL or host, ``None`` for other hosts."""
    host = urlparse(url if "://" in url else f"https://{url}").hostname or ""
    match = _NETSUITE_HOST.match(host.lower())
    return normalize_account_id(match.group(1)) if match else None


def is_netsuite_host(url: str) -> bool:
    """True for ``*.suitetalk.api.netsuite.com`` / ``*.restlets.api.netsuite.com``."""
    return account_from_url(url) is not None
