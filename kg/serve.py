"""Serve a built graph over the SPARQL 1.1 Protocol with Oxigraph's own HTTP server.

The ``oxigraph`` wheel (the ``serve`` extra) ships the server binary; it opens OUT's store read-only, so
several servers and ``kg query`` can share one build. YASGUI and other browser clients need CORS, which is on.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from kg.errors import GraphError
from kg.graph.store import STORE_DIR, read_manifest


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable beside this Python (a virtualenv's bin/), else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise GraphError("the Oxigraph server is not installed; install it with `pip install 'kg[serve]'`")
    return found


def server_command(out: str | Path, host: str = "127.0.0.1", port: int = 7878) -> list[str]:
    """The command line that serves OUT read-only, querying the union of its named graphs by default."""
    read_manifest(out)  # a clear error when OUT is not a kg build
    return [oxigraph_binary(), "serve-read-only", "--location", str(Path(out) / STORE_DIR),
            "--bind", f"{host}:{port}", "--cors", "--union-default-graph"]


def serve(out: str | Path, host: str = "127.0.0.1", port: int = 7878) -> int:
    """Run the server in the foreground until interrupted; returns its exit code."""
    try:
        return subprocess.call(server_command(out, host, port))
    except KeyboardInterrupt:
        return 0
