"""``make stack``: a real, distributed Airflow on this machine, the topology of ``docker-compose.yaml``.

CeleryExecutor on the local PostgreSQL (Airflow metadata and the ``mns_store`` in databases of their
own) and Redis (a DB number of its own, a Celery queue of its own), api-server, scheduler,
dag-processor, triggerer and two Celery workers, the two sandboxes, the ``netsuite_api`` pool and the
connections. Every process runs in its own session and is stopped by its process group
(``make stack-down``). The browser test reuses the same launcher with a LocalExecutor on SQLite.

Development and test tooling like ``demo``: it starts the sandboxes, so it sits in no layer and no
production module imports it.
"""

from magento_netsuite.stack.launcher import Stack, StackConfig, stop_stack

__all__ = ["Stack", "StackConfig", "stop_stack"]
