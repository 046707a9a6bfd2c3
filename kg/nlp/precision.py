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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import VocabularyError
from kg.paths import ontologies_dir

__all__ = ["COMMON_WORDS_FILE", "CUES_FILE", "EVERYDAY_DOCUMENTS", "IDIOMS_FILE", "METHOD_WORDS_FILE", "NameRules",
           "STOPLIST_FILE", "STRONG_SEEN", "acronym_as_word", "before_greek", "case_matches", "case_sensitive",
           "common_word_documents", "common_words", "compound_tail", "confirmed_pairs", "glued_to_code", "has_cue",
           "hyphenated_symbol", "in_idiom", "in_instrument_name", "is_acronym", "is_higher_taxon", "is_label",
           "is_method_term", "is_person_name", "learned_stoplist", "needs_support", "part_of_code", "read_as_verb",
           "read_stoplist", "strong_stoplist", "subject_forms"]

log = logging.getLogger(__name__)

STOPLIST_FILE = ontologies_dir() / "ner" / "stoplist.tsv"
CUES_FILE = ontologies_dir() / "ner" / "cues.tsv"
IDIOMS_FILE = ontologies_dir() / "ner" / "idioms.tsv"
METHOD_WORDS_FILE = ontologies_dir() / "ner" / "method_words.tsv"
COMMON_WORDS_FILE = ontologies_dir() / "ner" / "common_words.tsv"

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
    # Genera and higher taxa ("Lactobacillus", "Firmicutes") are names a reader expects in a graph; only in a
    # corpus's terms (species corpora annotate species) are they no mentions. The name trie always keeps them.
    higher_taxa: bool = False

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
        if not self.higher_taxa and form == label and " " not in form and sum(c.isupper() for c in form) < 2:
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


def is_acronym(written: str) -> bool:
    """Whether ``written`` is written as an acronym: two to five letters, all capitals ("PET", "5-HT")."""
    letters = [c for c in written if c.isalpha()]
    return 2 <= len(letters) <= 5 and all(c.isupper() for c in letters)


def acronym_as_word(form: str, written: str) -> bool:
    """Whether ``written`` is an acronym ("PET", "CAT") and ``form`` the word it spells ("Pets", "cat"):
    letters in capitals are another name, not the word ("PET scan" names no pet)."""
    if not is_acronym(written) or " " in form:
        return False
    form_letters = [c for c in form if c.isalpha()]
    return bool(form_letters) and sum(c.isupper() for c in form_letters) <= 1 and len(form_letters) >= 3


_HYPHENATED_SYMBOL_RE = re.compile(r"^([A-Z]{3,})[-\u2010\u2011](\d{1,2})s?$")


def hyphenated_symbol(form: str, written: str) -> bool:
    """Whether ``written`` is the symbol ``form`` with a hyphen before its number ("VMAT-2" for "VMAT2")."""
    match = _HYPHENATED_SYMBOL_RE.match(written)
    return match is not None and match.group(1) + match.group(2) == form


def case_matches(form: str, written: str, category: str) -> bool:
    """Whether text ``written`` may stand for the name ``form`` given their cases.

    Case-sensitive forms match as written, plus a plural "s". Gene symbols of three or more characters
    also match in rodent style ("Klf9", "Akt" for KLF9, AKT) and, when they contain a digit, in any case
    ("p53" for P53): a digit makes the symbol no English word.
    """
    if not case_sensitive(form) or written in (form, form + "s") or hyphenated_symbol(form, written):
        return True
    if category != "gene" or len(form) < 3 or written.casefold() != form.casefold():
        return False
    if any(c.isdigit() for c in form):
        return True
    return written[0].isupper() and written[1:].islower() and form.isupper()


# --- Support for short tokens (issue 8, part 6) -------------------------------------------------------------
# A short token ("S12", "March", "DT", "Bora") read as a gene is an entity only with support: the document
# defines it (definitions never reach these checks), a category cue stands within CUE_WINDOW words
# (``ontologies/ner/cues.tsv``), or the training corpora annotate that very form with that concept.

SHORT_TOKEN = 5  # characters, plural "s" aside
CUE_WINDOW = 3  # words either side
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_WORDLIKE_RE = re.compile(r"^[A-Za-z][a-z]+$")
SUPPORTED_CATEGORIES = frozenset({"gene"})
# "Bora, 2020", "Hao et al., 2019", "(Gale, 2005)", "Mataix-Cols et al.": a capitalised word as an author's name.
_NAME_AFTER_RE = re.compile(r"^(?:\s+et\s+al\b"
                            r"|\s+and\s+[A-Z][\w’'-]+(?:\s+et\s+al\b)?,?\s*\(?(?:19|20)\d\d"
                            r"|,\s*(?:19|20)\d\d\b|\s*\((?:19|20)\d\d[a-z]?\))")


