"""Learn the NER stop-list from the training splits: names the dictionary finds that annotators skip.

For every training corpus of :mod:`kg.vocabulary.sources.corpora` (the held-out fifth of the
training-only corpora excluded, as everywhere), the dictionary NER runs without the learnt list; each
hit whose category the corpus annotates counts as *annotated* when a gold annotation of that corpus
overlaps it. A (folded form, category) pair is stopped when it was found at least ``MIN_SEEN`` times
and annotated in less than ``MAX_RATE`` of them: "placebo", "plant", "DNA" and "phenotype" go, "mice"
and "dopamine" stay. For chemicals and diseases a pair is also stopped when the concept it is read as is
among the document's gold concepts in less than ``MAX_CONCEPT_RATE`` of its hits (``CONCEPT_CATEGORIES``):
"DNA", "enzyme", "hemorrhagic cystitis" (annotated, but as other concepts) and drug classes the corpora
annotate as something else go; on the development splits this raised concept F1 (BC5CDR chemical
0.800 -> 0.809, BioRED chemical 0.672 -> 0.726) at no cost to diseases. Run it after changing the vocabulary
or the NER; it rewrites ``ontologies/ner/stoplist.tsv`` (read at run time by :mod:`kg.nlp.precision`) with its
provenance in the header. It is a training script, not part of ``kg``: it runs the evaluation profiles over the
training corpora, a later stage than the NER it tunes.

    .venv/bin/python training/learn_stoplist.py [-o ontologies/ner/stoplist.tsv]
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.atomic import atomic_write_text  # noqa: E402
from kg.nlp.precision import STOPLIST_FILE  # noqa: E402

__all__ = ["count_hits", "count_concept_hits", "learn", "write"]

log = logging.getLogger("learn_stoplist")

MIN_SEEN = 3
MAX_RATE = 0.3
# The concept-level rule, and the categories it is measured to help (for genes and organisms it cost recall).
MAX_CONCEPT_RATE = 0.4
CONCEPT_CATEGORIES = ("chemical", "disease")


def count_hits(documents, mentions, categories: dict[str, str]) -> tuple[Counter, Counter]:
    """``(seen, annotated)`` counts per (folded form, category) of ``mentions`` against the documents' gold.

    ``categories`` maps the kg categories the corpus annotates onto its scored type names.
    """
    from kg.nlp.dictionary import fold

    gold: dict[str, list[tuple[int, int, str]]] = {}
    for doc in documents:
        gold[doc.id] = [(g.span.start, g.span.end, g.type) for g in doc.gold]
    seen: Counter = Counter()
    annotated: Counter = Counter()
    for m in mentions:
        if m.category not in categories:
            continue
        key = (" ".join(fold(m.text).split()), m.category)
        seen[key] += 1
        if any(s < m.end and m.start < e for s, e, _t in gold.get(m.doc_id, ())):
            annotated[key] += 1
    return seen, annotated


def count_concept_hits(documents, mentions, profile) -> tuple[Counter, Counter]:
    """``(seen, right)`` counts per (folded form, category): how often a hit's concept (its CURIE in the
    corpus's ID space) is among the gold concepts of its document and type, as the concept measure asks."""
    from kg.nlp.dictionary import fold

    gold: dict[tuple[str, str], set[str]] = {}
    for doc in documents:
        for g in doc.gold:
            scored = profile.scoring_type(g.type)
            if scored is not None:
                ids = gold.setdefault((doc.id, scored), set())
                for concept in profile.gold_concepts(g.identifier):
                    ids |= set(concept)
    seen: Counter = Counter()
    right: Counter = Counter()
    for m in mentions:
        scored = profile.type_for(m.category)
        if scored is None:
            continue
        key = (" ".join(fold(m.text).split()), m.category)
        seen[key] += 1
        if m.curie and profile.to_corpus_id(m.curie) in gold.get((m.doc_id, scored), ()):
            right[key] += 1
    return seen, right


def _stopped(form_category: tuple[str, str], n: int, annotated: int, concept_seen: int, right: int) -> bool:
    if n < MIN_SEEN:
        return False
    if annotated < MAX_RATE * n:
        return True
    return (form_category[1] in CONCEPT_CATEGORIES and concept_seen >= MIN_SEEN
            and right < MAX_CONCEPT_RATE * concept_seen)


def learn(shared: Path | None = None) -> tuple[list[tuple[str, str, int, int]], list[str]]:
    """The stop-list rows ``(form, category, seen, annotated)`` and the corpora files they were learnt on."""
    from kg.evaluation.corpus_types import PROFILES
    from kg.nlp import annotate, load_pipeline
    from kg.resolve import long_form_concept
    from kg.vocabulary.sources.corpora import training_documents

    nlp = load_pipeline("dictionary", overrides={"components.kg_dictionary_ner.learned_stoplist": False,
                                                 "components.kg_dictionary_ner.conventions": "corpus"})
    seen: Counter = Counter()
    annotated: Counter = Counter()
    concept_seen: Counter = Counter()
    right: Counter = Counter()
    used = []
    for corpus, documents in training_documents(shared):
        mentions = annotate(documents, nlp, long_forms=long_form_concept)
        s, a = count_hits(documents, mentions, PROFILES[corpus.name].categories)
        seen.update(s)
        annotated.update(a)
        cs, r = count_concept_hits(documents, mentions, PROFILES[corpus.name])
        concept_seen.update(cs)
        right.update(r)
        used.append(f"{corpus.training} ({len(documents)} documents)")
        log.info("%s: %d documents, %d hits", corpus.name, len(documents), sum(s.values()))
    rows = [(form, category, n, annotated[(form, category)]) for (form, category), n in seen.items()
            if _stopped((form, category), n, annotated[(form, category)], concept_seen[(form, category)],
                        right[(form, category)])]
    return sorted(rows, key=lambda r: (r[1], r[0])), used


def write(rows, used: list[str], path: Path = STOPLIST_FILE) -> None:
    """Replace ``path`` in one step with the learnt rows under a provenance header (never half-written)."""
    header = [
        "# NER stop-list learnt from the TRAINING splits of ../shared/eval by `training/learn_stoplist.py`.",
        f"# A (form, category) hit of the dictionary NER is listed when found >= {MIN_SEEN} times in corpora that",
        f"# annotate the category and overlapped by a gold annotation in < {MAX_RATE:.0%} of them, or (for",
        f"# {', '.join(CONCEPT_CATEGORIES)}) read as a concept of the document's gold"
        f" in < {MAX_CONCEPT_RATE:.0%} of them.",
        f"# Learnt {time.strftime('%Y-%m-%d')} on: " + "; ".join(used),
        "# columns: folded form, kg category, times found, times annotated",
    ]
    lines = header + [f"{form}\t{category}\t{n}\t{a}" for form, category, n, a in rows]
    atomic_write_text(path, "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=STOPLIST_FILE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows, used = learn()
    write(rows, used, args.output)
    print(f"{len(rows)} stopped names written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
