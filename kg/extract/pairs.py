"""Entity pairs of a passage and what a reader looks at to judge whether the text relates them.

The learned relation extractor (:mod:`kg.extract.relation_model`) scores every pair of distinct entities that
share a passage: the whole text of an abstract, one paragraph of a longer document. Features are strings (a
linear model weighs each): the two categories, how close the entities come (same sentence, sentences apart),
where they are (title, last sentence), how often each is named and whether it is its category's most frequent,
and, for the sentence where they come closest, the words between and around them, the cue-lexicon kinds between
them (``ontologies/extraction/cues.tsv``: direction, causal, mechanism, adverse, treatment ...) and negation and
hedging. Every feature is prefixed by the category pair too, so one model serves chemical–disease and
gene–gene pairs alike.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from kg.extract.context import DocumentContext, Hit
from kg.extract.lexicon import lexicon

#: Categories that take part in document-level relations, in the order a pair's members are written.
PAIR_CATEGORIES = ("chemical", "disease", "phenotype", "gene", "complex")
#: The category a pair is typed by (phenotypes are scored as diseases, complexes as genes, as the corpora do).
PAIR_TYPE = {"chemical": "chemical", "disease": "disease", "phenotype": "disease", "gene": "gene", "complex": "gene"}
SHORT_PASSAGE = 30  # sentences: a text this short (an abstract) is one passage; a longer one is read by block
MAX_SHARED = 4  # sentences naming both entities whose words are read
MAX_BETWEEN = 12  # words between two mentions that are kept as features, from each end
CUE_KINDS = ("direction", "causal", "causal_passive", "mechanism", "adverse", "treatment", "approval", "negation",
             "hedge", "combination", "comparison", "substance_use", "finding", "preclinical", "trial")
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]*|\d+(?:\.\d+)?|[%()/,;:]")
_INDUCED = re.compile(r"^\s*-?\s*(induced|associated|related|dependent|mediated|treated|resistant|sensitive|"
                      r"responsive|exposed|elicited|evoked|caused|due)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Pair:
    """Two entities of one passage, with every mention of each there and the features the model reads."""

    doc_id: str
    a: str  # CURIE of the first member (categories in PAIR_CATEGORIES order, then CURIE order)
    b: str
    category_a: str
    category_b: str
    hits_a: tuple[Hit, ...]
    hits_b: tuple[Hit, ...]
    features: tuple[str, ...]
    sentence: tuple[int, int]  # the sentence where the two come closest (or the first mention of ``a``'s)
    together: bool = False  # named together in at least one sentence

    @property
    def types(self) -> str:
        return f"{PAIR_TYPE[self.category_a]}|{PAIR_TYPE[self.category_b]}"

    @property
    def with_concepts(self) -> tuple[str, ...]:
        """:attr:`features` and which two concepts they are, as the corpus-prior head reads them: a corpus relates
        some concepts far more often than others (BC5CDR its specific diseases, seldom "Drug-Related Side Effects"
        or "Neoplasms"), a prior of that corpus's documents and not of a review's, whose concepts it mostly never
        saw (:mod:`kg.extract.relation_model`)."""
        ids = (f"id_a={self.a}", f"id_b={self.b}")
        return (*self.features, *ids, *(f"{self.types}:{x}" for x in ids))

    def sentence_hits(self) -> list[Hit]:
        """The mentions of either member inside :attr:`sentence`."""
        start, end = self.sentence
        return [h for h in (*self.hits_a, *self.hits_b) if start <= h.start and h.end <= end]


def passages(ctx: DocumentContext) -> list[tuple[int, int]]:
    """The stretches of text within which entity pairs are candidates: the document when it is short, else blocks."""
    if len(ctx.sentences) <= SHORT_PASSAGE:
        return [(0, len(ctx.doc.text))]
    spans = sorted({ctx.block_of(s) for s, _ in ctx.sentences})
    return spans or [(0, len(ctx.doc.text))]


@dataclass(frozen=True)
class _Named:
    """One entity's mentions in a passage with the sentence of each and those sentences' positions in the passage,
    found once for all the entity's pairs."""

    hits: tuple[Hit, ...]
    sentences: tuple[tuple[int, int] | None, ...]
    positions: frozenset[int]


