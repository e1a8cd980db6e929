"""The Airflow plugin that adds the Error Queue page to the Airflow UI.

* ``fastapi_apps``: the page and its JSON API, mounted by the API server at ``/error-queue``;
* ``fastapi_root_middlewares``: lets that app call Airflow's own API in-process (see
  ``magento_netsuite.errorqueue.web.airflow_api``);
* ``external_views``: "Error Queue" in the navigation, shown inside the UI at ``/plugin/error-queue``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from airflow.plugins_manager import AirflowPlugin

from magento_netsuite.errorqueue.web import create_app
from magento_netsuite.errorqueue.web.airflow_api import AirflowAppScopeMiddleware

URL_PREFIX = "/error-queue"


class ErrorQueuePlugin(AirflowPlugin):
    name = "magento_netsuite_error_queue"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [
        {"app": create_app(), "url_prefix": URL_PREFIX, "name": "Error Queue"}
    ]
    fastapi_root_middlewares: ClassVar[list[dict[str, Any]]] = [
        {"middleware": AirflowAppScopeMiddleware, "name": "Error Queue: Airflow API access"}
    ]
    external_views: ClassVar[list[dict[str, Any]]] = [
        {
            "name": "Error Queue",
            "href": f"{URL_PREFIX}/",
            "destination": "nav",
            "nav_top_level": True,
            "url_route": "error-queue",
            "icon": f"{URL_PREFIX}/static/icon.svg",
            "icon_dark_mode": f"{URL_PREFIX}/static/icon-dark.svg",
        }
    ]
