"""The error queue: quarantined records with what failed, why, and how to fix it; replay in one step.

* :mod:`.store`: :class:`~.store.ErrorQueueStore` on the ``mns_store`` connection;
* :mod:`.hints`: :func:`~.hints.fix_hint`;
* :mod:`.replay`: the handler registry flows register with, and the replay the DAG and CLI run;
* :mod:`.cli`: ``python -m magento_netsuite.errorqueue``; ``web``: the UI page (its own sub-package).
"""
