"""The RDF graph stage: building, SHACL, determinism, no blank nodes, atomic output."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.concept import Concept, Entity, Mention
from kg.document import Document
from kg.errors import GraphError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "graph"
SHARED = Path(__file__).resolve().parents[1] / "../shared"
OA = "http://www.w3.org/ns/oa#"


@dataclass
class Resolution:
    entities: list[Entity] = field(default_factory=list)
    unresolved: list[Mention] = field(default_factory=list)


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n.]+[.]?", text) if m.group().strip()]


def _sentence_of(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    return next(((s, e) for s, e in spans if s <= start and end <= e), (0, 0))


def _review_inputs() -> tuple[Document, list[Entity], list[Mention]]:
    """The hand-written review: mentions are found by searching each concept's surface forms."""
    text = (FIXTURES / "review.txt").read_text(encoding="utf-8")
    doc = Document(id="review", text=text, source=str(FIXTURES / "review.txt"), format="review",
                   title=text.splitlines()[0])
    spec = json.loads((FIXTURES / "concepts.json").read_text(encoding="utf-8"))
    spans = _sentences(text)
    entities = []
    for c in spec["concepts"]:
        concept = Concept(c["curie"], c["label"], c["category"], xrefs=tuple(c["xrefs"]), sources=tuple(c["sources"]))
        mentions = []
        for form in c["forms"]:
            for m in re.finditer(rf"\b{re.escape(form)}\b", text, flags=re.IGNORECASE):
                mentions.append(Mention(doc.id, m.start(), m.end(), m.group(), c["category"],
                                        _sentence_of(spans, m.start(), m.end()), c["curie"], c["method"],
                                        c.get("score", 1.0)))
        entities.append(Entity(concept, mentions))
    unresolved = [Mention(doc.id, m.start(), m.end(), m.group(), "concept", _sentence_of(spans, m.start(), m.end()))
                  for word in spec["unresolved"] for m in re.finditer(rf"\b{word}\b", text)]
    return doc, entities, unresolved


def _pubtator_inputs() -> tuple[Document, list[Entity]]:
    """A real BC5CDR abstract; its gold MeSH annotations stand in for resolved mentions."""
    lines = (FIXTURES / "10743446.pubtator").read_text(encoding="utf-8").splitlines()
    pmid, _, title = lines[0].split("|", 2)
    abstract = lines[1].split("|", 2)[2]
    text = f"{title} {abstract}"
    doc = Document(id=f"PMID{pmid}", text=text, source="10743446.pubtator", format="pubtator", title=title, pmid=pmid)
    spans = _sentences(text)
    by_id: dict[str, list[Mention]] = {}
    for line in lines[2:]:
        parts = line.split("\t")
        if len(parts) != 6:
            continue
        _, s, e, surface, typ, mesh = parts
        cat = "chemical" if typ == "Chemical" else "disease"
        by_id.setdefault(f"MESH:{mesh}", []).append(
            Mention(doc.id, int(s), int(e), surface, cat, _sentence_of(spans, int(s), int(e)), f"MESH:{mesh}", "exact"))
    entities = [Entity(Concept(curie, ms[0].text.lower(), ms[0].category, sources=("bc5cdr",)), ms)
                for curie, ms in sorted(by_id.items())]
    return doc, entities


def fixture_inputs() -> tuple[list[Document], Resolution]:
    review, review_entities, unresolved = _review_inputs()
    abstract, abstract_entities = _pubtator_inputs()
    merged: dict[str, Entity] = {}
    for e in review_entities + abstract_entities:
        if e.curie in merged:
            merged[e.curie].mentions.extend(e.mentions)
        else:
            merged[e.curie] = Entity(e.concept, list(e.mentions))
    return [review, abstract], Resolution(list(merged.values()), unresolved)


@pytest.fixture(scope="module")
def dataset():
    from kg.graph.build import build_dataset

    docs, resolution = fixture_inputs()
    return build_dataset(docs, resolution)


def test_fixture_has_mentions_of_every_concept():
    docs, resolution = fixture_inputs()
    assert all(e.mentions for e in resolution.entities), [e.curie for e in resolution.entities if not e.mentions]
    for e in resolution.entities:
        for m in e.mentions:
            doc = next(d for d in docs if d.id == m.doc_id)
            assert doc.text[m.start:m.end] == m.text


