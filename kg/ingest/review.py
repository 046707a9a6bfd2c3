"""Plain-text reviews: title, author line, headed sections, paragraphs, captions, tables, references.

The layout rules are generic (no heading names are listed):

* the first non-empty line is the title; the next one is the author line if it reads as a list of names;
* a *heading* is a short line (at most 10 words, 80 characters) that starts with a capital or a digit and has
  no terminal punctuation, with more text after it; in Markdown (three or more ``#`` headings, as OCR tools write
  them) the ``#`` lines are the headings and no other, and the first top-level one before the abstract is the
  title (the lines above it are the journal's masthead);
* consecutive lines of two or more ``|`` (or of three or more tab-separated cells) form a table (first row =
  header); a row whose text before its first pipe is not a cell (other rows start with ``|``) has a junk prefix,
  such as a glued "Figure 1", dropped; a table left one cell per line after a ``Table N`` caption is read by
  ``tables.py``;
* a run of lines numbered 1, 2, 3... (``- 1Title...``, ``1. Author...``, ``[1] ...``) is the reference list;
* ``Figure 2. ...`` / ``Table 1: ...`` lines, and lines carrying an abbreviation glossary
  (``AMPA: ...; BDNF: ...``), are captions; a caption glued to its glossary is split into separate blocks;
* other lines are paragraphs. A line that does not end a sentence continues onto the next line (hard-wrapped
  text); lines starting with a bullet are list items. Where blank lines separate every line (PDF text with each
  line its own box), a line goes on across one blank line, and a full-width line keeps its paragraph open;
  interleaved two-column pages are first put back in column order (``columns.py``, ``Document.moved``).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from kg.document import Block, Document, Section, Span, Table, TableRow
from kg.ingest.citations import reference_list, review_citations, zone_spans
from kg.ingest.columns import column_order
from kg.ingest.references import find_citations
from kg.ingest.tables import cells, linearised_tables
from kg.ingest.zones import Entry, matter, numbered_runs, page_furniture, reference_entries

log = logging.getLogger(__name__)

_TERMINAL = ".!?,;:"
_FUNCTION_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}
_SENTENCE_END = ".!?:;…\"”’)]"
_BULLET = re.compile(r"^[-•*▪◦–]\s+")
_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S.*?)[ \t]*#*[ \t]*$")  # a Markdown heading: "## 2. Methods"
_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.I)  # OCR Markdown's line break inside a heading
_MARKDOWN_HEADINGS = 3
_WORD3 = re.compile(r"[^\W\d_]{3,}")
_NUMBER_LINE = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")
_COUNT = re.compile(r"\(\s*n\s*=\s*\d", re.I)
ABSTRACT_WORDS = 400  # abstracts are held to 250-350 words; a longer run under "Abstract" has run into the body
_CAPTION_LABEL = re.compile(r"^(?:Supplementary\s+)?(?:Figure|Fig\.|Table|Box|Scheme)\s*S?\d+[A-Za-z]?\s*[.:|\-–—]")
_GLOSSARY_KEY = re.compile(r"([A-Z][A-Z0-9][A-Za-z0-9\-]{0,10}):\s")
_GLUE = re.compile(r"(?<=[a-z)])(?=[A-Z][a-z]{2,})")
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'’\-]*\.?|van|von|de|der|di|da|del|la|le)$")


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str  # stripped

    @property
    def blank(self) -> bool:
        return not self.text


def _lines(text: str) -> list[_Line]:
    """Lines with the offsets of their content, leading/trailing whitespace excluded."""
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = raw.find(stripped[0]) if stripped else len(raw)  # what precedes the first such character is space
        out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def _is_table_row(line: str) -> bool:
    return line.count("|") >= 2 or line.count("\t") >= 1 and len(line.split("\t")) >= 3


def _delimiter(line: str) -> str:
    return "|" if line.count("|") >= 2 else "\t"


def _is_heading(line: str) -> bool:
    """A heading names something: it has a word of three letters or more ("2", "D", "1 3" are page numbers,
    section numbers and rotated table text a PDF leaves on lines of their own) and is no flow-chart box of counts
    ("Embase (n = 586)")."""
    return (
        0 < len(line) <= 80 and len(line.split()) <= 10 and line[-1] not in _TERMINAL
        and line.split()[-1].lower() not in _FUNCTION_WORDS
        and (line[0].isupper() or line[0].isdigit()) and "|" not in line
        and _WORD3.search(line) is not None and not _COUNT.search(line)
        and not _BULLET.match(line) and not find_citations(line)
    )


def _shouted(text: str) -> bool:
    """A line in capitals ("METHODS", "RESULTS AND DISCUSSION") is a heading even where the text around it reads
    on: a two-column page can put one between the lines of the other column's open sentence."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and len(text.split()) <= 5


