"""Forms a gold corpus's annotators leave unannotated, learnt from its training split, dropped from its output.

Annotation guidelines differ: LINNAEUS and S800 do not tag "patients" as human, BioRED does. Our predictions
are corpus-neutral (and stay so in ``kg build``), so when we write or score them *in one corpus's terms* we
drop the forms that corpus's annotators leave unannotated most of the time. The table is learnt from each
corpus's TRAINING split only (training-only corpora without their held-out fifth, which is their development
set) by ``python -m kg.evaluation.conventions``, and shipped as ``ontologies/evaluation/conventions.tsv``.
"""
from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kg.paths import ontologies_dir

if TYPE_CHECKING:  # pragma: no cover
    from kg.concept import Mention
    from kg.document import Document
    from kg.evaluation.corpus_types import CorpusProfile

__all__ = ["CONVENTIONS_FILE", "MIN_PREDICTED", "MAX_ANNOTATED_SHARE", "form_key", "learn_conventions",
           "load_conventions", "drop_unconventional", "write_conventions", "build_conventions"]

log = logging.getLogger(__name__)

CONVENTIONS_FILE = ontologies_dir() / "evaluation" / "conventions.tsv"
MIN_PREDICTED = 3  # fewer predicted occurrences say nothing about the guidelines
MAX_ANNOTATED_SHARE = 0.2  # a form annotated at fewer than this share of its predicted occurrences is dropped
_COLUMNS = ("corpus", "form", "category", "predicted", "annotated")

Conventions = Mapping[str, frozenset[tuple[str, str]]]  # corpus -> {(form key, kg category)}


