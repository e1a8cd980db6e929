"""Helpers of the customer flow tests: run a kit flow's task bodies in-process, read/edit both sides."""

from __future__ import annotations

from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.pipeline import tasks as kit
from magento_netsuite.pipeline.outcomes import RunContext
from tests.flows.conftest import FlowEnv


def run_flow(flow: str, run_id: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """extract → transform → load → quarantine → summarize, as the DAG's tasks do (without a scheduler)."""
    ctx = RunContext(run_id=run_id, dag_id=f"test-{flow}", task_id="task", try_number=1, request_slots=2)
    extracted = kit.extract(flow, params or {}, ctx)
    transformed = kit.transform(flow, extracted, ctx)
    loaded = kit.load(flow, transformed["chunks"][0], extracted["uri"], ctx)
    kit.quarantine(flow, transformed, loaded, ctx)
    return kit.summarize(flow, extracted, transformed, loaded, ctx)


def magento_customer(env: FlowEnv, customer_id: int) -> dict[str, Any]:
    return env.magento.get("state", customer_id=customer_id)["customer"]


def attribute(customer: dict[str, Any], code: str) -> Any:
    return next((a["value"] for a in customer.get("custom_attributes") or [] if a["attribute_code"] == code), None)


def edit_magento(env: FlowEnv, customer_id: int, **changes: Any) -> dict[str, Any]:
    """Save the account through the admin REST API as an admin would (``attributes`` as a dict)."""
    current = magento_customer(env, customer_id)
    attributes = changes.pop("attributes", {})
    body = {k: current[k] for k in ("id", "email", "firstname", "lastname", "website_id")}
    body.update(changes)
    if attributes:
        body["custom_attributes"] = [{"attribute_code": k, "value": v} for k, v in attributes.items()]
    return MagentoHook().put(f"customers/{customer_id}", {"customer": body})


def edit_netsuite(customer_internal_id: str, body: dict[str, Any]) -> None:
    NetSuiteHook().patch_record("customer", customer_internal_id, body)
