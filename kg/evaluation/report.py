"""The result of an evaluation run, as JSON for machines and as a plain table for people."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scores:
    """True positives, false positives and false negatives of one type, with P/R/F1 derived from them."""

    tp: int
    fp: int
    fn: int

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def to_json(self) -> dict:
        return {"p": round(self.p, 4), "r": round(self.r, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class EvalResult:
    """Scores per type (named as the corpus names them) plus ``all`` (micro), and what was left out and why.

    ``excluded_types`` counts gold annotations of types kg does not predict (variants, cell lines, ...);
    ``unscored_categories`` counts predictions of categories the corpus does not annotate;
    ``without_corpus_id`` counts, per kg ID prefix, predictions whose ID the corpus's ID space cannot express (a MeSH
    organism in LINNAEUS): they are written and scored without an ID, for the mention measure only;
    ``obsolete_gold_ids`` counts gold MeSH descriptor IDs that MeSH 2026 no longer has, and
    ``obsolete_missed`` how many missed gold concepts have only such IDs (a modern answer cannot match them);
    ``supplementary_gold_ids`` counts distinct gold MeSH supplementary IDs (``C…``), which the descriptor
    list cannot confirm and which MeSH history has often moved to descriptors since the corpus was made.
    ``memorised`` holds the concept scores of the memorisation baseline (kg.evaluation.baseline) on the same
    documents, when the corpus's training split is at hand.
    """

    corpus: str
    documents: int
    mention: dict[str, Scores]
    concept: dict[str, Scores]
    docs_per_s: float = 0.0
    seconds: float = 0.0
    false_positives: list[tuple[str, str, int]] = field(default_factory=list)
    false_negatives: list[tuple[str, str, int]] = field(default_factory=list)
    excluded_types: dict[str, int] = field(default_factory=dict)
    unscored_categories: dict[str, int] = field(default_factory=dict)
    without_corpus_id: dict[str, int] = field(default_factory=dict)
    obsolete_gold_ids: dict[str, int] = field(default_factory=dict)
    obsolete_missed: int = 0
    remapped_gold_ids: int = 0
    supplementary_gold_ids: int = 0
    pipeline: str = ""
    memorised: dict[str, Scores] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "corpus": self.corpus,
            "pipeline": self.pipeline,
            "documents": self.documents,
            "docs_per_s": round(self.docs_per_s, 2),
            "seconds": round(self.seconds, 3),
            "mention": {t: s.to_json() for t, s in self.mention.items()},
            "concept": {t: s.to_json() for t, s in self.concept.items()},
            "memorised_concept": {t: s.to_json() for t, s in self.memorised.items()},
            "false_positives": [{"text": x, "type": t, "count": n} for x, t, n in self.false_positives],
            "false_negatives": [{"text": x, "type": t, "count": n} for x, t, n in self.false_negatives],
            "excluded_types": self.excluded_types,
            "unscored_categories": self.unscored_categories,
            "without_corpus_id": self.without_corpus_id,
            "obsolete_gold_ids": {"distinct": len(self.obsolete_gold_ids),
                                  "occurrences": sum(self.obsolete_gold_ids.values()),
                                  "missed_concepts": self.obsolete_missed,
                                  "ids": self.obsolete_gold_ids},
            "supplementary_gold_ids": self.supplementary_gold_ids,
            "remapped_gold_ids": self.remapped_gold_ids,
        }

    def render_table(self, top: int = 10) -> str:
        """A fixed-width report: the score table, then the most frequent errors and the exclusions."""
        lines = [f"{self.corpus}: {self.documents} documents, {self.docs_per_s:.1f} docs/s"
                 + (f" ({self.pipeline} pipeline)" if self.pipeline else "")]
        width = max([len(t) for t in self.mention] + [4])
        lines.append(f"{'type':<{width}}  {'mention P':>9} {'R':>6} {'F1':>6}   {'concept P':>9} {'R':>6} {'F1':>6}")
        for t in self.mention:
            m, c = self.mention[t], self.concept[t]
            lines.append(f"{t:<{width}}  {m.p:>9.3f} {m.r:>6.3f} {m.f1:>6.3f}   {c.p:>9.3f} {c.r:>6.3f} {c.f1:>6.3f}")
        for title, rows in (("false positives", self.false_positives), ("false negatives", self.false_negatives)):
            if rows:
                lines.append(f"top {title}: " + "; ".join(f"{x!r} {t} x{n}" for x, t, n in rows[:top]))
        if self.excluded_types:
            lines.append("gold types not scored: " + ", ".join(f"{t} ({n})" for t, n in self.excluded_types.items()))
        if self.unscored_categories:
            lines.append("predicted categories the corpus does not annotate: "
                         + ", ".join(f"{t} ({n})" for t, n in self.unscored_categories.items()))
        if self.obsolete_gold_ids:
            lines.append(f"obsolete gold IDs (not MeSH 2026 descriptors): {len(self.obsolete_gold_ids)} distinct, "
                         f"{sum(self.obsolete_gold_ids.values())} concept occurrences, "
                         f"{self.obsolete_missed} of them missed")
        if self.without_corpus_id:
            lines.append("predictions written without an ID (no ID of the corpus's space): "
                         + ", ".join(f"{p} ({n})" for p, n in self.without_corpus_id.items()))
        if self.supplementary_gold_ids:
            lines.append(f"gold MeSH supplementary IDs (C..., unchecked, may have moved since): "
                         f"{self.supplementary_gold_ids} distinct")
        return "\n".join(lines)
