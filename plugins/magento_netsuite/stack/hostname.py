"""``[core] hostname_callable`` of the stack's Celery workers: two workers on one machine get two names.

Airflow records the hostname on every task instance it runs; with both workers on one host they would
look the same. Each worker's environment names it (``MNS_STACK_WORKER``), so the UI, the REST API and
the stack test can tell which worker ran which mapped batch.
"""

from __future__ import annotations

import os
import socket

WORKER_ENV = "MNS_STACK_WORKER"


def worker_hostname() -> str:
    """``<worker>@<fqdn>`` on a stack worker; the plain FQDN anywhere else."""
    fqdn = socket.getfqdn()
    worker = os.environ.get(WORKER_ENV)
    return f"{worker}@{fqdn}" if worker else fqdn
