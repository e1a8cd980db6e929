"""Our SuiteScript files (``include/netsuite/``) run unchanged under node, against a sandbox account.

``runner.js`` is a small AMD ``define`` loader with the ``N/query``, ``N/runtime``, ``N/log`` and
``N/error`` modules; :mod:`.driver` starts it once and answers its SuiteQL with the account's own
SuiteQL engine over JSON lines on stdin/stdout. The sandbox serves the RESTlets this way, so the
JavaScript we deploy is the code every sandbox test and benchmark executes.
"""
