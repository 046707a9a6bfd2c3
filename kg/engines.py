"""Where a build's batches of documents are read: in this process, in worker processes, or on a Dask cluster.

Every engine runs the same :func:`kg.shards.read_batch` on the same batches and yields the results in batch order,
so the graph is byte-identical whatever the engine or worker count. At most two batches per worker are in flight
at a time, so the documents waiting for a worker do not pile up in memory. Dask (``pip install 'kg[dask]'``) is
imported only when asked for; its workers need kg and the same vocabulary index (docs/scale.md).
"""
from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from kg.errors import InputError

if TYPE_CHECKING:
    from kg.document import Document
    from kg.shards import BatchResult


ENGINES = ("local", "dask")
IN_FLIGHT_PER_WORKER = 2


def read_batches(batches: Iterable[list[Document]], pipeline: str, *, engine: str = "local", workers: int = 1,
                 scheduler: str | None = None) -> Iterator[BatchResult]:
    """:func:`~kg.shards.read_batch` over ``batches``, results in batch order.

    ``engine="local"`` runs in this process (``workers=1``) or in ``workers`` forked processes; ``engine="dask"``
    on the cluster at ``scheduler`` (``tcp://host:8786``), or on a ``LocalCluster`` of ``workers`` processes.
    """
    from kg.shards import read_batch, warm

    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    if scheduler and engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    batches = iter(batches)  # taken as they are read, so a caller may let go of each batch's documents
    first = next(batches, None)
    if first is None:
        return  # nothing to read: no cluster, pool or pipeline is started
    batches = itertools.chain([first], batches)
    if engine == "dask":
        yield from _dask(batches, pipeline, workers, scheduler)
        return
    if workers == 1:
        yield from _checked_behind(batches, pipeline)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    warm(pipeline)  # loaded once here; forked workers share the pages
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from _in_order(lambda batch: pool.submit(read_batch, batch, pipeline), batches, workers)


def _checked_behind(batches: Iterable[list[Document]], pipeline: str) -> Iterator[BatchResult]:
    """In this process, each batch's SHACL check (:func:`kg.shards.checked`: the Rust engine, which lets go of the
    GIL for much of its work) runs on a second thread while the next batch is read. The same results, in order."""
    from concurrent.futures import ThreadPoolExecutor

    from kg.shards import checked, read_batch

    with ThreadPoolExecutor(1, thread_name_prefix="kg-shacl") as pool:
        behind = None
        for batch in batches:
            result = read_batch(batch, pipeline, check=False)
            if behind is not None:
                yield behind.result()
            behind = pool.submit(checked, result)
        if behind is not None:
            yield behind.result()


def _in_order(submit: Callable[[list[Document]], Any], batches: Iterable[list[Document]],
              workers: int) -> Iterator[BatchResult]:
    """Submit batches with at most ``IN_FLIGHT_PER_WORKER`` per worker waiting; yield results in order."""
    pending: deque = deque()
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _dask(batches: Iterable[list[Document]], pipeline: str, workers: int,
          scheduler: str | None) -> Iterator[BatchResult]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--engine dask needs Dask: pip install 'kg[dask]'") from None
    from kg.shards import read_batch

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); check --scheduler") from None
        cluster = None
        workers = max(1, len(client.scheduler_info().get("workers", {})))
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        yield from _in_order(lambda batch: client.submit(read_batch, batch, pipeline, pure=False), batches, workers)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
