"""PMC JATS / NLM XML articles: the article rendered as plain text, with its structure kept as offsets.

``Document.text`` is the reading a person gets from the article page: the title, the abstract, each section's
heading and paragraphs, figure and table captions, table rows (cells joined by `` | ``) and the reference list,
one line or paragraph each. Front matter that is not the article's content (affiliations, e-mails, funding,
licence, copyright, footnotes, author notes, acknowledgements) is never rendered, so it can not enter a block.
Citation markers come from ``<xref ref-type="bibr">``, not from the text, so author-year and superscript
citations link to their references as exactly as numbered ones.
"""
from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

from kg.document import Block, CitationMarker, Document, Reference, Section, Span, Table, TableRow
from kg.ingest.jats_inline import Inline, child, children, inline, local_name, text_of

log = logging.getLogger(__name__)

#: Section types and titles of boilerplate, not content (JATS ``sec-type`` values, and the usual headings).
_BOILERPLATE_TYPES = {"funding", "funding-information", "coi-statement", "conflict", "author-contribution",
                      "author-contributions", "contributions", "data-availability", "ethics-statement", "disclosure",
                      "supplementary-material", "supplementary", "display-objects", "acknowledgment", "acknowledgement"}
_BOILERPLATE_TITLE = re.compile(
    r"^(?:funding|financial (?:support|disclosure)|acknowledge?ments?|conflicts? of interests?|competing interests?|"
    r"declarations? of (?:competing )?interests?|disclosures?|(?:credit )?author(?:s'?|'s)? contributions?|"
    r"(?:credit )?author(?:s'?|'s|ship)? contributions? statement|data availability(?: statement)?|"
    r"ethics(?: statement)?|consent for publication|supplementary (?:material|information|data))\s*$", re.IGNORECASE)
_SKIPPED_ABSTRACTS = {"graphical", "teaser", "toc", "web-summary", "precis", "short"}
_RANGE_TEXT = re.compile(r"^\s*(\d{1,4})\s*[-–—]\s*(\d{1,4})\s*$")
_RANGE_GAP = re.compile(r"^\s*\]?\s*[-–—]\s*\[?\s*$")  # [2–5] or [2]–[5] written as two <xref>s
_LIST_GAP = re.compile(r"^\s*[,;]?\s*$")
_OPEN_CLOSE = {"[": "]", "(": ")"}
MAX_RANGE = 100


