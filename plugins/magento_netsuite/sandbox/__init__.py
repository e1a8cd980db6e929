"""Local Magento 2.4 and NetSuite sandboxes speaking the real REST APIs (see docs/architecture.md).

``python -m magento_netsuite.sandbox serve`` runs both with demo data; in tests serve an app with
``magento_netsuite.sandbox.common.server.SandboxServer``.
"""