def test_graph_shape(dataset):
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS

    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert "https://w3id.org/kg-review/graph/doc/review" in graphs
    assert "https://w3id.org/kg-review/graph/doc/PMID10743446" in graphs
    assert "https://w3id.org/kg-review/graph/entities" in graphs
    ketamine = URIRef("http://id.nlm.nih.gov/mesh/D007649")
    entities = dataset.graph(URIRef("https://w3id.org/kg-review/graph/entities"))
    assert str(entities.value(ketamine, RDFS.label)) == "Ketamine"
    types = set(entities.objects(ketamine, RDF.type))
    assert URIRef("https://w3id.org/biolink/vocab/ChemicalEntity") in types
    assert URIRef("http://schema.org/ChemicalSubstance") in types
    assert URIRef("http://purl.obolibrary.org/obo/CHEBI_6121") in set(
        entities.objects(ketamine, URIRef("http://www.w3.org/2004/02/skos/core#exactMatch")))
    review_graph = dataset.graph(URIRef("https://w3id.org/kg-review/graph/doc/review"))
    bodies = list(review_graph.subjects(URIRef(OA + "hasBody"), ketamine))
    text = (FIXTURES / "review.txt").read_text(encoding="utf-8")
    assert len(bodies) == len(re.findall(r"\bketamine\b", text, flags=re.IGNORECASE))
    # every position selector points at the characters its quote selector holds
    for sel in review_graph.subjects(RDF.type, URIRef(OA + "TextPositionSelector")):
        start = int(review_graph.value(sel, URIRef(OA + "start")))
        end = int(review_graph.value(sel, URIRef(OA + "end")))
        quote = URIRef(str(sel).replace("/position", "/quote"))
        assert str(review_graph.value(quote, URIRef(OA + "exact"))) == text[start:end]


def test_shacl_conforms(dataset):
    from kg.graph.validate import validate

    report = validate(dataset)
    assert report.conforms, report.text
    assert report.violations == 0


def test_shacl_reports_broken_graph(dataset):
    from rdflib import Dataset, Literal, URIRef
    from rdflib.namespace import RDFS, XSD

    from kg.graph.validate import validate

    broken = Dataset()
    for q in dataset.quads((None, None, None, None)):
        broken.add(q)
    sel = next(s for s, _, _, _ in broken.quads((None, URIRef(OA + "start"), None, None)))
    g = next(c for _, _, _, c in broken.quads((sel, URIRef(OA + "start"), None, None)))
    graph = broken.graph(g)
    graph.set((sel, URIRef(OA + "end"), Literal(0, datatype=XSD.integer)))
    ketamine = URIRef("http://id.nlm.nih.gov/mesh/D007649")
    broken.graph(URIRef("https://w3id.org/kg-review/graph/entities")).remove((ketamine, RDFS.label, None))
    review = broken.graph(URIRef("https://w3id.org/kg-review/graph/doc/review"))
    annotation = next(review.subjects(URIRef(OA + "hasBody"), ketamine))
    review.remove((annotation, URIRef(OA + "hasBody"), None))
    report = validate(broken)
    assert not report.conforms
    assert report.violations == 3, report.text
    assert "an annotation needs an oa:hasBody" in report.text
    assert "oa:end must be greater than oa:start" in report.text
    assert "MESH:D007649\trdfs:label" in report.text


def test_shacl_reports_blank_nodes(dataset):
    from rdflib import BNode, Dataset, Literal, URIRef

    from kg.graph.validate import validate

    g = Dataset().graph(URIRef("https://w3id.org/kg-review/graph/test"))
    g.add((BNode(), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("x")))
    report = validate(g)
    assert not report.conforms and "blank node" in report.text


def test_no_blank_nodes(dataset):
    from rdflib import BNode

    assert not any(isinstance(t, BNode) for q in dataset.quads((None, None, None, None)) for t in q)


def test_nquads_identical_across_builds():
    from kg.graph.build import build_dataset
    from kg.graph.store import nquads

    docs, resolution = fixture_inputs()
    first = nquads(build_dataset(docs, resolution))
    docs2, resolution2 = fixture_inputs()
    resolution2.entities.reverse()  # input order must not matter
    second = nquads(build_dataset(list(reversed(docs2)), resolution2))
    assert first == second
    assert "_:" not in first
    assert first.count("\n") > 300


def test_facts_hook_is_called():
    from rdflib import Literal, URIRef

    from kg.graph.build import build_dataset

    class Facts:
        def add_to(self, dataset, iris):
            dataset.graph(URIRef(iris.graph("review"))).add(
                (URIRef(iris.document("review")), URIRef("https://w3id.org/kg-review/note"), Literal(iris.activity)))

    docs, resolution = fixture_inputs()
    ds = build_dataset(docs, resolution, facts=Facts())
    doc_graph = ds.graph(URIRef("https://w3id.org/kg-review/graph/doc/review"))
    note = doc_graph.value(URIRef("https://w3id.org/kg-review/doc/review"), URIRef("https://w3id.org/kg-review/note"))
    assert str(note).startswith("https://w3id.org/kg-review/activity/build/")


def test_prefixes_round_trip():
    from kg.graph.prefixes import compress, expand

    assert expand("MESH:D007649") == "http://id.nlm.nih.gov/mesh/D007649"
    assert expand("NCBITaxon:10116") == "http://purl.obolibrary.org/obo/NCBITaxon_10116"
    assert compress("http://purl.obolibrary.org/obo/CHEBI_6121") == "CHEBI:6121"
    assert compress("https://w3id.org/kg-review/doc/review") == "doc:review"
    assert expand("NOPE:1") is None
    with pytest.raises(GraphError, match="add it to prefixes.json"):
        expand("NOPE:1", strict=True)