class _Writer:
    """Appends the reading line by line and builds the document's structure with exact offsets."""

    def __init__(self, doc: Document, ref_numbers: dict[str, int]) -> None:
        self.doc = doc
        self.parts: list[str] = []
        self.size = 0
        self.ref_numbers = ref_numbers
        self.unlinked = 0
        self.sections: list[tuple[str, int, int]] = []

    def line(self, text: str, gap: bool = True) -> int:
        if self.size:
            sep = "\n\n" if gap else "\n"
            self.parts.append(sep)
            self.size += len(sep)
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        return start

    def block(self, content: Inline, kind: str, section: str, gap: bool = True) -> Span | None:
        if not content.text:
            return None
        start = self.line(content.text, gap)
        span = Span(start, start + len(content.text))
        self.doc.blocks.append(Block(span, kind, section))
        self.citations(content, start)
        return span

    def citations(self, content: Inline, base: int) -> None:
        """Group adjacent ``<xref>``s (``[1, 2]``, ``[2]–[5]``) into one marker each, with bracket spans."""
        text, xrefs = content.text, sorted(content.xrefs)
        groups: list[list[tuple[int, int, tuple[str, ...], str]]] = []
        for x in xrefs:
            between = text[groups[-1][-1][1]:x[0]] if groups else "x"
            if _LIST_GAP.match(between) or _RANGE_GAP.match(between):
                groups[-1].append(x)
            else:
                groups.append([x])
        for group in groups:
            numbers: list[int] = []
            prev_end = None
            for start, _, rids, label in group:
                found = [self.ref_numbers[r] for r in rids if r in self.ref_numbers]
                if not found:
                    self.unlinked += 1
                    continue
                if prev_end is not None and numbers and _RANGE_GAP.match(text[prev_end:start]):
                    numbers.extend(range(numbers[-1] + 1, found[0]) if found[0] - numbers[-1] <= MAX_RANGE else [])
                numbers.extend(found)
                ranged = _RANGE_TEXT.match(label)
                if ranged and len(found) == 1 and found[0] < int(ranged[2]) <= found[0] + MAX_RANGE:
                    numbers.extend(range(found[0] + 1, int(ranged[2]) + 1))
                prev_end = start + len(label)
            if not numbers:
                continue
            s, e = group[0][0], group[-1][1]
            if s > 0 and e < len(text) and _OPEN_CLOSE.get(text[s - 1]) == text[e]:
                s, e = s - 1, e + 1
            self.doc.citations.append(CitationMarker(Span(base + s, base + e), tuple(dict.fromkeys(numbers))))

    def heading(self, text: str) -> int:
        """Write a heading line (no block: headings name sections) and return where it ends."""
        return self.line(text) + len(text)

    def section(self, title: str, heading_end: int) -> None:
        if self.size > heading_end:
            self.sections.append((title, heading_end, self.size))

    def finish(self) -> None:
        """Set the text, and start each section at its body's first character (past the newlines)."""
        text = self.doc.text = "".join(self.parts)
        for title, start, end in self.sections:
            while start < end and text[start].isspace():
                start += 1
            self.doc.sections.append(Section(title, Span(start, end)))
        self.doc.sections.sort(key=lambda s: (s.span.start, -s.span.end))
        self.doc.citations.sort(key=lambda c: c.span.start)

    # -- content ---------------------------------------------------------------------------------------------

    def flow(self, container: ET.Element, section: str, kind: str = "paragraph") -> None:
        for node in container:
            if local_name(node.tag) == "sec":
                self.sec(node, section, kind)
            else:
                self.flow_one(node, section, kind)

    def flow_one(self, el: ET.Element, section: str, kind: str) -> None:
        tag = local_name(el.tag)
        if tag in ("p", "disp-formula", "preformat", "verse-group", "code", "speech"):
            content = inline(el)
            self.block(content, kind, section)
            for inner in content.deferred:
                self.flow_one(inner, section, kind)
        elif tag in ("fig", "supplementary-material"):
            self.caption(el, section)
        elif tag == "table-wrap":
            self.table_wrap(el, section)
        elif tag == "list":
            for item in children(el, "list-item"):
                self.flow(item, section, "list_item")
        elif tag in ("def-list", "glossary"):
            self.definitions(el, section)
        elif tag == "sec":
            self.sec(el, section, kind)
        elif tag in ("fig-group", "table-wrap-group", "boxed-text", "disp-quote", "statement", "app", "app-group",
                     "alternatives", "floats-group", "body"):
            title = text_of(child(el, "title"))
            if title and tag in ("boxed-text", "app", "statement"):
                self.sec(el, section, kind)
            else:
                self.flow(el, section, kind)

    def sec(self, el: ET.Element, parent: str, kind: str) -> None:
        title = text_of(child(el, "title"))
        label = text_of(child(el, "label"))
        if (el.get("sec-type") or "").lower() in _BOILERPLATE_TYPES or _BOILERPLATE_TITLE.match(title):
            log.debug("skipped boilerplate section %r", title or el.get("sec-type"))
            return
        start = self.heading(f"{label} {title}".strip()) if title or label else self.size
        self.flow(el, title or parent, kind)
        if title:
            self.section(title, start)

    def caption(self, el: ET.Element, section: str) -> None:
        content = Inline()
        label = text_of(child(el, "label"))
        if label:
            content.text = label if label[-1] in ".:" else label + "."
        caption = child(el, "caption")
        if caption is not None:
            for part in caption:
                if local_name(part.tag) in ("title", "p"):
                    content.append(inline(part, defer=False))
        self.block(content, "caption", section)

    def definitions(self, el: ET.Element, section: str) -> None:
        title = text_of(child(el, "title")) or section
        start = self.heading(title) if title and title != section else None
        for inner in children(el, "def-list"):
            self.definitions(inner, title)
        for item in children(el, "def-item"):
            term_el = child(item, "term")
            term, definition = inline(term_el, defer=False) if term_el is not None else Inline(), Inline()
            for d in children(item, "def"):
                definition.append(inline(d, defer=False))
            if term.text and definition.text:
                term.append(definition, ": ")
            self.block(term, "paragraph", title, gap=False)
        if start is not None and title:
            self.section(title, start)

    def table_wrap(self, el: ET.Element, section: str) -> None:
        self.caption(el, section)
        for table in el.iter():
            if local_name(table.tag) == "table":
                self.table(table, section)

    def table(self, el: ET.Element, section: str) -> None:
        head_rows = [tr for part in children(el, "thead") for tr in children(part, "tr")]
        body_rows = [tr for part in children(el, "tbody", "tfoot") for tr in children(part, "tr")]
        body_rows += children(el, "tr")
        if not head_rows and body_rows:
            head_rows, body_rows = body_rows[:1], body_rows[1:]
        grid = _Grid()
        header_cols: dict[int, list[str]] = {}
        start = None
        for row in head_rows:
            line, cells = self.row_line(row, grid)
            if line.text:
                pos = self.line(line.text, gap=start is None)
                start = pos if start is None else start
                self.citations(line, pos)
            for col, span_cols, content, _ in cells:
                for c in range(col, col + span_cols):
                    if content.text and content.text not in header_cols.setdefault(c, []):
                        header_cols[c].append(content.text)
        width = max([*header_cols, -1]) + 1
        header = tuple(" ".join(header_cols.get(k, [])) or f"column {k + 1}" for k in range(width))
        rows = []
        for row in body_rows:
            line, cells = self.row_line(row, grid)
            if not line.text:
                continue
            pos = self.line(line.text, gap=start is None)
            start = pos if start is None else start
            self.citations(line, pos)
            kept = []
            for col, _, content, offset in cells:
                if not content.text:
                    continue
                name = header[col] if col < len(header) else f"column {col + 1}"
                span = Span(pos + offset, pos + offset + len(content.text))
                self.doc.blocks.append(Block(span, "table_cell", section))
                kept.append((name, content.text, span))
            rows.append(TableRow(cells=tuple((n, t) for n, t, _ in kept), cell_spans=tuple((n, s) for n, _, s in kept),
                                 span=Span(pos, pos + len(line.text))))
        if start is not None:
            self.doc.tables.append(Table(header, tuple(rows), Span(start, self.size)))

    def row_line(self, row: ET.Element, grid: _Grid) -> tuple[Inline, list[tuple[int, int, Inline, int]]]:
        """One row as ``cell | cell``, and each cell's column, colspan, content and offset in the line."""
        line, cells = Inline(), []
        grid.next_row()
        for cell in children(row, "td", "th"):
            content = inline(cell, defer=False)
            col, span_cols = grid.place(_int(cell.get("colspan")), _int(cell.get("rowspan")))
            if content.text:
                line.append(content, " | ")
                cells.append((col, span_cols, content, len(line.text) - len(content.text)))
        return line, cells


