"""Transform: NetSuite items → the Magento writes they need, comparing with what Magento has now.

Each item is translated through the mapping (only NetSuite-owned fields; validation per field). Then:

* a SKU Magento lacks is **created** with those fields, the ``new_products`` settings (attribute set,
  websites, visibility, status) and NetSuite's name; a matrix child is created not visible on its own,
  a matrix parent as a configurable (linked to its children at load);
* a SKU Magento has gets an **update** of only the NetSuite-owned attributes that differ. The name and
  the enabled flag are written only as ``storefront_name_owner`` / ``enabled_owner`` say (an inactive
  item always disables its product, nothing ever deletes one); nothing Magento owns is in a payload;
* nothing differs → unchanged, no write (a rerun writes nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.products.catalog import OptionIds, current_products, custom
from magento_netsuite.flows.products.constants import CHILD, ENTITY, FLOW, PARENT
from magento_netsuite.flows.products.settings import ProductSettings
from magento_netsuite.governance import MappingDocument, translate_record
from magento_netsuite.governance.translate import jsonable
from magento_netsuite.pipeline.flow import Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined

NOT_VISIBLE = 1


def item_key(record: Mapping[str, Any]) -> str:
    return str(record.get("itemId") or "").strip()


def kind_of(record: Mapping[str, Any]) -> str:
    if record.get("matrixType") == PARENT:
        return "parent"
    return "child" if record.get("matrixType") == CHILD or record.get("parent") else "simple"


def _quarantine(key: str, record: Mapping[str, Any], cls: str, message: str, path: str | None, ctx: RunContext):
    return quarantined(FLOW, ENTITY, key, record, error_class=cls, message=message, field_path=path, ctx=ctx)


def _same(current: Any, wanted: Any) -> bool:
    if current is None or wanted is None:
        return current is None and wanted is None
    try:
        return Decimal(str(current)) == Decimal(str(wanted))
    except (InvalidOperation, ValueError):
        return str(current).strip() == str(wanted).strip()


def desired(
    record: Mapping[str, Any], target: dict[str, Any], settings: ProductSettings, exists: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(top-level attributes, custom attributes) this sync wants the product to have; option values are labels."""
    top = {k: v for k, v in target.items() if k not in ("sku", "custom_attributes", "name", "status")}
    extra = {a["attribute_code"]: a["value"] for a in target.get("custom_attributes") or []}
    inactive = bool(record.get("isInactive"))
    if not exists or settings.name_owner == "netsuite":
        top["name"] = target.get("name")
    if inactive:
        top["status"] = 2
    elif not exists:
        top["status"] = 1 if settings.enabled_owner == "netsuite" else settings.new_status
    elif settings.enabled_owner == "netsuite":
        top["status"] = 1
    return top, extra


def plan(
    records: list[dict[str, Any]],
    doc: MappingDocument,
    settings: ProductSettings,
    magento: MagentoHook,
    ctx: RunContext,
) -> Transformed:
    flow = doc.flow(FLOW)
    result = Transformed()
    codes = [settings.option_code(s) for s in settings.options]
    wanted: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for record in records:
        key = item_key(record)
        translation = translate_record(flow, record, doc)
        if translation.violations:
            first = translation.violations[0]
            message = "; ".join(f"{v.path}: {v.message}" for v in translation.violations)
            result.settled.append(_quarantine(key, record, "validation", f"item {key}: {message}", first.path, ctx))
            continue
        target = jsonable(translation.record)
        if kind_of(record) == "child" and not any(record.get(s.netsuite or "") for s in settings.options):
            columns = [s.netsuite for s in settings.options]
            named = ", ".join(map(str, columns))
            message = f"matrix child {key} has no matrix option value ({named}): nothing tells it apart"
            result.settled.append(_quarantine(key, record, "validation", message, columns[0] if columns else None, ctx))
            continue
        wanted.append((record, target))
    lookup = {item_key(r) for r, _ in wanted}
    lookup |= {c for r, _ in wanted for c in r.get("matrixChildren") or []}
    lookup |= {str(r["parent"]) for r, _ in wanted if r.get("parent")}
    current = current_products(magento, lookup) if lookup else {}
    options = OptionIds(magento, codes) if codes and wanted else None
    created = 0
    for record, target in wanted:
        key = item_key(record)
        kind = kind_of(record)
        product = current.get(key)
        top, extra = desired(record, target, settings, product is not None)
        row: dict[str, Any] = {"key": key, "kind": kind, "parent": record.get("parent"), "options": {}}
        for code in codes:
            if code in extra:
                row["options"][code] = extra.pop(code)
        if product is None:
            created += 1
            top.update(
                type_id="configurable" if kind == "parent" else "simple",
                attribute_set_id=settings.attribute_set_id,
                visibility=NOT_VISIBLE if kind == "child" else settings.visibility,
            )
            if kind != "parent":
                top["price"] = settings.price
            row.update(action="create", top=top, custom=extra, website_ids=list(settings.website_ids))
        else:
            have = custom(product)
            top = {k: v for k, v in top.items() if not _same(product.get(k), v)}
            extra = {k: v for k, v in extra.items() if not _same(have.get(k), v)}
            labels = row["options"]
            row["options"] = {
                c: label for c, label in labels.items() if options is None or options.get(c, label) != str(have.get(c))
            }
            row.update(action="update", top=top, custom=extra, id=product.get("id"))
        if kind == "parent":
            links = {
                int(i) for i in (product or {}).get("extension_attributes", {}).get("configurable_product_links") or []
            }
            children = record.get("matrixChildren") or []
            row["children"] = children
            # children Magento has but the configurable does not link (children created by this run are
            # linked at load; a child Magento lacks, e.g. quarantined, is linked once it exists)
            row["unlinked"] = [c for c in children if c in current and int(current[c]["id"]) not in links]
        if kind == "child" and row["parent"] in current:
            parent = current[str(row["parent"])]
            links = parent.get("extension_attributes", {}).get("configurable_product_links") or []
            row["linked"] = product is not None and int(product["id"]) in {int(i) for i in links}
        else:
            row["linked"] = True  # no parent in Magento yet: the parent's creation links it
        if (
            row["action"] == "update"
            and not (row["top"] or row["custom"] or row["options"])
            and not (row.get("unlinked") or not row["linked"])
        ):
            result.settled.append(RecordOutcome(key, Status.UNCHANGED))
            continue
        result.ready.append(row)
    result.extra = {"to_create": created, "to_update": len(result.ready) - created}
    return result
