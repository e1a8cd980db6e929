"""The Magento sandbox's in-memory state and the domain rules of the endpoints it serves.

Everything runs on the server's event loop (all endpoints are ``async`` and never await while
changing state), so no locks are needed. Products from the seed stay compact
(:class:`MagentoProduct`) until first written; then they become API dicts.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from magento_netsuite.sandbox.datagen import Dataset, MagentoProduct, SourceItem, magento_time
from magento_netsuite.sandbox.magento.errors import (
    MAX_ITEMS,
    NO_SUCH_PRODUCT,
    MagentoError,
    bad_request,
    not_found,
)
from magento_netsuite.sandbox.magento.search import dict_field

REQUIRED = '"%fieldName" is required. Enter and try again.'
INVALID_VALUE = 'Invalid value of "%value" provided for the %fieldName field.'
SHIPMENT_NOT_ALLOWED = "Shipment Document Validation Error(s):\nThe order does not allow a shipment to be created."
SOURCE_ITEM_TYPE = "Magento\\InventoryApi\\Api\\Data\\SourceItemInterface"
BASE_PRICE_TYPE = "Magento\\Catalog\\Api\\Data\\BasePriceInterface"
TIER_PRICE_TYPE = "Magento\\Catalog\\Api\\Data\\TierPriceInterface"
BULK_TOPIC = "async.magento.inventoryapi.api.sourceitemssaveinterface.execute.post"
BULK_SUCCESS = "Service execution success Magento\\InventoryApi\\Api\\SourceItemsSaveInterface\\Interceptor::execute"
REJECTED = "The record was rejected: %sku"
SYNC_ARRAY_LIMIT = 20
ASYNC_ARRAY_LIMIT = 5000
GROUP_CODE_MAX = 32
"""Customer group codes: at most 32 characters (``GroupRepository`` validation)."""

BULK_COMPLETE, BULK_RETRIABLY_FAILED, BULK_FAILED, BULK_OPEN, BULK_REJECTED = 1, 2, 3, 4, 5


def now_str() -> str:
    return magento_time(datetime.now(UTC))


def render(message: str, parameters: dict[str, Any] | list[Any]) -> str:
    """Substitute ``%name`` / ``%1`` placeholders like Magento's ``__()`` does."""
    if isinstance(parameters, dict):
        for name in sorted(parameters, key=len, reverse=True):
            message = message.replace(f"%{name}", str(parameters[name]))
    else:
        for index, value in enumerate(parameters, start=1):
            message = message.replace(f"%{index}", str(value))
    return message


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass
class BulkOperation:
    id: int
    data: Any
    data_hash: str | None
    status: int = BULK_OPEN
    result_message: str | None = None
    error_code: int | None = None


@dataclass
class Bulk:
    uuid: str
    description: str
    start_time: str
    operations: list[BulkOperation] = field(default_factory=list)


def product_field(record: MagentoProduct | dict[str, Any], name: str) -> Any:
    if isinstance(record, dict):
        if name == "entity_id":
            return record.get("id")
        return dict_field(record, name)
    if name in ("id", "entity_id"):
        return record.id
    return getattr(record, name, None) if name in MagentoProduct.__slots__ else None  # type: ignore[attr-defined]


def order_field(record: dict[str, Any], name: str) -> Any:
    return record.get(name)


def source_item_field(record: SourceItem, name: str) -> Any:
    return getattr(record, name, None) if name in ("sku", "source_code", "quantity", "status") else None