def _named(ctx: DocumentContext, hits: list[Hit], index: dict[tuple[int, int], int]) -> _Named:
    sentences = tuple(ctx.sentence_at(h.start) for h in hits)
    return _Named(tuple(hits), sentences, frozenset(index[s] for s in sentences if s in index))


def candidate_pairs(ctx: DocumentContext) -> Iterator[Pair]:
    """Every pair of distinct entities of a passage, with its features."""
    title_end = len(ctx.doc.title) if ctx.doc.title and ctx.doc.text.startswith(ctx.doc.title) else 0
    cues: dict = {}  # sentence -> its cues by kind, found once for all the sentence's pairs
    for lo, hi in passages(ctx):
        hits = [h for h in ctx.hits_in(lo, hi) if h.category in PAIR_CATEGORIES and not h.implicit]
        by_curie: dict[str, list[Hit]] = {}
        for h in hits:
            by_curie.setdefault(h.curie, []).append(h)
        if len(by_curie) < 2:
            continue
        index = {s: i for i, s in enumerate(ctx.sentences_in(lo, hi))}
        named = {c: _named(ctx, v, index) for c, v in by_curie.items()}
        counts = Counter({c: len(v) for c, v in by_curie.items()})
        top = _most_frequent(by_curie, counts)
        order = sorted(by_curie, key=lambda c: (PAIR_CATEGORIES.index(by_curie[c][0].category), c))
        for i, a in enumerate(order):
            for b in order[i + 1:]:
                yield _pair(ctx, named[a], named[b], index, counts, top, title_end, len(by_curie), cues)


def _most_frequent(by_curie: dict[str, list[Hit]], counts: Counter) -> set[str]:
    """The most often named entity of each pair type (ties: all of them)."""
    best: dict[str, int] = {}
    for curie, hits in by_curie.items():
        t = PAIR_TYPE[hits[0].category]
        best[t] = max(best.get(t, 0), counts[curie])
    return {c for c, hits in by_curie.items() if counts[c] == best[PAIR_TYPE[hits[0].category]]}


def _bucket(n: int, edges: tuple[int, ...] = (0, 1, 2, 3, 5, 8)) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


def _pair(ctx: DocumentContext, na: _Named, nb: _Named, index: dict, counts: Counter,
          top: set[str], title_end: int, n_entities: int, cache: dict) -> Pair:
    ha, hb = na.hits, nb.hits
    a, b = ha[0], hb[0]
    types = f"{PAIR_TYPE[a.category]}|{PAIR_TYPE[b.category]}"
    f: list[str] = ["bias", f"n_entities={_bucket(n_entities, (2, 4, 8, 16))}"]
    pos_a, pos_b = na.positions, nb.positions
    gap = min((abs(x - y) for x in pos_a for y in pos_b), default=99)
    shared = pos_a & pos_b
    last = max(index.values(), default=0)
    f += [f"sent_gap={_bucket(gap)}", f"shared_sentences={_bucket(len(shared), (0, 1, 2, 3))}",
          f"count_a={_bucket(counts[a.curie], (1, 2, 4))}", f"count_b={_bucket(counts[b.curie], (1, 2, 4))}"]
    if title_end:
        in_a, in_b = any(h.end <= title_end for h in ha), any(h.end <= title_end for h in hb)
        f += [f"title_a={in_a}", f"title_b={in_b}", f"title_both={in_a and in_b}"]
    f += [f"top_a={a.curie in top}", f"top_b={b.curie in top}",
          f"top_both={a.curie in top and b.curie in top}",
          f"last_sentence={last in shared}", f"first_sentence_a={min(pos_a, default=99) <= 1}"]
    sentence = na.sentences[0] or (0, 0)
    if shared:  # the closest co-mention names the evidence sentence; every shared sentence adds its words
        x, y, sentence = _closest(na, nb, shared, index)
        f += _sentence_features(ctx, x, y, sentence, cache)
        for other in sorted(shared - {index[sentence]})[:MAX_SHARED - 1]:
            u, v, in_sentence = _closest(na, nb, {other}, index)
            words = _sentence_features(ctx, u, v, in_sentence, cache)
            f += [f"also:{w}" for w in words if w.startswith(("w:", "cue_"))]
    return Pair(ctx.doc.id, a.curie, b.curie, a.category, b.category, ha, hb,
                tuple(dict.fromkeys([*f, *(f"{types}:{x}" for x in f)])), sentence, bool(shared))


