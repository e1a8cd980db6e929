"""The quarantine store on SQLite and PostgreSQL: dedup, concurrency, lifecycle, auto-resolve, paging."""

from __future__ import annotations

import csv
import io
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from magento_netsuite.errorqueue import schema
from magento_netsuite.errorqueue.records import QuarantineRecord
from magento_netsuite.errorqueue.store import PAYLOAD_FROM_SOURCE, SUPERSEDED, ErrorQueueStore

FLOW = "inventory_netsuite_to_magento"


def rec(key: str, *, flow: str = FLOW, message: str = "quantity must be >= 0", **kw) -> QuarantineRecord:
    values = {
        "entity": "inventory",
        "error_class": "validation",
        "field_path": "qty",
        "payload": {"sku": key, "qty": -1},
        "dag_id": "netsuite_inventory_to_magento",
        "run_id": "scheduled__1",
        "task_id": "load",
        "try_number": 1,
    }
    values.update(kw)
    return QuarantineRecord(flow=flow, record_key=key, message=message, **values)


def test_schema_is_versioned_and_created_once(store: ErrorQueueStore) -> None:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(schema.schema_version)).mappings().all()
    assert [(r["component"], r["version"]) for r in rows] == [("errorqueue", schema.SCHEMA_VERSION)]
    again = ErrorQueueStore(store.engine)  # a second instance on the same engine finds the schema in place
    assert again.count() == 0


def test_repeat_failure_updates_the_open_row(store: ErrorQueueStore) -> None:
    first = store.quarantine([rec("SKU-1")])
    second = store.quarantine([rec("SKU-1", message="quantity is not a number", run_id="scheduled__2", code="E2")])
    assert first == second
    row = store.get(first[0])
    assert row is not None
    assert (row.attempts, row.status, row.message, row.code, row.run_id) == (
        2,
        "open",
        "quantity is not a number",
        "E2",
        "scheduled__2",
    )
    assert row.last_seen > row.first_seen
    assert row.payload == {"sku": "SKU-1", "qty": -1}
    assert row.payload_source == PAYLOAD_FROM_SOURCE
    assert row.fix_hint, "quarantine fills the fix hint when the record has none"
    assert [h.event for h in store.history(row.id)] == ["failed", "failed"]
    assert [h.run_id for h in store.history(row.id)] == ["scheduled__1", "scheduled__2"]
    assert store.count() == 1
    # the same key in another flow is another row
    other = store.quarantine([rec("SKU-1", flow="pricing_netsuite_to_magento")])
    assert other != first
    assert store.count() == 2


def test_a_failure_after_resolution_opens_a_new_row(store: ErrorQueueStore) -> None:
    [old] = store.quarantine([rec("SKU-1")])
    assert store.resolve(FLOW, ["SKU-1"], how="synced by scheduled__2", by="netsuite_inventory_to_magento") == 1
    [new] = store.quarantine([rec("SKU-1")])
    assert new != old
    assert store.get(old).status == "resolved"
    assert store.get(new).status == "open" and store.get(new).attempts == 1


def test_eight_threads_overlapping_keys_make_one_row_per_key_and_lose_no_attempt(store: ErrorQueueStore) -> None:
    keys = [f"SKU-{i}" for i in range(12)]
    rounds = 3
    barrier = threading.Barrier(8)

    def worker(n: int) -> list[int]:
        barrier.wait()
        ids = []
        for r in range(rounds):
            # each thread writes every key, in a different order, in batches, with its own run id
            order = keys[n % len(keys) :] + keys[: n % len(keys)]
            ids += store.quarantine([rec(k, run_id=f"run-{n}-{r}") for k in order])
        return ids

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, range(8)))
    assert len({i for ids in results for i in ids}) == len(keys)
    rows = store.open_errors(limit=100)
    assert sorted(r.record_key for r in rows) == sorted(keys)
    assert {r.record_key: r.attempts for r in rows} == dict.fromkeys(keys, 8 * rounds)
    assert all(len(store.history(r.id)) == 8 * rounds for r in rows)


def test_two_concurrent_claims_never_share_a_row(store: ErrorQueueStore) -> None:
    ids = store.quarantine([rec(f"SKU-{i}") for i in range(30)])
    barrier = threading.Barrier(2)

    def claim(who: str) -> list[int]:
        barrier.wait()
        return [r.id for r in store.mark_retrying(ids, by=who)]

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(claim, ["replay-a", "replay-b"])
    assert sorted(a + b) == sorted(ids)
    assert not set(a) & set(b)
    assert store.mark_retrying(ids, by="replay-c") == []


