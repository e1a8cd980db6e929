"""The parallel write loop every flow's load and side effects go through.

Items are written ``workers`` at a time (the caller's share of the API's concurrency). An auth error
stops everything at once: every later call would fail the same way, and it must alert now. A
transient error (timeout, 429, 5xx past the hook's own retries) lets the other items finish, then the
loop raises one :class:`TransientError` naming how many failed, so Airflow retries the task and the
rerun skips what landed. A record-level error is the write function's to turn into an outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar

from magento_netsuite.connectors.errors import TransientError

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


def write_all(
    items: Iterable[T],
    write: Callable[[T], R],
    *,
    workers: int,
    what: str,
    system: str | None = None,
    threads: int | None = None,
) -> list[R]:
    """``write`` each item, in parallel; the results of the ones that finished, in input order.

    ``what`` names the items in the error ("order(s)", "source-item batch(es)"); ``system`` the target.

    ``threads`` (default ``workers``) items are in progress at once. More threads than ``workers`` keep
    every API slot busy: while ``workers`` threads wait on the API, the others build, sign and settle
    their items, so a slot that frees is taken at once instead of idling through a thread's
    client-side work. Give it only when every request ``write`` makes goes through a hook whose
    concurrency bound is ``workers``: that bound, not the thread count, then holds the requests in flight.
    """
    items = list(items)
    if not items:
        return []
    results: dict[int, R] = {}
    transient: list[TransientError] = []
    size = max(1, min(max(workers, threads or 0), len(items)))
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="mns-write") as pool:
        futures = {pool.submit(write, item): n for n, item in enumerate(items)}
        for future in as_completed(futures):
            error = future.exception()
            if error is None:
                results[futures[future]] = future.result()
            elif isinstance(error, TransientError):
                transient.append(error)
            else:  # auth (every later call fails the same way) or a bug: stop, never swallowed
                for other in futures:
                    other.cancel()
                raise error
    if transient:
        raise TransientError(
            f"{len(transient)} of {len(items)} {what} could not be written past the retry budget "
            f"(first: {transient[0]}); the task retries and skips what landed",
            system=system or transient[0].system,
        )
    return [results[n] for n in sorted(results)]
