"""Two-column pages that PDF extraction left interleaved, one line of each column in turn, put back in column order.

pdfminer orders a two-column page's lines by height when each line is its own text box, so the output reads
"line 1 of the left column / line 1 of the right column / line 2 of the left column ..." with blank lines between.
A reader follows each column by sense: "condi-" goes on with "tion", "(Chamberlain" with "et al., 2005", a
sentence that has not ended goes on with a lower-case word. :func:`column_order` scores, for every run of one-line
boxes between page furniture, the best split of the run into two columns (a dynamic programme over "which column
does this line continue"), and where two columns read far better than one, moves each column's lines together: the
first column's lines, then the second's, every line kept whole with the blank lines between. The reordered text
has the same length and characters as the source, and ``moves`` maps every moved line back to its source offset.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kg.ingest.zones import Line, page_furniture

__all__ = ["Move", "column_order"]

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_HYPHEN_END = re.compile(r"[^\W\d_][-‐]$")
_ABBREVIATION_END = re.compile(r"(?:\bet al|\be\.g|\bi\.e|\bvs|\bcf|\bDr|\bFig|\bapprox)\.$")
MIN_RUN = 8  # boxes a run needs before two columns are considered
CHANGE = 0.8  # cost of changing between alternating columns and one column
START = 1.5  # cost of opening the second column
GAIN = 0.35  # least gain per box of two columns over one, so ordinary text is never reordered
WINDOW = 6  # how many boxes back the other column's last line may be


@dataclass(frozen=True)
class Move:
    """The line now at ``[start, start + length)`` of the reordered text was at ``source`` in the source."""

    start: int
    source: int
    length: int


@dataclass
class _Box:
    start: int
    end: int
    text: str


def _one_line_boxes(text: str, lines: Sequence[Line], furniture: dict[int, str] | None = None
                    ) -> list[list[_Box]]:
    """Runs of one-line boxes (a non-blank line between blank lines), broken by page furniture and by boxes of
    several lines (front matter, footers, reference entries)."""
    furniture = page_furniture(lines) if furniture is None else furniture
    runs: list[list[_Box]] = [[]]
    k = 0
    while k < len(lines):
        if lines[k].blank:
            k += 1
            continue
        j = k
        while j + 1 < len(lines) and not lines[j + 1].blank:
            j += 1
        if j == k and k not in furniture:
            runs[-1].append(_Box(lines[k].start, lines[k].end, lines[k].text))
        elif runs[-1]:
            runs.append([])
        k = j + 1
    return [r for r in runs if len(r) >= MIN_RUN]


class _Model:
    """How well one line goes on from another, from the document's own words and word pairs."""

    def __init__(self, text: str) -> None:
        self.words: Counter[str] = Counter()
        self.pairs: Counter[tuple[str, str]] = Counter()
        self._last: dict[str, str] = {}  # a line's last word, lower case ("" for none)
        for line in text.split("\n"):
            tokens = [w.lower() for w in _WORD.findall(line)]
            if tokens:
                self.words.update(tokens)
                if len(tokens) > 1:
                    self.pairs.update(zip(tokens, tokens[1:]))

    def _last_word(self, line: str) -> str:
        word = self._last.get(line)
        if word is None:
            found = _WORD.findall(line)
            word = self._last[line] = found[-1].lower() if found else ""
        return word

    def score(self, a: str, b: str) -> float:
        """How much ``b`` reads as the line after ``a`` in the same column (negative: it does not)."""
        first = b[:1]
        lower = first.islower()
        if _HYPHEN_END.search(a[-2:]):  # the pattern spans the last two characters
            tail = _WORD.findall(a[:-1])[-1:] or [""]
            head = _WORD.match(b)
            if lower and head:
                joined = (tail[0] + head.group()).lower()
                return 3.0 if self.words[joined] else -1.0
            return 0.0 if first.isupper() else -1.5
        ended = a[-1:] in ".!?" or a.endswith((".)", ".”", '."')) and not _ABBREVIATION_END.search(a)
        if ended:
            return -2.0 if lower else 0.5
        left, right = self._last_word(a), _WORD.search(b)
        pair = self.pairs[(left, right.group().lower())] if left and right else 0
        cont = 0.3 if (lower or first.isdigit() or first in "(,;)–—-") else -1.0
        return cont + (min(2.0, 0.6 * math.log2(1 + pair)) if pair else -0.5)


def _split(run: list[_Box], model: _Model) -> tuple[float, list[int]]:
    """Best score of reading ``run`` as two interleaved columns, and the column (0/1) of each box.

    A state is (the other column's last box, or -1 before it starts; whether the last box switched column):
    keeping to a pattern (alternating, or one column) is free, changing it costs :data:`CHANGE`."""
    n = len(run)
    link: dict[tuple[int, int], float] = {}

    def score(a: int, b: int) -> float:
        if (a, b) not in link:
            link[(a, b)] = model.score(run[a].text, run[b].text)
        return link[(a, b)]

    State = tuple[int, bool]
    states: dict[State, float] = {(-1, True): 0.0}
    back: list[dict[State, tuple[State, bool]]] = [{}]
    for k in range(1, n):
        nxt: dict[State, float] = {}
        came: dict[State, tuple[State, bool]] = {}
        for state, value in states.items():
            other, switched_last = state
            stay = other if other >= 0 and k - other <= WINDOW else -1
            options = [((stay, False), value + score(k - 1, k) - (CHANGE if switched_last else 0.0), False)]
            gain = score(other, k) if other >= 0 else -START
            options.append(((k - 1, True), value + gain - (0.0 if switched_last else CHANGE), True))
            for key, total, switched in options:
                if total > nxt.get(key, -math.inf):
                    nxt[key], came[key] = total, (state, switched)
        states = nxt
        back.append(came)
    state = max(states, key=lambda s: states[s])
    best = states[state]
    flips = []
    for k in range(n - 1, 0, -1):
        state, switched = back[k][state]
        flips.append(switched)
    columns = [0] * n
    for k, switched in zip(range(1, n), reversed(flips)):
        columns[k] = 1 - columns[k - 1] if switched else columns[k - 1]
    return best, columns


def column_order(text: str, lines: Sequence[Line], furniture: dict[int, str] | None = None
                 ) -> tuple[str, list[Move]]:
    """``text`` with interleaved two-column runs put in column order, and the lines moved (empty: unchanged);
    ``furniture``: the lines' :func:`~kg.ingest.zones.page_furniture`, when the caller has it already."""
    runs = _one_line_boxes(text, lines, furniture)
    if not runs:
        return text, []
    model = _Model(text)
    pieces: list[str] = []
    moves: list[Move] = []
    last = 0
    out_len = 0
    for run in runs:
        single = sum(model.score(a.text, b.text) for a, b in zip(run, run[1:]))
        best, columns = _split(run, model)
        if best - single < GAIN * len(run) or len(set(columns)) < 2:
            continue
        order = [b for c in (columns[0], 1 - columns[0]) for b, col in zip(run, columns) if col == c]
        pieces.append(text[last:run[0].start])
        out_len += run[0].start - last
        slots = [(a.end, b.start) for a, b in zip(run, run[1:])]
        for i, box in enumerate(order):
            moves.append(Move(out_len, box.start, len(box.text)))
            pieces.append(box.text)
            out_len += len(box.text)
            if i < len(slots):
                gap = text[slots[i][0]:slots[i][1]]
                pieces.append(gap)
                out_len += len(gap)
        last = run[-1].end
    if not moves:
        return text, []
    pieces.append(text[last:])
    return "".join(pieces), moves
