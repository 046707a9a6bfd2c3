"""A plain-text review's reference list and citation markers, and the zones the parser kept out of its blocks.

The citation style is decided per document, from its reference list: an unnumbered list is cited author–year;
a numbered one by ``[n]``, and by ``(n)`` or superscripts only where those fit the list
(``references.numbered_in_parentheses``). Markers in front matter, running heads or the reference list itself
are not citations. Every marker either links to entries or names what it could not find (``unmatched``).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import replace

from kg.document import CitationMarker, Document, Reference, Span
from kg.ingest.author_year import assign_keys, find_author_year, fold, looks_separated, parse_entry
from kg.ingest.references import (
    find_citations,
    numbered_in_parentheses,
    parse_reference,
    superscript_citations,
)
from kg.ingest.zones import Entry, Line

_NOT_BODY = ("front_matter", "back_matter", "running_head", "page_number", "references")


def _join(parts: list[str]) -> str:
    """Wrapped lines of one entry as one line: a DOI or URL broken at the line end is rejoined without a space,
    a word hyphenated at the line end keeps its hyphen (``obsessive-compulsive`` must survive)."""
    out = parts[0] if parts else ""
    for part in parts[1:]:
        broken_id = re.search(r"(?:https?://|doi\.org/|10\.\d{4,9}/)\S*$", out)
        if (re.search(r"[A-Za-z]-$", out) and part[:1].islower()) or (
            broken_id and (out.endswith(("/", ".", "-", "_")) or re.fullmatch(r"[\w./()\-;:]+", part))
        ):
            out += part
        else:
            out += " " + part
    return out


def reference_list(text: str, lines: Sequence[Line], entries: list[Entry]) -> list[Reference]:
    """Parse each entry; unnumbered entries are numbered by position (1-based) and keyed by surname + year."""
    refs = []
    for ordinal, entry in enumerate(entries, 1):
        first, last = lines[entry.lines[0]], lines[entry.lines[-1]]
        span = Span(first.start, last.end)
        parts = [lines[entry.lines[0]].text[entry.offset:]] + [lines[k].text for k in entry.lines[1:]]
        body = _join([p for p in parts if p])
        number = entry.number if entry.number is not None else ordinal
        raw = text[span.start : span.end]
        if looks_separated(body):
            f = parse_entry(body)
            key = f"{fold(f['surnames'][0])}{f['year']}{f['suffix']}" if f["surnames"] and f["year"] else ""
            ref = Reference(
                number=number, raw=raw, span=span, title=f["title"], journal=f["journal"], authors=f["authors"],
                year=f["year"], volume=f["volume"], pages=f["pages"], doi=f["doi"], pmid=f["pmid"],
                pmcid=f["pmcid"], key=key if f["suffix"] else "", text=body,
            )
        else:
            ref = replace(parse_reference(body, number, raw, span), text=body)
        refs.append(ref)
    return assign_keys(refs)


def zone_spans(lines: Sequence[Line], skipped: dict[int, str], references: set[int], doc: Document
               ) -> list[tuple[str, Span]]:
    """``(kind, span)`` runs of zoned lines, plus the reference list, captions and tables."""
    kinds = {**skipped, **dict.fromkeys(references, "references")}
    zones: list[tuple[str, Span]] = []
    previous = -1
    for k in sorted(kinds):
        kind, ln = kinds[k], lines[k]
        if zones and zones[-1][0] == kind and _only_blank_between(lines, previous, k, kinds, kind):
            zones[-1] = (kind, Span(zones[-1][1].start, ln.end))
        else:
            zones.append((kind, Span(ln.start, ln.end)))
        previous = k
    zones += [("caption", b.span) for b in doc.blocks if b.kind == "caption"]
    zones += [("table", t.span) for t in doc.tables]
    return sorted(zones, key=lambda z: (z[1].start, z[1].end))


def _only_blank_between(lines: Sequence[Line], first: int, last: int, kinds: dict[int, str], kind: str) -> bool:
    """True when the lines strictly between line numbers ``first`` and ``last`` are blank, of ``kind`` or page
    furniture (only those lines are looked at, so zoning stays linear in the document's length)."""
    return all(lines[k].blank or kinds.get(k) in (kind, "running_head", "page_number") for k in range(first + 1, last))


def review_citations(doc: Document) -> list[CitationMarker]:
    """The document's citation markers in its own style, each linked or reporting what it could not find."""
    excluded = sorted((span for kind, span in doc.zones if kind in _NOT_BODY), key=lambda s: (s.start, s.end))
    starts = [s.start for s in excluded]

    def allowed(offset: int) -> bool:
        i = bisect.bisect_right(starts, offset) - 1
        return i < 0 or not (excluded[i].start <= offset < excluded[i].end)

    refs = doc.references
    numbered = _numbered(refs)
    if refs and not numbered:
        return find_author_year(doc.text, refs, allowed)
    markers = [c for c in find_citations(doc.text) if allowed(c.span.start)]
    if refs:
        top = max(r.number for r in refs)
        if len(markers) < 5:
            markers += numbered_in_parentheses(doc.text, top, allowed)
        markers += superscript_citations(doc.text, top, allowed)
        known = {r.number for r in refs}
        markers = [replace(c, unmatched=tuple(str(n) for n in c.numbers if n not in known)) for c in markers]
    return sorted(markers, key=lambda c: c.span.start)


def _numbered(refs: list[Reference]) -> bool:
    """True when the list was numbered in the text (its entries started with their numbers)."""
    return bool(refs) and all(re.match(r"^\s*(?:[-•*–]\s*)?\[?\d{1,3}", r.raw) for r in refs[: min(5, len(refs))])


def citation_counts(documents) -> dict[str, int]:
    """``{"linked": M, "unmatched": K}`` over the documents' citation markers, for the build summary."""
    markers = [c for d in documents for c in d.citations]
    linked = sum(c.linked for c in markers)
    return {"linked": linked, "unmatched": len(markers) - linked}
