"""PubTator files: ``PMID|t|title``, ``PMID|a|abstract``, tab-separated mention lines, blank line between documents.

Gold offsets index ``title + " " + abstract``, so that is the document text. Corpora differ in small ways
(see ``eval/*/SOURCE.md``): 5-column mention lines without an identifier, a 7th column of composite
parts, relation lines, CRLF line endings, a duplicated PMID, mentions whose text disagrees with the
offsets. All are tolerated; gold is kept exactly as given (scorers decide what to do with mismatches).
A line that is none of these (offsets that are not ASCII digits, missing columns) is skipped, and the file's
skipped lines are reported in one warning with their count and first line numbers.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from kg.document import Block, Document, GoldAnnotation, GoldRelation, Span
from kg.ingest.identifiers import checked_identifiers
from kg.ingest.reader import make_ids_unique

log = logging.getLogger(__name__)

_TEXT_LINE = re.compile(r"^(?P<pmid>[^|\s]+)\|(?P<kind>[ta])\|(?P<text>.*)$")
#: A relation's type (``CID``, ``Association``): a word, never a number.
_RELATION_TYPE = re.compile(r"^[A-Za-z][A-Za-z_\-]*$")
#: BioRED's 5th relation column.
_NOVELTY = ("Novel", "No")
#: How many skipped line numbers one warning lists.
SHOWN = 5


def is_offset(field: str) -> bool:
    """True for an offset as PubTator writes it: ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails)."""
    return field.isascii() and field.isdigit()


def _is_relation(parts: list[str]) -> bool:
    """``PMID, type, id, id`` (BC5CDR) or ``PMID, type, id, id, novelty`` (BioRED)."""
    return bool(_RELATION_TYPE.match(parts[1])) and (len(parts) == 4 or len(parts) == 5 and parts[4] in _NOVELTY)


class _Draft:
    """A document being assembled from its lines."""

    def __init__(self, pmid: str) -> None:
        self.pmid = pmid
        self.title: str | None = None
        self.abstract: str | None = None
        self.gold: list[GoldAnnotation] = []
        self.relations: list[GoldRelation] = []

    def text(self) -> str:
        title = self.title or ""
        return title if self.abstract is None else f"{title} {self.abstract}"


def _mention(parts: list[str]) -> GoldAnnotation:
    start, end = int(parts[1]), int(parts[2])
    identifier = parts[5] if len(parts) > 5 else ""
    return GoldAnnotation(Span(start, end), parts[3], parts[4], identifier)


def _finish(draft: _Draft, source: str) -> Document:
    text = draft.text()
    title = draft.title or ""
    blocks = [Block(Span(0, len(title)), "title")]
    if draft.abstract is not None:
        blocks.append(Block(Span(len(title) + 1, len(text)), "abstract"))
    return Document(
        id=draft.pmid, text=text, source=source, format="pubtator", title=title,
        blocks=blocks, gold=draft.gold, gold_relations=draft.relations, pmid=draft.pmid,
    )


def parse_pubtator(text: str, source: str = "", *, gold: bool = True) -> list[Document]:
    """Parse PubTator text into documents (``id`` = PMID, made unique within the file by a suffix); without
    ``gold``, its mention and relation lines are passed over."""
    documents: list[Document] = []
    draft: _Draft | None = None
    skipped: list[int] = []

    def close() -> None:
        nonlocal draft
        if draft is not None and (draft.title is not None or draft.abstract is not None):
            documents.append(_finish(draft, source))
        draft = None

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            close()
            continue
        m = _TEXT_LINE.match(line)
        if m:
            pmid, kind = m["pmid"], m["kind"]
            # A new PMID, or a second title for the same one, starts a new document even without a blank line.
            if draft is None or draft.pmid != pmid or (kind == "t" and draft.title is not None):
                close()
                draft = _Draft(pmid)
            if kind == "t":
                draft.title = m["text"]
            else:
                draft.abstract = m["text"]
            continue
        parts = line.split("\t")
        if len(parts) >= 5 and is_offset(parts[1]) and is_offset(parts[2]):
            if draft is None:
                skipped.append(number)
                log.debug("%s:%d: mention line before any title line; skipped", source, number)
                continue
            if parts[0] != draft.pmid:
                log.warning("%s:%d: mention for %s inside document %s", source, number, parts[0], draft.pmid)
            if gold:
                draft.gold.append(_mention(parts))
        elif len(parts) >= 4 and _is_relation(parts):
            if gold and draft is not None and parts[0] == draft.pmid:  # for relation evaluation, never prediction
                draft.relations.append(GoldRelation(parts[1], parts[2], parts[3], parts[4] if len(parts) > 4 else ""))
        else:
            skipped.append(number)
            log.debug("%s:%d: unrecognised line skipped: %.60r", source, number, line)
    close()
    outside = [(d.id, g) for d in documents for g in d.gold if not g.span.start <= g.span.end <= len(d.text)]
    if outside:
        pmid, g = outside[0]
        log.warning("%s: %d mention%s outside %s document's text, kept as gold (e.g. %s %r at %d-%d)",
                    source or "PubTator", len(outside), "" if len(outside) == 1 else "s",
                    "its" if len(outside) == 1 else "their", pmid, g.text[:40], g.span.start, g.span.end)
    if skipped:
        shown = ", ".join(map(str, skipped[:SHOWN])) + (", ..." if len(skipped) > SHOWN else "")
        log.warning("%s: %d malformed line%s skipped (line %s): a mention line is PMID, start, end, text, type"
                    "[, id], tab-separated, with ASCII-digit offsets", source or "PubTator", len(skipped),
                    "" if len(skipped) == 1 else "s", shown)
    checked_identifiers(documents, source or "PubTator")
    make_ids_unique(documents)
    return documents


def read_pubtator(path: str | Path) -> list[Document]:
    """Read one PubTator file (errors for missing, empty, binary or non-UTF-8 files come from ``read_text``)."""
    from kg.ingest.reader import read_text

    return parse_pubtator(read_text(path), source=str(path))