def needs_support(written: str, concept) -> bool:
    """Whether ``written`` read as ``concept`` is a short or word-like token that needs support.

    Short: at most :data:`SHORT_TOKEN` characters. Word-like: one word of letters with no capital but the
    first ("March", "Genesis", "Stop"), as months, names and everyday words are written. An official symbol
    of four or more characters written as itself ("BRD4", "EGFR", "COMT") needs none.
    """
    if concept.category not in SUPPORTED_CATEGORIES:
        return False
    core = written[:-1] if len(written) > 2 and written.endswith("s") else written
    if " " in core.strip():
        return False
    if core == concept.label and len(core) >= 4 and not _WORDLIKE_RE.match(core):
        return False
    return len(core) <= SHORT_TOKEN or bool(_WORDLIKE_RE.match(core))


@lru_cache(maxsize=1)
def _cues() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    if CUES_FILE.is_file():
        for line in CUES_FILE.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                category, _, word = line.partition("\t")
                if word.strip():
                    found.setdefault(category.strip(), set()).add(word.strip().casefold())
    return {category: frozenset(words) for category, words in found.items()}


def is_person_name(text: str, start: int, end: int) -> bool:
    """Whether the capitalised word ``text[start:end]`` is cited as an author ("Bora, 2020", "Hao et al.")."""
    word = text[start:end]
    if not word[:1].isupper():
        return False
    return bool(_NAME_AFTER_RE.match(text[end:end + 40]))