def _atx_text(line: _Line) -> Span | None:
    """The span of a Markdown heading's text (without its ``#`` marks, and of an OCR ``<br>``-split heading the
    longest part: "Review <br> The G Protein-Coupled ..."), or ``None`` when ``line`` is no such heading."""
    match = _ATX_HEADING.match(line.text)
    if match is None:
        return None
    lo, hi = match.span(2)
    parts, at = [], lo
    for brk in _BREAK.finditer(line.text, lo, hi):
        parts.append((at, brk.start()))
        at = brk.end()
    parts.append((at, hi))
    a, b = max(parts, key=lambda ab: ab[1] - ab[0])
    return Span(line.start + a, line.start + b) if b > a else None


def _markdown_title(lines: list[_Line], content: list[int]) -> int | None:
    """The line of a Markdown document's title: its first top-level heading above the abstract or introduction."""
    from kg.ingest.zones import is_body_heading

    for k in content:
        match = _ATX_HEADING.match(lines[k].text)
        if match is None:
            continue
        if is_body_heading(match.group(2)):
            return None
        if len(match.group(1)) == 1:
            return k
    return None


def _wrapped(lines: list[_Line], k: int, open_paragraph: bool, previous: int | None = None) -> bool:
    """True when line ``k`` is as long as an adjacent prose line, i.e. part of hard-wrapped text, not a heading
    (``previous``: the line before it, when blank lines separate every line)."""
    size = len(lines[k].text)
    before = lines[k - 1 if previous is None else previous].text if k > 0 else ""
    if open_paragraph and k > 0 and size >= 0.6 * len(before):
        return True
    nxt = lines[k + 1] if k + 1 < len(lines) else None
    return bool(nxt and not nxt.blank and not _is_heading(nxt.text) and size >= 0.6 * len(nxt.text))


def _one_line_boxes(lines: list[_Line], content: list[int]) -> bool:
    """True when blank lines separate most lines (each line its own text box, as pdfminer leaves some PDFs)."""
    single = sum(1 for k in content if (k == 0 or lines[k - 1].blank) and (k + 1 >= len(lines) or lines[k + 1].blank))
    return len(content) >= 20 and single >= 0.4 * len(content)


