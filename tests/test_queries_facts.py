"""The fact queries (study_table, faers_ror, statistics, mechanism_chain, claims_about, evidence_for) on a graph built
from the mini review fixture, and on the sample review when ../shared is present."""
from __future__ import annotations

import pytest
from test_extract import SAMPLE, mini_inputs

FACT_QUERIES = ("study_table", "faers_ror", "statistics", "mechanism_chain", "claims_about", "evidence_for")


def _build(docs, res, out):
    from kg.extract import extract
    from kg.graph.build import build_dataset
    from kg.graph.store import write_graph

    facts = extract(docs, res)
    dataset = build_dataset(docs, res, facts=facts)
    write_graph(dataset, out)
    return dataset


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    docs, res = mini_inputs()
    out = tmp_path_factory.mktemp("facts") / "out"
    return out, _build(docs, res, out)


def test_fact_queries_have_headers(built):
    from kg.query import list_queries

    named = {q.name: q for q in list_queries()}
    for name in FACT_QUERIES:
        assert named[name].path.read_text(encoding="utf-8").startswith("#"), name
        assert len(named[name].description) > 40, name


def test_study_table(built):
    from kg.query import run_query

    out, _ = built
    r = run_query(out, "study_table")
    assert r.columns == (
        "study", "first_author", "year", "design", "population", "intervention", "finding", "doi", "entities",
    )
    rows = [dict(zip(r.columns, row)) for row in r.rows]
    # in text order: the VigiBase study the prose describes, then the table's rows in table order
    assert [x["first_author"] for x in rows] == ["Vigi", "Smith", "Jones"]
    rows = rows[1:]
    assert rows[0]["doi"] == "10.9999/mini.2" and rows[1]["doi"] is None
    assert set(rows[0]["entities"].split("|")) == {"ent:craving_disorder", "ent:drugamine", "ent:placebo"}
    assert rows[1]["design"] == "Animal" and rows[1]["intervention"] == "Drugamine 5 mg/kg"


def test_faers_ror_and_statistics(built):
    from kg.query import run_query

    out, _ = built
    r = run_query(out, "faers_ror")
    assert r.columns == ("drug", "event", "measure", "value", "source")
    assert sorted(r.rows) == [("drugamine", "dizziness", "reporting odds ratio", 0.9, "Vigi T, 2022"),
                              ("drugamine", "headache", "reporting odds ratio", 1.9, "VigiBase"),
                              ("drugamine", "nausea", "reporting odds ratio", 4.5, "VigiBase"),
                              ("drugamine", "rash", "reporting odds ratio", 0.42, "Vigi T, 2022")]
    s = run_query(out, "statistics")
    assert s.columns == ("drug", "event", "measure", "value", "ci_low", "ci_high", "source", "unit")
    odds = [row for row in s.rows if row[2] == "odds ratio"]
    assert odds == [("drugamine", "relapse", "odds ratio", 2.1, 1.2, 3.4, "Smith J et al., 2020", None)]
    assert {row[7] for row in s.rows if row[2] == "dose"} >= {"mg/kg"}
    assert {row[2] for row in s.rows} >= {"p-value", "sample size", "dose", "reporting odds ratio"}
    assert [row[2:4] for row in s.rows if row[7] == "day"] == [("time point", 8)]  # stated twice: one row


def test_ratios_below_one_are_decreased_associations_without_core_triple(built):
    from rdflib import URIRef

    from kg.graph.prefixes import expand
    from kg.query import run_query

    out, ds = built
    drug, has_ae = URIRef(expand("ent:drugamine")), URIRef(expand("biolink:has_adverse_event"))
    assert any(ds.quads((drug, has_ae, URIRef(expand("ent:nausea")), None)))  # ROR 4.5: a signal
    for event in ("ent:rash", "ent:dizziness"):  # below 1, and a CI spanning 1: recorded, not asserted
        assert not any(ds.quads((drug, has_ae, URIRef(expand(event)), None))), event
    r = run_query(out, "claims_about", {"entity": "ent:rash"})
    (rash,) = [dict(zip(r.columns, row)) for row in r.rows]
    assert rash["predicate"] == "biolink:has_adverse_event" and rash["direction"] == "decreased"
    assert rash["knowledge_level"] == "statistical_association" and "0.42" in rash["evidence"]
    (dizzy,) = [dict(zip(r.columns, row)) for row in run_query(out, "claims_about", {"entity": "ent:dizziness"}).rows]
    assert dizzy["direction"] is None and dizzy["knowledge_level"] == "statistical_association"


