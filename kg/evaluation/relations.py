"""Document-level relations in a corpus's own terms, and their scores against its gold relation lines.

The relations are those extraction puts in the graph (rules and learned models alike); which corpus type each
relation kind is written as is data (``ontologies/evaluation/relation_types.tsv``). A document's relation is an
unordered pair of corpus identifiers with one type (and, for BioRED, novelty), as BioCreative V CID and
BioCreative VIII BioRED score them: pair, pair + type, pair + type + novelty.
"""
from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.evaluation.corpus_types import CorpusProfile
from kg.evaluation.report import Scores

if TYPE_CHECKING:  # pragma: no cover
    from kg.document import Document
    from kg.extract.facts import Relation

__all__ = ["CorpusRelation", "RelationResult", "corpus_relations", "generic_relations", "relation_lines",
           "score_relations", "evaluate_relations_file", "predict_relations"]

RELATION_CORPORA = ("bc5cdr", "biored")


@dataclass(frozen=True)
class CorpusRelation:
    """One document-level relation as a corpus writes it: ``PMID  type  id1  id2  [novelty]``."""

    doc_id: str
    type: str
    id1: str
    id2: str
    novelty: str = ""
    evidence: str = field(default="", compare=False)
    confidence: float = field(default=1.0, compare=False)

    @property
    def pair(self) -> tuple[str, frozenset[str]]:
        return self.doc_id, frozenset((self.id1, self.id2))

    def line(self, pmid: str) -> str:
        cols = [pmid, self.type, self.id1, self.id2] + ([self.novelty] if self.novelty else [])
        return "\t".join(cols)


@functools.cache
def kind_types(corpus: str) -> tuple[tuple[str, str], ...]:
    """(kind, corpus type) rows for ``corpus``, in priority order; the rule-made fallback rows only when no learned
    model of the corpus is installed."""
    from kg.extract.relation_model import load_models
    from kg.paths import ontologies_dir

    path = ontologies_dir() / "evaluation" / "relation_types.tsv"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    learned = any(m.name == corpus for m in load_models())
    return tuple((r["kind"], r["type"]) for r in rows
                 if r["corpus"] == corpus and not (learned and r["fallback"] == "yes"))


def corpus_relations(doc: Document, relations: Iterable[Relation], profile: CorpusProfile) -> list[CorpusRelation]:
    """The document's relations as ``profile``'s corpus types them: one per pair of corpus IDs, negated claims
    left out, the highest-priority kind naming the type; pairs of types the corpus does not relate are dropped."""
    priority = {kind: (i, t) for i, (kind, t) in enumerate(kind_types(profile.name))}
    best: dict[frozenset[str], tuple[int, float, CorpusRelation]] = {}
    for r in relations:
        if r.doc_id != doc.id or r.negated or r.kind not in priority:
            continue
        id1, id2 = profile.to_corpus_id(r.subject), profile.to_corpus_id(r.object)
        if not id1 or not id2 or id1 == id2:
            continue
        rank, type_ = priority[r.kind]
        novelty = ""
        if profile.name == "biored":  # no novelty head: BioRED's majority reading (68% of its training relations)
            novelty = "No" if r.novel is False else "Novel"
        candidate = CorpusRelation(doc.id, type_, id1, id2, novelty, r.evidence.text, r.confidence)
        key = frozenset((id1, id2))
        if key not in best or (rank, -r.confidence) < best[key][:2]:
            best[key] = (rank, -r.confidence, candidate)
    return [c for _, _, c in sorted(best.values(), key=lambda v: (v[2].id1, v[2].id2))]


def generic_relations(doc: Document, relations: Iterable[Relation]) -> list[CorpusRelation]:
    """The document's relations in kg's own terms (kind, subject CURIE, object CURIE), for text of no corpus."""
    rows = {CorpusRelation(doc.id, r.kind, r.subject, r.object, "", r.evidence.text)
            for r in relations if r.doc_id == doc.id and not r.negated}
    return sorted(rows, key=lambda c: (c.id1, c.id2, c.type))


