"""Bounded windows: a block longer than the NER should read at once becomes consecutive blocks.

spaCy refuses a text over ``nlp.max_length`` (E088, 1,000,000 characters by default), and parts of the NER and of
the relation extraction compare the matches of one text or sentence with each other, so a 200,000-character
paragraph took minutes. Cutting such a block into windows of at most :data:`WINDOW` characters, after a sentence
end where there is one in the window's second half, else at the last whitespace, keeps the time linear. The
windows are spans of the same text, so every offset stays an offset into ``Document.text``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from kg.document import Block, Span

__all__ = ["WINDOW", "windows"]

#: The most characters the NER reads as one text (real paragraphs are under 3,000).
WINDOW = 10_000

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")
_SPACE = re.compile(r"\s")


def _cut(text: str, start: int, stop: int) -> int:
    """Where to end a window of ``text[start:stop]``: after the last sentence end of its second half, else at its
    last whitespace, else at ``stop``."""
    half = start + (stop - start) // 2
    ends = [m.end() for m in _SENTENCE_END.finditer(text, half, stop)]
    if ends:
        return ends[-1]
    space = max((m.start() for m in _SPACE.finditer(text, half, stop)), default=-1)
    return space if space > start else stop


def windows(text: str, blocks: Iterable[Block], limit: int = WINDOW) -> list[Block]:
    """``blocks`` with each one longer than ``limit`` characters cut into windows of at most ``limit``, in order;
    whitespace between two windows belongs to neither."""
    limit = max(1, limit)
    out: list[Block] = []
    for block in blocks:
        start, end = block.span.start, block.span.end
        if end - start <= limit:
            out.append(block)
            continue
        while start < end:
            stop = end if end - start <= limit else _cut(text, start, start + limit)
            out.append(Block(Span(start, stop), block.kind, block.section))
            start = stop
            while start < end and text[start].isspace():
                start += 1
    return out
