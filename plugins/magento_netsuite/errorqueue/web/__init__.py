"""The Error Queue page in the Airflow UI: :func:`~.app.create_app` builds the FastAPI app the plugin
(``plugins/error_queue_plugin.py``) mounts at ``/error-queue``."""

from magento_netsuite.errorqueue.web.app import create_app

__all__ = ["create_app"]