class MagentoState:
    """Orders, customers, catalog, MSI and prices of one Magento sandbox."""

    def __init__(self, dataset: Dataset) -> None:
        self.load(dataset)

    def load(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.orders: dict[int, dict[str, Any]] = {o["entity_id"]: copy.deepcopy(o) for o in dataset.orders}
        self.order_ids: dict[str, int] = {o["increment_id"]: eid for eid, o in self.orders.items()}
        self.customers: dict[int, dict[str, Any]] = {c["id"]: copy.deepcopy(c) for c in dataset.magento_customers}
        self.products: dict[str, MagentoProduct | dict[str, Any]] = {p.sku: p for p in dataset.products}
        self.sources: list[str] = list(dataset.sources)
        self.source_items: dict[tuple[str, str], SourceItem] = {
            (s.sku, s.source_code): SourceItem(s.sku, s.source_code, s.quantity, s.status) for s in dataset.source_items
        }
        self.source_items_by_sku: dict[str, list[tuple[str, str]]] = {}
        for key in self.source_items:
            self.source_items_by_sku.setdefault(key[0], []).append(key)
        self.customer_groups: dict[int, dict[str, Any]] = {g["id"]: dict(g) for g in dataset.customer_groups}
        self.tier_prices: dict[str, list[dict[str, Any]]] = {}
        self.shipments: dict[int, dict[str, Any]] = {}
        self.bulks: dict[str, Bulk] = {}
        self._next_shipment = 1
        self._next_history = 1
        self._next_order = max(self.orders, default=0) + 1
        self._next_item = 1 + max((i["item_id"] for o in self.orders.values() for i in o["items"]), default=0)
        self._next_customer = max(self.customers, default=0) + 1
        self._next_product = 1 + max((product_field(p, "id") or 0 for p in self.products.values()), default=0)

    # ------------------------------------------------------------ lookups
    def order(self, entity_id: int) -> dict[str, Any]:
        order = self.orders.get(entity_id)
        if order is None:
            raise not_found()
        return order

    def customer(self, customer_id: int) -> dict[str, Any]:
        customer = self.customers.get(customer_id)
        if customer is None:
            raise not_found(
                "No such entity with %fieldName = %fieldValue", {"fieldName": "customerId", "fieldValue": customer_id}
            )
        return customer

    def product_json(self, record: MagentoProduct | dict[str, Any]) -> dict[str, Any]:
        body = record.to_api() if isinstance(record, MagentoProduct) else copy.deepcopy(record)
        body["tier_prices"] = [
            {"customer_group_id": self._group_id(t["customer_group"]), "qty": t["quantity"], "value": t["price"]}
            for t in self.tier_prices.get(body["sku"], [])
            if t["price_type"] == "fixed"
        ]
        return body

    def product(self, sku: str) -> dict[str, Any]:
        record = self.products.get(sku)
        if record is None:
            raise not_found(NO_SUCH_PRODUCT)
        return self.product_json(record)

    def _group_id(self, code: str) -> int:
        for group in self.customer_groups.values():
            if group["code"].casefold() == code.casefold():
                return group["id"]
        return 32000  # Magento's "ALL GROUPS" id

    def _group_known(self, code: str) -> bool:
        return code.casefold() == "all groups" or any(
            g["code"].casefold() == code.casefold() for g in self.customer_groups.values()
        )

    # ------------------------------------------------------------ orders
    def add_comment(self, entity_id: int, body: dict[str, Any]) -> None:
        order = self.order(entity_id)
        history = body.get("statusHistory")
        if not isinstance(history, dict):
            raise bad_request(REQUIRED, {"fieldName": "statusHistory"})
        # Since 2.4.7 this endpoint no longer changes the order status (M2 #38723).
        entry = {
            "entity_id": self._next_history,
            "parent_id": entity_id,
            "comment": str(history.get("comment", "")),
            "created_at": now_str(),
            "entity_name": "order",
            "is_customer_notified": int(bool(history.get("is_customer_notified", 0))),
            "is_visible_on_front": int(bool(history.get("is_visible_on_front", 0))),
            "status": order["status"],
        }
        self._next_history += 1
        order.setdefault("status_histories", []).insert(0, entry)
        order["updated_at"] = entry["created_at"]

    def ship(self, entity_id: int, body: dict[str, Any]) -> int:
        order = self.order(entity_id)
        if order["state"] in ("canceled", "closed", "complete", "holded"):
            raise bad_request(SHIPMENT_NOT_ALLOWED)
        lines = {line["item_id"]: line for line in order["items"]}
        children: dict[int, list[dict[str, Any]]] = {}
        for line in order["items"]:
            if "parent_item_id" in line:
                children.setdefault(line["parent_item_id"], []).append(line)

        def remaining(line: dict[str, Any]) -> float:
            return float(line["qty_ordered"]) - float(line.get("qty_shipped", 0)) - float(line.get("qty_canceled", 0))

        requested = body.get("items") or [
            {"order_item_id": line["item_id"], "qty": remaining(line)}
            for line in order["items"]
            if "parent_item_id" not in line and remaining(line) > 0
        ]
        plan: list[tuple[dict[str, Any], float]] = []
        for entry in requested:
            line = lines.get(_int_or_none(entry.get("order_item_id")) or -1)
            qty = _number(entry.get("qty"))
            if line is None or qty is None or qty < 0:
                raise bad_request(SHIPMENT_NOT_ALLOWED)
            if qty > remaining(line) + 1e-9:
                raise bad_request(
                    'Shipment Document Validation Error(s):\nWe found an invalid quantity to ship for item "%1".',
                    [line["name"]],
                )
            if qty:
                plan.append((line, qty))
        if not plan:
            raise bad_request("Shipment Document Validation Error(s):\nYou can't create a shipment without products.")
        source_code = ((body.get("arguments") or {}).get("extension_attributes") or {}).get("source_code")
        if source_code is not None and source_code not in self.sources:
            raise bad_request(INVALID_VALUE, {"value": source_code, "fieldName": "source_code"})
        stamp = now_str()
        shipped_items = []
        for line, qty in plan:
            for target in (line, *children.get(line["item_id"], ())):
                target["qty_shipped"] = float(target.get("qty_shipped", 0)) + qty
                target["updated_at"] = stamp
            shipped_items.append({"order_item_id": line["item_id"], "sku": line["sku"], "qty": qty})
        shipment_id = self._next_shipment
        self._next_shipment += 1
        self.shipments[shipment_id] = {
            "entity_id": shipment_id,
            "order_id": entity_id,
            "increment_id": f"{shipment_id:09d}",
            "items": shipped_items,
            "tracks": list(body.get("tracks") or []),
            "source_code": source_code or "default",
            "notify": bool(body.get("notify")),
            "created_at": stamp,
            "comments": _shipment_comments(body.get("comment"), shipment_id, stamp),
        }
        if body.get("appendComment") and isinstance(body.get("comment"), dict):
            self.add_comment(entity_id, {"statusHistory": {"comment": body["comment"].get("comment", "")}})
        all_shipped = all(remaining(line) <= 0 for line in order["items"] if "parent_item_id" not in line)
        all_invoiced = all(
            float(line.get("qty_invoiced", 0)) >= float(line["qty_ordered"])
            for line in order["items"]
            if "parent_item_id" not in line
        )
        if all_shipped and all_invoiced:
            order["state"] = order["status"] = "complete"
        order["updated_at"] = stamp
        return shipment_id

    def cancel(self, entity_id: int) -> bool:
        """``OrderManagementInterface::cancel``: ``false`` when ``Order::canCancel()`` says no (already
        cancelled, complete, closed, on hold, or every item invoiced); else every item's ``qty_to_cancel``
        (``min(qty_to_invoice, qty_to_ship)``) is cancelled and the order becomes ``canceled`` (or stays
        ``processing`` while invoiced quantities are not refunded)."""
        order = self.order(entity_id)
        if order["state"] in ("canceled", "complete", "closed", "holded"):
            return False
        lines = order["items"]

        def to_invoice(line: dict[str, Any]) -> float:
            return float(line["qty_ordered"]) - float(line.get("qty_invoiced", 0)) - float(line.get("qty_canceled", 0))

        def to_ship(line: dict[str, Any]) -> float:
            return float(line["qty_ordered"]) - float(line.get("qty_shipped", 0)) - float(line.get("qty_canceled", 0))

        if all(to_invoice(line) <= 0 for line in lines):
            return False
        stamp = now_str()
        for line in lines:
            line["qty_canceled"] = float(line.get("qty_canceled", 0)) + max(0.0, min(to_invoice(line), to_ship(line)))
            line["updated_at"] = stamp
        refundable = any(float(line.get("qty_invoiced", 0)) - float(line.get("qty_refunded", 0)) > 0 for line in lines)
        order["state"] = order["status"] = "processing" if refundable else "canceled"
        order["updated_at"] = stamp
        return True

    def insert_order(self, raw: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(raw, dict) or not raw.get("items"):
            raise bad_request(REQUIRED, {"fieldName": "items"})
        order = copy.deepcopy(raw)
        if "entity_id" not in order:
            order["entity_id"] = self._next_order
        self._next_order = max(self._next_order, order["entity_id"] + 1)
        order.setdefault("increment_id", f"{order['entity_id']:09d}")
        if order["increment_id"] in self.order_ids and self.order_ids[order["increment_id"]] != order["entity_id"]:
            raise bad_request("Order with increment id %1 already exists", [order["increment_id"]])
        stamp = now_str()
        order.setdefault("created_at", stamp)
        order.setdefault("updated_at", order["created_at"])
        order.setdefault("state", "processing")
        order.setdefault("status", "processing")
        order.setdefault("status_histories", [])
        for line in order["items"]:
            if "item_id" not in line:
                line["item_id"] = self._next_item
            self._next_item = max(self._next_item, line["item_id"] + 1)
            line.setdefault("order_id", order["entity_id"])
        self.orders[order["entity_id"]] = order
        self.order_ids[order["increment_id"]] = order["entity_id"]
        return order

    def patch_order(self, increment_id: str, patch: dict[str, Any]) -> dict[str, Any]:
        entity_id = self.order_ids.get(increment_id)
        if entity_id is None:
            raise not_found()
        order = self.orders[entity_id]
        for key, value in patch.items():
            if "." in key or "[" in key:
                _set_path(order, key, value)
            elif isinstance(value, dict) and isinstance(order.get(key), dict):
                _deep_merge(order[key], value)
            else:
                order[key] = value
        if "updated_at" not in patch:
            order["updated_at"] = now_str()
        return order

    # ------------------------------------------------------------ customers
    def save_customer(self, customer_id: int, body: dict[str, Any]) -> dict[str, Any]:
        existing = self.customer(customer_id)
        data = body.get("customer")
        if not isinstance(data, dict):
            raise bad_request(REQUIRED, {"fieldName": "customer"})
        for name in ("email", "firstname", "lastname"):
            if not str(data.get(name) or "").strip():
                raise bad_request(REQUIRED, {"fieldName": name})
        email = str(data["email"]).strip()
        if "@" not in email:
            raise bad_request('"%1" is not a valid email address.', [email])
        for other in self.customers.values():
            if other["id"] != customer_id and other["email"].casefold() == email.casefold():
                raise bad_request("A customer with the same email address already exists in an associated website.")
        if "group_id" in data and _int_or_none(data["group_id"]) not in self.customer_groups:
            raise bad_request(INVALID_VALUE, {"value": data["group_id"], "fieldName": "group_id"})
        if "website_id" in data and _int_or_none(data["website_id"]) != 1:
            raise bad_request(INVALID_VALUE, {"value": data["website_id"], "fieldName": "website_id"})
        updated = copy.deepcopy(existing)
        for key, value in data.items():
            if key == "custom_attributes" and isinstance(value, list):
                updated["custom_attributes"] = _merge_attributes(updated.get("custom_attributes", []), value)
            elif key == "extension_attributes" and isinstance(value, dict):
                updated.setdefault("extension_attributes", {}).update(value)
            elif key not in ("id", "created_at", "updated_at"):
                updated[key] = value
        updated["id"] = customer_id
        updated["updated_at"] = now_str()
        self.customers[customer_id] = updated
        return updated

    def insert_customer(self, raw: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(raw, dict) or not raw.get("email"):
            raise bad_request(REQUIRED, {"fieldName": "email"})
        customer = copy.deepcopy(raw)
        customer.setdefault("id", self._next_customer)
        self._next_customer = max(self._next_customer, customer["id"] + 1)
        stamp = now_str()
        customer.setdefault("created_at", stamp)
        customer.setdefault("updated_at", stamp)
        customer.setdefault("group_id", 1)
        customer.setdefault("website_id", 1)
        customer.setdefault("store_id", 1)
        customer.setdefault("addresses", [])
        self.customers[customer["id"]] = customer
        return customer

    # ------------------------------------------------------------ products
    def save_product(self, body: dict[str, Any], path_sku: str | None = None) -> dict[str, Any]:
        data = body.get("product")
        if not isinstance(data, dict):
            raise bad_request(REQUIRED, {"fieldName": "product"})
        sku = path_sku or str(data.get("sku") or "").strip()
        if not sku:
            raise bad_request(REQUIRED, {"fieldName": "sku"})
        if "price" in data and ((price := _number(data["price"])) is None or price < 0):
            raise bad_request(INVALID_VALUE, {"value": data["price"], "fieldName": "price"})
        if "type_id" in data and data["type_id"] not in ("simple", "virtual", "configurable", "bundle"):
            raise bad_request(INVALID_VALUE, {"value": data["type_id"], "fieldName": "type_id"})
        if "status" in data and _int_or_none(data["status"]) not in (1, 2):
            raise bad_request(INVALID_VALUE, {"value": data["status"], "fieldName": "status"})
        if "visibility" in data and _int_or_none(data["visibility"]) not in (1, 2, 3, 4):
            raise bad_request(INVALID_VALUE, {"value": data["visibility"], "fieldName": "visibility"})
        record = self.products.get(sku)
        stamp = now_str()
        if record is None:
            if not str(data.get("name") or "").strip():
                raise bad_request(
                    'The "%1" attribute value is empty. Set the attribute and try again.', ["Product Name"]
                )
            type_id = data.get("type_id", "simple")
            if type_id in ("simple", "virtual") and "price" not in data:
                raise bad_request('The "%1" attribute value is empty. Set the attribute and try again.', ["Price"])
            current: dict[str, Any] = {
                "id": self._next_product,
                "sku": sku,
                "attribute_set_id": 4,
                "status": 1,
                "visibility": 4,
                "type_id": type_id,
                "created_at": stamp,
                "extension_attributes": {"website_ids": [1]},
                "product_links": [],
                "options": [],
                "media_gallery_entries": [],
                "tier_prices": [],
                "custom_attributes": [],
            }
            self._next_product += 1
        else:
            current = self.product_json(record)
        for key, value in data.items():
            if key == "custom_attributes" and isinstance(value, list):
                current["custom_attributes"] = _merge_attributes(current.get("custom_attributes", []), value)
            elif key == "extension_attributes" and isinstance(value, dict):
                current.setdefault("extension_attributes", {}).update(value)
            elif key not in ("id", "sku", "created_at", "updated_at", "tier_prices"):
                current[key] = value
        if "price" in data:
            current["price"] = float(data["price"])
        current["updated_at"] = stamp
        self.products[sku] = current
        return self.product_json(current)

    def insert_product(self, raw: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(raw, dict) or not raw.get("sku"):
            raise bad_request(REQUIRED, {"fieldName": "sku"})
        product = copy.deepcopy(raw)
        product.setdefault("id", self._next_product)
        self._next_product = max(self._next_product, product["id"] + 1)
        stamp = now_str()
        product.setdefault("created_at", stamp)
        product.setdefault("updated_at", stamp)
        product.setdefault("type_id", "simple")
        self.products[product["sku"]] = product
        return self.product_json(product)

    # ------------------------------------------------------------ inventory
    def source_item_errors(self, items: Any) -> list[dict[str, Any]]:
        """MSI validation of a ``sourceItems`` array: one ``{message, parameters}`` per problem."""
        if not isinstance(items, list) or not items:
            return [{"message": "Input data is empty", "parameters": []}]
        errors: list[dict[str, Any]] = []
        for item in items:
            if not isinstance(item, dict):
                errors.append({"message": "Input data is invalid", "parameters": []})
                continue
            sku = str(item.get("sku") or "").strip()
            source_code = str(item.get("source_code") or "").strip()
            if not sku:
                errors.append({"message": '"%field" can not be empty.', "parameters": {"field": "sku"}})
            elif sku not in self.products:
                errors.append({"message": 'Product with SKU "%sku" does not exist.', "parameters": {"sku": sku}})
            if not source_code:
                errors.append({"message": '"%field" can not be empty.', "parameters": {"field": "source_code"}})
            elif source_code not in self.sources:
                errors.append(
                    {"message": 'Source with code "%code" does not exist.', "parameters": {"code": source_code}}
                )
            if _number(item.get("quantity")) is None:
                errors.append({"message": '"%field" should be numeric.', "parameters": {"field": "quantity"}})
            if _int_or_none(item.get("status")) not in (0, 1):
                errors.append(
                    {
                        "message": 'Invalid value of "%value" provided for the %field field.',
                        "parameters": {"field": "status", "value": item.get("status")},
                    }
                )
        return errors

    def save_source_items(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            key = (str(item["sku"]).strip(), str(item["source_code"]).strip())
            row = self.source_items.get(key)
            quantity = float(item["quantity"])
            status = int(item["status"])
            if row is None:
                self.source_items[key] = SourceItem(key[0], key[1], quantity, status)
                self.source_items_by_sku.setdefault(key[0], []).append(key)
            else:
                row.quantity, row.status = quantity, status

    def source_item_candidates(self, sku_filter: list[str] | None) -> list[SourceItem]:
        if sku_filter is None:
            return list(self.source_items.values())
        return [self.source_items[key] for sku in sku_filter for key in self.source_items_by_sku.get(sku, ())]

    # ------------------------------------------------------------ prices
    def save_base_prices(self, prices: list[Any], rejected: dict[str, str]) -> list[dict[str, Any]]:
        failures: list[dict[str, Any]] = []
        for entry in prices:
            entry = entry if isinstance(entry, dict) else {}
            sku = str(entry.get("sku") or "")
            store_id = _int_or_none(entry.get("store_id", 0))
            params = {"SKU": sku, "storeId": entry.get("store_id", 0)}
            price = _number(entry.get("price"))
            row = "Row ID: SKU = %SKU, Store ID: %storeId."
            if sku in rejected:
                failures.append(_failure(rejected[sku], {"sku": sku, **params}))
            elif sku not in self.products:
                failures.append(_failure(f"Requested product doesn't exist. {row}", params))
            elif price is None or price < 0:
                invalid = {"fieldName": "Price", "fieldValue": entry.get("price"), **params}
                failures.append(_failure(f"Invalid attribute %fieldName = %fieldValue. {row}", invalid))
            elif store_id not in (0, 1):
                failures.append(_failure(f"Requested store is not found. {row}", params))
            else:
                self._set_price(sku, price)
        return failures

    def _set_price(self, sku: str, price: float) -> None:
        record = self.products[sku]
        if isinstance(record, MagentoProduct):
            record = self.product_json(record)
            self.products[sku] = record
        record["price"] = price
        record["updated_at"] = now_str()

    def base_prices(self, skus: list[str]) -> list[dict[str, Any]]:
        missing = [sku for sku in skus if sku not in self.products]
        if missing:
            raise not_found("Requested products don't exist: %sku", {"sku": ", ".join(missing)})
        return [{"price": product_field(self.products[sku], "price"), "store_id": 0, "sku": sku} for sku in skus]

    def _tier_row(self, entry: Any, rejected: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """One tier-price row validated as Magento's ``TierPriceValidator`` does: ``(row, None)`` or
        ``(None, failure)``."""
        entry = entry if isinstance(entry, dict) else {}
        sku = str(entry.get("sku") or "")
        group = str(entry.get("customer_group") or "")
        params = {
            "SKU": sku,
            "websiteId": entry.get("website_id", 0),
            "customerGroup": group,
            "qty": entry.get("quantity"),
        }
        row = "Row ID: SKU = %SKU, Website ID: %websiteId, Customer Group: %customerGroup, Quantity: %qty."
        price, qty = _number(entry.get("price")), _number(entry.get("quantity"))
        record = self.products.get(sku)
        if sku in rejected:
            return None, _failure(rejected[sku], {"sku": sku, **params})
        if record is None:
            return None, _failure(f"Requested product doesn't exist. {row}", params)
        if entry.get("price_type") not in ("fixed", "discount"):
            return None, _failure(f"Price type {entry.get('price_type')!s} is invalid. {row}", params)
        if product_field(record, "type_id") == "bundle" and entry.get("price_type") != "discount":
            return None, _failure(f"Bundle products accept only discount tier prices. {row}", params)
        if price is None or price < 0 or (entry.get("price_type") == "discount" and price > 100):
            return None, _failure(f"Invalid attribute Price = %price. {row}", {"price": entry.get("price"), **params})
        if qty is None or qty <= 0:
            return None, _failure(f"Invalid attribute Quantity = %qty. {row}", params)
        if _int_or_none(entry.get("website_id", 0)) not in (0, 1):
            return None, _failure(f"Invalid attribute Website ID = %websiteId. {row}", params)
        if not self._group_known(group):
            return None, _failure(f"No such entity with Customer Group = %customerGroup. {row}", params)
        return {"price": price, "price_type": entry["price_type"], "website_id": int(entry.get("website_id", 0)),
                "sku": sku, "customer_group": group, "quantity": qty}, None  # fmt: skip

    def save_tier_prices(self, prices: list[Any], rejected: dict[str, str], *, replace: bool) -> list[dict[str, Any]]:
        failures: list[dict[str, Any]] = []
        valid: list[dict[str, Any]] = []
        for entry in prices:
            tier, failure = self._tier_row(entry, rejected)
            if failure is not None:
                failures.append(failure)
            elif tier is not None:
                valid.append(tier)
        if replace:
            for sku in {v["sku"] for v in valid}:
                self.tier_prices[sku] = []
        for tier in valid:
            rows = self.tier_prices.setdefault(tier["sku"], [])
            key = (tier["website_id"], tier["customer_group"].casefold(), tier["quantity"])
            rows[:] = [r for r in rows if (r["website_id"], r["customer_group"].casefold(), r["quantity"]) != key]
            rows.append(tier)
        return failures

    def delete_tier_prices(self, prices: list[Any], rejected: dict[str, str]) -> list[dict[str, Any]]:
        """``POST /V1/products/tier-prices-delete``: rows that fail validation are reported and skipped;
        a valid row deletes the stored tier with the same website, group, quantity, type and price
        (``TierPriceStorage::delete`` matches the value too); a valid row that matches none is a no-op."""
        failures: list[dict[str, Any]] = []
        for entry in prices:
            tier, failure = self._tier_row(entry, rejected)
            if failure is not None:
                failures.append(failure)
                continue
            assert tier is not None
            rows = self.tier_prices.get(tier["sku"], [])
            rows[:] = [
                r
                for r in rows
                if not (
                    r["website_id"] == tier["website_id"]
                    and r["customer_group"].casefold() == tier["customer_group"].casefold()
                    and r["quantity"] == tier["quantity"]
                    and r["price_type"] == tier["price_type"]
                    and abs(r["price"] - tier["price"]) < 1e-6
                )
            ]
        return failures

    def create_customer_group(self, body: Any) -> dict[str, Any]:
        """``POST /V1/customerGroups``: ``{group: {code, tax_class_id}}``; a code already in use (case
        blind) is refused like Magento's ``InvalidTransitionException``."""
        group = body.get("group") if isinstance(body, dict) else None
        if not isinstance(group, dict):
            raise bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": "group"})
        code = str(group.get("code") or "").strip()
        if not code:
            raise bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": "code"})
        if len(code) > GROUP_CODE_MAX:
            raise bad_request("Code is more than %1 characters. Set the code and try again.", [str(GROUP_CODE_MAX)])
        if self._group_known(code):
            raise bad_request("Customer Group already exists.")
        tax_class = _int_or_none(group.get("tax_class_id"))
        if tax_class is None:
            raise bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": "tax_class_id"})
        new_id = max(self.customer_groups, default=0) + 1
        self.customer_groups[new_id] = {
            "id": new_id,
            "code": code,
            "tax_class_id": tax_class,
            "tax_class_name": "Retail Customer",
        }
        return dict(self.customer_groups[new_id])

    # ------------------------------------------------------------ async bulk
    def new_bulk(self, bodies: list[Any]) -> Bulk:
        bulk = Bulk(str(uuid.uuid4()), f"Topic {BULK_TOPIC}", now_str())
        for index, data in enumerate(bodies):
            if isinstance(data, dict) and "sourceItems" in data:
                digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
                bulk.operations.append(BulkOperation(index, data, digest))
            else:
                bulk.operations.append(BulkOperation(index, data, None, BULK_REJECTED, '"%fieldName" is required.', 0))
        self.bulks[bulk.uuid] = bulk
        return bulk

    def run_bulk(self, bulk: Bulk, rejected_skus: dict[str, str]) -> None:
        for operation in bulk.operations:
            if operation.status != BULK_OPEN:
                continue
            items = operation.data["sourceItems"]
            errors = self.source_item_errors(items)
            skus = {str(i.get("sku")) for i in items if isinstance(i, dict)} if isinstance(items, list) else set()
            errors += [
                {"message": rejected_skus[sku], "parameters": {"sku": sku}} for sku in sorted(skus & set(rejected_skus))
            ]
            if errors:
                operation.status = BULK_FAILED
                operation.result_message = "; ".join(render(e["message"], e["parameters"]) for e in errors)
                operation.error_code = 0
            else:
                self.save_source_items(items)
                operation.status = BULK_COMPLETE
                operation.result_message = BULK_SUCCESS

    def bulk_status(self, bulk_uuid: str) -> dict[str, Any]:
        bulk = self.bulks.get(bulk_uuid)
        if bulk is None:
            raise not_found("Bulk uuid %bulkUuid not exist", {"bulkUuid": bulk_uuid})
        operations = []
        for op in bulk.operations:
            # required getters: Magento emits null rather than dropping them
            operations.append(
                {"id": op.id, "status": op.status, "result_message": op.result_message, "error_code": op.error_code}
            )
        return {
            "operations_list": operations,
            "user_type": 2,
            "bulk_id": bulk.uuid,
            "description": bulk.description,
            "start_time": bulk.start_time,
            "user_id": 1,
            "operation_count": len(bulk.operations),
        }

    # ------------------------------------------------------------ inspection
    def counts(self) -> dict[str, int]:
        return {
            "orders": len(self.orders),
            "customers": len(self.customers),
            "products": len(self.products),
            "source_items": len(self.source_items),
            "customer_groups": len(self.customer_groups),
            "tier_prices": sum(len(rows) for rows in self.tier_prices.values()),
            "shipments": len(self.shipments),
            "bulks": len(self.bulks),
        }


_PLACEHOLDER = re.compile(r"%([A-Za-z]\w*)")


def _failure(message: str, values: dict[str, Any]) -> dict[str, Any]:
    """A price-update failure: ``parameters`` is a list of the placeholder values in message order
    (``string[]`` in the schema); a message without placeholders carries the SKU."""
    names = _PLACEHOLDER.findall(message)
    parameters = [str(values.get(name, "")) for name in names] if names else [str(values.get("sku", ""))]
    return {"message": message, "parameters": parameters}


def check_array_limit(items: Any, type_name: str, limit: int) -> None:
    if isinstance(items, list) and len(items) > limit:
        raise MagentoError(400, MAX_ITEMS, {"type": type_name, "max": limit})


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _merge_attributes(current: list[dict[str, Any]], updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = {a.get("attribute_code"): dict(a) for a in current}
    for attribute in updates:
        if isinstance(attribute, dict) and attribute.get("attribute_code"):
            merged[attribute["attribute_code"]] = {
                "attribute_code": attribute["attribute_code"],
                "value": attribute.get("value"),
            }
    return list(merged.values())


def _deep_merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _set_path(target: Any, path: str, value: Any) -> None:
    """Set ``a.b[0].c`` inside ``target``; every step but the last must exist."""
    parts: list[str | int] = [name if name else int(index) for name, index in _PATH_PART.findall(path)]
    node = target
    try:
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    except (KeyError, IndexError, TypeError):
        raise bad_request("Path %1 does not exist in the order", [path]) from None


def _shipment_comments(comment: Any, shipment_id: int, stamp: str) -> list[dict[str, Any]]:
    """The shipment's ``comments[]``: the ship call's comment, when it has text (Magento stores it on the shipment)."""
    if not isinstance(comment, dict) or not str(comment.get("comment") or "").strip():
        return []
    return [
        {
            "entity_id": shipment_id,
            "parent_id": shipment_id,
            "comment": str(comment["comment"]),
            "is_customer_notified": None,
            "is_visible_on_front": int(bool(comment.get("is_visible_on_front"))),
            "created_at": stamp,
        }
    ]