def relation_lines(documents: Iterable[Document], relations: Iterable[Relation], profile: CorpusProfile) -> list[str]:
    """Relation lines in the corpus's PubTator form, document by document."""
    rels = list(relations)
    return [c.line(doc.pmid or doc.id) for doc in documents for c in corpus_relations(doc, rels, profile)]


@dataclass
class RelationResult:
    corpus: str
    documents: int
    levels: dict[str, Scores]
    false_positives: list[tuple[CorpusRelation, str]] = field(default_factory=list)
    false_negatives: list[tuple[CorpusRelation, str]] = field(default_factory=list)
    anchors: dict[str, float] = field(default_factory=dict)
    reachable: tuple[int, int] | None = None  # gold pairs with both members among kg's entities, of all gold pairs

    def render(self, top: int = 10) -> str:
        lines = [f"relations ({self.corpus}, {self.documents} documents)"]
        if self.reachable is not None:
            n, total = self.reachable
            lines.append(f"gold pairs whose two members kg found (the ceiling of pair recall): {n} of {total}"
                         f" ({n / max(total, 1):.0%})")
        lines.append(f"{'level':<22}{'tp':>6}{'fp':>6}{'fn':>6}{'P':>8}{'R':>8}{'F1':>8}{'anchor':>9}")
        for level, s in self.levels.items():
            anchor = self.anchors.get(level)
            lines.append(f"{level:<22}{s.tp:>6}{s.fp:>6}{s.fn:>6}{s.p:>8.3f}{s.r:>8.3f}{s.f1:>8.3f}"
                         f"{'' if anchor is None else f'{anchor:>9.3f}'}")
        for title, rows in (("most confident false positives", self.false_positives),
                            ("false negatives", self.false_negatives)):
            if rows:
                lines.append(f"{title}:")
                lines += [f"  {c.doc_id} {c.type} {c.id1} {c.id2}: {why[:110]}" for c, why in rows[:top]]
        return "\n".join(lines)

    def to_json(self) -> dict:
        out: dict = {"corpus": self.corpus, "documents": self.documents,
                     "levels": {k: s.to_json() for k, s in self.levels.items()}}
        if self.reachable is not None:
            out["reachable_gold_pairs"], out["gold_pairs"] = self.reachable
        return out


#: End-to-end anchors (system's own entities): BioCreative V CID best team; BioCreative VIII BioRED subtask 2 best.
ANCHORS = {"bc5cdr": {"pair": 0.570}, "biored": {"pair": 0.558, "pair+type": 0.430, "pair+type+novelty": 0.328}}


def _gold(doc: Document) -> list[CorpusRelation]:
    return [CorpusRelation(doc.id, g.type, g.id1, g.id2, g.novelty) for g in doc.gold_relations]


def score_relations(documents: list[Document], predicted: list[CorpusRelation], profile: CorpusProfile,
                    top: int = 20, found: Mapping[str, set[str]] | None = None) -> RelationResult:
    """Pair, pair + type and (BioRED) pair + type + novelty P/R/F1, with errors and their sentences.

    ``found`` (document -> the corpus IDs of kg's entities there) tells a missed pair whose members kg never found
    from one the extractor missed, and gives the ceiling of pair recall."""
    gold = [g for d in documents for g in _gold(d)]
    keys = {"pair": lambda c: c.pair, "pair+type": lambda c: (c.pair, c.type)}
    if profile.name == "biored":
        keys["pair+type+novelty"] = lambda c: (c.pair, c.type, c.novelty)
    levels = {}
    for level, key in keys.items():
        g, p = {key(c) for c in gold}, {key(c) for c in predicted}
        levels[level] = Scores(len(g & p), len(p - g), len(g - p))
    gold_pairs = {c.pair for c in gold}
    pred_pairs = {c.pair for c in predicted}
    by_id = {d.id: d for d in documents}
    fps = [(c, c.evidence or "") for c in predicted if c.pair not in gold_pairs]
    fns = [(c, _missed_because(by_id[c.doc_id], c, found)) for c in gold if c.pair not in pred_pairs]
    fps = sorted(fps, key=lambda x: -x[0].confidence)[:top]  # the most confident errors first
    reachable = None
    if found is not None:
        pairs = {c.pair for c in gold}
        reachable = (sum(1 for doc_id, ids in pairs if ids <= found.get(doc_id, set())), len(pairs))
    return RelationResult(profile.name, len(documents), levels, fps, fns[:top], ANCHORS.get(profile.name, {}),
                          reachable)


