"""magento-netsuite-sync: keep Magento 2 / Adobe Commerce and Oracle NetSuite in sync under Airflow 3.

The package lives under ``plugins/`` so Airflow puts it on ``sys.path``; ``plugins/.airflowignore``
stops the plugin manager from importing its files one by one.
"""
