"""Dictionary NER: every vocabulary surface form matched in raw text with one Aho-Corasick automaton.

Matching runs over a case-folded copy of the text that keeps every character at its offset (hyphens,
dashes and whitespace fold to one space, so "NMDA-receptor" meets "NMDA receptor"), then keeps
candidates that sit on word boundaries and takes the longest non-overlapping ones. pyahocorasick
builds 17x faster than spaCy's PhraseMatcher with 12x less memory (docs/benchmarks.md); the default vocabulary's
matcher is compiled once and mapped from disk instead (:mod:`kg.nlp.compiled`).
"""
from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from kg.concept import Concept
from kg.nlp.precision import case_sensitive, hyphenated_symbol
from kg.vocabulary.index import ByIdentity
from kg.vocabulary.normalise import GREEK_NAMES, SPELLED_GREEK

if TYPE_CHECKING:  # pragma: no cover
    from kg.nlp.compiled import CompiledNames

__all__ = ["DEFAULT_STOP_WORDS", "DictionaryMatcher", "Match", "dictionary_matcher", "fold", "is_boundary"]

log = logging.getLogger(__name__)

# Generic English words that some vocabularies list as names; matching them only adds noise.
DEFAULT_STOP_WORDS = (
    "a", "an", "and", "as", "at", "be", "by", "can", "do", "for", "he", "in", "is", "it", "may", "no",
    "not", "of", "on", "or", "the", "to", "was", "we", "all", "other", "set", "lead", "change", "control",
    "role", "report", "study", "studies", "result", "results", "method", "methods", "data", "use", "age",
    "time", "case", "cases", "group", "groups", "level", "levels", "effect", "effects",
    "review", "research", "analysis", "association", "risk", "trial", "trials", "support", "work",
    "history", "population", "evidence", "problem", "problems", "drug", "drugs", "disease", "diseases",
    "syndrome", "disorder", "disorders", "therapy", "treatment", "response", "signal", "period",
    "cell", "cells", "protein", "proteins", "receptor", "receptors", "gene", "genes",
)

# Texts whose candidates a matcher keeps (a batch of blocks and their documents' zones).
RECENT_TEXTS = 256

_GREEK_LETTER = {GREEK_NAMES[letter]: letter for letter in SPELLED_GREEK}
# A spelled Greek letter ends a word, or the name ("TNF-alpha"), or is glued to a short suffix or a number ("NF-kappaB",
# "IL-1beta", "alpha1"): text writes all of them with the letter ("TNF-α", "NF-κB").
_GREEK_NAME_RE = re.compile(r"(?<![a-z])(" + "|".join(_GREEK_LETTER) + r")(?=[ -]|$|\d|[a-z]{1,2}\b)")
_SPACES_RE = re.compile(r" +")


def _fold_char(char: str) -> str:
    lower = char.lower()
    if len(lower) != 1:
        return char
    if lower.isspace() or lower in "-\u2010\u2011\u2012\u2013\u2014\u2212":
        return " "
    if not lower.isascii():
        return _strip_accent(lower)
    return lower


@lru_cache(maxsize=4096)
def _strip_accent(char: str) -> str:
    """"ü" -> "u", "é" -> "e": a Latin letter with diacritics as its base letter ("Krüppel" meets "Kruppel")."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    if len(decomposed) > 1 and base.isascii() and all(unicodedata.combining(c) for c in decomposed[1:]):
        return base
    return char


# ASCII whitespace (str.isspace) and hyphens become spaces; ASCII text takes this fast path.
_ASCII_SPACES = str.maketrans({c: " " for c in "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f-"})


class _FoldTable(dict):
    """``str.translate`` table of :func:`_fold_char`, filled as characters are first seen: folding text then costs
    one C lookup a character instead of a Python call (reviews are seldom pure ASCII)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case ``text`` one character for one character, hyphens and whitespace as spaces.

    The result has the length of ``text`` so offsets found in it index ``text`` directly.
    """
    if text.isascii():
        return text.lower().translate(_ASCII_SPACES)
    return text.translate(_FOLD_TABLE)


def is_boundary(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is not glued to a letter or digit on either side."""
    return (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())