def _missed_because(doc: Document, c: CorpusRelation, found: Mapping[str, set[str]] | None) -> str:
    missing = [i for i in (c.id1, c.id2) if found is not None and i not in found.get(doc.id, set())]
    if missing:
        return f"kg found no entity {' nor '.join(missing)}; " + _shared_sentence(doc, c)
    return _shared_sentence(doc, c)


def _shared_sentence(doc: Document, c: CorpusRelation) -> str:
    """A sentence of ``doc`` where gold mentions of both entities occur, else why there is none."""
    from kg.extract.context import split_sentences

    spans = {i: [g.span for g in doc.gold if i in g.identifier.split(",") or i in g.identifier.split("|")]
             for i in (c.id1, c.id2)}
    for start, end in split_sentences(doc.text, 0, len(doc.text)):
        if all(any(start <= s.start < end for s in spans[i]) for i in spans):
            return doc.text[start:end]
    return "(never named in one sentence)"


def predict_relations(documents: list[Document], pipeline: str = "dictionary", *, progress: bool = False,
                      in_corpus_terms: bool = True) -> list[Relation]:
    """Run the pipeline and extraction over ``documents``; every relation the graph would hold."""
    return _run(documents, pipeline, progress=progress, in_corpus_terms=in_corpus_terms)[1]


def _run(documents: list[Document], pipeline: str, *, progress: bool, in_corpus_terms: bool = True):
    """(resolution, relations) of ``documents``."""
    from kg.evaluation import predict_resolution
    from kg.extract import extract
    from kg.nlp import load_pipeline
    from kg.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    if in_corpus_terms:
        vocabulary = vocabulary.in_corpus_terms()
    nlp = load_pipeline(pipeline, vocabulary=vocabulary)
    resolution = predict_resolution(documents, nlp, vocabulary, progress=progress)
    return resolution, extract(documents, resolution).relations


def evaluate_relations_file(path: str | Path, pipeline: str = "dictionary", *, limit: int | None = None,
                            progress: bool = False) -> RelationResult:
    """Score the relations extracted from a gold PubTator file against its relation lines."""
    from kg.errors import InputError
    from kg.evaluation import _gold_types, detect_corpus
    from kg.ingest import read_paths

    path = Path(path)
    documents = [d for d in read_paths([path]) if d.format == "pubtator"]
    if limit is not None:
        documents = documents[:limit]
    if not any(d.gold_relations for d in documents):
        raise InputError(f"{path} has no relation lines (PMID<TAB>type<TAB>id1<TAB>id2); "
                         "`kg eval --relations` needs BC5CDR or BioRED gold relations")
    profile = detect_corpus(_gold_types(documents), path.name)
    if profile.name not in RELATION_CORPORA:
        raise InputError(f"{path}: relations are scored for {' and '.join(RELATION_CORPORA)}, not {profile.name}")
    resolution, relations = _run(documents, pipeline, progress=progress)
    predicted = [c for d in documents for c in corpus_relations(d, relations, profile)]
    found: dict[str, set[str]] = {}
    for entity in resolution.entities:
        for m in entity.mentions:
            found.setdefault(m.doc_id, set()).add(profile.to_corpus_id(m.curie))
    return score_relations(documents, predicted, profile, found=found)
