"""The Magento 2.4 admin REST sandbox (``create_app``)."""
