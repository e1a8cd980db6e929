"""Both sides in full: every active NetSuite customer (one paged SuiteQL query) and every Magento account.

SuiteQL answers column names in lower case and references as bare ids; :func:`rest_shape` turns a row
into the REST record's shape the mapping document addresses (``creditLimit``, ``terms.id``), so the
same mapping paths serve the on-change flow and the reconciliation. The address book is a sublist,
not a column of ``customer``, so addresses are left to the on-change flow (which reads full records).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook

MAGENTO_PAGE = 300
ALL_CUSTOMERS = (
    "SELECT id, externalid, email, firstname, lastname, companyname, creditlimit, terms, taxable, resalenumber, "
    "category, salesrep, pricelevel, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified "
    "FROM customer WHERE isinactive = 'F' AND {watermark} ORDER BY id"
)
TEXT = {
    "id": "id",
    "externalid": "externalId",
    "email": "email",
    "firstname": "firstName",
    "lastname": "lastName",
    "companyname": "companyName",
    "resalenumber": "resaleNumber",
    "modified": "lastModifiedDate",
}
REFERENCES = {"terms": "terms", "category": "category", "salesrep": "salesRep", "pricelevel": "priceLevel"}
"""SuiteQL column → REST field; references become ``{"id": ...}`` as the REST record has them."""
REST_FIELDS = {*TEXT.values(), *REFERENCES.values(), "creditLimit", "taxable"}
"""The REST body fields a SuiteQL row gives: mapping fields rooted elsewhere are not compared here."""


def rest_shape(row: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {rest: row[column] for column, rest in TEXT.items() if row.get(column) not in (None, "")}
    record.update({rest: {"id": str(row[col])} for col, rest in REFERENCES.items() if row.get(col) not in (None, "")})
    if row.get("creditlimit") not in (None, ""):
        record["creditLimit"] = float(row["creditlimit"])
    if row.get("taxable") not in (None, ""):
        record["taxable"] = str(row["taxable"]).upper() in ("T", "TRUE", "1")
    return record


def netsuite_customers(hook: NetSuiteHook) -> Iterator[dict[str, Any]]:
    """Every active NetSuite customer, REST-shaped; keyset-paged on id past SuiteQL's 100,000-row cap."""
    for page in hook.suiteql(ALL_CUSTOMERS, watermark_column="id", watermark_expression="id"):
        yield from (rest_shape(row) for row in page)


def magento_customers(hook: MagentoHook) -> Iterator[dict[str, Any]]:
    for page in hook.search("customers/search", None, sort=[("entity_id", "ASC")], page_size=MAGENTO_PAGE):
        yield from page


def magento_customers_by_id(hook: MagentoHook, ids: Iterable[int]) -> Iterator[dict[str, Any]]:
    """The Magento accounts with these ids (``entity_id in``, a page of ids a call)."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), MAGENTO_PAGE):
        chunk = wanted[start : start + MAGENTO_PAGE]
        for page in hook.search("customers/search", [[("entity_id", chunk, "in")]], page_size=MAGENTO_PAGE):
            yield from page
