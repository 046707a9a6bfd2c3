"""Fuzzy candidates: the closest vocabulary name of a mention's category, scored by rapidfuzz.

The last resolution stage, for typos and word-order variants ("esketamin", "receptor NMDA").
Names are compared in their normalised form with ``token_sort_ratio``; rapidfuzz's batched search
over a 30k-name vocabulary costs about 0.13 ms a mention (docs/benchmarks.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kg.concept import Concept
from kg.vocabulary.index import ByIdentity

__all__ = ["FuzzyCandidate", "FuzzyIndex", "fuzzy_index", "MIN_FUZZY_LENGTH"]

# Shorter keys match too many names by a letter or two ("ache" ~ "acne"); they are never fuzzed.
MIN_FUZZY_LENGTH = 5
# Categories a mention may be confused between: a receptor is a gene product and a complex.
_FAMILIES = ({"gene", "complex"}, {"disease", "phenotype"}, {"behaviour", "process"})


@dataclass(frozen=True)
class FuzzyCandidate:
    concept: Concept
    name: str
    score: float  # 0..1


def _family(category: str) -> frozenset[str]:
    for family in _FAMILIES:
        if category in family:
            return frozenset(family)
    return frozenset({category})


class FuzzyIndex:
    """Normalised vocabulary names grouped by category, searched with rapidfuzz."""

    def __init__(self, vocabulary) -> None:
        from kg.vocabulary import normalise

        self._names: dict[str, list[str]] = {}
        self._concepts: dict[str, list[Concept]] = {}
        seen: set[tuple[str, str]] = set()
        for form, concept in vocabulary.terms():
            key = normalise(form)
            if len(key) < MIN_FUZZY_LENGTH or (key, concept.curie) in seen:
                continue
            seen.add((key, concept.curie))
            self._names.setdefault(concept.category, []).append(key)
            self._concepts.setdefault(concept.category, []).append(concept)

    def best(self, text: str, category: str, threshold: float) -> FuzzyCandidate | None:
        """The best-scoring name of ``category`` (or, for ``concept``, of any category) above ``threshold``."""
        from rapidfuzz import fuzz, process

        from kg.vocabulary import normalise

        query = normalise(text)
        if len(query) < MIN_FUZZY_LENGTH:
            return None
        categories = sorted(self._names) if category in ("", "concept") else sorted(_family(category))
        best: FuzzyCandidate | None = None
        for name in categories:
            choices = self._names.get(name)
            if not choices:
                continue
            hit = process.extractOne(query, choices, scorer=fuzz.token_sort_ratio, score_cutoff=threshold * 100)
            if hit is None:
                continue
            candidate = FuzzyCandidate(self._concepts[name][hit[2]], hit[0], round(hit[1] / 100, 4))
            if best is None or candidate.score > best.score:
                best = candidate
        return best



@lru_cache(maxsize=4)
def _cached(handle: ByIdentity, size: int) -> FuzzyIndex:
    return FuzzyIndex(handle.vocabulary)


def fuzzy_index(vocabulary) -> FuzzyIndex:
    """The fuzzy index of ``vocabulary``, built once per process."""
    return _cached(ByIdentity(vocabulary), len(vocabulary))
