"""Score predicted mentions against a corpus's gold annotations, the way the corpus's own evaluations do.

Two measures, both from the BC5CDR evaluation kit: *mention* (exact document, start, end and type) and
*concept* (per document, the set of (type, concept ID): the "id" measure, a document-level concept F1).
"""
from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kg.concept import Mention
from kg.document import Document
from kg.evaluation.corpus_types import CorpusProfile, is_obsolete_mesh, mesh_descriptors
from kg.evaluation.report import EvalResult, Scores

log = logging.getLogger(__name__)

ALL = "all"
# MeSH supplementary concept records: absent from the descriptor list, and the IDs most often since moved.
_SUPPLEMENTARY = re.compile(r"^C\d{6,9}$")


@dataclass(frozen=True)
class _Gold:
    doc: str
    start: int
    end: int
    text: str
    type: str
    concepts: tuple[frozenset[str], ...]


def _gold(documents: Iterable[Document], profile: CorpusProfile, replaced: Mapping[str, str],
          excluded: Counter) -> list[_Gold]:
    out = []
    for doc in documents:
        for ann in doc.gold:
            scored = profile.scoring_type(ann.type)
            if scored is None:
                excluded[ann.type] += 1
                continue
            concepts = tuple(frozenset(replaced.get(i, i) for i in c) for c in profile.gold_concepts(ann.identifier))
            out.append(_Gold(doc.id, ann.span.start, ann.span.end, ann.text, scored, concepts))
    return out


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> Scores:
    return Scores(tp=tp_p, fp=n_pred - tp_p, fn=n_gold - tp_g)


def _per_type(types: Iterable[str], pred: Mapping[str, int], tp_pred: Mapping[str, int],
              gold: Mapping[str, int], tp_gold: Mapping[str, int]) -> dict[str, Scores]:
    table = {t: _prf(tp_pred.get(t, 0), pred.get(t, 0), tp_gold.get(t, 0), gold.get(t, 0)) for t in types}
    table[ALL] = Scores(tp=sum(s.tp for s in table.values()), fp=sum(s.fp for s in table.values()),
                        fn=sum(s.fn for s in table.values()))
    return table


def score(documents: list[Document], mentions: Iterable[Mention], profile: CorpusProfile, *,
          replaced: Mapping[str, str] | None = None, top: int = 20) -> EvalResult:
    """Score ``mentions`` against the gold annotations of ``documents`` in the terms of ``profile``.

    Predictions whose category the corpus has no type for are left out (and counted); a resolved CURIE is
    turned into the corpus's ID space; an unresolved mention counts for the mention measure only.
    ``replaced`` maps outdated gold IDs onto current ones (MeSH history) when such a mapping is available.
    Gold concepts that are composites (``D1|D2`` in BC5CDR) count as separate concepts; alternatives of
    one concept (NCBI Disease ``|``) are matched by any one of them.
    """
    replaced = replaced or {}
    excluded: Counter = Counter()
    gold = _gold(documents, profile, replaced, excluded)
    doc_ids = {d.id for d in documents}
    types = profile.scored_types

    unscored: Counter = Counter()
    without_id: Counter = Counter()
    pred_spans: set[tuple[str, int, int, str]] = set()
    pred_text: dict[tuple[str, int, int, str], str] = {}
    pred_concepts: set[tuple[str, str, str]] = set()
    for m in mentions:
        if m.doc_id not in doc_ids:
            continue
        t = profile.type_for(m.category)
        if t is None:
            unscored[m.category] += 1
            continue
        key = (m.doc_id, m.start, m.end, t)
        pred_spans.add(key)
        pred_text.setdefault(key, m.text)
        cid = profile.to_corpus_id(m.curie, t)
        if cid:
            pred_concepts.add((m.doc_id, t, cid))
        elif m.curie:
            without_id[m.curie.partition(":")[0]] += 1

    # mention level: exact (doc, start, end, type)
    gold_spans = {(g.doc, g.start, g.end, g.type): g.text for g in gold}
    hit = pred_spans & gold_spans.keys()
    mention = _per_type(types, Counter(k[3] for k in pred_spans), Counter(k[3] for k in hit),
                        Counter(k[3] for k in gold_spans), Counter(k[3] for k in hit))

    # concept level: per document, gold concepts (sets of alternatives) against predicted IDs
    gold_units: set[tuple[str, str, frozenset[str]]] = {(g.doc, g.type, c) for g in gold for c in g.concepts}
    gold_ids_by: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc, t, unit in gold_units:
        gold_ids_by[doc, t] |= unit
    tp_pred = {p for p in pred_concepts if p[2] in gold_ids_by.get((p[0], p[1]), ())}
    matched = {u for u in gold_units if any((u[0], u[1], i) in pred_concepts for i in u[2])}
    concept = _per_type(types, Counter(p[1] for p in pred_concepts), Counter(p[1] for p in tp_pred),
                        Counter(u[1] for u in gold_units), Counter(u[1] for u in matched))

    fp = Counter((pred_text[k], k[3]) for k in pred_spans - hit)
    fn = Counter((gold_spans[k], k[3]) for k in gold_spans.keys() - hit)

    obsolete: Counter = Counter()
    obsolete_missed = 0
    supplementary: set[str] = set()
    if profile.mesh:
        descriptors = mesh_descriptors()
        for gold_unit in gold_units:
            stale = [i for i in gold_unit[2] if is_obsolete_mesh(i, descriptors)]
            obsolete.update(stale)
            supplementary.update(i for i in gold_unit[2] if _SUPPLEMENTARY.match(i))
            if stale and len(stale) == len(gold_unit[2]) and gold_unit not in matched:
                obsolete_missed += 1

    log.info("scored %d documents of %s: %d gold mentions, %d predicted", len(documents), profile.name,
             len(gold_spans), len(pred_spans))
    return EvalResult(
        corpus=profile.name, documents=len(documents), mention=mention, concept=concept,
        false_positives=[(text, t, n) for (text, t), n in _top(fp, top)],
        false_negatives=[(text, t, n) for (text, t), n in _top(fn, top)],
        excluded_types=dict(sorted(excluded.items())), unscored_categories=dict(sorted(unscored.items())),
        without_corpus_id=dict(sorted(without_id.items())),
        obsolete_gold_ids=dict(sorted(obsolete.items())), obsolete_missed=obsolete_missed,
        remapped_gold_ids=len(replaced), supplementary_gold_ids=len(supplementary),
    )


def _top(counter: Counter, n: int) -> list:
    """Most frequent first, ties in a stable (alphabetical) order so reports are reproducible."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
