"""The inventory flow's own systemic failure (imported by its DAG for the retry policy)."""

from __future__ import annotations

from magento_netsuite.connectors.errors import SyncError


class UnmatchedSkusError(SyncError):
    """Too many NetSuite SKUs are unknown to Magento: a catalogue problem someone must look at."""

    error_class = "reference"
