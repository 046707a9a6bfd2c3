"""One table over several evaluation runs: what `make eval` prints for every development split."""
from __future__ import annotations

from pathlib import Path


def uses_heldout(path: str | Path) -> bool:
    """True when ``path`` is the training file of a corpus without a development split.

    Such corpora lend their training pairs to the broad vocabulary except for a held-out fifth, which is
    then the only fair part to score.
    """
    from kg.vocabulary.sources.corpora import CORPORA

    path = Path(path).resolve()
    return any(not c.has_development and path.as_posix().endswith(c.training) for c in CORPORA.values())


def render_summary(results) -> str:
    """Rows of (corpus, split, type, concept F1, mention F1, memorised, docs/s) for ``(path, heldout, EvalResult)``."""
    lines = ["", "summary: document-level concept F1 (BC5CDR 'id' measure) and mention F1, per type; memorised: the",
             "concept F1 of tagging the training split's own mention strings with their IDs (kg.evaluation.baseline)",
             f"{'corpus':<14}{'split':<10}{'type':<28}{'concept F1':>11}{'mention F1':>11}{'memorised':>10}"
             f"{'docs/s':>9}"]
    for _path, heldout, result in results:
        split = "held-out" if heldout else "dev"
        for type_name, scores in result.concept.items():
            mention = result.mention.get(type_name)
            memorised = result.memorised.get(type_name)
            lines.append(f"{result.corpus:<14}{split:<10}{type_name:<28}{scores.f1:>11.3f}"
                         f"{(mention.f1 if mention else 0.0):>11.3f}"
                         f"{(f'{memorised.f1:.3f}' if memorised else '-'):>10}{result.docs_per_s:>9.0f}")
    return "\n".join(lines)