# Prefixes a name writes with a hyphen that text often closes up ("Post-Traumatic" as "posttraumatic").
_JOINED_PREFIX_RE = re.compile(r"(?<![^\W_])(post|pre|non|anti|inter|intra|hyper|hypo|neuro|psycho|multi|poly|co)"
                               r"[-\u2010\u2011](?=[a-z]{3})", re.IGNORECASE)
# An eponym before the noun it names ("Huntington Disease"): text writes it possessive ("Huntington's disease").
_EPONYM_RE = re.compile(r"^([A-Z][a-z]{2,}) (disease|syndrome|disorder|palsy|sarcoma|lymphoma)(s?)$", re.IGNORECASE)


# "Antipsychotic Agents", "Antihypertensive Agents": text names the class by its adjective as a plural noun
# ("antipsychotics"); in the singular the word is an adjective ("protective", "adrenergic") and names nothing.
_AGENTS_RE = re.compile(r"^(\w{5,}(?:ic|ive)) Agents$", re.IGNORECASE)
# A symbol of capitals and a number ("VMAT2", "HER2"), which text also writes with a hyphen ("VMAT-2").
_SYMBOL_DIGITS_RE = re.compile(r"^([A-Z]{3,})(\d{1,2})$")


# Greek letters written as their Latin initial where a hyphen or digit sets them off ("TNF-a", "IL-1b", "TGF-b1",
# "b-catenin"), as abstracts write them; glued to letters ("ERa", "PPARg") they would spell words, and a leading
# "a-" would be the article ("a synuclein"), so neither is read so.
LATIN_GREEK = {GREEK_NAMES[letter][0]: GREEK_NAMES[letter] for letter in "αβγδκ"}  # "b" -> "beta"
_GREEK_INITIALS = {**{word: initial for initial, word in LATIN_GREEK.items()},
                   **{letter: GREEK_NAMES[letter][0] for letter in "αβγδκ"}}
_GREEK_AFTER_RE = re.compile(r"(?<=[-\d])(alpha|beta|gamma|delta|kappa|[αβγδκ])(?![a-z])", re.I)
_GREEK_BEFORE_RE = re.compile(r"^(beta|gamma|delta|kappa|[βγδκ])(?=[- ][a-z])", re.I)


def greek_initials(form: str) -> str:
    """``form`` with its set-off Greek letters written as Latin initials ("TNF-alpha" -> "TNF-a"), else itself."""
    out = _GREEK_AFTER_RE.sub(lambda m: _GREEK_INITIALS[m.group(1).lower()], form)
    return _GREEK_BEFORE_RE.sub(lambda m: _GREEK_INITIALS[m.group(1).lower()], out)


def _written_variants(form: str) -> set[str]:
    """Other ways text writes ``form``: a hyphenated prefix closed up, an eponym in the possessive, a symbol's
    number after a hyphen, Greek letters as Latin initials."""
    variants = {form, greek_initials(form)}
    joined = _JOINED_PREFIX_RE.sub(r"\1", form)
    if joined != form:
        variants.add(joined)
    if _SYMBOL_DIGITS_RE.match(form):  # "VMAT2" written "VMAT-2"
        variants.add(_SYMBOL_DIGITS_RE.sub(r"\1-\2", form))
    eponym = _EPONYM_RE.match(form)
    if eponym and form[0].isupper() and not eponym.group(1).isupper():
        name, noun, plural = eponym.groups()
        variants.update(f"{name}{mark}s {noun}{plural}" for mark in ("'", "\u2019"))
    return variants


def _key_variants(form: str) -> set[str]:
    """Folded keys a surface form is matched under: as written and as text also writes it (:func:`_written_variants`),
    Greek names as letters, simple plurals."""
    from kg.vocabulary import singular

    keys: set[str] = set()
    for variant in _written_variants(form):
        base = _SPACES_RE.sub(" ", fold(variant)).strip()
        keys.update((base, _GREEK_NAME_RE.sub(lambda m: _GREEK_LETTER[m.group(1)], base)))
    for key in list(keys):
        keys.add(singular(key))
        last = key.rsplit(" ", 1)[-1]
        if len(last) >= 4 and last.isalpha():
            if last.endswith("y") and last[-2] not in "aeiou":
                keys.add(key[:-1] + "ies")
            elif last.endswith(("s", "x", "ch", "sh")):
                keys.add(key + "es")
    return {k for k in keys if k}


