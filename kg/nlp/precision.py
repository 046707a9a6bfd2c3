"""Which broad-vocabulary names may be matched in raw text at all, as written, per source.

Gene aliases and organism names collide with English words and abbreviations ("Cell", "CAT", "T",
"plant"). These rules decide per (surface form, concept) and are applied twice: when the name index is
built (so rejected forms cost nothing at run time) and when a hit is turned into concepts (so a form
shared by an accepted and a rejected concept only yields the accepted one). The stop-list learnt from
the training splits (``ontologies/ner/stoplist.tsv``, made by ``training/learn_stoplist.py``) is applied
per (form, category) when hits are chosen, so relearning it never rebuilds the name index.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import VocabularyError
from kg.paths import ontologies_dir

__all__ = ["NameRules", "STOPLIST_FILE", "STRONG_SEEN", "case_matches", "case_sensitive", "is_higher_taxon",
           "learned_stoplist", "read_stoplist", "strong_stoplist"]

log = logging.getLogger(__name__)

STOPLIST_FILE = ontologies_dir() / "ner" / "stoplist.tsv"

# Gene symbols and aliases: short, mostly upper case or digits, no spaces ("BDNF", "p53", "IL-6").
_SYMBOL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-./]*$")


def case_sensitive(form: str, all_caps_up_to: int = 6) -> bool:
    """Symbols must match as written: all-caps up to ``all_caps_up_to`` characters, or any capital in up to 3.

    The broad names (six-character gene symbols abound) use 6; the in-memory dictionary passes 5, the
    rule its curated and MeSH names were tuned with, and the cue lexicon of kg.extract keeps its own.
    """
    letters = [c for c in form if c.isalpha()]
    if not letters:
        return True
    if len(form) <= all_caps_up_to and all(c.isupper() for c in letters):
        return True
    return len(form) <= 3 and any(c.isupper() for c in letters)


# A curated name is stopped too when the training corpora found it this often and still mostly left it
# unannotated ("individuals", "participants" for Homo sapiens): the evidence outweighs the curation.
STRONG_SEEN = 20


def read_stoplist(path: Path) -> tuple[tuple[str, str, int], ...]:
    """``(folded form, kg category, times found)`` rows of a stop-list file; none if it is absent."""
    if not path.is_file():
        return ()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"cannot read the NER stop-list {path} ({exc}); "
                              "relearn it with `training/learn_stoplist.py`") from exc
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0] or not cols[1]:
            raise VocabularyError(f"{path}:{number}: a stop-list row needs a folded form and a category "
                                  "separated by a tab; fix the line or relearn with `training/learn_stoplist.py`")
        rows.append((cols[0], cols[1], int(cols[2]) if len(cols) > 2 and cols[2].isdigit() else 0))
    log.debug("read %d stop-list rows from %s", len(rows), path)
    return tuple(rows)


@lru_cache(maxsize=1)
def _stoplist_rows() -> tuple[tuple[str, str, int], ...]:
    return read_stoplist(STOPLIST_FILE)


@lru_cache(maxsize=1)
def learned_stoplist() -> frozenset[tuple[str, str]]:
    """``(folded form, kg category)`` pairs of ``ontologies/ner/stoplist.tsv``: names the training corpora
    that annotate that category mostly leave unannotated (see the file's header)."""
    return frozenset((form, category) for form, category, _seen in _stoplist_rows())


@lru_cache(maxsize=1)
def strong_stoplist() -> frozenset[tuple[str, str]]:
    """The pairs of :func:`learned_stoplist` found at least ``STRONG_SEEN`` times: stopped even when curated."""
    return frozenset((form, category) for form, category, seen in _stoplist_rows() if seen >= STRONG_SEEN)


@dataclass(frozen=True)
class NameRules:
    """Per-source matching rules; ``stop`` holds case-folded words never matched as broad names."""

    stop: frozenset[str]
    min_gene_length: int = 2
    min_organism_length: int = 3
    min_length: int = 3

    def accept(self, form: str, category: str, label: str) -> bool:
        """Whether ``form`` (a name of a concept of ``category`` labelled ``label``) may be matched."""
        form = form.strip()
        folded = form.casefold()
        if folded in self.stop or not any(c.isalpha() for c in form):
            return False
        if category == "gene":
            return self._gene(form)
        if category == "organism":
            return self._organism(form, label)
        if len(form) < self.min_length or not _balanced(form):
            return False
        return True

    def _gene(self, form: str) -> bool:
        if not _balanced(form):
            return False
        if len(form) < self.min_gene_length:
            return False
        if " " in form:
            return len(form) >= 6
        if _SYMBOL_RE.match(form):
            # A symbol needs a capital or a digit: lower-case one-word aliases are mostly words.
            if not any(c.isupper() or c.isdigit() for c in form):
                return False
            # Two characters only when both are capitals and not a word-like pair ("ET", "IS" stay out via stop).
            if len(form) == 2 and not form.isupper():
                return False
            return True
        return len(form) >= 4

    def _organism(self, form: str, label: str) -> bool:
        if not _balanced(form) or len(form) < self.min_organism_length:
            return False
        if form == label and " " not in form and sum(c.isupper() for c in form) < 2:
            # A one-word scientific name is a genus or higher taxon; corpora annotate species. An acronym
            # that labels a taxon (the training pairs' "HIV") is no scientific name and stays.
            return False
        if form.isupper() and len(form) <= 2:
            return False
        return True


# One capitalised Latin word: how the NCBI Taxonomy writes a genus or any higher taxon (species are binomials).
_SCIENTIFIC_WORD_RE = re.compile(r"^[A-Z][a-z]+$")


def is_higher_taxon(concept) -> bool:
    """Whether ``concept`` is an NCBI Taxonomy genus or higher taxon the training corpora never annotate.

    The taxonomy names species with two or more words, so a one-word scientific label ("Fusarium",
    "Chlorophyta", "Actinomycetota") is a genus, family, phylum...; corpora annotate species, and a
    higher taxon they do annotate is kept through its training pairs.
    """
    from kg.vocabulary.broad import is_trained

    return (concept.category == "organism" and concept.prefix == "NCBITaxon"
            and bool(_SCIENTIFIC_WORD_RE.match(concept.label)) and not is_trained(concept))


def _balanced(form: str) -> bool:
    """Brackets close: "CD34(+" is a cut-off annotation, not a name."""
    return form.count("(") == form.count(")") and form.count("[") == form.count("]")


def case_matches(form: str, written: str, category: str) -> bool:
    """Whether text ``written`` may stand for the name ``form`` given their cases.

    Case-sensitive forms match as written, plus a plural "s". Gene symbols of three or more characters
    also match in rodent style ("Klf9", "Akt" for KLF9, AKT) and, when they contain a digit, in any case
    ("p53" for P53): a digit makes the symbol no English word.
    """
    if not case_sensitive(form) or written in (form, form + "s"):
        return True
    if category != "gene" or len(form) < 3 or written.casefold() != form.casefold():
        return False
    if any(c.isdigit() for c in form):
        return True
    return written[0].isupper() and written[1:].islower() and form.isupper()
