"""The NetSuite tables SuiteQL and the RESTlets read, in an in-memory SQLite database.

Column names are NetSuite's (lowercase, as SuiteQL spells them). Dates are stored as
``YYYY-MM-DDTHH:MM:SS`` (UTC) so they compare as text; booleans as ``'T'``/``'F'`` like SuiteQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from magento_netsuite.sandbox.datagen import Dataset

SCHEMA = """
CREATE TABLE item (
  id INTEGER PRIMARY KEY, itemid TEXT NOT NULL, displayname TEXT, itemtype TEXT DEFAULT 'InvtPart',
  isinactive TEXT DEFAULT 'F', cost REAL, weight REAL, vendorname TEXT, upccode TEXT, externalid TEXT,
  lastmodifieddate TEXT, createddate TEXT
);
CREATE TABLE location (id INTEGER PRIMARY KEY, name TEXT, isinactive TEXT DEFAULT 'F', externalid TEXT);
CREATE TABLE inventoryitemlocations (
  item INTEGER NOT NULL, location INTEGER NOT NULL, quantityonhand REAL, quantitycommitted REAL,
  quantityavailable REAL, quantityonorder REAL DEFAULT 0, quantitybackordered REAL DEFAULT 0,
  lastmodifieddate TEXT, PRIMARY KEY (item, location)
);
CREATE TABLE pricelevel (id INTEGER PRIMARY KEY, name TEXT, discountpct REAL, isinactive TEXT DEFAULT 'F');
CREATE TABLE pricing (
  internalid INTEGER PRIMARY KEY, item INTEGER NOT NULL, pricelevel INTEGER NOT NULL, quantity REAL,
  saleunit INTEGER, unitprice REAL, currency INTEGER DEFAULT 1
);
CREATE TABLE customer (
  id INTEGER PRIMARY KEY, entityid TEXT, externalid TEXT, companyname TEXT, email TEXT, firstname TEXT,
  lastname TEXT, phone TEXT, creditlimit REAL, terms INTEGER, taxable TEXT, resalenumber TEXT,
  category INTEGER, salesrep INTEGER, pricelevel INTEGER, isinactive TEXT DEFAULT 'F', isperson TEXT DEFAULT 'F',
  subsidiary INTEGER DEFAULT 1, lastmodifieddate TEXT, datecreated TEXT
);
CREATE TABLE customeritempricing (
  customer INTEGER NOT NULL, item INTEGER NOT NULL, level INTEGER DEFAULT -1, price REAL, currency INTEGER DEFAULT 1
);
CREATE TABLE "transaction" (
  id INTEGER PRIMARY KEY, tranid TEXT, type TEXT, recordtype TEXT, externalid TEXT, entity INTEGER,
  trandate TEXT, status TEXT, memo TEXT, foreigntotal REAL, shipmethod INTEGER, location INTEGER,
  trackingnumberlist TEXT, otherrefnum TEXT, createddate TEXT, lastmodifieddate TEXT
);
CREATE TABLE transactionline (
  id INTEGER, "transaction" INTEGER NOT NULL, linesequencenumber INTEGER, mainline TEXT, item INTEGER,
  quantity REAL, rate REAL, netamount REAL, location INTEGER, createdfrom INTEGER, itemtype TEXT,
  isclosed TEXT DEFAULT 'F', quantityshiprecv REAL DEFAULT 0,
  PRIMARY KEY ("transaction", id)
);
CREATE VIEW salesorder AS SELECT * FROM "transaction" WHERE type = 'SalesOrd';
CREATE VIEW itemfulfillment AS SELECT * FROM "transaction" WHERE type = 'ItemShip';
"""


INDEXES = """
CREATE UNIQUE INDEX item_itemid ON item(itemid);
CREATE INDEX item_modified ON item(lastmodifieddate);
CREATE INDEX iil_modified ON inventoryitemlocations(lastmodifieddate);
CREATE INDEX iil_location ON inventoryitemlocations(location);
CREATE INDEX pricing_item ON pricing(item);
CREATE INDEX customer_externalid ON customer(externalid);
CREATE INDEX customer_email ON customer(email);
CREATE INDEX customer_modified ON customer(lastmodifieddate);
CREATE INDEX cip_item ON customeritempricing(item);
CREATE INDEX transaction_externalid ON "transaction"(externalid);
CREATE INDEX transaction_modified ON "transaction"(lastmodifieddate);
CREATE INDEX transactionline_createdfrom ON transactionline(createdfrom);
"""


def ns_time(moment: datetime) -> str:
    """The stored form of a timestamp."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None, microsecond=0).isoformat()


