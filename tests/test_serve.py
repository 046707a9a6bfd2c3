"""`kg serve` and `kg query` are safe to leave running and to point at anything: SERVICE refused, runaway queries
stopped, results capped, no cross-origin access, bindings that mean the same locally and remotely, a rebuilt OUT
served as rebuilt. Servers run on loopback inside the test; nothing here touches the network."""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from test_graph import fixture_inputs

from kg.errors import KGError, QueryError

# A cross product no store answers in seconds: what a careless or hostile client sends.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    from kg.graph.build import build_dataset
    from kg.graph.store import write_graph

    docs, resolution = fixture_inputs()
    return write_graph(build_dataset(docs, resolution), tmp_path_factory.mktemp("serve") / "out")


class Running:
    """A kg SPARQL server on a free loopback port, in a thread of this process."""

    def __init__(self, out, **options) -> None:
        from kg.serve import Limits, make_server
        from kg.serve.http import ServeOptions

        options["limits"] = Limits(**options.get("limits", {}))
        options.setdefault("port", 0)
        self.server = make_server(out, ServeOptions(**options))
        self.url = self.server.url
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def get(self, sparql: str, accept: str = "application/sparql-results+json", **headers: str):
        """(status, body, headers) of a GET /query?query=... ."""
        request = urllib.request.Request(f"{self.url}?query={urllib.parse.quote(sparql)}",
                                         headers={"Accept": accept, **headers})
        return self.open(request)

    def open(self, request):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def served(out):
    running = []

    def start(**options):
        running.append(Running(out, **options))
        return running[-1]

    yield start
    for server in running:
        server.close()


