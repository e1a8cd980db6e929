"""``MagentoHook``: the Magento 2.4 / Adobe Commerce admin REST API.

Connection ``magento_default`` (type ``magento`` or plain ``http``): host = the store's base URL
(REST lives under ``<host>/rest/<store_code>/V1``), password = the integration access token, extras
``auth`` (``bearer`` | ``oauth1``), ``consumer_key``, ``consumer_secret``, ``access_token``,
``access_token_secret``, ``store_code``, ``input_limit`` (true when the store enforces Magento's web
API input limits: 20 array items per synchronous request, pageSize ≤ 300), ``concurrency``,
``timeout``, ``max_attempts``, ``max_elapsed``, ``backoff_base``, ``backoff_max``.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import requests

from magento_netsuite.connectors import messages, search_criteria
from magento_netsuite.connectors.auth import BearerAuth, oauth1_hmac_sha256
from magento_netsuite.connectors.base import ResilientHttpHook
from magento_netsuite.connectors.connection_form import MAGENTO_FORM
from magento_netsuite.connectors.diagnostics import magento_auth
from magento_netsuite.connectors.error_parsing import MAGENTO, Classified, classify_magento, response_json
from magento_netsuite.connectors.errors import AuthError, RecordError, TransientError

SYNC_INPUT_LIMIT = 20
"""Array items per synchronous request when ``webapi/validation/input_limit_enabled`` is on."""
MAX_PAGE_SIZE_WITH_LIMIT = 300
DEFAULT_SYNC_BATCH = 200
ASYNC_OPERATIONS_PER_REQUEST = 1000

BULK_COMPLETE, BULK_RETRIABLY_FAILED, BULK_FAILED, BULK_OPEN, BULK_REJECTED = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class SourceItemFailure:
    """One MSI source item Magento did not save."""

    sku: str
    source_code: str
    message: str
    code: str | None = None
    retriable: bool = False
    field_path: str | None = None


@dataclass
class SourceItemsResult:
    """Outcome of :meth:`MagentoHook.save_source_items`: every input item is saved or in ``failures``."""

    submitted: int = 0
    saved: int = 0
    failures: list[SourceItemFailure] = field(default_factory=list)
    bulk_uuids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class PriceFailure:
    """One price row Magento refused, from the failure array it answers with HTTP 200."""

    sku: str | None
    message: str
    template: str
    parameters: dict[str, str]
    field_path: str | None = None


class MagentoHook(ResilientHttpHook):
    """Talks to Magento's admin REST API with retries, a concurrency bound and typed errors."""

    conn_name_attr = "magento_conn_id"
    default_conn_name = "magento_default"
    conn_type = "magento"
    hook_name = "Magento 2 (magento-netsuite-sync)"
    system: ClassVar[str] = MAGENTO
    default_concurrency: ClassVar[int] = 4

    def __init__(self, magento_conn_id: str = default_conn_name, max_concurrency: int | None = None) -> None:
        super().__init__(magento_conn_id, max_concurrency)
        self.magento_conn_id = magento_conn_id
        self.auth_mode: str = "bearer"
        self.store_code: str | None = None
        self.input_limit: int | None = None
        self._auth: Any = None

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Field behaviour of the Airflow connection form (also declared in ``provider.py``)."""
        return MAGENTO_FORM.ui_field_behaviour()

    # -- set-up ---------------------------------------------------------------------------------

    def _configure(self, connection: Any) -> None:
        self.base_url = base_url_of(connection)
        extras = self.extras
        self.store_code = extras.get("store_code") or None
        limit = extras.get("input_limit", False)
        if isinstance(limit, str):
            limit = limit.strip().lower() in ("1", "true", "yes", "on")
        self.input_limit = SYNC_INPUT_LIMIT if limit is True else (int(limit) if limit else None)
        mode = (extras.get("auth") or ("oauth1" if extras.get("consumer_key") else "bearer")).lower()
        if mode == "oauth1":
            self._auth = oauth1_hmac_sha256(
                extras.get("consumer_key", ""),
                extras.get("consumer_secret", ""),
                extras.get("access_token") or connection.password or "",
                extras.get("access_token_secret", ""),
            )
        elif mode == "bearer":
            token = connection.password or extras.get("access_token")
            if not token:
                raise AuthError(
                    f"connection {self.magento_conn_id!r}: bearer auth needs the integration access token "
                    "in the password field",
                    system=MAGENTO,
                )
            self._auth = BearerAuth(token)
        else:
            raise AuthError(f"connection {self.magento_conn_id!r}: auth must be bearer or oauth1, got {mode!r}")
        self.auth_mode = mode

    def _error_from_response(self, response: requests.Response, call: str) -> Classified:
        return classify_magento(response, call=call, bearer=self.auth_mode == "bearer")

    def rest_url(self, path: str) -> str:
        """``V1/orders`` → ``<base>/rest[/<store>]/V1/orders``; ``async/bulk/V1/...`` likewise."""
        self.get_conn()
        path = path.lstrip("/")
        if not (path.startswith(("V1/", "async/")) or path == "V1"):
            path = f"V1/{path}"
        scope = f"/{self.store_code}" if self.store_code else ""
        return f"{self.base_url}/rest{scope}/{path}"

    # -- generic calls --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """One call with retries; returns the decoded JSON body (``None`` when empty)."""
        url = self.rest_url(path)
        call = self.describe(method, url)
        if idempotent is None:
            idempotent = method != "POST"

        def attempt() -> Any:
            response = self._attempt(method, url, call, auth=self._auth, params=params, json=json)
            return response_json(response)

        return self._retrying(call, attempt, idempotent=idempotent)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def put(self, path: str, payload: Any, params: dict[str, Any] | None = None) -> Any:
        return self.request("PUT", path, params=params, json=payload)

    def post(self, path: str, payload: Any, params: dict[str, Any] | None = None, *, idempotent: bool = False) -> Any:
        """POST; pass ``idempotent=True`` when sending it twice is harmless (then timeouts/5xx are retried)."""
        return self.request("POST", path, params=params, json=payload, idempotent=idempotent)

    # -- search ---------------------------------------------------------------------------------

    def search(
        self,
        resource: str,
        filters: search_criteria.FilterGroups | None = None,
        sort: search_criteria.Sort | None = None,
        page_size: int = 300,
        fields: str | Sequence[str] | None = None,
        *,
        workers: int = 1,
    ) -> Iterator[list[dict]]:
        """Yield the matching records page by page, until ``total_count`` is reached.

        ``resource`` is the search path under ``V1`` (``orders``, ``customers/search``, ``products``,
        ``inventory/source-items``). Magento 2.4 answers a page past the end with no items rather
        than repeating the last page, and ``total_count`` tells where the end is, so this stops at
        ``current_page * page_size >= total_count``. Give a ``sort`` on a stable key when records
        may change while paging.

        ``workers`` > 1 reads the pages after the first (which tells ``total_count``) that many at a
        time, still yielded in order: a long listing (millions of MSI source items) is bound by the
        round trips, not by either side's work.
        """
        self.get_conn()
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        if self.input_limit and page_size > MAX_PAGE_SIZE_WITH_LIMIT:
            self.log.info("magento %s: page_size %d capped at %d (input limit on)", resource, page_size, 300)
            page_size = MAX_PAGE_SIZE_WITH_LIMIT

        def fetch(page: int) -> tuple[int, list[dict]]:
            params = search_criteria.build_params(filters, sort, page_size, page, fields)
            body = self.get(resource, params=params)
            if not isinstance(body, dict) or "total_count" not in body:
                raise RecordError(f"GET {resource}: not a search result (no total_count)", system=MAGENTO, details=body)
            return int(body["total_count"]), body.get("items") or []

        total, items = fetch(1)
        pages = max(1, math.ceil(total / page_size))
        seen = 0
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="mns-magento-search") as pool:
            ahead: deque[Future[tuple[int, list[dict]]]] = deque()
            for page in range(1, pages + 1):
                if page > 1:
                    while len(ahead) < max(1, workers) and page + len(ahead) <= pages:
                        ahead.append(pool.submit(fetch, page + len(ahead)))
                    total, items = ahead.popleft().result()
                seen += len(items)
                self.log.info("magento %s: page %d of %d, %d of %d records", resource, page, pages, seen, total)
                if items:
                    yield items
                if page * page_size >= total:
                    return
                if not items:
                    self.log.warning(
                        "magento %s: page %d came back empty before total_count %d (records removed while paging?)",
                        resource,
                        page,
                        total,
                    )
                    return

    # -- inventory ------------------------------------------------------------------------------

    def _sync_batch_size(self, batch_size: int | None) -> int:
        size = batch_size or (self.input_limit or DEFAULT_SYNC_BATCH)
        if self.input_limit and size > self.input_limit:
            self.log.info("magento: batch size %d capped at the input limit %d", size, self.input_limit)
            size = self.input_limit
        return max(1, size)

    def save_source_items(
        self,
        items: Sequence[dict],
        batch_size: int | None = None,
        mode: Literal["sync", "async"] = "sync",
        *,
        poll_interval: float = 0.5,
        poll_timeout: float = 300.0,
    ) -> SourceItemsResult:
        """Save MSI source items (``{sku, source_code, quantity, status}``) in batches.

        ``sync``: ``POST /V1/inventory/source-items`` per batch (≤ 20 items when the connection's
        ``input_limit`` is on). Magento saves a batch all or nothing, so a batch refused with a
        record error is re-sent item by item and only the bad items become failures.

        ``async``: one ``POST /async/bulk/V1/inventory/source-items`` carrying one operation per
        batch, then ``GET /V1/bulk/{uuid}/status`` until no operation is open; the items of a failed
        or rejected operation become failures with Magento's ``result_message``. Needs the
        ``async.operations.all`` consumer running on the store.
        """
        self.get_conn()
        size = self._sync_batch_size(batch_size)
        batches = [list(items[i : i + size]) for i in range(0, len(items), size)]
        result = SourceItemsResult(submitted=len(items))
        if mode == "sync":
            for number, batch in enumerate(batches, start=1):
                self._save_source_batch(batch, result)
                self.log.info(
                    "magento source items: batch %d of %d, %d saved, %d failed",
                    number,
                    len(batches),
                    result.saved,
                    len(result.failures),
                )
        elif mode == "async":
            for start in range(0, len(batches), ASYNC_OPERATIONS_PER_REQUEST):
                chunk = batches[start : start + ASYNC_OPERATIONS_PER_REQUEST]
                self._save_source_bulk(chunk, result, poll_interval=poll_interval, poll_timeout=poll_timeout)
        else:
            raise ValueError(f"mode must be 'sync' or 'async', got {mode!r}")
        return result

    def _save_source_batch(self, batch: list[dict], result: SourceItemsResult) -> None:
        try:
            self.post("V1/inventory/source-items", {"sourceItems": batch}, idempotent=True)
            result.saved += len(batch)
        except RecordError as error:
            if len(batch) == 1:
                item = batch[0]
                result.failures.append(
                    SourceItemFailure(
                        sku=str(item.get("sku")),
                        source_code=str(item.get("source_code")),
                        message=error.message,
                        code=error.code,
                        field_path=error.field_path,
                    )
                )
                return
            self.log.info("magento source items: a batch of %d was refused; re-sending item by item", len(batch))
            for item in batch:
                self._save_source_batch([item], result)

    def _save_source_bulk(
        self, batches: list[list[dict]], result: SourceItemsResult, *, poll_interval: float, poll_timeout: float
    ) -> None:
        accepted = self.post(
            "async/bulk/V1/inventory/source-items",
            [{"sourceItems": batch} for batch in batches],
            idempotent=True,
        )
        if not isinstance(accepted, dict) or not accepted.get("bulk_uuid"):
            raise TransientError(
                "async bulk source-items: no bulk_uuid in the answer", system=MAGENTO, details=accepted
            )
        uuid = str(accepted["bulk_uuid"])
        result.bulk_uuids.append(uuid)
        rejected: set[int] = set()
        for position, item in enumerate(accepted.get("request_items") or []):
            if isinstance(item, dict) and item.get("status") == "rejected":
                index = _operation_index(item, position, len(batches))
                rejected.add(index)
                self._fail_batch(batches[index], item.get("error_message") or "rejected", None, False, result)
        self.log.info("magento bulk %s: %d operations submitted", uuid, len(batches))
        operations = self.wait_for_bulk(uuid, poll_interval=poll_interval, poll_timeout=poll_timeout)
        for position, operation in enumerate(operations):
            index = _operation_index(operation, position, len(batches))
            if index in rejected:
                continue
            status = int(operation.get("status", BULK_FAILED))
            if status == BULK_COMPLETE:
                result.saved += len(batches[index])
            else:
                self._fail_batch(
                    batches[index],
                    operation.get("result_message") or f"operation status {status}",
                    str(operation["error_code"]) if operation.get("error_code") is not None else None,
                    status == BULK_RETRIABLY_FAILED,
                    result,
                )

    @staticmethod
    def _fail_batch(batch: list[dict], message: str, code: str | None, retriable: bool, result: SourceItemsResult):
        for item in batch:
            result.failures.append(
                SourceItemFailure(
                    sku=str(item.get("sku")),
                    source_code=str(item.get("source_code")),
                    message=message,
                    code=code,
                    retriable=retriable,
                )
            )

    def wait_for_bulk(
        self,
        bulk_uuid: str,
        *,
        poll_interval: float = 0.5,
        poll_timeout: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> list[dict]:
        """Poll ``GET /V1/bulk/{uuid}/status`` until no operation is open; return ``operations_list``."""
        deadline = time.monotonic() + poll_timeout
        interval = poll_interval
        while True:
            status = self.get(f"V1/bulk/{bulk_uuid}/status")
            operations = list((status or {}).get("operations_list") or [])
            open_count = sum(1 for op in operations if int(op.get("status", BULK_OPEN)) == BULK_OPEN)
            if operations and open_count == 0:
                return operations
            if time.monotonic() + interval > deadline:
                raise TransientError(
                    f"magento bulk {bulk_uuid}: {open_count} of {len(operations)} operations still open after "
                    f"{poll_timeout:g}s (is the async.operations.all consumer running?)",
                    system=MAGENTO,
                )
            sleep(interval)
            interval = min(interval * 1.5, 5.0)

    # -- prices ---------------------------------------------------------------------------------

    def save_base_prices(self, prices: Sequence[dict], batch_size: int | None = None) -> list[PriceFailure]:
        """``POST /V1/products/base-prices`` (``{price, store_id, sku}`` rows) in batches; returns refusals."""
        size = self._sync_batch_size(batch_size)
        failures: list[PriceFailure] = []
        for start in range(0, len(prices), size):
            answer = self.post(
                "V1/products/base-prices", {"prices": list(prices[start : start + size])}, idempotent=True
            )
            failures.extend(price_failures(answer))
        return failures

    def save_tier_prices(
        self, prices: Sequence[dict], replace: bool = False, batch_size: int | None = None
    ) -> list[PriceFailure]:
        """Add/update (``POST``) or replace (``PUT``) tier prices; returns refusals.

        ``replace=True`` replaces *all* tier prices of every SKU in a request, so a SKU's rows are
        never split across batches.
        """
        size = self._sync_batch_size(batch_size)
        method = "PUT" if replace else "POST"
        failures: list[PriceFailure] = []
        for batch in _batches_keeping_sku_together(prices, size) if replace else _chunks(prices, size):
            answer = self.request(method, "V1/products/tier-prices", json={"prices": batch}, idempotent=True)
            failures.extend(price_failures(answer))
        return failures

    def delete_tier_prices(self, prices: Sequence[dict], batch_size: int | None = None) -> list[PriceFailure]:
        """``POST /V1/products/tier-prices-delete`` in batches; returns refusals. Magento deletes a stored
        tier only when website, group, quantity, type and price all match the row sent."""
        size = self._sync_batch_size(batch_size)
        failures: list[PriceFailure] = []
        for batch in _chunks(prices, size):
            answer = self.post("V1/products/tier-prices-delete", {"prices": batch}, idempotent=True)
            failures.extend(price_failures(answer))
        return failures

    def price_information(self, kind: str, skus: Sequence[str], batch_size: int = 500) -> list[dict]:
        """``POST /V1/products/{base|tier}-prices-information`` for these SKUs (read-only, batched)."""
        if kind not in ("base", "tier"):
            raise ValueError(f"price information kind must be base or tier, got {kind!r}")
        rows: list[dict] = []
        for batch in _chunks(list(skus), batch_size):
            answer = self.post(f"V1/products/{kind}-prices-information", {"skus": batch}, idempotent=True)
            rows.extend(r for r in answer or [] if isinstance(r, dict))
        return rows

    # -- orders ---------------------------------------------------------------------------------

    def add_order_comment(
        self,
        order_id: int | str,
        comment: str,
        *,
        status: str | None = None,
        is_customer_notified: bool = False,
        is_visible_on_front: bool = False,
    ) -> Any:
        """``POST /V1/orders/{id}/comments``.

        Without ``status`` Magento 2.3/2.4 sets the order status to NULL (M2 #34180), so the current
        status is read first and sent back. Not retried after a timeout (a comment could double).
        """
        if status is None:
            order = self.get(f"V1/orders/{order_id}", params={"fields": "status"})
            status = (order or {}).get("status")
        history: dict[str, Any] = {
            "comment": comment,
            "is_customer_notified": int(is_customer_notified),
            "is_visible_on_front": int(is_visible_on_front),
            "parent_id": int(order_id),
        }
        if status:
            history["status"] = status
        return self.post(f"V1/orders/{order_id}/comments", {"statusHistory": history})

    # -- Airflow UI -----------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """The UI's Test button: the auth line of ``python -m magento_netsuite check``, same words."""
        try:
            finding = magento_auth(self)
        except Exception as exc:  # the UI shows the message; errors carry no secrets
            return False, str(exc)
        return finding.ok, finding.line()


def base_url_of(connection: Any) -> str:
    """The store's base URL: ``host`` when it holds a scheme, else ``schema://host`` (``schema`` defaults to
    https), plus ``:port``. HttpHook has the same rule only inside its private ``_set_base_url``."""
    host = (connection.host or "").strip().rstrip("/")
    if not host:
        raise AuthError("the Magento connection has no host (the store's base URL)", system=MAGENTO)
    url = host if "://" in host else f"{connection.schema or 'https'}://{host}"
    return f"{url}:{connection.port}" if connection.port else url


def price_failures(answer: Any) -> list[PriceFailure]:
    """Magento's ``[{message, parameters}]`` (HTTP 200) as structured failures; ``[]`` means all saved."""
    failures = []
    for entry in answer or []:
        if not isinstance(entry, dict):
            continue
        template = str(entry.get("message", ""))
        values = messages.placeholder_values(template, entry.get("parameters"))
        sku = values.get("SKU") or values.get("sku")
        failures.append(
            PriceFailure(
                sku=sku,
                message=messages.render(template, entry.get("parameters")),
                template=template,
                parameters=values,
                field_path=values.get("fieldName"),
            )
        )
    return failures


def _chunks(rows: Sequence[dict], size: int) -> Iterable[list[dict]]:
    for start in range(0, len(rows), size):
        yield list(rows[start : start + size])


def _batches_keeping_sku_together(rows: Sequence[dict], size: int) -> Iterable[list[dict]]:
    by_sku: dict[str, list[dict]] = {}
    for row in rows:
        by_sku.setdefault(str(row.get("sku")), []).append(row)
    batch: list[dict] = []
    for group in by_sku.values():
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _operation_index(entry: dict, position: int, count: int) -> int:
    """Bulk operation ids are their position in the submitted array; fall back to list order."""
    try:
        index = int(entry.get("id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return position
    return index if 0 <= index < count else position