def test_write_graph_and_open_store(dataset, tmp_path):
    from kg.graph.store import open_store, write_graph

    out = write_graph(dataset, tmp_path / "out", {"report.txt": "ok", "data/x.json": b"{}"})
    n_quads = sum(1 for _ in dataset.quads((None, None, None, None)))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["documents"] == 2 and manifest["entities"] > 10 and manifest["quads"] == n_quads
    assert (out / "report.txt").read_text() == "ok" and (out / "data" / "x.json").read_bytes() == b"{}"
    assert not re.search(r"\d{4}-\d\d-\d\dT", (out / "manifest.json").read_text())
    store = open_store(out)
    assert len(store) == n_quads
    del store
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temp dirs left behind


def test_write_graph_is_atomic(dataset, tmp_path, monkeypatch):
    from kg.graph import store as store_mod

    out = store_mod.write_graph(dataset, tmp_path / "out")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def explode(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_mod, "load_nquads", explode)  # on the loader thread: raised at commit
    with pytest.raises(RuntimeError, match="disk full"):
        store_mod.write_graph(dataset, out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_write_graph_refuses_foreign_directory(dataset, tmp_path):
    from kg.graph.store import write_graph

    (tmp_path / "mine.txt").write_text("precious")
    with pytest.raises(GraphError, match="kg did not write"):
        write_graph(dataset, tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "precious"


def test_open_store_on_missing_output(tmp_path):
    from kg.graph.store import open_store

    with pytest.raises(GraphError, match="is not a kg output directory; run `kg build"):
        open_store(tmp_path / "nowhere")


def test_corrupt_manifest_is_a_graph_error(tmp_path):
    from kg.graph.store import MANIFEST, STORE_DIR, open_store, read_manifest

    (tmp_path / STORE_DIR).mkdir()
    (tmp_path / MANIFEST).write_text('{"format": "kg', encoding="utf-8")  # cut off mid-write
    with pytest.raises(GraphError, match="is corrupt.*rebuild it with `kg build"):
        read_manifest(tmp_path)
    with pytest.raises(GraphError, match="is corrupt"):
        open_store(tmp_path)


def test_sample_review_graph_conforms():
    """The real review: every case-insensitive hit of each fixture concept's forms, built and validated."""
    path = SHARED / "corpus" / "esketamine_review.txt"
    if not path.is_file():
        pytest.skip("../shared corpus is absent")
    from kg.graph.build import build_dataset
    from kg.graph.validate import validate

    text = path.read_text(encoding="utf-8")
    doc = Document(id="esketamine_review", text=text, source=str(path), format="review")
    spans = _sentences(text)
    spec = json.loads((FIXTURES / "concepts.json").read_text(encoding="utf-8"))
    entities = []
    for c in spec["concepts"]:
        ms = [Mention(doc.id, m.start(), m.end(), m.group(), c["category"], _sentence_of(spans, m.start(), m.end()),
                      c["curie"], c["method"])
              for f in c["forms"] for m in re.finditer(rf"\b{re.escape(f)}\b", text, re.I)]
        entities.append(Entity(Concept(c["curie"], c["label"], c["category"], xrefs=tuple(c["xrefs"])), ms))
    assert sum(len(e.mentions) for e in entities) > 50
    report = validate(build_dataset([doc], Resolution(entities)))
    assert report.conforms, report.text


def test_graph_package_is_light_and_functions_stay_callable():
    import subprocess
    import sys

    code = ("import sys, kg.graph, kg.query, kg.graph.validate\n"
            "assert callable(kg.graph.validate), 'kg.graph.validate was rebound to the submodule'\n"
            "print(sorted(m for m in ('rdflib', 'pyoxigraph', 'pyshacl', 'curies', 'spacy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.strip() == "[]"


def test_one_paper_cited_by_two_reviews_keeps_one_title(tmp_path):
    """The same PMID in two reference lists, titled differently, is one publication with one dcterms:title (the
    first review's) and the other wording as dcterms:alternative, so SHACL's one-title rule holds."""
    from kg.build import build

    summary = build([FIXTURES / "shared_reference"], tmp_path / "out")
    assert summary.conforms, summary.validation_text
    lines = (tmp_path / "out" / "graph.nq").read_text(encoding="utf-8").splitlines()
    paper = [ln for ln in lines if ln.startswith("<http://www.ncbi.nlm.nih.gov/pubmed/31230464>")]
    titles = [ln for ln in paper if "<http://purl.org/dc/terms/title>" in ln]
    alternatives = [ln for ln in paper if "<http://purl.org/dc/terms/alternative>" in ln]
    assert len(titles) == 1 and "Ketamine for treatment-resistant depression" in titles[0]
    assert len(alternatives) == 1 and "a trial" in alternatives[0]
