"""Load: the planned product writes, children before the configurables that link them.

1. option labels NetSuite introduced are added to their select attributes;
2. simple products and matrix children are created / updated (the async bulk API when there are
   many, see :class:`~.settings.ProductSettings`), each refusal quarantined alone with Magento's message;
3. configurables are created with their options and links to every child Magento now has, or updated;
   children new to an existing configurable are linked (``POST /V1/configurable-products/{sku}/child``).

Creations go through the kit's ledger (intent before, id after), so "created by this run" stays true
across task retries; a create repeated by a retry is harmless (Magento saves by SKU).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from magento_netsuite.connectors.errors import RecordError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.products.catalog import OptionIds, SaveResult, current_products, save_products
from magento_netsuite.flows.products.constants import ENTITY, FLOW
from magento_netsuite.flows.products.settings import ProductSettings
from magento_netsuite.pipeline.ledger import Creations
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined

log = logging.getLogger(__name__)


def _failed(row: dict[str, Any], error: RecordError, ctx: RunContext) -> RecordOutcome:
    verb = "create" if row["action"] == "create" else "update"
    return quarantined(
        FLOW,
        ENTITY,
        row["key"],
        row,
        error_class=error.error_class,
        message=f"Magento refused to {verb} product {row['key']}: {error.message}",
        field_path=error.field_path or "sku",
        ctx=ctx,
        code=error.code,
    )


def body(row: dict[str, Any], options: OptionIds | None) -> dict[str, Any]:
    """The product payload: the SKU, the planned attributes, option ids; never a Magento-owned field."""
    product: dict[str, Any] = {"sku": row["key"], **row["top"]}
    attributes = [{"attribute_code": k, "value": v} for k, v in row["custom"].items()]
    if options is not None:
        attributes += [{"attribute_code": c, "value": options.ensure(c, str(v))} for c, v in row["options"].items()]
    if attributes:
        product["custom_attributes"] = attributes
    if row["action"] == "create":
        product["extension_attributes"] = {**product.get("extension_attributes", {}), "website_ids": row["website_ids"]}
    return product


class Loader:
    """One load call: writes the rows, returns one outcome per row."""

    def __init__(self, magento: MagentoHook, settings: ProductSettings, ctx: RunContext) -> None:
        self.magento = magento
        self.settings = settings
        self.ctx = ctx
        self.creations = Creations(FLOW)
        self.outcomes: dict[str, RecordOutcome] = {}
        self.calls = 0

    def load(self, rows: list[dict[str, Any]]) -> list[RecordOutcome]:
        codes = [self.settings.option_code(s) for s in self.settings.options]
        needs_options = any(r["options"] for r in rows)
        options = OptionIds(self.magento, codes) if codes and needs_options else None
        self.creations.intend([r["key"] for r in rows if r["action"] == "create"], self.ctx.run_id)
        leaves = [r for r in rows if r["kind"] != "parent"]
        parents = [r for r in rows if r["kind"] == "parent"]
        self._write(leaves, options)
        self._write_parents(parents, leaves, options)
        self._link_orphans(leaves, {p["key"] for p in parents})
        return [self.outcomes.get(r["key"]) or RecordOutcome(r["key"], Status.LOADED) for r in rows]

    def _write(self, rows: list[dict[str, Any]], options: OptionIds | None) -> SaveResult:
        creates, updates = [], []
        for row in rows:
            try:
                payload = body(row, options)
            except RecordError as error:
                self.outcomes[row["key"]] = _failed(row, error, self.ctx)
                continue
            if row["action"] == "create":
                creates.append(payload)
            elif len(payload) > 1:  # more than the SKU: an attribute changed
                updates.append(payload)
        bulk = self.settings.use_bulk(len(creates) + len(updates))
        result = save_products(self.magento, creates, updates, bulk=bulk, per_request=self.settings.bulk_operations)
        self.calls += result.calls
        by_key = {r["key"]: r for r in rows}
        for sku, error in result.failed.items():
            self.outcomes[sku] = _failed(by_key[sku], error, self.ctx)
        for sku, product_id in result.saved.items():
            if by_key[sku]["action"] == "create":
                self.creations.created(sku, str(product_id or "bulk"), self.ctx.run_id)
        log.info("products: %d created, %d updated (%s), %d refused", len(creates), len(updates),
                 "async bulk" if bulk else "one call each", len(result.failed))  # fmt: skip
        return result

    def _ids(self, skus: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted(set(skus))
        return current_products(self.magento, wanted) if wanted else {}

    def _write_parents(
        self, parents: list[dict[str, Any]], leaves: list[dict[str, Any]], options: OptionIds | None
    ) -> None:
        if not parents:
            return
        new_children = {r["key"] for r in leaves if r["action"] == "create" and r["key"] not in self.outcomes}
        for parent in parents:
            parent["unlinked"] = list(dict.fromkeys(
                [*parent.get("unlinked", []), *(c for c in parent["children"] if c in new_children)]
            ))  # fmt: skip
        existing = self._ids(c for p in parents for c in p["children"])
        codes = [self.settings.option_code(s) for s in self.settings.options]
        attribute_ids = options.attribute_ids if options is not None else {}
        if options is None and codes:
            attribute_ids = OptionIds(self.magento, codes).attribute_ids
        for parent in parents:
            if parent["action"] == "create":
                children = [existing[c] for c in parent["children"] if c in existing]
                parent["top"]["extension_attributes"] = configurable(children, codes, attribute_ids)
                parent["unlinked"] = []
        self._write(parents, options)
        for parent in parents:
            if parent["key"] in self.outcomes:
                continue
            for child in parent["unlinked"]:
                if child in existing:
                    self._link(parent["key"], child, parent)

    def _link(self, parent: str, child: str, row: dict[str, Any]) -> None:
        self.calls += 1
        try:
            self.magento.post(f"V1/configurable-products/{parent}/child", {"childSku": child}, idempotent=True)
        except RecordError as error:
            if "already attached" in error.message:
                return
            self.outcomes[row["key"]] = _failed(
                {**row, "action": "update"},
                RecordError(f"linking child {child} to {parent}: {error.message}", field_path="parent"),
                self.ctx,
            )

    def _link_orphans(self, leaves: list[dict[str, Any]], parents_in_batch: set[str]) -> None:
        """Children whose configurable exists already (not written in this batch) but does not link them."""
        for row in leaves:
            orphan = row["kind"] == "child" and not row["linked"] and row["parent"] not in parents_in_batch
            if orphan and row["key"] not in self.outcomes:
                self._link(str(row["parent"]), row["key"], row)


def configurable(children: list[dict[str, Any]], codes: list[str], attribute_ids: dict[str, int]) -> dict[str, Any]:
    """``extension_attributes`` of a new configurable: one option per attribute its children vary on."""
    values: dict[str, list[int]] = {}
    for child in children:
        attributes = {a.get("attribute_code"): a.get("value") for a in child.get("custom_attributes") or []}
        for code in codes:
            value = attributes.get(code)
            if str(value).isdigit() and int(value) not in values.setdefault(code, []):  # an option id
                values[code].append(int(value))
    options = [
        {
            "attribute_id": str(attribute_ids[code]),
            "label": code.replace("_", " ").title(),
            "position": position,
            "values": [{"value_index": v} for v in found],
        }
        for position, (code, found) in enumerate((c, values[c]) for c in codes if values.get(c))
    ]
    return {
        "configurable_product_options": options,
        "configurable_product_links": [int(c["id"]) for c in children],
    }
