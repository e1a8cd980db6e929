"""A small flow for replay tests: its "source" and "target" are files a test can edit between runs.

* source: ``$MNS_REPLAY_PROBE_DIR/source.json``, ``{key: {"name": ..., "postcode": ...}}``; a test
  fixes a record there (or deletes it) after it was quarantined;
* target: ``$MNS_REPLAY_PROBE_DIR/target.jsonl``, one line per load (so a double load is visible).

A record loads when it has a postcode; without one it is quarantined as a validation error on
``shipping_address.postcode``, exactly like a real order flow would.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from magento_netsuite.errorqueue.records import QuarantineRecord
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.pipeline.outcomes import RecordOutcome, Status

FLOW = "replay_probe"
_WRITE_LOCK = threading.Lock()


def probe_dir() -> Path:
    return Path(os.environ["MNS_REPLAY_PROBE_DIR"])


def read_source() -> dict[str, dict[str, Any]]:
    path = probe_dir() / "source.json"
    return json.loads(path.read_text()) if path.exists() else {}


def write_source(records: dict[str, dict[str, Any]]) -> None:
    (probe_dir() / "source.json").write_text(json.dumps(records))


def loads() -> list[dict[str, Any]]:
    path = probe_dir() / "target.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def sync(keys: list[str], *, run_id: str) -> list[RecordOutcome]:
    """The probe flow's regular run: extract from the source, then the same process() the replay uses."""
    source = read_source()
    return HANDLER.process([(k, source[k]) for k in keys], run_id=run_id)


class ProbeHandler:
    flow = FLOW
    entity = "order"

    def reread(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        source = read_source()
        return {key: source.get(key) for key in keys}

    def process(self, records: list[tuple[str, dict[str, Any]]], *, run_id: str) -> list[RecordOutcome]:
        outcomes = []
        for key, payload in records:
            if not payload.get("postcode"):
                error = QuarantineRecord(
                    flow=FLOW,
                    entity=self.entity,
                    record_key=key,
                    error_class="validation",
                    field_path="shipping_address.postcode",
                    message=f"order {key}: shipping_address.postcode is required",
                    payload=payload,
                    run_id=run_id,
                )
                outcomes.append(RecordOutcome(key, Status.QUARANTINED, error=error))
                continue
            with _WRITE_LOCK, (probe_dir() / "target.jsonl").open("a") as target:
                target.write(json.dumps({"key": key, "run_id": run_id, "payload": payload}) + "\n")
            outcomes.append(RecordOutcome(key, Status.LOADED, target_id=f"T-{key}"))
        return outcomes


HANDLER = register_handler(ProbeHandler())
