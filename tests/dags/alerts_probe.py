"""Test-only DAG: NetSuite refuses the credentials (unless ``conf`` says ``fail: false``).

The failure fires the Slack failure alert; a later successful run fires the "resolved" message.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from magento_netsuite.alerts import flow_success_callback, task_failure_alert
from magento_netsuite.connectors.errors import AuthError


@dag(
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["test", "inventory_netsuite_to_magento"],
    doc_md=__doc__,
    params={"fail": Param(True, type="boolean")},
    default_args={"owner": "tests", "retries": 0, "on_failure_callback": task_failure_alert},
)
def alerts_probe():
    @task(on_success_callback=flow_success_callback)
    def read_inventory() -> int:
        if get_current_context()["params"]["fail"]:
            raise AuthError(
                'INVALID_LOGIN_ATTEMPT: Authorization: OAuth realm="1234567_SB1",oauth_token="tid-probe-token",'
                'oauth_signature="cHJvYmUtc2lnbmF0dXJlLXZhbHVlLTAwMDAwMDAwMA%3D%3D"',
                system="netsuite",
                status=401,
                code="INVALID_LOGIN_ATTEMPT",
            )
        return 0

    read_inventory()


alerts_probe()