def test_service_is_refused_on_both_paths(out, served, tmp_path):
    """A query cannot make this machine send requests: not through the endpoint, not through `kg query`."""
    from kg.query import run_query

    server = served()
    status, body, _ = server.get("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert status == 403 and b"SERVICE <http://127.0.0.1:9/sparql>" in body
    # hidden from a naive check: a prefixed name, SILENT, a \u escape (decoded before parsing, as SPARQL says)
    for sneaky in ("PREFIX r: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE SILENT r:sparql { ?s ?p ?o } }",
                   "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                   "SELECT * WHERE { ?x ?y ?z . service ?endpoint { ?s ?p ?o } }"):
        assert server.get(sneaky)[0] == 403, sneaky
    # the word inside a string or a comment is not a SERVICE clause
    status, _, _ = server.get('SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/>" } # SERVICE <x:y>\n')
    assert status == 200
    rq = tmp_path / "federated.rq"
    rq.write_text("# federated\nSELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n")
    with pytest.raises(QueryError, match="SERVICE <http://127.0.0.1:9/sparql>.*not allowed"):
        run_query(out, str(rq))
    with pytest.raises(QueryError, match="not allowed"):
        run_query(server.url, str(rq))


def test_allowed_service_still_has_a_timeout(out, tmp_path):
    """--allow-service lets SERVICE through, but a silent endpoint cannot hold `kg query` past its timeout."""
    import socket

    from kg.query import run_query

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        rq = tmp_path / "silent.rq"
        rq.write_text(f"# silent\nSELECT * WHERE {{ SERVICE <http://127.0.0.1:{silent.getsockname()[1]}/q> "
                      "{ ?s ?p ?o } }\n")
        started = time.monotonic()
        with pytest.raises(QueryError, match="stopped after the 1 s timeout"):
            run_query(out, str(rq), allow_service=True, timeout=1)
        assert time.monotonic() - started < 10


def test_runaway_query_is_stopped_and_others_are_answered(served):
    """The timeout kills the work (the worker process is gone, no core stays pinned) while other queries go on."""
    server = served(workers=2, limits={"timeout": 1.5})
    before = server.server.pool.pids()
    answers: list[tuple[int, bytes]] = []
    runaway = threading.Thread(target=lambda: answers.append(server.get(RUNAWAY)[:2]))
    runaway.start()
    time.sleep(0.3)
    started = time.monotonic()
    status, body, _ = server.get("ASK { ?s ?p ?o }")
    assert status == 200 and b"true" in body
    assert time.monotonic() - started < 1.0, "a runaway query held up another client"
    runaway.join(30)
    assert answers and answers[0][0] == 503 and b"timeout" in answers[0][1]
    killed = before - server.server.pool.pids()
    assert killed, "the worker that ran the runaway query is still alive"
    assert server.get("ASK { ?s ?p ?o }")[0] == 200  # a fresh worker took its place


def test_row_and_size_caps(served):
    server = served(limits={"max_rows": 10})
    status, body, _ = server.get("SELECT * WHERE { ?s ?p ?o }")
    assert status == 422 and b"10-row cap" in body
    status, body, _ = server.get("SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    assert status == 200 and body.count(b'"s":') == 10
    status, body, _ = server.get("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert status == 422 and b"10-row cap" in body
    small = served(limits={"max_bytes": 300})
    status, body, _ = small.get("SELECT ?o WHERE { ?s ?p ?o FILTER(STRLEN(STR(?o)) > 60) } LIMIT 10")
    assert status == 422 and b"300-byte cap" in body


def test_no_cross_origin_access_and_no_dump_unless_asked(served):
    server = served()
    status, _, headers = server.get("ASK {}")
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    assert server.get("ASK {}", Origin="https://evil.example")[0] == 403
    # DNS rebinding: a foreign host name resolving to 127.0.0.1 is not this loopback endpoint
    assert server.get("ASK {}", Host="evil.example")[0] == 403
    assert server.open(urllib.request.Request(server.url.replace("/query", "/store")))[0] == 404
    update = urllib.request.Request(server.url, data=b"update=DROP+ALL", method="POST",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert server.open(update)[0] == 403

    shared = served(cors="https://yasgui.example", allow_dump=True)
    status, _, headers = shared.get("ASK {}", Origin="https://yasgui.example")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://yasgui.example"
    status, body, _ = shared.open(urllib.request.Request(shared.url.replace("/query", "/store")))
    assert status == 200 and body.startswith(b"<")


def test_bind_means_the_same_locally_and_remotely(out, served, tmp_path):
    """A binding used by a FILTER: the store substitutes it, the endpoint path opens the pattern with VALUES."""
    from kg.query import run_query

    server = served()
    entity = run_query(out, "entities").rows[0][0]
    rq = tmp_path / "filtered.rq"
    rq.write_text("# mentions of ?entity, through a FILTER\nPREFIX oa: <http://www.w3.org/ns/oa#>\n"
                  "SELECT ?entity ?a WHERE { ?a a oa:Annotation ; oa:hasBody ?body . FILTER(?body = ?entity) }\n")
    local = run_query(out, str(rq), {"entity": entity})
    assert local.rows, "the fixture's first entity has mentions"
    assert sorted(run_query(server.url, str(rq), {"entity": entity}).rows) == sorted(local.rows)
    assert sorted(run_query(out, str(rq), {"entity": entity}, timeout=30).rows) == sorted(local.rows)
    for name in ("entities", "documents", "mentions_of"):
        assert sorted(run_query(server.url, name).rows) == sorted(run_query(out, name).rows), name
    with pytest.raises(QueryError, match="not a SPARQL variable name"):
        run_query(server.url, "entities", {"x) } ; DROP ALL #": "1"})


def test_remote_errors_and_graph_results(out, served, tmp_path):
    from kg.query import format_result, run_query

    server = served()
    bad = tmp_path / "bad.rq"
    bad.write_text("# broken\nSELECT WHERE {")
    with pytest.raises(QueryError, match="answered 400: the query is not valid SPARQL"):
        run_query(server.url, str(bad))
    construct = tmp_path / "labels.rq"
    construct.write_text("# labels\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                         "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }\n")
    remote, local = run_query(server.url, str(construct)), run_query(out, str(construct))
    assert remote.columns == ("subject", "predicate", "object")
    assert remote.rows and sorted(remote.rows) == sorted(local.rows)
    turtle = format_result(remote, "turtle")
    assert "rdfs:label" in turtle and "@prefix rdfs:" in turtle
    assert format_result(local, "ntriples").count(" .\n") == len(local.rows)
    with pytest.raises(QueryError, match="for CONSTRUCT and DESCRIBE"):
        format_result(run_query(out, "documents"), "turtle")


def test_rebuilt_out_is_served_as_rebuilt_and_deleted_out_refused(tmp_path):
    """`kg build` swaps in a new OUT; the endpoint answers from the new build, never from deleted files."""
    import shutil

    from kg.graph.build import build_dataset
    from kg.graph.store import write_graph
    from kg.query import run_query

    docs, resolution = fixture_inputs()
    out = write_graph(build_dataset(docs[:1], resolution), tmp_path / "out")
    server = Running(out)
    try:
        assert len(run_query(server.url, "documents").rows) == 1
        write_graph(build_dataset(docs, resolution), out)
        assert len(run_query(server.url, "documents").rows) == len(docs) == 2
        shutil.rmtree(out)
        status, body, _ = server.get("ASK {}")
        assert status == 503 and b"no longer holds a kg build" in body
    finally:
        server.close()


def test_port_in_use_is_one_line_before_any_banner(out):
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(KGError, match=f"port {port} .* already in use"):
            Running(out, port=port)
        run = subprocess.run([sys.executable, "-m", "kg.cli", "serve", str(out), "--port", str(port)],
                             capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "already in use" in lines[0] and "SPARQL endpoint" not in run.stderr