def _prose_width(lines: list[_Line], content: list[int]) -> int:
    """The width of a full line of running text: the 75th percentile of line lengths of 40 characters or more."""
    sizes = sorted(len(lines[k].text) for k in content if len(lines[k].text) >= 40)
    return sizes[3 * len(sizes) // 4] if sizes else 80


def looks_like_authors(line: str) -> bool:
    """True for ``Ann Smith, Bo R Lee`` / ``A. Smith and B. Lee``: two or more names, or one name with initials."""
    if not line or len(line) > 400 or line[-1] in ".!?:" or "|" in line:
        return False
    names = [n.strip() for n in re.split(r",|;|&|\band\b", line) if n.strip()]
    if not names:
        return False
    for name in names:
        tokens = [t.rstrip("0-9*†‡") for t in name.split()]
        if not 2 <= len(tokens) <= 5 or not all(_NAME_TOKEN.match(t) for t in tokens if t):
            return False
    return len(names) >= 2 or any(len(t.rstrip(".")) == 1 for t in names[0].split())


def _cells(line: _Line, leading_pipes: bool) -> list[tuple[str, Span]]:
    """Cells of a pipe-delimited row with exact spans; a junk prefix before the first pipe is dropped."""
    if _delimiter(line.text) == "\t":
        return cells(line.text, line.start, "\t")
    pieces = cells(line.text, line.start, "|")
    if line.text.startswith("|") or leading_pipes:
        if pieces[0][0]:
            log.info("dropped %r before the first pipe of a table row (a glued label, not a cell)", pieces[0][0])
        pieces = pieces[1:]
    if line.text.endswith("|"):
        pieces = pieces[:-1]
    return pieces


def _table(rows: list[_Line], section: str, blocks: list[Block]) -> Table | None:
    rows = [r for r in rows if not re.fullmatch(r"[|\s:\-–]+", r.text)]
    if len(rows) < 2:
        return None
    # A row "has leading pipes" when most rows start with one; then text before the first pipe is not a cell.
    leading = sum(r.text.startswith("|") for r in rows) * 2 >= len(rows)
    header_cells = _cells(rows[0], leading)
    header = tuple(text or f"column {k + 1}" for k, (text, _) in enumerate(header_cells))
    table_rows = []
    for row in rows[1:]:
        cells = _cells(row, leading)
        names = [header[k] if k < len(header) else f"column {k + 1}" for k in range(len(cells))]
        kept = [(name, text, span) for name, (text, span) in zip(names, cells) if text]
        blocks.extend(Block(span, "table_cell", section) for _, _, span in kept)
        table_rows.append(TableRow(
            cells=tuple((n, t) for n, t, _ in kept), cell_spans=tuple((n, s) for n, _, s in kept),
            span=Span(row.start, row.end),
        ))
    return Table(header, tuple(table_rows), Span(rows[0].start, rows[-1].end))


def _caption_parts(line: _Line) -> list[Span] | None:
    """Spans of a caption line (lead text / glossary / trailing credit), or ``None`` if it is no caption."""
    keys = list(_GLOSSARY_KEY.finditer(line.text))
    if len(keys) < 2:
        return [Span(line.start, line.end)] if _CAPTION_LABEL.match(line.text) else None
    g_start = keys[0].start()
    glue = _GLUE.search(line.text, keys[-1].end())
    g_end = glue.start() if glue else len(line.text)
    parts = []
    for a, b in ((0, g_start), (g_start, g_end), (g_end, len(line.text))):
        seg = line.text[a:b]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            parts.append(Span(line.start + a + lead, line.start + a + lead + len(seg.strip())))
    return parts


def parse_review(text: str, doc_id: str, source: str = "") -> Document:
    """Find the structure of a plain-text review; every span indexes ``text`` exactly."""
    lines = _lines(text)
    furniture = page_furniture(lines)
    text, moves = column_order(text, lines, furniture)
    if moves:
        lines = _lines(text)
        furniture = page_furniture(lines)
        log.info("%s: %d lines of interleaved two-column pages put back in column order", doc_id, len(moves))
    content = [k for k, ln in enumerate(lines) if not ln.blank]
    doc = Document(id=doc_id, text=text, source=source, format="review",
                   moved=tuple((m.start, m.source, m.length) for m in moves))
    if not content:
        return doc
    markdown = sum(1 for k in content if _ATX_HEADING.match(lines[k].text)) >= _MARKDOWN_HEADINGS
    first = (_markdown_title(lines, content) if markdown else None)
    first = content[0] if first is None else first
    title_line = lines[first]
    title = (_atx_text(title_line) if markdown else None) or Span(title_line.start, title_line.end)
    doc.title = text[title.start:title.end]
    doc.blocks.append(Block(title, "title"))
    used = set(content[:content.index(first) + 1]) if markdown else {first}
    after = content.index(first) + 1
    if after < len(content) and looks_like_authors(lines[content[after]].text):
        doc.authors = [n.strip() for n in re.split(r",|;|&|\band\b", lines[content[after]].text) if n.strip()]
        used.add(content[after])

    entries = reference_entries(lines, furniture)
    if not entries:  # no "References" heading: a run of numbered reference lines, one entry a line
        entries = [Entry(number, [k], offset) for k, (number, offset) in sorted(numbered_runs(lines).items())]
    references = {k for e in entries for k in e.lines}
    if entries:
        references |= {k for k in range(entries[0].lines[0], entries[-1].lines[-1] + 1)
                       if not lines[k].blank and k not in furniture}
    skipped = {**furniture, **matter(lines, {**furniture, **dict.fromkeys(references, "references")})}
    doc.references = reference_list(text, lines, entries)
    section, heading_end, open_paragraph, abstract_words = "", 0, False, 0
    body_start: int | None = None
    last_body_end = 0
    table_rows: list[_Line] = []

    def close_section() -> None:
        if section:
            span = Span(body_start, last_body_end) if body_start is not None else Span(heading_end, heading_end)
            doc.sections.append(Section(section, span))

    def flush_table() -> None:
        nonlocal table_rows
        if table_rows:
            table = _table(table_rows, section, doc.blocks)
            if table:
                doc.tables.append(table)
            table_rows = []

    width = _prose_width(lines, content)
    boxed = width <= 120 and _one_line_boxes(lines, content)  # PDF lines, not Markdown paragraphs
    for pos, k in enumerate(content):
        if k in used:
            continue
        line = lines[k]
        # the line before, when blank lines separate every line ("boxed" PDF text) and only one is between
        previous = content[pos - 1] if boxed and pos and k - content[pos - 1] == 2 \
            and len(lines[content[pos - 1]].text) >= 0.6 * width else k - 1
        if k in skipped or k in references:
            continue
        if _is_table_row(line.text):
            body_start = line.start if body_start is None else body_start
            table_rows.append(line)
            open_paragraph = False
            last_body_end = line.end
            continue
        flush_table()
        if _NUMBER_LINE.match(line.text):
            continue  # a section number ("2", "2.1") or stray page number on its own line: its heading follows
        heading = _atx_text(line) if markdown else None
        if heading is not None:
            close_section()
            section, heading_end, body_start, open_paragraph = text[heading.start:heading.end], line.end, None, False
            continue
        caption = _caption_parts(line)
        if not markdown and not caption and pos + 1 < len(content) and _is_heading(line.text) \
                and (_shouted(line.text) or not _wrapped(lines, k, open_paragraph, previous)) \
                and not (boxed and (len(line.text) >= 0.8 * width or line.text[-1] in "-‐")):
            flush_table()
            close_section()
            section, heading_end, body_start, open_paragraph = line.text, line.end, None, False
            continue
        if body_start is None:
            body_start = line.start
        if caption:
            doc.blocks.extend(Block(span, "caption", section) for span in caption)
            open_paragraph = False
        elif bullet := _BULLET.match(line.text):
            cut = bullet.end()
            doc.blocks.append(Block(Span(line.start + cut, line.end), "list_item", section))
            open_paragraph = False
        elif open_paragraph and lines[previous].end == doc.blocks[-1].span.end and not lines[previous].blank:
            prev = doc.blocks.pop()
            doc.blocks.append(Block(Span(prev.span.start, line.end), prev.kind, prev.section))
            abstract_words += len(line.text.split()) if prev.kind == "abstract" else 0
        else:
            # an abstract is a few hundred words: the text after that under its heading is the body whose own
            # heading OCR lost ("Tumors of the head and neck region ..." after the abstract's "Conclusions:")
            in_abstract = section.lower().rstrip(":") == "abstract" and abstract_words < ABSTRACT_WORDS
            kind = "abstract" if in_abstract else "paragraph"
            abstract_words += len(line.text.split()) if in_abstract else 0
            doc.blocks.append(Block(Span(line.start, line.end), kind, section))
        open_paragraph = doc.blocks[-1].kind in ("paragraph", "abstract") and (
            line.text[-1] not in _SENTENCE_END or boxed and len(line.text) >= 0.9 * width)
        last_body_end = line.end
    flush_table()
    close_section()
    heads = {k for k, kind in skipped.items() if kind == "running_head"}  # a table's header repeats on each page
    doc.tables += linearised_tables(lines, (set(skipped) - heads) | references, [t.span for t in doc.tables], heads)

    doc.zones = zone_spans(lines, skipped, references, doc)
    doc.citations = review_citations(doc)
    linked = sum(c.linked for c in doc.citations)
    log.info("%s: %d blocks, %d sections, %d tables, %d references, %d citation markers (%d linked, %d unmatched)",
             doc_id, len(doc.blocks), len(doc.sections), len(doc.tables), len(doc.references), len(doc.citations),
             linked, len(doc.citations) - linked)
    return doc


def read_review(path_or_text: str | Path, doc_id: str | None = None) -> Document:
    """Read a review from a path, or parse it from text.

    A ``str`` is a path when it names an existing file, or when it is one word that looks like a file name
    ("reviews/x.txt", so a mistyped path is reported as missing); any other string, e.g. one sentence such as
    "5 mg/kg ketamine", is text."""
    from kg.ingest.reader import read_text, slug

    is_path = isinstance(path_or_text, Path) or (
        "\n" not in path_or_text and len(path_or_text) < 1024
        and (Path(path_or_text).exists() or _looks_like_file_name(path_or_text))
    )
    if is_path:
        path = Path(path_or_text)
        return parse_review(read_text(path), doc_id=doc_id or slug(path.stem), source=str(path))
    text = str(path_or_text)
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return parse_review(text, doc_id=doc_id or slug(" ".join(first.split()[:8])), source="")


def _looks_like_file_name(text: str) -> bool:
    return bool(text) and not any(c.isspace() for c in text) and (
        "/" in text or Path(text).suffix.lower() in (".txt", ".md"))
