"""The runner's N/query, N/runtime, N/log and N/error behave as SuiteScript documents them, backed by
the account's SQLite through the sandbox's SuiteQL engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount
from magento_netsuite.sandbox.netsuite.suitescript.driver import CHARGES, Outcome, ScriptError, SuiteScriptRunner

PROBE = Path(__file__).with_name("scripts") / "probe.js"
FIRST_12 = (
    "SELECT i.id AS id, i.itemid AS SKU, i.isinactive AS inactive, i.cost FROM item i "
    "ORDER BY i.id FETCH FIRST 12 ROWS ONLY"
)


def probe(runner: SuiteScriptRunner, account: NetSuiteAccount, budget: int = 5000, **params: Any) -> Outcome:
    return runner.call(account, PROBE, "get", {k: str(v) for k, v in params.items()}, budget=budget)


def test_paged_runs_have_count_page_ranges_and_typed_mapped_results(
    runner: SuiteScriptRunner, account: NetSuiteAccount
) -> None:
    outcome = probe(runner, account, op="paged", sql=FIRST_12, pageSize=5)
    answer = outcome.result
    assert (answer["count"], answer["pageSize"]) == (12, 5)
    assert [(p["index"], p["size"], p["isFirst"], p["isLast"]) for p in answer["pages"]] == [
        (0, 5, True, False),
        (1, 5, False, False),
        (2, 2, False, True),
    ]
    rows = [row for page in answer["pages"] for row in page["rows"]]
    assert [r["id"] for r in rows] == list(range(1001, 1013))  # numbers stay numbers
    assert rows[0]["sku"] == "SKU-000001" and rows[0]["inactive"] == "F"  # aliases lowercase, checkboxes T/F
    assert isinstance(rows[0]["cost"], float)
    charged = CHARGES["query.runSuiteQLPaged"] + 3 * CHARGES["PagedData.fetch"]
    assert answer["left"] == outcome.remaining == 5000 - charged


def test_iterators_walk_every_page_and_row(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    assert probe(runner, account, op="iterate", sql=FIRST_12).result == list(range(1001, 1013))


def test_run_suiteql_binds_and_values(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    sql = "SELECT id, itemid FROM item WHERE id IN (?, ?) ORDER BY id"
    answer = probe(runner, account, op="plain", sql=sql, binds=json.dumps([1002, 1003])).result
    assert answer["values"] == [[1002, "SKU-000002"], [1003, "SKU-000003"]]
    assert answer["mapped"] == [{"id": 1002, "itemid": "SKU-000002"}, {"id": 1003, "itemid": "SKU-000003"}]
    assert answer["left"] == 5000 - CHARGES["query.runSuiteQL"]


def test_dates_come_formatted_as_suiteql_renders_them(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    sql = (
        "SELECT lastmodifieddate AS raw, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS iso "
        "FROM inventoryitemlocations WHERE item = 1001 AND location = 1"
    )
    [row] = probe(runner, account, op="plain", sql=sql).result["mapped"]
    stored = account.conn.execute(
        "SELECT lastmodifieddate FROM inventoryitemlocations WHERE item = 1001 AND location = 1"
    ).fetchone()[0]
    assert row["iso"] == stored
    year, month, day = stored[:10].split("-")
    assert row["raw"] == f"{int(month)}/{int(day)}/{year}"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"op": "fetchPast", "sql": FIRST_12}, "INVALID_PAGE_RANGE"),
        ({"op": "paged", "sql": "SELECT nope FROM item", "pageSize": 5}, "SSS_SEARCH_ERROR_OCCURRED"),
        ({"op": "paged", "sql": FIRST_12, "pageSize": 2000}, "INVALID_PAGE_SIZE"),
        ({"op": "fail"}, "MY_CODE"),
    ],
)
def test_uncaught_errors_reach_the_caller_by_name(
    runner: SuiteScriptRunner, account: NetSuiteAccount, params: dict[str, Any], name: str
) -> None:
    with pytest.raises(ScriptError) as raised:
        probe(runner, account, **params)
    assert raised.value.name == name


def test_running_out_of_usage_throws_usage_limit_exceeded(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    caught = probe(runner, account, budget=5, op="caught").result
    assert caught == {
        "name": "SSS_USAGE_LIMIT_EXCEEDED",
        "message": "Script Execution Usage Limit Exceeded",
        "type": "error.SuiteScriptError",
    }
    assert probe(runner, account, budget=10, op="caught").result == "ran"  # exactly enough


def test_log_lines_reach_the_driver(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    outcome = probe(runner, account, op="log")
    assert outcome.result == "logged"
    assert [(line["level"], line["title"], line["details"]) for line in outcome.logs] == [
        ("AUDIT", "hello", '{"n":1}'),
        ("DEBUG", "plain", "text"),
    ]


def test_the_runner_survives_a_failed_call(runner: SuiteScriptRunner, account: NetSuiteAccount) -> None:
    with pytest.raises(ScriptError):
        probe(runner, account, op="fail")
    assert probe(runner, account, op="iterate", sql=FIRST_12).result[0] == 1001
