"""The parse-time fast path: libyaml parsing with the same lines, and the content-addressed doc_md cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from magento_netsuite.config import MAPPINGS_DIR, REPO_ROOT
from magento_netsuite.governance import MappingDocumentError, doc_cache, flow_doc_md, load_mapping_document, loader
from magento_netsuite.governance.sources import read_sources
from tests.governance.conftest import WIDGET, write_document

FLOWS = ("widgets_netsuite_to_magento", "widgets_magento_to_netsuite")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("MNS_MAPPING_CACHE_DIR", str(directory))
    monkeypatch.delenv("MNS_MAPPING_CACHE", raising=False)
    return directory


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*")) if directory.exists() else []


def _fresh(directory: Path) -> dict[str, str]:
    """What the uncached path renders: a full load and validation."""
    doc = load_mapping_document(directory, reload=True)
    return {name: flow_doc_md(name, doc) for name in doc.flow_index}


def _issues(error: MappingDocumentError) -> list[tuple]:
    return [(Path(i.file).name, i.line, i.entity, i.field, i.message) for i in error.issues]


def _tree(node):
    """A parsed YAML tree with every mapping's own line and key lines, for comparing two loaders."""
    if isinstance(node, loader.LineDict):
        return ("map", node.line, dict(node.key_lines), {key: _tree(value) for key, value in node.items()})
    if isinstance(node, list):
        return [_tree(item) for item in node]
    return node


# --- libyaml -------------------------------------------------------------------------------------


def test_libyaml_is_available_to_the_fast_loader():
    assert yaml.__with_libyaml__, "PyYAML without libyaml: the mapping document parses ~7x slower"
    assert issubclass(loader._FastMarkedLoader, yaml.CSafeLoader)


@pytest.mark.parametrize("path", sorted(MAPPINGS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_libyaml_loader_gives_the_same_values_and_lines_as_the_pure_python_one(path: Path):
    text = path.read_text(encoding="utf-8")
    assert _tree(loader._parse(loader._FastMarkedLoader, text)) == _tree(loader._parse(loader._MarkedLoader, text))


def test_malformed_yaml_is_reported_as_the_pure_python_parser_words_it(tmp_path: Path):
    bad = WIDGET.replace("  - name: blurb\n", "  - name: blurb\n   oops: [unclosed\n")
    directory = write_document(tmp_path / "m", bad)
    with pytest.raises(yaml.YAMLError) as pure:
        loader._parse(loader._MarkedLoader, (directory / "widget.yaml").read_text(encoding="utf-8"))
    with pytest.raises(MappingDocumentError) as error:
        load_mapping_document(directory, reload=True)
    (issue,) = error.value.issues
    assert issue.line == pure.value.problem_mark.line + 1
    assert issue.message == f"malformed YAML: {pure.value.problem}"


def test_duplicate_keys_are_still_rejected_by_the_fast_loader():
    with pytest.raises(yaml.constructor.ConstructorError, match="found duplicate key 'a'") as error:
        loader._parse(loader._FastMarkedLoader, "x: 1\nb:\n  a: 1\n  a: 2\n")
    assert error.value.problem_mark.line + 1 == 4


# --- the doc_md cache ----------------------------------------------------------------------------


def test_a_hit_returns_what_a_full_load_renders_without_running_the_loader(mapping_dir, cache_dir, monkeypatch):
    first, from_cache = doc_cache.rendered_flow_docs(mapping_dir)
    assert not from_cache and set(first) == set(FLOWS)
    assert first == _fresh(mapping_dir)
    (entry,) = _entries(cache_dir)
    assert entry.name.startswith(doc_cache.PREFIX) and entry.suffix == ".json"

    def no_load(*args, **kwargs):
        raise AssertionError("a cache hit must not load the document")

    monkeypatch.setattr(loader, "_load", no_load)
    again, from_cache = doc_cache.rendered_flow_docs(mapping_dir)
    assert from_cache and again == first
    assert doc_cache.cached_flow_doc_md(FLOWS[0], mapping_dir) == first[FLOWS[0]]


def test_the_real_documents_flow_doc_md_is_the_same_cached_or_not(cache_dir):
    doc = load_mapping_document(MAPPINGS_DIR, reload=True)
    for flow in ("orders_magento_to_netsuite", "inventory_netsuite_to_magento"):
        expected = flow_doc_md(flow, doc)
        assert flow_doc_md(flow) == expected  # fills the cache
        assert flow_doc_md(flow) == expected  # from it
    assert doc_cache.rendered_flow_docs()[1] is True


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda d: (d / "widget.yaml").write_text(WIDGET.replace("cadence: hourly", "cadence: daily")), id="edit"
        ),
        pytest.param(lambda d: shutil.copy(d / "widget.yaml", d / "gadget.yaml"), id="new-file"),
        pytest.param(lambda d: (d / "widget.yaml").rename(d / "gizmo.yaml"), id="rename"),
    ],
)
def test_any_change_to_the_mapping_files_is_a_miss(mapping_dir, cache_dir, edit):
    before, _ = doc_cache.rendered_flow_docs(mapping_dir)
    edit(mapping_dir)
    try:
        expected = _fresh(mapping_dir)
    except MappingDocumentError as exc:
        with pytest.raises(MappingDocumentError) as error:
            doc_cache.rendered_flow_docs(mapping_dir)
        assert _issues(error.value) == _issues(exc)
        return
    after, from_cache = doc_cache.rendered_flow_docs(mapping_dir)
    assert not from_cache and after == expected and after != before


