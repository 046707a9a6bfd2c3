"""Push a built graph into a SPARQL store: SPARQL 1.1 Update or the Graph Store Protocol, in batches.

OUT's ``graph.nq`` is read as a stream (it is sorted by subject, so the graphs interleave): each batch of triples
goes to its graphs in one request per batch (update) or per graph in the batch (GSP). The first batch that touches
a graph replaces it (``DROP SILENT GRAPH`` before the insert, or an HTTP PUT), later ones add to it, so pushing the
same OUT again leaves the store as one push did. Every request this module makes goes through ``_Sender``.
"""
from __future__ import annotations

import http.client
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from kg.errors import GraphError, PushError

log = logging.getLogger(__name__)

PROTOCOLS = ("update", "gsp")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RETRY_STATUS = {502, 503, 504}
# ECHAR escapes only: a \uXXXX escape means the same in N-Triples and SPARQL, but SPARQL decodes it before parsing.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"})
_WRONG_URL = ("check the URL: the update endpoint (Oxigraph /update, Virtuoso /sparql-auth) or, with --protocol gsp, "
              "the graph store (Oxigraph /store, Virtuoso /sparql-graph-crud-auth)")


@dataclass(frozen=True)
class PushOptions:
    """Where and how to push: checked here, at the edge, so a bad option fails before any request."""

    endpoint: str
    protocol: str = "update"
    graph: str | None = None
    auth: tuple[str, str] | None = None
    batch: int = 2000
    timeout: float = 60.0
    retries: int = 2

    def __post_init__(self) -> None:
        if urlsplit(self.endpoint).scheme not in ("http", "https") or not urlsplit(self.endpoint).hostname:
            raise PushError(f"endpoint {self.endpoint!r} is not an http(s) URL; pass the store's update endpoint "
                            "(e.g. http://localhost:7878/update)")
        if self.protocol not in PROTOCOLS:
            raise PushError(f"unknown protocol {self.protocol!r}; choose one of {', '.join(PROTOCOLS)}")
        if self.batch < 1:
            raise PushError(f"--batch must be at least 1, got {self.batch}")
        if self.graph is not None:
            import pyoxigraph

            try:
                pyoxigraph.NamedNode(self.graph)
            except ValueError:
                raise PushError(f"--graph {self.graph!r} is not an absolute IRI") from None


@dataclass(frozen=True)
class PushSummary:
    """What a push did, as ``kg push`` prints it."""

    endpoint: str
    protocol: str
    graphs: tuple[str, ...]
    triples: int
    requests: int
    seconds: float

    def render(self) -> str:
        return "\n".join([f"endpoint     {self.endpoint} ({self.protocol})",
                          f"graphs       {len(self.graphs)}  (replaced)",
                          f"triples      {self.triples}",
                          f"requests     {self.requests}",
                          f"seconds      {self.seconds:.2f}"]) + "\n"


def parse_auth(text: str) -> tuple[str, str]:
    """``user:password`` as a pair; the password may itself hold colons."""
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise PushError("--auth takes USER:PASSWORD")
    return user, password


def push(out: str | Path, options: PushOptions, *, progress: bool = False) -> PushSummary:
    """Load OUT's graph into the store at ``options.endpoint``, replacing each graph it holds (or ``options.graph``)."""
    from tqdm import tqdm

    from kg.graph.store import NQUADS, read_manifest

    out = Path(out)
    total = read_manifest(out).get("quads")
    started = time.monotonic()
    send = _Sender(options)
    seen: dict[str | None, None] = {}
    triples = 0
    with tqdm(total=total if isinstance(total, int) else None, desc="push", unit=" triples", leave=False,
              disable=not progress) as bar:
        for batch in _batches(out / NQUADS, options.batch, options.graph):
            fresh = [g for g in batch if g not in seen]
            if options.protocol == "update":
                send.update(_update_text(batch, fresh))
            else:
                for graph, lines in batch.items():
                    send.graph_store(graph, lines, replace=graph in fresh)
            seen.update(dict.fromkeys(fresh))
            count = sum(len(lines) for lines in batch.values())
            triples += count
            bar.update(count)
    if options.graph is not None and not seen:  # an empty OUT still replaces the target graph
        if options.protocol == "update":
            send.update(f"DROP SILENT GRAPH <{options.graph}>")
        else:
            send.graph_store(options.graph, [], replace=True)
        seen[options.graph] = None
    seconds = time.monotonic() - started
    log.info("pushed %d triples into %d graphs in %d requests (%.1f s)", triples, len(seen), send.requests, seconds)
    return PushSummary(options.endpoint, options.protocol, tuple(g or "(default graph)" for g in seen), triples,
                       send.requests, seconds)


def _batches(path: Path, size: int, into: str | None) -> Iterator[dict[str | None, list[str]]]:
    """Triples in N-Triples syntax grouped by graph (None: the default graph), ``size`` triples per batch."""
    import pyoxigraph

    batch: dict[str | None, list[str]] = {}
    count = 0
    try:
        for quad in pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.N_QUADS):
            graph = into if into is not None else _graph_name(quad.graph_name)
            batch.setdefault(graph, []).append(f"{_term(quad.subject)} {_term(quad.predicate)} {_term(quad.object)} .")
            count += 1
            if count == size:
                yield batch
                batch, count = {}, 0
    except SyntaxError as exc:
        raise GraphError(f"{path} does not parse as N-Quads ({exc}); rebuild it with `kg build ... -o "
                         f"{path.parent}`") from None
    if batch:
        yield batch


