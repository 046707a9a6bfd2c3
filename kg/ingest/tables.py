"""Tables that text extraction left one cell per line: a ``Table N`` caption, header cells, then cells separated by
blank lines, in row or column order. PDF converters write study tables this way; the rows are found from the cells
that name a study (``Author, 2009 [25]``, ``Smith et al. (1960)``), and the other cells are given to columns only
where the layout says unambiguously which study they belong to:

* a cell whose lines are all study labels starts a column-major block: each following cell with as many lines is
  one column, line *i* belonging to study *i*;
* when most studies (two or more) are followed by the same number of cells, those rows are read row by row, in
  header order;
* otherwise (cells of several rows interleaved) a study keeps its label, the cell right after it, and a
  sample size when exactly one ``N = 49`` cell lies between it and the next study (read in row order, the cell
  after a label is the second column's).

Tab-separated rows are split here too (``cells``), so ``review.py`` reads them as it reads pipe rows.
"""
from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from kg.document import Span, Table, TableRow

CAPTION = re.compile(r"^Table\s+(\d+)[A-Za-z]?(?![\w.]\d)\b\s*[.:|\-–—]?\s*(.*)$")
_PARTICLE = r"(?:van|von|de|der|del|da|di|le|la|dos|du)"
_SURNAME = rf"(?:{_PARTICLE}\s+)*[A-Z][^\W\d_]*(?:[\-'’][^\W\d_]+)*"
LABEL = re.compile(
    rf"^(?P<author>{_SURNAME})(?:\s+(?:et\s*al\.?|(?:and|&)\s+{_SURNAME}))?\s*,?\s*"
    r"\(?(?P<year>(?:19|20)\d{2})[a-z]?\)?\s*[*†‡]*\s*(?:\[(?P<num>\d+(?:\s*[,–-]\s*\d+)*)\]?)?\s*[*†‡]*$"
)
_SAMPLE = re.compile(r"^[Nn]\s*=\s*\d[\d,]*\b")
_SIZE_HEADERS = ("sample", "participant", "patient", "number", "subjects")
_PROSE_LINE = 45  # a line this long with 6+ words is running text, not a cell
_MAX_LINES = 2000  # a table region never runs longer (the rest of the document is not one table)


class _LineLike(Protocol):
    start: int
    end: int
    text: str


def cells(text: str, start: int, delimiter: str) -> list[tuple[str, Span]]:
    """Cells of a delimited line with exact spans (``text`` is the line as in the document from ``start``)."""
    out, pos = [], start
    for piece in text.split(delimiter):
        lead = len(piece) - len(piece.lstrip())
        out.append((piece.strip(), Span(pos + lead, pos + lead + len(piece.strip()))))
        pos += len(piece) + 1
    return out


class _Cell:
    """Consecutive non-blank lines between blank lines: one table cell (or one column block)."""

    def __init__(self, lines: list[_LineLike]) -> None:
        self.lines = lines

    @property
    def text(self) -> str:
        return join(ln.text for ln in self.lines)

    @property
    def span(self) -> Span:
        return Span(self.lines[0].start, self.lines[-1].end)


def join(parts: Iterable[str]) -> str:
    """Lines of one cell as one string: a word broken by a hyphen at a line end is rejoined."""
    out = ""
    for part in parts:
        part = part.strip()
        if out.endswith("-") and part[:1].islower():
            out = out[:-1] + part
        else:
            out = f"{out} {part}" if out else part
    return out


def _is_prose(line: str) -> bool:
    return len(line) >= _PROSE_LINE and len(line.split()) >= 6


def _region(lines: Sequence[_LineLike], k: int, excluded: set[int]) -> list[int]:
    """Line indexes of the table captioned at line ``k``: up to running text, another caption or a pipe table."""
    number = CAPTION.match(lines[k].text).group(1)  # type: ignore[union-attr]
    out: list[int] = []
    prose = 0
    for j in range(k + 1, min(len(lines), k + _MAX_LINES)):
        text = lines[j].text
        if j in excluded or not text:
            continue
        m = CAPTION.match(text)
        if m and m.group(1) != number or text.startswith(("Figure", "Fig.")) or text.count("|") >= 2:
            break
        if m:  # "Table 1. Continued": the same table goes on
            continue
        prose = prose + 1 if _is_prose(text) else 0
        if prose >= 3:
            out = out[:-2]
            break
        if len(text) > 1:  # single characters are rotated running heads or page numbers
            out.append(j)
    return out


def _cells_of(lines: Sequence[_LineLike], region: list[int]) -> list[_Cell]:
    groups: list[list[_LineLike]] = []
    prev = -2
    for j in region:
        blank_between = any(not lines[i].text for i in range(prev + 1, j)) if prev >= 0 else True
        if blank_between or not groups:
            groups.append([])
        groups[-1].append(lines[j])
        prev = j
    return [_Cell(g) for g in groups]


def _label(text: str) -> re.Match | None:
    return LABEL.match(text.strip())


def _labels(cells_: list[_Cell], i: int) -> tuple[int, str, Span] | None:
    """A study label starting at cell ``i``, possibly broken over up to three cells ("Million, 2013" / "[26]");
    returns how many cells it takes, its text and span (the longest reading wins)."""
    best = None
    for n in (1, 2, 3):
        if i + n > len(cells_):
            break
        parts = cells_[i:i + n]
        if n > 1 and any(len(c.lines) > 2 for c in parts):
            break
        text = join(c.text for c in parts)
        if _label(text):
            best = (n, text, Span(parts[0].span.start, parts[-1].span.end))
    return best


