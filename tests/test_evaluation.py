"""The evaluation harness: corpus detection, ID spaces, both measures, and the report."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from pubtator_gold import CORPUS_FILES, gold_as_prediction, read_gold

from kg.concept import Mention
from kg.document import Document, GoldAnnotation, Span
from kg.errors import InputError
from kg.evaluation import PROFILES, detect_corpus, drop_unconventional, score
from kg.evaluation.corpus_types import is_obsolete_mesh, mesh_descriptors

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
    ("bc5cdr", "CHEBI:16015", ""),  # not expressible: written without an ID
    ("linnaeus", "MESH:D014734", ""),  # a MeSH organism: LINNAEUS's species are NCBI Taxonomy IDs
    ("bc5cdr", "", ""),
])
def test_curies_map_into_the_corpus_id_space(corpus, curie, expected):
    assert PROFILES[corpus].to_corpus_id(curie) == expected


def test_a_types_own_id_space_narrows_the_corpus_one():
    biored = PROFILES["biored"]
    assert biored.to_corpus_id("MESH:D008822", "OrganismTaxon") == ""  # MeSH "Mice, Transgenic": no taxon ID
    assert biored.to_corpus_id("MESH:D008822", "DiseaseOrPhenotypicFeature") == "D008822"
    assert biored.to_corpus_id("NCBITaxon:10090", "OrganismTaxon") == "10090"
    assert biored.to_corpus_id("MESH:D008822", "GeneOrGeneProduct") == ""  # a gene is an NCBI Gene ID there


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
    from pubtator_gold import corpus_path

    from kg.evaluation import evaluate_file

    result = evaluate_file(corpus_path("bc5cdr"), limit=20)
    payload = result.to_json()
    assert payload["documents"] == 20 and payload["docs_per_s"] > 0
    assert set(payload["concept"]) == {"Chemical", "Disease", "all"}
    assert all(0.0 <= v["f1"] <= 1.0 for v in payload["concept"].values())


# --- corpus conventions: forms a corpus's annotators leave unannotated -------------------------------------

CONVENTIONS_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "conventions"


def _occurrences(doc: Document, pattern: str, category: str, curie: str) -> list[Mention]:
    """A prediction at every whole-word, case-insensitive occurrence of ``pattern`` (what a dictionary NER does)."""
    return [Mention(doc.id, m.start(), m.end(), m.group(), category, curie=curie)
            for m in re.finditer(rf"\b{pattern}\b", doc.text, re.IGNORECASE)]


def _predict_species(documents: list[Document]) -> list[Mention]:
    # identifiers from docs/identifiers.md: human NCBITaxon:9606, rat NCBITaxon:10116
    return [m for d in documents for m in _occurrences(d, "patients", "organism", "NCBITaxon:9606")
            + _occurrences(d, "rats?", "organism", "NCBITaxon:10116")]


def test_conventions_learnt_from_training_drop_unannotated_forms():
    """'patients' is predicted in every training document but never annotated: it is learnt and dropped."""
    from kg.evaluation.conventions import learn_conventions
    from kg.ingest.pubtator import read_pubtator

    profile = PROFILES["linnaeus"]
    train = read_pubtator(CONVENTIONS_FIXTURE / "linnaeus_train.pubtator")
    test = read_pubtator(CONVENTIONS_FIXTURE / "linnaeus_test.pubtator")
    rows = learn_conventions(train, _predict_species(train), profile)
    assert rows == [("patients", "organism", 5, 0)]  # 'rat'/'rats' are annotated; 'Patients' case-folds
    conventions = {"linnaeus": frozenset((form, cat) for form, cat, _, _ in rows)}

    predicted = _predict_species(test)
    raw = score(test, predicted, profile)
    assert (raw.concept["all"].tp, raw.concept["all"].fp) == (1, 1)
    kept = drop_unconventional(predicted, profile, conventions)
    filtered = score(test, kept, profile)
    assert [m.text for m in kept] == ["rats"]
    assert (filtered.concept["all"].p, filtered.concept["all"].r) == (1.0, 1.0)
    assert filtered.mention["all"].f1 == 1.0
    # other corpora, and corpus-neutral output, keep everything
    assert drop_unconventional(predicted, PROFILES["biored"], conventions) == predicted
    assert drop_unconventional(predicted, None, conventions) == predicted


def test_conventions_need_enough_occurrences_and_a_low_annotated_share():
    from kg.evaluation.conventions import learn_conventions

    profile = PROFILES["linnaeus"]
    doc = _doc("1", "patients patients patients rats rats", [("rats", "Species", "10116")])
    preds = _occurrences(doc, "patients", "organism", "NCBITaxon:9606") + _occurrences(doc, "rats", "organism", "")
    assert learn_conventions([doc], preds, profile) == [("patients", "organism", 3, 0)]
    assert learn_conventions([doc], preds, profile, min_predicted=4) == []
    assert learn_conventions([doc], preds, profile, max_share=0.0) == []
    # categories the corpus does not score are never learnt
    assert learn_conventions([doc], [Mention(m.doc_id, m.start, m.end, m.text, "disease") for m in preds],
                             profile) == []


def test_shipped_conventions_follow_each_corpus_guidelines(tmp_path):
    """The shipped table (learnt from training splits) drops 'patients' for LINNAEUS and S800, not for BioRED."""
    from kg.evaluation.conventions import CONVENTIONS_FILE, load_conventions, write_conventions

    header = CONVENTIONS_FILE.read_text(encoding="utf-8").splitlines()[:6]
    assert any("TRAINING" in line for line in header) and all(line.startswith("#") for line in header[:3])
    table = load_conventions()
    assert ("patients", "organism") in table["linnaeus"] and ("patients", "organism") in table["s800"]
    assert ("patients", "organism") not in table.get("biored", frozenset())
    # the writer and the reader agree
    out = tmp_path / "conventions.tsv"
    assert write_conventions({"s800": [("women", "organism", 8, 0)]}, out, ["test"]) == 1
    assert load_conventions(out) == {"s800": frozenset({("women", "organism")})}


def test_memorisation_baseline_tags_training_strings_longest_first_on_word_boundaries(tmp_path):
    from kg.document import Block, Document, Span
    from kg.evaluation.baseline import memorise, training_pairs

    train = tmp_path / "train.PubTator"
    train.write_text("1|t|Naloxone and naloxone hydrochloride.\n"
                     "1\t0\t8\tNaloxone\tChemical\tD009270\n"
                     "1\t13\t35\tnaloxone hydrochloride\tChemical\tD009270\n"
                     "2|t|Naloxone again.\n2\t0\t8\tNaloxone\tChemical\tD009270\n"
                     "3|t|Naloxone, once otherwise.\n3\t0\t8\tNaloxone\tChemical\tD000001\n", encoding="utf-8")
    pairs = training_pairs(train, holdout=False)
    assert pairs["Naloxone"] == ("chemical", "MESH:D009270"), "the ID given most often wins"
    text = "Naloxone hydrochloride, naloxone hydrochloride and Naloxonex."
    doc = Document("d", text, "test", "pubtator", blocks=[Block(Span(0, len(text)), "paragraph")])
    found = [(m.text, m.curie) for m in memorise([doc], pairs)]
    assert found == [("Naloxone", "MESH:D009270"), ("naloxone hydrochloride", "MESH:D009270")], \
        "case-sensitive, longest first, whole words only (not inside 'Naloxonex')"


# --- nested names: what a corpus tags inside a longer mention ---------------------------------------------------

class _Names:
    """A vocabulary of a few exact names (MeSH 2026: D004298 Dopamine; identifiers.md: D009020 Morphine)."""

    def __init__(self, names: dict[str, tuple[str, str]]) -> None:
        self._names = names

    def lookup(self, text: str):
        from kg.concept import Concept

        found = self._names.get(text.casefold())
        return [Concept(found[0], text, found[1])] if found else []


_NAMES = _Names({"dopamine": ("MESH:D004298", "chemical"), "morphine": ("MESH:D009020", "chemical")})
# Sentences of BC5CDR's training split (PMID 1833784) and a salt's name, as the corpus annotates them:
# "dopamine" inside "dopamine receptors" is tagged, "morphine" inside "morphine sulfate" is not (the salt is).
_NESTING_TRAIN = (
    "1|t|Evidence for an involvement of D1 and D2 dopamine receptors in mediating nicotine-induced hyperactivity.\n"
    "1|a|Blockade of dopamine receptors and of dopamine receptors again.\n"
    "1\t41\t49\tdopamine\tChemical\tD004298\n"
    "1\t117\t125\tdopamine\tChemical\tD004298\n"
    "1\t143\t151\tdopamine\tChemical\tD004298\n\n"
    "2|t|Morphine sulfate and morphine sulfate and morphine sulfate.\n"
    "2|a|No more.\n"
    "2\t0\t16\tMorphine sulfate\tChemical\tD009020\n"
    "2\t21\t37\tmorphine sulfate\tChemical\tD009020\n"
    "2\t42\t58\tmorphine sulfate\tChemical\tD009020\n\n"
)


def _longer_mentions(doc: Document) -> list[Mention]:
    return ([m for m in _occurrences(doc, "dopamine receptors", "gene", "")]
            + [m for m in _occurrences(doc, "morphine sulfate", "chemical", "MESH:D009020")])


def test_nesting_learnt_from_training_adds_what_the_corpus_tags_inside_longer_names():
    from kg.evaluation.nesting import add_nested, learn_nesting
    from kg.ingest.pubtator import parse_pubtator

    profile = PROFILES["bc5cdr"]
    train = parse_pubtator(_NESTING_TRAIN)
    rows = learn_nesting(train, [m for d in train for m in _longer_mentions(d)], profile, _NAMES)
    assert rows == [("gene", "receptors", "chemical", 3, 3)]  # 'morphine' in 'morphine sulfate' is never tagged
    nesting = {"bc5cdr": frozenset(row[:3] for row in rows)}

    test = parse_pubtator("3|t|Dopamine receptors and morphine sulfate.\n3|a|Nothing else.\n"
                          "3\t0\t8\tDopamine\tChemical\tD004298\n3\t23\t39\tmorphine sulfate\tChemical\tD009020\n\n")
    predicted = _longer_mentions(test[0])
    written = add_nested(predicted, profile, _NAMES, nesting)
    assert [(m.text, m.category, m.curie) for m in written[len(predicted):]] == [("Dopamine", "chemical",
                                                                                    "MESH:D004298")]
    assert score(test, written, profile).concept["Chemical"].f1 == 1.0
    assert score(test, predicted, profile).concept["Chemical"].r == 0.5
    # a corpus that never nests, and kg's own output, add nothing
    assert add_nested(predicted, PROFILES["biored"], _NAMES, nesting) == predicted
    assert add_nested(predicted, None, _NAMES, nesting) == predicted
