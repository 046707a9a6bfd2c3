"""The extract and resolve shortcuts (issue 14) give what the plain scans gave, on real text.

Each shortcut skips work it can prove useless: a cue whose required literal an ASCII text lacks, a statistic
pattern in a sentence without a digit, a fuzzy name too long or too short to reach the threshold, a sentence or
mention overlap found by bisection instead of a scan. Each test runs the plain scan beside it and compares.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
REVIEW = SHARED / "corpus" / "esketamine_review.txt"
JATS = SHARED / "corpus" / "reviews" / "jats_pmc_protacs_cancer_immunotherapy_2025.xml"
BC5CDR_DEV = SHARED / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"

pytestmark = pytest.mark.skipif(not REVIEW.is_file(), reason="../shared (sample review, eval corpora) is absent")


def _sentences(path: Path, limit: int = 400) -> list[str]:
    from kg.ingest import read_paths

    text = "\n".join(d.text for d in read_paths([path]))
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()][:limit]


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    found = _sentences(REVIEW) + _sentences(JATS) + _sentences(BC5CDR_DEV, 200)
    assert any(not s.isascii() for s in found) and any(s.isascii() for s in found)
    return found


def _plain_find(text: str, kind: str) -> list[tuple[str, int, int]]:
    """Lexicon.find as a scan of every cue regex, longest cue first (no required-literal skip)."""
    from kg.extract.lexicon import _broken_word, case_sensitive, cue_regex, lexicon

    cues = sorted(lexicon().cues(kind), key=lambda c: -len(c[0]))
    taken: list[tuple[int, int]] = []
    hits = []
    for cue, value in cues:
        for m in re.compile(cue_regex(cue), 0 if case_sensitive(cue) else re.IGNORECASE).finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken) or _broken_word(text, m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            hits.append((value, m.start(), m.end()))
    return sorted(hits, key=lambda h: h[1])


def test_cue_search_finds_what_every_regex_finds(sentences):
    from kg.extract.lexicon import lexicon

    lex = lexicon()
    found = 0
    for text in sentences:
        for kind in lex.kinds():
            fast = [(c.value, c.start, c.end) for c in lex.find(text, kind)]
            assert fast == _plain_find(text, kind), (kind, text)
            assert lex.has(text, kind) == bool(fast), (kind, text)
            found += len(fast)
    assert found > 500


def test_non_ascii_text_is_searched_by_the_regexes_themselves():
    """re.IGNORECASE matches "ſ" (long s) to "s": text with it is not skipped on its lowered form."""
    from kg.extract.lexicon import lexicon

    text = "These reſults ſuggest a benefit."
    found = [(c.value, c.start, c.end, c.text) for c in lexicon().find(text, "hedge")]
    assert found == [("", 14, 21, "ſuggest")]


def test_required_literal_is_a_run_every_match_contains():
    from kg.extract.lexicon import required_literal

    assert required_literal("randomi?ed") == "randomi"
    assert required_literal("double-blind*") == "double"
    assert required_literal("RCT") == "rct"
    assert required_literal("µg/kg") == "g/kg"  # a non-ASCII letter ends a run
    assert required_literal("I^{2}", optional="^{}") == "i"
    assert required_literal("*") == ""


def test_designs_found_as_by_their_whole_pattern(sentences):
    from kg.extract.lexicon import designs

    found = 0
    for text in sentences:
        for d in designs():
            fast = [m.span() for m in d.finditer(text)]
            assert fast == [m.span() for m in d.pattern.finditer(text)], (d.key, text)
            found += len(fast)
    assert found > 20


def test_no_statistic_pattern_matches_without_a_digit(sentences):
    """What lets the statistics finder skip a sentence without a digit."""
    from kg.extract import numbers, statistics, studies

    patterns = [p for _key, p, _literal in statistics._measure_patterns()]
    patterns += [numbers.P_VALUE, numbers.SAMPLE_SIZE, numbers.PERCENT, statistics._BARE, statistics._TIME,
                 statistics._participants(), statistics._participant_range(), statistics._value_range(),
                 studies.dose_pattern()]
    plain = [s for s in sentences if not re.search(r"\d", s)]
    assert len(plain) > 50
    for text in plain:
        assert not any(p.search(text) for p in patterns), text
        assert statistics._find(text) == []


def test_fuzzy_window_gives_the_full_search(vocabulary, sentences):
    """The length window and the pre-sorted words return the top five token_sort_ratio over every name."""
    from rapidfuzz import fuzz, process

    from kg.resolve.fuzzy import fuzzy_index, sorted_words
    from kg.vocabulary import normalise

    index = fuzzy_index(vocabulary)
    words = [w for s in sentences[::7] for w in re.findall(r"[A-Za-z][\w-]{4,}(?:\s+[a-z][\w-]+)?", s)]
    queries = sorted({normalise(w) for w in words})[:120] + ["esketamin", "receptor nmda", "depresion"]
    compared = 0
    for category in ("chemical", "disease", "gene"):
        names = index._names[category]
        for query in queries:
            for cutoff in (70.0, 88.0):
                full = process.extract(query, names, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, limit=5)
                window = index._by_length[category].top(sorted_words(query), cutoff, 5)
                assert window == [(score, i) for _name, score, i in full], (category, query, cutoff)
                compared += bool(full)
    assert compared > 20


@pytest.fixture(scope="module")
def review_context(vocabulary, nlp):
    from kg.extract.context import mentions_by_document
    from kg.ingest import read_paths
    from kg.nlp import annotate
    from kg.resolve import long_form_concept, resolve

    documents = read_paths([REVIEW])
    resolution = resolve(documents, annotate(documents, nlp, long_forms=long_form_concept), vocabulary)
    by_doc = mentions_by_document(resolution.entities)
    return documents[0], by_doc[documents[0].id]


def test_context_sentences_and_mentions_as_by_a_scan(review_context):
    from kg.extract import context as C

    doc, mentions = review_context
    ctx = C.build_context(doc, mentions)
    given = sorted({m.sentence for _e, m in mentions if 0 <= m.sentence[0] < m.sentence[1] <= len(doc.text)
                    and m.sentence[0] <= m.start and m.end <= m.sentence[1]})
    sentences = list(given)
    for r_start, r_end in C._regions(doc):
        for span in C.split_sentences(doc.text, r_start, r_end):
            if not any(span[0] < e and s < span[1] for s, e in sentences):
                sentences.append(span)
    assert ctx.sentences == C._disjoint(sentences)
    assert len(ctx.sentences) > 100

    kept: list[C.Hit] = []
    for h in sorted(ctx.hits, key=lambda h: (-(h.end - h.start), h.start, h.curie)):
        if not any(h.start < k.end and k.start < h.end for k in kept):
            kept.append(h)
    assert C._drop_nested(list(ctx.hits)) == sorted(kept, key=lambda h: h.start)
    for s, e in ctx.sentences[::5]:
        assert ctx.hits_in(s, e) == [h for h in ctx.hits if s <= h.start and h.end <= e]
        scanned = [(b.span.start, b.span.end) for b in doc.blocks if b.span.start <= s < b.span.end]
        assert [(b.span.start, b.span.end) for b in ctx.blocks_at(s)] == scanned
