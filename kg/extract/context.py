"""One document as the extraction rules see it: sentences, the resolved mentions in each, citation markers.

Sentence spans come from the NLP stage (``Mention.sentence``) wherever a mention carries one, so facts point at
the same sentence nodes the graph already has; text without mentions is split with a small regex so statistics
stated there are not lost.
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from kg.concept import Entity, Mention
from kg.document import Block, Document

NO_CLAIM_ZONES = frozenset({"caption", "table", "references", "front_matter", "back_matter", "running_head",
                            "page_number"})  # Document.zones kinds where a review states no finding
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Hit:
    """A resolved mention with its entity's CURIE and category (the unit every rule works on)."""

    start: int
    end: int
    curie: str
    category: str
    text: str
    label: str = ""
    implicit: bool = False  # found by a rule (e.g. "<adjective> signalling"), not by the NER


@dataclass
class DocumentContext:
    doc: Document
    sentences: list[tuple[int, int]]
    hits: list[Hit]
    _starts: list[int] = field(default_factory=list, repr=False)
    _hit_starts: list[int] = field(default_factory=list, repr=False)
    _block_starts: list[int] | None = field(default=None, repr=False)  # None: blocks overlap or are out of order
    _no_claim: dict[tuple[int, int], bool] = field(default_factory=dict, repr=False)  # makes_no_claim, by span

    def __post_init__(self) -> None:
        self.hits.sort(key=lambda h: (h.start, -h.end))
        self._starts = [s for s, _ in self.sentences]
        self._hit_starts = [h.start for h in self.hits]
        blocks = self.doc.blocks
        if all(a.span.end <= b.span.start for a, b in zip(blocks, blocks[1:])):  # as the readers make them
            self._block_starts = [b.span.start for b in blocks]

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.sentences[i][0] <= offset < self.sentences[i][1]:
            return self.sentences[i]
        return None

    def hits_in(self, start: int, end: int) -> list[Hit]:
        """The hits inside ``[start, end)`` in order, found by bisection (the rules ask once per sentence and pair)."""
        lo, hi = bisect.bisect_left(self._hit_starts, start), bisect.bisect_right(self._hit_starts, end)
        return [h for h in self.hits[lo:hi] if h.end <= end]

    def sentences_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """The sentences that start inside ``[start, end)``, in order."""
        return self.sentences[bisect.bisect_left(self._starts, start):bisect.bisect_left(self._starts, end)]

    def text(self, start: int, end: int) -> str:
        return self.doc.text[start:end]

    def citations_in(self, start: int, end: int) -> tuple[int, ...]:
        """Reference numbers of the citation markers inside ``[start, end)``."""
        nums: list[int] = []
        for c in self.doc.citations:
            if start <= c.span.start and c.span.end <= end:
                nums.extend(n for n in c.numbers if n not in nums)
        return tuple(nums)

    def blocks_at(self, offset: int) -> list[Block]:
        """The blocks holding ``offset``, in document order: by bisection when the blocks are disjoint and in order
        (a long review asks for each sentence), else by a scan."""
        if self._block_starts is None:
            return [b for b in self.doc.blocks if b.span.start <= offset < b.span.end]
        i = bisect.bisect_right(self._block_starts, offset) - 1
        return [self.doc.blocks[i]] if i >= 0 and offset < self.doc.blocks[i].span.end else []

    def block_of(self, offset: int) -> tuple[int, int]:
        for b in self.blocks_at(offset):
            return b.span.start, b.span.end
        line_start = self.doc.text.rfind("\n", 0, offset) + 1
        line_end = self.doc.text.find("\n", offset)
        return line_start, len(self.doc.text) if line_end < 0 else line_end

    def section_of(self, offset: int) -> str:
        """The title of the section holding ``offset`` (from its block, else from ``Document.sections``)."""
        for b in self.blocks_at(offset):
            if b.section:
                return b.section
        for sec in self.doc.sections:
            if sec.span.start <= offset < sec.span.end:
                return sec.title
        return ""

    def nearest_citation_before(self, offset: int) -> tuple[int, ...]:
        """Numbers of the citation in the same sentence, else the nearest earlier one in the same block."""
        sent = self.sentence_at(offset)
        if sent:
            nums = self.citations_in(*sent)
            if nums:
                return nums
        b_start, _ = self.block_of(offset)
        earlier = [c for c in self.doc.citations if b_start <= c.span.start < offset]
        return earlier[-1].numbers if earlier else ()


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Regex sentence spans inside ``text[start:end]`` (document offsets, whitespace trimmed)."""
    spans = []
    cursor = start
    chunk = text[start:end]
    for m in _SENTENCE_END.finditer(chunk):
        spans.append((cursor, start + m.start()))
        cursor = start + m.end()
    spans.append((cursor, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _regions(doc: Document) -> list[tuple[int, int]]:
    if doc.blocks:
        return sorted({(b.span.start, b.span.end) for b in doc.blocks})
    regions, pos = [], 0
    for line in doc.text.split("\n"):
        regions.append((pos, pos + len(line)))
        pos += len(line) + 1
    return regions


def mentions_by_document(entities: list[Entity]) -> dict[str, list[tuple[Entity, Mention]]]:
    """Group every resolved mention under its document id (one pass over the resolution)."""
    out: dict[str, list[tuple[Entity, Mention]]] = {}
    for entity in entities:
        for m in entity.mentions:
            out.setdefault(m.doc_id, []).append((entity, m))
    return out


def build_context(doc: Document, mentions: list[tuple[Entity, Mention]]) -> DocumentContext:
    """The context of ``doc`` from its resolved ``(entity, mention)`` pairs."""
    hits: list[Hit] = []
    given: set[tuple[int, int]] = set()
    for entity, m in mentions:
        if m.doc_id != doc.id or not 0 <= m.start < m.end <= len(doc.text):
            continue
        hits.append(
            Hit(m.start, m.end, entity.curie, entity.concept.category, doc.text[m.start:m.end], entity.concept.label)
        )
        s, e = m.sentence
        if 0 <= s < e <= len(doc.text) and s <= m.start and m.end <= e:
            given.add((s, e))
    hits = _drop_nested(hits)
    split = (span for r_start, r_end in _regions(doc) for span in split_sentences(doc.text, r_start, r_end))
    return DocumentContext(doc, _disjoint(_with_unmentioned(sorted(given), split)), hits)


def _with_unmentioned(given: list[tuple[int, int]], spans) -> list[tuple[int, int]]:
    """``given`` (sorted, possibly overlapping) and every span of ``spans`` that overlaps neither a given sentence
    nor a span taken before it. Bisection keeps this linear in a review's thousands of sentences: a given
    sentence overlaps ``(s, e)`` when one starting before ``e`` ends after ``s`` (the prefix maximum of ends), and
    the taken spans are disjoint, so only the last one starting before ``e`` can reach past ``s``."""
    starts = [s for s, _ in given]
    reach = list(itertools.accumulate((e for _, e in given), max))
    taken: list[tuple[int, int]] = []
    for s, e in spans:
        i = bisect.bisect_left(starts, e)
        if i and reach[i - 1] > s:
            continue
        j = bisect.bisect_left(taken, (e,))
        if j and taken[j - 1][1] > s:
            continue
        taken.insert(j, (s, e))
    return given + taken


def _drop_nested(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping mentions (one reading per span; ties keep the first CURIE). The kept spans
    are disjoint, so only the last one starting before a hit ends can overlap it (found by bisection)."""
    kept: list[Hit] = []  # in start order
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start, h.curie)):
        i = bisect.bisect_left(kept, h.end, key=lambda k: k.start)
        if not (i and kept[i - 1].end > h.start):
            kept.insert(i, h)
    return kept


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
            continue
        out.append((s, e))
    return out


