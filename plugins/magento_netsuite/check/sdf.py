"""The RESTlets we ship, read from the SuiteCloud (SDF) project in ``include/netsuite/``.

Each ``src/Objects/customscript_*.xml`` holding a ``<restlet>`` is one script with its deployments;
``check`` calls every one of them, so adding a RESTlet to the project adds it to the check too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # ruff: ignore[suspicious-xml-etree-import] - our own project files
from dataclasses import dataclass
from pathlib import Path

from magento_netsuite.config import INCLUDE_DIR

SDF_PROJECT = INCLUDE_DIR / "netsuite"
OBJECTS_DIR = SDF_PROJECT / "src" / "Objects"


@dataclass(frozen=True)
class Restlet:
    script_id: str
    deployment_ids: tuple[str, ...]
    script_file: str
    name: str
    source: Path


def restlets(objects_dir: Path = OBJECTS_DIR) -> list[Restlet]:
    """Every ``<restlet>`` script object of the project, sorted by script id."""
    found = []
    for path in sorted(objects_dir.glob("customscript_*.xml")):
        root = ET.parse(path).getroot()  # ruff: ignore[suspicious-xml-element-tree-usage] - files in this repo
        if root.tag != "restlet":
            continue
        deployments = tuple(d.get("scriptid", "") for d in root.iter("scriptdeployment") if d.get("scriptid"))
        found.append(
            Restlet(
                script_id=root.get("scriptid", path.stem),
                deployment_ids=deployments,
                script_file=(root.findtext("scriptfile") or "").strip("[]"),
                name=root.findtext("name") or path.stem,
                source=path,
            )
        )
    return found
