"""The two price rules, and the Magento prices that make them agree, as pandas frames.

* **NetSuite invoices** a customer with a contract price for the item that price at any quantity;
  anyone else their price level's price at the largest quantity break at or below the quantity
  (break 0 means "any quantity"); an item without rows for the level falls back to the base level.
* **Magento shows** the lowest of the product's base price and the tier prices that apply to the
  customer's group (or ``ALL GROUPS``), the website (or all websites, 0) and a minimum quantity at
  or below the quantity.

So the Magento prices we write are: the base price (Base Price level at quantity 0), and per group
the level's breaks that are below the base price at quantity ``max(break, 1)`` (a price at or above
the base price changes nothing Magento shows). A price level maps to a group (value map); a contract
customer's own group gets its level's tiers for every SKU, except that a contract SKU gets the one
contract price at quantity 1. A level price Magento cannot show (above the base price, or above a
lower break's price) is reported as unrepresentable; the parity audit then finds it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from magento_netsuite.flows.pricing.constants import BASE_GROUP
from magento_netsuite.flows.pricing.groups import LEVEL_MAP, contract_group_code
from magento_netsuite.flows.pricing.settings import PricingSettings
from magento_netsuite.governance import MappingDocument

CENT = 0.005
"""Prices are equal when they differ by less than half a cent."""
ALL_GROUPS = "all groups"
COLUMNS = ["sku", "group", "quantity", "price"]


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame({"sku": pd.Series(dtype=str), "group": pd.Series(dtype=str),
                         "quantity": pd.Series(dtype=float), "price": pd.Series(dtype=float)})  # fmt: skip


def _number(value: Any) -> float | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return float(number) if number.is_finite() else None


@dataclass
class Invalid:
    """Why a SKU cannot be priced: the field and the message of its error-queue row."""

    field: str
    message: str
    error_class: str = "validation"


def check_item(item: Mapping[str, Any], settings: PricingSettings) -> Invalid | None:
    """Bad input is named by SKU and field; nothing is written for that SKU."""
    sku = item.get("sku")
    if not sku:
        return Invalid("sku", f"NetSuite item {item.get('item_id')} has no SKU (itemid)")
    has_base = False
    for row in item.get("prices", []):
        price, qty = _number(row.get("price")), _number(row.get("quantity"))
        where = f"{sku}, price level {row.get('level')} at quantity {row.get('quantity')}"
        if row.get("level") is None:
            return Invalid("price_level", f"{where}: the price row has no price level")
        if price is None or price < 0:
            return Invalid("tier_price", f"{where}: unit price {row.get('price')!r} is not a number >= 0")
        if qty is None or qty < 0:
            return Invalid("tier_quantity", f"{where}: quantity {row.get('quantity')!r} is not a number >= 0")
        if settings.currencies and row.get("currency") not in (None, *settings.currencies):
            return Invalid(
                "currency", f"{where}: currency {row.get('currency')} is not {'/'.join(settings.currencies)}"
            )
        has_base = has_base or (row["level"] == settings.base_level_id and qty == 0)
    if not has_base:
        return Invalid(
            "base_price",
            f"{sku}: no Base Price (price level {settings.base_level_id} at quantity 0): Magento has no product price",
        )
    for row in item.get("contracts", []):
        price = _number(row.get("price"))
        if price is None or price < 0:
            return Invalid(
                "contract_price",
                f"{sku}: contract price {row.get('price')!r} of customer {row.get('customer_id')} is not a number >= 0",
            )
        if settings.currencies and row.get("currency") not in (None, *settings.currencies):
            return Invalid(
                "currency", f"{sku}: contract price of customer {row.get('customer_id')} is in {row.get('currency')}"
            )
    return None


def price_frames(items: Iterable[Mapping[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(``sku, level, quantity, price``, ``sku, customer_id, price``) of valid items."""
    prices = [
        (item["sku"], str(r["level"]), float(r["quantity"]), float(r["price"]))
        for item in items
        for r in item.get("prices", [])
    ]
    contracts = [
        (item["sku"], str(c["customer_id"]), float(c["price"])) for item in items for c in item.get("contracts", [])
    ]
    return (
        pd.DataFrame(prices, columns=["sku", "level", "quantity", "price"]),
        pd.DataFrame(contracts, columns=["sku", "customer_id", "price"]),
    )


@dataclass
class Desired:
    """The Magento prices NetSuite's prices call for: ``rows`` (``sku, group, quantity, price``; the base
    price is the row of group ``""`` at quantity 0) and the prices Magento cannot show."""

    rows: pd.DataFrame
    unrepresentable: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmapped_levels: list[str] = field(default_factory=list)


