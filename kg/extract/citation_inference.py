"""Citation numbers of evidence-table rows whose marker is cut off ("Gent et al., 2024 [") and whose reference entry
is missing from a truncated reference list: the row is matched to the cited number whose sentences share the most
informative entities and words with the row's cells, plus its design cues ("double-blind", "FAERS").

An inferred number is recorded as such (``Study.citation_inferred``) with a lower confidence; it is only taken when it
is the row's unique best candidate and shares at least ``MIN_SHARED`` features with it. Shared topic words are not
enough when the designs disagree: a number whose citing sentences name only designs of another family (a FAERS
analysis for an "Observational" row, a trial for an animal row) is never given to the row, and a high confidence
needs a design the row and the sentences share.
"""
from __future__ import annotations

import logging
import math
import re

from kg.extract.context import DocumentContext
from kg.extract.facts import Publication, Study
from kg.extract.lexicon import designs
from kg.extract.publications import label_of

log = logging.getLogger(__name__)

MIN_SHARED = 2  # entities or words a row must share with the sentences citing a number
MIN_SCORE = 2.5  # idf-weighted overlap (a rare shared entity weighs ~2-4, a common one ~0)
COMMON = 0.2  # words in more than this share of the document's sentences say nothing about one study
_WORD = re.compile(r"[a-z]{4,}")
STEM = 6  # word prefix compared ("psychotherapy" ~ "psychotherapeutic", "operative" ~ "operation")


def _features(ctx: DocumentContext, spans: list[tuple[int, int]]) -> set[str]:
    """Entity CURIEs and word stems of the spans (the unit both rows and citing sentences are compared in)."""
    out: set[str] = set()
    for s, e in spans:
        out.update(h.curie for h in ctx.hits_in(s, e) if not h.implicit)
        out.update("~" + w[:STEM] for w in _WORD.findall(ctx.text(s, e).lower()))
    return out


def _design_keys(text: str) -> set[str]:
    return {d.key for d in designs() if d.pattern.search(text)}


def _design_score(row: set[str], text: set[str]) -> float:
    """+1 for a design the row and the citing sentences share, +0.5 for the same study family (designs.tsv
    ``family``: trial / observational / pharmacovigilance / preclinical), -1 when the sentences name only designs of
    another family (the caller then rejects the pair), 0 when either side names none."""
    if not row or not text:
        return 0.0
    if row & text:
        return 1.0
    family = {d.key: d.family for d in designs()}
    if {family[k] for k in row} & {family[k] for k in text}:
        return 0.5
    return -1.0


def infer_citations(ctx: DocumentContext, studies: list[Study], pubs: list[Publication]) -> list[Study]:
    """Give each table row without a reference number the cited number its text matches best; returns the rows
    that got one. The stub publication of that number (``pubs``) is replaced by one carrying the row's author and
    year, so citations, the study and its statistics meet on one work."""
    listed = {p.number for p in pubs if p.number is not None and p.authors}
    taken = {n for st in studies for n in st.numbers}
    candidates = sorted({n for c in ctx.doc.citations for n in c.numbers} - listed - taken)
    rows = [st for st in studies if not st.numbers and st.span != (0, 0)]
    if not candidates or not rows:
        return []
    citing: dict[int, list[tuple[int, int]]] = {n: [] for n in candidates}
    row_ranges = [st.span for st in studies]
    for s, e in ctx.sentences:
        if any(a <= s < b for a, b in row_ranges):
            continue
        for n in ctx.citations_in(s, e):
            if n in citing:
                citing[n].append((s, e))
    citing = {n: spans for n, spans in citing.items() if spans}
    n_sent = max(1, len(ctx.sentences))
    df: dict[str, int] = {}
    for span in ctx.sentences:
        for f in _features(ctx, [span]):
            df[f] = df.get(f, 0) + 1

    def idf(f: str) -> float:
        share = df.get(f, 0) / n_sent
        return 0.0 if f.startswith("~") and share > COMMON else math.log((n_sent + 1) / (df.get(f, 0) + 1))

    cited = {
        n: (_features(ctx, spans), _design_keys(" ".join(ctx.text(*sp) for sp in spans)))
        for n, spans in citing.items()
    }
    scores: dict[tuple[int, int], tuple[float, int]] = {}
    agrees: dict[tuple[int, int], bool] = {}
    for i, st in enumerate(rows):
        feats = _features(ctx, [st.span])
        for n, (c_feats, c_designs) in cited.items():
            design = _design_score(set(st.designs), c_designs)
            if design < 0:  # the sentences describe a study of another design family: never this row's number
                log.debug(
                    "study %r: reference %d rejected, its sentences name designs %s", st.label, n, sorted(c_designs)
                )
                scores[(i, n)] = (float("-inf"), 0)
                continue
            shared = {f for f in feats & c_feats if idf(f) > 0}
            scores[(i, n)] = (sum(idf(f) for f in shared) + design, len(shared))
            agrees[(i, n)] = design == 1.0
    groups = {n: {m for c in ctx.doc.citations if n in c.numbers for m in c.numbers} for n in cited}
    out: list[Study] = []
    assigned: set[int] = set()
    for (i, n), (score, n_shared) in sorted(scores.items(), key=lambda kv: -kv[1][0]):
        st = rows[i]
        if st in out or n in assigned or score < MIN_SCORE or n_shared < MIN_SHARED:
            continue
        rivals = [scores[(i, m)][0] for m in cited if m not in assigned and m != n and m not in groups[n]]
        tied = sorted(m for m in cited if m not in assigned and m in groups[n] and scores[(i, m)][0] == score)
        if rivals and max(rivals) >= score:
            log.info("study %r: citation numbers tie (best %.2f); not inferred", st.label, score)
            continue
        numbers = tuple(dict.fromkeys([n, *tied]))
        margin = _margin(score, [scores[(i, m)][0] for m in cited if m not in groups[n]])
        weight = 0.4 if agrees[(i, n)] else 0.2  # without a shared design cue, topic overlap alone: at most 0.6
        _assign(st, numbers, pubs, confidence=round(0.4 + weight * margin, 2))
        assigned.update(numbers)
        out.append(st)
        log.info("study %r: inferred citation %s (score %.2f, %d shared, confidence %.2f)", st.label, list(numbers),
                 score, n_shared, st.citation_confidence)
    return out


def _margin(score: float, others: list[float]) -> float:
    """How clearly ``score`` beats every other number's score, taken or not, in [0, 1]. Numbers rejected on design
    (-inf) are no rivals: counting them would make the margin, and so the confidence, infinite."""
    runner_up = max((o for o in others if o != float("-inf")), default=0.0)
    return min(1.0, max(0.0, score - runner_up) / score) if score > 0 else 0.0


def _assign(st: Study, numbers: tuple[int, ...], pubs: list[Publication], confidence: float) -> None:
    first = numbers[0]
    stub = next((p for p in pubs if p.number == first), None)
    authors = st.publication.authors if st.publication is not None else ((st.first_author,) if st.first_author else ())
    merged = Publication(
        doc_id=st.doc_id, number=first, label=st.label or label_of(authors, st.year, f"reference {first}"),
        authors=authors, year=st.year, raw=stub.raw if stub is not None else f"{st.doc_id} reference {first}",
    )
    if stub is not None:
        pubs[pubs.index(stub)] = merged
    else:
        pubs.append(merged)
    st.publication = merged
    st.citation_numbers = numbers
    st.citation_inferred = True
    st.citation_confidence = confidence
