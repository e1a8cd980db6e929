"""Transform: a NetSuite customer → the Magento account fields NetSuite owns, by the mapping.

The mapping's flow ``customers_netsuite_to_magento`` lists the fields (and so, by the ownership rule,
only NetSuite-owned ones: login e-mail, password and preferences are never among them); the group is
then decided by :mod:`.groups`. A row to load carries only those fields (``set``), never a whole account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.flows.customer_master.constants import ENTITY, FLOW, GROUP_FIELD
from magento_netsuite.flows.customer_master.extract import customer_key, magento_id
from magento_netsuite.flows.customer_master.groups import choose_group
from magento_netsuite.governance import FieldSpec, MappingDocument, OwnershipFilter, get_path, translate_record
from magento_netsuite.governance.translate import jsonable
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, quarantined


@dataclass
class Prepared:
    ready: list[dict[str, Any]] = field(default_factory=list)
    settled: list[RecordOutcome] = field(default_factory=list)


def magento_fields(doc: MappingDocument) -> list[str]:
    """The flow's fields, checked against ownership (a field Magento owns here raises)."""
    return OwnershipFilter(doc, FLOW).check(doc.flow(FLOW).field_names)


def _in_absent_list(spec: FieldSpec, record: Mapping[str, Any]) -> bool:
    """A field of each list element (``addressBook.items[].…``) on a record without that list: a customer
    without an address book has no address to validate (a fresh registration has none)."""
    path = spec.path_for("netsuite") or ""
    return "[]" in path and not get_path(record, path.split("[]")[0])


def prepare_rows(
    records: Iterable[Mapping[str, Any]], doc: MappingDocument, contract_customers: set[str], ctx: RunContext
) -> Prepared:
    """One row per customer: ``{"key", "customer_id", "netsuite_id", "set", "contract_group"}``."""
    magento_fields(doc)
    flow = doc.flow(FLOW)
    group_path = flow.field(GROUP_FIELD).path_for("magento") or "group_id"
    result = Prepared()
    for record in records:
        key = customer_key(record)
        customer_id = magento_id(key)
        if customer_id is None:
            result.settled.append(
                quarantined(
                    FLOW,
                    ENTITY,
                    key,
                    record,
                    error_class="validation",
                    field_path="externalId",
                    ctx=ctx,
                    message=f"externalId {key!r} does not name a Magento customer (MAG-CUST-<id>)",
                )
            )
            continue
        translation = translate_record(flow, record, doc)
        violations = [v for v in translation.violations if not _in_absent_list(flow.field(v.field), record)]
        if violations:
            first = violations[0]
            result.settled.append(
                quarantined(
                    FLOW,
                    ENTITY,
                    key,
                    record,
                    error_class="validation",
                    field_path=first.path,
                    ctx=ctx,
                    message="; ".join(f"{v.path}: {v.message}" for v in violations),
                )
            )
            continue
        values = jsonable(translation.record)
        netsuite_id = str(record.get("id"))
        choice = choose_group(netsuite_id, values.get(group_path), netsuite_id in contract_customers)
        if choice.contract_code is not None:
            values.pop(group_path, None)
        result.ready.append(
            {
                "key": key,
                "customer_id": customer_id,
                "netsuite_id": netsuite_id,
                "set": values,
                "contract_group": choice.contract_code,
            }
        )
    return result
