"""``python -m magento_netsuite check`` against the sandboxes, configured right and wrong in each way.

Each wrong configuration is made the way it happens on a real account (a wrong secret in the
connection, a role without a permission, a RESTlet never deployed, an id typed into the value map, a
column another edition does not expose, a pool larger than the NetSuite limit); the check must
name the problem and the exact setting that fixes it, and exit non-zero.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from magento_netsuite.check.__main__ import main
from magento_netsuite.check.run import render_json
from magento_netsuite.connectors.diagnostics import FAILED, OK, SKIPPED
from tests.check.conftest import failed

INVENTORY_RESTLET = "NetSuite RESTlet customscript_mns_inventory/customdeploy_mns_inventory"


def test_a_correct_configuration_passes(setup):
    findings = setup.check()
    assert [f.line() for f in findings if f.status != OK] == []
    subjects = {f.subject for f in findings}
    for expected in (
        "Magento auth (oauth1)",
        "Magento ACL Magento_Sales::comment",
        "NetSuite auth (tba)",
        "NetSuite role: Transactions -> Sales Order (Edit)",
        INVENTORY_RESTLET,
        "NetSuite SuiteQL inventoryitemlocations",
        "value map location_to_source (NetSuite location ids)",
        "value map location_to_source (Magento MSI source codes)",
        "value map shipping_method (NetSuite shipitem ids)",
        "NetSuite concurrency vs pool netsuite_api",
    ):
        assert expected in subjects

    report = json.loads(render_json(findings))
    assert report["ok"] is True and [c["status"] for c in report["checks"]] == [OK] * len(findings)


def test_the_command_prints_one_json_document_and_exits_0(setup):
    """``python -m magento_netsuite check --json`` as ``make check`` runs it: Airflow's own log lines
    (it prints warnings to stdout) must not end up in the report."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "magento_netsuite",
            "check",
            "--json",
            "--pool-slots",
            "4",
            "--mappings",
            setup.mappings,
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["checks"][0]["subject"] == "Magento auth (oauth1)"


def test_oauth2_m2m_passes_too(setup):
    from magento_netsuite.sandbox.netsuite.app import oauth2_private_key_pem

    setup.connect(netsuite={"auth": "oauth2", "private_key": oauth2_private_key_pem(), "jwt_algorithm": "ES256"})
    findings = setup.check()
    assert failed(findings) == {}
    assert any(f.subject == "NetSuite auth (oauth2)" and f.status == OK for f in findings)


def _other_ec_key() -> str:
    return (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


@pytest.mark.parametrize(
    ("magento", "netsuite", "subject", "fix_names"),
    [
        ({}, {"token_secret": "not-the-secret"}, "NetSuite auth (tba)", ("token_secret", "Login Audit Trail")),
        (
            {},
            {"auth": "oauth2", "private_key": "generated", "jwt_algorithm": "ES256"},
            "NetSuite auth (oauth2)",
            ("certificate_id", "private_key"),
        ),
        ({"consumer_secret": "not-the-secret"}, {}, "Magento auth (oauth1)", ("consumer_secret", "Integrations")),
    ],
    ids=["netsuite-tba", "netsuite-oauth2-wrong-key", "magento-oauth1"],
)
def test_a_wrong_secret_is_named_with_the_settings_to_fix(setup, capsys, magento, netsuite, subject, fix_names):
    if netsuite.get("private_key") == "generated":
        netsuite["private_key"] = _other_ec_key()
    setup.connect(magento=magento, netsuite=netsuite)

    findings = setup.check()

    problem = failed(findings)[subject]
    assert "401" in problem.message or "http=401" in problem.message
    assert all(name in problem.fix for name in fix_names)
    system = subject.split()[0].lower()
    # nothing else of that system is judged on refused credentials: no false alarms
    assert [f.subject for f in failed(findings).values() if f.section == system] == [subject]
    assert any(f.section == system and f.status == SKIPPED for f in findings)
    assert main(["--mappings", str(setup.mappings), "--pool-slots", "4"]) == 1
    out = capsys.readouterr().out
    assert f"✗ {subject}" in out and "fix:" in out
    assert "not-the-secret" not in out


def test_a_missing_role_permission_names_the_permission_and_level(setup):
    setup.netsuite_account(permissions={"Lists -> Customers": "View", "Lists -> Items": "None"})

    problems = failed(setup.check())

    customers = problems["NetSuite role: Lists -> Customers (Edit)"]
    assert "INSUFFICIENT_PERMISSION" in customers.message and "orders_magento_to_netsuite" in customers.message
    assert "Manage Roles" in customers.fix and "Lists: add 'Customers' at level Edit" in customers.fix
    items = problems["NetSuite SuiteQL item"]
    assert "Record 'item' was not found" in items.message
    assert "Lists: add 'Items' at level View" in items.fix
    assert "NetSuite SuiteQL customer" not in problems  # View is enough to query customers
    assert "NetSuite role: Transactions -> Sales Order (Edit)" not in problems
    restlet = problems[INVENTORY_RESTLET]  # its SuiteQL runs with the same role
    assert (
        "deployed, but answers an error" in restlet.message
        and "Record 'inventoryitemlocations' was not" in restlet.message
    )
    assert "include/netsuite/README.md" in restlet.fix


def test_a_missing_magento_acl_resource_is_named_and_auth_still_passes(setup):
    setup.magento_acl("Magento_Sales::comment")

    findings = setup.check()

    problems = failed(findings)
    assert list(problems) == ["Magento ACL Magento_Sales::comment"]
    comment = problems["Magento ACL Magento_Sales::comment"]
    assert "isn't authorized to access Magento_Sales::comment" in comment.message
    assert "write the NetSuite id back" in comment.message
    assert "tick Magento_Sales::comment" in comment.fix and "Reauthorize" in comment.fix
    assert any(f.subject == "Magento auth (oauth1)" and f.status == OK for f in findings)


def test_a_restlet_not_deployed_says_how_to_deploy_it(setup):
    setup.netsuite_account(undeployed=[["customscript_mns_inventory", "customdeploy_mns_inventory"]])

    problem = failed(setup.check())[INVENTORY_RESTLET]

    assert "not deployed" in problem.message and "SSS_INVALID_SCRIPTLET_ID" in problem.message
    assert "suitecloud project:deploy" in problem.fix and "customscript_mns_inventory.xml" in problem.fix
    assert "inventory_source=suiteql" in problem.fix

    setup.connect(netsuite={"inventory_source": "suiteql"})  # the documented way to run without it
    findings = setup.check()
    assert failed(findings) == {}
    skipped = next(f for f in findings if f.subject == "NetSuite RESTlet customscript_mns_inventory")
    assert (skipped.status, skipped.message) == (SKIPPED, "not used: inventory_source=suiteql")


def test_an_unknown_location_id_names_the_id_and_the_line(setup):
    path = setup.mappings / "value_maps.yaml"
    text = path.read_text()
    path.write_text(text.replace('"5": "wh_south"', '"9": "wh_south"', 1))

    problems = failed(setup.check())

    assert list(problems) == ["value map location_to_source (NetSuite location ids)"]
    problem = problems["value map location_to_source (NetSuite location ids)"]
    assert problem.message.endswith("1 of 5 ids do not exist in account 1234567_SB1: 9")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.strip() == "location_to_source:")
    assert f"value_maps.yaml:{line}: replace 9 with ids the account has" in problem.fix


