"""The statistical NER: the trained model loads from the repository, finds names in unseen development text,
merges with the dictionary without losing its entities, and the training conversion marks untagged types missing."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from kg.errors import PipelineError

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
BC5CDR_DEV = SHARED / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"
REVIEW = SHARED / "corpus" / "esketamine_review.txt"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "statistical" / "chemicals_only.pubtator"
MODEL = ROOT / "models" / "ner"

needs_model = pytest.mark.skipif(not (MODEL / "config.cfg").is_file(), reason="models/ner is not trained")
needs_dev = pytest.mark.skipif(not BC5CDR_DEV.is_file(), reason="../shared/eval is absent")


def _train_module():
    spec = importlib.util.spec_from_file_location("train_ner", ROOT / "training" / "train_ner.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def vocabulary():
    from kg.vocabulary import load_vocabulary

    return load_vocabulary()


@pytest.fixture(scope="module")
def dev_documents():
    if not BC5CDR_DEV.is_file():
        pytest.skip("../shared/eval is absent")
    from kg.ingest import read_paths

    return [d for d in read_paths([BC5CDR_DEV]) if d.format == "pubtator"][:40]


def test_model_path_is_relative_to_the_repository(monkeypatch, tmp_path):
    from kg.nlp.statistical import model_path

    monkeypatch.chdir(tmp_path)
    assert model_path("models/ner") == ROOT / "models" / "ner"
    assert model_path(tmp_path / "m") == tmp_path / "m"


def test_missing_model_says_how_to_train_it(tmp_path):
    from kg.nlp.statistical import load_model

    with pytest.raises(PipelineError, match="train_ner.py"):
        load_model(tmp_path / "no-model")


@needs_model
def test_model_is_small_and_has_the_four_labels():
    from kg.nlp.statistical import load_model

    size = sum(p.stat().st_size for p in MODEL.rglob("*") if p.is_file())
    assert size < 20 * 1024 * 1024
    assert set(load_model().get_pipe("ner").labels) == {"CHEMICAL", "DISEASE", "GENE", "ORGANISM"}


@needs_model
@needs_dev
def test_model_finds_names_in_unseen_development_text(dev_documents):
    """BC5CDR dev was never trained on: the model alone must recover most gold chemical and disease spans."""
    from kg.nlp.statistical import load_model

    model = load_model()
    gold = predicted = hit = 0
    for document in dev_documents:
        spans = {(e.start_char, e.end_char, e.label_) for e in model(document.text).ents}
        wanted = {(g.span.start, g.span.end, g.type.upper()) for g in document.gold}
        gold, predicted, hit = gold + len(wanted), predicted + len(spans), hit + len(spans & wanted)
    assert gold > 500
    assert hit / gold > 0.6 and hit / predicted > 0.6, (hit, gold, predicted)


def _ents(nlp, texts):
    return [{(e.start_char, e.end_char, e.label_, e.kb_id_) for e in doc.ents} for doc in nlp.pipe(texts)]


@needs_model
@needs_dev
def test_hybrid_keeps_the_dictionary_entities_and_links_what_it_adds(vocabulary, dev_documents):
    import kg.nlp.statistical  # noqa: F401  registers kg_statistical_ner
    from kg.nlp import load_pipeline

    texts = [d.text for d in dev_documents]
    dictionary = _ents(load_pipeline("dictionary", vocabulary=vocabulary), texts)
    hybrid = _ents(load_pipeline("hybrid", vocabulary=vocabulary), texts)
    added = 0
    for before, after in zip(dictionary, hybrid):
        assert before <= after
        for _start, _end, label, _curie in after - before:
            added += 1
            assert label in {"chemical", "disease", "gene", "organism"}
    assert added > 0  # the model names something the dictionary's automaton missed


@needs_model
def test_hybrid_leaves_the_sample_review_identifiers_alone(vocabulary):
    if not REVIEW.is_file():
        pytest.skip("../shared is absent")
    import kg.nlp.statistical  # noqa: F401
    from kg.ingest import read_paths
    from kg.nlp import annotate, load_pipeline
    from kg.resolve import long_form_concept

    documents = read_paths([REVIEW])
    dictionary, hybrid = (load_pipeline(name, vocabulary=vocabulary) for name in ("dictionary", "hybrid"))
    before = {(m.start, m.end): m.curie for m in annotate(documents, dictionary, long_forms=long_form_concept)}
    after = {(m.start, m.end): m.curie for m in annotate(documents, hybrid, long_forms=long_form_concept)}
    changed = {span: (curie, after.get(span)) for span, curie in before.items() if curie and after.get(span) != curie}
    assert len(changed) <= 0.02 * len(before), sorted(changed.items())[:20]


def test_training_marks_types_the_corpus_does_not_tag_as_missing():
    """A chemicals-only corpus teaches "outside" for ordinary words but nothing about its untagged diseases."""
    train = _train_module()
    nlp, dictionary = train._tokenizer_pipeline()
    docs = train.convert(FIXTURE, {"CHEMICAL"}, False, nlp, dictionary)
    tokens = {t.text: t for doc in docs for t in doc}
    assert (tokens["Naloxone"].ent_iob_, tokens["Naloxone"].ent_type_) == ("B", "CHEMICAL")
    assert tokens["clonidine"].ent_type_ == "CHEMICAL"
    assert tokens["reverses"].ent_iob_ == "O"
    assert tokens["rats"].ent_iob_ == ""  # an organism the curated vocabulary knows: missing, not outside
    assert sum(len(doc.ents) for doc in docs) == 3
