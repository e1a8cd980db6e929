"""Drive ``runner.js``: one persistent node process, SuiteQL answered from the account's SQLite.

Governance: NetSuite gives a RESTlet call 5,000 usage units. ``N/query`` charges 10 units for
``runSuiteQL`` and ``runSuiteQLPaged`` (SuiteScript help, "query.runSuiteQLPaged(options)"). For
``PagedData.fetch`` the help page says none, while Oracle's own SuiteCloud unit-testing stubs annotate
it with 10 units; the runner charges the 10 (the stricter of the two), so a script that stays inside
the budget here stays inside it on NetSuite. A call that runs past its budget fails with
``SSS_USAGE_LIMIT_EXCEEDED`` as on NetSuite. ``budget`` and ``charges`` are per call, so tests can
drive a script's governance guard.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from magento_netsuite.sandbox.netsuite import account_setup
from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount
from magento_netsuite.sandbox.netsuite.suiteql import SuiteQLError, typed_row

log = logging.getLogger(__name__)
RUNNER = Path(__file__).with_name("runner.js")
RESTLET_BUDGET = 5000
CHARGES: Mapping[str, int] = {"query.runSuiteQL": 10, "query.runSuiteQLPaged": 10, "PagedData.fetch": 10}
SEARCH_ERROR = "SSS_SEARCH_ERROR_OCCURRED"


class NodeMissing(RuntimeError):
    """No ``node`` on PATH (``make node`` installs it)."""


class ScriptError(Exception):
    """The script threw and did not catch it (NetSuite answers a RESTlet call 400 with the error)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass
class Outcome:
    """What one entry point call returned, the usage units it left, its ``N/log`` lines and the
    result count of each paged SuiteQL run (what NetSuite had to count)."""

    result: Any
    remaining: int
    logs: list[dict[str, Any]] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)


def node_path() -> str:
    found = shutil.which("node")
    if found is None:
        raise NodeMissing("node is not on PATH: the SuiteScript RESTlets run under node (`make node` installs it)")
    return found


class SuiteScriptRunner:
    """A persistent ``node runner.js``; :meth:`call` is thread-safe (calls are serialized)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None

    def _started(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [node_path(), str(RUNNER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1 << 16,
            )
        return self._process

    def call(
        self,
        account: NetSuiteAccount,
        script_file: Path,
        entry: str,
        params: Mapping[str, str],
        *,
        setup: account_setup.AccountSetup | None = None,
        budget: int = RESTLET_BUDGET,
        charges: Mapping[str, int] = CHARGES,
        ids: tuple[str, str] = ("", ""),
    ) -> Outcome:
        """Run ``entry`` of ``script_file`` with ``params``; raises :class:`ScriptError` if it throws."""
        request = {
            "op": "call",
            "file": str(script_file),
            "entry": entry,
            "params": dict(params),
            "budget": budget,
            "charges": dict(charges),
            "script": ids[0],
            "deployment": ids[1],
        }
        with self._lock:
            process = self._started()
            assert process.stdin is not None and process.stdout is not None
            try:
                return self._converse(process.stdin, process.stdout, request, account, setup)
            except ScriptError:
                raise  # the call ended normally, with the script's error
            except BaseException:
                self.close()  # interrupted mid-conversation: the next call starts a fresh runner
                raise

    @staticmethod
    def _converse(
        stdin: IO[str],
        stdout: IO[str],
        request: dict[str, Any],
        account: NetSuiteAccount,
        setup: account_setup.AccountSetup | None,
    ) -> Outcome:
        logs: list[dict[str, Any]] = []
        reads = _SuiteQLReads(account, setup or account_setup.AccountSetup())
        _write(stdin, request)
        try:
            while True:
                line = stdout.readline()
                if not line:
                    raise EOFError("the SuiteScript runner (node) exited")
                message = json.loads(line)
                op = message.pop("op")
                if op == "done":
                    if "error" in message:
                        raise ScriptError(message["error"]["name"], message["error"]["message"])
                    return Outcome(message["result"], message["remaining"], logs, reads.counts)
                if op == "log":
                    logs.append(message)
                    log.info("SuiteScript %s %s: %s", message["level"], message.get("title"), message.get("details"))
                    continue
                _write(stdin, reads.answer(op, message))
        finally:
            reads.close()

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _write(stdin: IO[str], message: dict[str, Any]) -> None:
    stdin.write(json.dumps(message, separators=(",", ":")) + "\n")
    stdin.flush()


class _SuiteQLReads:
    """The SuiteQL of one call. A paged query read page after page streams from one open SQLite
    cursor (each row is computed once); a page asked for out of order re-reads from its offset."""

    def __init__(self, account: NetSuiteAccount, setup: account_setup.AccountSetup) -> None:
        self.account = account
        self.setup = setup
        self.open: dict[str, tuple[int, list[str], sqlite3.Cursor]] = {}
        self.counts: list[int] = []

    def answer(self, op: str, message: dict[str, Any]) -> dict[str, Any]:
        """``count`` (a paged run) or ``rows`` (one page): the answer, or the search error."""
        if op not in ("count", "rows"):
            raise ValueError(f"the SuiteScript runner asked for {op!r}")
        sql, params = message["sql"], message["params"]
        engine = self.account.suiteql
        try:
            account_setup.check_query(self.setup, sql, self.account.conn)
            if op == "count":
                self.counts.append(engine.count(sql, params))
                return {"count": self.counts[-1]}
            key = json.dumps([sql, params])
            # `limit` covers the page asked for and the pages the runner reads ahead (fewer round trips)
            offset, limit = message["offset"], message["limit"]
            position, names, cursor = self.open.pop(key, (-1, [], None))
            if position != offset or cursor is None:
                if cursor is not None:
                    cursor.close()
                names, cursor = engine.stream(sql, params, offset)
            rows = cursor.fetchmany(limit)
            self.open[key] = (offset + len(rows), names, cursor)
        except (SuiteQLError, sqlite3.Error) as exc:
            return {"error": {"name": SEARCH_ERROR, "message": str(exc)}}
        return {"columns": names, "rows": [typed_row(row) for row in rows]}

    def close(self) -> None:
        for _position, _names, cursor in self.open.values():
            cursor.close()
        self.open.clear()
