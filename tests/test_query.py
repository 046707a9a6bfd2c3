"""Named SPARQL queries run on a graph built from the fixture documents."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from test_graph import FIXTURES, fixture_inputs

from kg.errors import QueryError


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    from kg.graph.build import build_dataset
    from kg.graph.store import write_graph

    docs, resolution = fixture_inputs()
    return write_graph(build_dataset(docs, resolution), tmp_path_factory.mktemp("q") / "out")


def test_every_named_query_has_a_header_and_runs(out):
    from kg.query import list_queries, run_query

    queries = list_queries()
    assert {"entities", "entities_by_category", "mentions_of"} <= {q.name for q in queries}
    for q in queries:
        assert q.path.read_text(encoding="utf-8").startswith("#"), q.name
        assert len(q.description) > 20, q.name
        result = run_query(out, q.name)
        assert result.columns, q.name
    # this fixture has mentions but no extracted facts; the fact queries are run on facts in test_queries_facts
    for name in ("entities", "entities_by_category", "mentions_of", "documents", "cooccurrence"):
        assert run_query(out, name).rows, f"{name} returned nothing on the fixture graph"


def test_entities_columns_and_counts(out):
    from kg.stats import entities_table

    docs, resolution = fixture_inputs()
    result = entities_table(out)
    assert result.columns == ("id", "label", "category", "xrefs", "mentions")
    rows = {r[0]: r for r in result.rows}
    assert set(rows) == {e.curie for e in resolution.entities}
    for e in resolution.entities:
        assert rows[e.curie][4] == len({(m.doc_id, m.start, m.end) for m in e.mentions}), e.curie
        assert rows[e.curie][3] == "|".join(sorted(e.concept.xrefs))
        assert rows[e.curie][2] == e.concept.category
    keys = [(r[2], r[1].lower()) for r in result.rows]
    assert keys == sorted(keys)
    review = (FIXTURES / "review.txt").read_text(encoding="utf-8")
    pubtator = (FIXTURES / "10743446.pubtator").read_text(encoding="utf-8")
    expected = len(re.findall(r"\bketamine\b", review, re.I)) + pubtator.count("\tD007649\n")
    assert rows["MESH:D007649"][4] == expected


def test_formats(out):
    from kg.query import format_result
    from kg.stats import entities_table

    result = entities_table(out)
    tsv = format_result(result, "tsv").splitlines()
    assert tsv[0] == "id\tlabel\tcategory\txrefs\tmentions"
    assert len(tsv) == len(result.rows) + 1
    assert "MESH:D007649\tKetamine\tchemical\tCHEBI:6121|DRUGBANK:DB01221|PUBCHEM.COMPOUND:3821\t" in "\n".join(tsv)
    parsed = list(csv.reader(io.StringIO(format_result(result, "csv"))))
    assert parsed[0] == list(result.columns) and len(parsed) == len(result.rows) + 1
    records = json.loads(format_result(result, "json"))
    assert records[0].keys() == set(result.columns) and isinstance(records[0]["mentions"], int)
    table = format_result(result, "table").splitlines()
    assert table[0].split() == list(result.columns) and len(table) == len(result.rows) + 2
    with pytest.raises(QueryError, match="choose one of"):
        format_result(result, "xml")


def test_mentions_of_binding(out):
    from kg.query import run_query

    result = run_query(out, "mentions_of", {"entity": "HGNC:4586"})
    review = (FIXTURES / "review.txt").read_text(encoding="utf-8")
    assert {r[0] for r in result.rows} == {"HGNC:4586"}
    for r in (rec for rec in result.records()):
        assert review[r["start"]:r["end"]] == r["exact"]
        assert r["exact"] in r["sentence"]
    assert len(result.rows) == len(re.findall(r"\b(GluN2B|GRIN2B)\b", review))


def test_query_by_path_and_open_store(out, tmp_path):
    from kg.graph.store import open_store
    from kg.query import run_query

    rq = tmp_path / "ask.rq"
    rq.write_text("# Is ketamine in the graph?\nASK { <http://id.nlm.nih.gov/mesh/D007649> ?p ?o }\n")
    assert run_query(open_store(out), str(rq)).rows == ((True,),)


def test_unknown_and_bad_queries(out, tmp_path):
    from kg.query import run_query

    with pytest.raises(QueryError, match="available named queries: .*entities"):
        run_query(out, "no_such_query")
    bad = tmp_path / "bad.rq"
    bad.write_text("# broken\nSELECT WHERE {")
    with pytest.raises(QueryError, match="not valid SPARQL"):
        run_query(out, str(bad))


def test_filter_and_graph_stats(out):
    from kg.stats import entities_table, graph_stats

    docs, resolution = fixture_inputs()
    diseases = entities_table(out).filter(lambda r: r["category"] == "disease")
    assert {r[0] for r in diseases.rows} == {e.curie for e in resolution.entities if e.concept.category == "disease"}
    stats = graph_stats(out)
    assert stats.documents == 2
    assert stats.entities == len(resolution.entities)
    assert stats.mentions == sum(len({(m.doc_id, m.start, m.end) for m in e.mentions}) for e in resolution.entities)
    assert stats.unresolved == len(resolution.unresolved) > 0
    assert stats.triples > 300
    assert "documents    2" in stats.render()


def test_kg_query_and_load_query_type_literals_alike(tmp_path):
    import pyoxigraph

    from kg.query import python_value, run_query
    from kg.traverse import KnowledgeGraph

    xsd = "http://www.w3.org/2001/XMLSchema#"
    store = pyoxigraph.Store()
    s, p = pyoxigraph.NamedNode("https://example.org/s"), pyoxigraph.NamedNode("https://example.org/p")
    for value, dt in (("7", "positiveInteger"), ("8", "short"), ("9", "unsignedInt"), ("0.5", "decimal")):
        store.add(pyoxigraph.Quad(s, p, pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(xsd + dt))))
    rq = tmp_path / "values.rq"
    rq.write_text("SELECT ?v WHERE { ?s ?p ?v } ORDER BY ?v", encoding="utf-8")
    via_file = run_query(store, rq).rows
    via_api = KnowledgeGraph(store).query(rq.read_text(encoding="utf-8")).rows
    assert via_file == via_api and sorted(v for (v,) in via_api) == [0.5, 7, 8, 9]
    assert all(type(v) is int for (v,) in via_api if v != 0.5)
    assert python_value(None) is None and python_value(pyoxigraph.BlankNode("b1")) == "_:b1"
