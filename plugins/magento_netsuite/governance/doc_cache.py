"""The flows' ``doc_md`` for DAG parse time: validated and rendered once per version of the document.

The dag-processor parses every DAG file every ``min_file_process_interval`` seconds, each time in a
fresh process, and each flow DAG renders its part of the mapping document into its ``doc_md``. A
full load (YAML parse and validation of every file) costs far more than the rest of the DAG file, so
the rendered flow docs are cached on disk under a key that covers everything the result depends on:

* the name and text of every ``*.yaml`` file in the mapping directory (read once: the text hashed
  is the text validated, so an edit made during a load cannot be stored under the old key);
* the source of every module of this package (loader, model, validation, renderer);
* the Python, PyYAML and pydantic versions.

A document is therefore validated again whenever any of them changes, and an invalid one is never
cached: every parse reloads it and raises :class:`~magento_netsuite.governance.errors.MappingDocumentError`
naming file, line, entity and field, as an uncached load does. An unchanged document costs hashing a
few small files and reading one JSON file, with neither the loader nor the pydantic models imported.

Entries live in ``$AIRFLOW_HOME/cache/magento_netsuite/`` (``MNS_MAPPING_CACHE_DIR`` overrides it;
``MNS_MAPPING_CACHE=off`` turns the cache off). They are written to a temporary file and renamed
into place, so concurrent dag-processor children never read a partial entry; an entry that does not
parse or carries another key is ignored and rewritten. A directory that cannot be written only
means every parse does the full load.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from magento_netsuite.config import MAPPINGS_DIR, airflow_home
from magento_netsuite.governance.sources import read_sources

log = logging.getLogger(__name__)

FORMAT = 1
"""Bumped when the entry layout changes."""
PREFIX = "flow-docs-"
STALE_ENTRY_AGE_S = 24 * 3600
"""Entries for other keys older than this are removed when a new one is written."""
_PACKAGE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is off (``MNS_MAPPING_CACHE=off``)."""
    if os.environ.get("MNS_MAPPING_CACHE", "").strip().lower() in {"off", "0", "false", "no"}:
        return None
    configured = os.environ.get("MNS_MAPPING_CACHE_DIR")
    return Path(configured) if configured else airflow_home() / "cache" / "magento_netsuite"


def _library_versions() -> str:
    import pydantic.version
    import yaml

    python = ".".join(map(str, sys.version_info[:3]))
    return f"python={python} pyyaml={yaml.__version__} pydantic={pydantic.version.VERSION}"


def document_key(sources: dict[Path, str]) -> str:
    """A hash of the mapping files (names and text), this package's code and the library versions."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("format", str(FORMAT).encode())
    add("libraries", _library_versions().encode())
    for module in sorted(_PACKAGE_DIR.glob("*.py")):
        add(f"code:{module.name}", module.read_bytes())
    for path, text in sources.items():
        add(f"mapping:{path.name}", text.encode("utf-8"))
    return digest.hexdigest()


def _entry_path(directory: Path, key: str) -> Path:
    return directory / f"{PREFIX}{key}.json"


def _read_entry(directory: Path, key: str) -> dict[str, str] | None:
    try:
        entry = json.loads(_entry_path(directory, key).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.debug("ignoring unreadable mapping cache entry %s (%s)", key, exc)
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    flows = entry.get("flows")
    if not isinstance(flows, dict) or not all(isinstance(v, str) for v in flows.values()):
        return None
    return flows


def _write_entry(directory: Path, key: str, flows: dict[str, str]) -> None:
    payload = json.dumps({"format": FORMAT, "key": key, "flows": flows}, ensure_ascii=False, sort_keys=True)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{PREFIX}", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(payload)
            Path(tmp).chmod(0o644)  # mkstemp's 0600 would hide it from components running as another user
            Path(tmp).replace(_entry_path(directory, key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.debug("mapping cache not written in %s (%s)", directory, exc)
        return
    _prune(directory, keep=key)


def _prune(directory: Path, keep: str) -> None:
    cutoff = time.time() - STALE_ENTRY_AGE_S
    for path in directory.glob(f"{PREFIX}*.json"):
        try:
            if path.name != _entry_path(directory, keep).name and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def rendered_flow_docs(mappings: Path | str | None = None) -> tuple[dict[str, str], bool]:
    """Every flow's ``doc_md`` part for the document in ``mappings`` and whether it came from the cache.

    Raises :class:`~magento_netsuite.governance.errors.MappingDocumentError` for an invalid document.
    """
    directory = Path(mappings if mappings is not None else MAPPINGS_DIR).resolve()
    sources = read_sources(directory) if directory.is_dir() else None
    store = cache_dir()
    key = document_key(sources) if sources is not None and store is not None else None
    if key is not None and store is not None:
        cached = _read_entry(store, key)
        if cached is not None:
            return cached, True

    from magento_netsuite.governance.loader import _load
    from magento_netsuite.governance.render import flow_doc_md

    doc = _load(directory, sources)  # raises MappingDocumentError, never cached
    flows = {name: flow_doc_md(name, doc) for name in doc.flow_index}
    if key is not None and store is not None:
        _write_entry(store, key, flows)
    return flows, False


def cached_flow_doc_md(flow_name: str, mappings: Path | str | None = None) -> str:
    """:func:`~magento_netsuite.governance.render.flow_doc_md` of the validated document, cached by content.

    A broken entity file fails only the DAGs of the flows it holds: a flow of a valid file is rendered
    from the valid part of the document (uncached, with a warning naming the broken files)."""
    from magento_netsuite.governance.errors import MappingDocumentError

    try:
        flows, _ = rendered_flow_docs(mappings)
    except MappingDocumentError as error:
        return _despite(error, flow_name, mappings)
    if flow_name not in flows:
        from magento_netsuite.governance.loader import _load

        directory = Path(mappings if mappings is not None else MAPPINGS_DIR).resolve()
        _load(directory).flow(flow_name)  # raises the loader's KeyError naming the known flows
    return flows[flow_name]


def _despite(error: Exception, flow_name: str, mappings: Path | str | None) -> str:
    """``flow_name``'s doc from the valid files when the document is invalid elsewhere; else ``error``."""
    from magento_netsuite.governance.errors import MappingDocumentError
    from magento_netsuite.governance.loader import _load
    from magento_netsuite.governance.render import flow_doc_md

    directory = Path(mappings if mappings is not None else MAPPINGS_DIR).resolve()
    try:
        doc = _load(directory, partial=True)
    except MappingDocumentError:
        raise error from None
    if flow_name not in doc.flow_index:
        raise error
    log.warning("flow %s renders from the valid part of the mapping document; elsewhere: %s", flow_name, error)
    return flow_doc_md(flow_name, doc)
