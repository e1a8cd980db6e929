"""``python -m magento_netsuite check``: is this Airflow ready to sync these two accounts?

Against the configured connections it verifies, one line each with the exact setting to change:
Magento auth and every ACL resource a flow needs; NetSuite auth, the role's permissions for the
records we read and write, each RESTlet of the SDF project deployed, every SuiteQL column the flows
use, every value-map id existing in its account, and the NetSuite concurrency limit against the
``netsuite_api`` pool. Exit status 1 when any line fails; ``--json`` for automation.
"""
