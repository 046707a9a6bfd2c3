"""Publications and citations: the reference list as works, in-text markers as citing sentences.

A study table often names its source as "Author et al., 2023 [" with the number cut off, so works are also
found by first-author surname and year (``match_reference``), not only by number.
"""
from __future__ import annotations

import logging
import re
import unicodedata

from kg.extract.context import DocumentContext
from kg.extract.facts import Citation, Evidence, Publication

log = logging.getLogger(__name__)


def surname_key(name: str) -> str:
    """A comparable surname: accents stripped, casefolded, initials dropped ("Wydra K" -> "wydra")."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = [w for w in re.split(r"[\s,.]+", text) if w]
    # reference lists write "Surname AB"; drop trailing initials (short all-letter tokens after the surname)
    while len(words) > 1 and len(words[-1]) <= 3 and words[-1].isalpha():
        words.pop()
    return " ".join(words)


def label_of(authors: tuple[str, ...], year: int | None, fallback: str) -> str:
    if not authors:
        return fallback
    first = authors[0]
    head = f"{first} et al." if len(authors) > 2 else " & ".join(authors)
    return f"{head}, {year}" if year else head


def reference_publications(ctx: DocumentContext) -> list[Publication]:
    """Every reference-list entry of the document, plus a stub for each cited number the list lacks."""
    doc = ctx.doc
    pubs = [
        Publication(
            doc_id=doc.id,
            number=r.number,
            label=label_of(r.authors, r.year, r.title or f"reference {r.number}"),
            title=r.title,
            authors=r.authors,
            journal=r.journal,
            year=r.year,
            doi=r.doi,
            pmid=r.pmid,
            pmcid=r.pmcid,
            raw=r.text or r.raw,
        )
        for r in doc.references
    ]
    known = {p.number for p in pubs}
    cited = sorted({n for c in doc.citations for n in c.numbers} - known)
    if cited:
        log.info("%s cites %d reference numbers missing from its reference list: %s", doc.id, len(cited), cited)
    pubs += [
        Publication(doc_id=doc.id, number=n, label=f"[{n}] in {doc.title or doc.id}", raw=f"{doc.id} reference {n}")
        for n in cited
    ]
    return pubs


def citations(ctx: DocumentContext) -> list[Citation]:
    """One Citation per in-text marker, carrying the sentence it sits in; markers that name no entry of the
    reference list are counted and logged (they carry no numbers, so the graph links them to nothing)."""
    out = []
    linked = sum(c.linked for c in ctx.doc.citations)
    if ctx.doc.citations:
        log.info("%s: %d citation markers, %d linked, %d unmatched", ctx.doc.id, len(ctx.doc.citations), linked,
                 len(ctx.doc.citations) - linked)
    for c in ctx.doc.citations:
        sent = ctx.sentence_at(c.span.start) or (c.span.start, c.span.end)
        ev = Evidence(ctx.doc.id, sent[0], sent[1], ctx.text(*sent))
        out.append(Citation(ctx.doc.id, c.span.start, c.span.end, tuple(c.numbers), ev))
    return out


def match_reference(
    pubs: list[Publication], surname: str, year: int | None, numbers: tuple[int, ...] = ()
) -> Publication | None:
    """The reference whose first author and year match (the marker number wins when it is there)."""
    for n in numbers:
        for p in pubs:
            if p.number == n:
                return p
    key = surname_key(surname)
    if not key:
        return None
    hits = [p for p in pubs if p.authors and surname_key(p.authors[0]) == key and (year is None or p.year == year)]
    if len(hits) > 1:
        log.info("%d references match first author %r and year %s; using the first", len(hits), surname, year)
    return hits[0] if hits else None
