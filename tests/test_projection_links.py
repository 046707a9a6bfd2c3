"""Studies and publications are linked where users look (issue #10, part 6): in the projection, the KGX files and
the HTML viewer, built from the sample review and two development reviews.

Expected links are read from each build's own RDF with SPARQL (the study table's properties, CiTO), never
written here, so the same assertions hold for any review.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import kg
from kg.export import export
from kg.export.html import viewer_data

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
SAMPLE = "esketamine_review.txt"
REVIEWS = (SAMPLE, "reviews/jats_pmc_sr_bipolar_medication_adherence_2026.xml",
           "reviews/pdftext_sr_vmat2_inhibitors_psychosis_2024.txt")
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

pytestmark = pytest.mark.skipif(not (CORPUS / "reviews").is_dir(), reason="../shared/corpus is not available")

_PREFIXES = """PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX kg: <https://w3id.org/kg-review/>
PREFIX sio: <http://semanticscience.org/resource/SIO_>
"""


@pytest.fixture(scope="module", params=REVIEWS)
def built(request, tmp_path_factory):
    from kg.build import build

    out = tmp_path_factory.mktemp("links") / "out"
    build([CORPUS / request.param], out)
    return request.param, kg.load(out)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from kg.build import build

    out = tmp_path_factory.mktemp("sample") / "out"
    build([CORPUS / SAMPLE], out)
    return kg.load(out)


def _pairs(graph, sparql: str) -> set[tuple[str, str]]:
    """(source node, target node) of a SPARQL ``?s ?o`` query, as projection node ids."""
    g = graph.to_networkx()
    by_iri = {d["iri"]: n for n, d in g.nodes(data=True)}
    from kg.graph.prefixes import expand

    rows = graph.query(_PREFIXES + sparql).rows
    return {(by_iri[expand(s) or s], by_iri[expand(o) or o]) for s, o in rows
            if (expand(s) or s) in by_iri and (expand(o) or o) in by_iri}


def _edges(g, label: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, d in g.edges(data=True) if d.get("label") == label}


def _unlinked(g, edges) -> list[str]:
    touched = {n for e in edges for n in e}
    return sorted(n for n, kind in g.nodes(data="kind") if kind in ("study", "publication") and n not in touched)


def test_sample_studies_link_to_intervention_population_outcome_and_publication(sample):
    g = sample.to_networkx()
    studies = sorted(n for n, kind in g.nodes(data="kind") if kind == "study")
    assert len(studies) >= 10
    tests = _edges(g, "tests intervention")
    reported = _edges(g, "reported in")
    for study in studies:
        interventions = [v for u, v in tests if u == study]
        assert interventions and all(g.nodes[v]["kind"] == "entity" for v in interventions), study
        publications = [v for u, v in reported if u == study]
        assert publications and all(g.nodes[v]["kind"] == "publication" for v in publications), study
    # every link the RDF states is an edge, and only those
    assert tests == _pairs(sample, "SELECT ?s ?o WHERE { ?s schema:studySubject ?o }")
    assert reported == _pairs(sample, "SELECT ?s ?o WHERE { ?s dcterms:isReferencedBy ?o }")
    assert _edges(g, "population with") == _pairs(sample, "SELECT ?s ?o WHERE { ?s schema:healthCondition ?o }")
    outcomes = _pairs(sample, "SELECT ?s ?o WHERE { ?s kg:hasOutcome/sio:000628 ?o }")
    assert outcomes and _edges(g, "reports outcome") == outcomes
    edge = next(d for u, v, d in g.edges(data=True) if d.get("label") == "reports outcome")
    assert edge["outcome"] and edge["predicate"] == "biolink:related_to"
    assert edge["original_predicate"] == "kg:hasOutcome"
    assert all(g.nodes[s].get("outcomes") for s, _ in outcomes)
    # the row's text stays readable on the node; the linked IRIs are edges, not attributes
    study = g.nodes[studies[0]]
    assert study.get("intervention_text") and "schema_study_subject" not in study and "has_outcome" not in study


def test_the_review_cites_what_its_reference_list_holds(built):
    name, graph = built
    g = graph.to_networkx()
    cited = _pairs(graph, "SELECT ?s ?o WHERE { ?s cito:cites ?o }")
    assert cited, name
    cites = {(u, v): d for u, v, d in g.edges(data=True) if d.get("kind") == "citation"}
    assert set(cites) == cited, name
    as_evidence = _pairs(graph, "SELECT ?s ?o WHERE { ?s cito:citesAsEvidence ?o }")
    assert as_evidence and {p for p, d in cites.items() if d["label"] == "cites as evidence"} == as_evidence
    assert all(d["predicate"] == "biolink:mentions" and d["original_predicate"].startswith("cito:")
               for d in cites.values())
    markers = _pairs(graph, "SELECT ?s ?o WHERE { ?c cito:hasCitingEntity ?s ; cito:hasCitedEntity ?o }")
    for pair in markers:  # a work cited through markers carries their count and sentences as evidence
        assert cites[pair]["citation_count"] >= 1 and cites[pair]["evidence"], (name, pair)


def test_no_study_or_publication_floats_unlinked(built):
    name, graph = built
    g = graph.to_networkx()
    assert not _unlinked(g, g.edges()), name
    # nor in the viewer's default view, where document-mentions edges start hidden
    data = viewer_data(g, name)
    hidden = set(data["hidden_relations"])
    shown = [(e["source"], e["target"]) for e in data["edges"] if e["filter"] not in hidden]
    assert "mentions" in hidden and not _unlinked(g, shown), name
    reviewed = _edges(g, "reviewed in")
    assert {u for u, _ in reviewed} == {n for n, kind in g.nodes(data="kind") if kind == "study"}, name


def test_kgx_files_carry_the_study_and_citation_links(sample, tmp_path):
    files = export(sample, "kgx", tmp_path / "graph")
    nodes = [json.loads(line) for line in files[2].read_text(encoding="utf-8").splitlines()]
    edges = [json.loads(line) for line in files[3].read_text(encoding="utf-8").splitlines()]
    kind = {n["id"]: n.get("kind") for n in nodes}
    g = sample.to_networkx()
    assert {(e["subject"], e["object"]) for e in edges if e.get("original_predicate") == "schema:studySubject"} == \
        _edges(g, "tests intervention")
    for study in (n for n, k in kind.items() if k == "study"):
        out = [e for e in edges if e["subject"] == study]
        assert any(e["predicate"] == "biolink:has_input" and kind[e["object"]] == "entity" for e in out), study
        assert any(e["original_predicate"] == "dcterms:isReferencedBy" and kind[e["object"]] == "publication"
                   for e in out if "original_predicate" in e), study
    review = next(n["id"] for n in nodes if n.get("document_format") == "review")
    assert sum(1 for e in edges if e["subject"] == review and e.get("original_predicate", "").startswith("cito:")) \
        == len(_pairs(sample, "SELECT ?s ?o WHERE { ?s cito:cites ?o }"))
    assert not _unlinked(g, [(e["subject"], e["object"]) for e in edges])
    with files[1].open(encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
    assert {"original_predicate", "citation_count", "outcome"} <= set(header)


def _chromium_status(page: Path, fragment: str = "") -> tuple[dict[str, str], str]:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,900",
           "--virtual-time-budget=15000", "--dump-dom", page.as_uri() + fragment]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=180).stdout
    status = re.search(r'<span id="status"([^>]*)>([^<]*)<', dom)
    assert status, dom[:2000]
    return dict(re.findall(r'data-(\w+)="([^"]*)"', status.group(1))), dom


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")
def test_viewer_draws_every_study_and_publication_with_an_edge(sample, tmp_path):
    from urllib.parse import quote

    from kg.cache import Cache
    from kg.errors import DownloadError
    from kg.export.html import viewer_library

    try:
        viewer_library(Cache(offline=True))
    except DownloadError:
        pytest.skip("cytoscape.js not in the download cache: run `make setup`")
    (page,) = export(sample, "html", tmp_path / "viewer.html")
    g = sample.to_networkx()
    study = min(n for n, kind in g.nodes(data="kind") if kind == "study")
    label = g.nodes[study]["label"]
    status, dom = _chromium_status(page, "#q=" + quote(label))  # a publication may share the label: study first
    assert status["nodes"] == status["visible"] == status["drawn"] == str(g.number_of_nodes())
    assert status["unlinked"] == "0" and status["selected"] == study
    info = dom[dom.rindex('<aside id="info">'):]
    intervention = next(v for u, v, d in g.edges(study, data=True) if d.get("label") == "tests intervention")
    assert "tests intervention" in info and g.nodes[intervention]["label"] in info
    assert "reported in" in info and "<h3>Details</h3>" in info