def _graph_name(term: Any) -> str | None:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.DefaultGraph):
        return None
    raise PushError("graph.nq names a graph by a blank node, which a store cannot be asked to replace; "
                    "push it with --graph IRI")


def _term(term: Any) -> str:
    """A term as N-Triples, which is also what SPARQL's INSERT DATA reads."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, pyoxigraph.Literal):
        text = '"' + term.value.translate(_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        datatype = term.datatype.value
        return text if datatype in (_XSD_STRING, _RDF_LANG_STRING) else f"{text}^^<{datatype}>"
    if isinstance(term, pyoxigraph.BlankNode):
        # A label means one node only within a request, and batches are separate requests; kg writes none.
        raise PushError("graph.nq holds blank nodes, which would not stay one node across batches; "
                        "kg writes none, so rebuild OUT with `kg build`")
    raise PushError(f"graph.nq holds a term a SPARQL store cannot load ({term}); rebuild OUT with `kg build`")


def _update_text(batch: dict[str | None, list[str]], fresh: list[str | None]) -> str:
    """One update request: drop the graphs this batch is first to touch, then insert its triples."""
    drops = [f"DROP SILENT GRAPH <{g}> ;\n" for g in fresh if g is not None]
    blocks = ["\n".join(lines) if g is None else f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}"
              for g, lines in batch.items()]
    return "".join(drops) + "INSERT DATA {\n" + "\n".join(blocks) + "\n}\n"


class _Sender:
    """The one place that talks to the store: timeouts, retries on a busy server, Basic or Digest auth."""

    def __init__(self, options: PushOptions) -> None:
        self.options = options
        self.requests = 0
        from kg.query.protocol import direct_handlers

        handlers: list[urllib.request.BaseHandler] = direct_handlers(options.endpoint)
        if options.auth is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, options.endpoint, *options.auth)
            # The store's 401 challenge picks the scheme: Digest (Virtuoso's /sparql-auth) or Basic.
            handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                         urllib.request.HTTPBasicAuthHandler(passwords)]
        self.opener = urllib.request.build_opener(*handlers)

    def update(self, text: str) -> None:
        self._send(self.options.endpoint, "POST", text.encode("utf-8"), "application/sparql-update; charset=utf-8",
                   "an update")

    def graph_store(self, graph: str | None, lines: list[str], *, replace: bool) -> None:
        base = self.options.endpoint
        where = "default" if graph is None else "graph=" + quote(graph, safe="")
        url = f"{base}{'&' if urlsplit(base).query else '?'}{where}"
        body = "".join(line + "\n" for line in lines).encode("utf-8")
        self._send(url, "PUT" if replace else "POST", body, "application/n-triples; charset=utf-8",
                   f"a {'PUT' if replace else 'POST'} of graph {graph or '(default)'}")

    def _send(self, url: str, method: str, body: bytes, media: str, what: str) -> None:
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={"Content-Type": media, "Accept": "*/*"})
        endpoint = self.options.endpoint
        for attempt in range(self.options.retries + 1):
            self.requests += 1
            try:
                with self.opener.open(request, timeout=self.options.timeout) as response:
                    response.read()
                return
            except urllib.error.HTTPError as exc:
                if exc.code in _RETRY_STATUS and attempt < self.options.retries:
                    time.sleep(attempt + 1)
                    continue
                message = _server_message(exc.read(4000)) or str(exc.reason)
                hint = _hint(exc.code, message, self.options.auth is not None)
                raise PushError(f"{endpoint} answered {exc.code} to {what}: {message}; {hint}") from None
            except ValueError as exc:  # urllib's auth handlers meet a scheme they do not speak
                raise PushError(f"{endpoint} asks for an authentication kg cannot give ({exc}); use Basic or "
                                "Digest") from None
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                reason = getattr(exc, "reason", None) or exc
                transient = isinstance(reason, (TimeoutError, ConnectionResetError)) or "timed out" in str(reason)
                if transient and attempt < self.options.retries:
                    time.sleep(attempt + 1)
                    continue
                raise PushError(f"{endpoint} did not answer {what} ({reason}); check the URL and that the store is "
                                "running") from None


def _hint(status: int, message: str, with_auth: bool) -> str:
    """What to try, from the status and the store's words (Virtuoso says SECURITY with a 500)."""
    if status == 413 or "memory exhausted" in message or "SP031" in message:
        hint = "pass a smaller --batch (Virtuoso 7's SPARQL compiler gives up near 5,000 triples per request)"
        return hint if with_auth else hint + "; Virtuoso takes writes only at /sparql-auth, with --auth"
    if status == 401:
        return "check the --auth credentials" if with_auth else ("pass --auth USER:PASSWORD (Virtuoso: its "
                                                                  "/sparql-auth or /sparql-graph-crud-auth endpoint)")
    if status == 403 or "SECURITY" in message:
        return ("this account may not write; pass --auth USER:PASSWORD for one that may (Virtuoso: the "
                "/sparql-auth endpoint)")
    if status in (404, 405, 415):
        return _WRONG_URL
    if status == 400:
        return "the store could not read the request; " + _WRONG_URL
    return "see the store's log"


def _server_message(body: bytes) -> str:
    """The store's error in one short line (Virtuoso answers HTML, Oxigraph plain text)."""
    text = re.sub(r"<[^>]+>", " ", body.decode("utf-8", "replace"))
    text = re.sub(r"SPARQL query:.*", "", " ".join(text.split()), flags=re.S)  # Virtuoso echoes the whole update
    return text.strip()[:300]
