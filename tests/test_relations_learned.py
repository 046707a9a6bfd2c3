"""The learned relation extractor and relation evaluation, on the corpora's real documents and the sample review.

Relations are document-level pairs of corpus IDs; `kg annotate --relations` writes them in the corpus's own
form and `kg eval --relations` scores them. The floors are the development-split figures the README reports,
rounded down: a change that loses relations fails here.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from kg.document import Document
from kg.evaluation.corpus_types import PROFILES
from kg.evaluation.relations import CorpusRelation, corpus_relations, kind_types, score_relations
from kg.extract.facts import Evidence, Relation
from kg.extract.relation_model import label_kinds, load_models
from kg.ingest import read_paths

SHARED = Path(__file__).resolve().parents[2] / "shared"
BC5CDR_DEV = SHARED / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"
BIORED_DEV = SHARED / "eval" / "biored" / "Dev.PubTator"
SAMPLE = SHARED / "corpus" / "esketamine_review.txt"
needs_corpora = pytest.mark.skipif(not BC5CDR_DEV.is_file() or not BIORED_DEV.is_file(),
                                   reason="the BC5CDR and BioRED development splits are not in ../shared/eval")


@pytest.fixture(scope="module")
def biored_docs() -> list[Document]:
    return read_paths([BIORED_DEV])


def _relation(doc: Document, subject: str, kind: str, obj: str, **kw) -> Relation:
    return Relation(doc.id, subject, kind, obj, Evidence(doc.id, 0, 10, doc.text[:10], ()), **kw)


@needs_corpora
def test_relation_lines_are_read_with_novelty(biored_docs):
    doc = next(d for d in biored_docs if d.id == "14510914")
    assert len(doc.gold_relations) > 5
    assert {g.novelty for g in doc.gold_relations} <= {"Novel", "No"}
    cdr = read_paths([BC5CDR_DEV])
    assert sum(len(d.gold_relations) for d in cdr) == 1012  # the split's CID lines, none lost
    assert all(g.type == "CID" and g.novelty == "" for d in cdr for g in d.gold_relations)


@needs_corpora
def test_gold_scores_perfectly_and_a_wrong_type_counts_only_at_the_type_level(biored_docs):
    docs = biored_docs[:20]
    gold = [CorpusRelation(d.id, g.type, g.id1, g.id2, g.novelty) for d in docs for g in d.gold_relations]
    perfect = score_relations(docs, gold, PROFILES["biored"])
    assert {k: s.f1 for k, s in perfect.levels.items()} == {"pair": 1.0, "pair+type": 1.0, "pair+type+novelty": 1.0}
    flipped = [CorpusRelation(c.doc_id, "Bind" if c.type != "Bind" else "Association", c.id2, c.id1, c.novelty)
               for c in gold]  # members swapped too: a document-level pair has no order
    result = score_relations(docs, flipped, PROFILES["biored"])
    assert result.levels["pair"].f1 == 1.0 and result.levels["pair+type"].tp == 0


def test_corpus_types_follow_the_mapping_and_drop_negated_claims(monkeypatch):
    import kg.extract.relation_model as relation_model
    from kg.evaluation import relations as module

    doc = Document("1", "Cocaine-induced myocardial infarction.", "x", "pubtator")
    rels = [_relation(doc, "MESH:D003042", "adverse_event", "MESH:D009203", confidence=0.9),
            _relation(doc, "MESH:D003042", "induces", "MESH:D009203", confidence=0.4),
            _relation(doc, "MESH:D003042", "adverse_event", "MESH:D006973", confidence=0.9),
            _relation(doc, "MESH:D003042", "induces", "MESH:D006331", negated=True)]
    cid = corpus_relations(doc, rels, PROFILES["bc5cdr"])
    # with the learned models installed, only their kinds are written: the rule-made adverse event is not
    assert [(c.type, c.id1, c.id2) for c in cid] == [("CID", "D003042", "D009203")]
    assert corpus_relations(doc, rels, PROFILES["biored"]) == []  # induces is BC5CDR's kind only
    monkeypatch.setattr(relation_model, "load_models", lambda: ())  # no models: the rules are the fallback
    module.kind_types.cache_clear()
    try:
        assert {(c.id1, c.id2) for c in corpus_relations(doc, rels, PROFILES["bc5cdr"])} == {
            ("D003042", "D009203"), ("D003042", "D006973")}
        assert {c.type for c in corpus_relations(doc, rels, PROFILES["biored"])} == {"Positive_Correlation"}
        assert kind_types("bc5cdr")[0] == ("induces", "CID")  # a learned kind still outranks the rule-made ones
    finally:
        module.kind_types.cache_clear()


def test_shipped_models_load_and_every_label_has_a_predicate():
    from kg.extract.lexicon import predicates

    models = {m.name: m for m in load_models()}
    assert set(models) == {"bc5cdr", "biored"}
    assert models["bc5cdr"].pair_types == {"chemical|disease"}
    assert models["biored"].type is not None and models["biored"].novelty is not None
    probabilities = models["biored"].type.probabilities(("bias", "w:induced"))
    assert math.isclose(sum(probabilities.values()), 1.0)
    for (model, label), kind in label_kinds().items():
        assert kind in predicates(), f"{model}:{label} -> {kind} has no row in predicates.tsv"
        assert predicates()[kind].predicate.startswith("biolink:")


@needs_corpora
def test_annotate_writes_cid_lines_for_entities_it_annotated(tmp_path):
    from kg.annotate import annotate_paths

    lines = BC5CDR_DEV.read_text(encoding="utf-8").split("\n\n")
    small = tmp_path / "CDR_small.PubTator.txt"
    small.write_text("\n\n".join(lines[:15]) + "\n\n", encoding="utf-8")
    out = annotate_paths([small], relations=True)
    mentions = [ln.split("\t") for ln in out.splitlines() if ln.count("\t") == 5]
    relations = [ln.split("\t") for ln in out.splitlines() if ln.count("\t") == 3]
    assert relations and all(r[1] == "CID" for r in relations)
    annotated = {(m[0], m[5], m[4]) for m in mentions}
    for pmid, _, chemical, disease in relations:
        assert (pmid, chemical, "Chemical") in annotated and (pmid, disease, "Disease") in annotated
    gold = {(d.id, g.id1, g.id2) for d in read_paths([small]) for g in d.gold_relations}
    assert len(gold & {(r[0], r[2], r[3]) for r in relations}) >= len(gold) // 3
    import json

    collection = json.loads(annotate_paths([small], fmt="biocjson", relations=True))
    bioc = [(d["id"], r["infons"]["type"], r["infons"]["entity1"], r["infons"]["entity2"])
            for d in collection["documents"] for r in d["relations"]]
    assert sorted(bioc) == sorted((r[0], r[1], r[2], r[3]) for r in relations)  # the same relations in BioC


@needs_corpora
@pytest.mark.parametrize("path, level, floor", [
    (BC5CDR_DEV, "pair", 0.42), (BIORED_DEV, "pair", 0.31), (BIORED_DEV, "pair+type", 0.22),
    (BIORED_DEV, "pair+type+novelty", 0.15)])
def test_development_split_floors(path, level, floor, broad_index):
    result = _evaluated(path)
    assert result.levels[level].f1 >= floor, result.render()


@needs_corpora
def test_the_concept_prior_is_read_in_abstracts_not_in_reviews(monkeypatch):
    """BC5CDR's prior head knows which concepts the corpus relates; an abstract is scored by it, a review (whose
    concepts it mostly never saw) by the concept-neutral pair head."""
    from kg.extract import relation_model
    from kg.extract.context import build_context

    model = next(m for m in load_models() if m.name == "bc5cdr")
    assert model.prior is not None and any(f.startswith("id_b=") for f in model.prior.weights)
    assert not any(f.startswith("id_b=") for f in model.pair.weights)
    asked: list[bool] = []
    real = relation_model.RelationModel.related
    monkeypatch.setattr(relation_model.RelationModel, "related",
                        lambda self, pair, prior=False: asked.append(prior) or real(self, pair, prior=prior))
    from kg.evaluation import predict_resolution
    from kg.extract.context import mentions_by_document
    from kg.nlp import load_pipeline
    from kg.vocabulary import load_vocabulary

    doc = read_paths([BC5CDR_DEV])[0]
    vocabulary = load_vocabulary().in_corpus_terms()
    resolution = predict_resolution([doc], load_pipeline("dictionary", vocabulary=vocabulary), vocabulary)
    ctx = build_context(doc, mentions_by_document(resolution.entities).get(doc.id, []))
    relation_model.learned_relations(ctx)
    assert asked and all(asked)  # an abstract: the prior
    asked.clear()
    monkeypatch.setattr(type(doc), "is_review", property(lambda self: True))
    relation_model.learned_relations(ctx)
    assert not any(asked)  # a review: never the prior


@needs_corpora
def test_missed_pairs_say_whether_kg_found_their_members(broad_index):
    result = _evaluated(BC5CDR_DEV)
    reachable, total = result.reachable
    assert total == 1012 and 0.6 * total <= reachable < total
    assert result.levels["pair"].tp <= reachable  # no pair is found whose members were not
    reasons = [why for _, why in result.false_negatives]
    assert any(why.startswith("kg found no entity") for why in reasons)


_RESULTS: dict = {}


def _evaluated(path):
    from kg.evaluation.relations import evaluate_relations_file

    if path not in _RESULTS:
        _RESULTS[path] = evaluate_relations_file(path)
    return _RESULTS[path]


@pytest.mark.skipif(not SAMPLE.is_file(), reason="the sample review is not in ../shared/corpus")
def test_review_relations_are_read_from_running_text_only(vocabulary, nlp):
    """In a review a learned relation joins two mentions of one prose sentence, more likely than not; the
    glossary under a table ("AMPA: ...; BDNF: ...") and the review's own method yield none."""
    from kg.evaluation import predict_resolution
    from kg.extract import extract
    from kg.extract.relation_model import REVIEW_MIN_PROBABILITY

    docs = read_paths([SAMPLE])
    facts = extract(docs, predict_resolution(docs, nlp, vocabulary))
    learned = [r for r in facts.relations if r.method != "rules"]
    assert learned, "no learned relation in the sample review"
    doc = docs[0]
    for r in learned:
        assert r.confidence >= REVIEW_MIN_PROBABILITY
        assert {c for _, _, c in r.evidence.mentions} >= {r.subject, r.object}, r
        assert doc.text[r.evidence.start:r.evidence.end] == r.evidence.text
        assert not r.evidence.text.startswith("AMPA:")
