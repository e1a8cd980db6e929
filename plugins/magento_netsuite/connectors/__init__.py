"""The only code that talks to Magento and NetSuite: Airflow hooks and the errors they raise."""

from magento_netsuite.connectors.errors import AuthError, NotFoundError, RecordError, SyncError, TransientError

__all__ = ["AuthError", "NotFoundError", "RecordError", "SyncError", "TransientError"]
