"""The document model every stage shares: text read once, structure kept as character offsets.

Offsets always index ``Document.text`` exactly as it was read, so a mention, a table cell or a
citation marker can be traced back to the characters a user sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into ``Document.text``."""

    start: int
    end: int


@dataclass(frozen=True)
class Section:
    """A headed part of a review ("Abstract", "Methods", ...); ``span`` covers the heading's body."""

    title: str
    span: Span


@dataclass(frozen=True)
class Block:
    """A unit of running text fed to the NLP pipeline: a paragraph, a caption, a table cell, a title.

    ``kind`` is one of ``title``, ``paragraph``, ``caption``, ``table_cell``, ``list_item``, ``abstract``.
    ``section`` names the enclosing section (empty when none).
    """

    span: Span
    kind: str
    section: str = ""


@dataclass(frozen=True)
class TableRow:
    """One row of an evidence table: header name -> cell text, with each cell's span."""

    cells: tuple[tuple[str, str], ...]
    cell_spans: tuple[tuple[str, Span], ...]
    span: Span

    def cell(self, header: str) -> str:
        return dict(self.cells).get(header, "")


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    span: Span


@dataclass(frozen=True)
class Reference:
    """An entry of the reference list, with the fields that could be parsed out of it.

    An unnumbered (author–year) list numbers its entries by position, 1-based, so code keyed on numbers works;
    ``key`` (first author's surname + year + a/b suffix, e.g. ``chamberlain2006a``) is what author–year markers
    match. ``raw`` is the exact text of ``span``; ``text`` is the entry as read (wrapped lines joined, running
    heads between them dropped).
    """

    number: int
    raw: str
    span: Span
    title: str = ""
    journal: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    volume: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    key: str = ""
    text: str = ""


@dataclass(frozen=True)
class CitationMarker:
    """An in-text marker such as ``[6]``, ``(2, 5-7)`` or ``Smith et al., 2020`` and the reference numbers it names.

    ``style`` is ``numbered`` or ``author-year``; ``key`` is an author–year marker as read (``chamberlain 2006a``).
    ``unmatched`` lists what names no entry of the reference list (numbers as text, or the key), so every marker
    is either linked or reported.
    """

    span: Span
    numbers: tuple[int, ...]
    style: str = "numbered"
    key: str = ""
    unmatched: tuple[str, ...] = ()

    @property
    def linked(self) -> bool:
        return bool(self.numbers) and not self.unmatched


@dataclass(frozen=True)
class GoldAnnotation:
    """An annotation read from a PubTator file (used by evaluation, never by prediction)."""

    span: Span
    text: str
    type: str
    identifier: str


@dataclass(frozen=True)
class GoldRelation:
    """A document-level relation line of a PubTator file (``CID``, BioRED's types), for evaluation only.

    ``novelty`` is BioRED's fifth column (``Novel`` or ``No``), empty where the corpus has none.
    """

    type: str
    id1: str
    id2: str
    novelty: str = ""


@dataclass
class Document:
    """A document as read: its exact text plus structure found in it."""

    id: str
    text: str
    source: str
    format: str  # how it was read: "review" (text, Markdown), "jats", "bioc", "pdf" or "pubtator"
    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    citations: list[CitationMarker] = field(default_factory=list)
    gold: list[GoldAnnotation] = field(default_factory=list)
    gold_relations: list[GoldRelation] = field(default_factory=list)
    pmid: str = ""
    authors: list[str] = field(default_factory=list)  # names on a review's author line, as written
    # (kind, span) of what is not body text: front_matter, back_matter, running_head, page_number, references,
    # caption, table; only body, captions and table cells become blocks
    zones: list[tuple[str, Span]] = field(default_factory=list)
    # (start, source start, length) of each line a plain-text reader moved to put interleaved two-column pages
    # back in column order: ``text`` is then the source with those lines moved, and these map them back
    moved: tuple[tuple[int, int, int], ...] = ()

    @property
    def is_review(self) -> bool:
        """Every reader but PubTator's reads a review (sections, references, citations); PubTator holds abstracts."""
        return self.format != "pubtator"
