"""The Airflow connection forms for ``magento`` and ``netsuite`` connections, declared once.

Airflow 3.2+ reads connection form fields declaratively from the provider info (``conn-fields``,
JSON-schema typed, ``format: password`` = masked and stored encrypted) and ``ui-field-behaviour``;
``provider.py`` publishes these, and the hooks' ``get_ui_field_behaviour`` returns the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    description: str
    type: str = "string"
    secret: bool = False
    enum: tuple[str, ...] = ()
    default: Any = None
    minimum: int | None = None

    def conn_field(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": [self.type, "null"]}
        if self.secret:
            schema["format"] = "password"
        if self.enum:
            schema["enum"] = [*self.enum, None]
        if self.default is not None:
            schema["default"] = self.default
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        return {"label": self.label, "description": self.description, "schema": schema}


@dataclass(frozen=True)
class ConnectionForm:
    conn_type: str
    hook_class: str
    hook_name: str
    fields: tuple[FormField, ...]
    hidden: tuple[str, ...]
    relabeling: dict[str, str]
    placeholders: dict[str, str]

    def ui_field_behaviour(self) -> dict[str, Any]:
        """Python-style keys, as ``get_ui_field_behaviour`` returns them."""
        return {
            "hidden_fields": list(self.hidden),
            "relabeling": dict(self.relabeling),
            "placeholders": dict(self.placeholders),
        }

    def provider_connection_type(self) -> dict[str, Any]:
        """The ``connection-types`` entry of the provider info."""
        return {
            "connection-type": self.conn_type,
            "hook-class-name": self.hook_class,
            "hook-name": self.hook_name,
            "ui-field-behaviour": {
                "hidden-fields": list(self.hidden),
                "relabeling": dict(self.relabeling),
                "placeholders": dict(self.placeholders),
            },
            "conn-fields": {f.name: f.conn_field() for f in self.fields},
        }


_RESILIENCE = (
    FormField("concurrency", "Concurrency share", "Requests this connection may have in flight per hook "
              "(its share of the account limit).", "integer", minimum=1),
    FormField("timeout", "Timeout (s)", "Per-request timeout in seconds.", "number", minimum=1),
    FormField("max_attempts", "Max attempts", "Tries per call for transient errors before the task fails "
              "and Airflow's retries take over.", "integer", minimum=1),
    FormField("max_elapsed", "Retry budget (s)", "Total seconds one call may spend retrying.", "number", minimum=1),
)  # fmt: skip

MAGENTO_FORM = ConnectionForm(
    conn_type="magento",
    hook_class="magento_netsuite.connectors.magento.MagentoHook",
    hook_name="Magento 2 (magento-netsuite-sync)",
    fields=(
        FormField("auth", "Auth mode", "bearer: integration access token in the password (off by default "
                  "since Magento 2.4.4); oauth1: OAuth 1.0a HMAC-SHA256 with the four integration credentials.",
                  enum=("bearer", "oauth1"), default="oauth1"),
        FormField("consumer_key", "Consumer key", "Integration consumer key (oauth1).", secret=True),
        FormField("consumer_secret", "Consumer secret", "Integration consumer secret (oauth1).", secret=True),
        FormField("access_token", "Access token", "Integration access token (oauth1).", secret=True),
        FormField("access_token_secret", "Access token secret", "Integration access token secret (oauth1).",
                  secret=True),
        FormField("store_code", "Store code", "Optional store view code for /rest/<code>/V1 (empty: default)."),
        FormField("input_limit", "Input limits on", "The store enforces web API input limits "
                  "(webapi/validation/input_limit_enabled): 20 items per synchronous request.", "boolean"),
        *_RESILIENCE,
    ),
    hidden=("login", "port", "schema"),
    relabeling={"host": "Magento base URL", "password": "Integration access token (bearer)"},
    placeholders={"host": "https://shop.example.com", "auth": "oauth1", "concurrency": "4", "timeout": "60"},
)  # fmt: skip

NETSUITE_FORM = ConnectionForm(
    conn_type="netsuite",
    hook_class="magento_netsuite.connectors.netsuite.NetSuiteHook",
    hook_name="NetSuite (magento-netsuite-sync)",
    fields=(
        FormField("account_id", "Account ID", "e.g. 1234567 or 1234567_SB1 (realm and host are derived)."),
        FormField("auth", "Auth mode", "oauth2: client credentials with a certificate (new integrations from "
                  "2027.1); tba: token-based authentication.", enum=("oauth2", "tba"), default="oauth2"),
        FormField("consumer_key", "Consumer key", "Integration consumer key (tba).", secret=True),
        FormField("consumer_secret", "Consumer secret", "Integration consumer secret (tba).", secret=True),
        FormField("token_id", "Token ID", "Access token id (tba).", secret=True),
        FormField("token_secret", "Token secret", "Access token secret (tba).", secret=True),
        FormField("client_id", "OAuth 2.0 client ID", "Integration client id (oauth2).", secret=True),
        FormField("certificate_id", "Certificate ID", "Id NetSuite gave the uploaded certificate (JWT kid)."),
        FormField("private_key", "Private key (PEM)", "Private key of the certificate (oauth2).", secret=True),
        FormField("jwt_algorithm", "JWT algorithm", "Signature algorithm of the client assertion.",
                  enum=("PS256", "PS384", "PS512", "ES256", "ES384", "ES512"), default="PS256"),
        FormField("restlet_base_url", "RESTlet base URL", "Optional; default https://<account>.restlets.api.netsuite.com."),
        FormField("inventory_source", "Inventory source", "How the inventory flow reads NetSuite.",
                  enum=("restlet", "suiteql"), default="restlet"),
        *_RESILIENCE,
    ),
    hidden=("login", "password", "port", "schema"),
    relabeling={"host": "REST base URL (optional)"},
    placeholders={"host": "https://1234567-sb1.suitetalk.api.netsuite.com", "account_id": "1234567_SB1",
                  "concurrency": "2", "timeout": "120"},
)  # fmt: skip
