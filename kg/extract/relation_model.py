"""The learned relation extractor: linear models over entity-pair features, trained here on the corpora's
training splits (``training/train_relations.py``) and shipped as plain JSON weights in ``models/relations/``.

Each model file has heads: ``pair`` (is the pair related at all?), ``prior`` where trained (the same question,
knowing which two concepts they are: the corpus's prior, read in abstracts, the texts it was learnt from, never in
reviews), and where the corpus annotates them ``type`` (which relation) and ``novelty`` (a finding of this paper,
or background?). A head is a multinomial logistic regression stored as ``{feature: [weight per label]}``; scoring
a pair is the sum of its features' weights and a softmax, so no learning library is needed to apply it. Which graph
relation each label becomes is data (``ontologies/extraction/learned_relations.tsv``): the Biolink predicate comes
from ``predicates.tsv`` as for every rule-made relation.
"""
from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from kg.extract.context import DocumentContext
from kg.extract.facts import Evidence, Relation
from kg.extract.lexicon import lexicon, read_tsv
from kg.extract.pairs import Pair, candidate_pairs

log = logging.getLogger(__name__)

__all__ = ["Head", "RelationModel", "learned_relations", "load_models", "unstated"]


@dataclass(frozen=True)
class Head:
    """One softmax classifier: labels, per-feature weight rows, and the probability the first non-null label needs."""

    labels: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]
    threshold: float = 0.5
    _columns: tuple[dict[str, float], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # one weight map per label: a score is then one C-level pass over the features (the rows were gathered and
        # transposed in Python, a second of a 500-abstract build); the same sums, term by term, in feature order
        columns = tuple({f: row[j] for f, row in self.weights.items()} for j in range(len(self.labels)))
        object.__setattr__(self, "_columns", columns)

    def probabilities(self, features: tuple[str, ...]) -> dict[str, float]:
        scores = [b + sum(map(column.get, features, repeat(0.0))) for b, column in zip(self.bias, self._columns)]
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {label: e / total for label, e in zip(self.labels, exp)}

    @classmethod
    def from_json(cls, data: dict) -> Head:
        return cls(tuple(data["labels"]), {k: tuple(v) for k, v in data["weights"].items()}, tuple(data["bias"]),
                   float(data.get("threshold", 0.5)))

    def to_json(self) -> dict:
        return {"labels": list(self.labels), "bias": list(self.bias), "threshold": self.threshold,
                "weights": {k: list(v) for k, v in sorted(self.weights.items())}}


@dataclass(frozen=True)
class RelationModel:
    """A corpus's trained heads and the entity-pair types (``chemical|disease``) it was trained on."""

    name: str
    pair_types: frozenset[str]
    pair: Head
    type: Head | None = None
    novelty: Head | None = None
    trained_on: str = ""
    prior: Head | None = None

    def related(self, pair: Pair, *, prior: bool = False) -> tuple[str, float] | None:
        """The relation label and its probability when the pair is predicted related, else None; with ``prior``, by
        the head that knows the two concepts (where the model has one)."""
        if pair.types not in self.pair_types:
            return None
        head, features = (self.prior, pair.with_concepts) if prior and self.prior else (self.pair, pair.features)
        p = head.probabilities(features)[head.labels[-1]]
        if p < head.threshold:
            return None
        if self.type is None:
            return self.pair.labels[-1], p
        types = self.type.probabilities(pair.features)
        return max(types, key=lambda k: types[k]), p

    def novel(self, pair: Pair) -> bool | None:
        if self.novelty is None:
            return None
        return self.novelty.probabilities(pair.features).get("Novel", 0.0) >= self.novelty.threshold

    @classmethod
    def load(cls, path: Path) -> RelationModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        heads = {k: Head.from_json(v) for k, v in data["heads"].items()}
        return cls(data["name"], frozenset(data["pair_types"]), heads["pair"], heads.get("type"),
                   heads.get("novelty"), data.get("trained_on", ""), heads.get("prior"))

    def save(self, path: Path) -> None:
        from kg.atomic import atomic_write_text

        heads = {"pair": self.pair.to_json()}
        if self.prior is not None:
            heads["prior"] = self.prior.to_json()
        if self.type is not None:
            heads["type"] = self.type.to_json()
        if self.novelty is not None:
            heads["novelty"] = self.novelty.to_json()
        data = {"name": self.name, "trained_on": self.trained_on, "pair_types": sorted(self.pair_types),
                "heads": heads}
        atomic_write_text(path, json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n")


@functools.cache
def label_kinds() -> dict[tuple[str, str], str]:
    """(model, label) -> the relation kind (a key of ``predicates.tsv``) the graph writes it as."""
    return {(r["model"], r["label"]): r["kind"] for r in read_tsv("learned_relations.tsv")}


@functools.cache
def load_models() -> tuple[RelationModel, ...]:
    """The shipped models (``models/relations/*.json``); none when they are absent, with a warning."""
    from kg.paths import models_dir

    folder = models_dir() / "relations"
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not paths:
        log.warning("no relation models in %s: only the rule-based relations are extracted "
                    "(train them with `python training/train_relations.py`)", folder)
    return tuple(RelationModel.load(p) for p in paths)


REVIEW_MIN_PROBABILITY = 0.7  # chosen on the development reviews: at 0.5 about half of what a reader reads was wrong
PROSE = frozenset({"paragraph", "abstract", "list_item"})  # not captions, glossaries, table cells or titles


def learned_relations(ctx: DocumentContext, models: tuple[RelationModel, ...] | None = None) -> list[Relation]:
    """Relations the learned models predict between the document's entity pairs.

    An abstract is read as the models were trained (every pair, each head's F1-optimal threshold, the corpus's
    concept prior). A review is read for precision (:func:`_reads_as_claim`, ``REVIEW_MIN_PROBABILITY``, no prior):
    the models learnt on abstracts, and a review's paragraphs name many entities they relate to nothing.
    """
    models = load_models() if models is None else models
    if not models:
        return []
    review = ctx.doc.is_review
    prose = [(b.span.start, b.span.end) for b in ctx.doc.blocks if b.kind in PROSE]
    kinds, out = label_kinds(), []
    for pair in candidate_pairs(ctx):
        if review and not _reads_as_claim(ctx, pair, prose):
            continue
        for model in models:
            found = model.related(pair, prior=not review)
            if found is None:
                continue
            label, p = found
            if review and p < REVIEW_MIN_PROBABILITY:
                continue
            if review:
                label = _review_reading(pair, label)
            kind = kinds.get((model.name, label))
            if kind is None:
                continue
            out.append(_relation(ctx, pair, kind, p, model.novel(pair), model.name, label))
    return out


def _review_reading(pair: Pair, label: str) -> str:
    """A review speaks of drugs "treating" or "showing efficacy for" a disease far more than the abstracts the type
    head learnt from: a chemical–disease pair read as positively correlated with a treatment cue and no
    adverse-event cue between its members is BioRED's negative correlation (a drug that treats a disease)."""
    if pair.types != "chemical|disease" or label != "Positive_Correlation":
        return label
    if "cue_between:treatment" in pair.features and "cue_between:adverse" not in pair.features:
        return "Negative_Correlation"
    return label


def _reads_as_claim(ctx: DocumentContext, pair: Pair, prose: list[tuple[int, int]]) -> bool:
    """Could a review's sentence relate the pair at all? Only if both are named in one sentence of running text
    (``prose`` blocks) that states a finding (not the review's own method, a legend, a table, a heading), and not
    when one member is only the population ("in patients with TRD"), a comparator ("than placebo"), or a substance
    being used ("cocaine-seeking", "alcohol use"); never for two chemicals: in a review those are combinations and
    comparisons, which no model here learnt."""
    from kg.extract.clauses import names_comparator, names_population
    from kg.extract.context import makes_no_claim
    from kg.extract.relations import describes_review_method, is_substance_used

    start, _ = pair.sentence
    if not pair.together or pair.types == "chemical|chemical" or not any(lo <= start < hi for lo, hi in prose):
        return False
    if describes_review_method(ctx, pair.sentence) or makes_no_claim(ctx, pair.sentence):
        return False
    text = ctx.doc.text
    inside = pair.sentence_hits()
    for h in inside:
        other = [o.end for o in inside if o.curie != h.curie and o.end <= h.start]
        if names_comparator(text[start:h.start]):
            return False
        if h.category == "chemical" and is_substance_used(text, h):
            return False
        if h.category in ("disease", "phenotype") and other and names_population(text, h.start, h.end, max(other)):
            return False
    return True


def unstated(learned: list[Relation], stated: list[Relation]) -> list[Relation]:
    """The learned relations of pairs that no rule or statistic already relates in the same sentence: in a review a
    cue rule or a stated ratio says more (direction, mechanism, a ratio below 1) than a pair model can."""
    seen = {(r.doc_id, r.evidence.start, frozenset((r.subject, r.object))) for r in stated}
    return [r for r in learned if (r.doc_id, r.evidence.start, frozenset((r.subject, r.object))) not in seen]


def _relation(ctx: DocumentContext, pair: Pair, kind: str, p: float, novel: bool | None, model: str,
              label: str) -> Relation:
    start, end = pair.sentence
    text = ctx.doc.text[start:end]
    evidence = Evidence(ctx.doc.id, start, end, text, tuple((h.start, h.end, h.curie) for h in pair.sentence_hits()))
    a = next((h for h in pair.hits_a if start <= h.start), pair.hits_a[0])
    b = next((h for h in pair.hits_b if start <= h.start), pair.hits_b[0])
    return Relation(ctx.doc.id, pair.a, kind, pair.b, evidence, confidence=round(p, 2),
                    hedged=lexicon().has(text, "hedge"), endpoints=(a, b), novel=novel, method=f"{model}:{label}")