def test_a_magento_source_the_store_lacks_is_named(setup):
    path = setup.mappings / "value_maps.yaml"
    path.write_text(path.read_text().replace('"wh_south"', '"wh_moon"', 1))

    problem = failed(setup.check())["value map location_to_source (Magento MSI source codes)"]

    assert problem.message.startswith("not in the store: wh_moon (the store has: default, wh_central")


def test_a_column_this_account_does_not_expose_is_named(setup):
    setup.netsuite_account(hidden_columns=["inventoryitemlocations.lastmodifieddate"])

    problems = failed(setup.check())

    # the inventory RESTlet selects the column too, so it cannot work in this account either
    assert list(problems) == [INVENTORY_RESTLET, "NetSuite SuiteQL inventoryitemlocations"]
    assert "NOT_EXPOSED" in problems[INVENTORY_RESTLET].message
    problem = problems["NetSuite SuiteQL inventoryitemlocations"]
    assert re.search(
        r"missing in this account: lastmodifieddate \(Field 'lastmodifieddate' for record "
        r"'inventoryitemlocations' was not found\. Reason: NOT_EXPOSED",
        problem.message,
    )
    assert "quantityonhand" not in problem.message  # only the missing column is named
    assert "README.md" in problem.fix


@pytest.mark.usefixtures("airflow_db")
def test_a_pool_larger_than_the_account_limit_is_named(setup):
    from airflow.models.pool import Pool

    setup.netsuite_config(concurrency_limit=3)
    before = Pool.get_pool("netsuite_api")
    previous = (before.slots, before.description) if before is not None else None
    Pool.create_or_update_pool("netsuite_api", 8, "NetSuite share", include_deferred=False)
    try:
        problems = failed(setup.check(pool_slots=None))  # read from Airflow's metadata database
        Pool.create_or_update_pool("netsuite_api", 3, "NetSuite share", include_deferred=False)
        within = setup.check(pool_slots=None)
        Pool.delete_pool("netsuite_api")
        missing = failed(setup.check(pool_slots=None))["NetSuite concurrency vs pool netsuite_api"]
    finally:  # leave the session's metadata DB as it was
        if previous is not None:
            Pool.create_or_update_pool("netsuite_api", previous[0], previous[1] or "", include_deferred=False)
        elif Pool.get_pool("netsuite_api") is not None:
            Pool.delete_pool("netsuite_api")

    problem = problems["NetSuite concurrency vs pool netsuite_api"]
    assert "pool netsuite_api has 8 slots but the account's unallocated concurrency limit is 3" in problem.message
    assert problem.fix.startswith("airflow pools set netsuite_api 3 ")
    assert failed(within) == {}
    assert missing.message == "pool netsuite_api does not exist (the account's unallocated concurrency limit is 3)"
    assert missing.fix.startswith("airflow pools set netsuite_api 3 ")


def test_an_integration_limit_binds_and_a_non_admin_role_is_not_a_failure(setup):
    setup.netsuite_account(integration_limit=2)
    problem = failed(setup.check(pool_slots=3))["NetSuite concurrency vs pool netsuite_api"]
    assert "integration's concurrency limit is 2" in problem.message

    setup.netsuite_account(administrator=False)
    findings = setup.check(pool_slots=30)
    limit = next(f for f in findings if f.subject == "NetSuite concurrency vs pool netsuite_api")
    assert limit.status == SKIPPED and "administrators only" in limit.message
    assert failed(findings) == {}


def test_every_line_says_ok_failed_or_skipped(setup):
    setup.netsuite_account(hidden_columns=["item.isinactive"])
    findings = setup.check()
    assert {f.status for f in findings} <= {OK, FAILED, SKIPPED}
    assert all(f.fix for f in findings if f.status == FAILED)
