"""Helpers that write small mapping documents into temporary directories."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

VALUE_MAPS = """\
value_maps:
  location_to_source:
    description: location → source
    from: netsuite
    to: magento
    entries: {"1": "wh_east", "2": "wh_west"}
"""

WIDGET = """\
entity: widget
title: Widget
keys:
  magento: sku
  netsuite: itemId
flows:
  widgets_netsuite_to_magento:
    source: netsuite
    target: magento
    dag_id: netsuite_widgets_to_magento
    cadence: hourly
    mode: upsert
  widgets_magento_to_netsuite:
    source: magento
    target: netsuite
    dag_id: magento_widgets_to_netsuite
    cadence: on change
    mode: create_only
fields:
  - name: sku
    owner: netsuite
    handoff: magento
    netsuite: itemId
    magento: sku
    transform: string
    validation: {required: true, type: string}
    updated_by: Ops
    conflict: create_only
  - name: weight
    owner: netsuite
    netsuite: weight
    magento: weight
    transform: decimal
    validation: {type: number, min: 0}
    updated_by: Ops
    conflict: owner_wins
  - name: source_code
    owner: netsuite
    netsuite: location_id
    magento: source_code
    transform: map:location_to_source
    updated_by: Ops
    conflict: owner_wins
  - name: blurb
    owner: magento
    magento: custom_attributes.description
    netsuite: storeDescription
    transform: string
    updated_by: Marketing
    conflict: owner_wins
  - name: secret
    owner: magento
    magento: password
    netsuite: null
    updated_by: Buyer
    conflict: never_synced
"""


def write_document(directory: Path, widget: str = WIDGET, value_maps: str = VALUE_MAPS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "value_maps.yaml").write_text(textwrap.dedent(value_maps), encoding="utf-8")
    (directory / "widget.yaml").write_text(textwrap.dedent(widget), encoding="utf-8")
    return directory


@pytest.fixture
def mapping_dir(tmp_path: Path) -> Path:
    return write_document(tmp_path / "mappings")
