"""The NetSuite sandbox's sales-order lifecycle: fulfilments and closed lines show in the record API and
SuiteQL the way the fulfilments flow reads them; Cancel only before anything was fulfilled."""

from __future__ import annotations

import pytest

from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.netsuite.errors import NetSuiteError
from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount

LINES_SQL = (
    "SELECT l.id AS line, l.quantity, l.quantityshiprecv, l.isclosed FROM transactionline l "
    "WHERE l.transaction = ? AND l.mainline = 'F' ORDER BY l.id"
)


@pytest.fixture
def account() -> NetSuiteAccount:
    return NetSuiteAccount(generate(SeedConfig(skus=10, customers=2, orders=0)))


def customer(account: NetSuiteAccount) -> dict[str, str]:
    return {"id": str(account.dataset.ns_customers[0].internal_id)}


def order(account: NetSuiteAccount) -> int:
    lines = [{"item": {"id": "1001"}, "quantity": 4.0}, {"item": {"id": "1002"}, "quantity": 3.0}]
    return account.create(
        "salesOrder", {"externalId": "000000001", "entity": customer(account), "item": {"items": lines}}
    )


def rows(account: NetSuiteAccount, sql: str, *params: object) -> list[dict[str, str]]:
    return [{k: v for k, v in r.items() if k != "links"} for r in account.suiteql.run(sql, list(params), 1000, 0).items]


def test_fulfilments_add_up_on_the_order_lines_and_move_its_status(account: NetSuiteAccount) -> None:
    so = order(account)
    fulfilment = account.create(
        "itemFulfillment",
        {"createdFrom": {"id": str(so)}, "item": {"items": [{"orderLine": 1, "item": {"id": "1001"}, "quantity": 1}]}},
    )
    assert account.render("salesOrder", so)["status"]["id"] == "D"  # Partially Fulfilled
    account.create(
        "itemFulfillment",
        {"createdFrom": {"id": str(so)}, "item": {"items": [{"orderLine": 1, "item": {"id": "1001"}, "quantity": 3}]}},
    )

    assert rows(account, LINES_SQL, so) == [
        {"line": "1", "quantity": "4", "quantityshiprecv": "4", "isclosed": "F"},
        {"line": "2", "quantity": "3", "quantityshiprecv": "0", "isclosed": "F"},
    ]
    created_from = rows(
        account,
        "SELECT so.externalid FROM transaction f JOIN transactionline fl ON fl.transaction = f.id "
        "AND fl.mainline = 'T' JOIN transaction so ON so.id = fl.createdfrom WHERE f.type = 'ItemShip' AND f.id = ?",
        fulfilment,
    )
    assert created_from == [{"externalid": "000000001"}]
    account.close_lines(so, [2])
    assert account.render("salesOrder", so)["status"]["id"] == "F"  # nothing left to ship: Pending Billing
    assert rows(account, LINES_SQL, so)[1]["isclosed"] == "T"
    with pytest.raises(NetSuiteError):
        account.cancel_order(so)  # NetSuite offers Cancel only before anything was fulfilled


def test_closing_every_line_closes_and_cancel_cancels(account: NetSuiteAccount) -> None:
    closed, cancelled = (
        order(account),
        account.create(
            "salesOrder",
            {"externalId": "000000002", "entity": customer(account), "item": {"items": [{"item": {"id": "1003"}}]}},
        ),
    )
    account.close_lines(closed, [1, 2])
    account.cancel_order(cancelled)

    statuses = rows(account, "SELECT id, status FROM transaction WHERE type = 'SalesOrd' ORDER BY id")
    assert statuses == [{"id": str(closed), "status": "H"}, {"id": str(cancelled), "status": "C"}]
    with pytest.raises(NetSuiteError):
        account.close_lines(closed, [9])