class _Grid:
    """Column positions of table cells under ``colspan`` and ``rowspan``."""

    def __init__(self) -> None:
        self.row = -1
        self.taken: set[tuple[int, int]] = set()
        self.col = 0

    def next_row(self) -> None:
        self.row += 1
        self.col = 0

    def place(self, colspan: int, rowspan: int) -> tuple[int, int]:
        while (self.row, self.col) in self.taken:
            self.col += 1
        col = self.col
        for r in range(self.row, self.row + rowspan):
            for c in range(col, col + colspan):
                self.taken.add((r, c))
        self.col += colspan
        return col, colspan


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 50))
    except ValueError:
        return 1


# -- references -------------------------------------------------------------------------------------------------


def _name(el: ET.Element, surname_first: bool) -> str:
    if local_name(el.tag) == "collab":
        return text_of(el)
    surname, given = text_of(child(el, "surname")), text_of(child(el, "given-names"))
    if not surname:
        return text_of(el)
    if surname_first:
        initials = given.replace(".", "").replace(" ", "") if given and len(given.replace(".", "")) <= 4 else given
        return f"{surname} {initials}".strip()
    return f"{given} {surname}".strip()


def _citation_authors(citation: ET.Element) -> tuple[str, ...]:
    groups = [g for g in citation.iter() if local_name(g.tag) == "person-group"]
    authors = [g for g in groups if g.get("person-group-type", "author") == "author"] or groups[:1]
    holders = authors or [citation]
    return tuple(_name(n, True) for g in holders for n in g if local_name(n.tag) in ("name", "string-name", "collab"))


