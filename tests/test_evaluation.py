"""The evaluation harness: corpus detection, ID spaces, both measures, and the report."""
from __future__ import annotations

import importlib.util
import json

import pytest

from kg.concept import Mention
from kg.document import Document, GoldAnnotation, Span
from kg.evaluation import PROFILES, detect_corpus, score
from kg.evaluation.corpus_types import is_obsolete_mesh, mesh_descriptors
from kg.errors import InputError
from pubtator_gold import CORPUS_FILES, gold_as_prediction, read_gold

LIMIT = 60


@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
def test_gold_as_prediction_scores_one(name):
    docs = read_gold(name, LIMIT)
    profile = detect_corpus({g.type for d in docs for g in d.gold}, CORPUS_FILES[name])
    assert profile.name == name
    result = score(docs, gold_as_prediction(docs, profile), profile)
    assert result.mention["all"].tp > 0
    for table in (result.mention, result.concept):
        for t, s in table.items():
            if s.tp + s.fn:
                assert (s.p, s.r, s.f1) == (1.0, 1.0, 1.0), (name, t, s)
    payload = result.to_json()
    assert set(payload["mention"]) == set(profile.scored_types) | {"all"}
    assert json.loads(json.dumps(payload)) == payload


def test_corpus_is_detected_from_types_alone():
    assert detect_corpus({"Chemical", "Disease"}).name == "bc5cdr"
    assert detect_corpus({"Disease"}).name == "bc5cdr"
    assert detect_corpus({"SpecificDisease", "Modifier"}).name == "ncbi_disease"
    assert detect_corpus({"GeneOrGeneProduct", "CellLine"}).name == "biored"
    assert detect_corpus({"Gene", "FamilyName"}).name == "gnormplus"
    assert detect_corpus({"Gene", "ChromosomeLocation"}).name == "nlm_gene"
    assert detect_corpus({"Species"}, "SPECIES_Train.PubTator").name == "s800"
    with pytest.raises(InputError, match="match no known corpus"):
        detect_corpus({"Chemical", "Gene"})
    with pytest.raises(InputError, match="no gold annotations"):
        detect_corpus(set())


@pytest.mark.parametrize("corpus, curie, expected", [
    ("bc5cdr", "MESH:D007649", "D007649"),
    ("ncbi_disease", "MESH:D003865", "D003865"),
    ("ncbi_disease", "OMIM:114480", "OMIM:114480"),
    ("biored", "NCBIGene:627", "627"),
    ("biored", "NCBITaxon:9606", "9606"),
    ("gnormplus", "NCBIGene:2904", "2904"),
    ("linnaeus", "NCBITaxon:10116", "10116"),
    ("bc5cdr", "CHEBI:16015", "CHEBI:16015"),  # not expressible: kept, so it scores as a false positive
    ("bc5cdr", "", ""),
])
def test_curies_map_into_the_corpus_id_space(corpus, curie, expected):
    assert PROFILES[corpus].to_corpus_id(curie) == expected


def test_gold_id_fields_split_into_concepts():
    assert PROFILES["bc5cdr"].gold_concepts("-1") == []
    assert PROFILES["biored"].gold_concepts("-") == []
    assert PROFILES["bc5cdr"].gold_concepts("D002318|D012131") == [frozenset({"D002318"}), frozenset({"D012131"})]
    assert PROFILES["ncbi_disease"].gold_concepts("D001943|D010051") == [frozenset({"D001943", "D010051"})]
    assert PROFILES["ncbi_disease"].gold_concepts("D007153+D040181") == [frozenset({"D007153"}), frozenset({"D040181"})]
    assert PROFILES["gnormplus"].gold_concepts("50929(Tax:10090),2904") == [frozenset({"50929"}), frozenset({"2904"})]
    assert PROFILES["nlm_gene"].gold_concepts("17390;17395") == [frozenset({"17390"}), frozenset({"17395"})]


def _doc(doc_id: str, text: str, gold: list[tuple[str, str, str]]) -> Document:
    """A document whose gold annotations are given as (surface text, type, id); offsets are found in text."""
    anns, cursor = [], 0
    for surface, t, ident in gold:
        start = text.index(surface, cursor)
        anns.append(GoldAnnotation(Span(start, start + len(surface)), surface, t, ident))
        cursor = start + len(surface)
    return Document(id=doc_id, text=text, source="fixture", format="pubtator", gold=anns)


def _m(doc: Document, surface: str, category: str, curie: str = "") -> Mention:
    start = doc.text.index(surface)
    return Mention(doc.id, start, start + len(surface), surface, category, curie=curie)


def test_one_false_positive_and_one_false_negative_give_exact_scores():
    doc = _doc("1", "Lithium toxicity and ketamine in depression.",
               [("Lithium", "Chemical", "D008094"), ("toxicity", "Disease", "D064420"),
                ("ketamine", "Chemical", "D007649")])
    preds = [_m(doc, "Lithium", "chemical", "MESH:D008094"), _m(doc, "ketamine", "chemical", "MESH:D007649"),
             _m(doc, "depression", "disease", "MESH:D003866")]  # FP; "toxicity" is the FN
    result = score([doc], preds, PROFILES["bc5cdr"])
    m = result.mention
    assert (m["all"].tp, m["all"].fp, m["all"].fn) == (2, 1, 1)
    assert m["all"].p == pytest.approx(2 / 3) and m["all"].r == pytest.approx(2 / 3)
    assert (m["Chemical"].p, m["Chemical"].r) == (1.0, 1.0)
    assert (m["Disease"].p, m["Disease"].r, m["Disease"].f1) == (0.0, 0.0, 0.0)
    assert result.concept["all"].p == pytest.approx(2 / 3)
    assert result.false_positives == [("depression", "Disease", 1)]
    assert result.false_negatives == [("toxicity", "Disease", 1)]