@dataclass(frozen=True)
class _Entry:
    form: str
    concept: Concept
    case_sensitive: bool
    generic: bool = False  # a one-word MeSH-only name of an inferred category (see _generic_word)
    reader: bool = False  # a name of a reader's terms only (see _reader_only)


@dataclass(frozen=True)
class Match:
    """A dictionary hit: character offsets into the matched text and its concepts, best first."""

    start: int
    end: int
    concepts: tuple[Concept, ...]
    long_form: str = ""
    generic: bool = False  # only one-word MeSH-only names matched: a mention only where the document makes it one
    reader: bool = False  # only names of a reader's terms matched (:func:`_reader_only`): no mention in a corpus's


# MeSH descriptors whose category is only inferred from the qualifiers MeSH allows them ("methods" ->
# intervention) are everyday words when single ("Maintenance", "Observation", "Marketing"): they are
# matched as multi-word names only, unless another vocabulary (curated, broad) vouches for the concept, or (in a
# reader's terms) the document makes the word one of its subjects ("radiotherapy" used throughout a review).
_INFERRED_ONLY = frozenset({"intervention", "process", "behaviour"})


def _generic_word(form: str, concept: Concept, vouched: frozenset[str] = frozenset()) -> bool:
    """Whether ``form`` is a one-word name that is a mention only where the document makes it a subject: a
    MeSH-only name of an inferred category, or any name of a MeSH heading of no kg category ("Fear",
    "Hospitalization", "Smoking"). ``vouched``: CURIEs another layer (the curated one) vouches for."""
    from kg.vocabulary.mesh import MESH_SOURCE

    if " " in form.strip() or concept.curie in vouched:
        return False
    return concept.category == "concept" or (concept.category in _INFERRED_ONLY and concept.sources == (MESH_SOURCE,))


def _reader_only(concept: Concept, vouched: frozenset[str] = frozenset()) -> bool:
    """Whether names of ``concept`` are mentions in a reader's terms only: MeSH headings of no kg category
    ("Quality of Life", "Psychological Distress") and the processes only MeSH's qualifiers make processes
    ("Tumor Escape", "Reversal Learning") were never names in the training corpora's annotations."""
    from kg.vocabulary.mesh import MESH_SOURCE

    if concept.curie in vouched:
        return False
    return concept.category == "concept" or (concept.category == "process" and concept.sources == (MESH_SOURCE,))


