"""The SPARQL 1.1 Protocol from the client side: post a query, read JSON results or an RDF graph back.

``kg query URL`` and ``kg query OUT`` under a timeout (which runs in a worker process) both read their results
through ``read_results``, so a row means the same whichever way it came.
"""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kg.errors import QueryError

if TYPE_CHECKING:
    from kg.query import QueryResult

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def direct_handlers(url: str) -> list[Any]:
    """urllib handlers that keep a request to this machine off a proxy set for the outside world."""
    import urllib.request

    return [urllib.request.ProxyHandler({})] if urlsplit(url).hostname in LOOPBACK else []


def post_query(url: str, sparql: str, *, timeout: float = 60.0) -> tuple[str, bytes]:
    """POST ``sparql`` to an endpoint; its media type and body. QueryError carries the server's own message."""
    import urllib.error
    import urllib.parse
    import urllib.request

    # The protocol's form POST (query=...), which every store answers; Virtuoso 7.2 never answers a POST of
    # application/sparql-query (openlink/virtuoso-opensource#842).
    body = urllib.parse.urlencode({"query": sparql}).encode("ascii")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT})
    handlers = direct_handlers(url)
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
            chunks = []
            while chunk := response.read(1 << 16):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError("timed out")
            media = response.headers.get_content_type()
            return media, b"".join(chunks)
    except urllib.error.HTTPError as exc:
        message = " ".join(exc.read(2000).decode("utf-8", "replace").split())[:300] or exc.reason
        raise QueryError(f"SPARQL endpoint {url} answered {exc.code}: {message}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise QueryError(f"SPARQL endpoint {url} did not answer ({reason}) within {timeout:g} s; "
                         "check the URL and that the server is running") from None


def read_results(media: str, body: bytes, where: str) -> QueryResult:
    """SPARQL JSON results (SELECT, ASK) or an N-Triples/Turtle graph (CONSTRUCT, DESCRIBE) as a QueryResult."""
    from kg.query import QueryResult

    if media in ("application/n-triples", "text/turtle", "text/plain"):
        import pyoxigraph

        fmt = pyoxigraph.RdfFormat.TURTLE if media == "text/turtle" else pyoxigraph.RdfFormat.N_TRIPLES
        try:
            triples = tuple(q.triple for q in pyoxigraph.parse(body, format=fmt))
        except SyntaxError as exc:
            raise QueryError(f"{where} answered a graph that does not parse ({exc})") from None
        return _graph_result(triples)
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except ValueError:
        raise QueryError(f"{where} did not answer with SPARQL JSON results (got {media})") from None
    if not isinstance(data, dict):
        raise QueryError(f"{where} did not answer with SPARQL JSON results")
    if "boolean" in data:
        return QueryResult(("ask",), ((bool(data["boolean"]),),))
    columns = tuple(data.get("head", {}).get("vars", []))
    rows = tuple(tuple(_cell(binding.get(c)) for c in columns) for binding in data.get("results", {}).get(
        "bindings", []))
    return QueryResult(columns, rows)


def _graph_result(triples: tuple[Any, ...]) -> QueryResult:
    from kg.query import QueryResult, _value

    rows = tuple((_value(t.subject), _value(t.predicate), _value(t.object)) for t in triples)
    return QueryResult(("subject", "predicate", "object"), rows, triples)


def _cell(cell: dict[str, Any] | None) -> Any:
    from kg.graph.prefixes import compress
    from kg.query import literal_value

    if cell is None:
        return None
    if cell.get("type") == "uri":
        return compress(cell["value"])
    if cell.get("type") == "bnode":
        return f"_:{cell['value']}"
    if cell.get("type") == "triple":
        parts = cell["value"]
        return " ".join(str(_cell(parts.get(k))) for k in ("subject", "predicate", "object"))
    return literal_value(cell["value"], cell.get("datatype", ""))
