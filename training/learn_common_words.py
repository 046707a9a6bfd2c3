"""Learn which one-word MeSH-only names are everyday words of biomedical writing, from the training splits.

A one-word MeSH heading of an inferred category ("Radiotherapy", "Fear", "Growth", "Survival") is a mention only
where a review makes it a subject (:func:`kg.nlp.pipeline.document_subjects`). Its title, abstract or headings do;
a body that uses the word again and again does too, unless the word is one any biomedical text uses: "growth",
"survival" and "therapeutic" recur in any review and say nothing of it, "laryngectomy", "caregivers" and "fear"
recur only where they are what the review is about. The training abstracts are the background: a word found in
at least ``MIN_DOCUMENTS`` of them is common, and frequency alone never makes it a subject. The held-out fifth of
the training-only corpora is left out, as everywhere. Run it after changing the vocabulary or the NER; it rewrites
``ontologies/ner/common_words.tsv`` (read at run time by :mod:`kg.nlp.precision`) with its provenance.

    .venv/bin/python training/learn_common_words.py [-o ontologies/ner/common_words.tsv]
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
from kg.nlp.precision import COMMON_WORDS_FILE  # noqa: E402

__all__ = ["count_documents", "learn", "write"]

log = logging.getLogger("learn_common_words")

# About one training abstract in 300: "immunotherapy" (11 of 3,094) is common, "caregivers" (2) is not.
MIN_DOCUMENTS = 10


def count_documents(documents, matcher) -> Counter:
    """In how many of ``documents`` each generic key (``Match.generic``) of ``matcher`` occurs."""
    from kg.nlp.dictionary import fold

    found: Counter = Counter()
    for document in documents:
        text = document.text
        found.update({" ".join(fold(text[m.start:m.end]).split()) for m in matcher.candidates(text) if m.generic})
    return found


def learn(shared: Path | None = None) -> tuple[list[tuple[str, int]], int, list[str]]:
    """The common rows ``(folded form, documents)``, the number of documents read and the files they came from."""
    from kg.nlp import load_pipeline
    from kg.nlp.pipeline import dictionary_matcher
    from kg.vocabulary.sources.corpora import training_documents

    matcher = dictionary_matcher(load_pipeline("dictionary"))
    counts: Counter = Counter()
    total = 0
    used = []
    for corpus, documents in training_documents(shared):
        counts.update(count_documents(documents, matcher))
        total += len(documents)
        used.append(f"{corpus.training} ({len(documents)} documents)")
        log.info("%s: %d documents", corpus.name, len(documents))
    rows = sorted((form, n) for form, n in counts.items() if n >= MIN_DOCUMENTS)
    return rows, total, used


def write(rows, total: int, used: list[str], path: Path = COMMON_WORDS_FILE) -> None:
    """Replace ``path`` in one step with the learnt rows under a provenance header (never half-written)."""
    header = [
        "# Common one-word MeSH-only names, learnt from the TRAINING splits of ../shared/eval by",
        "# `training/learn_common_words.py`: a generic name (kg.nlp.dictionary.Match.generic) found in at least",
        f"# {MIN_DOCUMENTS} of the {total} training documents. Frequency in a review's body never makes one a subject.",
        f"# Learnt {time.strftime('%Y-%m-%d')} on: " + "; ".join(used),
        "# columns: folded form, training documents it occurs in",
    ]
    atomic_write_text(path, "\n".join(header + [f"{form}\t{n}" for form, n in rows]) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=COMMON_WORDS_FILE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows, total, used = learn()
    write(rows, total, used, args.output)
    print(f"{len(rows)} common words of {total} documents written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
