"""``include/netsuite`` is a SuiteCloud project ``suitecloud project:deploy`` can deploy as it stands,
and what ``check`` asks NetSuite for is what the flows really use."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from magento_netsuite.check import sdf
from magento_netsuite.check.needs import CHECK_MAGENTO_ACL, FLOW_NEEDS, SUITEQL_TABLE_PERMISSIONS
from magento_netsuite.connectors.diagnostics import MAGENTO_PROBES
from magento_netsuite.flows.inventory import constants as inventory

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "include" / "netsuite"
SRC = PROJECT / "src"


def test_the_project_has_a_manifest_and_deploys_every_file_and_object():
    manifest = ET.parse(SRC / "manifest.xml").getroot()
    assert manifest.get("projecttype") == "ACCOUNTCUSTOMIZATION"
    assert "SERVERSIDESCRIPTING" in {f.text for f in manifest.iter("feature")}
    deploy = ET.parse(SRC / "deploy.xml").getroot()
    assert [p.text for p in deploy.find("objects")] == ["~/Objects/*"]
    [files] = [p.text for p in deploy.find("files")]
    scripts = sorted((SRC / "FileCabinet").rglob("*.js"))
    assert scripts, "no RESTlet source under src/FileCabinet"
    for script in scripts:  # every script sits where the deploy.xml wildcard picks it up
        assert f"~/{script.parent.relative_to(SRC).as_posix()}/*" == files
    assert "defaultProjectFolder: 'src'" in (PROJECT / "suitecloud.config.js").read_text()


def test_every_restlet_object_points_at_a_script_in_the_file_cabinet_and_names_its_deployments():
    restlets = sdf.restlets(SRC / "Objects")
    assert [r.script_id for r in restlets if r.script_id == inventory.RESTLET_SCRIPT] == [inventory.RESTLET_SCRIPT]
    for restlet in restlets:
        assert restlet.source.name == f"{restlet.script_id}.xml"  # SDF: the file name is the script id
        assert restlet.script_id.startswith("customscript_")
        script = SRC / "FileCabinet" / restlet.script_file.lstrip("/")
        assert script.is_file(), f"{restlet.source.name} names {restlet.script_file}, which is not in the project"
        assert "@NScriptType Restlet" in script.read_text()
        assert restlet.deployment_ids and all(d.startswith("customdeploy_") for d in restlet.deployment_ids)
    inventory_restlet = next(r for r in restlets if r.script_id == inventory.RESTLET_SCRIPT)
    assert inventory_restlet.deployment_ids == (inventory.RESTLET_DEPLOY,)


def test_the_readme_permission_table_lists_every_permission_check_asks_for():
    readme = (PROJECT / "README.md").read_text()
    permissions = {need.permission for flow in FLOW_NEEDS for need in flow.netsuite_records}
    permissions |= {SUITEQL_TABLE_PERMISSIONS[table] for flow in FLOW_NEEDS for table in flow.suiteql}
    for permission in permissions:
        tab, _, name = permission.partition(" -> ")
        assert re.search(rf"\|\s*{tab}\s*\|\s*{re.escape(name)}\s*\|", readme), f"README table lacks {permission}"


QUERYING_MODULES = (
    "orders/netsuite_refs.py",
    "customers/handoff.py",
    "inventory/extract.py",
    "inventory/flow.py",
    "fulfilments/extract.py",
    "products/extract.py",
    "pricing/extract.py",
    "customer_registration/prepare.py",
    "customer_master/extract.py",
    "customer_master/groups.py",
    "customer_reconciliation/read.py",
)
"""The flow modules that hold SuiteQL queries (a new flow's query module is added here)."""


def test_the_suiteql_columns_check_asks_for_are_the_ones_the_flows_query():
    sources = "".join((ROOT / "plugins" / "magento_netsuite" / "flows" / path).read_text() for path in QUERYING_MODULES)
    for flow in FLOW_NEEDS:
        for table, columns in flow.suiteql.items():
            assert re.search(rf"\b(FROM|JOIN)\s+{table}\b", sources), f"{flow.flow}: no query reads {table}"
            for column in columns:
                assert re.search(rf"\b{column}\b", sources), f"{flow.flow}: no query uses {table}.{column}"


def test_every_acl_resource_a_flow_needs_has_a_probe():
    """A flow that lists a resource check cannot probe would crash check instead of reporting."""
    needed = {resource for flow in FLOW_NEEDS for resource in flow.magento_acl} | set(CHECK_MAGENTO_ACL)
    assert needed - set(MAGENTO_PROBES) == set()
