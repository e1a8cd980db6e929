"""The rendered document, the DAG doc_md part and the CLI."""

from __future__ import annotations

from pathlib import Path

from magento_netsuite.config import MAPPINGS_DIR, REPO_ROOT
from magento_netsuite.governance import flow_doc_md, load_mapping_document, render_document
from magento_netsuite.governance.__main__ import main
from tests.governance.conftest import WIDGET, write_document

COMMITTED_DOC = REPO_ROOT / "docs" / "field-mapping.md"


def test_committed_field_mapping_doc_is_fresh():
    fresh = render_document(load_mapping_document(MAPPINGS_DIR, reload=True))
    assert COMMITTED_DOC.read_text(encoding="utf-8") == fresh, "docs/field-mapping.md is stale: run `make mapping-doc`"


def test_rendered_document_has_a_table_per_entity_and_value_maps():
    doc = load_mapping_document(MAPPINGS_DIR)
    text = render_document(doc)
    for entity in doc.entities.values():
        assert f"## {entity.title} (`{entity.entity}`)" in text
    assert "| field | owner | Magento path | NetSuite path | transform | updated by | conflict rule | cadence |" in text
    assert "| `credit_limit` | netsuite | `custom_attributes.ns_credit_limit` | `creditLimit` |" in text
    assert "`from_ns_ref\\|map:terms`" in text
    assert "### `location_to_source` (netsuite → magento)" in text and "| `5` | `wh_south` |" in text


def test_flow_doc_md_is_the_flow_part():
    text = flow_doc_md("inventory_netsuite_to_magento")
    assert text.startswith("### Field mapping: `inventory_netsuite_to_magento`")
    assert "| `source_code` | `location_id` | `source_code` | `map:location_to_source` |" in text
    assert "on_hand" not in text


def test_cli_check_tables_and_render(tmp_path: Path, capsys):
    assert main(["check"]) == 0
    assert "6 entities" in capsys.readouterr().out
    assert main(["tables", "--flow", "orders_magento_to_netsuite"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("orders_magento_to_netsuite  [order: magento → netsuite, create_only, every 5 min]")
    assert "shipping_postcode" in out and "handed off by magento" in out
    assert main(["tables", "--flow", "nope"]) == 1
    target = tmp_path / "out.md"
    assert main(["render", "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == COMMITTED_DOC.read_text(encoding="utf-8")


def test_cli_check_fails_with_the_errors(tmp_path: Path, capsys):
    bad = write_document(tmp_path / "m", WIDGET.replace("transform: decimal", "transform: bogus"))
    assert main(["--mappings", str(bad), "check"]) == 1
    err = capsys.readouterr().err
    assert "widget.yaml" in err and "field 'weight'" in err and "unknown transform 'bogus'" in err
