"""Deterministic seed data for both sandboxes, consistent across Magento and NetSuite.

One call, ``generate(SeedConfig(...))``, yields a :class:`Dataset` holding the NetSuite side
(items with pricing and per-location inventory, locations, price levels, customers, contract
prices) and the Magento side (products, MSI source items, customer groups, customers, orders).
The same seed always gives the same data; ``now`` anchors every timestamp (``None`` = wall clock).

Identity rules (docs/architecture.md, "Sandbox seed data"):

* item ``i`` (0-based): NetSuite internal id ``1000+i+1``, SKU ``SKU-%06d`` (``i+1``), Magento simple product.
* Magento-only products: configurable parents ``CFG-%05d`` (children are real SKUs), bundles
  ``BND-%05d`` (fixed SKU, fixed price, children are real SKUs), simple ``MAGONLY-%05d``.
* location ``n`` (1-based) ↔ MSI source ``LOCATION_SOURCES[n-1]``; Magento also has ``default``.
* price levels 1 Base Price, 2 Wholesale (0.85), 3 Distributor (0.75), 4 Retail (0.95) ↔ customer groups 1 General,
  2 Wholesale, 4 Distributor, 3 Retailer; group 0 NOT LOGGED IN sees Base Price.
* customer ``i`` (1-based): Magento id ``i``, NetSuite internal id ``2000+i``, externalId ``MAG-CUST-i``.
* orders: increment id ``%09d`` from 1 in creation order, spread over the 60 minutes before ``now``.

Mismatch knobs (each is an exact share, rounded, of the population named):

* ``unknown_sku_share``: share of orders with one line whose SKU NetSuite does not know
  (``MAGONLY-*``); the same share of ``skus`` (at least one when > 0) is created as Magento-only.
* ``unknown_customer_share``: share of Magento customers absent from NetSuite (at least one when
  > 0 and there are two or more customers), and share of orders placed by such a customer.
* ``missing_postcode_share``: share of orders whose shipping address has ``postcode: null``.
* ``configurable_share`` / ``bundle_share``: share of orders with a configurable line (parent +
  child) / a bundle line (parent + children).
* ``guest_share``: share of orders placed by guests (``customer_is_guest: 1``, group 0).
* ``virtual_share``: share of virtual orders (every line ``product_type: virtual``, ``is_virtual: 1``,
  no shipping address or method, no shipping charge), as Magento keeps downloadable/virtual goods.
* ``realistic_states``: payment methods and states as real stores have them: purchase orders (with
  a PO number) and check/money order, bank transfer and cash on delivery wait in state ``new`` /
  status ``pending`` (nothing is invoiced before the ERP does it); card payments (``braintree``) are
  captured and ``processing``. Off: every order is a check/money order or purchase order in
  ``processing`` (the tidy default older tests rely on).
* ``stale_inventory_share``: share of MSI source items whose quantity differs from NetSuite's
  ``available`` (so an inventory sync has something to do).

Which records carry a mismatch is listed in ``Dataset.mismatches``.

Order shape notes (as Magento returns them): a configurable line is a parent item
(``product_type: configurable``, ``sku`` = the chosen child's SKU, the price) plus a child item
(``product_type: simple``, price 0, ``parent_item_id``); a bundle line is a parent (``BND-*``,
the price) plus child items at price 0. Totals: ``subtotal`` = Σ top-level ``row_total``;
``grand_total`` = subtotal − discount + shipping + tax, with ``base_*`` equal (single currency USD).
"""

from __future__ import annotations

import gc
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

LOCATION_SOURCES = ("wh_east", "wh_west", "wh_central", "wh_north", "wh_south")
LOCATION_NAMES = ("East Warehouse", "West Warehouse", "Central Warehouse", "North Warehouse", "South Warehouse")
DEFAULT_SOURCE = "default"

PRICE_LEVELS = ((1, "Base Price", 1.0), (2, "Wholesale", 0.85), (3, "Distributor", 0.75), (4, "Retail", 0.95))
"""(internal id, name, factor applied to the base price)."""
QUANTITY_BREAKS = ((0, 1.0), (10, 0.95), (50, 0.90))
"""(minimum quantity, factor): NetSuite quantity pricing columns 0 / 10 / 50."""

CUSTOMER_GROUPS = (
    (0, "NOT LOGGED IN", 3),
    (1, "General", 3),
    (2, "Wholesale", 3),
    (3, "Retailer", 3),
    (4, "Distributor", 3),
)
"""(Magento group id, code, tax class id)."""
GROUP_TO_PRICE_LEVEL = {0: 1, 1: 1, 2: 2, 4: 3, 3: 4}
TERMS = {1: "Net 15", 2: "Net 30", 3: "Net 60", 4: "Due on receipt"}
CUSTOMER_CATEGORIES = {1: "Retail", 2: "Trade", 3: "Distributor"}
SALES_REPS = (-5, 7, 8, 9)

