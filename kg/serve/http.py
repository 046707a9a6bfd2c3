"""The HTTP side of ``kg serve``: the SPARQL 1.1 Protocol's query operation and nothing else.

Threads only parse requests and wait on a worker's pipe, so the standard library's ``ThreadingHTTPServer`` is
enough; no dependency is added. It is hardened here: a cap on open connections and on request size, socket
read timeouts, a Host check against DNS rebinding while on loopback, and cross-origin requests refused
unless ``--cors ORIGIN`` names the origin.
"""
from __future__ import annotations

import errno
import logging
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kg.errors import KGError, QueryError
from kg.graph.store import NQUADS
from kg.query.protocol import LOOPBACK
from kg.query.sparql import refuse_service
from kg.serve.pool import Limits, Pool
from kg.serve.worker import Answer, Request

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 7878
    cors: str | None = None
    allow_dump: bool = False
    workers: int = 2
    limits: Limits = Limits()
    service_allow: tuple[str, ...] = ()
    max_request_bytes: int = 2**20
    max_connections: int = 64
    read_timeout: float = 10.0


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, out: Path, options: ServeOptions) -> None:
        self.out, self.options = Path(out), options
        self.pool = Pool(self.out, options.workers, options.limits)
        self._connections = threading.BoundedSemaphore(options.max_connections)
        if ":" in options.host:
            self.address_family = socket.AF_INET6
        try:
            super().__init__((options.host, options.port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise KGError(f"port {options.port} on {options.host} is already in use; stop what holds it or "
                              f"choose another with --port") from None
            raise KGError(f"cannot listen on {options.host}:{options.port} ({exc.strerror or exc}); "
                          f"choose another --host or --port") from None

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/query"

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._connections.acquire(blocking=False):
            request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.warning("a request from %s failed", client_address[0], exc_info=True)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.request.settimeout(self.server.options.read_timeout)
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def do_OPTIONS(self) -> None:
        if not self._allowed():
            return
        self._send(Answer(204, "text/plain", b""), ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                   ("Access-Control-Allow-Headers", "Content-Type, Accept"), ("Access-Control-Max-Age", "600"))

    def do_GET(self) -> None:
        if not self._allowed():
            return
        url = urlsplit(self.path)
        if url.path == "/store":
            self._dump()
        elif url.path == "/query":
            self._query(parse_qs(url.query, keep_blank_values=True), None)
        elif url.path == "/":
            self._send(Answer(200, "text/plain; charset=utf-8", f"kg SPARQL endpoint: {self.server.url}\n".encode()))
        else:
            self._send(Answer.error(404, f"no such path {url.path}; SPARQL queries go to /query"))

    def do_POST(self) -> None:
        if not self._allowed():
            return
        url = urlsplit(self.path)
        if url.path != "/query":
            self._send(Answer.error(404 if url.path != "/update" else 403,
                                    "this endpoint is read-only; SPARQL queries go to /query"))
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._send(Answer.error(411, "a POST needs a Content-Length"))
            return
        if int(length) > self.server.options.max_request_bytes:
            self._send(Answer.error(413, f"the request is over {self.server.options.max_request_bytes} bytes"))
            self.close_connection = True
            return
        body = self.rfile.read(int(length)).decode("utf-8", "replace")
        params = parse_qs(url.query, keep_blank_values=True)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            self._query({**params, **parse_qs(body, keep_blank_values=True)}, None)
        elif kind == "application/sparql-query":
            self._query(params, body)
        else:
            self._send(Answer.error(415, "send the query as application/sparql-query or a form's query= field"))

    def do_PUT(self) -> None:
        self._send(Answer.error(405, "this endpoint is read-only; SPARQL queries go to /query"))

    do_DELETE = do_PATCH = do_PUT

    def _query(self, params: dict[str, list[str]], body: str | None) -> None:
        if "update" in params:
            self._send(Answer.error(403, "this endpoint is read-only; updates are refused"))
            return
        sparql = body if body is not None else (params.get("query") or [""])[-1]
        if not sparql or len(params.get("query", [])) > 1:
            self._send(Answer.error(400, "give exactly one query (the query= parameter or a sparql-query body)"))
            return
        try:
            refuse_service(sparql, self.server.options.service_allow)
        except QueryError as exc:
            self._send(Answer.error(403, str(exc)))
            return
        limits = self.server.options.limits
        request = Request(sparql, self.headers.get("Accept") or "*/*",
                          default_graph=tuple(params.get("default-graph-uri", [])),
                          named_graphs=tuple(params.get("named-graph-uri", [])),
                          max_rows=limits.max_rows, max_bytes=limits.max_bytes)
        self._send(self.server.pool.run(request))

    def _dump(self) -> None:
        path = self.server.out / NQUADS
        if not self.server.options.allow_dump:
            self._send(Answer.error(404, "the store dump is off; start kg serve with --allow-dump to offer it"))
        elif not path.is_file():
            self._send(Answer.error(503, f"{self.server.out} no longer holds a kg build"))
        else:
            self._send(Answer(200, "application/n-quads", path.read_bytes()))

    def _allowed(self) -> bool:
        """Refuse another site's page (Origin) and, on loopback, a foreign Host name (DNS rebinding)."""
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0].strip("[]") if not host.endswith("]") else host.strip("[]")
        if self.server.options.host in LOOPBACK and name not in LOOPBACK:
            self._send(Answer.error(403, f"Host {host!r} is not this loopback endpoint"))
            return False
        origin = self.headers.get("Origin")
        if origin and origin != self.server.options.cors and urlsplit(origin).netloc != host:
            self._send(Answer.error(403, "cross-origin requests are refused; start kg serve with --cors ORIGIN"))
            return False
        return True

    def _send(self, answer: Answer, *headers: tuple[str, str]) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.media_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.server.options.cors:
            self.send_header("Access-Control-Allow-Origin", self.server.options.cors)
            self.send_header("Vary", "Origin")
        for name, value in (*answer.headers, *headers):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)
