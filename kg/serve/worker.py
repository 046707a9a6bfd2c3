"""Queries run in a worker process that is killed at the timeout: the only way to truly stop an Oxigraph query.

pyoxigraph has no query timeout or cancellation (oxigraph/oxigraph#1926), and Oxigraph's own server cannot stop
a running query either (its ``--timeout-s`` leaves the evaluation running, oxigraph#1336). A process can be
killed: the CPU is free the moment the timeout passes, and a new worker opens the store again on demand.
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import kg.serve.results as res


@dataclass(frozen=True)
class Request:
    """One query with its limits. ``substitutions`` maps variable names to pyoxigraph terms (they pickle)."""

    sparql: str
    accept: str = res.JSON
    substitutions: tuple[tuple[str, Any], ...] = ()
    default_graph: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int | None = None
    max_bytes: int | None = None


@dataclass(frozen=True)
class Answer:
    """An HTTP-shaped answer: a status, a media type and the body (an error's body is its one-line message)."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def error(cls, status: int, message: str, *headers: tuple[str, str]) -> Answer:
        return cls(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"), headers)

    @property
    def message(self) -> str:
        return self.body.decode("utf-8", "replace").strip()


class WorkerGone(Exception):
    """The worker was killed at the timeout, or died; ``Worker.ask`` has already reaped it."""


def execute(store: Any, request: Request) -> Answer:
    """Run ``request`` on an open store and write its results; errors become 4xx/5xx answers, never exceptions."""
    import pyoxigraph

    from kg.graph.prefixes import prefix_map

    options: dict[str, Any] = {"substitutions": {pyoxigraph.Variable(k): v for k, v in request.substitutions}}
    if request.default_graph:
        options["default_graph"] = [pyoxigraph.NamedNode(g) for g in request.default_graph]
    else:
        options["use_default_graph_as_union"] = True
    if request.named_graphs:
        options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in request.named_graphs]
    try:
        found = store.query(request.sparql, **options)
        if isinstance(found, pyoxigraph.QueryBoolean):
            media = res.choose(request.accept, res.BOOLEAN_TYPES)
            return _answer(media, res.BOOLEAN_TYPES, lambda m: res.write_boolean(bool(found), m))
        if isinstance(found, pyoxigraph.QueryTriples):
            media = res.choose(request.accept, res.GRAPH_TYPES)
            return _answer(media, res.GRAPH_TYPES, lambda m: res.write_triples(
                found, m, request.max_rows, request.max_bytes, prefixes=prefix_map()))
        variables = [v.value for v in found.variables]
        media = res.choose(request.accept, res.SOLUTION_TYPES)
        return _answer(media, res.SOLUTION_TYPES, lambda m: res.write_solutions(
            variables, found, m, request.max_rows, request.max_bytes))
    except SyntaxError as exc:
        return Answer.error(400, f"the query is not valid SPARQL: {_one_line(exc)}")
    except ValueError as exc:  # an invalid IRI in a graph parameter
        return Answer.error(400, f"the request is not valid: {_one_line(exc)}")
    except res.TooLarge as exc:
        return Answer.error(422, str(exc))
    except OSError as exc:
        return Answer.error(500, f"the query failed: {_one_line(exc)}")


def _answer(media: str | None, offered: tuple[str, ...], write: Any) -> Answer:
    if media is None:
        return Answer.error(406, f"no acceptable result format; this query's results come as {', '.join(offered)}")
    return Answer(200, media, write(media))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:500]


def _main(conn: Connection, store_dir: str) -> None:
    """The worker: open the store, tell the parent, then answer requests until the pipe closes."""
    import pyoxigraph

    try:
        store = pyoxigraph.Store.read_only(store_dir)
    except OSError as exc:
        conn.send(Answer.error(503, f"cannot open the store {store_dir} ({_one_line(exc)}); rebuild it"))
        return
    conn.send(None)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(execute(store, request))


def context() -> Any:
    """``forkserver``: workers fork from a clean process, never from one with threads (the HTTP server's, or
    RocksDB's native ones in a process that has a store open), which ``fork`` would make unsafe."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["kg.serve.worker", "pyoxigraph"])
    return ctx


class Worker:
    """One process holding the store open read-only; ``tag`` says which build of OUT it opened."""

    def __init__(self, store_dir: Path, tag: object = None, ctx: Any = None) -> None:
        self.tag = tag
        ctx = ctx or context()
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_main, args=(child, str(store_dir)), daemon=True)
        self._process.start()
        child.close()
        self._ready = False

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.is_alive()

    def ask(self, request: Request, timeout: float) -> Answer:
        """The worker's answer, or WorkerGone after killing it when ``timeout`` seconds pass first."""
        import time

        deadline = time.monotonic() + timeout
        try:
            if not self._ready:
                if not self._conn.poll(timeout):
                    raise TimeoutError
                opened = self._conn.recv()
                if opened is not None:
                    self.kill()
                    return opened
                self._ready = True
            self._conn.send(request)
            if not self._conn.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError
            return self._conn.recv()
        except TimeoutError:
            self.kill()
            raise WorkerGone(f"the query was stopped after the {timeout:g} s timeout; "
                             "narrow it or add a LIMIT") from None
        except (EOFError, OSError) as exc:
            self.kill()
            raise WorkerGone(f"the query worker died ({_one_line(exc) or 'no reason given'})") from exc

    def kill(self) -> None:
        """Stop the process now (SIGKILL: a query in native code ignores gentler signals) and reap it."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join(5)
        self._conn.close()


def run_once(store_dir: Path, request: Request, timeout: float) -> Answer:
    """Run one request in a fresh worker (``kg query`` with a timeout); the worker is gone afterwards."""
    worker = Worker(store_dir)
    try:
        return worker.ask(request, timeout)
    except WorkerGone as exc:
        return Answer.error(503, str(exc))
    finally:
        worker.kill()
