"""The store's setup ``check`` reads: MSI sources, websites, attribute sets, and the integration's ACL.

* ``GET /V1/inventory/sources`` (``Magento_InventoryApi::source``), ``GET /V1/store/websites``
  (``Magento_Backend::store``), ``GET /V1/products/attribute-sets/sets/list``
  (``Magento_Catalog::sets``), in Magento 2.4's shapes.
* The integration's resource access (System › Integrations › API): all resources by default;
  ``POST /_sandbox/acl {"denied": ["Magento_Sales::comment", ...]}`` takes some away, so calls
  needing them get Magento's 401 "The consumer isn't authorized to access %resources." exactly as
  a badly scoped integration does (Magento checks the ACL before it reads the request body).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from magento_netsuite.sandbox.magento import search
from magento_netsuite.sandbox.magento.errors import MagentoError, unauthorized

ACL_SOURCES = "Magento_InventoryApi::source"
ACL_STORES = "Magento_Backend::store"
ACL_ATTRIBUTE_SETS = "Magento_Catalog::sets"

WEBSITES = (
    {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
    {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
)
ATTRIBUTE_SETS = (
    {"attribute_set_id": 4, "attribute_set_name": "Default", "sort_order": 1, "entity_type_id": 4},
    {"attribute_set_id": 9, "attribute_set_name": "Top", "sort_order": 0, "entity_type_id": 4},
)


class AclGrants:
    """Which API resources the sandbox integration may use (all unless denied)."""

    def __init__(self) -> None:
        self.denied: set[str] = set()

    def require(self, resource: str) -> None:
        if resource in self.denied:
            raise unauthorized(resource)


def routers(
    guard: Callable[[str], Any], sources: Callable[[], list[str]], grants: AclGrants, criteria_of: Callable
) -> tuple[APIRouter, APIRouter]:
    """``(v1, control)``: the three read endpoints (mount under each store prefix) and ``/_sandbox/acl``."""
    v1 = APIRouter()
    control = APIRouter(prefix="/_sandbox")

    def searched(request: Request, records: list[dict[str, Any]]) -> Response:
        criteria = criteria_of(request)
        page, total = search.apply(records, criteria)
        return JSONResponse({"items": page, "search_criteria": criteria.echo(), "total_count": total})

    @v1.get("/inventory/sources", dependencies=[guard(ACL_SOURCES)])
    def list_sources(request: Request) -> Response:
        records = [
            {"source_code": code, "name": code.replace("_", " ").title(), "enabled": True, "country_id": "US"}
            for code in sources()
        ]
        return searched(request, records)

    @v1.get("/store/websites", dependencies=[guard(ACL_STORES)])
    def list_websites() -> Response:
        return JSONResponse([dict(w) for w in WEBSITES])

    @v1.get("/products/attribute-sets/sets/list", dependencies=[guard(ACL_ATTRIBUTE_SETS)])
    def list_attribute_sets(request: Request) -> Response:
        return searched(request, [dict(s) for s in ATTRIBUTE_SETS])

    @control.get("/acl")
    def show_acl() -> Response:
        return JSONResponse({"denied": sorted(grants.denied)})

    @control.post("/acl")
    async def change_acl(request: Request) -> Response:
        body = await request.json()
        denied = body.get("denied") if isinstance(body, dict) else None
        if not isinstance(denied, list) or not all(isinstance(r, str) for r in denied):
            raise MagentoError(400, 'ACL body must be {"denied": ["Vendor_Module::resource", ...]}')
        grants.denied = set(denied)
        return JSONResponse({"denied": sorted(grants.denied)})

    return v1, control