class DictionaryMatcher:
    """An Aho-Corasick automaton over every surface form of a vocabulary, built once."""

    def __init__(
        self,
        terms: Iterable[tuple[str, Concept]],
        *,
        include_concepts: bool = False,
        stop_words: Iterable[str] = DEFAULT_STOP_WORDS,
        min_length: int = 2,
        vouched: Iterable[str] = (),
    ) -> None:
        """``include_concepts``: MeSH headings of no kg category are names in every terms, not only a reader's;
        ``vouched``: CURIEs (the curated layer's) whose names are never generic nor a reader's only."""
        import ahocorasick

        from kg.vocabulary.mesh import mesh_entry_terms

        stop = {fold(w) for w in stop_words}
        vouched = frozenset(vouched)
        entry_terms = mesh_entry_terms()
        table: dict[str, list[_Entry]] = {}
        for form, concept in terms:
            form = form.strip()
            if len(form) < min_length or not any(c.isalpha() for c in form):
                continue
            # MeSH's entry terms are names in a reader's terms only: the corpora's annotators did not use them
            reader = (not include_concepts and _reader_only(concept, vouched)) or (
                form in entry_terms.get(concept.curie, ()) and form != concept.label)
            generic = _generic_word(form, concept, vouched) and (reader or concept.category != "concept")
            # Short all-caps forms ("ED", "CAN", "NMDA") and very short mixed-case ones must match case.
            entry = _Entry(form, concept, case_sensitive(form, all_caps_up_to=5), generic, reader and not generic)
            for key in _key_variants(form):
                if key in stop or len(key) < min_length:
                    continue
                entries = table.setdefault(key, [])
                if entry not in entries:
                    entries.append(entry)
            if agents := _AGENTS_RE.match(form):  # the class as a plural noun, in a reader's terms (not the corpora's)
                noun = _Entry(form, concept, False, False, True)
                nouns = table.setdefault(fold(agents.group(1)) + "s", [])
                if noun not in nouns:
                    nouns.append(noun)
        automaton = ahocorasick.Automaton()
        for key in table:
            automaton.add_word(key, key)
        if table:
            automaton.make_automaton()
        self._use(table, automaton)
        log.debug("dictionary matcher: %d keys", len(table))

    @classmethod
    def from_names(cls, names: CompiledNames) -> DictionaryMatcher:
        """A matcher over compiled names (:mod:`kg.nlp.compiled`), which stand for both its table and automaton."""
        matcher = cls.__new__(cls)
        matcher._use(names, names, names.generic_keys)
        return matcher

    def _use(self, table: dict[str, list[_Entry]] | CompiledNames, automaton,
             generic: frozenset[str] | None = None) -> None:
        self._table = table
        self._automaton = automaton  # .iter(folded text) -> (index of a key's last character, key), by end
        self._generic = generic
        self._recent = lru_cache(maxsize=RECENT_TEXTS)(self._candidates)

    def __len__(self) -> int:
        return len(self._table)

    @property
    def generic_keys(self) -> frozenset[str]:
        """Folded keys that only one-word MeSH-only names of an inferred category carry (``Match.generic``)."""
        if self._generic is None:
            assert isinstance(self._table, dict), "compiled names carry their generic keys"
            self._generic = frozenset(k for k, entries in self._table.items() if all(e.generic for e in entries))
        return self._generic

    def _accept(self, key: str, written: str, generic: bool = False, reader: bool = False) -> tuple[Concept, ...]:
        """Concepts of ``key`` whose case rule accepts the text as written (plural "s" allowed); the generic
        one-word names only when ``generic``, names of a reader's terms only when ``reader``."""
        concepts: list[Concept] = []
        for entry in self._table.get(key, ()):
            if (entry.generic and not generic) or (entry.reader and not reader):
                continue
            if entry.case_sensitive and written not in (entry.form, entry.form + "s") \
                    and not hyphenated_symbol(entry.form, written):
                continue
            if entry.concept not in concepts:
                concepts.append(entry.concept)
        return tuple(concepts)

    def candidates(self, text: str) -> list[Match]:
        """Every boundary-respecting dictionary hit in ``text``, overlaps included.

        The NER asks again about texts it has just read (a block's organism names, a title that is a zone and a
        block), so the answers of the last few texts are kept."""
        if not self._table:
            return []
        return list(self._recent(text))

    def _candidates(self, text: str) -> tuple[Match, ...]:
        folded = fold(text)
        found = []
        for last, key in self._automaton.iter(folded):
            end = last + 1
            start = end - len(key)
            if end < len(text) and text[end] == "s" and key[-1].isalpha() and is_boundary(text, start, end + 1):
                end += 1  # plural of a form listed in the singular ("SUDs", "opioids")
            elif not is_boundary(text, start, end):
                continue
            concepts = self._accept(key, text[start:end])
            if concepts:
                found.append(Match(start, end, concepts))
            elif concepts := self._accept(key, text[start:end], reader=True):
                found.append(Match(start, end, concepts, reader=True))
            elif key in self.generic_keys and (concepts := self._accept(key, text[start:end], generic=True)):
                found.append(Match(start, end, concepts, generic=True))
        return tuple(found)

    def find(self, text: str) -> list[Match]:
        """The longest non-overlapping hits in ``text``, in text order (no generic nor reader-only names)."""
        return select_longest([m for m in self.candidates(text) if not (m.generic or m.reader)])

    def lookup(self, phrase: str) -> tuple[Concept, ...]:
        """Concepts whose surface form is the whole of ``phrase`` (as the matcher would read it)."""
        phrase = phrase.strip()
        key = _SPACES_RE.sub(" ", fold(phrase)).strip()
        concepts = self._accept(key, phrase)
        if not concepts and phrase.endswith("s"):
            concepts = self._accept(key[:-1], phrase)
        return concepts


