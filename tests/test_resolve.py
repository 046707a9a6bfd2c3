"""Resolution: the sample review's concepts, abbreviations, ambiguity, variants, fuzzy typos, BC5CDR."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kg.concept import Mention
from kg.document import Block, Document, Span

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
REVIEW = SHARED / "corpus" / "esketamine_review.txt"
BC5CDR_DEV = SHARED / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"

needs_shared = pytest.mark.skipif(not REVIEW.is_file(), reason="../shared (sample review, eval corpora) is absent")

# Names the review uses; the expected concept is whatever the curated vocabulary gives each name.
EXPECTED = [
    "ketamine", "esketamine", "cocaine", "morphine", "alcohol", "opioids", "glutamate", "GABA", "NMDA receptor",
    "GluN2B", "AMPA receptor", "BDNF", "treatment-resistant depression", "major depressive disorder",
    "substance use disorder", "obsessive-compulsive disorder", "eating disorders", "dizziness", "nausea",
    "hypertension", "tachycardia", "rats", "humans", "prefrontal cortex", "nucleus accumbens", "hippocampus",
]
ABBREVIATED = {"TRD": "treatment-resistant depression", "MDD": "major depressive disorder",
               "SUD": "substance use disorder", "SUDs": "substance use disorder",
               "OCD": "obsessive-compulsive disorder", "ED": "eating disorders"}


@pytest.fixture(scope="module")
def review_resolution(vocabulary, nlp):
    if not REVIEW.is_file():
        pytest.skip("../shared is absent")
    from kg.ingest import read_paths
    from kg.nlp import annotate
    from kg.resolve import long_form_concept, resolve

    documents = read_paths([REVIEW])
    mentions = annotate(documents, nlp, long_forms=long_form_concept)
    return documents, mentions, resolve(documents, mentions, vocabulary)


def _curie(vocabulary, name: str) -> str:
    concepts = vocabulary.lookup(name)
    assert concepts, f"the vocabulary has no concept named {name!r}"
    return concepts[0].curie


def _doc(text: str) -> Document:
    return Document("t", text, "test", "review", blocks=[Block(Span(0, len(text)), "paragraph")])


@needs_shared
def test_review_yields_the_expected_entities(review_resolution, vocabulary):
    _, _, resolution = review_resolution
    curies = {e.curie for e in resolution.entities}
    missing = [name for name in EXPECTED if _curie(vocabulary, name) not in curies]
    assert not missing


@needs_shared
def test_brand_name_and_abbreviations_merge_into_one_entity(review_resolution, vocabulary):
    _, _, resolution = review_resolution
    esketamine = resolution.entity(_curie(vocabulary, "esketamine"))
    assert "Spravato" in {m.text for m in esketamine.mentions}
    for short, long in ABBREVIATED.items():
        entity = resolution.entity(_curie(vocabulary, long))
        methods = {m.method for m in entity.mentions if m.text == short}
        assert methods == {"abbreviation"}, (short, methods)


@needs_shared
def test_every_mention_is_resolved_or_reported(review_resolution):
    _, mentions, resolution = review_resolution
    resolved = sum(len(e.mentions) for e in resolution.entities)
    assert resolved + len(resolution.unresolved) == len(mentions)
    assert sum(resolution.by_method.values()) == len(mentions)
    assert len({e.curie for e in resolution.entities}) == len(resolution.entities)
    assert all(m in resolution.reasons for m in resolution.unresolved)


@needs_shared
def test_resolution_is_deterministic(review_resolution, vocabulary):
    from kg.resolve import resolve

    documents, mentions, first = review_resolution
    second = resolve(documents, list(reversed(mentions)), vocabulary)
    assert [(e.curie, e.mentions) for e in first.entities] == [(e.curie, e.mentions) for e in second.entities]


@pytest.fixture(scope="module")
def ambiguous_vocabulary(vocabulary):
    """A vocabulary where "ED" names two real concepts, as it does in the wider literature."""
    from kg.vocabulary import Vocabulary

    eating = vocabulary.lookup("eating disorders")[0]
    erectile = vocabulary.lookup("erectile dysfunction")[0]
    concepts = [replace(c, synonyms=(*c.synonyms, "ED")) for c in (eating, erectile)]
    return Vocabulary([("curated", concepts)])


def test_undefined_ambiguous_short_form_stays_unresolved(ambiguous_vocabulary):
    from kg.resolve import resolve

    doc = _doc("Patients with ED were excluded.")
    start = doc.text.index("ED")
    mention = Mention("t", start, start + 2, "ED", "disease")
    resolution = resolve([doc], [mention], ambiguous_vocabulary)
    assert resolution.entities == [] and [m.text for m in resolution.unresolved] == ["ED"]
    assert "ambiguous" in resolution.reasons[resolution.unresolved[0]]


def test_defined_ambiguous_short_form_resolves_through_its_long_form(ambiguous_vocabulary):
    from kg.nlp import annotate, load_pipeline
    from kg.resolve import long_form_concept, resolve

    nlp = load_pipeline("dictionary", vocabulary=ambiguous_vocabulary)
    doc = _doc("Binge eating disorders (ED) are common. ED often co-occurs with depression.")
    mentions = annotate([doc], nlp, long_forms=long_form_concept)
    resolution = resolve([doc], mentions, ambiguous_vocabulary)
    eating = ambiguous_vocabulary.lookup("eating disorders")[0].curie
    assert [(m.text, m.method) for m in resolution.entity(eating).mentions] == [
        ("eating disorders", "exact"), ("ED", "abbreviation"), ("ED", "abbreviation")]
    assert not resolution.unresolved


def test_typo_resolves_fuzzily_with_score_below_one(vocabulary):
    from kg.resolve import resolve

    doc = _doc("esketamin and hypertensoin")
    mentions = [Mention("t", 0, 9, "esketamin", "chemical"), Mention("t", 14, 26, "hypertensoin", "phenotype")]
    resolution = resolve([doc], mentions, vocabulary)
    got = {m.text: (e.curie, m.method, m.score) for e in resolution.entities for m in e.mentions}
    assert got["esketamin"][:2] == (_curie(vocabulary, "esketamine"), "fuzzy")
    assert 0.85 < got["esketamin"][2] < 1.0
    assert got["hypertensoin"][0] == _curie(vocabulary, "hypertension")
    strict = resolve([doc], mentions, vocabulary, fuzzy_threshold=1.0)
    assert not strict.entities and len(strict.unresolved) == 2


def test_spelling_variants_and_enantiomers(vocabulary):
    from kg.resolve import resolve

    texts = ["γ-aminobutyric acid", "GABA's", "(S)-ketamine"]
    doc = _doc(" ".join(texts))
    mentions, start = [], 0
    for text in texts:
        mentions.append(Mention("t", start, start + len(text), text, "chemical"))
        start += len(text) + 1
    resolution = resolve([doc], mentions, vocabulary)
    got = {m.text: e.curie for e in resolution.entities for m in e.mentions}
    assert got["γ-aminobutyric acid"] == got["GABA's"] == _curie(vocabulary, "GABA")
    if vocabulary.lookup("(S)-ketamine"):
        assert got["(S)-ketamine"] == _curie(vocabulary, "esketamine")
    # an enantiomer the vocabulary does not list never falls back to (or is fuzzed into) another form
    other = resolve([doc], [Mention("t", 0, 12, "(R)-ketamine", "chemical")], vocabulary)
    listed = vocabulary.lookup("(R)-ketamine") or vocabulary.lookup("arketamine")
    assert bool(other.entities) == bool(listed)
    if not listed:
        assert "enantiomer" in other.reasons[other.unresolved[0]]


@needs_shared
def test_bc5cdr_documents_get_chemicals_and_diseases(vocabulary, nlp):
    """Gold chemicals and diseases the vocabulary knows by that name and category are found and grounded."""
    from kg.ingest import read_paths
    from kg.nlp import annotate
    from kg.resolve import long_form_concept, resolve

    wanted = {"Chemical": {"chemical"}, "Disease": {"disease", "phenotype"}}
    chosen, expected = [], {}
    for document in read_paths([BC5CDR_DEV]):
        known = set()
        for g in document.gold:
            concepts = vocabulary.lookup(g.text)
            if g.type in wanted and concepts and concepts[0].category in wanted[g.type] and \
                    f"MESH:{g.identifier}" in (concepts[0].curie, *concepts[0].xrefs):
                known.add((g.type, concepts[0].curie))
        if {t for t, _ in known} == set(wanted) and len(chosen) < 20:
            chosen.append(document)
            expected[document.id] = known
    assert len(chosen) >= 5
    resolution = resolve(chosen, annotate(chosen, nlp, long_forms=long_form_concept), vocabulary)
    found = {(m.doc_id, e.curie) for e in resolution.entities for m in e.mentions}
    pairs = [(doc_id, curie) for doc_id, known in expected.items() for _, curie in known]
    recall = sum(pair in found for pair in pairs) / len(pairs)
    print(f"\nBC5CDR dev: {len(chosen)} documents, recall of vocabulary-known gold concepts {recall:.2f}")
    assert recall >= 0.9
    for document in chosen:
        categories = {e.concept.category for e in resolution.entities if (document.id, e.curie) in found}
        assert "chemical" in categories and categories & wanted["Disease"], document.id
