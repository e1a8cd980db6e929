"""A real Airflow for the browser test: ``make stack``'s launcher with a LocalExecutor on SQLite.

``magento_netsuite.stack`` with its own temporary ``AIRFLOW_HOME`` (SQLite metadata DB,
LocalExecutor: api-server, scheduler, dag-processor, triggerer on loopback), the project's ``dags/``
and ``plugins/``, the SimpleAuthManager user ``admin`` with a known password, the error queue store
in its own SQLite file, no sandboxes, and the replay probe flow (``tests.replay_probe.probe``)
registered through ``MNS_REPLAY_HANDLER_MODULES``. Every process runs in its own session and is
stopped by its process group.
"""

from __future__ import annotations

from pathlib import Path

from magento_netsuite.config import REPO_ROOT
from magento_netsuite.stack import Stack, StackConfig
from magento_netsuite.stack.launcher import LOCAL

ROOT = REPO_ROOT
PROBE_MODULE = "tests.replay_probe.probe"


class AirflowStack(Stack):
    def __init__(self, workdir: Path) -> None:
        super().__init__(
            StackConfig(
                run_dir=workdir,
                executor=LOCAL,
                sandboxes=False,
                paused_at_creation=False,
                extra_env={
                    "MNS_REPLAY_HANDLER_MODULES": PROBE_MODULE,
                    "MNS_REPLAY_PROBE_DIR": str(workdir / "probe"),
                    "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
                },
            )
        )

    @property
    def workdir(self) -> Path:
        return self.config.run_dir

    @property
    def password(self) -> str:
        return self.config.password

    @property
    def store_db(self) -> Path:
        return self.workdir / "mns_store.db"

    @property
    def probe_dir(self) -> Path:
        return self.workdir / "probe"

    def start(self, timeout: float = 120) -> AirflowStack:
        self.probe_dir.mkdir(parents=True, exist_ok=True)
        super().start(timeout)
        return self