def test_mechanism_chain_is_a_path_in_networkx(built):
    import networkx as nx

    from kg.query import run_query

    out, _ = built
    r = run_query(out, "mechanism_chain", {"drug": "ent:drugamine"})
    rows = [dict(zip(r.columns, row)) for row in r.rows]
    assert all(x["evidence"] for x in rows)
    g = nx.DiGraph((x["subject"], x["object"]) for x in rows)
    path = nx.shortest_path(g, "ent:drugamine", "ent:plasticity_factor")
    assert path == [
        "ent:drugamine", "ent:receptor_alpha", "ent:kinase_beta", "ent:receptor_gamma", "ent:plasticity_factor",
    ]
    first = [x for x in rows if x["object"] == "ent:receptor_alpha"]
    assert {x["mechanism"] for x in first} == {"antagonism", "inhibition"}


def test_claims_about_and_evidence_for(built):
    from kg.query import run_query

    out, _ = built
    r = run_query(out, "claims_about", {"entity": "ent:headache"})
    rows = [dict(zip(r.columns, row)) for row in r.rows]
    negated = [x for x in rows if x["negated"]]
    assert len(negated) == 1 and negated[0]["transient"] and "did not reduce" in negated[0]["evidence"]
    e = run_query(
        out, "evidence_for",
        {"subject": "ent:drugamine", "predicate": "biolink:has_adverse_event", "object": "ent:nausea"},
    )
    (row,) = e.rows
    rec = dict(zip(e.columns, row))
    assert "ROR = 4.5" in rec["sentence"] and rec["annotations"].count("|") == 1


def test_negated_claims_assert_no_core_triple(built):
    from rdflib import URIRef

    from kg.graph.prefixes import expand

    _, ds = built
    s, o = URIRef(expand("ent:drugamine")), URIRef(expand("ent:headache"))
    affects = URIRef(expand("biolink:affects"))
    assert not any(ds.quads((s, affects, o, None)))  # only the negated "did not reduce headache" says so
    assert any(ds.quads((s, URIRef(expand("biolink:has_adverse_event")), o, None)))


def test_fact_nodes_conform_to_the_shapes(built):
    from kg.graph import validate

    _, ds = built
    report = validate(ds)
    prefixes = ("edge:", "stat:", "anno:", "study:", "sent:")
    bad = [ln for ln in report.text.splitlines() if any(p in ln for p in prefixes)]
    assert not bad, "\n".join(bad[:10])


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    if not SAMPLE.is_file():
        pytest.skip("../shared corpus is absent")
    from test_extract import _pipeline

    docs, res, _, vocab = _pipeline([SAMPLE])
    out = tmp_path_factory.mktemp("sample") / "out"
    _build(docs, res, out)
    return out, vocab


def test_sample_done_when(sample_out):
    import networkx as nx

    from kg.query import run_query

    out, vocab = sample_out
    table = run_query(out, "study_table")
    assert len(table.rows) == 10
    for row in table.rows:
        rec = dict(zip(table.columns, row))
        assert rec["design"] and rec["population"] and rec["intervention"] and rec["finding"] and rec["entities"]
    assert sum(1 for row in table.rows if row[table.columns.index("doi")]) >= 3
    ror = run_query(out, "faers_ror")
    assert sorted(row[3] for row in ror.rows) == sorted([18.72, 11.40, 3.72, 0.37, 0.13, 0.048])
    assert all(row[0] and row[1] and row[4] for row in ror.rows)
    cid = {n: vocab.lookup(n)[0].curie for n in ("esketamine", "NMDA receptor", "AMPA receptor", "BDNF")}
    chain = run_query(out, "mechanism_chain", {"drug": cid["esketamine"]})
    rows = [dict(zip(chain.columns, row)) for row in chain.rows]
    g = nx.DiGraph((x["subject"], x["object"]) for x in rows)
    path = nx.shortest_path(g, cid["esketamine"], cid["BDNF"])
    assert cid["NMDA receptor"] in path and cid["AMPA receptor"] in path
    assert all(x["evidence"] for x in rows)