def test_lifecycle_open_retrying_requeued_resolved_and_ignored(store: ErrorQueueStore) -> None:
    [row_id, other_id] = store.quarantine([rec("SKU-1"), rec("SKU-2")])
    [claimed] = store.mark_retrying([row_id], by="replay-1")
    assert claimed.status == "retrying"
    assert store.count(status="retrying") == 1

    requeued = store.requeue(row_id, rec("SKU-1", message="still negative", run_id="replay-1"))
    assert requeued is not None
    assert (requeued.status, requeued.attempts, requeued.message) == ("open", 2, "still negative")

    store.mark_retrying([row_id], by="replay-2")
    done = store.finish_retry(row_id, how="loaded on retry", by="replay-2")
    assert done is not None and done.status == "resolved"
    assert (done.resolved_by, done.resolution) == ("replay-2", "loaded on retry")
    assert done.resolved_at is not None
    assert store.finish_retry(row_id, how="again", by="x") is None, "a finished row is not finished twice"
    assert store.requeue(row_id, rec("SKU-1")) is None, "a resolved row is never reopened by a late retry"
    assert [h.event for h in store.history(row_id)] == ["failed", "retrying", "requeued", "retrying", "resolved"]

    with pytest.raises(ValueError, match="reason"):
        store.ignore(other_id, who="ops", why="  ")
    ignored = store.ignore(other_id, who="ops", why="test SKU, never sold")
    assert (ignored.status, ignored.resolved_by, ignored.resolution) == ("ignored", "ops", "test SKU, never sold")
    with pytest.raises(ValueError, match="ignored"):
        store.ignore(other_id, who="ops", why="again")
    with pytest.raises(KeyError):
        store.ignore(999_999, who="ops", why="nothing")
    assert store.count() == 0
    assert store.count(status=None) == 2


def test_reopen_releases_a_stuck_claim(store: ErrorQueueStore) -> None:
    [row_id] = store.quarantine([rec("SKU-1")])
    store.mark_retrying([row_id], by="replay-1")
    assert store.reopen(row_id, by="ops").status == "open"
    assert store.reopen(row_id, by="ops") is None
    assert [r.id for r in store.mark_retrying([row_id], by="replay-2")] == [row_id]


def test_a_later_successful_sync_resolves_open_and_retrying_rows(store: ErrorQueueStore) -> None:
    ids = store.quarantine([rec("SKU-1"), rec("SKU-2"), rec("SKU-3"), rec("SKU-1", flow="pricing_netsuite_to_magento")])
    store.mark_retrying([ids[1]], by="replay")
    resolved = store.resolve(FLOW, ["SKU-1", "SKU-2", "SKU-9"], how="synced by scheduled__2", by="scheduled__2")
    assert resolved == 2
    assert [store.get(i).status for i in ids] == ["resolved", "resolved", "open", "open"]
    assert store.get(ids[0]).resolution == "synced by scheduled__2"
    assert store.resolve(FLOW, ["SKU-1"], how="again", by="x") == 0


def test_supersede_resolves_stale_rows_and_records_the_sync(store: ErrorQueueStore) -> None:
    ids = store.quarantine([rec("SKU-1"), rec("SKU-2")])
    at = datetime.now(UTC)
    assert store.supersede(FLOW, ["SKU-1"], by="scheduled__3", at=at) == 1
    row = store.get(ids[0])
    assert (row.status, row.resolution, row.resolved_by) == ("resolved", SUPERSEDED, "scheduled__3")
    assert store.history(ids[0])[-1].event == "superseded"
    assert store.get(ids[1]).status == "open"
    assert store.last_synced(FLOW, ["SKU-1", "SKU-2"]) == {"SKU-1": at}
    store.mark_synced(FLOW, ["SKU-1"], at=at - timedelta(hours=1))
    assert store.last_synced(FLOW, ["SKU-1"]) == {"SKU-1": at}, "the marker never moves back in time"
    later = at + timedelta(minutes=5)
    store.mark_synced(FLOW, ["SKU-1", "SKU-2"], at=later)
    assert store.last_synced(FLOW, ["SKU-1", "SKU-2"]) == {"SKU-1": later, "SKU-2": later}


