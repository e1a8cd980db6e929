"""Make any text an API returned storable on both stores, so quarantining a record never fails.

* PostgreSQL's text types cannot hold NUL (``\\x00``): psycopg2 refuses the whole statement, so a NUL
  in an error message or a payload would make the quarantine write itself fail and lose the record.
  NUL becomes the visible four characters ``\\x00`` (SQLite would take it, but the rows must read the
  same on both stores).
* ``record_key`` columns are ``VARCHAR(255)``: a longer key (anything a source system returns, e.g.
  a 10,000-character id) is stored as its first characters plus a digest of the whole key, the same
  every time, so the row is still found, resolved and counted by that key. The payload keeps the
  original.
"""

from __future__ import annotations

import hashlib
from typing import Any

NUL = "\x00"
NUL_SHOWN = "\\x00"
KEY_LIMIT = 255
_DIGEST = 24


def storable_text(value: Any) -> Any:
    """``value`` with every NUL replaced, when it is text (anything else unchanged)."""
    return value.replace(NUL, NUL_SHOWN) if isinstance(value, str) and NUL in value else value


def storable(value: Any) -> Any:
    """A JSON-able value (payload) with NUL replaced in every string, keys included."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable_text(str(k)): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def store_key(key: Any) -> str:
    """The key as the store keeps it: NUL-free and at most 255 characters (long keys: a prefix, ``~``
    and a digest of the whole key)."""
    text = str(key)
    if len(text) > KEY_LIMIT:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST]
        text = f"{text[: KEY_LIMIT - _DIGEST - 1]}~{digest}"
    return storable_text(text)
