"""The loader accepts the real document and rejects every broken one with file, line, entity and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from magento_netsuite.config import MAPPINGS_DIR
from magento_netsuite.governance import MappingDocumentError, ValueMapMiss, load_mapping_document
from tests.governance.conftest import WIDGET, write_document

SOURCE_OF_TRUTH = {
    # seed "Source of Truth" row → (entity, a field that row covers, its owner)
    "customer master": ("customer", "credit_limit", "netsuite"),
    "customer experience": ("customer", "login_email", "magento"),
    "product master": ("product", "sku", "netsuite"),
    "product content": ("product", "description", "magento"),
    "pricing": ("pricing", "contract_price", "netsuite"),
    "inventory": ("inventory", "quantity", "netsuite"),
    "orders after checkout": ("order", "external_id", "netsuite"),
    "fulfilment coming back": ("fulfillment", "tracking_number", "netsuite"),
}

ARCHITECTURE_FLOWS = {
    "orders_magento_to_netsuite": ("magento_orders_to_netsuite", "magento", "netsuite"),
    "fulfillments_netsuite_to_magento": ("netsuite_fulfilments_to_magento", "netsuite", "magento"),
    "inventory_netsuite_to_magento": ("netsuite_inventory_to_magento", "netsuite", "magento"),
    "pricing_netsuite_to_magento": ("netsuite_pricing_to_magento", "netsuite", "magento"),
    "customers_netsuite_to_magento": ("netsuite_customers_to_magento", "netsuite", "magento"),
    "customer_registration_magento_to_netsuite": ("magento_customer_registration_to_netsuite", "magento", "netsuite"),
    "customer_email_magento_to_netsuite": ("magento_customer_registration_to_netsuite", "magento", "netsuite"),
    "products_netsuite_to_magento": ("netsuite_products_to_magento", "netsuite", "magento"),
}


def _errors(directory: Path) -> list:
    with pytest.raises(MappingDocumentError) as info:
        load_mapping_document(directory, reload=True)
    return info.value.issues


def test_real_document_covers_every_source_of_truth_row():
    doc = load_mapping_document(MAPPINGS_DIR, reload=True)
    for row, (entity, field, owner) in SOURCE_OF_TRUTH.items():
        assert doc.entity(entity).field(field).owner == owner, row


def test_real_document_flows_match_the_architecture_table():
    doc = load_mapping_document(MAPPINGS_DIR)
    assert {flow.name for flow in doc.flows} == set(ARCHITECTURE_FLOWS)
    for name, (dag_id, source, target) in ARCHITECTURE_FLOWS.items():
        flow = doc.flow(name)
        assert (flow.dag_id, flow.source, flow.target) == (dag_id, source, target)
        assert flow.fields, name
        for spec in flow.fields:
            assert spec.owner == source or (flow.mode == "create_only" and spec.handoff == source), (name, spec.name)


def test_real_document_settings_and_never_synced_fields():
    doc = load_mapping_document(MAPPINGS_DIR)
    order = doc.entity("order")
    assert order.settings["ready_for_erp"]["otherwise"] == ["processing"]
    assert order.settings["guest_policy"]["match_by"] == "normalised_email"
    assert order.field("shipping_postcode").validation.required_when == "physical_items"
    customer = doc.entity("customer")
    for name in ("password", "two_factor", "newsletter_subscription", "email_preferences"):
        spec = customer.field(name)
        assert (spec.owner, spec.conflict, spec.netsuite) == ("magento", "never_synced", None)
        assert all(name not in flow.field_names for flow in doc.flows)
    assert doc.value_map("location_to_source").lookup(3) == "wh_central"
    assert doc.value_map("price_level_to_customer_group").lookup("4") == "Retailer"
    with pytest.raises(ValueMapMiss, match=r"'location_to_source' has no entry for '9'"):
        doc.value_map("location_to_source").lookup("9")


def test_load_is_cached_per_path_and_reload_rereads(mapping_dir: Path):
    first = load_mapping_document(mapping_dir, reload=True)
    assert load_mapping_document(mapping_dir) is first
    (mapping_dir / "widget.yaml").write_text(WIDGET.replace("title: Widget", "title: Gadget"), encoding="utf-8")
    assert load_mapping_document(mapping_dir).entity("widget").title == "Widget"
    assert load_mapping_document(mapping_dir, reload=True).entity("widget").title == "Gadget"


def test_every_spelling_of_a_path_shares_one_entry_and_sees_a_reload(mapping_dir: Path):
    as_text = str(mapping_dir / ".")
    first = load_mapping_document(as_text, reload=True)
    assert load_mapping_document(mapping_dir) is first
    assert load_mapping_document(as_text) is first
    (mapping_dir / "widget.yaml").write_text(WIDGET.replace("title: Widget", "title: Gadget"), encoding="utf-8")
    reloaded = load_mapping_document(mapping_dir, reload=True)
    assert reloaded.entity("widget").title == "Gadget"
    assert load_mapping_document(as_text) is reloaded


def test_default_flow_fields_are_what_the_source_owns(mapping_dir: Path):
    doc = load_mapping_document(mapping_dir, reload=True)
    assert doc.flow("widgets_netsuite_to_magento").field_names == ["sku", "weight", "source_code"]
    # create_only: the magento-owned blurb plus the handed-off sku; never the never_synced secret
    assert doc.flow("widgets_magento_to_netsuite").field_names == ["sku", "blurb"]


def _line(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line of ``text`` that contains ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def _only(issues: list):
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


def test_rejects_field_without_owner(tmp_path: Path):
    bad = WIDGET.replace("  - name: weight\n    owner: netsuite\n", "  - name: weight\n")
    issue = _only(_errors(write_document(tmp_path, bad)))
    assert (Path(issue.file).name, issue.entity, issue.field) == ("widget.yaml", "widget", "weight")
    assert issue.line == _line(bad, "name: weight")
    assert "no owner" in issue.message


def test_rejects_field_with_two_owners(tmp_path: Path):
    bad = WIDGET.replace(
        "  - name: weight\n    owner: netsuite\n", "  - name: weight\n    owner: [netsuite, magento]\n"
    )
    issue = _only(_errors(write_document(tmp_path, bad)))
    line = _line(bad, "owner: [netsuite, magento]")
    assert (issue.entity, issue.field, issue.line) == ("widget", "weight", line)
    assert "two owners" in issue.message
    assert f"widget.yaml:{line}, entity 'widget', field 'weight'" in str(issue)


def test_rejects_flow_writing_a_field_its_target_owns(tmp_path: Path):
    bad = WIDGET.replace("    mode: upsert\n", "    mode: upsert\n    fields: [weight, blurb]\n")
    issue = _only(_errors(write_document(tmp_path, bad)))
    assert (issue.entity, issue.field, issue.line) == ("widget", "blurb", _line(bad, "source: netsuite"))
    assert "widgets_netsuite_to_magento" in issue.message and "target owns" in issue.message


def test_upsert_flow_may_not_use_a_handoff(tmp_path: Path):
    bad = WIDGET.replace("    mode: create_only\n", "    mode: upsert\n    fields: [sku]\n")
    issue = _only(_errors(write_document(tmp_path, bad)))
    assert (issue.field, "target owns" in issue.message) == ("sku", True)


def test_rejects_unknown_transform(tmp_path: Path):
    bad = WIDGET.replace("transform: decimal", "transform: decimel")
    issue = _only(_errors(write_document(tmp_path, bad)))
    assert (issue.field, issue.line) == ("weight", _line(bad, "name: weight"))
    assert "unknown transform 'decimel'" in issue.message


def test_rejects_unknown_value_map(tmp_path: Path):
    bad = WIDGET.replace("map:location_to_source", "from_ns_ref|map:location_to_warehouse")
    issue = _only(_errors(write_document(tmp_path, bad)))
    assert issue.field == "source_code"
    assert "unknown value map 'map:location_to_warehouse'" in issue.message


def test_rejects_duplicated_field(tmp_path: Path):
    duplicate = "  - name: weight\n    owner: netsuite\n    netsuite: weight\n    magento: weight\n"
    duplicate += "    updated_by: Ops\n    conflict: owner_wins\n"
    bad = WIDGET + duplicate
    issue = _only(_errors(write_document(tmp_path, bad)))
    assert (issue.field, issue.line) == ("weight", _line(bad, "name: weight", 2))
    assert f"duplicated field (first defined on line {_line(bad, 'name: weight')})" in issue.message


def test_rejects_malformed_yaml(tmp_path: Path):
    bad = WIDGET.replace("  - name: blurb\n", "  - name: blurb\n   oops: [unclosed\n")
    issue = _only(_errors(write_document(tmp_path, bad)))
    assert Path(issue.file).name == "widget.yaml" and issue.line is not None and issue.line >= 45
    assert issue.message.startswith("malformed YAML")


def test_rejects_duplicate_yaml_keys(tmp_path: Path):
    bad = WIDGET.replace("    transform: decimal\n", "    transform: decimal\n    transform: string\n")
    issue = _only(_errors(write_document(tmp_path, bad)))
    assert "duplicate key 'transform'" in issue.message


def test_rejects_unknown_keys_in_field_flow_and_entity(tmp_path: Path):
    bad = WIDGET.replace("    transform: decimal\n", "    transform: decimal\n    colour: red\n")
    bad = bad.replace("    cadence: hourly\n", "    cadence: hourly\n    schedule: '@hourly'\n")
    bad = "owner_team: ops\n" + bad
    issues = _errors(write_document(tmp_path, bad))
    messages = {(i.field, i.line, i.message) for i in issues}
    assert (None, 1, "unknown key 'owner_team'") in messages
    assert ("weight", _line(bad, "colour: red"), "colour: unknown key") in messages
    flow_issue = (None, _line(bad, "schedule:"), "flow 'widgets_netsuite_to_magento': schedule: unknown key")
    assert flow_issue in messages


def test_rejects_invalid_owner_and_conflict_values(tmp_path: Path):
    bad = WIDGET.replace("    conflict: owner_wins\n", "    conflict: last_write_wins\n", 1)
    issue = _only(_errors(write_document(tmp_path, bad)))
    assert (issue.field, issue.line) == ("weight", _line(bad, "last_write_wins"))
    assert issue.message.startswith("conflict:")


def test_rejects_never_synced_field_in_a_flow_and_bad_paths(tmp_path: Path):
    bad = WIDGET.replace("    mode: create_only\n", "    mode: create_only\n    fields: [secret]\n")
    bad = bad.replace("magento: weight", "magento: weight..kg")
    issues = _errors(write_document(tmp_path, bad))
    assert {(i.field, "never_synced" in i.message or "malformed path" in i.message) for i in issues} == {
        ("secret", True),
        ("weight", True),
    }


def test_rejects_bad_value_map_file(tmp_path: Path):
    maps = "value_maps:\n  location_to_source:\n    from: netsuite\n    to: elsewhere\n    entries: {}\n"
    issues = _errors(write_document(tmp_path, value_maps=maps))
    assert any(i.field == "location_to_source" and i.message.startswith("to:") for i in issues)


def test_reports_every_problem_at_once(tmp_path: Path):
    bad = WIDGET.replace("transform: decimal", "transform: nope").replace("map:location_to_source", "map:nowhere")
    with pytest.raises(MappingDocumentError) as error:
        load_mapping_document(write_document(tmp_path, bad), reload=True)
    assert len(error.value.issues) == 2
    assert "2 problem(s)" in str(error.value)


def test_entity_name_must_match_file(tmp_path: Path):
    issue = _only(_errors(write_document(tmp_path, WIDGET.replace("entity: widget", "entity: gizmo"))))
    assert (issue.line, "must equal the file name" in issue.message) == (1, True)