def _field(citation: ET.Element, name: str) -> str:
    found = next((e for e in citation.iter() if local_name(e.tag) == name), None)
    return text_of(found)


def _pub_id(citation: ET.Element, kind: str) -> str:
    for e in citation.iter():
        if local_name(e.tag) == "pub-id" and (e.get("pub-id-type") or "").lower() == kind:
            return text_of(e)
    return ""


def _punctuated(citation: ET.Element) -> bool:
    """True when a ``<mixed-citation>`` carries its own punctuation between fields (then it is rendered as is)."""
    loose = [citation.text or ""] + [c.tail or "" for c in citation]
    for group in citation:
        if local_name(group.tag) == "person-group":
            loose += [group.text or ""] + [c.tail or "" for c in group]
    return bool(re.search(r"[.,;:()“”\"]", "".join(loose)))


def _reference_text(citation: ET.Element, ref: Reference) -> str:
    if local_name(citation.tag) == "mixed-citation" and _punctuated(citation):
        return inline(citation, defer=False).text
    parts = []
    if ref.authors:
        more = any(local_name(e.tag) == "etal" for e in citation.iter())
        parts.append(", ".join(ref.authors) + (", et al." if more else "."))
    if ref.title:
        parts.append(ref.title if ref.title[-1] in ".?!" else ref.title + ".")
    where = " ".join(p for p in (ref.journal, f"{ref.year};" if ref.year else "") if p).strip()
    tail = ref.volume + (f":{ref.pages}" if ref.pages else "")
    if where or tail:
        parts.append(f"{where}{tail}.".replace(";.", "."))
    parts += [f"doi:{ref.doi}"] if ref.doi else []
    parts += [f"PMID: {ref.pmid}"] if ref.pmid else []
    parts += [ref.pmcid] if ref.pmcid else []
    return " ".join(parts) or inline(citation, defer=False).text


def reference(ref_el: ET.Element, ordinal: int) -> tuple[Reference, ET.Element] | None:
    """The ``Reference`` (without text or span yet) of one ``<ref>``, numbered by its label or its ordinal."""
    citation = child(ref_el, "mixed-citation", "element-citation", "citation", "nlm-citation")
    if citation is None:
        return None
    label = text_of(child(ref_el, "label")).strip("[]().: ")
    number = int(label) if label.isdigit() else ordinal
    title = _field(citation, "article-title") or _field(citation, "chapter-title")
    source = _field(citation, "source")
    if not title:
        title, source = source, ""
    year = re.search(r"(?:1[5-9]|20)\d\d", _field(citation, "year"))
    fpage, lpage = _field(citation, "fpage"), _field(citation, "lpage")
    pages = f"{fpage}–{lpage}" if fpage and lpage else fpage or _field(citation, "elocation-id")
    pmcid = _pub_id(citation, "pmcid") or _pub_id(citation, "pmc")
    if pmcid and not pmcid.upper().startswith("PMC"):
        pmcid = f"PMC{pmcid}"
    return Reference(
        number=number, raw="", span=Span(0, 0), title=title.rstrip("."), journal=source,
        authors=_citation_authors(citation), year=int(year.group(0)) if year else None,
        volume=_field(citation, "volume"), pages=pages, doi=_pub_id(citation, "doi"),
        pmid=_pub_id(citation, "pmid"), pmcid=pmcid.upper(),
    ), citation


