"""Fuzzy candidates: the closest vocabulary name of a mention's category, scored by rapidfuzz.

The last resolution stage, for typos and word-order variants ("esketamin", "receptor NMDA").
Names are compared in their normalised form with ``token_sort_ratio``; rapidfuzz's batched search
over a 30k-name vocabulary costs about 0.13 ms a mention (docs/benchmarks.md). The index keeps each name's
words sorted once (what ``token_sort_ratio`` compares) and the names ordered by length, so a query is scored
only against the names long enough and short enough to reach the threshold.
"""
from __future__ import annotations

import math
import re
import shutil
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from kg.concept import Concept
from kg.vocabulary.index import ByIdentity

__all__ = ["FuzzyCandidate", "FuzzyIndex", "agrees", "fuzzy_index", "sorted_words", "MIN_FUZZY_LENGTH"]

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


class _ByLength:
    """One category's word-sorted names in order of length. ``fuzz.ratio`` of strings of lengths ``a`` and ``b`` is
    at most ``200 * min(a, b) / (a + b)``, so only a window of lengths around the query's can reach a cutoff."""

    def __init__(self, keys: list[str]) -> None:
        self.order = sorted(range(len(keys)), key=lambda i: len(keys[i]))  # stable: a length keeps index order
        self.keys = [keys[i] for i in self.order]
        self.lengths = [len(k) for k in self.keys]

    def top(self, query: str, cutoff: float, limit: int) -> list[tuple[float, int]]:
        """``(score, index)`` of the ``limit`` best names scoring at least ``cutoff`` against ``query``, ordered as
        ``process.extract`` orders a search of every name (score descending, then index)."""
        from rapidfuzz import fuzz, process

        lo, hi = 0, len(self.keys)
        if cutoff > 0:  # the window is rounded outwards: a name outside it cannot reach the cutoff
            n = len(query)
            lo = bisect_left(self.lengths, math.floor(n * cutoff / (200 - cutoff)))
            hi = bisect_right(self.lengths, math.ceil(n * (200 - cutoff) / cutoff))
        hits = process.extract(query, self.keys[lo:hi], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
        ranked = sorted((-score, self.order[lo + i]) for _name, score, i in hits)[:limit]
        return [(-score, index) for score, index in ranked]


class FuzzyIndex:
    """Normalised vocabulary names grouped by category, searched with rapidfuzz.

    The names are the keys of every label and synonym of the vocabulary's in-memory concepts: normalising the 35k
    names and decoding their concepts took half a second of a review's cold build, so a compiled vocabulary keeps
    them in a folder of its own (:func:`_names_by_category`) and a hit decodes only its concept."""

    def __init__(self, vocabulary) -> None:
        self._vocabulary = vocabulary
        tables = _names_by_category(vocabulary)
        self._names = {category: keys for category, (keys, _positions) in tables.items()}
        self._positions = {category: positions for category, (_keys, positions) in tables.items()}
        self._by_length = {cat: _ByLength([sorted_words(k) for k in keys]) for cat, keys in self._names.items()}

    def best(self, text: str, category: str, threshold: float) -> FuzzyCandidate | None:
        """The best-scoring name of ``category`` (or, for ``concept``, of any category) above ``threshold``."""
        from kg.vocabulary import normalise

        query = normalise(text)
        if len(query) < MIN_FUZZY_LENGTH:
            return None
        # a mention's own category (and its family); a defined long form, of no category yet, any
        categories = sorted(self._names) if category in ("", "concept") else sorted(_family(category))
        best: FuzzyCandidate | None = None
        for name in categories:
            choices = self._names.get(name)
            if not choices:
                continue
            # token_sort_ratio is the ratio of the word-sorted strings: the names were sorted once, at build
            hits = self._by_length[name].top(sorted_words(query), threshold * 100, limit=5)
            hit = next(((score, i) for score, i in hits if agrees(query, choices[i])), None)
            if hit is None:
                continue
            score, i = hit
            concept = self._vocabulary.concept_at(self._positions[name][i])
            candidate = FuzzyCandidate(concept, choices[i], round(score / 100, 4))
            if best is None or candidate.score > best.score:
                best = candidate
        return best


Tables = dict[str, tuple[list[str], list[int]]]  # category -> (normalised names, their concepts' positions)


def _tables(vocabulary) -> Tables:
    from kg.vocabulary import normalise

    tables: Tables = {}
    seen: set[tuple[str, str]] = set()
    for position, form, concept in vocabulary.positioned_terms():
        key = normalise(form)
        if len(key) < MIN_FUZZY_LENGTH or (key, concept.curie) in seen:
            continue
        seen.add((key, concept.curie))
        keys, positions = tables.setdefault(concept.category, ([], []))
        keys.append(key)
        positions.append(position)
    return tables


def _names_by_category(vocabulary) -> Tables:
    """:func:`_tables` of ``vocabulary``, read from ``compiled/fuzzy-<digest>/`` beside its compiled copy (written
    there by the first run that finds none); the digest covers the compiled copy and the code that makes the keys."""
    import json

    from kg.vocabulary.compiled import code_digest, publish

    compiled = vocabulary.compiled_copy
    if compiled is None:
        return _tables(vocabulary)
    digest = code_digest(["kg.resolve.fuzzy", "kg.vocabulary.normalise"])
    digest.update(compiled.folder.name.encode())
    folder = compiled.folder.parent / f"fuzzy-{digest.hexdigest()[:24]}"
    path = folder / "names.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return {category: (keys, positions) for category, (keys, positions) in stored.items()}
    except (OSError, ValueError, TypeError):
        pass  # absent (or damaged): made again below
    tables = _tables(vocabulary)

    def write(tmp) -> None:
        (tmp / "names.json").write_text(json.dumps(tables), encoding="utf-8")
        (tmp / "meta.json").write_text(json.dumps({"categories": len(tables)}), encoding="utf-8")

    shutil.rmtree(folder, ignore_errors=True)
    publish(folder, write)
    return tables


def sorted_words(key: str) -> str:
    """``key``'s words in sorted order, as rapidfuzz's ``token_sort_ratio`` compares them: on normalised keys (one
    space between words, :func:`kg.vocabulary.normalise`) ``fuzz.ratio`` of two sorted keys is their
    ``token_sort_ratio``."""
    return " ".join(sorted(key.split()))


_DIGITS_RE = re.compile(r"\d+")
SHORT_WORD = 6  # a one-word name this short is a symbol: its letters must agree exactly


def agrees(query: str, name: str) -> bool:
    """Whether a fuzzy ``name`` may stand for ``query`` (both normalised).

    A short one-word query (a symbol: "MPP+", "IL-6") must have the very letters and numbers of the name, so
    "MPP+" is not "MPZ" nor "IL-6" "IL-8"; a longer one may differ by typos and word order but never in its
    numbers when the name has numbers ("arginase1" may be "arginase", "GluN2B" is not "GluN2A").
    """
    q_digits, n_digits = _DIGITS_RE.findall(query), _DIGITS_RE.findall(name)
    if n_digits and q_digits != n_digits:
        return False
    q_letters = [c for c in query if c.isalpha()]
    n_letters = [c for c in name if c.isalpha()]
    if not q_letters or not n_letters:
        return False
    if " " not in query.strip() and len(query.strip()) <= SHORT_WORD:
        return q_letters == n_letters and q_digits == n_digits
    return True


@lru_cache(maxsize=4)
def _cached(handle: ByIdentity, size: int) -> FuzzyIndex:
    return FuzzyIndex(handle.vocabulary)


def fuzzy_index(vocabulary) -> FuzzyIndex:
    """The fuzzy index of ``vocabulary``, built once per process."""
    return _cached(ByIdentity(vocabulary), len(vocabulary))