def test_an_edit_shows_in_the_doc(mapping_dir):
    assert "hourly" in doc_cache.cached_flow_doc_md(FLOWS[0], mapping_dir)
    (mapping_dir / "widget.yaml").write_text(WIDGET.replace("cadence: hourly", "cadence: daily"), encoding="utf-8")
    text = doc_cache.cached_flow_doc_md(FLOWS[0], mapping_dir)
    assert "cadence: daily" in text and "hourly" not in text


def test_a_broken_file_raises_the_loaders_error_with_file_and_line_even_after_a_hit(mapping_dir, cache_dir):
    doc_cache.rendered_flow_docs(mapping_dir)
    assert doc_cache.rendered_flow_docs(mapping_dir)[1]
    bad = WIDGET.replace(
        "  - name: weight\n    owner: netsuite\n", "  - name: weight\n    owner: [netsuite, magento]\n"
    )
    (mapping_dir / "widget.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(MappingDocumentError) as uncached:
        load_mapping_document(mapping_dir, reload=True)
    for _ in range(2):  # an invalid document is never cached: every parse raises
        with pytest.raises(MappingDocumentError) as error:
            doc_cache.cached_flow_doc_md(FLOWS[0], mapping_dir)
        assert _issues(error.value) == _issues(uncached.value)
        (issue,) = error.value.issues
        line = bad.splitlines().index("    owner: [netsuite, magento]") + 1
        assert (issue.entity, issue.field, issue.line) == ("widget", "weight", line)
        assert f"widget.yaml:{line}, entity 'widget', field 'weight'" in str(error.value)
    assert len(_entries(cache_dir)) == 1  # only the valid version's entry


def test_malformed_yaml_after_a_hit_still_names_file_and_line(mapping_dir):
    doc_cache.rendered_flow_docs(mapping_dir)
    bad = WIDGET.replace("  - name: blurb\n", "  - name: blurb\n   oops: [unclosed\n")
    (mapping_dir / "widget.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(MappingDocumentError) as error:
        doc_cache.cached_flow_doc_md(FLOWS[0], mapping_dir)
    (issue,) = error.value.issues
    assert Path(issue.file).name == "widget.yaml" and issue.line is not None and issue.line >= 45
    assert issue.message.startswith("malformed YAML")


def test_a_missing_directory_raises_as_the_loader_does(tmp_path: Path):
    with pytest.raises(MappingDocumentError, match="mapping directory does not exist"):
        doc_cache.cached_flow_doc_md(FLOWS[0], tmp_path / "nowhere")


def test_an_unknown_flow_raises_the_loaders_key_error(mapping_dir):
    doc_cache.rendered_flow_docs(mapping_dir)
    with pytest.raises(KeyError, match="has no flow 'nope'; known: "):
        doc_cache.cached_flow_doc_md("nope", mapping_dir)


def test_the_key_covers_the_governance_code_and_file_names(mapping_dir, tmp_path, monkeypatch):
    sources = read_sources(mapping_dir)
    key = doc_cache.document_key(sources)
    assert doc_cache.document_key(read_sources(mapping_dir)) == key
    renamed = {path.with_name("x" + path.name): text for path, text in sources.items()}
    assert doc_cache.document_key(renamed) != key
    code = tmp_path / "code"
    shutil.copytree(doc_cache._PACKAGE_DIR, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(doc_cache, "_PACKAGE_DIR", code)
    assert doc_cache.document_key(sources) == key
    with (code / "loader.py").open("a", encoding="utf-8") as out:
        out.write("\n# a validation rule changed\n")
    assert doc_cache.document_key(sources) != key


@pytest.mark.parametrize("garbage", ["", "{not json", '{"format": 1, "key": "other", "flows": {}}', "[]"])
def test_an_unreadable_or_foreign_entry_is_ignored_and_rewritten(mapping_dir, cache_dir, garbage):
    expected, _ = doc_cache.rendered_flow_docs(mapping_dir)
    (entry,) = _entries(cache_dir)
    entry.write_text(garbage, encoding="utf-8")
    docs, from_cache = doc_cache.rendered_flow_docs(mapping_dir)
    assert (docs, from_cache) == (expected, False)
    assert json.loads(entry.read_text(encoding="utf-8"))["flows"] == expected
    assert doc_cache.rendered_flow_docs(mapping_dir) == (expected, True)


def test_an_unwritable_cache_only_costs_the_full_load(mapping_dir, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("MNS_MAPPING_CACHE_DIR", str(blocker / "cache"))
    expected = _fresh(mapping_dir)
    assert doc_cache.rendered_flow_docs(mapping_dir) == (expected, False)
    assert doc_cache.rendered_flow_docs(mapping_dir) == (expected, False)


def test_the_cache_can_be_turned_off(mapping_dir, cache_dir, monkeypatch):
    monkeypatch.setenv("MNS_MAPPING_CACHE", "off")
    assert doc_cache.rendered_flow_docs(mapping_dir)[1] is False
    assert doc_cache.rendered_flow_docs(mapping_dir)[1] is False
    assert not cache_dir.exists()


def test_concurrent_writers_leave_one_complete_entry_and_no_temporary_files(mapping_dir, cache_dir):
    expected = _fresh(mapping_dir)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: doc_cache.rendered_flow_docs(mapping_dir)[0], range(16)))
    assert all(result == expected for result in results)
    (entry,) = _entries(cache_dir)  # the temporary files were renamed into place, none left over
    assert json.loads(entry.read_text(encoding="utf-8"))["flows"] == expected


def test_old_entries_are_pruned_when_a_new_one_is_written(mapping_dir, cache_dir):
    doc_cache.rendered_flow_docs(mapping_dir)
    (old,) = _entries(cache_dir)
    day_ago = old.stat().st_mtime - doc_cache.STALE_ENTRY_AGE_S - 1
    os.utime(old, (day_ago, day_ago))
    (mapping_dir / "widget.yaml").write_text(WIDGET.replace("title: Widget", "title: Gadget"), encoding="utf-8")
    doc_cache.rendered_flow_docs(mapping_dir)
    (new,) = _entries(cache_dir)
    assert new != old


def test_a_hit_imports_neither_the_loader_nor_the_models(mapping_dir, cache_dir):
    """What a DAG file pays at parse time for an unchanged document: hashing and one JSON read."""
    probe = textwrap.dedent(
        f"""
        import sys
        from magento_netsuite.governance import flow_doc_md
        from magento_netsuite.governance.doc_cache import rendered_flow_docs
        docs, hit = rendered_flow_docs({str(mapping_dir)!r})
        heavy = sorted(m for m in ("magento_netsuite.governance.loader", "magento_netsuite.governance.model")
                       if m in sys.modules)
        print(hit, heavy)
        """
    )
    env = {**os.environ, "MNS_MAPPING_CACHE_DIR": str(cache_dir), "PYTHONPATH": f"{REPO_ROOT / 'plugins'}"}
    outputs = [
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True).stdout
        for _ in range(2)
    ]
    assert outputs[0].split()[0] == "False"
    assert outputs[1].strip() == "True []"
