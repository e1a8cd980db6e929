"""The only code that talks to Magento and NetSuite: Airflow hooks and the errors they raise."""
