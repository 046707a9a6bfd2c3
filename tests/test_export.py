"""Every export re-reads with its own reader and gives the projection's node and edge counts."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kg.errors import GraphError
from kg.export import FORMATS, export

BIOLINK = "https://w3id.org/biolink/vocab/"


@pytest.fixture(scope="module")
def counts(explore_graph) -> tuple[int, int]:
    g = explore_graph.to_networkx()
    return g.number_of_nodes(), g.number_of_edges()


def _reprojected(ds) -> tuple[int, int]:
    """Load an rdflib Dataset into a fresh in-memory Oxigraph store and project it again."""
    import pyoxigraph

    from kg.projection import project

    store = pyoxigraph.Store()
    store.load(ds.serialize(format="nquads").encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    g = project(store)
    return g.number_of_nodes(), g.number_of_edges()


@pytest.mark.parametrize("fmt,rdflib_format", [("nq", "nquads"), ("jsonld", "json-ld"), ("ttl", "turtle")])
def test_rdf_exports_reread_with_rdflib(explore_graph, counts, tmp_path, fmt, rdflib_format):
    import rdflib

    (path,) = export(explore_graph, fmt, tmp_path / f"graph.{fmt}")
    ds = rdflib.Dataset()
    ds.parse(path, format=rdflib_format)
    quads = explore_graph.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0]
    triples = explore_graph.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    ).rows[0][0]
    n = sum(1 for _ in ds.quads((None, None, None, None)))
    assert n == (triples if fmt == "ttl" else quads)
    if fmt != "ttl":  # named graphs survive
        assert len({g for _, _, _, g in ds.quads((None, None, None, None))}) == len(
            explore_graph.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows)
    assert _reprojected(ds) == counts


def test_jsonld_context_comes_from_the_prefix_map(explore_graph, tmp_path):
    from kg.graph.prefixes import prefix_map

    (path,) = export(explore_graph, "jsonld", tmp_path / "graph.jsonld")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["@context"] == prefix_map()
    assert "biolink:Association" in path.read_text(encoding="utf-8")  # compacted with the context


def test_graphml_rereads_with_yed_and_cytoscape_labels(explore_graph, counts, tmp_path):
    import networkx as nx

    (path,) = export(explore_graph, "graphml", tmp_path / "graph.graphml")
    g = nx.read_graphml(path, force_multigraph=True)
    assert (g.number_of_nodes(), g.number_of_edges()) == counts
    assert g.nodes["HGNC:1033"]["name"] == "BDNF"  # Cytoscape's display column
    assert g.nodes["DRUGBANK:DB11823"]["synonyms"] == "Spravato"
    assert g.nodes["GO:0017146"]["synonyms"] == "NMDA receptor|NMDA receptors"  # lists flattened with |
    root = ET.parse(path).getroot()
    y = "{http://www.yworks.com/xml/graphml}"
    labels = {el.text for el in root.iter(f"{y}NodeLabel")}
    assert labels == {d["label"] for _, d in explore_graph.to_networkx().nodes(data=True)}
    assert any(k.get("yfiles.type") == "nodegraphics" for k in root.iter("{http://graphml.graphdrawing.org/xmlns}key"))
    ids = [k.get("id") for k in root.iter("{http://graphml.graphdrawing.org/xmlns}key")]
    assert len(ids) == len(set(ids))  # valid GraphML: key ids are unique


def test_gexf_and_cyjs_reread_with_networkx(explore_graph, counts, tmp_path):
    import networkx as nx

    (gexf,) = export(explore_graph, "gexf", tmp_path / "graph.gexf")
    g = nx.read_gexf(gexf)
    assert (g.number_of_nodes(), g.number_of_edges()) == counts
    assert g.nodes["HGNC:1033"]["label"] == "BDNF"
    (cyjs,) = export(explore_graph, "cyjs", tmp_path / "graph.cyjs")
    c = nx.cytoscape_graph(json.loads(cyjs.read_text(encoding="utf-8")))
    assert (c.number_of_nodes(), c.number_of_edges()) == counts
    assert c.nodes["GO:0017146"]["synonyms"] == ["NMDA receptor", "NMDA receptors"]  # JSON keeps lists


def test_dot_rereads_with_pydot_and_renders_with_graphviz(explore_graph, counts, tmp_path):
    import pydot

    (path,) = export(explore_graph, "dot", tmp_path / "graph.dot")
    (dot,) = pydot.graph_from_dot_file(str(path))
    nodes = [n for n in dot.get_nodes() if n.get_name() not in ("node", "edge", "graph")]
    assert (len(nodes), len(dot.get_edges())) == counts
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed (apt-get install graphviz)")
    svg = tmp_path / "graph.svg"
    subprocess.run(["dot", "-Tsvg", str(path), "-o", str(svg)], check=True, capture_output=True, timeout=60)
    text = svg.read_text(encoding="utf-8")
    assert text.count('class="node"') == counts[0] and text.count('class="edge"') == counts[1]


def _biolink_model() -> dict:
    yaml = pytest.importorskip("yaml")
    pytest.importorskip("biolink_model", reason="pip install biolink-model==4.4.6 to check KGX offline")
    from importlib import resources

    return yaml.safe_load((resources.files("biolink_model") / "schema" / "biolink_model.yaml").read_text())


def _slot(curie: str) -> str:
    return curie.removeprefix("biolink:").replace("_", " ")


def _class(curie: str) -> str:
    import re

    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", curie.removeprefix("biolink:")).lower()


def _ancestors(model: dict, slot: str) -> list[str]:
    chain = []
    while slot:
        chain.append(slot)
        slot = model["slots"].get(slot, {}).get("is_a")
    return chain


def test_kgx_rereads_and_conforms_to_the_biolink_model(explore_graph, counts, tmp_path):
    model = _biolink_model()
    files = export(explore_graph, "kgx", tmp_path / "graph")
    assert [f.name for f in files] == ["graph_nodes.tsv", "graph_edges.tsv", "graph_nodes.jsonl", "graph_edges.jsonl"]
    with files[0].open(encoding="utf-8") as fh:
        tsv_nodes = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    with files[1].open(encoding="utf-8") as fh:
        tsv_edges = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    jl_nodes = [json.loads(line) for line in files[2].read_text(encoding="utf-8").splitlines()]
    jl_edges = [json.loads(line) for line in files[3].read_text(encoding="utf-8").splitlines()]
    assert (len(tsv_nodes), len(tsv_edges)) == (len(jl_nodes), len(jl_edges)) == counts
    ids = {n["id"] for n in jl_nodes}
    enums = model["enums"]
    for node in jl_nodes:
        assert node["category"], node
        for cat in node["category"]:
            assert _class(cat) in model["classes"], cat
    for edge in jl_edges:
        assert edge["subject"] in ids and edge["object"] in ids
        assert "related to" in _ancestors(model, _slot(edge["predicate"])), edge["predicate"]
        assert edge["knowledge_level"] in enums["KnowledgeLevelEnum"]["permissible_values"]
        assert edge["agent_type"] in enums["AgentTypeEnum"]["permissible_values"]
        for key in edge:
            if key.endswith("_qualifier") or key == "qualified_predicate":
                assert _slot(key) in model["slots"], key
    mech = next(e for e in jl_edges if e["subject"] == "DRUGBANK:DB11823" and e["object"] == "GO:0017146")
    assert mech["object_direction_qualifier"] in enums["DirectionQualifierEnum"]["permissible_values"]
    assert mech["causal_mechanism_qualifier"] in enums["CausalMechanismQualifierEnum"]["permissible_values"]
    assert mech["supporting_text"] == [
        "Esketamine, the S-enantiomer of ketamine, blocks NMDA receptors on GABAergic interneurons."
    ]
    tsv_mech = next(e for e in tsv_edges if e["id"] == mech["id"])
    assert tsv_mech["predicate"] == "biolink:affects" and "\t" not in tsv_mech["supporting_text"]
    gene = next(n for n in tsv_nodes if n["id"] == "HGNC:1033")
    assert gene["category"] == "biolink:GeneOrGeneProduct" and gene["xref"] == "NCBIGene:627|UniProtKB:P23560"


def test_neo4j_import_csvs(explore_graph, counts, tmp_path):
    nodes_csv, rels_csv = export(explore_graph, "neo4j", tmp_path / "graph.csv")
    with nodes_csv.open(encoding="utf-8", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    with rels_csv.open(encoding="utf-8", newline="") as fh:
        rels = list(csv.DictReader(fh))
    assert (len(nodes), len(rels)) == counts
    assert {"id:ID", ":LABEL", "synonyms:string[]", "mention_count:long"} <= set(nodes[0])
    assert {":START_ID", ":END_ID", ":TYPE", "evidence:string[]"} <= set(rels[0])
    ids = {n["id:ID"] for n in nodes}
    assert all(r[":START_ID"] in ids and r[":END_ID"] in ids for r in rels)
    bdnf = next(n for n in nodes if n["id:ID"] == "HGNC:1033")
    assert set(bdnf[":LABEL"].split(";")) >= {"Entity", "GeneOrGeneProduct"}
    # statements are typed by predicate, the links of studies and publications by what they say
    assert sorted({r[":TYPE"] for r in rels}) == ["affects", "cites_as_evidence", "has_adverse_event",
                                                  "in_clinical_trials_for", "mentions", "part_of",
                                                  "population_with", "reported_in", "tests_intervention"]


def test_export_from_out_path_and_unknown_format(explore_out, tmp_path):
    assert set(FORMATS) == {"ttl", "nq", "jsonld", "graphml", "gexf", "cyjs", "dot", "kgx", "neo4j", "html"}
    (path,) = export(explore_out, "nq", tmp_path / "sub" / "g.nq")
    # same quads as the build wrote (Oxigraph canonicalises decimal lexical forms, so compare counts)
    built = (explore_out / "graph.nq").read_text(encoding="utf-8")
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(built.splitlines())
    with pytest.raises(GraphError, match="choose one of"):
        export(explore_out, "xlsx", tmp_path / "g.xlsx")
    with pytest.raises(GraphError, match="directory"):
        export(explore_out, "ttl", tmp_path)


def test_plot_stats_draws_a_png(explore_graph, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.image

    from kg.plots import plot_stats

    png = plot_stats(explore_graph, tmp_path / "stats.png")
    image = matplotlib.image.imread(png)
    assert image.shape[0] > 300 and image.shape[1] > 600
    # the chemical bar is drawn in the chemical colour (#E69F00)
    rgb = (image[..., :3] * 255).round().astype(int).reshape(-1, 3)
    assert ((rgb[:, 0] == 0xE6) & (rgb[:, 1] == 0x9F) & (rgb[:, 2] == 0x00)).sum() > 100


def test_failed_export_leaves_the_previous_file_whole(explore_graph, tmp_path, monkeypatch):
    import networkx as nx

    (path,) = export(explore_graph, "gexf", tmp_path / "g.gexf")
    before = path.read_bytes()

    def broken(g, target, **kwargs):
        Path(target).write_text("<gexf half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(nx, "write_gexf", broken)
    with pytest.raises(OSError, match="disk full"):
        export(explore_graph, "gexf", path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["g.gexf"]
