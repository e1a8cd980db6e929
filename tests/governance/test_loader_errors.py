"""A broken mapping file is named, and stops only the flows it holds (issue 19).

Before the fix: an empty entity file passed ``check`` (and later broke its DAG with a ``KeyError``
naming no file); a non-UTF-8 file gave a ``UnicodeDecodeError`` traceback without its name; one broken
file failed the import of every flow DAG.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from magento_netsuite.config import MAPPINGS_DIR
from magento_netsuite.governance import MappingDocumentError, doc_cache, load_mapping_document
from magento_netsuite.governance.__main__ import main
from tests.governance.conftest import write_document

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", ["", "# nothing mapped yet\n", "\n\n"], ids=["empty", "comments", "blank-lines"])
def test_an_empty_entity_file_fails_check_naming_the_file(tmp_path: Path, capsys, text: str) -> None:
    directory = write_document(tmp_path)
    (directory / "gadget.yaml").write_text(text, encoding="utf-8")
    assert main(["--mappings", str(directory), "check"]) == 1
    err = capsys.readouterr().err
    assert "gadget.yaml" in err and "empty" in err


def test_a_non_utf8_file_is_a_clear_error_naming_the_file_and_line(tmp_path: Path, capsys) -> None:
    directory = write_document(tmp_path)
    (directory / "gadget.yaml").write_bytes(b"entity: gadget\ntitle: Caf\xe9\n")
    with pytest.raises(MappingDocumentError) as error:
        load_mapping_document(directory, reload=True)
    (issue,) = error.value.issues
    assert (Path(issue.file).name, issue.line) == ("gadget.yaml", 2)
    assert "not UTF-8" in issue.message
    assert main(["--mappings", str(directory), "check"]) == 1
    assert "gadget.yaml:2" in capsys.readouterr().err


@pytest.fixture
def broken_orders(tmp_path: Path) -> Path:
    directory = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, directory)
    (directory / "order.yaml").write_text("", encoding="utf-8")
    return directory


def test_a_broken_file_fails_only_the_flows_it_holds(broken_orders: Path, monkeypatch) -> None:
    monkeypatch.setenv("MNS_MAPPING_CACHE", "off")
    inventory = doc_cache.cached_flow_doc_md("inventory_netsuite_to_magento", broken_orders)
    assert "inventory_netsuite_to_magento" in inventory
    with pytest.raises(MappingDocumentError, match=r"order\.yaml, entity 'order': the file is empty"):
        doc_cache.cached_flow_doc_md("orders_magento_to_netsuite", broken_orders)
    with pytest.raises(MappingDocumentError, match=r"order\.yaml"):
        load_mapping_document(broken_orders, reload=True)  # strict: `check` still fails


def test_the_inventory_dag_imports_while_the_orders_dag_reports_the_broken_file(broken_orders: Path) -> None:
    dags = str(ROOT / "dags")
    probe = (
        "import json; from airflow.dag_processing.dagbag import DagBag; "
        f"bag = DagBag(dag_folder={dags!r}); "
        "print(json.dumps({'dags': sorted(bag.dag_ids), "
        "'errors': {k.rsplit('/', 1)[-1]: v for k, v in bag.import_errors.items()}}))"
    )
    env = {**os.environ, "MNS_MAPPINGS_DIR": str(broken_orders), "MNS_MAPPING_CACHE": "off"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "netsuite_inventory_to_magento" in result["dags"]
    assert "magento_orders_to_netsuite" not in result["dags"]
    assert "order.yaml" in result["errors"]["magento_orders_to_netsuite.py"]