def test_composites_alternatives_and_missing_ids():
    text = "Sagittal and transverse sinus thrombosis after nalozone."
    doc = _doc("7", text, [("Sagittal and transverse sinus thrombosis", "Disease", "D020225|D020227"),
                           ("nalozone", "Chemical", "-1")])
    span = "Sagittal and transverse sinus thrombosis"
    # BC5CDR: '|' is a composite, each part a concept of its own; "-1" is no concept at all.
    result = score([doc], [_m(doc, span, "disease", "MESH:D020225"), _m(doc, "nalozone", "chemical")],
                   PROFILES["bc5cdr"])
    assert result.mention["all"].f1 == 1.0
    c = result.concept
    assert (c["Disease"].tp, c["Disease"].fp, c["Disease"].fn) == (1, 0, 1)
    assert (c["Chemical"].tp, c["Chemical"].fp, c["Chemical"].fn) == (0, 0, 0)
    # NCBI Disease: '|' gives alternatives, so either ID matches the one concept.
    ncbi = _doc("8", text, [(span, "CompositeMention", "D020225|D020227")])
    result = score([ncbi], [_m(ncbi, span, "disease", "MESH:D020227")], PROFILES["ncbi_disease"])
    assert (result.concept["Disease"].p, result.concept["Disease"].r) == (1.0, 1.0)
    assert set(result.to_json()["mention"]) == {"Disease", "all"}


def test_excluded_types_and_unscored_categories_are_reported():
    doc = _doc("9", "BDNF variant rs6265 in HEK293 cells and the hippocampus.",
               [("BDNF", "GeneOrGeneProduct", "627"), ("rs6265", "SequenceVariant", "rs6265"),
                ("HEK293", "CellLine", "CVCL_0045")])
    preds = [_m(doc, "BDNF", "gene", "NCBIGene:627"), _m(doc, "hippocampus", "anatomy")]
    result = score([doc], preds, PROFILES["biored"])
    assert result.concept["GeneOrGeneProduct"].f1 == 1.0
    assert result.excluded_types == {"CellLine": 1, "SequenceVariant": 1}
    assert result.unscored_categories == {"anatomy": 1}
    table = result.render_table()
    assert "SequenceVariant (1)" in table and "GeneOrGeneProduct" in table


def test_obsolete_mesh_gold_ids_are_counted_and_remappable():
    descriptors = mesh_descriptors()
    if not descriptors:
        pytest.skip("MeSH 2026 descriptor list not installed")
    assert not is_obsolete_mesh("D007649", descriptors)  # Ketamine (docs/identifiers.md)
    retired = next(f"D{n:06d}" for n in range(999999, 0, -1) if f"D{n:06d}" not in descriptors)
    doc = _doc("3", "Ketamine and an old heading.", [("Ketamine", "Chemical", "D007649"),
                                                     ("old heading", "Chemical", retired)])
    preds = [_m(doc, "Ketamine", "chemical", "MESH:D007649")]
    result = score([doc], preds, PROFILES["bc5cdr"])
    assert result.obsolete_gold_ids == {retired: 1} and result.obsolete_missed == 1
    remapped = score([doc], preds, PROFILES["bc5cdr"], replaced={retired: "D007649"})
    assert remapped.concept["Chemical"].r == 1.0 and remapped.obsolete_gold_ids == {}


def test_real_corpus_report_lists_supplementary_ids_and_errors():
    docs = read_gold("bc5cdr", LIMIT)
    profile = PROFILES["bc5cdr"]
    preds = [m for m in gold_as_prediction(docs, profile) if m.category == "chemical"]
    result = score(docs, preds, profile, top=5)
    assert result.concept["Chemical"].f1 == 1.0 and result.concept["Disease"].r == 0.0
    assert len(result.false_negatives) == 5 and all(t == "Disease" for _, t, _ in result.false_negatives)
    counts = [n for _, _, n in result.false_negatives]
    assert counts == sorted(counts, reverse=True)
    assert result.supplementary_gold_ids > 0  # BC5CDR cites chemical supplementary records (C...)


@pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in ("kg.ingest", "kg.nlp", "kg.resolve")),
                    reason="the ingest, nlp and resolve stages are not in this tree yet")
def test_evaluate_file_runs_the_pipeline():
    from kg.evaluation import evaluate_file
    from pubtator_gold import corpus_path

    result = evaluate_file(corpus_path("bc5cdr"), limit=20)
    payload = result.to_json()
    assert payload["documents"] == 20 and payload["docs_per_s"] > 0
    assert set(payload["concept"]) == {"Chemical", "Disease", "all"}
    assert all(0.0 <= v["f1"] <= 1.0 for v in payload["concept"].values())