def makes_no_claim(ctx: DocumentContext, span: tuple[int, int]) -> bool:
    """Text where the review states no finding of its own: a figure legend, a linearised table, the reference list
    or front/back matter, a section heading, and figure text an OCR run read as a "sentence" (the same labels over
    and over)."""
    if span not in ctx._no_claim:  # asked for each sentence and again for each entity pair in it
        ctx._no_claim[span] = _makes_no_claim(ctx, span)
    return ctx._no_claim[span]


def _makes_no_claim(ctx: DocumentContext, span: tuple[int, int]) -> bool:
    doc, (start, end) = ctx.doc, span
    if any(kind in NO_CLAIM_ZONES and z.start <= start < z.end for kind, z in doc.zones):
        return True
    if any(b.kind == "caption" for b in ctx.blocks_at(start)):
        return True
    if any(r.span.start <= start < r.span.end for r in doc.references if r.span.end > r.span.start):
        return True
    heading = re.sub(r"^[#\s\d.]+", "", ctx.text(start, end)).strip().rstrip(".").lower()
    if heading and any(heading == sec.title.strip().rstrip(".").lower() for sec in doc.sections):
        return True
    words = re.findall(r"\w+", ctx.text(start, end).lower())
    trigrams = list(zip(words, words[1:], words[2:]))
    return len(trigrams) >= 40 and len(set(trigrams)) < 0.6 * len(trigrams)