def test_filters_counts_and_keyset_paging(store: ErrorQueueStore) -> None:
    store.quarantine([rec(f"SKU-{i:03d}", run_id="run-a") for i in range(25)])
    store.quarantine(
        [
            rec(
                f"ORD-{i}",
                flow="orders_magento_to_netsuite",
                entity="order",
                error_class="reference",
                field_path="items[0].sku",
                run_id="run-b",
            )
            for i in range(5)
        ]
    )
    assert store.count(flow=FLOW) == 25
    assert store.count(error_class="reference") == 5
    assert store.count(run_id="run-b") == 5
    assert store.count(key_search="SKU-01") == 10
    assert store.count(key_search="%") == 0, "LIKE wildcards in the search are literal"
    assert store.counts() == {FLOW: {"validation": 25}, "orders_magento_to_netsuite": {"reference": 5}}
    assert store.counts(run_id="run-b") == {"orders_magento_to_netsuite": {"reference": 5}}

    newest = store.open_errors(limit=1)[0]
    assert newest.record_key == "ORD-4"
    pages, before = [], None
    while True:
        page = store.open_errors(flow=FLOW, limit=10, before=before)
        if not page:
            break
        pages.append(page)
        before = (page[-1].last_seen, page[-1].id)
    keys = [r.record_key for p in pages for r in p]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert keys == [f"SKU-{i:03d}" for i in reversed(range(25))]
    offset_keys = [r.record_key for r in store.open_errors(flow=FLOW, limit=10, offset=10)]
    assert offset_keys == keys[10:20]
    assert [r.record_key for r in store.open_errors(flow=FLOW, limit=3, order="oldest")] == [
        "SKU-000",
        "SKU-001",
        "SKU-002",
    ]
    with pytest.raises(ValueError, match="status"):
        store.open_errors(status="broken")


def _copy_into_postgres(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    schema_name = conn.get_execution_options()["schema_translate_map"][None]
    columns = list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(
            json.dumps(v) if isinstance(v, dict) else v.isoformat() if isinstance(v, datetime) else v
            for v in (row[c] for c in columns)
        )
    buffer.seek(0)
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.copy_expert(f'COPY "{schema_name}".{table.name} ({", ".join(columns)}) FROM STDIN WITH CSV', buffer)
    cursor.execute(f'ANALYZE "{schema_name}".{table.name}')


def test_paging_stays_indexed_at_100000_rows(store: ErrorQueueStore) -> None:
    t = schema.errors
    base = datetime(2026, 11, 1, tzinfo=UTC)
    flows = ["inventory_netsuite_to_magento", "orders_magento_to_netsuite", "pricing_netsuite_to_magento"]
    classes = ["validation", "reference", "transient_exhausted", "not_found"]
    rows = [
        {
            "flow": flows[i % 3],
            "entity": "inventory",
            "record_key": f"K-{i:06d}",
            "payload": {"i": i},
            "error_class": classes[i % 4],
            "message": "bulk",
            "attempts": 1,
            "status": "open" if i % 10 else "resolved",
            "first_seen": base + timedelta(seconds=i),
            "last_seen": base + timedelta(seconds=i),
            "run_id": f"run-{i % 50}",
        }
        for i in range(100_000)
    ]
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            _copy_into_postgres(conn, t, rows)  # COPY: ~8x faster than executemany's INSERT ... VALUES pages
        else:
            conn.execute(t.insert(), rows)
    assert store.count(status=None) == 100_000

    query = store.listing_query(flow="orders_magento_to_netsuite", limit=50)
    page = store.open_errors(flow="orders_magento_to_netsuite", limit=50)
    assert len(page) == 50
    assert all(r.flow == "orders_magento_to_netsuite" and r.status == "open" for r in page)
    assert [(r.last_seen, r.id) for r in page] == sorted(((r.last_seen, r.id) for r in page), reverse=True)
    assert page[0].record_key == "K-099997"
    open_ids = store.open_ids(flow="pricing_netsuite_to_magento")
    assert len(open_ids) == 30_000
    claimed = store.mark_retrying(open_ids[:1_234], by="replay-all")  # claims go in chunks of ids
    assert [r.id for r in claimed] == open_ids[:1_234]
    assert store.count(status="retrying") == 1_234  # the newest open row of that flow (i % 3 == 1)

    with store.engine.connect() as conn:
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        if conn.dialect.name == "sqlite":
            plan = " | ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
            assert "USING INDEX ix_mns_error_queue_active_flow_seen" in plan, plan
            assert "TEMP B-TREE" not in plan, f"the page must come off the index in order: {plan}"
        else:
            schema_name = conn.get_execution_options()["schema_translate_map"][None]
            conn.exec_driver_sql(f'SET search_path TO "{schema_name}"')
            plan = " | ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}"))
            assert "Index Scan" in plan and "Sort" not in plan and "Seq Scan" not in plan, plan


def test_synced_supersedes_stale_prone_flows_and_resolves_the_others(store: ErrorQueueStore) -> None:
    [stock] = store.quarantine([rec("SKU-1")])
    [order] = store.quarantine([rec("000000001", flow="orders_magento_to_netsuite", entity="order")])
    assert store.synced(FLOW, ["SKU-1"], by="scheduled__5", supersede=True) == 1
    assert store.synced("orders_magento_to_netsuite", ["000000001"], by="scheduled__5") == 1
    assert store.get(stock).resolution == SUPERSEDED
    assert store.get(order).resolution == "synced by scheduled__5"
    assert set(store.last_synced(FLOW, ["SKU-1"])) == {"SKU-1"}
    assert set(store.last_synced("orders_magento_to_netsuite", ["000000001"])) == {"000000001"}