def form_key(text: str) -> str:
    """The surface form conventions are keyed by: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


def learn_conventions(documents: Iterable[Document], mentions: Iterable[Mention], profile: CorpusProfile, *,
                      min_predicted: int = MIN_PREDICTED,
                      max_share: float = MAX_ANNOTATED_SHARE) -> list[tuple[str, str, int, int]]:
    """(form, category, predicted, annotated) for every form the corpus leaves unannotated most of the time.

    An occurrence is annotated when a gold annotation of the same scored type has exactly its span; each
    predicted span counts once. Only categories the corpus scores are considered.
    """
    gold = {(d.id, g.span.start, g.span.end, profile.scoring_type(g.type)) for d in documents for g in d.gold}
    doc_ids = {d.id for d in documents}
    seen: set[tuple[str, int, int, str]] = set()
    predicted: Counter = Counter()
    annotated: Counter = Counter()
    for m in mentions:
        t = profile.type_for(m.category)
        if t is None or m.doc_id not in doc_ids or (m.doc_id, m.start, m.end, m.category) in seen:
            continue
        seen.add((m.doc_id, m.start, m.end, m.category))
        key = (form_key(m.text), m.category)
        predicted[key] += 1
        annotated[key] += (m.doc_id, m.start, m.end, t) in gold
    return sorted((form, cat, n, annotated[form, cat]) for (form, cat), n in predicted.items()
                  if form and n >= min_predicted and annotated[form, cat] < max_share * n)


def corpus_table(path: Path, columns: tuple[str, ...], key_width: int) -> dict[str, frozenset[tuple[str, ...]]]:
    """corpus -> the first ``key_width`` columns after the corpus of each row of a learnt TSV (``#`` comments and
    the header row ``columns`` skipped); shared by this table and :mod:`kg.evaluation.nesting`'s."""
    table: dict[str, set[tuple[str, ...]]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if tuple(fields) == columns or len(fields) < key_width + 1:
                continue
            table.setdefault(fields[0], set()).add(tuple(fields[1:key_width + 1]))
    return {corpus: frozenset(rows) for corpus, rows in table.items()}


@functools.cache
def _load(path: Path) -> dict[str, frozenset[tuple[str, str]]]:
    if not path.is_file():
        log.warning("no corpus conventions at %s; run `python -m kg.evaluation.conventions` to learn them", path)
        return {}
    return corpus_table(path, _COLUMNS, 2)  # type: ignore[return-value]


def load_conventions(path: str | Path | None = None) -> dict[str, frozenset[tuple[str, str]]]:
    """corpus name -> {(form, category)} its annotators leave unannotated (cached per file)."""
    return _load(Path(path) if path is not None else CONVENTIONS_FILE)


def drop_unconventional(mentions: Iterable[Mention], profile: CorpusProfile | None,
                        conventions: Conventions | None = None) -> list[Mention]:
    """``mentions`` without those whose form and category ``profile``'s corpus does not annotate.

    With no profile (corpus-neutral output) every mention is kept.
    """
    mentions = list(mentions)
    if profile is None:
        return mentions
    dropped = (conventions if conventions is not None else load_conventions()).get(profile.name, frozenset())
    if not dropped:
        return mentions
    kept = [m for m in mentions if (form_key(m.text), m.category) not in dropped]
    log.info("%s conventions: dropped %d of %d predicted mentions", profile.name, len(mentions) - len(kept),
             len(mentions))
    return kept


def write_conventions(rows: Mapping[str, list[tuple[str, str, int, int]]], path: str | Path,
                      header: Iterable[str] = ()) -> int:
    """Write ``corpus -> rows`` as the conventions TSV (``#`` header lines first); returns the row count."""
    from kg.atomic import atomic_write_text

    lines = [f"# {h}" for h in header] + ["\t".join(_COLUMNS)]
    lines += ["\t".join((corpus, form, cat, str(n), str(a))) for corpus in sorted(rows)
              for form, cat, n, a in rows[corpus]]
    atomic_write_text(Path(path), "\n".join(lines) + "\n")
    _load.cache_clear()
    return sum(len(r) for r in rows.values())


def build_conventions(path: str | Path = CONVENTIONS_FILE, *, pipeline: str = "dictionary",
                      shared: Path | None = None, nesting_path: str | Path | None = None) -> int:
    """Learn every corpus's conventions from its training split with ``pipeline`` and write them to ``path``:
    the forms it leaves unannotated, and (to ``nesting_path``, :mod:`kg.evaluation.nesting`) the names it
    annotates inside longer mentions."""
    from kg.errors import InputError
    from kg.evaluation import predict
    from kg.evaluation.corpus_types import PROFILES
    from kg.evaluation.nesting import MIN_FOUND, MIN_SHARE, NESTING_FILE, learn_nesting, write_nesting
    from kg.ingest import read_paths
    from kg.nlp import load_pipeline
    from kg.vocabulary import load_vocabulary
    from kg.vocabulary.sources.corpora import CORPORA, is_heldout, shared_dir

    root = (shared or shared_dir()) / "eval"
    vocabulary = load_vocabulary().in_corpus_terms()  # the corpora's own readings and NER conventions
    nlp = load_pipeline(pipeline, vocabulary=vocabulary)
    rows: dict[str, list[tuple[str, str, int, int]]] = {}
    nested: dict[str, list[tuple[str, str, str, int, int]]] = {}
    used = []
    for name, corpus in CORPORA.items():
        file = root / corpus.training
        if not file.is_file():
            log.warning("%s: no training split at %s; its conventions are not learnt", name, file)
            continue
        documents = [d for d in read_paths([file]) if d.format == "pubtator"]
        if not corpus.has_development:
            documents = [d for d in documents if not is_heldout(d.id)]
        if not documents:
            raise InputError(f"{file} holds no PubTator documents; check the corpus download")
        mentions = predict(documents, nlp, vocabulary)
        rows[name] = learn_conventions(documents, mentions, PROFILES[name])
        nested[name] = learn_nesting(documents, mentions, PROFILES[name], vocabulary)
        used.append(f"{corpus.training} ({len(documents)} documents)")
        log.info("%s: %d forms left unannotated, %d kinds of nested names", name, len(rows[name]), len(nested[name]))
    made = [
        f"Made by `python -m kg.evaluation.conventions` ({pipeline} pipeline) from TRAINING splits only;",
        "training-only corpora without their held-out fifth (kg.vocabulary.sources.corpora.is_heldout):",
        *(f"  {u}" for u in used),
    ]
    write_nesting(nested, nesting_path or NESTING_FILE, [
        "Longer mentions (by kg category and last word) whose first words name a concept the corpus annotates",
        f"nested inside them: exact-span gold annotations of the scored type at >= {MIN_SHARE:.0%} of >= {MIN_FOUND}",
        "occurrences (kg.evaluation.nesting).", *made,
        "found/annotated: occurrence counts of the nested name.",
    ])
    header = [
        "Forms our pipeline predicts in a category the corpus scores that the corpus's annotators leave",
        f"unannotated: exact-span gold annotations of the scored type at < {MAX_ANNOTATED_SHARE:.0%} of >= "
        f"{MIN_PREDICTED} predicted occurrences.", *made,
        "form: case-folded surface text; category: kg category; predicted/annotated: occurrence counts.",
    ]
    return write_conventions(rows, path, header)


def main() -> None:
    """``python -m kg.evaluation.conventions [OUT [NESTING_OUT]]``: relearn the shipped conventions tables."""
    import sys

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else CONVENTIONS_FILE
    nesting = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    print(f"wrote {build_conventions(out, nesting_path=nesting)} forms to {out}")


if __name__ == "__main__":
    main()
