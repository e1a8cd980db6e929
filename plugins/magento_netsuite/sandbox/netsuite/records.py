"""The sandbox's NetSuite account: tables (SQLite) plus the record API's JSON bodies.

Sales orders, item fulfillments and customers keep their full record JSON in ``bodies`` and are
mirrored into the SuiteQL tables (``transaction``/``transactionline``/``customer``) on every write,
so a record created through the REST API is visible to SuiteQL at once. Items, locations and
price levels are rendered from the tables.

Duplicate ``externalId`` on POST: NetSuite's REST API does not document the answer (SOAP and
SuiteScript say ``DUP_RCRD``). The sandbox answers **400 ``INVALID_CONTENT``** with
``o:errorPath: "externalId"`` and the SuiteScript wording "A record already exists with this
external ID.", because REST reports every record-level content error as 400 INVALID_CONTENT with a
path, and a client that retries POST instead of upserting must see a non-retryable record error
(not a 409 NetSuite never sends, nor a 5xx that a client would retry).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from magento_netsuite.sandbox.datagen import Dataset
from magento_netsuite.sandbox.netsuite import lifecycle, tables
from magento_netsuite.sandbox.netsuite.errors import NetSuiteError, invalid_content, nonexistent
from magento_netsuite.sandbox.netsuite.suiteql import STATUS_NAMES, TYPE_NAMES, SuiteQLEngine
from magento_netsuite.sandbox.netsuite.tables import ns_time, tf

RECORD_TYPES = ("salesOrder", "customer", "inventoryItem", "itemFulfillment", "location", "priceLevel")
WRITABLE = ("salesOrder", "customer", "itemFulfillment")
SUBLISTS = {"salesOrder": ("item",), "itemFulfillment": ("item", "package"), "customer": ("addressBook",)}
SHIP_METHODS = {101: "Flat Rate", 102: "Best Way", 103: "Free Shipping", 104: "UPS Ground"}
TERMS = {1: "Net 15", 2: "Net 30", 3: "Net 60", 4: "Due on receipt"}
CURRENCIES = {1: "USD", 2: "GBP", 3: "CAD", 4: "EUR"}
SUBSIDIARIES = {1: ("Parent Company (US)", 1), 2: ("UK Ltd", 2), 3: ("Canada Inc", 3), 4: ("EU BV", 4)}
"""OneWorld subsidiaries: internal id → (name, base currency id)."""
CHARGE_ITEMS = {9001: ("Web store discount", "Discount"), 9002: ("Web store tax", "OthCharge")}
"""Non-inventory items a sales order may carry: a discount item (body ``discountItem``) and an other
charge item (a line), for the web store's discounts and the tax Magento charged. Kept apart from the
``item`` table so inventory, pricing and product flows never see them."""
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_\-]+$")
DUPLICATE_DETAIL = "A record already exists with this external ID."


def iso(stored: str | None) -> str | None:
    return None if stored is None else f"{stored}Z"


def _ref_id(value: Any) -> int | None:
    """``{"id": "12"}`` (or ``{"externalId": ...}`` resolved by the caller) → 12."""
    if value is None:
        return None
    if isinstance(value, dict) and "id" in value:
        try:
            return int(str(value["id"]))
        except ValueError:
            return -1
    return -1


class NetSuiteAccount:
    """All data of one sandbox account."""

    def __init__(self, dataset: Dataset, clock: Callable[[], datetime] | None = None) -> None:
        self.dataset = dataset
        self.clock = clock or (lambda: datetime.now(UTC))
        self.conn = tables.create_db()
        tables.load(self.conn, dataset)
        self.bodies: dict[str, dict[int, dict[str, Any]]] = {t: {} for t in WRITABLE}
        self.external_ids: dict[str, dict[str, int]] = {t: {} for t in RECORD_TYPES}
        self.next_id = {"salesOrder": 10_000, "itemFulfillment": 50_000, "customer": 100_000}
        self.next_tranid = {"salesOrder": 1, "itemFulfillment": 1}
        self.names: dict[str, dict[int, str]] = {
            "location": {loc.internal_id: loc.name for loc in dataset.locations},
            "pricelevel": {lvl.internal_id: lvl.name for lvl in dataset.price_levels},
            "item": {it.internal_id: it.sku for it in dataset.items} | {i: n for i, (n, _) in CHARGE_ITEMS.items()},
            "customer": {c.internal_id: f"{c.entityid} {c.companyname}" for c in dataset.ns_customers},
            "terms": dict(TERMS),
            "shipmethod": dict(SHIP_METHODS),
        }
        for customer in dataset.ns_customers:
            self.bodies["customer"][customer.internal_id] = self._seed_customer(customer)
            self.external_ids["customer"][customer.external_id] = customer.internal_id
        self.suiteql = SuiteQLEngine(self.conn, self.display, lambda: ns_time(self.clock()))
        self.oneworld = False
        """A OneWorld account: customers and sales orders need a valid subsidiary (the order's must be
        its customer's), and an order's currency must exist."""

    # -- helpers
    def now(self) -> str:
        return ns_time(self.clock())

    def display(self, column: str, value: Any) -> str | None:
        if value is None:
            return None
        column = column.lower()
        if column in ("status",):
            return STATUS_NAMES.get(str(value), str(value))
        if column in ("type", "recordtype"):
            return TYPE_NAMES.get(str(value), str(value))
        kind = {
            "level": "pricelevel",
            "pricelevel": "pricelevel",
            "entity": "customer",
            "customer": "customer",
            "location": "location",
            "item": "item",
            "terms": "terms",
            "shipmethod": "shipmethod",
        }.get(column)
        if kind is None:
            return str(value)
        try:
            return self.names[kind].get(int(value), str(value))
        except (TypeError, ValueError):
            return str(value)

    def _seed_customer(self, c: Any) -> dict[str, Any]:
        return {
            "id": str(c.internal_id),
            "entityId": c.entityid,
            "externalId": c.external_id,
            "companyName": c.companyname,
            "email": c.email,
            "firstName": c.firstname,
            "lastName": c.lastname,
            "phone": c.phone,
            "isPerson": False,
            "isInactive": c.isinactive,
            "creditLimit": float(c.creditlimit),
            "terms": {"id": str(c.terms_id), "refName": TERMS.get(c.terms_id, "")},
            "taxable": c.taxable,
            **({"resaleNumber": c.resalenumber} if c.resalenumber else {}),
            "category": {"id": str(c.category_id)},
            "salesRep": {"id": str(c.salesrep_id)},
            "priceLevel": {"id": str(c.pricelevel_id), "refName": self.names["pricelevel"].get(c.pricelevel_id, "")},
            "subsidiary": {"id": "1"},
            "addressBook": {"items": copy.deepcopy(c.addressbook)},
            "dateCreated": iso(ns_time(self.dataset.now)),
            "lastModifiedDate": iso(ns_time(c.lastmodifieddate)),
        }

    def exists(self, record_type: str, record_id: int) -> bool:
        if record_type in WRITABLE:
            return record_id in self.bodies[record_type]
        table = {"inventoryItem": "item", "location": "location", "priceLevel": "pricelevel"}[record_type]
        return self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (record_id,)).fetchone() is not None

    def resolve(self, record_type: str, key: str) -> int:
        """An id or ``eid:<externalId>`` → internal id (404 NONEXISTENT_ID if unknown)."""
        if key.startswith("eid:"):
            record_id = self._by_external_id(record_type, key[4:])
            if record_id is None:
                raise nonexistent()
            return record_id
        if not key.isdigit() or not self.exists(record_type, int(key)):
            raise nonexistent()
        return int(key)

    def _by_external_id(self, record_type: str, external_id: str) -> int | None:
        if record_type in WRITABLE:
            return self.external_ids[record_type].get(external_id)
        table = {"inventoryItem": "item", "location": "location", "priceLevel": "pricelevel"}[record_type]
        row = self.conn.execute(f"SELECT id FROM {table} WHERE externalid = ?", (external_id,)).fetchone()
        return None if row is None else row[0]

    # -- reads
    def render(self, record_type: str, record_id: int) -> dict[str, Any]:
        """The full record (sublists expanded)."""
        if record_type in WRITABLE:
            return copy.deepcopy(self.bodies[record_type][record_id])
        if record_type == "inventoryItem":
            row = tables.rows(self.conn, "SELECT * FROM item WHERE id = ?", (record_id,))[0]
            levels = tables.rows(
                self.conn, "SELECT * FROM inventoryitemlocations WHERE item = ? ORDER BY location", (record_id,)
            )
            body: dict[str, Any] = {
                "id": str(row["id"]),
                "itemId": row["itemid"],
                "displayName": row["displayname"],
                "itemType": "inventoryItem",
                "isInactive": row["isinactive"] == "T",
                "cost": row["cost"],
                "weight": row["weight"],
                "vendorName": row["vendorname"],
                "upcCode": row["upccode"],
                "lastModifiedDate": iso(row["lastmodifieddate"]),
                "createdDate": iso(row["createddate"]),
                "locations": {
                    "items": [
                        {
                            "locationId": {
                                "id": str(lvl["location"]),
                                "refName": self.display("location", lvl["location"]),
                            },
                            "quantityOnHand": lvl["quantityonhand"],
                            "quantityCommitted": lvl["quantitycommitted"],
                            "quantityAvailable": lvl["quantityavailable"],
                        }
                        for lvl in levels
                    ]
                },
            }
            if row["externalid"]:
                body["externalId"] = row["externalid"]
            return body
        table = {"location": "location", "priceLevel": "pricelevel"}[record_type]
        row = tables.rows(self.conn, f"SELECT * FROM {table} WHERE id = ?", (record_id,))[0]
        body = {"id": str(row["id"]), "name": row["name"], "isInactive": row["isinactive"] == "T"}
        if record_type == "priceLevel":
            body["discountPct"] = row["discountpct"]
        return body

    def filterable(self, record_type: str) -> list[tuple[int, dict[str, Any]]]:
        """(id, body fields) of every record of a type, for ``q=`` filters (items in one query, no sublists)."""
        if record_type != "inventoryItem":
            return [(i, self.render(record_type, i)) for i in self.ids(record_type)]
        return [
            (
                row["id"],
                {
                    "id": str(row["id"]),
                    "itemId": row["itemid"],
                    "displayName": row["displayname"],
                    "externalId": row["externalid"],
                    "isInactive": row["isinactive"] == "T",
                    "lastModifiedDate": iso(row["lastmodifieddate"]),
                },
            )
            for row in tables.rows(
                self.conn,
                "SELECT id, itemid, displayname, externalid, isinactive, lastmodifieddate FROM item ORDER BY id",
            )
        ]

    def ids(self, record_type: str) -> list[int]:
        if record_type in WRITABLE:
            return sorted(self.bodies[record_type])
        table = {"inventoryItem": "item", "location": "location", "priceLevel": "pricelevel"}[record_type]
        return [r[0] for r in self.conn.execute(f"SELECT id FROM {table} ORDER BY id")]

    # -- writes
    def create(self, record_type: str, body: dict[str, Any], *, raw: bool = False) -> int:
        """Validate and store a new record; returns its internal id."""
        self._require_writable(record_type)
        external_id = body.get("externalId")
        if external_id is not None:
            self._check_external_id(str(external_id))
            if str(external_id) in self.external_ids[record_type]:
                raise invalid_content(DUPLICATE_DETAIL, "externalId")
        record = copy.deepcopy(body)
        if raw and "id" in record:
            record_id = int(record["id"])
            if record_id in self.bodies[record_type]:
                raise invalid_content(f"A {record_type} with internal id {record_id} exists already.", "id")
            self.next_id[record_type] = max(self.next_id[record_type], record_id + 1)
        else:
            record_id = self.next_id[record_type]
            self.next_id[record_type] += 1
        if not raw:
            self._validate(record_type, record, creating=True)
        self._store(record_type, record_id, record, created=True)
        return record_id

    def update(self, record_type: str, record_id: int, body: dict[str, Any]) -> None:
        """PATCH semantics: given body fields replace, sublists given replace their ``items``."""
        self._require_writable(record_type)
        record = copy.deepcopy(self.bodies[record_type][record_id])
        new_external = body.get("externalId")
        if new_external is not None and str(new_external) != record.get("externalId"):
            self._check_external_id(str(new_external))
            if str(new_external) in self.external_ids[record_type]:
                raise invalid_content(DUPLICATE_DETAIL, "externalId")
        for key, value in body.items():
            if key in ("id", "links"):
                continue
            record[key] = copy.deepcopy(value)
        self._validate(record_type, record, creating=False)
        self._store(record_type, record_id, record, created=False)

    def upsert(self, record_type: str, external_id: str, body: dict[str, Any]) -> int:
        self._require_writable(record_type)
        self._check_external_id(external_id)
        existing = self.external_ids[record_type].get(external_id)
        if existing is not None:
            self.update(record_type, existing, {**body, "externalId": external_id})
            return existing
        return self.create(record_type, {**body, "externalId": external_id})

    def _require_writable(self, record_type: str) -> None:
        if record_type not in WRITABLE:
            raise NetSuiteError(400, "INVALID_REQUEST", f"The record type {record_type} is read-only in this sandbox.")

    @staticmethod
    def _check_external_id(external_id: str) -> None:
        if not _EXTERNAL_ID.match(external_id):
            raise invalid_content(
                f"Invalid externalId value {external_id!r}: use letters, digits, '_' and '-' only.", "externalId"
            )

    def _check_oneworld(self, record_type: str, record: dict[str, Any]) -> None:
        """OneWorld: a customer or sales order without a valid subsidiary is refused, as NetSuite does."""
        if record_type not in ("customer", "salesOrder"):
            return
        subsidiary = _ref_id(record.get("subsidiary"))
        if subsidiary is None:
            raise invalid_content("Please enter value(s) for: Subsidiary.", "subsidiary")
        if subsidiary not in SUBSIDIARIES:
            raise invalid_content(f"Invalid subsidiary reference key {subsidiary}.", "subsidiary")
        currency = _ref_id(record.get("currency"))
        if currency is not None and currency not in CURRENCIES:
            raise invalid_content(f"Invalid currency reference key {currency}.", "currency")
        if record_type == "salesOrder":
            customer = self.bodies["customer"].get(_ref_id(record.get("entity")) or -1) or {}
            theirs = _ref_id(customer.get("subsidiary"))
            if theirs is not None and theirs != subsidiary:
                raise invalid_content(
                    f"The subsidiary {subsidiary} of this transaction is not the customer's subsidiary {theirs}.",
                    "subsidiary",
                )

    def _validate(self, record_type: str, record: dict[str, Any], *, creating: bool) -> None:
        if self.oneworld:
            self._check_oneworld(record_type, record)
        if record_type == "salesOrder":
            self._check_ref(record, "entity", "customer", required=True)
            self._check_location(record.get("location"), "location")
            ship = record.get("shipMethod")
            if ship is not None and _ref_id(ship) not in SHIP_METHODS:
                shown = ship.get("id") if isinstance(ship, dict) else ship
                raise invalid_content(f"Invalid shipMethod reference key {shown}.", "shipMethod")
            lines = (record.get("item") or {}).get("items")
            if creating and not lines:
                raise invalid_content("You must enter at least one line item for this transaction.", "item")
            discount_item = record.get("discountItem")
            if discount_item is not None and CHARGE_ITEMS.get(_ref_id(discount_item) or -1, ("", ""))[1] != "Discount":
                raise invalid_content(f"Invalid discountItem reference key {_ref_id(discount_item)}.", "discountItem")
            for n, line in enumerate(lines or []):
                item_id = _ref_id(line.get("item"))
                if item_id in CHARGE_ITEMS and CHARGE_ITEMS[item_id][1] == "OthCharge":
                    continue
                if item_id is None or not self.exists("inventoryItem", item_id):
                    ref = (line.get("item") or {}).get("id") if isinstance(line.get("item"), dict) else line.get("item")
                    raise invalid_content(f"Invalid item reference key {ref}.", f"item.items[{n}].item")
                qty = line.get("quantity", 1)
                if not isinstance(qty, (int, float)) or qty <= 0:
                    raise invalid_content(
                        f"Invalid quantity value {qty!r} on line {n + 1}.", f"item.items[{n}].quantity"
                    )
                self._check_location(line.get("location"), f"item.items[{n}].location")
        elif record_type == "itemFulfillment":
            order_id = _ref_id(record.get("createdFrom"))
            if order_id is None or order_id not in self.bodies["salesOrder"]:
                raise invalid_content(
                    "Invalid createdFrom reference key: the sales order does not exist.", "createdFrom"
                )
            for n, line in enumerate((record.get("item") or {}).get("items") or []):
                item_id = _ref_id(line.get("item"))
                if item_id is None or not self.exists("inventoryItem", item_id):
                    raise invalid_content("Invalid item reference key.", f"item.items[{n}].item")
                self._check_location(line.get("location"), f"item.items[{n}].location")
        elif record_type == "customer":
            if not record.get("companyName") and not (record.get("firstName") and record.get("lastName")):
                raise invalid_content("Please enter value(s) for: Company Name.", "companyName")
            email = record.get("email")
            if email is not None and (not isinstance(email, str) or "@" not in email):
                raise invalid_content(f"Invalid email address {email!r}.", "email")

    def _check_ref(self, record: dict[str, Any], field: str, target: str, *, required: bool) -> None:
        value = record.get(field)
        if value is None:
            if required:
                raise invalid_content(f"Please enter value(s) for: {field}.", field)
            return
        ref = _ref_id(value)
        if ref is None or ref < 0 or not self.exists(target, ref):
            shown = value.get("id") if isinstance(value, dict) else value
            raise invalid_content(f"Invalid {field} reference key {shown}.", field)

    def _check_location(self, value: Any, path: str) -> None:
        if value is None:
            return
        ref = _ref_id(value)
        if ref is None or ref < 0 or ref not in self.names["location"]:
            shown = value.get("id") if isinstance(value, dict) else value
            raise invalid_content(f"Invalid location reference key {shown}.", path)

    def _store(self, record_type: str, record_id: int, record: dict[str, Any], *, created: bool) -> None:
        now = self.now()
        record["id"] = str(record_id)
        record["lastModifiedDate"] = iso(now)
        if created:
            record.setdefault("createdDate", iso(now))
            if record_type in self.next_tranid and "tranId" not in record:
                prefix = "SO" if record_type == "salesOrder" else "IF"
                record["tranId"] = f"{prefix}{self.next_tranid[record_type]:06d}"
                self.next_tranid[record_type] += 1
        if record_type == "salesOrder":
            lifecycle.apply_status(record)
        old = self.bodies[record_type].get(record_id)
        if old is not None and old.get("externalId") and old.get("externalId") != record.get("externalId"):
            self.external_ids[record_type].pop(old["externalId"], None)
        self.bodies[record_type][record_id] = record
        if record.get("externalId"):
            self.external_ids[record_type][str(record["externalId"])] = record_id
        if record_type == "customer":
            self._mirror_customer(record_id, record, now)
        else:
            self._mirror_transaction(record_type, record_id, record, now)
        if record_type == "itemFulfillment":
            self._fulfilled(_ref_id(record.get("createdFrom")))

    def _fulfilled(self, order_id: int | None) -> None:
        """A fulfilment was stored: its sales order's lines and status follow (and the order is touched)."""
        if order_id not in self.bodies["salesOrder"]:
            return
        done = lifecycle.fulfilled_quantities(list(self.bodies["itemFulfillment"].values()), order_id)
        order = lifecycle.refreshed_order(copy.deepcopy(self.bodies["salesOrder"][order_id]), done)
        self._store("salesOrder", order_id, order, created=False)

    def close_lines(self, order_id: int, lines: list[int]) -> None:
        """Close order lines (the UI's Close checkbox; a PATCH of the whole ``item`` sublist does it too)."""
        order = copy.deepcopy(self.bodies["salesOrder"][order_id])
        known = {int(line.get("line") or n) for n, line in enumerate(order["item"]["items"], start=1)}
        unknown = sorted(set(lines) - known)
        if unknown:
            raise invalid_content(f"Invalid line {unknown[0]} on sales order {order_id}.", "item.items")
        for n, line in enumerate(order["item"]["items"], start=1):
            if int(line.get("line") or n) in lines:
                line["isClosed"] = True
        self._store("salesOrder", order_id, order, created=False)

    def cancel_order(self, order_id: int) -> None:
        """The UI's Cancel button on a sales order (no REST action does it)."""
        order = copy.deepcopy(self.bodies["salesOrder"][order_id])
        lifecycle.check_cancellable(order)
        order["status"] = {"id": lifecycle.CANCELLED, "refName": STATUS_NAMES[lifecycle.CANCELLED]}
        self._store("salesOrder", order_id, order, created=False)

    def _mirror_customer(self, record_id: int, r: dict[str, Any], now: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO customer VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (
                record_id,
                r.get("entityId") or f"CUST{record_id}",
                r.get("externalId"),
                r.get("companyName"),
                r.get("email"),
                r.get("firstName"),
                r.get("lastName"),
                r.get("phone"),
                r.get("creditLimit"),
                _ref_id(r.get("terms")),
                tf(bool(r.get("taxable", True))),
                r.get("resaleNumber"),
                _ref_id(r.get("category")),
                _ref_id(r.get("salesRep")),
                _ref_id(r.get("priceLevel")),
                tf(bool(r.get("isInactive"))),
                tf(bool(r.get("isPerson"))),
                now,
                (r.get("dateCreated") or iso(now) or "").removesuffix("Z"),
            ),
        )
        r.setdefault("entityId", f"CUST{record_id}")
        r.setdefault("taxable", True)  # NetSuite defaults it (the table above says so too) and returns it
        self.names["customer"][record_id] = f"{r['entityId']} {r.get('companyName') or ''}".strip()

    @staticmethod
    def _order_total(r: dict[str, Any], lines_total: float) -> float:
        """A sales order's totals as NetSuite computes them (read-only fields of the record): the lines,
        the discount item's rate (an amount, or a percentage like ``"-10%"`` of the lines), the shipping
        cost. This sandbox account has no tax engine: tax reaches it only as a line."""
        discount = 0.0
        rate = r.get("discountRate")
        if r.get("discountItem") is not None and rate not in (None, ""):
            text = str(rate).strip()
            discount = lines_total * float(text[:-1]) / 100 if text.endswith("%") else float(text)
        total = round(lines_total + discount + float(r.get("shippingCost") or 0), 2)
        r.update(subtotal=round(lines_total, 2), discountTotal=round(discount, 2), total=total)
        return total

    def _mirror_transaction(self, record_type: str, record_id: int, r: dict[str, Any], now: str) -> None:
        lines = (r.get("item") or {}).get("items") or []
        created_from = _ref_id(r.get("createdFrom"))
        total = sum(
            float(line.get("amount") or (line.get("quantity", 1) * float(line.get("rate") or 0))) for line in lines
        )
        if record_type == "salesOrder":
            total = self._order_total(r, total)
        tracking = " ".join(
            str(p.get("packageTrackingNumber"))
            for p in (r.get("package") or {}).get("items") or []
            if p.get("packageTrackingNumber")
        )
        entity = _ref_id(r.get("entity"))
        if record_type == "itemFulfillment" and entity is None and created_from in self.bodies["salesOrder"]:
            entity = _ref_id(self.bodies["salesOrder"][created_from].get("entity"))
        default_status = "B" if record_type == "salesOrder" else "C"
        status = r.get("status")
        status_id = status.get("id") if isinstance(status, dict) else status
        self.conn.execute("BEGIN")
        self.conn.execute(
            'INSERT OR REPLACE INTO "transaction" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (
                record_id,
                r.get("tranId"),
                "SalesOrd" if record_type == "salesOrder" else "ItemShip",
                record_type.lower(),
                r.get("externalId"),
                entity,
                (r.get("tranDate") or now)[:10] + "T00:00:00",
                status_id or default_status,
                r.get("memo"),
                total if record_type == "salesOrder" else None,
                _ref_id(r.get("shipMethod")),
                _ref_id(r.get("location")),
                tracking or None,
                r.get("otherRefNum"),
                (r.get("createdDate") or iso(now) or "").removesuffix("Z"),
                now,
            ),
        )
        self.conn.execute('DELETE FROM transactionline WHERE "transaction" = ?', (record_id,))
        rows = [(0, record_id, 0, "T", None, None, None, total, _ref_id(r.get("location")), created_from, None)]
        for n, line in enumerate(lines, start=1):
            qty = line.get("quantity", 1)
            rate = line.get("rate")
            rows.append(
                (
                    n,
                    record_id,
                    n,
                    "F",
                    _ref_id(line.get("item")),
                    -qty if record_type == "itemFulfillment" else qty,
                    rate,
                    line.get("amount") or (qty * float(rate) if rate is not None else None),
                    _ref_id(line.get("location")) or _ref_id(r.get("location")),
                    created_from,
                    CHARGE_ITEMS.get(_ref_id(line.get("item")) or -1, ("", "InvtPart"))[1],
                )
            )
            line.setdefault("line", n)
        self.conn.executemany(
            'INSERT INTO transactionline (id, "transaction", linesequencenumber, mainline, item, quantity, rate, '
            "netamount, location, createdfrom, itemtype) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        if record_type == "salesOrder":
            self.conn.executemany(
                'UPDATE transactionline SET isclosed = ?, quantityshiprecv = ? WHERE "transaction" = ? AND id = ?',
                [
                    (tf(bool(line.get("isClosed"))), float(line.get("quantityFulfilled") or 0), record_id, n)
                    for n, line in enumerate(lines, start=1)
                ],
            )
        self.conn.execute("COMMIT")

    # -- control-side data changes
    def set_inventory(self, changes: list[dict[str, Any]]) -> int:
        now, done = self.now(), 0
        self.conn.execute("BEGIN")
        try:
            for change in changes:
                item = self._item_id(change)
                location = int(change["location_id"])
                if location not in self.names["location"]:
                    raise ValueError(
                        f"inventory change for {change.get('sku') or item}: unknown location_id {location}"
                    )
                current = self.conn.execute(
                    "SELECT quantityonhand, quantitycommitted FROM inventoryitemlocations "
                    "WHERE item = ? AND location = ?",
                    (item, location),
                ).fetchone() or (0, 0)
                on_hand = float(change.get("on_hand", current[0]))
                committed = float(change.get("committed", current[1]))
                self.conn.execute(
                    "INSERT OR REPLACE INTO inventoryitemlocations VALUES (?, ?, ?, ?, ?, 0, 0, ?)",
                    (item, location, on_hand, committed, on_hand - committed, now),
                )
                done += 1
        except Exception:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return done

    def set_prices(self, changes: list[dict[str, Any]]) -> int:
        now, done = self.now(), 0
        self.conn.execute("BEGIN")
        try:
            for change in changes:
                item = self._item_id(change)
                remove = bool(change.get("remove"))  # the row is deleted from the item / customer sublist
                price = None if remove else float(change["unit_price"])
                if "customer_id" in change:
                    customer = int(change["customer_id"])
                    self.conn.execute(
                        "DELETE FROM customeritempricing WHERE customer = ? AND item = ?", (customer, item)
                    )
                    if not remove:
                        self.conn.execute(
                            "INSERT INTO customeritempricing VALUES (?, ?, -1, ?, 1)", (customer, item, price)
                        )
                else:
                    level, qty = int(change.get("price_level_id", 1)), float(change.get("quantity", 0))
                    self.conn.execute(
                        "DELETE FROM pricing WHERE item = ? AND pricelevel = ? AND quantity = ?", (item, level, qty)
                    )
                    if not remove:
                        self.conn.execute(
                            "INSERT INTO pricing (item, pricelevel, quantity, unitprice, currency) "
                            "VALUES (?, ?, ?, ?, 1)",
                            (item, level, qty, price),
                        )
                self.conn.execute("UPDATE item SET lastmodifieddate = ? WHERE id = ?", (now, item))
                done += 1
        except Exception:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return done

    def upsert_items(self, changes: list[dict[str, Any]]) -> list[int]:
        """Create items (``sku``, optional ``internal_id``/``displayname``/``inventory``) or set ``isinactive``;
        either way set the given :attr:`ITEM_FIELDS` and ``parent`` (matrix items)."""
        now, ids = self.now(), []
        for change in changes:
            sku = str(change["sku"])
            row = self.conn.execute("SELECT id FROM item WHERE itemid = ?", (sku,)).fetchone()
            if row is None:
                item_id = int(
                    change.get("internal_id")
                    or (self.conn.execute("SELECT MAX(id) FROM item").fetchone()[0] or 999) + 1
                )
                self.conn.execute(
                    "INSERT INTO item (id, itemid, displayname, isinactive, cost, lastmodifieddate, createddate) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        item_id,
                        sku,
                        change.get("displayname", sku),
                        tf(bool(change.get("isinactive", False))),
                        change.get("cost"),
                        now,
                        now,
                    ),
                )
                self.names["item"][item_id] = sku
                for level in change.get("inventory", []):
                    self.set_inventory([{"item_id": item_id, **level}])
            else:
                item_id = row[0]
                if "isinactive" in change:
                    self.conn.execute(
                        "UPDATE item SET isinactive = ?, lastmodifieddate = ? WHERE id = ?",
                        (tf(bool(change["isinactive"])), now, item_id),
                    )
            self._set_item_fields(item_id, change, now)
            ids.append(item_id)
        return ids

    ITEM_FIELDS = ("displayname", "cost", "weight", "vendorname", "upccode", "matrixtype", "custitem_color",
                   "custitem_size")  # fmt: skip
    """Item body fields ``POST /_sandbox/items`` may set (besides ``isinactive``); ``parent`` is a parent SKU."""

    def _set_item_fields(self, item_id: int, change: dict[str, Any], now: str) -> None:
        """Set the given item fields (and the parent, by SKU); any change stamps ``lastmodifieddate``."""
        values = {name: change[name] for name in self.ITEM_FIELDS if name in change}
        if "parent" in change:
            parent = self.conn.execute("SELECT id FROM item WHERE itemid = ?", (str(change["parent"]),)).fetchone()
            if parent is None:
                raise ValueError(f"unknown parent item sku {change['parent']!r}")
            values["parent"] = parent[0]
        if values:
            assignments = ", ".join(f"{name} = ?" for name in values)
            self.conn.execute(
                f"UPDATE item SET {assignments}, lastmodifieddate = ? WHERE id = ?",
                (*values.values(), now, item_id),
            )

    def _item_id(self, change: dict[str, Any]) -> int:
        if "item_id" in change:
            return int(change["item_id"])
        row = self.conn.execute("SELECT id FROM item WHERE itemid = ?", (str(change.get("sku")),)).fetchone()
        if row is None:
            raise ValueError(f"unknown item sku {change.get('sku')!r}")
        return row[0]

    def counts(self) -> dict[str, int]:
        def count(sql: str) -> int:
            return self.conn.execute(sql).fetchone()[0]

        return {
            "items": count("SELECT COUNT(*) FROM item"),
            "inventoryitemlocations": count("SELECT COUNT(*) FROM inventoryitemlocations"),
            "locations": count("SELECT COUNT(*) FROM location"),
            "pricing": count("SELECT COUNT(*) FROM pricing"),
            "customers": count("SELECT COUNT(*) FROM customer"),
            "customeritempricing": count("SELECT COUNT(*) FROM customeritempricing"),
            "salesOrders": len(self.bodies["salesOrder"]),
            "itemFulfillments": len(self.bodies["itemFulfillment"]),
        }
