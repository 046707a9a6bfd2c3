"""Dictionary keys: one normal form for every way a term can be typed.

"γ-Aminobutyric acid", "gamma-aminobutyric acid" and "Gamma aminobutyric Acid." must meet in one key,
so the vocabulary index and the dictionary NER both go through :func:`normalise`.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["GREEK_NAMES", "SPELLED_GREEK", "normalise", "singular"]

# Lower-case Greek letters (after casefold) and the micro sign; names as MeSH and ChEBI spell them.
# The one Greek table of kg: the NER and the resolver derive theirs from it.
GREEK_NAMES = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi",
    "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "ϵ": "epsilon", "ϑ": "theta",
}
# The letters names also write spelled out ("alpha-synuclein", "TNF-α"): the NER keys names under both.
SPELLED_GREEK = "αβγδεκλμστωθ"
_GREEK_RE = re.compile("|".join(map(re.escape, GREEK_NAMES)))
# Marks that never distinguish two terms; stripped before NFKC turns "™" into the letters "TM".
_MARKS_RE = re.compile("[®™℠©]")
# Hyphens and dashes of every kind, slashes and commas separate words like a space does.
_SEPARATORS_RE = re.compile(r"[\-\u2010-\u2015\u2212\u00ad/,]+")
_SPACE_RE = re.compile(r"\s+")
_TRAILING = ".;:!?'\"’”"
_LEADING = "'\"‘“"


def normalise(text: str) -> str:
    """Return the dictionary key of ``text``: casefolded NFKC without diacritics, Greek letters spelled out.

    Hyphens, dashes, slashes and commas become spaces, ® and ™ go, whitespace collapses and
    trailing punctuation is dropped, so typographic variants of one term share a key.
    """
    text = _MARKS_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():  # "Krüppel" and "Kruppel", "Sjögren" and "Sjogren" share a key
        text = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                                     if not unicodedata.combining(c)))
    text = _GREEK_RE.sub(lambda m: GREEK_NAMES[m.group()], text)
    text = _SEPARATORS_RE.sub(" ", text)
    text = _SPACE_RE.sub(" ", text).strip()
    return text.rstrip(_TRAILING).lstrip(_LEADING).strip()


# Last words that end in "s" but are singular, or whose plural is irregular enough to keep.
_INVARIANT = frozenset({
    "species", "series", "diabetes", "herpes", "rabies", "measles", "mumps", "scabies", "caries",
    "news", "lens", "accumbens", "pancreas", "gas", "plus", "whereas", "aids", "biceps", "triceps", "forceps",
    "calories", "always", "perhaps", "is", "was", "has", "does", "its", "this",
})
# Endings of singular words: "analysis", "virus", "nucleus", "stress".
_SINGULAR_ENDINGS = ("ss", "us", "is")


def singular(text: str) -> str:
    """Strip a simple English plural from the last word ("NMDA receptors" -> "NMDA receptor").

    Only regular plurals are touched ("therapies" -> "therapy", "abscesses" -> "abscess",
    "SUDs" -> "SUD"); words that merely end in "s" ("analysis", "virus", "stress", "diabetes")
    and words of fewer than four letters are left as they are.
    """
    head, sep, last = text.rpartition(" ")
    word = last.casefold()
    if len(word) < 4 or word[-1] != "s" or not word.isalpha():
        return text
    if word in _INVARIANT or word.endswith(_SINGULAR_ENDINGS):
        return text
    if word.endswith("ies"):
        stem = last[:-3] + ("Y" if last[-4].isupper() else "y")
    elif word.endswith(("sses", "shes", "xes", "zzes")) or (
        word.endswith("ches") and not word.endswith("aches")
    ) or word.endswith("oaches"):
        stem = last[:-2]
    else:
        stem = last[:-1]
    return head + sep + stem