def _closest(na: _Named, nb: _Named, shared: frozenset[int] | set[int],
             index: dict) -> tuple[Hit, Hit, tuple[int, int]]:
    """The mentions of ``a`` and ``b`` in one sentence (of ``shared``) that are nearest each other, and the sentence."""
    pairs = [(x, y, sx) for x, sx in zip(na.hits, na.sentences) for y, sy in zip(nb.hits, nb.sentences)
             if sx is not None and sx == sy and index.get(sx) in shared]
    return min(pairs, key=lambda p: (max(p[0].start, p[1].start) - min(p[0].end, p[1].end), p[0].start))


def _sentence_features(ctx: DocumentContext, x: Hit, y: Hit, sentence: tuple[int, int], cache: dict) -> list[str]:
    """Words between and around two mentions of one sentence, the cue kinds between them, negation and hedging."""
    text = ctx.doc.text
    first, second = (x, y) if x.start <= y.start else (y, x)
    between = text[first.end:max(first.end, second.start)]
    words = [w.lower() for w in _WORD.findall(between)]
    kept = words if len(words) <= 2 * MAX_BETWEEN else words[:MAX_BETWEEN] + words[-MAX_BETWEEN:]
    others = ctx.hits_in(first.end, second.start)
    before = [w.lower() for w in _WORD.findall(text[sentence[0]:first.start])][-3:]
    after = [w.lower() for w in _WORD.findall(text[second.end:sentence[1]])][:3]
    f = [f"order={'ab' if first is x else 'ba'}", f"words_between={_bucket(len(words), (0, 1, 3, 5, 10, 20))}",
         f"entities_between={_bucket(len(others), (0, 1, 2, 4))}"]
    f += [f"w:{w}" for w in kept]
    f += [f"bi:{u}_{v}" for u, v in zip(kept, kept[1:])]
    f += [f"before:{w}" for w in before] + [f"after:{w}" for w in after]
    f += [f"between_{o.category}" for o in others]
    for name, h in (("a", x), ("b", y)):  # "cocaine-induced", "insulin-resistant": the mention's own modifier
        if m := _INDUCED.match(text[h.end:h.end + 20]):
            f.append(f"{name}_{m.group(1).lower()}")
    for kind, cues in _sentence_cues(ctx, sentence, cache).items():
        inside = [c for c in cues if first.end <= c.start and c.end <= second.start]
        if inside:
            f.append(f"cue_between:{kind}")
            f += [f"cue_between:{kind}={c.value}" for c in inside if c.value]
        elif cues:
            f.append(f"cue_sentence:{kind}")
    return f


def _sentence_cues(ctx: DocumentContext, sentence: tuple[int, int], cache: dict) -> dict[str, list]:
    """The cues of every kind in one sentence, found once however many pairs the sentence holds."""
    if sentence not in cache:
        text, lex = ctx.doc.text[sentence[0]:sentence[1]], lexicon()
        cache[sentence] = {kind: lex.find(text, kind, sentence[0]) for kind in CUE_KINDS}
    return cache[sentence]
