"""What both hooks share: one pooled ``requests.Session``, the concurrency bound, retries, errors.

Built on ``apache-airflow-providers-http``'s ``HttpHook`` (connection lookup, base URL, keep-alive
adapter), with three deliberate differences from its ``run()``:

* connection extras are **not** copied into request headers (HttpHook does that, which would send
  our consumer secrets and private key as headers);
* response bodies and headers are never logged (HttpHook logs the body of every error response);
* errors become :mod:`magento_netsuite.connectors.errors` classes, retried per :class:`RetryPolicy`.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from airflow.providers.http.hooks.http import HttpHook
from requests.adapters import HTTPAdapter

from magento_netsuite.connectors.concurrency import ConcurrencyBound
from magento_netsuite.connectors.error_parsing import Classified, classify_transport
from magento_netsuite.connectors.retry import RetryableFailure, RetryPolicy, call_with_retries

USER_AGENT = "magento-netsuite-sync/0.1 (+apache-airflow)"
OK_STATUSES = frozenset({200, 201, 202, 204})


class ResilientHttpHook(HttpHook):
    """Base for :class:`MagentoHook` and :class:`NetSuiteHook`; not used on its own."""

    system: ClassVar[str] = ""
    default_concurrency: ClassVar[int] = 4
    default_timeout: ClassVar[float] = 60.0
    default_max_elapsed: ClassVar[float] = 120.0

    def __init__(self, conn_id: str, max_concurrency: int | None = None) -> None:
        super().__init__(method="GET", http_conn_id=conn_id, tcp_keep_alive=False)
        if max_concurrency is not None and max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        self._requested_concurrency = max_concurrency
        self._setup_lock = threading.Lock()
        self._session: requests.Session | None = None
        self._bound: ConcurrencyBound | None = None
        self._env_settings: dict[str, dict[str, Any]] = {}
        self.extras: dict[str, Any] = {}
        self.retry_policy = RetryPolicy()
        self.timeout: float = self.default_timeout

    # -- set-up ---------------------------------------------------------------------------------

    def _configure(self, connection: Any) -> None:
        """Read the subclass's settings from the connection (called once, under a lock)."""
        raise NotImplementedError

    def _error_from_response(self, response: requests.Response, call: str) -> Classified:
        raise NotImplementedError

    def get_conn(self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None):
        """The hook's session, built once: pooled to the concurrency bound, no auth (added per request).

        ``extra_options`` is accepted for HttpHook compatibility and ignored: timeouts and retries
        come from the connection extras.
        """
        del extra_options
        with self._setup_lock:
            if self._session is None:
                connection = self.get_connection(self.http_conn_id)
                self.extras = dict(connection.extra_dejson or {})
                self.timeout = float(self.extras.get("timeout", self.default_timeout))
                self.retry_policy = RetryPolicy.from_extras(self.extras, default_elapsed=self.default_max_elapsed)
                limit = self._requested_concurrency or int(self.extras.get("concurrency", self.default_concurrency))
                self._bound = ConcurrencyBound(limit)
                self._configure(connection)
                session = requests.Session()
                adapter = HTTPAdapter(pool_connections=4, pool_maxsize=limit, max_retries=0)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
                self._session = session
        if headers:
            self._session.headers.update(headers)
        return self._session

    @property
    def concurrency(self) -> ConcurrencyBound:
        """The bound on requests in flight from this hook instance."""
        self.get_conn()
        assert self._bound is not None
        return self._bound

    def close(self) -> None:
        """Close pooled connections (the hook reconnects on next use)."""
        with self._setup_lock:
            if self._session is not None:
                self._session.close()
                self._session = None

    # -- requests -------------------------------------------------------------------------------

    def _attempt(
        self,
        method: str,
        url: str,
        call: str,
        *,
        auth: Any = None,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        ok: frozenset[int] = OK_STATUSES,
    ) -> requests.Response:
        """One HTTP exchange inside a concurrency slot; raises a classified error on failure.

        The request is built and signed before the slot is taken, so the slot covers the exchange
        only: with more threads than slots, one thread's client-side work overlaps the others' calls.
        """
        session = self.get_conn()
        try:
            prepared = session.prepare_request(
                requests.Request(method, url, params=params, json=json, data=data, headers=headers, auth=auth)
            )
            with self.concurrency.slot():
                response = session.send(
                    prepared, timeout=self.timeout, allow_redirects=False, **self._environment_settings(prepared.url)
                )
        except requests.RequestException as exc:
            classified = classify_transport(exc, call=call, system=self.system, timeout=self.timeout)
            raise self._as_failure(classified) from None
        if response.status_code in ok:
            return response
        raise self._as_failure(self._error_from_response(response, call))

    def _environment_settings(self, url: str | None) -> dict[str, Any]:
        """Proxies and CA bundle from the environment for ``url``'s host, read once per host.

        ``requests`` re-reads the whole environment on every call (about a millisecond with Airflow's
        environment); the hook talks to one or two hosts, so the answer is kept."""
        parts = urlsplit(url or "")
        host = f"{parts.scheme}://{parts.netloc}"
        with self._setup_lock:
            settings = self._env_settings.get(host)
        if settings is None:
            assert self._session is not None
            settings = self._session.merge_environment_settings(host, {}, None, None, None)
            with self._setup_lock:
                self._env_settings[host] = settings
        return settings

    @staticmethod
    def _as_failure(classified: Classified) -> Exception:
        if classified.retryable:
            return RetryableFailure(
                classified.error,  # type: ignore[arg-type]
                applied_safe=classified.applied_safe,
                retry_after=classified.retry_after,
            )
        return classified.error

    def _retrying(self, call: str, attempt: Any, *, idempotent: bool) -> Any:
        self.get_conn()
        return call_with_retries(attempt, self.retry_policy, describe=call, log=self.log, idempotent=idempotent)

    @staticmethod
    def describe(method: str, url: str) -> str:
        """``GET /rest/V1/orders``: method and path only; the query can be long and hold PII."""
        return f"{method} {urlsplit(url).path}"