# -- the article ------------------------------------------------------------------------------------------------


def articles(root: ET.Element) -> list[ET.Element]:
    """The ``<article>`` elements of a parsed file: the root itself, or those of a ``<pmc-articleset>``/OAI-PMH."""
    if local_name(root.tag) == "article":
        return [root]
    return [e for e in root.iter() if local_name(e.tag) == "article"]


def _front(article: ET.Element, doc: Document) -> None:
    meta = child(child(article, "front"), "article-meta")
    if meta is None:
        return
    for aid in children(meta, "article-id"):
        kind = (aid.get("pub-id-type") or "").lower()
        if kind == "pmid" and not doc.pmid:
            doc.pmid = text_of(aid)
    for group in children(meta, "contrib-group"):
        for contrib in children(group, "contrib"):
            if contrib.get("contrib-type", "author") != "author":
                continue
            name = child(contrib, "name", "string-name", "collab", "name-alternatives")
            if name is not None and local_name(name.tag) == "name-alternatives":
                name = child(name, "name", "string-name")
            if name is not None:
                doc.authors.append(_name(name, surname_first=False))


def parse_jats(article: ET.Element, doc_id: str, source: str = "") -> Document:
    """Render one ``<article>`` into a ``Document`` (format ``jats``); every span indexes its text exactly."""
    for el in article.iter():
        el.tag = local_name(el.tag)
    doc = Document(id=doc_id, text="", source=source, format="jats")
    _front(article, doc)
    refs: list[tuple[Reference, ET.Element]] = []
    ref_numbers: dict[str, int] = {}
    back = child(article, "back")
    for ref_el in (article.iter("ref") if back is None else back.iter("ref")):
        parsed = reference(ref_el, len(refs) + 1)
        if parsed:
            refs.append(parsed)
            if ref_el.get("id"):
                ref_numbers[ref_el.get("id", "")] = parsed[0].number
    w = _Writer(doc, ref_numbers)
    meta = child(child(article, "front"), "article-meta")
    title_group = child(meta, "title-group")
    title_el = child(title_group, "article-title")
    title = inline(title_el, defer=False) if title_el is not None else Inline()
    subtitle = text_of(child(title_group, "subtitle"))
    if subtitle:
        title.append(Inline(subtitle), ": ")
    if title.text:
        doc.title = title.text
        w.block(title, "title", "")
    for abstract in children(meta, "abstract") if meta is not None else []:
        if (abstract.get("abstract-type") or "").lower() in _SKIPPED_ABSTRACTS:
            continue
        heading = text_of(child(abstract, "title")) or "Abstract"
        start = w.heading(heading)
        w.flow(abstract, heading, "abstract")
        w.section(heading, start)
    for part in children(article, "body", "floats-group"):
        w.flow(part, "")
    for part in (back if back is not None else []):
        if part.tag in ("glossary", "def-list"):
            w.definitions(part, "")
        elif part.tag in ("app-group", "app", "sec"):
            w.flow_one(part, "", "paragraph")
    if refs:
        ref_list = next(back.iter("ref-list"), None) if back is not None else None
        heading = text_of(child(ref_list, "title")) or "References"
        start = w.heading(heading)
        for k, (ref, citation) in enumerate(refs):
            line = f"{ref.number}. {_reference_text(citation, ref)}"
            pos = w.line(line, gap=k == 0)
            doc.references.append(replace(ref, raw=line, span=Span(pos, pos + len(line))))
        w.section(heading, start)
    w.finish()
    if w.unlinked:
        log.warning("%s: %d citation links name no reference of the list", source or doc_id, w.unlinked)
    log.info("%s: %d blocks, %d sections, %d tables, %d references, %d citation markers", doc_id, len(doc.blocks),
             len(doc.sections), len(doc.tables), len(doc.references), len(doc.citations))
    return doc
