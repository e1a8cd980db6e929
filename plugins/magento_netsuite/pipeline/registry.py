"""Find a flow's declaration by its name, without importing any flow at DAG parse time.

Each ``magento_netsuite.flows.<package>`` holds only constants in its ``__init__`` (``FLOW``, ``DAG_ID``,
...) and declares the flow as ``SPEC`` in ``<package>.flow``. A task asks for its flow by name; the
declaration (and with it the hooks, pandas, the flow's logic) is imported then, in the worker.
Discovery by module name, like an entry point: the kit sits below the flows and never imports them.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from magento_netsuite.config import FLOWS_PACKAGE
from magento_netsuite.pipeline.flow import Flow


def flow_packages() -> dict[str, str]:
    """``{flow name: package}`` of every flow package (their ``__init__`` holds only constants)."""
    root = importlib.import_module(FLOWS_PACKAGE)
    found: dict[str, str] = {}
    for module in pkgutil.iter_modules(root.__path__):
        if not module.ispkg:
            continue
        package = f"{FLOWS_PACKAGE}.{module.name}"
        name = getattr(importlib.import_module(package), "FLOW", None)
        if isinstance(name, str):
            found[name] = package
    return found


@cache
def flow_spec(name: str) -> Flow:
    """The :class:`Flow` declared as ``SPEC`` in ``magento_netsuite.flows.<package>.flow``."""
    packages = flow_packages()
    if name not in packages:
        raise LookupError(f"no flow named {name!r} under {FLOWS_PACKAGE} (known: {sorted(packages)})")
    spec = getattr(importlib.import_module(f"{packages[name]}.flow"), "SPEC", None)
    if not isinstance(spec, Flow) or spec.name != name:
        raise LookupError(f"{packages[name]}.flow must declare SPEC = Flow(name={name!r}, ...)")
    return spec