def glued_to_code(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is one part of a hyphenated code ("PD-L1", "BMS-37-C3", "17β-E2", "MDA-MB-231"):
    a hyphen joins it to a letter or digit on the left, or to a capital or digit on the right."""
    left = start >= 2 and text[start - 1] in "-\u2010\u2011" and text[start - 2].isalnum()
    right = (end + 1 < len(text) and text[end] in "-\u2010\u2011"
             and (text[end + 1].isupper() or text[end + 1].isdigit()))
    return left or right



# A code of three or more hyphenated parts with a digit ("MDA-MB-231", "SK-N-SH5Y", "BMS-202-C3"): a cell line or
# compound, whatever its first part spells.
_CODE_RE = re.compile(r"[A-Za-z0-9]+(?:[-\u2010\u2011][A-Za-z0-9]+){2,}")


def part_of_code(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a part, not the whole, of a hyphenated code with a digit ("MDA" of
    "MDA-MB-231": a breast cancer cell line, not malondialdehyde)."""
    left = start
    while left > 0 and (text[left - 1].isalnum() or text[left - 1] in "-\u2010\u2011"):
        left -= 1
    right = end
    while right < len(text) and (text[right].isalnum() or text[right] in "-\u2010\u2011"):
        right += 1
    token = text[left:right].strip("-\u2010\u2011")
    return (token != text[start:end] and _CODE_RE.fullmatch(token) is not None
            and any(c.isdigit() for c in token))


# Nouns that end or head the names of rating instruments ("Beck Depression Inventory", "Schedule for Affective
# Disorders and Schizophrenia", "Acute Stress Disorder Scale").
_INSTRUMENT_NOUNS = frozenset({"scale", "scales", "inventory", "questionnaire", "checklist", "interview", "schedule",
                               "subscale", "index", "test", "survey", "assessment"})
_NAME_WORD_RE = re.compile(r"[A-Z][\w'’]*(?:[-\u2010\u2011][A-Za-z][\w'’]*)*|for|of|and|on|in|to")
_NAME_GAP_RE = re.compile(r"^[ \t]+$|^[-\u2010\u2011]$")
_INSTRUMENT_NEAR_RE = re.compile("|".join(sorted(noun.capitalize() for noun in _INSTRUMENT_NOUNS)))


def in_instrument_name(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a part, not the whole, of a capitalised instrument name ("Depression" of "Beck
    Depression Inventory"): the instrument is named, not the disorder."""
    if not _INSTRUMENT_NEAR_RE.search(text, max(0, start - 80), min(len(text), end + 80)):
        return False  # most names have no instrument noun near them: the word scan below is not needed
    written = text[start:end].strip()
    if " " in written and written.rsplit(" ", 1)[-1].casefold() in _INSTRUMENT_NOUNS:
        return False  # the instrument itself ("Patient Health Questionnaire")
    words = [(m.start(), m.end()) for m in _NAME_WORD_RE.finditer(text, max(0, start - 80), min(len(text), end + 80))]
    inside = [i for i, (s, e) in enumerate(words) if s < end and start < e]
    if not inside:
        return False
    lo, hi = inside[0], inside[-1]
    while lo > 0 and _NAME_GAP_RE.match(text[words[lo - 1][1]:words[lo][0]]):
        lo -= 1
    while hi + 1 < len(words) and _NAME_GAP_RE.match(text[words[hi][1]:words[hi + 1][0]]):
        hi += 1
    while lo < hi and not text[words[lo][0]].isupper():
        lo += 1
    while hi > lo and not text[words[hi][0]].isupper():
        hi -= 1
    run = [text[s:e] for s, e in words[lo:hi + 1]]
    nouns = {part.casefold() for word in run if word[0].isupper() for part in re.split(r"[-\u2010\u2011]", word)}
    whole = words[lo][0] >= start and words[hi][1] <= end
    return len(run) >= 3 and bool(nouns & _INSTRUMENT_NOUNS) and not whole


def compound_tail(text: str, start: int) -> bool:
    """Whether the word at ``start`` ends a hyphenated compound ("marketing" of "post-marketing", "adherence" of
    "non-adherence"): a one-word name is then no name of its own."""
    return start >= 2 and text[start - 1] in "-\u2010\u2011" and text[start - 2].isalpha()


_GREEK_AFTER_RE = re.compile(
    r"^[-\u2010\u2011 ]?(?:[\u03b1-\u03c9\u03d1\u03d5\u03f5]|(?:alpha|beta|gamma|delta|kappa)(?![a-z]))", re.IGNORECASE)


def before_greek(text: str, end: int) -> bool:
    """Whether a Greek letter follows ``end`` ("IFN" of "IFN-γ", "IFN gamma"): the name goes on, and its first
    part alone is another gene ("IFN" is an alias of IFNA1)."""
    return _GREEK_AFTER_RE.match(text[end:end + 7]) is not None


_DETERMINER_RE = re.compile(r"^\s+(?:the|a|an|this|that|these|those|its|their|our|his|her|such)\b")
_VERB_LIKE_RE = re.compile(r"^[a-z]{2,}[^su]s$")


def read_as_verb(text: str, start: int, end: int) -> bool:
    """Whether the one lower-case word ``text[start:end]`` ending in "s" is a verb here: a determiner follows it
    ("which fits the view", "this shocks the"), as no noun is followed in running text."""
    return bool(_VERB_LIKE_RE.match(text[start:end])) and _DETERMINER_RE.match(text[end:end + 8]) is not None

def has_cue(text: str, start: int, end: int, category: str, window: int = CUE_WINDOW) -> bool:
    """Whether a cue word of ``category`` stands within ``window`` words of ``text[start:end]`` (same sentence).

    The token itself counts when a cue is glued to it by a hyphen ("BDNF-mediated", "D2-receptor").
    """
    cues = _cues().get(category)
    if not cues:
        return False
    left = re.split(r"(?<=[.;!?])\s+(?=[A-Z])", text[max(0, start - 80):start])[-1]
    right = re.split(r"(?<=[.;!?])\s+(?=[A-Z])", text[end:end + 80])[0]
    words = [w.casefold() for w in _WORD_RE.findall(left)][-window:]
    words += [w.casefold() for w in _WORD_RE.findall(right)][:window]
    return any(w in cues for w in words)


class _Pairs:
    """``(form, CURIE)`` pairs kept as ``"form<TAB>CURIE"`` strings (corpus columns hold no tabs)."""

    def __init__(self, strings) -> None:
        self._strings = strings

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, tuple) and "\t".join(pair) in self._strings

    def __len__(self) -> int:
        return len(self._strings)


CONFIRMING_DOCUMENTS = 2  # a word-like reading one training paper gives ("Yes" the kinase) is that paper's usage


@lru_cache(maxsize=1)
def confirmed_pairs() -> _Pairs:
    """``(form as written, CURIE)`` of the gene annotations of the training splits, in that very case ("TIC"
    confirms no "tic"); a word-like form ("Yes") only when :data:`CONFIRMING_DOCUMENTS` documents make it, a
    symbol ("SHP2") when one does. None without the splits.

    Reading the seven training files took a tenth of a second a run, so the pairs are compiled once
    (:func:`kg.vocabulary.compiled.compiled_strings`) and mapped."""
    from kg.vocabulary.compiled import compiled_strings
    from kg.vocabulary.sources.corpora import CORPORA, document_pairs, shared_dir

    try:
        root = shared_dir() / "eval"
    except VocabularyError:
        return _Pairs(frozenset())
    files = [(root / corpus.training, corpus) for corpus in CORPORA.values()]

    def pairs() -> set[str]:
        documents: dict[str, set[str]] = {}
        for path, corpus in files:
            if path.is_file():
                for document, form, cid, category in document_pairs(path, holdout=not corpus.has_development):
                    if category in SUPPORTED_CATEGORIES:
                        documents.setdefault(f"{form}\t{cid}", set()).add(f"{corpus.training}:{document}")
        return {pair for pair, seen in documents.items()
                if len(seen) >= CONFIRMING_DOCUMENTS or not _WORDLIKE_RE.match(pair.partition("\t")[0])}

    compiled = compiled_strings("pairs", [path for path, _corpus in files],
                                ("kg.nlp.precision", "kg.vocabulary.sources.corpora"), pairs)
    return _Pairs(compiled if compiled is not None else frozenset(pairs()))


# A figure, table or supplement label: "Figure S12", "Table 2A", "Supplementary File S1", "Fig. 3B".
_LABEL_BEFORE_RE = re.compile(r"(?:\b(?:fig(?:ure)?s?|tables?|supplementa(?:ry|l)|suppl|appendix|appendices|"
                              r"files?|panels?|movies?|videos?|datasets?|boxes)\.?|\b(?:and|to|,))\s*$", re.IGNORECASE)
_LABEL_TOKEN_RE = re.compile(r"^[A-Z]{0,2}\d+[A-Za-z]?$|^[A-Z]$")
_LABEL_WORD_RE = re.compile(r"\b(?:fig(?:ure)?s?|tables?|supplementa(?:ry|l)|appendix|files?)\.?\s*$",
                            re.IGNORECASE)


def is_label(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a figure, table or supplement label ("S12" of "Figure S12", "S3" of
    "Figures S2 and S3"): such labels name no entity."""
    if not _LABEL_TOKEN_RE.match(text[start:end]):
        return False
    before = text[max(0, start - 40):start]
    if _LABEL_WORD_RE.search(before):
        return True
    # a label in a list of labels: "Figures S2, S3 and S4", "Tables S1–S3"
    listed = re.search(r"(?:fig(?:ure)?s?|tables?)\.?\s+(?:[A-Z]{0,2}\d+[A-Za-z]?(?:\s*[,–-]\s*|\s+and\s+))+$",
                       before, re.IGNORECASE)
    return listed is not None


@lru_cache(maxsize=1)
def _idioms() -> tuple[re.Pattern, ...]:
    """Fixed English expressions whose words name no biomedical concept (``ontologies/ner/idioms.tsv``)."""
    if not IDIOMS_FILE.is_file():
        return ()
    patterns = []
    for line in IDIOMS_FILE.read_text(encoding="utf-8").splitlines():
        phrase = line.split("\t", 1)[0].strip()
        if phrase and not phrase.startswith("#"):
            words = [re.escape(w) for w in phrase.casefold().replace("-", " ").split()]
            patterns.append(r"(?<![^\W_])" + r"[\s\-]+".join(words) + r"(?![^\W_])")
    return (re.compile("|".join(patterns), re.IGNORECASE),) if patterns else ()


_IDIOM_SEPARATOR_RE = re.compile(r"[\s\-]+")


@lru_cache(maxsize=1)
def _idiom_word_parts() -> frozenset[str] | None:
    """Every substring of every word of the idioms (folded); ``None`` when an idiom is not ASCII (then case-insensitive
    matching may pair letters this set cannot tell apart, and every span is searched)."""
    if not IDIOMS_FILE.is_file():
        return frozenset()
    parts: set[str] = set()
    for line in IDIOMS_FILE.read_text(encoding="utf-8").splitlines():
        phrase = line.split("\t", 1)[0].strip()
        if not phrase or phrase.startswith("#"):
            continue
        if not phrase.isascii():
            return None
        for word in phrase.casefold().replace("-", " ").split():
            parts.update(word[i:j] for i in range(len(word)) for j in range(i + 1, len(word) + 1))
    return frozenset(parts)


def _may_be_in_idiom(written: str) -> bool:
    """False when ``written`` cannot lie inside an idiom: an idiom's hit is its words joined by spaces or hyphens,
    so each piece of an ASCII span between such separators is part of one of those words. Checking this first
    spares the idiom search for nearly every name (it cost more than the rest of the NER)."""
    parts = _idiom_word_parts()
    if parts is None or not written.isascii():
        return True
    return all(piece in parts for piece in _IDIOM_SEPARATOR_RE.split(written.lower()) if piece)


def in_idiom(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies inside a fixed expression ("on the other hand", "face validity")."""
    if not _may_be_in_idiom(text[start:end]):
        return False
    for pattern in _idioms():
        for hit in pattern.finditer(text, max(0, start - 40), min(len(text), end + 40)):
            if hit.start() <= start and end <= hit.end():
                return True
    return False


@lru_cache(maxsize=1)
def _method_words() -> frozenset[str]:
    if not METHOD_WORDS_FILE.is_file():
        return frozenset()
    lines = METHOD_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.casefold() for line in lines if line and not line.startswith("#")
                     for w in (line.split("\t", 1)[0].strip(),) if w)


def is_method_term(concept) -> bool:
    """Whether ``concept``, of no kg category, names a research method rather than a subject: its heading's head
    noun (in text order) is a research-method word (``ontologies/ner/method_words.tsv``: "Odds Ratio",
    "Publication Bias", "Cohort Studies", "MEDLINE")."""
    if concept.category != "concept":
        return False
    from kg.vocabulary.mesh import text_order

    words = (text_order(concept.label) or concept.label).split()
    return bool(words) and words[-1].casefold() in _method_words()


@lru_cache(maxsize=1)
def common_word_documents() -> dict[str, int]:
    """One-word MeSH-only names the training abstracts use widely, with the number of training documents that use
    each (``ontologies/ner/common_words.tsv``, made by ``training/learn_common_words.py``)."""
    if not COMMON_WORDS_FILE.is_file():
        return {}
    rows = (line.split("\t") for line in COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#"))
    return {row[0]: int(row[1]) if len(row) > 1 and row[1].isdigit() else 0 for row in rows}


def common_words() -> frozenset[str]:
    """The names of :func:`common_word_documents`: frequency in a review's body makes none of them its subject."""
    return frozenset(common_word_documents())


# A word this many training documents use (about one in 70: "behavior" 49, "therapeutic" 127; "diet" 34 is not) is an
# everyday word of biomedical writing whoever names it: a mention only where a review's title, abstract or headings
# make it a subject.
EVERYDAY_DOCUMENTS = 40


# --- The stop-list in a reader's terms (issue 8, part 7) ----------------------------------------------------
SUBJECT_COUNT = 3  # a stop-listed form used this often is a subject of the document


@lru_cache(maxsize=1)
def stoplist_forms() -> frozenset[str]:
    """The folded forms of :func:`learned_stoplist`, whatever their category."""
    return frozenset(form for form, _category in learned_stoplist())


@lru_cache(maxsize=8)
def _forms_pattern(forms: frozenset[str]) -> re.Pattern[str] | None:
    """One alternation of ``forms`` (longest first, as a trie: :mod:`kg.nlp.alternation`; spaces matching any
    whitespace, a regular plural allowed): built once per set, since every document of a build asks about the same
    forms."""
    from kg.nlp.alternation import longest_first

    if not any(forms):
        return None
    body = longest_first(forms, space=r"\s+")
    # a form in the plural counts as the form ("more hospitalizations" names "hospitalization")
    return re.compile(r"(?<![^\W_])(" + body + r")(?:e?s)?(?![^\W_])")


def subject_forms(text: str, zones: Sequence[str], forms: Iterable[str]) -> frozenset[str]:
    """The ``forms`` (folded, as the stop-list holds them) that ``text`` uses as a subject of its own.

    A form is a subject when the text defines it (as the long or short form of an abbreviation,
    "placebo (PBO)", "(placebo)"), names it in one of the ``zones`` (its title, abstract and headings),
    or uses it at least :data:`SUBJECT_COUNT` times, in the singular or a regular plural. The learnt
    stop-list is a corpus's annotation convention; a document's own subjects stay in its graph.
    """
    from kg.nlp.dictionary import fold

    pattern = _forms_pattern(forms if isinstance(forms, frozenset) else frozenset(forms))
    if pattern is None:
        return frozenset()
    counts: dict[str, int] = {}
    subjects: set[str] = set()
    for hit in pattern.finditer(fold(text)):
        form = " ".join(hit.group(1).split())
        counts[form] = counts.get(form, 0) + 1
        start, end = hit.span()
        after, before = text[end:end + 16], text[max(0, start - 2):start]
        if re.match(r"\s*\(\s*[^()\s]{1,12}\s*[);,]", after) or (before.endswith("(") and text[end:end + 1] == ")"):
            subjects.add(form)
    subjects.update(form for form, n in counts.items() if n >= SUBJECT_COUNT)
    for zone in zones:
        subjects.update(" ".join(hit.group(1).split()) for hit in pattern.finditer(fold(zone)))
    return frozenset(subjects)
