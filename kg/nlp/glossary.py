"""Abbreviation definitions: glossary lines ("BDNF: brain-derived neurotrophic factor; ...") and the
short forms a document defines, wherever they are used later.

Figure legends and table footnotes define short forms as ``SF: long form`` lists rather than as
``long form (SF)``, which scispacy's Schwartz-Hearst detector does not see. The same character test
(each letter of the short form found in order in the long form, the first at a word start) decides
both, so a heading such as "Results: ..." is never taken for a definition.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kg.vocabulary.normalise import GREEK_NAMES, SPELLED_GREEK

__all__ = ["Definition", "find_glossary", "is_definition", "doc_definitions", "long_form_agrees", "short_form_spans",
           "short_form_key"]

# The short form: starts upper-case, >= 2 upper-case letters, optionally hyphenated ("NMDA-R", "5-HT2A" no).
_SHORT = r"[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
# An entry starts after a separator, or glued to a lower-case letter in scraped text ("sprayAMPA: ...").
_ENTRY_RE = re.compile(
    rf"(?:(?<=[a-z])|(?<![A-Za-z0-9\-]))(?P<sf>{_SHORT})\s?:\s+(?P<lf>[^;:\n]+?)"
    rf"(?=\s*(?:[;\n]|$|,\s*{_SHORT}\s?:\s))"
)
# Where scraped text glues the next sentence to a long form: "receptorAdapted from".
_GLUED_RE = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z]{2})")
_SENTENCE_END_RE = re.compile(r"\.(?:\s|$)|\s[\[(]")
# Greek letters stand for their Latin initial in a short form (GABA: γ-aminobutyric acid); ω for the w it looks like.
_GREEK_INITIAL = str.maketrans({**{letter: GREEK_NAMES[letter][0] for letter in SPELLED_GREEK}, "ω": "w"})


@dataclass(frozen=True)
class Definition:
    """A short form defined in a text, with the long form and both character spans (text offsets)."""

    short: str
    long: str
    short_span: tuple[int, int]
    long_span: tuple[int, int]


def is_definition(short: str, long: str) -> bool:
    """Schwartz & Hearst's test: the short form's letters occur in order in ``long``, the first at a word start."""
    letters = [c.lower() for c in short if c.isalnum()]
    if sum(c.isupper() for c in short) < 2 or not 2 <= len(short) <= 10 or not letters:
        return False
    text = long.lower().translate(_GREEK_INITIAL)
    i = len(text) - 1
    for n, char in reversed(list(enumerate(letters))):
        while i >= 0 and (text[i] != char or (n == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return False
        i -= 1
    stripped = text.lstrip()
    first_space = re.search(r"\s", stripped)
    first_word_end = (first_space.start() if first_space else len(stripped)) + (len(text) - len(stripped))
    return i + 1 <= first_word_end


def find_glossary(text: str) -> list[Definition]:
    """Definitions written as ``SF: long form`` entries separated by ``;``, ``,`` or line ends."""
    found = []
    for match in _ENTRY_RE.finditer(text):
        short, long = match.group("sf"), match.group("lf")
        start = match.start("lf")
        for cut in (_GLUED_RE.search(long), _SENTENCE_END_RE.search(long)):
            if cut:
                long = long[: cut.start()]
        long = long.rstrip(" ,.")
        if len(long.split()) > min(len(short) + 5, 2 * len(short)) or not is_definition(short, long):
            continue
        found.append(Definition(short, long, (match.start("sf"), match.end("sf")), (start, start + len(long))))
    return found


_ROMAN_RE = re.compile(r"^(?:i{1,3}|iv|vi{0,3}|ix|x{1,3})$", re.IGNORECASE)


def doc_definitions(doc) -> list[Definition]:
    """Every definition a processed spaCy ``Doc`` carries: scispacy's ``_.abbreviations`` and ``_.kg_glossary``.

    scispacy collects each long form's short forms in a set of spans, whose hash (and so order) changes from run
    to run; they are put in text order (long form, then short form), so the first use of a short form is the same
    in every run and a build gives the same graph each time.
    """
    from spacy.tokens import Doc

    found: list[Definition] = []
    if Doc.has_extension("abbreviations"):
        for short in doc._.abbreviations:
            long = short._.long_form
            if long is None or isinstance(long, str) or _ROMAN_RE.match(short.text):
                continue  # "(ii)" numbers an item of a list; scispacy reads it as an abbreviation of the words before
            found.append(Definition(short.text, long.text, (short.start_char, short.end_char),
                                    (long.start_char, long.end_char)))
        found.sort(key=lambda d: (d.long_span, d.short_span))
    if Doc.has_extension("kg_glossary"):
        found.extend(doc._.kg_glossary or ())
    return found


def short_form_key(short: str) -> str:
    """The singular of a short form ("SUDs" -> "SUD"), so plural uses meet the definition."""
    if len(short) > 2 and short.endswith("s") and short[-2].isupper():
        return short[:-1]
    return short


def short_form_spans(text: str, shorts: Mapping[str, object] | Iterable[str]) -> list[tuple[int, int, str]]:
    """Case-sensitive, word-bounded uses of the given (singular) short forms and their plurals.

    Returns ``(start, end, key)`` with ``key`` the short form as given.
    """
    keys = sorted(set(shorts), key=len, reverse=True)
    if not keys:
        return []
    pattern = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, keys)) + r")s?(?![A-Za-z0-9])")
    return [(m.start(), m.end(), m.group(1)) for m in pattern.finditer(text)]


# Words that say nothing about which concept a long form names.
_FILLER = frozenset({"a", "an", "and", "of", "the", "in", "for", "to", "with", "like", "related", "type", "family"})
_WORD_RE = re.compile(r"[a-z0-9]+")


def long_form_agrees(long: str, concept) -> bool:
    """True when a defined long form the vocabulary does not know still names ``concept``: half of its
    content words (or of a concept name's, if fewer) are words of one of the concept's names.

    "Krüppel-like factor 9 (KLF9)" agrees with KLF9 ("KLF transcription factor 9"), so the symbol keeps
    its reading; "reporting odds ratios (RORs)" shares no word with the RAR-related orphan receptors.
    """
    from kg.vocabulary import normalise

    words = set(_WORD_RE.findall(normalise(long))) - _FILLER
    if not words:
        return False
    for name in (concept.label, *concept.synonyms):
        other = set(_WORD_RE.findall(normalise(name))) - _FILLER
        if other and len(words & other) >= max(1, min(len(words), len(other)) / 2) and words & other - _DIGITS:
            return True
    return False


_DIGITS = frozenset(str(i) for i in range(100))
