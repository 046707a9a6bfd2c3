"""The stop-list learner (``training/learn_stoplist.py``): a hit is right only when its concept is in the
document's gold, and the file it writes is the one ``kg.nlp.precision`` reads."""
import importlib.util
from dataclasses import replace
from pathlib import Path

from kg.concept import Mention
from kg.evaluation.corpus_types import PROFILES
from kg.ingest import read_paths

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "vocab" / "eval" / "bc5cdr" / "CDR_TrainingSet.PubTator.txt"


def learn_stoplist():
    """The training script as a module (it is not part of the ``kg`` package)."""
    spec = importlib.util.spec_from_file_location("learn_stoplist", ROOT / "training" / "learn_stoplist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_learn = learn_stoplist()
CONCEPT_CATEGORIES, MAX_CONCEPT_RATE, MIN_SEEN = _learn.CONCEPT_CATEGORIES, _learn.MAX_CONCEPT_RATE, _learn.MIN_SEEN
_stopped, count_concept_hits = _learn._stopped, _learn.count_concept_hits


def _gold_mentions(documents):
    out = []
    for doc in documents:
        for g in doc.gold:
            category = "chemical" if g.type == "Chemical" else "disease"
            out.append(Mention(doc.id, g.span.start, g.span.end, g.text, category, curie=f"MESH:{g.identifier}"))
    return out


def test_concept_hits_count_gold_ids_per_document():
    documents = [d for d in read_paths([FIXTURE]) if d.format == "pubtator"]
    mentions = [m for m in _gold_mentions(documents) if "|" not in m.curie and m.curie != "MESH:-1"]
    assert mentions
    seen, right = count_concept_hits(documents, mentions, PROFILES["bc5cdr"])
    assert sum(seen.values()) == len(mentions) and right == seen
    # The same spans read as another concept are seen but never right.
    wrong = [replace(m, curie="MESH:D000000") for m in mentions]
    seen, right = count_concept_hits(documents, wrong, PROFILES["bc5cdr"])
    assert sum(seen.values()) == len(mentions) and not right


def test_concept_rule_applies_to_its_categories_only():
    n = max(MIN_SEEN, 10)
    few = int(MAX_CONCEPT_RATE * n) - 1
    assert _stopped(("dna", "chemical"), n, n, n, few)       # annotated, but as other concepts
    assert not _stopped(("dna", "chemical"), n, n, n, n)     # annotated as the concept it is read as
    assert "gene" not in CONCEPT_CATEGORIES
    assert not _stopped(("bdnf", "gene"), n, n, n, 0)
    assert _stopped(("placebo", "chemical"), n, 0, n, 0)     # the mention-level rule still holds


def test_stoplist_file_rows_and_malformed_lines(tmp_path):
    import pytest

    from kg.errors import VocabularyError
    from kg.nlp.precision import read_stoplist

    path = tmp_path / "ner" / "stoplist.tsv"
    assert read_stoplist(path) == ()  # no learnt list: nothing stopped
    _learn.write([("placebo", "chemical", 40, 2), ("plant", "organism", 5, 0)], ["a training split"], path)
    assert read_stoplist(path) == (("placebo", "chemical", 40), ("plant", "organism", 5))
    assert not list(path.parent.glob(".*"))  # written in one step, no temp file left
    path.write_text(path.read_text() + "no tab on this line\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"stoplist\.tsv:\d+: .*tab"):
        read_stoplist(path)
