"""What each flow needs from the two accounts: Magento ACL resources, NetSuite role permissions,
SuiteQL columns. A new flow adds one :class:`FlowNeeds` to :data:`FLOW_NEEDS`; RESTlets are not
listed here, they come from the SDF project's script objects (:mod:`magento_netsuite.check.sdf`).

The SuiteQL columns are the ones the flows' queries name (each flow's extract or lookup module);
``tests/check/test_sdf_project.py`` keeps them in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from magento_netsuite.flows.customer_master import constants as customer_master
from magento_netsuite.flows.customer_reconciliation import constants as reconciliation
from magento_netsuite.flows.customer_registration import constants as registration
from magento_netsuite.flows.fulfilments import constants as fulfilments
from magento_netsuite.flows.inventory import constants as inventory
from magento_netsuite.flows.orders import constants as orders
from magento_netsuite.flows.pricing import constants as pricing
from magento_netsuite.flows.products import constants as products


@dataclass(frozen=True)
class RecordNeed:
    """A NetSuite REST record type, the role permission behind it and the level the flow needs."""

    record_type: str
    permission: str
    level: str  # View | Edit (Edit covers create and update; it is what a write probe can prove)
    why: str


@dataclass(frozen=True)
class FlowNeeds:
    flow: str
    magento_acl: dict[str, str] = field(default_factory=dict)
    """ACL resource → why the flow needs it."""
    netsuite_records: tuple[RecordNeed, ...] = ()
    suiteql: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """SuiteQL table → the columns the flow's queries select or filter on."""


FLOW_NEEDS: tuple[FlowNeeds, ...] = (
    FlowNeeds(
        flow=orders.FLOW,
        magento_acl={
            "Magento_Sales::actions_view": "read orders",
            "Magento_Sales::comment": "write the NetSuite id back as an order comment",
        },
        netsuite_records=(
            RecordNeed(orders.RECORD_TYPE, "Transactions -> Sales Order", "Edit", "create sales orders"),
            RecordNeed("customer", "Lists -> Customers", "Edit", "create or update the buyer (eid: upsert)"),
        ),
        suiteql={
            "item": ("id", "itemid", "isinactive"),
            "customer": ("id", "externalid", "email"),
            "transaction": ("id", "externalid", "type", "foreigntotal"),
        },
    ),
    FlowNeeds(
        flow=inventory.FLOW,
        magento_acl={
            "Magento_InventoryApi::source_item": "save MSI source items",
            "Magento_InventoryApi::source": "read the MSI sources the location map points at",
            "Magento_Logging::system_magento_logging_bulk_operations": "poll async bulk saves (load mode async)",
        },
        netsuite_records=(),
        suiteql={
            "inventoryitemlocations": (
                "item",
                "location",
                "quantityonhand",
                "quantitycommitted",
                "quantityavailable",
                "lastmodifieddate",
            ),
            "item": ("id", "itemid", "isinactive"),
        },
    ),
    FlowNeeds(
        flow=fulfilments.FLOW,
        magento_acl={
            "Magento_Sales::actions_view": "read the orders a fulfilment ships",
            "Magento_Sales::shipment": "read shipments already made (a lost ship answer)",
            "Magento_Sales::ship": "create shipments with tracking",
            "Magento_Sales::cancel": "cancel what NetSuite cancelled or closed",
        },
        netsuite_records=(
            RecordNeed(
                "itemFulfillment", "Transactions -> Item Fulfillment", "View", "read fulfilment lines and packages"
            ),
        ),
        suiteql={
            "transaction": ("id", "externalid", "type", "status"),
            "transactionline": ("transaction", "mainline", "createdfrom", "quantityshiprecv", "isclosed"),
            "item": ("id", "itemid"),
        },
    ),
    FlowNeeds(
        flow=products.FLOW,
        magento_acl={
            "Magento_Catalog::products": "create and update products, options and configurable children",
            "Magento_Logging::system_magento_logging_bulk_operations": "poll async bulk product saves",
        },
        netsuite_records=(),
        suiteql={
            "item": (
                "id",
                "itemid",
                "displayname",
                "isinactive",
                "cost",
                "weight",
                "vendorname",
                "upccode",
                "matrixtype",
                "parent",
                "itemtype",
                "lastmodifieddate",
            ),
        },
    ),
    FlowNeeds(
        flow=pricing.FLOW,
        magento_acl={
            "Magento_Catalog::products": "write base and tier prices, read them for the parity audit",
            "Magento_Customer::group": "find and create the price-level and contract customer groups",
        },
        netsuite_records=(),
        suiteql={
            "pricing": ("item", "pricelevel", "quantity", "unitprice"),
            "customeritempricing": ("customer", "item", "price"),
            "customer": ("id", "externalid", "pricelevel", "isinactive"),
            "item": ("id", "itemid"),
        },
    ),
    FlowNeeds(
        flow=registration.FLOW,
        magento_acl={"Magento_Customer::manage": "read new registrations, write the NetSuite id back"},
        netsuite_records=(
            RecordNeed("customer", "Lists -> Customers", "Edit", "create the minimal customer, patch a new e-mail"),
        ),
        suiteql={"customer": ("id", "externalid", "email")},
    ),
    FlowNeeds(
        flow=customer_master.FLOW,
        magento_acl={
            "Magento_Customer::manage": "update the NetSuite-owned fields of customers",
            "Magento_Customer::group": "find the customer group a price level or contract maps to",
        },
        netsuite_records=(RecordNeed("customer", "Lists -> Customers", "View", "read customer master data"),),
        suiteql={"customer": ("id", "externalid", "isinactive"), "customeritempricing": ("customer",)},
    ),
    FlowNeeds(
        flow=reconciliation.RECONCILIATION,
        magento_acl={"Magento_Customer::manage": "read every customer, repair NetSuite-owned fields"},
        netsuite_records=(RecordNeed("customer", "Lists -> Customers", "Edit", "repair Magento-owned fields"),),
        suiteql={
            "customer": (
                "id",
                "externalid",
                "email",
                "firstname",
                "lastname",
                "companyname",
                "creditlimit",
                "terms",
                "taxable",
                "resalenumber",
                "category",
                "salesrep",
                "pricelevel",
                "lastmodifieddate",
            ),
        },
    ),
)

CHECK_MAGENTO_ACL = {
    "Magento_Customer::group": "read customer groups (value maps)",
    "Magento_InventoryApi::source": "read MSI sources (value maps)",
    "Magento_Backend::store": "read websites (mapping settings)",
    "Magento_Catalog::sets": "read attribute sets (mapping settings)",
}
"""What ``check`` itself reads in Magento to verify the value maps and mapping settings."""

SUITEQL_TABLE_PERMISSIONS = {
    "item": "Lists -> Items",
    "inventoryitemlocations": "Lists -> Items",
    "shipitem": "Lists -> Items",
    "location": "Lists -> Locations",
    "customer": "Lists -> Customers",
    "customeritempricing": "Lists -> Customers",
    "pricing": "Lists -> Items",
    "transaction": "Transactions -> Find Transaction",
    "transactionline": "Transactions -> Find Transaction",
    "pricelevel": "Setup -> Accounting Lists",
    "term": "Setup -> Accounting Lists",
    "paymentmethod": "Setup -> Accounting Lists",
    "subsidiary": "Lists -> Subsidiaries",
    "currency": "Lists -> Currency",
}
"""SuiteQL table → the role permission that lets a query see it (for the fix line)."""

RESTLET_SWITCHES = {inventory.RESTLET_SCRIPT: ("inventory_source", "suiteql")}
"""RESTlet → the NetSuite connection extra (and value) under which no flow calls it."""
