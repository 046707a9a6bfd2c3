"""Recurring noun phrases no mention covers: reported, never made entities (issue 8, part 7).

A review names its own subjects again and again ("alpha diversity", "reversal learning", "CSTC circuits");
when no vocabulary names one, the NER finds nothing and the subject would vanish silently. The pipeline has
no parser, so a noun phrase is read by a rule a reader can check: a run of one to four content words ending
in a head noun of ``ontologies/ner/heads.tsv`` (circuits, diversity, therapy, receptors, disorder, scale ...),
inside one clause of a body block (title, abstract, paragraph, list item or caption; never the reference
list or front matter, which are no blocks), with no mention overlapping it. Words before the head may be
hyphenated compounds ("cortico-striato-thalamo-cortical") or Greek letters; determiners, pronouns,
quantifiers, evaluative adjectives ("significant", "reduced") and adverbs end the run.

A phrase is counted under its key (lower case, hyphens as spaces, the head singular) and every shorter
ending of a run counts too ("gut alpha diversity" is also an "alpha diversity"); a shorter ending seen
only inside one longer phrase is not listed apart. A phrase is listed when it recurs (:data:`MIN_USES` uses)
or is used in the title, abstract or a heading and once more, unless it is a long form the document defines
(those are reported with their short form).
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kg.concept import Mention
from kg.document import Document
from kg.paths import ontologies_dir

__all__ = ["Phrase", "frequent_phrases", "head_nouns", "HEADS_FILE", "MIN_USES"]

log = logging.getLogger(__name__)

HEADS_FILE = ontologies_dir() / "ner" / "heads.tsv"
MIN_USES = 3  # uses of a phrase no mention covers before it is listed (2 when the title, abstract or a heading has it)
MAX_MODIFIERS = 4
_BODY_KINDS = frozenset({"title", "abstract", "paragraph", "list_item", "caption"})
_ZONE_KINDS = frozenset({"title", "abstract"})

# Words that end a run of modifiers: function words, quantifiers, pronouns and evaluative adjectives, which
# say how much or which, not what ("the", "several", "significant", "reduced", "novel").
_STOP = frozenset("""
a an the this that these those its it their our his her your my such other others same different various several
many much most more less least few fewer some any all each every both either neither no not nor new novel further
possible potential putative current previous prior recent specific certain common main key important relevant
significant significantly high higher highest low lower lowest increased decreased reduced elevated greater
smaller larger large small altered abnormal normal total overall mean average first second third one two three
four five well also only just even as of in on at and or but with without by for from to into onto via per than
then between among within across against after before during under over upon about around through throughout
is are was were be been being has have had do does did can could may might must shall should will would
which who whom whose what when where while whereas whether how why if so thus hence therefore however although
though because since yet still very often usually typically respectively including included include includes
e.g i.e et al vs versus using used use based related associated called known termed so-called
""".split())
_WORD_RE = re.compile(r"[^\W\d_][\w'’\-‐]*")
_CLAUSE_GAP_RE = re.compile(r"^[ \t\r\n]*$")  # between two words of one phrase: white space only


@dataclass(frozen=True)
class Phrase:
    """A recurring noun phrase of ``doc_id`` no mention covers: its first use (``text`` with white space
    collapsed), how often it is used, and why it is listed."""

    doc_id: str
    start: int
    end: int
    text: str
    uses: int
    reason: str


@lru_cache(maxsize=1)
def head_nouns() -> dict[str, str]:
    """Head noun form -> its singular (``ontologies/ner/heads.tsv``)."""
    heads: dict[str, str] = {}
    for line in HEADS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        form, _, singular = line.partition("\t")
        heads[form.strip().lower()] = (singular.strip() or form.strip()).lower()
    return heads


def _modifier(word: str) -> bool:
    """A word that may stand before a head noun in a name: a content word, not a function or evaluative word."""
    low = word.lower().strip("'’")
    if low in _STOP or len(low) < 2:
        return False
    if "-" not in low and (low.endswith("ly") or (low.endswith("ed") and len(low) > 4)):
        return False  # adverbs and participles ("significantly", "reduced") describe, they do not name
    return not word.isupper() or len(word) > 1  # a short form before a head ("CSTC circuits") is a modifier


def _key(words: Sequence[str]) -> str:
    heads = head_nouns()
    *modifiers, head = (w.lower().replace("‐", "-") for w in words)
    parts = [*modifiers, *head.split("-")[:-1], heads.get(head.rsplit("-", 1)[-1], head.rsplit("-", 1)[-1])]
    return " ".join(p for part in parts for p in part.split("-") if p)


def _runs(text: str) -> Iterable[list[re.Match]]:
    """Word runs of ``text`` ending in a head noun: the head and up to MAX_MODIFIERS modifiers before it."""
    heads = head_nouns()
    words = list(_WORD_RE.finditer(text))
    for i, word in enumerate(words):
        last = word.group().lower().replace("‐", "-")
        head = last.rsplit("-", 1)[-1]
        if head not in heads:
            continue
        run = [word]
        for j in range(i - 1, max(-1, i - 1 - MAX_MODIFIERS), -1):
            before = words[j]
            if not _CLAUSE_GAP_RE.match(text[before.end():run[0].start()]) or not _modifier(before.group()):
                break
            run.insert(0, before)
        if len(run) > 1 or "-" in last.strip("-"):  # one word alone is a name only if a compound ("α-diversity")
            yield run


def frequent_phrases(documents: Iterable[Document], mentions: Iterable[Mention], vocabulary=None) -> list[Phrase]:
    """The recurring noun phrases of ``documents`` that no mention of ``mentions`` overlaps (module docstring).

    ``vocabulary``, when given, says in the reason whether a vocabulary name exists for the phrase (then the NER
    dropped it on purpose: a stop-list or precision rule) or the resolver's nearest grounding.
    """
    from kg.nlp.pipeline import document_blocks
    from kg.nlp.reading import document_words, read

    by_doc: dict[str, list[Mention]] = {}
    for m in mentions:
        by_doc.setdefault(m.doc_id, []).append(m)
    found: list[Phrase] = []
    for document in documents:
        doc_mentions = by_doc.get(document.id, [])
        taken = bytearray(len(document.text) + 1)
        for m in doc_mentions:
            taken[m.start:m.end] = b"\x01" * (m.end - m.start)
        defined = {_key(_WORD_RE.findall(m.long_form)) for m in doc_mentions if m.long_form
                   and _WORD_RE.findall(m.long_form)}
        words = document_words(document.text)
        uses: Counter[str] = Counter()
        zoned: Counter[str] = Counter()
        first: dict[str, tuple[int, int, str]] = {}
        zones = _headings(document)
        for block in document_blocks(document):
            if block.kind not in _BODY_KINDS:
                continue
            base = block.span.start
            reading = read(document.text[base:block.span.end], words=words)
            for run in _runs(reading.text):
                # the ending of the run no mention overlaps (a covered head covers the phrase)
                spans = [reading.source_span(w.start(), w.end()) for w in run]
                while run and any(taken[base + spans[0][0]:base + spans[-1][1]]):
                    run, spans = run[1:], spans[1:]
                if not run:
                    continue
                start = spans[0][0]
                in_zone = block.kind in _ZONE_KINDS or any(z[0] <= base + start < z[1] for z in zones)
                for n in range(len(run) - 1 if len(run) > 1 else 0, -1, -1):
                    part = run[n:]
                    if len(part) < 2 and "-" not in part[-1].group().strip("-"):
                        continue
                    key = _key([w.group() for w in part])
                    uses[key] += 1
                    zoned[key] += in_zone
                    if key not in first:
                        s, e = reading.source_span(part[0].start(), part[-1].end())
                        first[key] = (base + s, base + e, " ".join(document.text[base + s:base + e].split()))
        found.extend(_listed(document.id, uses, zoned, first, defined, vocabulary))
    log.info("%d recurring noun phrases no mention covers", len(found))
    return found


def _headings(document: Document) -> list[tuple[int, int]]:
    """Spans of the document's section headings (the first line of each section)."""
    spans = []
    for section in document.sections:
        if section.title:
            at = document.text.find(section.title, section.span.start)
            if at >= 0:
                spans.append((at, at + len(section.title)))
    return spans


