"""benchmarks/bench_query.py on the small graph fixture: both engines answer every named query with the same rows,
bound queries are bound to what the graph holds, and a slow rdflib query is cut off at its limit."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "graph"


@pytest.fixture(scope="module")
def bench():
    """benchmarks/ on sys.path while the module's tests run: the rdflib process it spawns imports it by name."""
    benchmarks = str(ROOT / "benchmarks")
    sys.path.insert(0, benchmarks)
    try:
        yield importlib.import_module("bench_query")
    finally:
        sys.path.remove(benchmarks)
        sys.modules.pop("bench_query", None)


@pytest.fixture(scope="module")
def measured(bench, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench_query")
    paths = [FIXTURES / "review.txt", FIXTURES / "10743446.pubtator"]
    return bench.bench_graph("fixture", paths, tmp, runs=1, limit=3.0), tmp / "fixture_out"


def test_parameters_come_from_query_headers(bench):
    from kg.query import list_queries

    params = {q.name: bench.query_parameters(q.description) for q in list_queries()}
    assert params["evidence_for"] == ("subject", "predicate", "object")
    assert params["mentions_of"] == ("entity",)
    assert params["entities"] == ()
    assert all(p in bench.PICKERS for p in params.values() if p), "a named query takes variables no picker knows"


def test_both_engines_answer_every_query_alike(measured):
    from kg.query import list_queries

    graph, _ = measured
    assert [q.query for q in graph.queries] == [q.name for q in list_queries()]
    assert graph.triples > 1000 and graph.oxigraph_load_s > 0 and graph.rdflib_load_s > 0
    answered = [q for q in graph.queries if q.rdflib.rows is not None]
    assert len(answered) >= len(graph.queries) // 2, [q.rdflib.failure for q in graph.queries]
    assert all(q.agrees for q in answered), [(q.query, q.oxigraph.rows, q.rdflib.rows) for q in answered]
    assert all(q.rdflib.failure.startswith("> ") for q in graph.queries if q.rdflib.rows is None)
    assert sum(q.oxigraph.rows for q in graph.queries) > 0


def test_bound_to_the_most_mentioned_entity_with_claims(measured):
    from kg.graph.prefixes import expand
    from kg.query import run_query

    graph, out = measured
    row = next(q for q in graph.queries if q.query == "mentions_of")
    bound = row.bound.removeprefix("entity=").split()[0]
    entities = {str(r["id"]): int(r["mentions"]) for r in run_query(out, "entities").records()}
    claimed = {e for e in entities if run_query(out, "claims_about", {"entity": e}).rows}
    pool = claimed or set(entities)
    assert bound == min(pool, key=lambda e: (-entities[e], expand(e)))  # ties broken by IRI
    assert row.bound.endswith("(the most mentioned entity in a claim)" if claimed else "(the most mentioned entity)")
    assert row.oxigraph.rows == len(run_query(out, "mentions_of", {"entity": bound}).rows) == entities[bound]


def test_rdflib_limit_and_errors(bench, measured):
    from kg.query import load_query

    _, out = measured
    _, (slow,) = bench.rdflib_timings(out / "graph.nq", [load_query("cooccurrence")], runs=1, limit=0.001)
    assert slow.rows is None and slow.failure == "> 0.001 s"
    _, (broken,) = bench.rdflib_timings(out / "graph.nq", ["SELECT WHERE {"], runs=1, limit=30.0)
    assert broken.rows is None and broken.failure.startswith("error: ")


def test_report_prints_one_table_per_graph(bench, measured, capsys):
    graph, _ = measured
    bench.report([graph, graph])
    text = capsys.readouterr().out
    assert text.count("oxigraph ms") == 2 and text.count("ratio (query)") == 2
    assert f"{graph.triples:,} triples" in text
