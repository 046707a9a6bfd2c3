"""The text as a reader reads it: PDF and OCR artefacts undone, with a map back to every source character.

Text extracted from PDFs and OCR carries hyphenated line breaks ("treatment-\\nresistant", "Met-\\nformin"),
line-broken and doubled spaces ("nucleus  accumbens"), ligatures (ﬁ), soft hyphens, zero-width characters,
``(cid:N)`` glyph codes, ``<br>`` in Markdown table cells and LaTeX fragments (``H_{2}O_{2}``, ``$\\beta$-arrestin``,
``ER $\\alpha$``). :func:`read` returns a :class:`Reading`: the normalised text, and for each of its characters
the span of source characters it stands for, so that an entity found in the reading maps back to the exact
source characters (quotes keep matching ``Document.text``). Text with none of these artefacts reads as itself.

Line-end hyphens are decided by a rule, in order: the hyphen stays when the part after it starts with a capital
or digit ("IL-\\n6", "Meta-\\nAnalyses"); else the document decides when it writes the word elsewhere joined or
hyphenated ("dis-\\norder" and "disorder"; "obsessive-\\ncompulsive" and "obsessive-compulsive"); else the
vocabulary when it names the joined word ("Met-\\nformin" -> "Metformin"); else the hyphen stays when both parts
are words the document uses on their own ("attention-\\ndeficit"), and the word is joined when they are not
("his-\\ntamine"): typesetters break words at syllables, authors join words with hyphens.
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.vocabulary.normalise import GREEK_NAMES

__all__ = ["Reading", "read", "document_words"]


@dataclass(frozen=True)
class Reading:
    """A normalised ``text`` of ``source``; reading character ``i`` stands for ``source[starts[i]:ends[i]]``.

    Both maps are non-decreasing; an unchanged character maps to itself. ``starts`` and ``ends`` are empty
    when the reading is the source itself (:attr:`identity`).
    """

    text: str
    source: str
    starts: array = field(default_factory=lambda: array("l"))
    ends: array = field(default_factory=lambda: array("l"))

    @property
    def identity(self) -> bool:
        """True when the reading is the source, character for character."""
        return not self.starts and self.text == self.source

    @property
    def to_source(self) -> array:
        """The source index of each reading character (the first one it stands for)."""
        return self.starts if self.starts else array("l", range(len(self.text)))

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The source span ``[s, e)`` of the reading span ``[start, end)``."""
        if self.identity:
            return start, end
        if start >= end or not self.starts:
            at = self.starts[start] if start < len(self.starts) else len(self.source)
            return at, at
        return self.starts[start], self.ends[end - 1]

    def reading_offset(self, source_offset: int) -> int:
        """The reading index of the first reading character whose source ends after ``source_offset``."""
        if self.identity:
            return source_offset
        return bisect_right(self.ends, source_offset)


_GREEK = {name: letter for letter, name in GREEK_NAMES.items() if letter not in "ϕϵϑ"}
_GREEK.update({"varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
               "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"})
_GREEK_LETTERS = frozenset(_GREEK.values())
_SYMBOLS = {
    "prime": "′", "pm": "±", "mp": "∓", "times": "×", "cdot": "·", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
    "sim": "~", "approx": "≈", "rightarrow": "→", "to": "→", "leftarrow": "←", "uparrow": "↑",
    "downarrow": "↓", "dagger": "†", "ddagger": "‡", "S": "§", "circledR": "®", "degree": "°", "circ": "°",
    "infty": "∞", "neq": "≠", "ne": "≠", "ll": "≪", "gg": "≫", "bullet": "•", "star": "*", "ast": "*",
    "%": "%", "#": "#", "&": "&", "_": "_", "{": "{", "}": "}", "$": "$", "textasciitilde": "~",
    ",": " ", ";": " ", ":": " ", " ": " ", "quad": " ", "qquad": " ",
}
# Commands whose argument is text: their braces go, their content stays (with its spaces for \text).
_TEXT_COMMANDS = frozenset({"text", "textrm", "textit", "textbf", "textsf", "texttt", "mbox"})
_FONT_COMMANDS = frozenset({"mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "mathbb", "boldsymbol",
                            "operatorname", "bm", "rm", "mathnormal"})
