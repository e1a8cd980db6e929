"""The files that make up the mapping document, read once: what is hashed for the cache is what is validated."""

from __future__ import annotations

from pathlib import Path

VALUE_MAPS_FILE = "value_maps.yaml"


def read_sources(directory: Path) -> dict[Path, str]:
    """The text of every ``*.yaml`` file directly in ``directory``, by path, in name order."""
    return {path: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.yaml"))}
