"""The store takes any text an API returns: NUL bytes (PostgreSQL's text refuses them) and keys longer
than the 255-character key column, in one batch with ordinary records, on SQLite and PostgreSQL."""

from __future__ import annotations

from magento_netsuite.errorqueue.records import QuarantineRecord
from magento_netsuite.errorqueue.storable import store_key
from magento_netsuite.errorqueue.store import ErrorQueueStore


def _record(key: str, message: str = "bad value", **payload: str) -> QuarantineRecord:
    return QuarantineRecord(
        flow="orders", entity="order", record_key=key, error_class="validation", message=message, payload=payload
    )


def test_nul_and_long_keys_never_break_a_batch(store: ErrorQueueStore) -> None:
    long_key, longer_key = "K" * 300, "K" * 10_000
    ids = store.quarantine(
        [
            _record("ok-1"),
            _record("nul-1", "NetSuite said: bad\x00value", note="door\x00code", **{"key\x00": "x"}),
            _record(long_key),
            _record(longer_key),
            _record("ok-2"),
        ]
    )

    assert len(set(ids)) == 5
    rows = {row.record_key: row for row in store.open_errors(flow="orders")}
    assert set(rows) == {"ok-1", "nul-1", "ok-2", store_key(long_key), store_key(longer_key)}
    assert store_key(long_key) != store_key(longer_key) and all(len(k) <= 255 for k in rows)
    nul = rows["nul-1"]
    assert nul.message == "NetSuite said: bad\\x00value"
    assert nul.payload == {"note": "door\\x00code", "key\\x00": "x"}
    # the same long key again is the same row (one open row per key), and it resolves by that key
    store.quarantine([_record(long_key, "again")])
    assert store.get(ids[2]).attempts == 2
    assert store.resolve("orders", [long_key], how="fixed", by="test") == 1
    store.mark_synced("orders", [longer_key])
    assert set(store.last_synced("orders", [longer_key, "ok-1"])) == {longer_key}