def _listed(doc_id: str, uses: Counter[str], zoned: Counter[str], first: dict[str, tuple[int, int, str]],
            defined: set[str], vocabulary) -> list[Phrase]:
    """The keys worth a reader's look, longest first among those that share an ending."""
    keep = [k for k, n in uses.items() if (n >= MIN_USES or (zoned[k] and n >= 2)) and k not in defined]
    chosen = set(keep)
    for key in keep:
        # a shorter ending seen only inside one longer listed phrase adds nothing
        longer = [o for o in chosen if o != key and o.endswith(" " + key)]
        if any(uses[o] >= uses[key] for o in longer):
            chosen.discard(key)
    phrases = []
    for key in sorted(chosen, key=lambda k: first[k][0]):
        start, end, text = first[key]
        reason = f"frequent phrase ({uses[key]} uses), {_vocabulary_reason(text, vocabulary)}"
        phrases.append(Phrase(doc_id, start, end, text, uses[key], reason))
    return phrases


def _vocabulary_reason(text: str, vocabulary) -> str:
    if vocabulary is None:
        return "no mention covers it"
    named = vocabulary.lookup(" ".join(text.split()))
    if named:
        return f"the vocabulary names it ({named[0].curie}) but the NER kept no mention of it"
    from kg.resolve.resolver import grounder

    grounding = grounder(vocabulary).ground(" ".join(text.split()), "concept")
    if grounding.concept is not None:
        return (f"no vocabulary name; nearest {grounding.concept.label!r} ({grounding.concept.curie}, "
                f"{grounding.method} {grounding.score:.2f}) not taken")
    return "no vocabulary name"
