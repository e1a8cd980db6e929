"""The RESTlets we ship (``include/netsuite/``), served by running their JavaScript under node.

Which script answers a ``script``/``deploy`` pair is read from the SDF project's objects
(``src/Objects/customscript_*.xml``), so a RESTlet added to the project is served here too; its
``get`` runs in :mod:`.suitescript` against the account's tables. There is no second copy of the
RESTlets' logic in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from magento_netsuite.check.sdf import SDF_PROJECT, restlets
from magento_netsuite.sandbox.netsuite.account_setup import AccountSetup
from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount
from magento_netsuite.sandbox.netsuite.suitescript.driver import RESTLET_BUDGET, Outcome, SuiteScriptRunner

INVENTORY_SCRIPT = ("customscript_mns_inventory", "customdeploy_mns_inventory")
PRICING_SCRIPT = ("customscript_mns_pricing", "customdeploy_mns_pricing")
FILE_CABINET = SDF_PROJECT / "src" / "FileCabinet"


@cache
def deployed() -> dict[tuple[str, str], Path]:
    """``(script id, deployment id)`` → the script file, for every RESTlet of the SDF project."""
    return {
        (restlet.script_id, deployment): FILE_CABINET / restlet.script_file.lstrip("/")
        for restlet in restlets(SDF_PROJECT / "src" / "Objects")
        for deployment in restlet.deployment_ids
    }


def run(
    runner: SuiteScriptRunner,
    account: NetSuiteAccount,
    script: tuple[str, str],
    params: Mapping[str, str],
    *,
    setup: AccountSetup | None = None,
    method: str = "get",
    budget: int = RESTLET_BUDGET,
) -> Outcome:
    """Call the RESTlet deployed as ``script`` (a key of :func:`deployed`) with the query ``params``."""
    request: dict[str, Any] = {k: v for k, v in params.items() if k not in ("script", "deploy")}
    return runner.call(account, deployed()[script], method, request, setup=setup, budget=budget, ids=script)
