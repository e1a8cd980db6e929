"""Batches travel between tasks as files under a staging URL, never through XCom.

``MNS_STAGING_URL`` picks the root (``file://`` by default, ``s3://…`` etc. in production through
Airflow's ``ObjectStoragePath``), so tasks can run on different Celery or Kubernetes workers.
XCom carries only the returned URI and small summaries.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from airflow.sdk import ObjectStoragePath

from magento_netsuite.config import airflow_home

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def staging_root() -> ObjectStoragePath:
    """The root all batches are written under."""
    url = os.environ.get("MNS_STAGING_URL") or f"file://{airflow_home() / 'staging'}"
    return ObjectStoragePath(url)


def batch_path(flow: str, run_id: str, name: str) -> ObjectStoragePath:
    """Where batch ``name`` of one run of one flow lives (stable, so a rerun overwrites it)."""
    return staging_root() / flow / _UNSAFE.sub("_", run_id) / f"{_UNSAFE.sub('_', name)}.jsonl"


def write_batch(flow: str, run_id: str, name: str, records: Iterable[dict[str, Any]]) -> str:
    """Write records as JSON lines; returns the URI to hand to the next task."""
    path = batch_path(flow, run_id, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        for record in records:
            fh.write(json.dumps(record, default=str, separators=(",", ":")))
            fh.write("\n")
    return str(path)


def iter_batch(uri: str) -> Iterator[dict[str, Any]]:
    """The records of a batch written by :func:`write_batch`, one at a time."""
    with ObjectStoragePath(uri).open("r") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_batch(uri: str) -> list[dict[str, Any]]:
    """Read a batch written by :func:`write_batch`."""
    return list(iter_batch(uri))