_FIRST = ("Ada", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Max", "Noor", "Otto")
_LAST = ("Adams", "Brook", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hill", "Ito", "Jones", "Khan", "Lopez", "Moss")
_NOUNS = (
    "Bolt",
    "Bracket",
    "Cable",
    "Clamp",
    "Fitting",
    "Gasket",
    "Hinge",
    "Valve",
    "Washer",
    "Sensor",
    "Pump",
    "Relay",
)
_ADJ = ("Heavy-Duty", "Compact", "Steel", "Brass", "Industrial", "Precision", "Coated", "Marine", "Flex", "Pro")
_VENDORS = ("Acme Supply", "Globex Parts", "Initech Metals", "Umbrella Tools", "Stark Components")
_CITIES = (
    ("Austin", "TX", 57, "Texas", "78701"),
    ("Denver", "CO", 13, "Colorado", "80202"),
    ("Boston", "MA", 32, "Massachusetts", "02108"),
    ("Seattle", "WA", 62, "Washington", "98101"),
    ("Chicago", "IL", 23, "Illinois", "60601"),
    ("Atlanta", "GA", 19, "Georgia", "30303"),
)
TAX_RATE = 0.0825
CARD_METHOD = "braintree"
OTHER_METHODS = ("checkmo", CARD_METHOD, "banktransfer", "cashondelivery")
"""Payment methods of non-PO orders when ``realistic_states`` is on (by entity id, no extra random draw)."""
METHOD_TITLES = {
    "checkmo": "Check / Money order",
    "purchaseorder": "Purchase Order",
    "banktransfer": "Bank Transfer Payment",
    "cashondelivery": "Cash On Delivery",
    CARD_METHOD: "Credit Card (Braintree)",
}
SHIPPING_PER_UNIT_CENTS = 500


@dataclass(frozen=True)
class SeedConfig:
    """How much data to generate and how many deliberate mismatches to plant (see module doc)."""

    skus: int = 200
    locations: int = 3
    customers: int = 50
    orders: int = 20
    seed: int = 42
    unknown_sku_share: float = 0.05
    unknown_customer_share: float = 0.05
    missing_postcode_share: float = 0.05
    configurable_share: float = 0.2
    bundle_share: float = 0.1
    guest_share: float = 0.2
    stale_inventory_share: float = 0.1
    virtual_share: float = 0.0
    realistic_states: bool = False
    now: datetime | None = None

    def __post_init__(self) -> None:
        if self.skus < 1:
            raise ValueError(f"SeedConfig.skus must be >= 1, got {self.skus}")
        if not 1 <= self.locations <= len(LOCATION_SOURCES):
            raise ValueError(f"SeedConfig.locations must be 1..{len(LOCATION_SOURCES)}, got {self.locations}")
        if self.customers < 0 or self.orders < 0:
            raise ValueError("SeedConfig.customers and SeedConfig.orders must be >= 0")
        for name in (
            "unknown_sku_share",
            "unknown_customer_share",
            "missing_postcode_share",
            "configurable_share",
            "bundle_share",
            "guest_share",
            "stale_inventory_share",
            "virtual_share",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"SeedConfig.{name} must be within 0..1, got {value}")


# ---------------------------------------------------------------- NetSuite side


@dataclass(slots=True)
class InventoryLevel:
    """One item at one location (NetSuite ``inventoryitemlocations``)."""

    location_id: int
    on_hand: int
    committed: int
    available: int
    lastmodifieddate: datetime


@dataclass(slots=True)
class PriceRow:
    """One NetSuite ``pricing`` row: an item's unit price for a price level from a quantity on."""

    price_level_id: int
    quantity: int
    unit_price: str


@dataclass(slots=True)
class Item:
    """A NetSuite ``inventoryItem``."""

    internal_id: int
    sku: str
    displayname: str
    cost: str
    weight: float
    vendor_name: str
    upc: str
    isinactive: bool
    base_price: str
    lastmodifieddate: datetime
    pricing: list[PriceRow]
    inventory: list[InventoryLevel]


@dataclass(frozen=True, slots=True)
class Location:
    internal_id: int
    name: str
    source_code: str


@dataclass(frozen=True, slots=True)
class PriceLevel:
    internal_id: int
    name: str
    factor: float
    customer_group_id: int


@dataclass(slots=True)
class NsCustomer:
    """A NetSuite ``customer`` (B2B account) mirrored from Magento customer ``magento_id``."""

    internal_id: int
    external_id: str
    magento_id: int
    entityid: str
    companyname: str
    email: str
    firstname: str
    lastname: str
    phone: str
    creditlimit: str
    terms_id: int
    taxable: bool
    resalenumber: str | None
    category_id: int
    salesrep_id: int
    pricelevel_id: int
    isinactive: bool
    addressbook: list[dict[str, Any]]
    lastmodifieddate: datetime


@dataclass(slots=True)
class ContractPrice:
    """A NetSuite customer item price (``customeritempricing``)."""

    customer_internal_id: int
    customer_external_id: str
    item_internal_id: int
    sku: str
    unit_price: str


# ---------------------------------------------------------------- Magento side


@dataclass(slots=True)
class MagentoProduct:
    """A Magento catalog product, kept compact; :meth:`to_api` renders the REST shape."""

    id: int
    sku: str
    name: str
    type_id: str
    price: float
    status: int
    visibility: int
    weight: float | None
    description: str
    short_description: str
    meta_title: str
    url_key: str
    image: str
    children: list[str]
    created_at: str
    updated_at: str
    attribute_set_id: int = 4

    @property
    def media_gallery_entries(self) -> list[dict[str, Any]]:
        return [
            {
                "id": self.id,
                "media_type": "image",
                "label": self.name,
                "position": 1,
                "disabled": False,
                "types": ["image", "small_image", "thumbnail"],
                "file": self.image,
            }
        ]

    def to_api(self) -> dict[str, Any]:
        """The product as ``GET /V1/products/{sku}`` returns it."""
        body: dict[str, Any] = {
            "id": self.id,
            "sku": self.sku,
            "name": self.name,
            "attribute_set_id": self.attribute_set_id,
            "price": self.price,
            "status": self.status,
            "visibility": self.visibility,
            "type_id": self.type_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "extension_attributes": {"website_ids": [1]},
            "product_links": [],
            "options": [],
            "media_gallery_entries": self.media_gallery_entries,
            "tier_prices": [],
            "custom_attributes": [
                {"attribute_code": "description", "value": self.description},
                {"attribute_code": "short_description", "value": self.short_description},
                {"attribute_code": "meta_title", "value": self.meta_title},
                {"attribute_code": "url_key", "value": self.url_key},
                {"attribute_code": "image", "value": self.image},
            ],
        }
        if self.weight is not None:
            body["weight"] = self.weight
        if self.type_id == "configurable":
            body["extension_attributes"]["configurable_product_links"] = []
        if self.type_id == "bundle":
            body["extension_attributes"]["bundle_product_options"] = [
                {
                    "option_id": n + 1,
                    "title": f"Part {n + 1}",
                    "required": True,
                    "type": "select",
                    "position": n + 1,
                    "sku": self.sku,
                    "product_links": [
                        {"sku": child, "qty": 1, "is_default": True, "position": 1, "price": 0, "price_type": 0}
                    ],
                }
                for n, child in enumerate(self.children)
            ]
        return body


@dataclass(slots=True)
class SourceItem:
    """An MSI source item."""

    sku: str
    source_code: str
    quantity: float
    status: int


@dataclass(slots=True)
class Dataset:
    """Everything both sandboxes serve; see the module doc for the identity rules."""

    config: SeedConfig
    now: datetime
    # NetSuite
    items: list[Item]
    locations: list[Location]
    price_levels: list[PriceLevel]
    ns_customers: list[NsCustomer]
    contract_prices: list[ContractPrice]
    terms: dict[int, str]
    # Magento
    products: list[MagentoProduct]
    source_items: list[SourceItem]
    customer_groups: list[dict[str, Any]]
    magento_customers: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    sources: list[str]
    # which records carry a deliberate mismatch
    mismatches: dict[str, list[Any]] = field(default_factory=dict)

    def item_by_sku(self) -> dict[str, Item]:
        return {item.sku: item for item in self.items}

    def ns_customer_by_external_id(self) -> dict[str, NsCustomer]:
        return {customer.external_id: customer for customer in self.ns_customers}


# ---------------------------------------------------------------- helpers


def magento_time(moment: datetime) -> str:
    """Magento's API timestamp: ``YYYY-MM-DD HH:MM:SS`` in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def cents_to_str(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _money(cents: int) -> float:
    return round(cents / 100, 2)


def _share_count(total: int, share: float, at_least_one: bool = False) -> int:
    count = round(total * share)
    if at_least_one and share > 0 and count == 0 and total > 0:
        count = 1
    return min(count, total)


def sku_for(index: int) -> str:
    return f"SKU-{index:06d}"


def item_internal_id(index: int) -> int:
    return 1000 + index


def customer_external_id(magento_id: int) -> str:
    return f"MAG-CUST-{magento_id}"


# ---------------------------------------------------------------- generation


def generate(cfg: SeedConfig | None = None) -> Dataset:
    """Build a deterministic dataset for ``cfg`` (defaults to ``SeedConfig()``)."""
    cfg = cfg or SeedConfig()
    # Hundreds of thousands of small objects and no cycles: the cyclic GC would only rescan them.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(cfg)
    finally:
        if gc_was_enabled:
            gc.enable()


def _generate(cfg: SeedConfig) -> Dataset:
    now = (cfg.now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    rng = random.Random(cfg.seed)
    mismatches: dict[str, list[Any]] = {}

    locations = [Location(n, LOCATION_NAMES[n - 1], LOCATION_SOURCES[n - 1]) for n in range(1, cfg.locations + 1)]
    price_levels = [
        PriceLevel(level_id, name, factor, group_id)
        for level_id, name, factor in PRICE_LEVELS
        for group_id, level in GROUP_TO_PRICE_LEVEL.items()
        if level == level_id and group_id != 0
    ]
    items = _items(rng, cfg, now, locations)
    products, magento_only = _products(rng, cfg, now, items)
    mismatches["magento_only_skus"] = [p.sku for p in magento_only]
    source_items, stale = _source_items(rng, cfg, items, locations, magento_only)
    mismatches["stale_source_items"] = stale
    magento_customers, ns_customers, unknown_customers = _customers(rng, cfg, now)
    mismatches["unknown_customers"] = unknown_customers
    contract_prices = _contract_prices(rng, ns_customers, items)
    orders = _orders(rng, cfg, now, items, products, magento_only, magento_customers, unknown_customers, mismatches)
    return Dataset(
        config=cfg,
        now=now,
        items=items,
        locations=locations,
        price_levels=price_levels,
        ns_customers=ns_customers,
        contract_prices=contract_prices,
        terms=dict(TERMS),
        products=products,
        source_items=source_items,
        customer_groups=[
            {"id": gid, "code": code, "tax_class_id": tax, "tax_class_name": "Retail Customer"}
            for gid, code, tax in CUSTOMER_GROUPS
        ],
        magento_customers=magento_customers,
        orders=orders,
        sources=[DEFAULT_SOURCE, *(loc.source_code for loc in locations)],
        mismatches=mismatches,
    )


def _items(rng: random.Random, cfg: SeedConfig, now: datetime, locations: list[Location]) -> list[Item]:
    items: list[Item] = []
    rand = rng.random
    columns = [
        (level_id, qty, factor * qty_factor)
        for level_id, _n, factor in PRICE_LEVELS
        for qty, qty_factor in QUANTITY_BREAKS
    ]
    for index in range(1, cfg.skus + 1):
        base_cents = 199 + int(rand() * 49800)
        modified = now - timedelta(seconds=3600 + int(rand() * 29 * 86400))
        pricing = [
            PriceRow(level_id, qty, f"{round(base_cents * factor) / 100:.2f}") for level_id, qty, factor in columns
        ]
        inventory = []
        for loc in locations:
            on_hand = 0 if rand() < 0.1 else 1 + int(rand() * 250)
            committed = min(on_hand, int(rand() * 13))
            inventory.append(InventoryLevel(loc.internal_id, on_hand, committed, on_hand - committed, modified))
        items.append(
            Item(
                internal_id=item_internal_id(index),
                sku=sku_for(index),
                displayname=f"{_ADJ[index % len(_ADJ)]} {_NOUNS[(index // len(_ADJ)) % len(_NOUNS)]} {index}",
                cost=cents_to_str(round(base_cents * 0.55)),
                weight=round(0.1 + (index % 97) * 0.25, 2),
                vendor_name=_VENDORS[index % len(_VENDORS)],
                upc=f"{890000000000 + index:012d}",
                isinactive=rand() < 0.01,
                base_price=cents_to_str(base_cents),
                lastmodifieddate=modified,
                pricing=pricing,
                inventory=inventory,
            )
        )
    return items


def _content(sku: str, name: str) -> tuple[str, str, str, str, str]:
    slug = sku.lower()
    return (
        f"<p>{name}: built for daily trade use. Part number {sku}.</p>",
        f"<p>{name}</p>",
        f"{name} | Sandbox Store",
        slug,
        f"/{slug[0]}/{slug[1]}/{slug}.jpg",
    )


def _products(
    rng: random.Random, cfg: SeedConfig, now: datetime, items: list[Item]
) -> tuple[list[MagentoProduct], list[MagentoProduct]]:
    created = magento_time(now - timedelta(days=60))
    products: list[MagentoProduct] = []
    for item in items:
        description, short, meta, url_key, image = _content(item.sku, item.displayname)
        products.append(
            MagentoProduct(
                id=item.internal_id - 1000,
                sku=item.sku,
                name=item.displayname,
                type_id="simple",
                price=float(item.base_price),
                status=1,
                visibility=4,
                weight=item.weight,
                description=description,
                short_description=short,
                meta_title=meta,
                url_key=url_key,
                image=image,
                children=[],
                created_at=created,
                updated_at=created,
            )
        )
    next_id = len(items) + 1
    skus = [item.sku for item in items]

    def add(
        sku: str, name: str, type_id: str, price: float, children: list[str], weight: float | None
    ) -> MagentoProduct:
        nonlocal next_id
        description, short, meta, url_key, image = _content(sku, name)
        product = MagentoProduct(
            next_id,
            sku,
            name,
            type_id,
            price,
            1,
            4,
            weight,
            description,
            short,
            meta,
            url_key,
            image,
            children,
            created,
            created,
        )
        next_id += 1
        products.append(product)
        return product

    for n in range(1, max(1, cfg.skus // 20) + 1):
        children = sorted(rng.sample(skus, min(3, len(skus))))
        add(f"CFG-{n:05d}", f"Configurable {_NOUNS[n % len(_NOUNS)]} {n}", "configurable", 0.0, children, None)
    for n in range(1, max(1, cfg.skus // 50) + 1):
        children = sorted(rng.sample(skus, min(2, len(skus))))
        add(
            f"BND-{n:05d}",
            f"Kit {_NOUNS[n % len(_NOUNS)]} {n}",
            "bundle",
            round(rng.uniform(20, 400), 2),
            children,
            None,
        )
    magento_only = [
        add(
            f"MAGONLY-{n:05d}",
            f"Web-only {_NOUNS[n % len(_NOUNS)]} {n}",
            "simple",
            round(rng.uniform(5, 90), 2),
            [],
            1.0,
        )
        for n in range(1, _share_count(cfg.skus, cfg.unknown_sku_share, at_least_one=True) + 1)
    ]
    return products, magento_only


def _source_items(
    rng: random.Random,
    cfg: SeedConfig,
    items: list[Item],
    locations: list[Location],
    magento_only: list[MagentoProduct],
) -> tuple[list[SourceItem], list[list[str]]]:
    source_items: list[SourceItem] = []
    codes = {loc.internal_id: loc.source_code for loc in locations}
    for item in items:
        for level in item.inventory:
            qty = level.available
            source_items.append(SourceItem(item.sku, codes[level.location_id], float(qty), 1 if qty > 0 else 0))
    stale: list[list[str]] = []
    for index in sorted(
        rng.sample(range(len(source_items)), _share_count(len(source_items), cfg.stale_inventory_share))
    ):
        row = source_items[index]
        delta = rng.choice((-7, -3, 4, 9, 15))
        row.quantity = float(row.quantity + delta if row.quantity + delta >= 0 else row.quantity - delta)
        row.status = 1 if row.quantity > 0 else 0
        stale.append([row.sku, row.source_code])
    source_items.extend(SourceItem(p.sku, DEFAULT_SOURCE, 25.0, 1) for p in magento_only)
    return source_items, stale


def _address(rng: random.Random, first: str, last: str) -> dict[str, Any]:
    city, region_code, region_id, region, postcode = rng.choice(_CITIES)
    return {
        "firstname": first,
        "lastname": last,
        "street": [f"{rng.randint(1, 9999)} {rng.choice(_NOUNS)} Street"],
        "city": city,
        "region_code": region_code,
        "region_id": region_id,
        "region": region,
        "postcode": postcode,
        "country_id": "US",
        "telephone": f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        "company": f"{last} {rng.choice(('Trading', 'Supply', 'Works', 'Industries'))}",
    }


def _customers(
    rng: random.Random, cfg: SeedConfig, now: datetime
) -> tuple[list[dict[str, Any]], list[NsCustomer], list[int]]:
    unknown_count = _share_count(cfg.customers, cfg.unknown_customer_share, at_least_one=cfg.customers >= 2)
    unknown = set(rng.sample(range(1, cfg.customers + 1), unknown_count))
    group_ids = (1, 1, 2, 3, 4)
    magento: list[dict[str, Any]] = []
    netsuite: list[NsCustomer] = []
    for cid in range(1, cfg.customers + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        group_id = rng.choice(group_ids)
        addr = _address(rng, first, last)
        created = now - timedelta(days=rng.randint(30, 700))
        modified = now - timedelta(seconds=rng.randint(3600, 20 * 86400))
        terms_id = rng.choice((1, 2, 2, 3))
        credit = cents_to_str(rng.randint(5, 500) * 100_00)
        taxable = rng.random() < 0.8
        resale = None if taxable else f"RS-{cid:06d}"
        email = f"customer{cid:05d}@example.test"
        magento.append(
            {
                "id": cid,
                "group_id": group_id,
                "default_billing": str(cid),
                "default_shipping": str(cid),
                "created_at": magento_time(created),
                "updated_at": magento_time(modified),
                "created_in": "Default Store View",
                "email": email,
                "firstname": first,
                "lastname": last,
                "store_id": 1,
                "website_id": 1,
                "addresses": [
                    {
                        "id": cid,
                        "customer_id": cid,
                        "region": {
                            "region_code": addr["region_code"],
                            "region": addr["region"],
                            "region_id": addr["region_id"],
                        },
                        "region_id": addr["region_id"],
                        "country_id": "US",
                        "street": addr["street"],
                        "company": addr["company"],
                        "telephone": addr["telephone"],
                        "postcode": addr["postcode"],
                        "city": addr["city"],
                        "firstname": first,
                        "lastname": last,
                        "default_shipping": True,
                        "default_billing": True,
                    }
                ],
                "disable_auto_group_change": 0,
                "custom_attributes": [
                    {"attribute_code": "credit_limit", "value": credit},
                    {"attribute_code": "payment_terms", "value": TERMS[terms_id]},
                    {"attribute_code": "resale_number", "value": resale or ""},
                ],
                "extension_attributes": {"is_subscribed": rng.random() < 0.4},
            }
        )
        if cid in unknown:
            continue
        netsuite.append(
            NsCustomer(
                internal_id=2000 + cid,
                external_id=customer_external_id(cid),
                magento_id=cid,
                entityid=f"CUST{cid:05d}",
                companyname=addr["company"],
                email=email,
                firstname=first,
                lastname=last,
                phone=addr["telephone"],
                creditlimit=credit,
                terms_id=terms_id,
                taxable=taxable,
                resalenumber=resale,
                category_id=rng.choice(tuple(CUSTOMER_CATEGORIES)),
                salesrep_id=rng.choice(SALES_REPS),
                pricelevel_id=GROUP_TO_PRICE_LEVEL[group_id],
                isinactive=False,
                addressbook=[
                    {
                        "defaultBilling": True,
                        "defaultShipping": True,
                        "label": addr["street"][0],
                        "addressBookAddress": {
                            "addressee": addr["company"],
                            "attention": f"{first} {last}",
                            "addr1": addr["street"][0],
                            "city": addr["city"],
                            "state": addr["region_code"],
                            "zip": addr["postcode"],
                            "country": "US",
                            "addrPhone": addr["telephone"],
                        },
                    }
                ],
                lastmodifieddate=modified,
            )
        )
    return magento, netsuite, sorted(unknown)


def _contract_prices(rng: random.Random, ns_customers: list[NsCustomer], items: list[Item]) -> list[ContractPrice]:
    prices: list[ContractPrice] = []
    for customer in ns_customers:
        if rng.random() >= 0.2:
            continue
        for item in rng.sample(items, min(len(items), rng.randint(1, 3))):
            cents = round(float(item.base_price) * 100 * rng.choice((0.8, 0.85, 0.9)))
            prices.append(
                ContractPrice(
                    customer.internal_id, customer.external_id, item.internal_id, item.sku, cents_to_str(cents)
                )
            )
    return prices


class _OrderBuilder:
    """Builds one Magento order's lines and totals in cents, then renders the API JSON."""

    def __init__(self, entity_id: int, created: str, next_item_id: int) -> None:
        self.entity_id = entity_id
        self.created = created
        self.next_item_id = next_item_id
        self.lines: list[dict[str, Any]] = []
        self.subtotal = 0
        self.tax = 0
        self.discount = 0
        self.qty = 0

    def _line(
        self,
        *,
        sku: str,
        name: str,
        product_id: int,
        product_type: str,
        qty: int,
        price_cents: int,
        tax_rate: float,
        discount_rate: float,
        parent_item_id: int | None,
        weight: float | None,
    ) -> int:
        row = price_cents * qty
        discount = round(row * discount_rate)
        tax = round((row - discount) * tax_rate)
        item_id = self.next_item_id
        self.next_item_id += 1
        line: dict[str, Any] = {
            "item_id": item_id,
            "order_id": self.entity_id,
            "quote_item_id": item_id,
            "store_id": 1,
            "created_at": self.created,
            "updated_at": self.created,
            "product_id": product_id,
            "product_type": product_type,
            "sku": sku,
            "name": name,
            "is_virtual": 0,
            "qty_ordered": qty,
            "qty_invoiced": 0,
            "qty_shipped": 0,
            "qty_canceled": 0,
            "qty_refunded": 0,
            "price": _money(price_cents),
            "base_price": _money(price_cents),
            "original_price": _money(price_cents),
            "base_original_price": _money(price_cents),
            "price_incl_tax": _money(price_cents + (round(price_cents * tax_rate) if price_cents else 0)),
            "base_price_incl_tax": _money(price_cents + (round(price_cents * tax_rate) if price_cents else 0)),
            "row_total": _money(row),
            "base_row_total": _money(row),
            "row_total_incl_tax": _money(row + tax),
            "base_row_total_incl_tax": _money(row + tax),
            "tax_percent": round(tax_rate * 100, 4) if price_cents else 0,
            "tax_amount": _money(tax),
            "base_tax_amount": _money(tax),
            "discount_percent": round(discount_rate * 100, 2) if price_cents else 0,
            "discount_amount": _money(discount),
            "base_discount_amount": _money(discount),
            "row_invoiced": 0,
            "amount_refunded": 0,
            "no_discount": 0,
        }
        if weight is not None:
            line["weight"] = weight
            line["row_weight"] = round(weight * qty, 4)
        if parent_item_id is not None:
            line["parent_item_id"] = parent_item_id
        else:
            self.subtotal += row
            self.tax += tax
            self.discount += discount
            self.qty += qty
        self.lines.append(line)
        return item_id


def _orders(
    rng: random.Random,
    cfg: SeedConfig,
    now: datetime,
    items: list[Item],
    products: list[MagentoProduct],
    magento_only: list[MagentoProduct],
    customers: list[dict[str, Any]],
    unknown_customers: list[int],
    mismatches: dict[str, list[Any]],
) -> list[dict[str, Any]]:
    n = cfg.orders
    indexes = list(range(n))

    def pick(share: float, pool: list[int]) -> set[int]:
        return set(rng.sample(pool, min(len(pool), _share_count(n, share))))

    guests = pick(cfg.guest_share, indexes) if customers else set(indexes)
    registered = [i for i in indexes if i not in guests]
    unknown_cust_orders = pick(cfg.unknown_customer_share, registered) if unknown_customers else set()
    unknown_sku_orders = pick(cfg.unknown_sku_share, indexes) if magento_only else set()
    no_postcode = pick(cfg.missing_postcode_share, indexes)
    configurable = pick(cfg.configurable_share, indexes)
    bundle = pick(cfg.bundle_share, indexes)
    virtual = pick(cfg.virtual_share, indexes)

    unknown_set = set(unknown_customers)
    known_customers = [c for c in customers if c["id"] not in unknown_set]
    unknown_customer_rows = [c for c in customers if c["id"] in unknown_set]
    product_by_sku = {p.sku: p for p in products}
    configurables = [p for p in products if p.type_id == "configurable"]
    bundles = [p for p in products if p.type_id == "bundle"]
    active_items = [item for item in items if not item.isinactive] or items

    moments = sorted(now - timedelta(seconds=rng.randint(1, 3599)) for _ in range(n))
    orders: list[dict[str, Any]] = []
    next_item_id = 1
    next_address_id = 1
    for index, moment in enumerate(moments):
        entity_id = index + 1
        increment_id = f"{entity_id:09d}"
        created = magento_time(moment)
        is_guest = index in guests
        if is_guest:
            customer = None
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email = f"guest{entity_id:05d}@example.test"
            group_id = 0
            billing = _address(rng, first, last)
        else:
            pool = unknown_customer_rows if index in unknown_cust_orders else known_customers
            customer = rng.choice(pool or customers)
            first, last, email = customer["firstname"], customer["lastname"], customer["email"]
            group_id = customer["group_id"]
            saved = customer["addresses"][0]
            billing = {
                "firstname": first,
                "lastname": last,
                "street": list(saved["street"]),
                "city": saved["city"],
                "region_code": saved["region"]["region_code"],
                "region_id": saved["region_id"],
                "region": saved["region"]["region"],
                "postcode": saved["postcode"],
                "country_id": "US",
                "telephone": saved["telephone"],
                "company": saved.get("company"),
            }
        tax_rate = TAX_RATE if rng.random() < 0.7 else 0.0
        discount_rate = 0.1 if rng.random() < 0.15 else 0.0
        builder = _OrderBuilder(entity_id, created, next_item_id)
        common = {"tax_rate": tax_rate, "discount_rate": discount_rate}
        for item in rng.sample(active_items, min(len(active_items), rng.randint(1, 3))):
            builder._line(
                sku=item.sku,
                name=item.displayname,
                product_id=item.internal_id - 1000,
                product_type="simple",
                qty=rng.randint(1, 12),
                price_cents=round(float(item.base_price) * 100),
                parent_item_id=None,
                weight=item.weight,
                **common,
            )
        if index in configurable and configurables:
            parent = rng.choice(configurables)
            child = product_by_sku[rng.choice(parent.children)]
            qty = rng.randint(1, 5)
            parent_id = builder._line(
                sku=child.sku,
                name=parent.name,
                product_id=parent.id,
                product_type="configurable",
                qty=qty,
                price_cents=round(child.price * 100),
                parent_item_id=None,
                weight=child.weight,
                **common,
            )
            builder._line(
                sku=child.sku,
                name=child.name,
                product_id=child.id,
                product_type="simple",
                qty=qty,
                price_cents=0,
                parent_item_id=parent_id,
                weight=child.weight,
                **common,
            )
        if index in bundle and bundles:
            parent = rng.choice(bundles)
            qty = rng.randint(1, 3)
            parent_id = builder._line(
                sku=parent.sku,
                name=parent.name,
                product_id=parent.id,
                product_type="bundle",
                qty=qty,
                price_cents=round(parent.price * 100),
                parent_item_id=None,
                weight=None,
                **common,
            )
            for child_sku in parent.children:
                child = product_by_sku[child_sku]
                builder._line(
                    sku=child.sku,
                    name=child.name,
                    product_id=child.id,
                    product_type="simple",
                    qty=qty,
                    price_cents=0,
                    parent_item_id=parent_id,
                    weight=child.weight,
                    **common,
                )
        if index in unknown_sku_orders:
            web_only = rng.choice(magento_only)
            builder._line(
                sku=web_only.sku,
                name=web_only.name,
                product_id=web_only.id,
                product_type="simple",
                qty=rng.randint(1, 4),
                price_cents=round(web_only.price * 100),
                parent_item_id=None,
                weight=web_only.weight,
                **common,
            )
        next_item_id = builder.next_item_id

        is_virtual = index in virtual
        if is_virtual:
            for line in builder.lines:
                line.update(product_type="virtual", is_virtual=1)
        shipping_cents = 0 if is_virtual else SHIPPING_PER_UNIT_CENTS * min(builder.qty, 10)
        grand = builder.subtotal - builder.discount + shipping_cents + builder.tax
        billing_address = {
            "address_type": "billing",
            "entity_id": next_address_id,
            "parent_id": entity_id,
            "email": email,
            **{k: v for k, v in billing.items() if v is not None},
        }
        shipping_address = {**billing_address, "address_type": "shipping", "entity_id": next_address_id + 1}
        if customer is not None:
            billing_address["customer_address_id"] = customer["addresses"][0]["id"]
            shipping_address["customer_address_id"] = customer["addresses"][0]["id"]
        if index in no_postcode:
            shipping_address["postcode"] = None
        next_address_id += 2
        is_po = customer is not None and rng.random() < 0.3
        method = "purchaseorder" if is_po else "checkmo"
        if cfg.realistic_states and not is_po:
            method = OTHER_METHODS[entity_id % len(OTHER_METHODS)]
        state, status = ("processing", "processing")
        if cfg.realistic_states and method != CARD_METHOD:
            state, status = ("new", "pending")
        payment = {
            "account_status": None,
            "additional_information": [METHOD_TITLES[method]],
            "cc_last4": "1111" if method == CARD_METHOD else None,
            "method": method,
            "entity_id": entity_id,
            "parent_id": entity_id,
            "amount_ordered": _money(grand),
            "base_amount_ordered": _money(grand),
            "shipping_amount": _money(shipping_cents),
            "base_shipping_amount": _money(shipping_cents),
        }
        if is_po:
            payment["po_number"] = f"PO-{entity_id:06d}"
        order: dict[str, Any] = {
            "entity_id": entity_id,
            "increment_id": increment_id,
            "state": state,
            "status": status,
            "created_at": created,
            "updated_at": created,
            "store_id": 1,
            "store_name": "Main Website\nMain Website Store\nDefault Store View",
            "customer_email": email,
            "customer_firstname": first,
            "customer_lastname": last,
            "customer_is_guest": 1 if is_guest else 0,
            "customer_group_id": group_id,
            "customer_note_notify": 1,
            "email_sent": 1,
            "order_currency_code": "USD",
            "base_currency_code": "USD",
            "global_currency_code": "USD",
            "store_currency_code": "USD",
            "base_to_global_rate": 1,
            "base_to_order_rate": 1,
            "store_to_base_rate": 0,
            "store_to_order_rate": 0,
            "total_item_count": sum(1 for line in builder.lines if "parent_item_id" not in line),
            "total_qty_ordered": builder.qty,
            "subtotal": _money(builder.subtotal),
            "base_subtotal": _money(builder.subtotal),
            "subtotal_incl_tax": _money(builder.subtotal + builder.tax),
            "base_subtotal_incl_tax": _money(builder.subtotal + builder.tax),
            "discount_amount": -_money(builder.discount) if builder.discount else 0,
            "base_discount_amount": -_money(builder.discount) if builder.discount else 0,
            "shipping_amount": _money(shipping_cents),
            "base_shipping_amount": _money(shipping_cents),
            "shipping_incl_tax": _money(shipping_cents),
            "base_shipping_incl_tax": _money(shipping_cents),
            "shipping_tax_amount": 0,
            "base_shipping_tax_amount": 0,
            "shipping_description": "Flat Rate - Fixed",
            "tax_amount": _money(builder.tax),
            "base_tax_amount": _money(builder.tax),
            "grand_total": _money(grand),
            "base_grand_total": _money(grand),
            "total_due": _money(grand),
            "base_total_due": _money(grand),
            "total_paid": 0,
            "weight": round(
                sum(line.get("row_weight", 0) for line in builder.lines if "parent_item_id" not in line), 4
            ),
            "items": builder.lines,
            "billing_address": billing_address,
            "billing_address_id": billing_address["entity_id"],
            "payment": payment,
            "status_histories": [],
            "extension_attributes": {
                "shipping_assignments": [
                    {
                        "shipping": {
                            **({} if is_virtual else {"address": shipping_address, "method": "flatrate_flatrate"}),
                            "total": {
                                "shipping_amount": _money(shipping_cents),
                                "base_shipping_amount": _money(shipping_cents),
                                "shipping_incl_tax": _money(shipping_cents),
                                "base_shipping_incl_tax": _money(shipping_cents),
                                "shipping_tax_amount": 0,
                                "base_shipping_tax_amount": 0,
                                "shipping_discount_amount": 0,
                                "base_shipping_discount_amount": 0,
                            },
                        },
                        "items": builder.lines,
                    }
                ],
                "payment_additional_info": [
                    {"key": "method_title", "value": payment["additional_information"][0]},
                ],
            },
        }
        if customer is not None:
            order["customer_id"] = customer["id"]
        if is_virtual:
            order["is_virtual"] = 1
            order["shipping_description"] = None
        orders.append(order)

    mismatches["unknown_sku_orders"] = [orders[i]["increment_id"] for i in sorted(unknown_sku_orders)]
    mismatches["unknown_customer_orders"] = [orders[i]["increment_id"] for i in sorted(unknown_cust_orders)]
    mismatches["missing_postcode_orders"] = [orders[i]["increment_id"] for i in sorted(no_postcode)]
    mismatches["guest_orders"] = [orders[i]["increment_id"] for i in sorted(guests)]
    mismatches["virtual_orders"] = [orders[i]["increment_id"] for i in sorted(virtual)]
    return orders