def select_longest(matches: Iterable[Match]) -> list[Match]:
    """Greedy longest-first choice of non-overlapping matches; earlier list position wins ties."""
    ordered = sorted(enumerate(matches), key=lambda im: (-(im[1].end - im[1].start), im[1].start, im[0]))
    if any(m.end <= m.start for _, m in ordered):  # empty spans: compare with every match taken
        taken: list[Match] = []
        for _, match in ordered:
            if all(match.end <= t.start or match.start >= t.end for t in taken):
                taken.append(match)
        return sorted(taken, key=lambda m: m.start)
    # Matches taken are disjoint, so in start order only the neighbours of a new match can overlap it.
    starts: list[int] = []
    chosen: list[Match] = []
    for _, match in ordered:
        i = bisect_right(starts, match.start)
        if (i and chosen[i - 1].end > match.start) or (i < len(chosen) and chosen[i].start < match.end):
            continue
        starts.insert(i, match.start)
        chosen.insert(i, match)
    return chosen


# An inline short form between a name's words: "N-methyl-D-aspartate (NMDA) receptor".
_INLINE_SHORT_FORM = re.compile(r" \(([^()\s]{1,12})\)(?= )")


def bridge_inline_short_forms(text: str, find: Callable[[str], list[Match]]) -> list[Match]:
    """Hits for names interrupted by a parenthesised short form, spanning the whole phrase.

    "N-methyl-D-aspartate (NMDA) receptor" names the receptor, not the chemical its first words name;
    ``find`` runs on the text with such parentheses cut out, and only hits that cross a cut are kept,
    mapped back to offsets in ``text``.
    """
    cuts = [(m.start(), m.end()) for m in _INLINE_SHORT_FORM.finditer(text)]
    if not cuts:
        return []
    pieces: list[str] = []
    starts: list[tuple[int, int]] = []
    position = 0  # starts[i]: (offset in collapsed text, offset in text)
    for cut_start, cut_end in cuts:
        starts.append((sum(map(len, pieces)), position))
        pieces.append(text[position:cut_start])
        position = cut_end
    starts.append((sum(map(len, pieces)), position))
    pieces.append(text[position:])

    def original(offset: int, *, end: bool) -> int:
        for collapsed, source in reversed(starts):
            if offset > collapsed or (offset == collapsed and not end):
                return source + offset - collapsed
        return offset

    bridged = []
    for match in find("".join(pieces)):
        start, stop = original(match.start, end=False), original(match.end, end=True)
        if any(start < cut_start and cut_end < stop for cut_start, cut_end in cuts):
            bridged.append(Match(start, stop, match.concepts, match.long_form))
    return bridged



@lru_cache(maxsize=4)
def _cached(handle: ByIdentity, size: int, include_concepts: bool, stop_words: frozenset[str],
            min_length: int) -> DictionaryMatcher:
    vocabulary = handle.vocabulary
    compiled = getattr(vocabulary, "compiled_copy", None)  # a vocabulary read from its compiled copy
    folder = None
    if compiled is not None:
        from kg.nlp.compiled import names_folder, open_names

        folder = names_folder(compiled.folder, include_concepts=include_concepts, stop_words=stop_words,
                              min_length=min_length)
        names = open_names(folder, compiled.concepts)
        if names is not None:
            return DictionaryMatcher.from_names(names)
    curated = getattr(vocabulary, "layer_curies", None)
    vouched = curated("curated") if curated and "curated" in getattr(vocabulary, "layer_names", ()) else frozenset()
    matcher = DictionaryMatcher(vocabulary.terms(), include_concepts=include_concepts,
                                stop_words=stop_words, min_length=min_length, vouched=vouched)
    if compiled is not None and folder is not None:
        from kg.nlp.compiled import save_names

        save_names(matcher, compiled.concepts, folder)
    return matcher


def dictionary_matcher(vocabulary, *, include_concepts: bool = False,
                       stop_words: Iterable[str] = DEFAULT_STOP_WORDS, min_length: int = 2) -> DictionaryMatcher:
    """The matcher of ``vocabulary``, built once per process and settings."""
    return _cached(ByIdentity(vocabulary), len(vocabulary), include_concepts, frozenset(stop_words), min_length)