def _block(cell: _Cell) -> list[tuple[str, Span]] | None:
    """The labels of a column-major block: a cell of two or more lines that all name studies."""
    if len(cell.lines) >= 2 and all(_label(ln.text) for ln in cell.lines):
        return [(ln.text.strip(), Span(ln.start, ln.end)) for ln in cell.lines]
    return None


def linearised_tables(lines: Sequence[_LineLike], excluded: set[int], taken: list[Span],
                      heads: set[int] = frozenset()) -> list[Table]:  # type: ignore[assignment]
    """Tables written one cell per line after a ``Table N`` caption (none where a table was already read).
    ``heads`` are lines repeated on every page: header cells when they come before the first study, else dropped."""
    out: list[Table] = []
    taken = sorted(taken, key=lambda s: s.start)
    starts = [s.start for s in taken]
    reach = list(itertools.accumulate((s.end for s in taken), max))  # the furthest end of the spans so far
    head_starts = {lines[j].start for j in heads}

    def in_taken(offset: int) -> bool:
        i = bisect.bisect_right(starts, offset) - 1
        return i >= 0 and reach[i] > offset

    k = 0
    while k < len(lines):
        if k in excluded or not CAPTION.match(lines[k].text) or in_taken(lines[k].start):
            k += 1
            continue
        region = _region(lines, k, excluded)
        span = Span(lines[k].start, lines[region[-1]].end) if region else None
        table = _decode(_cells_of(lines, region), head_starts, span)
        if table is not None:
            out.append(table)
        k = (region[-1] + 1) if region else k + 1
    return out


def _decode(cells_: list[_Cell], heads: set[int], span: Span | None) -> Table | None:
    """Header cells up to the first study label, then rows by the rules of the module docstring."""
    if span is None:
        return None
    first = next((i for i, c in enumerate(cells_) if _labels(cells_, i) or _block(c)), None)
    if first is None or first == 0:
        return None
    header = tuple(dict.fromkeys(c.text for c in cells_[:first]))
    body = [c for c in cells_[first:]
            if c.text not in header and not all(ln.start in heads for ln in c.lines)]
    rows: list[list[tuple[str, str, Span]]] = []
    i = 0
    pending: list[tuple[int, int]] = []  # (row index, cell index after its label) of rows read row by row
    while i < len(body):
        block = _block(body[i])
        if block:
            i = _column_block(body, i, block, header, rows)
            continue
        found = _labels(body, i)
        if found:
            n, text, lspan = found
            rows.append([(header[0], text, lspan)])
            pending.append((len(rows) - 1, i + n))
            i += n
            continue
        i += 1
    _fill_rows(body, pending, header, rows)
    if not rows:
        return None
    table_rows = tuple(
        TableRow(cells=tuple((h, t) for h, t, _ in r), cell_spans=tuple((h, s) for h, _, s in r),
                 span=Span(min(s.start for _, _, s in r), max(s.end for _, _, s in r)))
        for r in rows
    )
    return Table(header, table_rows, span)


def _column_block(body: list[_Cell], i: int, block: list[tuple[str, Span]], header: tuple[str, ...],
                  rows: list[list[tuple[str, str, Span]]]) -> int:
    """Rows of a column-major block starting at cell ``i``; returns the index of the first cell after it."""
    start = len(rows)
    rows.extend([[(header[0], text, span)] for text, span in block])
    j, column = i + 1, 1
    while j < len(body) and column < len(header) and len(body[j].lines) == len(block):
        for r, ln in enumerate(body[j].lines):
            rows[start + r].append((header[column], ln.text.strip(), Span(ln.start, ln.end)))
        j, column = j + 1, column + 1
    return j


def _fill_rows(body: list[_Cell], pending: list[tuple[int, int]], header: tuple[str, ...],
               rows: list[list[tuple[str, str, Span]]]) -> None:
    """Cells after each row-by-row label up to the next label: in header order when the layout is unambiguous,
    else only the design cell right after the label and a lone sample-size cell."""
    starts = [c for _, c in pending]
    label_cells = {j for j in range(len(body)) if _labels(body, j) or _block(body[j])}
    spans: list[list[_Cell]] = []
    for n, (_, c) in enumerate(pending):
        end = starts[n + 1] if n + 1 < len(starts) else len(body)
        run = []
        for j in range(c, end):
            if j in label_cells:
                break
            run.append(body[j])
        spans.append(run)
    counts = [len(r) for r in spans]
    mode = max(set(counts), key=counts.count) if counts else 0
    regular = counts.count(mode) >= 2 and counts.count(mode) * 2 >= len(counts) and 0 < mode < len(header)
    for n, (row, _) in enumerate(pending):
        run = spans[n]
        if regular and len(run) == mode:  # most rows have the same cells: row order, read in header order
            rows[row].extend((h, c.text, c.span) for h, c in zip(header[1:], run))
            continue
        if run and len(header) > 1:  # read in row order, the cell after the label is the second column's
            rows[row].append((header[1], run[0].text, run[0].span))
        sizes = [c for c in run[1:] if _SAMPLE.match(c.text)]
        size_header = next((h for h in header[2:] if any(w in h.lower() for w in _SIZE_HEADERS)), None)
        if len(sizes) == 1 and size_header:
            rows[row].append((size_header, sizes[0].text, sizes[0].span))
