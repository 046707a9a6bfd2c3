"""The stop-list learner's concept-level count: a hit is right only when its concept is in the document's gold."""
from dataclasses import replace
from pathlib import Path

from kg.concept import Mention
from kg.evaluation.corpus_types import PROFILES
from kg.ingest import read_paths
from kg.nlp.stoplist import CONCEPT_CATEGORIES, MAX_CONCEPT_RATE, MIN_SEEN, _stopped, count_concept_hits

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "vocab" / "eval" / "bc5cdr" / "CDR_TrainingSet.PubTator.txt"


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
