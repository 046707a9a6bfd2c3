"""`kg push` into real stores that these tests start and stop on loopback: Oxigraph's server and Virtuoso.

Every named query gives the same rows on the store as on OUT; pushing again replaces, never adds. A server that is
not installed skips its tests and says how to get it (`.ci/run` installs both).
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.query import list_queries, run_query

LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))
QUERY_NAMES = [q.name for q in list_queries()]
TEST_GRAPH = "https://example.org/kg-push-test"
VIRTUOSO_INI = """\
[Database]
DatabaseFile       = virtuoso.db
ErrorLogFile       = virtuoso.log
LockFile           = virtuoso.lck
TransactionFile    = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage        = TempDatabase
[TempDatabase]
DatabaseFile       = virtuoso-temp.db
TransactionFile    = virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
DirsAllowed        = .
NumberOfBuffers    = 2000
MaxDirtyBuffers    = 1200
CheckpointInterval = 0
[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = www
ServerThreads      = 4
Charset            = UTF-8
[SPARQL]
ResultSetMaxRows      = 1000000
MaxQueryExecutionTime = 0
"""


@dataclass(frozen=True)
class Store:
    """A running server: where to push (update endpoint, graph store) and where to query."""

    name: str
    update: str
    gsp: str
    query: str
    auth: tuple[str, str] | None = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(command: list[str], cwd: Path, ready_url: str, name: str) -> subprocess.Popen:
    with (cwd / "server.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"{name} exited at start: {(cwd / 'server.log').read_text(errors='replace')[-2000:]}")
        try:
            with LOCAL.open(ready_url + "?query=" + urllib.parse.quote("ASK {}"), timeout=2):
                return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    _stop(server)
    pytest.fail(f"{name} did not answer within 60 s")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory) -> Iterator[Store]:
    exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if exe is None:
        pytest.skip("Oxigraph's server is not installed: pip install 'kg[serve]' (the test extra has it)")
    home = tmp_path_factory.mktemp("oxigraph")
    base = f"http://127.0.0.1:{_free_port()}"
    # kg's queries read the union of the named graphs as the default graph, as Virtuoso does by itself.
    server = _start([exe, "serve", "--location", str(home / "db"), "--bind", base.removeprefix("http://"),
                     "--union-default-graph"], home, base + "/query", "oxigraph serve")
    yield Store("oxigraph", base + "/update", base + "/store", base + "/query")
    _stop(server)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory) -> Iterator[Store]:
    exe = shutil.which("virtuoso-t")
    if exe is None:
        pytest.skip("Virtuoso is not installed: apt-get install virtuoso-opensource (.ci/run installs it)")
    home = tmp_path_factory.mktemp("virtuoso")
    (home / "www").mkdir()
    http_port = _free_port()
    (home / "virtuoso.ini").write_text(VIRTUOSO_INI.format(sql_port=_free_port(), http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    server = _start([exe, "+foreground", "+configfile", "virtuoso.ini"], home, base + "/sparql", "virtuoso-t")
    # A new database's dba password is dba; the -auth endpoints take it by HTTP Digest.
    yield Store("virtuoso", base + "/sparql-auth", base + "/sparql-graph-crud-auth", base + "/sparql", ("dba", "dba"))
    _stop(server)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def store(request) -> Store:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """The mini review with its facts (about 1,650 quads in 3 graphs): every named query has rows on it."""
    from test_extract import mini_inputs
    from test_queries_facts import _build

    docs, res = mini_inputs()
    path = tmp_path_factory.mktemp("push") / "out"
    _build(docs, res, path)
    return path


@pytest.fixture(scope="module")
def bindings(out) -> dict[str, dict[str, str]]:
    """Values for the queries that take them, read from OUT: a real mechanism step."""
    step = run_query(out, "mechanism_chain").records()[0]
    assert step["subject"] and step["object"] and step["predicate"]
    return {"claims_about": {"entity": str(step["object"])}, "mentions_of": {"entity": str(step["subject"])},
            "mechanism_chain": {"drug": str(step["drug"])},
            "evidence_for": {k: str(step[k]) for k in ("subject", "predicate", "object")}}


def _update(store: Store, text: str) -> None:
    from kg.push import PushOptions, _Sender

    _Sender(PushOptions(store.update, auth=store.auth)).update(text)


def _push(out: Path, store: Store, protocol: str = "update", **options):
    from kg.push import PushOptions, push

    endpoint = store.update if protocol == "update" else store.gsp
    return push(out, PushOptions(endpoint, protocol=protocol, auth=store.auth, **options))


def _rows(target: str | Path, sparql: str, tmp_path: Path) -> list[tuple]:
    rq = tmp_path / "q.rq"
    rq.write_text(sparql)
    return sorted(run_query(target, str(rq)).rows)


def _graph_counts(target: str | Path, tmp_path: Path, graphs: set[str] | None = None) -> dict[str, int]:
    from kg.graph.prefixes import expand

    rows = _rows(target, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", tmp_path)
    counts = {g if g.startswith("https://example.org/") else expand(g): n for g, n in rows}  # kg push's full IRIs
    return {g: n for g, n in counts.items() if graphs is None or g in graphs}  # Virtuoso keeps system graphs of its own


def _same_rows(rows) -> list[str]:
    """Rows as an engine-independent multiset: GROUP_CONCAT's order is the engine's own, so |-joined cells are
    compared as sets of parts."""
    def cell(value):
        return "|".join(sorted(value.split("|"))) if isinstance(value, str) and "|" in value else value

    return sorted(repr(tuple(cell(v) for v in row)) for row in rows)


@pytest.fixture(scope="module")
def loaded(out, store) -> Store:
    """``store`` holding OUT, pushed in 4 batches (so each graph is replaced once, then added to)."""
    _push(out, store, batch=500)
    return store


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_named_query_gives_the_same_rows_on_the_store(out, loaded, bindings, name):
    store = loaded
    for bound in ({}, bindings.get(name)):
        if bound is None:
            continue
        local = run_query(out, name, bound or None)
        remote = run_query(store.query, name, bound or None)
        assert remote.columns == local.columns
        assert _same_rows(remote.rows) == _same_rows(local.rows), (name, bound)
        if store.name == "oxigraph":  # the same engine orders ties alike; other engines may not
            assert remote.rows == local.rows, (name, bound)
        if bound:
            assert local.rows, f"{name} with {bound} has no rows on the fixture; the comparison would prove nothing"


@pytest.mark.parametrize("protocol", ["update", "gsp"])
def test_pushing_again_replaces_the_graphs(out, store, protocol, tmp_path):
    local = _graph_counts(out, tmp_path)
    first = _push(out, store, protocol)
    assert set(first.graphs) == set(local) and first.triples == sum(local.values())
    assert _graph_counts(store.query, tmp_path, set(local)) == local
    doc = next(g for g in local if "/graph/doc/" in g)
    stale = '<https://example.org/stale> <https://example.org/p> "left over"'
    _update(store, f"INSERT DATA {{ GRAPH <{doc}> {{ {stale} }} }}")
    assert _graph_counts(store.query, tmp_path, set(local))[doc] == local[doc] + 1
    _push(out, store, protocol, batch=700)  # other batch boundaries, same result
    assert _graph_counts(store.query, tmp_path, set(local)) == local


def test_push_into_one_graph(out, store, tmp_path):
    triples = _rows(out, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
                    tmp_path)[0][0]
    try:
        for protocol in ("update", "gsp", "update"):
            summary = _push(out, store, protocol, graph=TEST_GRAPH, batch=1000)
            assert summary.graphs == (TEST_GRAPH,)
            assert _graph_counts(store.query, tmp_path, {TEST_GRAPH}) == {TEST_GRAPH: triples}
    finally:  # the named-query test reads the union of all graphs
        _update(store, f"DROP SILENT GRAPH <{TEST_GRAPH}>")


def test_terms_arrive_as_they_are(store, tmp_path):
    """Language tags, datatypes and the escapes N-Triples and SPARQL share (a backslash before u0022 included)."""
    import rdflib
    from rdflib import XSD, Literal, URIRef

    from kg.graph.store import write_graph

    g = URIRef("https://example.org/kg-push-terms")
    s, p = URIRef("https://example.org/s/é%20x"), URIRef("https://example.org/p")
    objects = [Literal('quote " backslash \\ tab \t newline \n return \r end'), Literal("a \\u0022 stays six"),
               Literal("ümlaut ’ 𝛽-arrestin"), Literal("chat", lang="fr"), Literal("colour", lang="en-GB"),
               Literal("42", datatype=XSD.integer), Literal("0.048", datatype=XSD.decimal),
               Literal("true", datatype=XSD.boolean), Literal("2024-02-29", datatype=XSD.date),
               Literal("x", datatype=URIRef("https://example.org/type")), URIRef("https://example.org/o#frag")]
    ds = rdflib.Dataset()
    for o in objects:
        ds.graph(g).add((s, p, o))
    out = write_graph(ds, tmp_path / "terms")
    literals = (f"SELECT ?s (STR(?o) AS ?text) (LANG(?o) AS ?lang) (IF(LANG(?o) = '', STR(DATATYPE(?o)), '') AS ?type) "
                f"WHERE {{ GRAPH <{g}> {{ ?s ?p ?o FILTER(isLiteral(?o)) }} }}")  # Virtuoso 7 has no rdf:langString
    iris = f"SELECT ?s ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o FILTER(isIRI(?o)) }} }}"
    local = _rows(out, literals, tmp_path) + _rows(out, iris, tmp_path)
    assert len(local) == len(objects)
    try:
        for protocol in ("update", "gsp"):
            _push(out, store, protocol)
            assert _rows(store.query, literals, tmp_path) + _rows(store.query, iris, tmp_path) == local, protocol
    finally:
        _update(store, f"DROP SILENT GRAPH <{g}>")


def test_a_refusing_or_absent_store_is_one_line(out, store):
    from kg.push import PushError, PushOptions, push

    nobody = f"http://127.0.0.1:{_free_port()}/update"
    with pytest.raises(PushError, match="did not answer.*check the URL") as absent:
        push(out, PushOptions(nobody))
    base = store.query.rsplit("/", 1)[0]
    with pytest.raises(PushError, match="answered 404.*check the URL") as wrong:
        push(out, PushOptions(base + "/no-such-endpoint", auth=store.auth))
    errors = [absent.value, wrong.value]
    if store.name == "virtuoso":
        with pytest.raises(PushError, match="SECURITY.*pass --auth") as anonymous:
            push(out, PushOptions(store.query, batch=500))  # /sparql reads but may not write
        with pytest.raises(PushError, match="401.*check the --auth") as wrong_password:
            push(out, PushOptions(store.update, auth=("dba", "not-the-password")))
        errors += [anonymous.value, wrong_password.value]
    for error in errors:
        assert isinstance(error, KGError) and "\n" not in str(error) and len(str(error)) < 600


def test_kg_push_command(out, oxigraph):
    def kg(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kg.cli", "push", *args], capture_output=True, text=True,
                              timeout=120)

    done = kg(str(out), "--endpoint", oxigraph.update, "--batch", "800")
    assert done.returncode == 0, done.stderr
    quads = sum(1 for line in (out / "graph.nq").read_text(encoding="utf-8").splitlines() if line.strip())
    assert f"triples      {quads}" in done.stdout and "graphs       3" in done.stdout  # every quad, none lost
    done = kg(str(out), "--endpoint", f"http://127.0.0.1:{_free_port()}/update")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("kg: ")
    done = kg(str(out), "--endpoint", oxigraph.update, "--auth", "no-colon")
    assert done.returncode == 2 and done.stderr.strip() == "kg: --auth takes USER:PASSWORD"