def desired_prices(
    prices: pd.DataFrame,
    contracts: pd.DataFrame,
    contract_levels: Mapping[str, str | None],
    settings: PricingSettings,
    doc: MappingDocument,
) -> Desired:
    """Base and tier prices for the SKUs in ``prices`` (a frame join, not a loop over SKUs)."""
    if prices.empty:
        return Desired(empty_frame())
    base = prices[(prices.level == settings.base_level_id) & (prices.quantity == 0)][["sku", "price"]]
    base = base.drop_duplicates("sku", keep="last").rename(columns={"price": "base"})
    ordered = prices.sort_values(["sku", "level", "quantity"], kind="stable").merge(base, on="sku")
    # what Magento would show at each break: the lowest of the base price and the breaks up to it
    ordered["shown"] = ordered.groupby(["sku", "level"], sort=False)["price"].cummin().clip(upper=ordered["base"])
    tiers = ordered.assign(quantity=ordered.quantity.clip(lower=1))
    tiers = tiers.drop_duplicates(["sku", "level", "quantity"], keep="last")  # break 0 and 1 are both "from 1"
    tiers = tiers[tiers.price < tiers.base - CENT][["sku", "level", "quantity", "price"]]

    level_map = {str(k): str(v) for k, v in doc.value_map(LEVEL_MAP).entries.items()}
    groups = list(level_map.items())
    if settings.not_logged_in_level_id is not None:
        groups.append((settings.not_logged_in_level_id, settings.not_logged_in_group))
    level_groups = pd.DataFrame(groups, columns=["level", "group"])
    parts = [
        base.assign(group=BASE_GROUP, quantity=0.0).rename(columns={"base": "price"})[
            ["sku", "group", "quantity", "price"]
        ],
        tiers.merge(level_groups, on="level")[["sku", "group", "quantity", "price"]],
    ]
    if contract_levels:
        customers = pd.DataFrame(
            [
                (cid, level or settings.base_level_id, contract_group_code(cid, doc))
                for cid, level in contract_levels.items()
            ],
            columns=["customer_id", "level", "group"],
        )
        copies = tiers.merge(customers, on="level")
        if not contracts.empty:
            # a contract SKU carries the contract price alone: it replaces the level at every quantity
            own = contracts[["sku", "customer_id"]].assign(contract=True)
            copies = copies.merge(own, on=["sku", "customer_id"], how="left")
            copies = copies[copies.contract.isna()]
        parts.append(copies[["sku", "group", "quantity", "price"]])
        if not contracts.empty:
            priced = contracts.merge(base, on="sku")
            priced = priced[priced.customer_id.isin(list(contract_levels))]
            shown = priced[priced.price < priced.base - CENT]
            parts.append(
                shown.assign(group=shown.customer_id.map(lambda c: contract_group_code(c, doc)), quantity=1.0)[
                    ["sku", "group", "quantity", "price"]
                ]
            )
    rows = pd.concat(parts, ignore_index=True)
    mapped = ordered[ordered.level.isin(level_map)]
    above = mapped[mapped.price > mapped.shown + CENT][["sku", "level", "quantity", "price", "shown"]]
    if not contracts.empty:
        over = contracts.merge(base, on="sku")
        over = over[over.price > over.base + CENT]
        above = pd.concat(
            [above, over.assign(level="contract:" + over.customer_id, quantity=0.0, shown=over.base)[above.columns]],
            ignore_index=True,
        )
    unmapped = sorted(set(prices.level) - set(level_map))
    return Desired(rows=rows, unrepresentable=above, unmapped_levels=unmapped)


def netsuite_price(
    item: Mapping[str, Any], level: str | None, customer_id: str | None, quantity: float, base_level: str
) -> float | None:
    """The unit price NetSuite invoices ``customer_id`` (at ``level``) for ``quantity`` of ``item``."""
    for contract in item.get("contracts", []):
        if customer_id is not None and str(contract["customer_id"]) == str(customer_id):
            return float(contract["price"])
    rows = [r for r in item.get("prices", []) if r["level"] == (level or base_level)]
    if not rows:
        rows = [r for r in item.get("prices", []) if r["level"] == base_level]
    applicable = [r for r in rows if float(r["quantity"]) <= quantity]
    if not applicable:
        return None
    return float(max(applicable, key=lambda r: float(r["quantity"]))["price"])


def magento_price(
    base: float | None, tiers: Iterable[Mapping[str, Any]], group: str, quantity: float, website: int
) -> float | None:
    """The unit price Magento shows a customer of ``group`` for ``quantity`` (``tiers`` as
    ``tier-prices-information`` answers them)."""
    if base is None:
        return None
    candidates = [base]
    for tier in tiers:
        code = str(tier.get("customer_group", "")).casefold()
        if code not in (group.casefold(), ALL_GROUPS) or int(tier.get("website_id", 0)) not in (0, website):
            continue
        if float(tier.get("quantity", 0)) > quantity:
            continue
        price = float(tier["price"])
        candidates.append(price if tier.get("price_type") == "fixed" else base * (1 - price / 100))
    return min(candidates)


def expected_magento_price(
    item: Mapping[str, Any], level: str | None, customer_id: str | None, quantity: float, base_level: str
) -> float | None:
    """What Magento shows the customer once our prices are in: the base price, lowered by the contract
    price or by the level's breaks from ``max(break, 1)`` on. Differs from :func:`netsuite_price` only
    where NetSuite's price is one Magento cannot show."""
    base = next(
        (float(r["price"]) for r in item.get("prices", []) if r["level"] == base_level and float(r["quantity"]) < CENT),
        None,
    )
    if base is None:
        return None
    for contract in item.get("contracts", []):
        if customer_id is not None and str(contract["customer_id"]) == str(customer_id):
            return min(base, float(contract["price"]))
    rows = [r for r in item.get("prices", []) if r["level"] == (level or base_level)]
    return min([base] + [float(r["price"]) for r in rows if max(float(r["quantity"]), 1.0) <= quantity])


def break_quantities(item: Mapping[str, Any], level: str | None, base_level: str) -> list[float]:
    """Quantities at and around each break of the customer's schedule (1 at least)."""
    rows = [r for r in item.get("prices", []) if r["level"] == (level or base_level)] or [
        r for r in item.get("prices", []) if r["level"] == base_level
    ]
    quantities = {1.0}
    for r in rows:
        q = float(r["quantity"])
        quantities.update(x for x in (q - 1, max(q, 1.0), q + 1) if x >= 1)
    return sorted(quantities)
