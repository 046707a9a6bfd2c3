"""Serve a built graph as a read-only SPARQL 1.1 Protocol endpoint that is safe to leave running.

Oxigraph's own server cannot be made safe from outside: it follows SERVICE for anyone, its ``--timeout-s``
leaves the query running (both cores stay pinned), it has no result cap, and ``GET /store`` dumps everything.
So kg puts a small layer in front of pyoxigraph itself:

- ``http.py``: the standard library's threading HTTP server (no new dependency: threads only wait), loopback
  by default, CORS off unless ``--cors ORIGIN``, the dump off unless ``--allow-dump``, SERVICE refused unless
  its endpoint is in ``KG_SERVICE_ALLOW``;
- ``pool.py``: a few worker processes under a per-query timeout, reopened when ``kg build`` replaces OUT;
- ``worker.py``: the process that runs a query and is killed at the timeout (the only way to stop one);
- ``results.py``: results written under a row cap and a byte cap (422 past either; 503 at the timeout).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.serve.pool import Limits

if TYPE_CHECKING:
    from kg.serve.http import ServeOptions, SparqlServer

__all__ = ["Limits", "make_server", "serve"]


def make_server(out: str | Path, options: ServeOptions | None = None) -> SparqlServer:
    """Check OUT, bind the port (KGError when it is taken) and start the workers; call ``serve_forever`` next."""
    from kg.serve.http import ServeOptions, SparqlServer

    _check_out(Path(out))
    server = SparqlServer(Path(out), options or ServeOptions())
    server.pool.start()
    return server


def serve(out: str | Path, options: ServeOptions | None = None,
          on_ready: Callable[[SparqlServer], None] | None = None) -> None:
    """Serve OUT until interrupted; ``on_ready`` runs once the port is bound (the CLI prints its banner there)."""
    server = make_server(out, options)
    try:
        if on_ready is not None:
            on_ready(server)
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def _check_out(out: Path) -> None:
    """A clear error now, not on the first query, when OUT is not a kg build this version can read."""
    from kg.graph.store import open_store

    open_store(out)
