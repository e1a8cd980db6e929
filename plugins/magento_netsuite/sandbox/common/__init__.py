"""Pieces both sandboxes share: the uvicorn test server, fault injection, metrics, control router."""
