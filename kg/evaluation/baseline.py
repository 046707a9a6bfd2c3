"""The memorisation baseline: what tagging the training split's own mentions, and nothing else, scores.

Every gold mention string of the training documents (the held-out fifth excluded for corpora without a development
split) is tagged wherever it appears on word boundaries in the scored documents, longest first, with the identifier
the training split gives it most often. A pipeline that does not beat this has learnt nothing a lookup table
could not; `kg eval` prints it beside every figure.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.concept import Mention
from kg.document import Document
from kg.evaluation.report import EvalResult

__all__ = ["training_pairs", "memorise", "baseline_result"]


def training_pairs(path: Path, *, holdout: bool) -> dict[str, tuple[str, str]]:
    """Surface form -> (category, CURIE) most often given to it in the training file at ``path``."""
    from kg.vocabulary.sources.corpora import read_pairs

    counts: dict[str, Counter[tuple[str, str]]] = {}
    for text, curie, category in read_pairs(path, holdout=holdout):
        counts.setdefault(text, Counter())[category, curie] += 1
    return {text: counter.most_common(1)[0][0] for text, counter in counts.items()}


def _boundary(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


def memorise(documents: Iterable[Document], pairs: dict[str, tuple[str, str]]) -> Iterator[Mention]:
    """Each document's occurrences of the memorised forms: longest first, never overlapping."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for form in pairs:
        if form.strip():
            automaton.add_word(form, form)
    if not len(automaton):
        return
    automaton.make_automaton()
    for doc in documents:
        hits = sorted(((last - len(form) + 1, last + 1, form) for last, form in automaton.iter(doc.text)),
                      key=lambda h: (h[0], -(h[1] - h[0])))
        taken = 0
        for start, end, form in hits:
            if start < taken or not _boundary(doc.text, start, end):
                continue
            category, curie = pairs[form]
            yield Mention(doc.id, start, end, form, category, curie=curie)
            taken = end


def baseline_result(documents: list[Document], corpus: str, profile) -> EvalResult | None:
    """The baseline scored like a pipeline on ``documents`` of ``corpus``; None without its training split."""
    from kg.evaluation.scoring import score
    from kg.vocabulary.sources.corpora import CORPORA, shared_dir

    spec = CORPORA.get(corpus)
    if spec is None:
        return None
    path = shared_dir() / "eval" / spec.training
    if not path.is_file():
        return None
    pairs = training_pairs(path, holdout=not spec.has_development)
    return score(documents, memorise(documents, pairs), profile)
