"""kg.load(OUT): SPARQL, the property-graph projection, name resolution, paths and neighbourhoods."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.errors import GraphError, QueryError

ROOT = Path(__file__).resolve().parents[1]


def test_projection_has_one_node_per_thing_and_one_edge_per_association(explore_graph):
    g = explore_graph.to_networkx()
    kinds = {k: sum(1 for _, d in g.nodes(data="kind") if d == k) for k in ("entity", "study", "publication")}
    n_assoc = explore_graph.query(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://w3id.org/biolink/vocab/Association> }"
    ).rows[0][0]
    n_ent = explore_graph.query(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e <https://w3id.org/kg-review/category> ?c }"
    ).rows[0][0]
    assert kinds == {"entity": n_ent, "study": 1, "publication": 2}
    edge_kinds = [d for _, _, d in g.edges(data="kind")]
    assert edge_kinds.count("association") == n_assoc == 7
    assert edge_kinds.count("mentions") == n_ent  # the one document mentions every entity
    # no literal, annotation or selector became a node (the raw triple dump would have hundreds)
    assert not any(n.startswith(("anno:", "sel:", "sent:")) for n in g)


def test_association_edges_carry_predicate_qualifiers_statistics_and_evidence(explore_graph):
    g = explore_graph.to_networkx()
    mech = [d for u, v, d in g.edges("DRUGBANK:DB11823", data=True) if v == "GO:0017146"]
    assert len(mech) == 1
    d = mech[0]
    assert d["predicate"] == "biolink:affects" and d["qualified_predicate"] == "biolink:causes"
    assert (d["object_direction_qualifier"], d["object_aspect_qualifier"]) == ("decreased", "activity")
    assert d["causal_mechanism_qualifier"] == "antagonism" and d["anatomical_context_qualifier"] == "CL:0011005"
    assert d["evidence"] == [
        "Esketamine, the S-enantiomer of ketamine, blocks NMDA receptors on GABAergic interneurons.",
    ]
    ae = next(d for _, _, d in g.edges("MESH:D007649", data=True) if d["predicate"] == "biolink:has_adverse_event")
    assert ae["statistics"] == ["kg:ReportingOddsRatio=3.72"] and ae["knowledge_level"] == "statistical_association"
    # core triples are edges, not node attributes
    assert "affects" not in g.nodes["DRUGBANK:DB11823"]


def test_to_networkx_returns_a_copy(explore_graph):
    g = explore_graph.to_networkx()
    g.remove_node("HGNC:1033")
    assert "HGNC:1033" in explore_graph.to_networkx()


def test_names_curies_iris_and_xrefs_resolve_to_one_node(explore_graph):
    assert explore_graph.resolve("esketamine") == "DRUGBANK:DB11823"
    assert explore_graph.resolve("Spravato") == "DRUGBANK:DB11823"          # a synonym, any case
    assert explore_graph.resolve("nmda RECEPTOR") == "GO:0017146"
    assert explore_graph.resolve("http://identifiers.org/hgnc/1033") == "HGNC:1033"
    assert explore_graph.resolve("NCBIGene:627") == "HGNC:1033"              # an xref
    assert explore_graph.resolve("HGNC:4586") == "HGNC:4586"
    with pytest.raises(GraphError, match="did you mean 'esketamine'"):
        explore_graph.resolve("esketamin")


def test_entities_by_category(explore_graph):
    assert [e["id"] for e in explore_graph.entities("gene")] == ["HGNC:1033", "HGNC:4586"]
    assert len(explore_graph.entities()) == 12
    with pytest.raises(GraphError, match="choose one of"):
        explore_graph.entities("genes")


def test_mechanism_path_follows_edge_directions_with_predicates(explore_graph):
    paths = explore_graph.paths("esketamine", "BDNF")
    assert [p.nodes for p in paths] == [("DRUGBANK:DB11823", "MESH:D018698", "GO:0032281", "HGNC:1033")]
    assert all(s.forward and s.predicate == "biolink:affects" for s in paths[0].steps)
    text = explore_graph.format_path(paths[0])
    assert text.startswith("esketamine (DRUGBANK:DB11823) -[affects: increased release]-> Glutamic Acid")
    assert text.endswith("-[affects: increased secretion]-> BDNF (HGNC:1033)")
    assert explore_graph.paths("esketamine", "BDNF", max_len=2) == []


def test_paths_fall_back_to_undirected_and_skip_mentions(explore_graph):
    paths = explore_graph.paths("GluN2B", "esketamine")
    assert paths and paths[0].nodes == ("HGNC:4586", "GO:0017146", "DRUGBANK:DB11823")
    assert [s.forward for s in paths[0].steps] == [True, False]
    assert "<-[affects: decreased activity (antagonism)]-" in explore_graph.format_path(paths[0])
    # without statements linking them, two entities are only joined through the document's mentions
    assert explore_graph.paths("Homo sapiens", "BDNF") == []
    via_doc = explore_graph.paths("Homo sapiens", "BDNF", include_mentions=True)
    assert via_doc[0].nodes == ("NCBITaxon:9606", "doc:explore-abstract", "HGNC:1033")


def test_neighbourhood(explore_graph):
    sub = explore_graph.neighbourhood("NMDA receptor")
    assert set(sub) == {"GO:0017146", "DRUGBANK:DB11823", "HGNC:4586"}
    assert set(explore_graph.neighbourhood("NMDA receptor", depth=2)) >= {"MESH:D018698", "MESH:D061218"}
    expected = "esketamine (DRUGBANK:DB11823) -[affects: decreased activity (antagonism)]->"
    assert expected in explore_graph.format_neighbourhood(sub)


def test_query_returns_curies_and_rejects_bad_sparql(explore_graph):
    rows = explore_graph.query(
        "SELECT ?l WHERE { <http://identifiers.org/hgnc/1033> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    ).rows
    assert rows == (("BDNF",),)
    with pytest.raises(QueryError):
        explore_graph.query("SELECT WHERE {")


def test_open_refuses_a_directory_kg_did_not_write(tmp_path):
    with pytest.raises(GraphError, match="kg build"):
        kg.load(tmp_path)


def test_import_kg_stays_light():
    code = "import sys, kg, kg.traverse, kg.projection, kg.export, kg.plots; " \
           "print(sorted(m for m in ('rdflib','pyoxigraph','networkx','matplotlib','pydot') if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert res.stdout.strip() == "[]"


def test_path_limit_keeps_the_shortest_paths(monkeypatch):
    import networkx as nx

    from kg import traverse

    g = nx.MultiDiGraph()
    for u, v in [("a", "x1"), ("x1", "x2"), ("x2", "b"), ("a", "y1"), ("y1", "b"), ("a", "b")]:
        g.add_edge(u, v, key=f"{u}-{v}")
    monkeypatch.setattr(traverse, "_PATH_ENUMERATION_LIMIT", 2)
    kept = traverse._edge_paths(g, "a", "b", max_len=3)
    assert [len(p) for p in kept] == [1, 2]  # depth-first order would have kept the three-edge path first
    monkeypatch.setattr(traverse, "_PATH_ENUMERATION_LIMIT", 100)
    assert [len(p) for p in traverse._edge_paths(g, "a", "b", max_len=3)] == [1, 2, 3]