_DROPPED = frozenset({"left", "right", "big", "Big", "bigl", "bigr", "displaystyle", "textstyle", "limits"})
# A superscript that only marks a footnote or citation ("cancer$^{5}$", "${ }^{a}$", "$^{3,4,\\ddagger}$").
_FOOTNOTE_RE = re.compile(r"[0-9,\-–\s†‡§*¶#]+|[a-z]")
_LATEX_TOKEN_RE = re.compile(r"\\([A-Za-z]+)\*?|\\(.)|([{}])|([_^])|(\s+)|(~)|(.)", re.S)


class _Out:
    """Reading pieces as (text, source start, source end); a piece's characters all stand for its span."""

    def __init__(self) -> None:
        self.pieces: list[tuple[str, int, int]] = []

    def add(self, text: str, start: int, end: int) -> None:
        if text:
            self.pieces.append((text, start, end))

    def last_char(self) -> str:
        return self.pieces[-1][0][-1] if self.pieces else ""

    def text(self) -> str:
        return "".join(p[0] for p in self.pieces)


def _group_end(src: str, i: int, j: int) -> int:
    """The index after the ``}`` closing the ``{`` at ``i`` (or ``j`` when it never closes)."""
    depth = 0
    for k in range(i, j):
        if src[k] == "{" and (k == 0 or src[k - 1] != "\\"):
            depth += 1
        elif src[k] == "}" and (k == 0 or src[k - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return k + 1
    return j


class _Latex:
    """Renders LaTeX math (or a fragment such as ``_{2}``) into reading pieces."""

    def __init__(self, src: str) -> None:
        self.src = src

    def render(self, i: int, j: int, out: _Out, text_mode: bool = False) -> None:
        src = self.src
        while i < j:
            match = _LATEX_TOKEN_RE.match(src, i, j)
            if match is None:  # pragma: no cover - the last alternative matches any character
                break
            command, escaped, brace, script, space, tilde, char = match.groups()
            end = match.end()
            if command is not None:
                i = self._command(command, i, end, j, out)
                continue
            if escaped is not None:
                out.add(_SYMBOLS.get(escaped, escaped), i, end)
            elif brace == "{":
                close = _group_end(src, i, j)
                self.render(i + 1, close - 1 if src[close - 1:close] == "}" else close, out, text_mode)
                end = close
            elif brace == "}":
                pass
            elif script is not None:
                end = self._script(script, end, j, out)
            elif space is not None:
                if text_mode or (out.last_char() and out.last_char() in ",;:"):
                    out.add(" ", i, end)
            elif tilde is not None:
                out.add(" ", i, end)
            else:
                out.add(char, i, end)
            i = end

    def _argument(self, i: int, j: int) -> tuple[int, int, int]:
        """``(content start, content end, end)`` of the argument at ``i``: a ``{group}`` or one token."""
        src = self.src
        while i < j and src[i].isspace():
            i += 1
        if i >= j:
            return i, i, i
        if src[i] == "{":
            close = _group_end(src, i, j)
            return i + 1, close - 1 if src[close - 1:close] == "}" else close, close
        match = _LATEX_TOKEN_RE.match(src, i, j)
        end = match.end() if match else i + 1
        return i, end, end

    def _command(self, name: str, start: int, end: int, j: int, out: _Out) -> int:
        if name in _GREEK:
            out.add(_GREEK[name], start, end)
            return end
        if name in _SYMBOLS:
            out.add(_SYMBOLS[name], start, end)
            return end
        if name in _TEXT_COMMANDS or name in _FONT_COMMANDS:
            inner_start, inner_end, after = self._argument(end, j)
            inner = _Out()
            self.render(inner_start, inner_end, inner, text_mode=name in _TEXT_COMMANDS)
            pieces = inner.pieces
            if pieces:  # "\mathrm{AR}" as a whole stands for "AR"
                pieces[0] = (pieces[0][0], start, pieces[0][2])
                pieces[-1] = (pieces[-1][0], pieces[-1][1], max(pieces[-1][2], after))
            for text, s, e in pieces:
                out.add(text, s, e)
            return after
        return end  # \left, \displaystyle and unknown commands: nothing to read

    def _script(self, mark: str, i: int, j: int, out: _Out) -> int:
        inner_start, inner_end, after = self._argument(i, j)
        inner = _Out()
        self.render(inner_start, inner_end, inner)
        text = inner.text().strip()
        if mark == "^" and text == "TM":
            out.add("™", i - 1, after)
        elif mark == "^" and (not text or _FOOTNOTE_RE.fullmatch(text)):
            pass  # a footnote or citation mark, not part of the word it follows
        else:
            before = out.last_char() or self.src[i - 2:i - 1]
            if before.isupper() and before.isascii() and text[:1].isupper() and text.isalpha():
                out.add(" ", i - 1, i)  # GABA_{A} reads "GABA A", as the vocabulary writes it
            pieces = [p for p in inner.pieces if p[0].strip()]
            if pieces:  # the mark and braces belong to the first and last characters
                first, last = pieces[0], pieces[-1]
                pieces[0] = (first[0], i - 1, first[2])
                pieces[-1] = (last[0], pieces[-1][1], max(last[2], after))
            for text_piece, s, e in pieces:
                out.add(text_piece, s, e)
        return after


def _looks_like_math(body: str) -> bool:
    """A ``$...$`` segment is math when it carries LaTeX markup, or is one short token ("$S-(-)$")."""
    return bool(re.search(r"[\\_^{}]", body)) or (not re.search(r"\s", body) and not re.fullmatch(r"[\d.,]+", body))


_HYPHENS = "-\u2010\u00ad"
_PATTERN = re.compile(
    r"(?P<math>(?P<gap>(?<=[A-Z]{2}) )?(?:\$\$(?P<display>.+?)\$\$|\$(?P<inline>[^$\n]+?)\$|\\\((?P<paren>.+?)\\\)))"
    rf"|(?P<hyphen>(?<=[^\W\d_])[{_HYPHENS}][ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*(?=[^\W_]))"
    r"|(?P<script>(?<=[A-Za-z0-9)\]])[_^]\{(?:[^{}\n]|\{[^{}\n]*\})*\})"
    r"|(?P<command>\\(?:mathrm|text|mathbf|mathit|operatorname|textrm|mathsf)\s*\{[^{}\n]*\})"
    r"|(?P<soft>\u00ad)"
    r"|(?P<zero>[\u200b-\u200d\u2060\ufeff])"
    r"|(?P<cid>[ \t]*\(cid:\d+\)[ \t]*)"
    r"|(?P<br>[ \t]*<br\s*/?>[ \t]*)"
    r"|(?P<compat>[\ufb00-\ufb06\uff01-\uff5e])"
    r"|(?P<newline>[ \t]*\r?\n[ \t\r\n]*)"
    r"|(?P<spaces>[ \t]{2,}|\t)",
    re.S,
)
_QUICK_RE = re.compile(r"[$\\\u00ad\u200b-\u200d\u2060\ufeff\ufb00-\ufb06\uff01-\uff5e\n\t]|  |[_^]\{|\(cid:|<br")
# A line that starts a glossary entry, list item or table row: the line break before it is kept.
_HARD_LINE_RE = re.compile(r"\s*(?:[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*\s?:\s|[•▪◦*|]|[-–]\s|\d+[.)]\s)")
_WORD_RE = re.compile(r"[^\W\d_](?:[\w]|-(?=\w))*")
# a word broken at a line end; PDF text that gives each line its own box puts a blank line inside the break
_BROKEN_RE = re.compile(rf"[^\W\d_]+[{_HYPHENS}][ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*[^\W_]+")


# Second parts of hyphenated compounds ("treatment-resistant", "dose-dependent"): no syllable break leaves them.
_COMPOUND_HEADS = frozenset({
    "resistant", "related", "induced", "dependent", "independent", "like", "based", "specific", "associated",
    "mediated", "derived", "free", "term", "positive", "negative", "sensitive", "deficient", "onset", "naive",
    "controlled", "blind", "analysis", "analyses", "regulated", "activated", "binding", "coupled", "wide", "scale",
    "stimulating", "releasing", "inhibiting", "producing", "seeking", "taking", "making", "response", "responsive",
})


def document_words(text: str) -> Counter:
    """Lower-cased words and hyphenated words of ``text``, without the parts of words broken at line ends."""
    return Counter(w.lower() for w in _WORD_RE.findall(_BROKEN_RE.sub(" ", text)))


def _keep_hyphen(left: str, right: str, words: Counter, known: Callable[[str], bool] | None) -> bool:
    if right[:1].isupper() or right[:1].isdigit():
        return True
    joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
    if words[joined] or words[hyphenated]:
        return words[hyphenated] > words[joined]
    if known is not None and known(left + right):
        return False
    return right.lower() in _COMPOUND_HEADS or bool(words[left.lower()] and words[right.lower()])


def read(text: str, *, words: Counter | None = None, known: Callable[[str], bool] | None = None) -> Reading:
    """The reading of ``text`` (see the module docstring).

    ``words`` counts the words of the whole document (:func:`document_words`; default: of ``text``), ``known``
    says whether the vocabulary names a word; both only decide line-end hyphens.
    """
    if not _QUICK_RE.search(text):
        return Reading(text, text)
    out = _Out()
    latex = _Latex(text)
    last = 0
    for match in _PATTERN.finditer(text):
        start, end = match.span()
        kind = "math" if match.group("math") else match.lastgroup
        piece = _Out()
        if kind == "math":
            body = match.group("display") or match.group("inline") or match.group("paren")
            body_start = match.start("display") if match.group("display") else (
                match.start("inline") if match.group("inline") else match.start("paren"))
            if match.group("inline") and not _looks_like_math(body):
                continue
            latex.render(body_start, body_start + len(body), piece)
            if match.group("gap") and (not piece.pieces or piece.text()[:1] not in _GREEK_LETTERS):
                start += 1  # the space stays, unless "ER $\alpha$" reads "ERα"
            if piece.pieces:  # the dollars belong to the first and last characters
                first, final = piece.pieces[0], piece.pieces[-1]
                piece.pieces[0] = (first[0], start, first[2])
                piece.pieces[-1] = (final[0], piece.pieces[-1][1], end)
        elif kind == "hyphen":
            left = re.search(r"[^\W\d_]+$", text[max(0, start - 60):start])
            right = re.match(r"[^\W_]+", text[end:])
            lword, rword = (left.group() if left else ""), (right.group() if right else "")
            hyphen = text[start]
            if words is None:
                words = document_words(text)
            if hyphen != "\u00ad" and _keep_hyphen(lword, rword, words, known):
                piece.add("-", start, end)
        elif kind == "script" or kind == "command":
            latex.render(start, end, piece)
            if not piece.pieces:
                piece.add("", start, end)
        elif kind == "compat":
            piece.add(unicodedata.normalize("NFKC", match.group()), start, end)
        elif kind == "cid":
            glued = match.group() == match.group().strip() and text[start - 1:start].isalpha() \
                and text[end:end + 1].isalpha()
            if not glued:
                piece.add(" ", start, end)
        elif kind == "newline":
            if _HARD_LINE_RE.match(text, end) or text[start - 1:start] == "|":
                continue  # a glossary entry, list item or table row keeps its own line
            piece.add(" ", start, end)
        elif kind in ("br", "spaces"):
            piece.add(" ", start, end)
        # soft hyphens and zero-width characters read as nothing
        if start > last:
            out.add(text[last:start], last, -1)  # -1: unchanged, one character for one
        out.pieces.extend(piece.pieces)
        last = end
    if not out.pieces and last == 0:
        return Reading(text, text)
    if last < len(text):
        out.add(text[last:], last, -1)
    starts, ends = array("l"), array("l")
    for piece_text, s, e in out.pieces:
        if e == -1:
            starts.extend(range(s, s + len(piece_text)))
            ends.extend(range(s + 1, s + len(piece_text) + 1))
        else:
            starts.extend([s] * len(piece_text))
            ends.extend([e] * len(piece_text))
    reading = out.text()
    if reading == text and all(piece[2] == -1 for piece in out.pieces):
        return Reading(text, text)
    return Reading(reading, text, starts, ends)
