"""Fixed credentials of the bundled sandboxes (sandbox-only values, useless anywhere else).

They look random on purpose: Airflow masks every credential it knows in logs, and the alerts scrub
them, so a credential that is also a word ("restlet", "sandbox") would be cut out of ordinary text.

Both sandboxes accept exactly these; the helpers build the Airflow connection JSON
(``AIRFLOW_CONN_MAGENTO_DEFAULT`` / ``AIRFLOW_CONN_NETSUITE_DEFAULT``) in the shapes of
docs/architecture.md, "Airflow connections".
"""

from __future__ import annotations

import json
from typing import Any, Literal

# Magento integration (System > Integrations): bearer token and the four OAuth 1.0a values.
MAGENTO_BEARER_TOKEN = "sbx2cb9fc3b311c8aff1df54275"  # ruff: ignore[hardcoded-password-string] - sandbox-only value
MAGENTO_CONSUMER_KEY = "sbx22f4aa0c2146ef87f45cddaf"
MAGENTO_CONSUMER_SECRET = "sbxc38be17869e6ae8eddca51bd"  # ruff: ignore[hardcoded-password-string] - sandbox-only value
MAGENTO_ACCESS_TOKEN = "sbx80c9d83121016de873573d8d"  # ruff: ignore[hardcoded-password-string] - sandbox-only value
MAGENTO_ACCESS_TOKEN_SECRET = "sbx54e79142c2c7bf5577894d4f"  # ruff: ignore[hardcoded-password-string] - sandbox-only value

# NetSuite account, token-based authentication (TBA) and OAuth 2.0 client credentials (M2M).
NETSUITE_ACCOUNT_ID = "1234567_SB1"
NETSUITE_CONSUMER_KEY = "sbx55d0ac1534964b323b07ec87"
NETSUITE_CONSUMER_SECRET = "sbxb1b57ae72694890a8ced532f"  # ruff: ignore[hardcoded-password-string] - sandbox-only value
NETSUITE_TOKEN_ID = "sbx53ca51eb1234dcd0f9e03f82"  # ruff: ignore[hardcoded-password-string] - sandbox-only value
NETSUITE_TOKEN_SECRET = "sbx368e12ca06bfced2ca26ad05"  # ruff: ignore[hardcoded-password-string] - sandbox-only value
NETSUITE_CLIENT_ID = "sbxa8808f0952301010fb3d6cf2"
NETSUITE_CERTIFICATE_ID = "sbx27ce46416ddc67650b02ce83"

RESTLET_PATH = "/app/site/hosting/restlet.nl"

MagentoAuth = Literal["bearer", "oauth1"]
NetSuiteAuth = Literal["tba", "oauth2"]


def magento_connection(url: str, auth: MagentoAuth = "bearer", **extra: Any) -> str:
    """Airflow connection JSON for the Magento sandbox at ``url`` (``extra`` overrides/extends extras)."""
    if auth not in ("bearer", "oauth1"):
        raise ValueError(f"magento_connection: auth must be 'bearer' or 'oauth1', got {auth!r}")
    extras: dict[str, Any] = {"auth": auth, "store_code": "default", "timeout": 30, "max_attempts": 5}
    if auth == "oauth1":
        extras |= {
            "consumer_key": MAGENTO_CONSUMER_KEY,
            "consumer_secret": MAGENTO_CONSUMER_SECRET,
            "access_token": MAGENTO_ACCESS_TOKEN,
            "access_token_secret": MAGENTO_ACCESS_TOKEN_SECRET,
        }
    extras |= extra
    return json.dumps({"conn_type": "http", "host": url.rstrip("/"), "password": MAGENTO_BEARER_TOKEN, "extra": extras})


def netsuite_connection(url: str, auth: NetSuiteAuth = "tba", *, private_key: str | None = None, **extra: Any) -> str:
    """Airflow connection JSON for the NetSuite sandbox at ``url``.

    Like a real account's SuiteTalk and RESTlet domains, ``host`` and ``restlet_base_url`` are
    base URLs without a path: clients append ``/services/rest/...`` and
    ``/app/site/hosting/restlet.nl``. For ``auth="oauth2"`` pass the PEM ``private_key`` whose
    certificate the sandbox trusts (the NetSuite sandbox decides which key that is).
    """
    if auth not in ("tba", "oauth2"):
        raise ValueError(f"netsuite_connection: auth must be 'tba' or 'oauth2', got {auth!r}")
    base = url.rstrip("/")
    extras: dict[str, Any] = {
        "account_id": NETSUITE_ACCOUNT_ID,
        "auth": auth,
        "restlet_base_url": base,
        "concurrency": 5,
        "inventory_source": "restlet",
        "timeout": 30,
        "max_attempts": 5,
    }
    if auth == "tba":
        extras |= {
            "consumer_key": NETSUITE_CONSUMER_KEY,
            "consumer_secret": NETSUITE_CONSUMER_SECRET,
            "token_id": NETSUITE_TOKEN_ID,
            "token_secret": NETSUITE_TOKEN_SECRET,
        }
    else:
        extras |= {"client_id": NETSUITE_CLIENT_ID, "certificate_id": NETSUITE_CERTIFICATE_ID}
        if private_key is not None:
            extras["private_key"] = private_key
    extras |= extra
    return json.dumps({"conn_type": "http", "host": base, "extra": extras})