def tf(flag: bool) -> str:
    return "T" if flag else "F"


MATRIX_SCHEMA = """
ALTER TABLE item ADD COLUMN parent INTEGER;
ALTER TABLE item ADD COLUMN matrixtype TEXT;
ALTER TABLE item ADD COLUMN custitem_color TEXT;
ALTER TABLE item ADD COLUMN custitem_size TEXT;
CREATE INDEX item_parent ON item(parent);
"""
"""Matrix items: a child's ``parent`` is its parent item's id, ``matrixtype`` is ``PARENT`` / ``CHILD`` /
NULL, and the matrix option fields are custom item fields (``custitem_*``). NetSuite stores a list
value's internal id there and ``BUILTIN.DF`` gives its label; the sandbox stores the label, which
``BUILTIN.DF`` passes through, so a query written with ``BUILTIN.DF(i.custitem_color)`` reads the same."""


def create_db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    conn.executescript(SCHEMA)
    conn.executescript(MATRIX_SCHEMA)
    return conn


def load(conn: sqlite3.Connection, dataset: Dataset) -> None:
    """Fill the tables from ``dataset`` (tables are expected empty)."""
    now = ns_time(dataset.now)
    memo: dict[datetime, str] = {}

    def stamp(moment: datetime) -> str:
        text = memo.get(moment)
        if text is None:
            text = memo[moment] = ns_time(moment)
        return text

    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO location VALUES (?, ?, 'F', ?)",
        [(loc.internal_id, loc.name, loc.source_code) for loc in dataset.locations],
    )
    levels = {level.internal_id: level for level in dataset.price_levels}
    conn.executemany(
        "INSERT INTO pricelevel VALUES (?, ?, ?, 'F')",
        [(lid, lvl.name, round((1 - lvl.factor) * 100, 2)) for lid, lvl in sorted(levels.items())],
    )
    conn.executemany(
        "INSERT INTO item (id, itemid, displayname, itemtype, isinactive, cost, weight, vendorname, upccode, "
        "externalid, lastmodifieddate, createddate) VALUES (?, ?, ?, 'InvtPart', ?, ?, ?, ?, ?, NULL, ?, ?)",
        [
            (
                it.internal_id,
                it.sku,
                it.displayname,
                tf(it.isinactive),
                float(it.cost),
                it.weight,
                it.vendor_name,
                it.upc,
                stamp(it.lastmodifieddate),
                stamp(it.lastmodifieddate),
            )
            for it in dataset.items
        ],
    )
    conn.executemany(
        "INSERT INTO inventoryitemlocations VALUES (?, ?, ?, ?, ?, 0, 0, ?)",
        [
            (it.internal_id, inv.location_id, inv.on_hand, inv.committed, inv.available, stamp(inv.lastmodifieddate))
            for it in dataset.items
            for inv in it.inventory
        ],
    )
    conn.executemany(
        "INSERT INTO pricing (item, pricelevel, quantity, saleunit, unitprice, currency) VALUES (?, ?, ?, NULL, ?, 1)",
        [
            (it.internal_id, row.price_level_id, row.quantity, float(row.unit_price))
            for it in dataset.items
            for row in it.pricing
        ],
    )
    conn.executemany(
        "INSERT INTO customer VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'F', 1, ?, ?)",
        [
            (
                c.internal_id,
                c.entityid,
                c.external_id,
                c.companyname,
                c.email,
                c.firstname,
                c.lastname,
                c.phone,
                float(c.creditlimit),
                c.terms_id,
                tf(c.taxable),
                c.resalenumber,
                c.category_id,
                c.salesrep_id,
                c.pricelevel_id,
                tf(c.isinactive),
                stamp(c.lastmodifieddate),
                now,
            )
            for c in dataset.ns_customers
        ],
    )
    conn.executemany(
        "INSERT INTO customeritempricing VALUES (?, ?, -1, ?, 1)",
        [(p.customer_internal_id, p.item_internal_id, float(p.unit_price)) for p in dataset.contract_prices],
    )
    conn.execute("COMMIT")
    conn.executescript(INDEXES)  # after the bulk insert: building them once is much faster


def rows(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, tuple(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
