"""The files that make up the mapping document, read once: what is hashed for the cache is what is validated."""

from __future__ import annotations

from pathlib import Path

VALUE_MAPS_FILE = "value_maps.yaml"


class Undecodable(str):
    """The text of a file that is not UTF-8: its bytes with backslash escapes (so it still hashes and a
    fix changes the key), plus where decoding failed, for the loader to report with the file name."""

    line: int
    reason: str


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = Undecodable(data.decode("utf-8", errors="backslashreplace"))
        text.line = data.count(b"\n", 0, error.start) + 1
        text.reason = f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}): save the file as UTF-8"
        return text


def read_sources(directory: Path) -> dict[Path, str]:
    """The text of every ``*.yaml`` file directly in ``directory``, by path, in name order."""
    return {path: _read(path) for path in sorted(directory.glob("*.yaml"))}
