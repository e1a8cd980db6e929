"""docs/netsuite-columns.md covers every table and column the flows' SuiteQL (check's FLOW_NEEDS) and
the RESTlets read, so a new column cannot go unexplained."""

from __future__ import annotations

import re
from pathlib import Path

from magento_netsuite.check.needs import FLOW_NEEDS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "netsuite-columns.md").read_text()
SCRIPTS = ROOT / "include" / "netsuite" / "src" / "FileCabinet" / "SuiteScripts" / "magento-netsuite-sync"


def _sections() -> dict[str, str]:
    """Each ``## `table`...`` section's text, by every table its heading names."""
    found: dict[str, str] = {}
    for heading, body in re.findall(r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", DOC, re.M | re.S):
        for table in re.findall(r"`(\w+)`", heading):
            found[table] = body
    return found


def _documented(table: str, column: str) -> bool:
    """The column in backticks in its table's section, alone or as ``table.column``."""
    return bool(re.search(rf"`({table}\.)?{column}`", _sections().get(table, "")))


def test_every_column_the_flows_query_is_documented():
    for flow in FLOW_NEEDS:
        for table, columns in flow.suiteql.items():
            assert table in _sections(), f"docs/netsuite-columns.md has no section for {table} ({flow.flow})"
            for column in columns:
                assert _documented(table, column), f"docs/netsuite-columns.md does not explain {table}.{column}"


def test_every_column_the_restlets_read_is_documented():
    for script in sorted(SCRIPTS.glob("*.js")):
        source = script.read_text()
        aliases = {alias: table for table, alias in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)\s+(\w+)\b", source)}
        for alias, column in re.findall(r"\b(\w+)\.(\w+)\b", source):
            table = aliases.get(alias)
            if table is None:
                continue
            assert _documented(table, column), f"{script.name} reads {table}.{column}: not in docs/netsuite-columns.md"
