"""Dictionary NER over the broad vocabulary index, without materialising its million names.

The names that :class:`~kg.nlp.precision.NameRules` accept are folded (as :func:`kg.nlp.dictionary.fold`
reads text) into a MARISA trie, built once per index and cached on disk beside it, keyed by the index's
sha256, by the code that shaped it and by the stop-list (pipelines with other stop words keep their own).
The trie is memory-mapped, so opening it is instant and costs no resident memory up front. Matching
asks the trie for every key that is a prefix of the text at each word start; a hit becomes concepts by
one (cached) index lookup of its normal form, re-checked against the rules and the case the text is
written in.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from kg.concept import Concept
from kg.nlp.dictionary import DEFAULT_STOP_WORDS, LATIN_GREEK, Match, fold
from kg.nlp.precision import NameRules, case_matches
from kg.vocabulary.normalise import GREEK_NAMES, SPELLED_GREEK

__all__ = ["BroadMatcher", "broad_matcher", "trie_path"]

log = logging.getLogger(__name__)

TRIE_DIR = "ner"
MAX_KEY = 120  # longer names are not matched in running text
_SPACES_RE = re.compile(r" +")
# Where a name may start: a word, or a bracket before one ("(+)-..."). The corpus readings were tuned on starts
# that consume the bracket, so the word after it ("(pimavanserin") is a start of its own in a reader's terms only.
_WORD_START_RE = re.compile(r"(?<![^\W_])[^\W_]|(?<![^\W_])[(\[][^\W_]")
_READER_WORD_START_RE = re.compile(r"(?<![^\W_])(?=[^\W_]|[(\[][^\W_])")
_SPACED_NUMBER_RE = re.compile(r"^([a-z]{3,}) (\d{1,2})s?$")
_GREEK_NAMES = {letter: GREEK_NAMES[letter] for letter in SPELLED_GREEK}
_GREEK_RE = re.compile("|".join(_GREEK_NAMES))
# The Latin initials text writes for Greek letters (kg.nlp.dictionary.greek_initials), spelled back for lookup.
_LETTER_AFTER_RE = re.compile(r"(?<=[-\d])([abgdk])(?![A-Za-z])")
_LETTER_BEFORE_RE = re.compile(r"^([bgdk])(?=-[a-z])", re.I)


def _spelled_out(written: str) -> str:
    """``written`` with its set-off Latin-initial Greek letters spelled ("TNF-a" -> "TNF-alpha"), else itself."""
    out = _LETTER_AFTER_RE.sub(lambda m: LATIN_GREEK[m.group(1).lower()], written)
    return _LETTER_BEFORE_RE.sub(lambda m: LATIN_GREEK[m.group(1).lower()], out)


@lru_cache(maxsize=100_000)
def _variants(form: str) -> frozenset[str]:
    """Folded keys of a name: as written, Greek letters spelled and as letters, regular plurals."""
    from kg.nlp.dictionary import _key_variants

    keys = _key_variants(form)
    spelled = _GREEK_RE.sub(lambda m: _GREEK_NAMES[m.group()], _SPACES_RE.sub(" ", fold(form)).strip())
    keys.add(spelled)
    return frozenset(k for k in keys if 2 <= len(k) <= MAX_KEY)


@lru_cache(maxsize=1)
def _code_digest() -> str:
    import importlib

    digest = hashlib.sha256()
    for module in ("kg.nlp.broad", "kg.nlp.precision", "kg.nlp.dictionary", "kg.vocabulary.normalise"):
        digest.update(Path(importlib.import_module(module).__file__ or module).read_bytes())
    return digest.hexdigest()[:16]


def _stop_digest(stop: frozenset[str]) -> str:
    return hashlib.sha256("\n".join(sorted(stop)).encode()).hexdigest()[:16]


def trie_path(layer, rules: NameRules) -> Path:
    """Where the trie of ``layer`` under ``rules`` is cached: ``<index dir>/ner/<index>-<code>-<stop>.marisa``.

    Without a manifest the index file's own sha256 keys it, so a trie never outlives the index it was built on.
    """
    manifest = getattr(layer, "manifest", None)
    index_sha = manifest.index_sha256 if manifest is not None else None
    if index_sha is None:
        from kg.cache import sha256_file

        index_sha = sha256_file(layer.path)
    name = f"{index_sha[:16]}-{_code_digest()}-{_stop_digest(rules.stop)}.marisa"
    return Path(layer.path).parent / TRIE_DIR / name


def _build_trie(layer, rules: NameRules, path: Path):
    import marisa_trie

    rules = replace(rules, higher_taxa=True)  # one trie for both terms: hits are re-checked against the rules
    started = time.perf_counter()
    keys: set[str] = set()
    for form, _curie, category, label in layer.entries():
        if rules.accept(form, category, label):
            keys.update(_variants.__wrapped__(form))
    trie = marisa_trie.Trie(keys)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        trie.save(str(tmp))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    # Tries of another index or older code are stale; those of other stop words serve other pipelines.
    current = path.name.rsplit("-", 1)[0] + "-"
    for old in path.parent.glob("*.marisa"):
        if not old.name.startswith(current):
            old.unlink(missing_ok=True)
    log.info("built the broad NER trie %s: %d keys in %.1f s", path, len(keys), time.perf_counter() - started)


class BroadMatcher:
    """Finds broad-vocabulary names in text; the counterpart of :class:`~kg.nlp.dictionary.DictionaryMatcher`."""

    def __init__(self, layer, rules: NameRules) -> None:
        import marisa_trie

        self.layer = layer
        self.rules = rules
        path = trie_path(layer, rules)
        if not path.is_file():
            _build_trie(layer, rules, path)
        self._trie = marisa_trie.Trie().mmap(str(path))
        self._concepts = lru_cache(maxsize=200_000)(self._concepts_uncached)

    def __len__(self) -> int:
        return len(self._trie)

    def candidates(self, text: str) -> list[Match]:
        """Every boundary-respecting broad-name hit in ``text``, overlaps included. In a reader's terms (the rules
        keep higher taxa) a word after a bracket starts a name too, and a name the index lists only in the plural
        is found in the singular."""
        folded = fold(text)
        found = []
        prefixes = self._trie.prefixes
        starts = _READER_WORD_START_RE if self.rules.higher_taxa else _WORD_START_RE
        size = len(text)
        # a start follows no letter or digit (folding keeps which characters are those), so only the end of a
        # hit is checked: is_boundary(text, start, end) is "no letter or digit at end" here
        for word in starts.finditer(folded):
            start = word.start()
            for key in prefixes(folded[start:start + MAX_KEY]):
                end = start + len(key)
                if end < size and text[end] == "s" and key[-1].isalpha() and (
                        end + 1 >= size or not text[end + 1].isalnum()):
                    end += 1
                elif end < size and text[end].isalnum():
                    continue
                concepts = self._concepts(key, text[start:end])
                if concepts:
                    found.append(Match(start, end, concepts))
        return found

    def lookup(self, phrase: str) -> tuple[Concept, ...]:
        """Concepts whose accepted name is the whole of ``phrase``."""
        phrase = phrase.strip()
        return self._concepts(_SPACES_RE.sub(" ", fold(phrase)).strip(), phrase)

    def _concepts_uncached(self, key: str, written: str) -> tuple[Concept, ...]:
        from kg.vocabulary.normalise import normalise, singular

        nkey = normalise(written)
        candidates = self.layer.lookup_key(nkey) or self.layer.lookup_key(singular(nkey))
        if not candidates and written.endswith("s"):
            candidates = self.layer.lookup_key(normalise(written[:-1]))
        if (spelled := _spelled_out(written)) != written:  # "TNF-a" is also a way to write "TNF-alpha"
            candidates = (*candidates, *self.layer.lookup_key(normalise(spelled)))
        if not candidates and (symbol := _SPACED_NUMBER_RE.match(nkey)):  # "VMAT-2" for "VMAT2"
            candidates = self.layer.lookup_key(symbol.group(1) + symbol.group(2))
        if not candidates and self.rules.higher_taxa and nkey[-1:].isalpha():
            # in a reader's terms, a name listed only in the plural ("esophageal cancers")
            plurals = (nkey[:-1] + "ies",) if nkey.endswith("y") else (nkey + "s", nkey + "es")
            candidates = next((found for key in plurals if (found := self.layer.lookup_key(key))), ())
        kept = []
        for concept in candidates:
            for form in (concept.label, *concept.synonyms):
                if key not in _variants(form) and key.rstrip("s") not in _variants(form):
                    continue
                if not case_matches(form, written, concept.category):
                    continue
                if self.rules.accept(form, concept.category, concept.label):
                    kept.append(concept)
                    break
        # Concepts the training corpora annotate come first ("mice" -> Mus musculus, not the genus Mus).
        return tuple(sorted(kept, key=lambda c: not any(s.endswith("-train") for s in c.sources)))


def default_rules(stop_words=DEFAULT_STOP_WORDS, layer=None, *, higher_taxa: bool = False) -> NameRules:
    """The rules of the default pipeline: kg's stop words and the index's own stop-list; ``higher_taxa``
    keeps genera and higher taxa (a reader's terms), else they are no names (a corpus's terms)."""
    stop = {w.casefold() for w in stop_words}
    if layer is not None:
        stop |= {w.casefold() for w in layer.stoplist}
    return NameRules(frozenset(stop), higher_taxa=higher_taxa)


@lru_cache(maxsize=4)
def _cached(layer, stop_words: frozenset[str], higher_taxa: bool) -> BroadMatcher:
    return BroadMatcher(layer, default_rules(stop_words, layer, higher_taxa=higher_taxa))


def broad_matcher(layer, stop_words=DEFAULT_STOP_WORDS, *, higher_taxa: bool = False) -> BroadMatcher:
    """The matcher of ``layer`` (a :class:`~kg.vocabulary.broad.BroadLayer`), built once per process and
    terms; the matchers of both terms share one trie on disk."""
    return _cached(layer, frozenset(stop_words), higher_taxa)
