"""Evaluation against gold corpora: run the pipeline on a PubTator file and score it in the corpus's terms.

``evaluate_file`` is what ``kg eval FILE`` calls; ``score`` scores predictions you already have;
``in_corpus_terms`` first writes them as a corpus's annotators would (its conventions, learnt from training
data: forms it leaves unannotated dropped, names it tags inside longer ones added), as ``evaluate_documents``
and ``kg annotate`` do. The heavy stages (ingest, NLP, resolution) are imported only when a file is evaluated.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kg.evaluation.corpus_types import PROFILES, CorpusProfile, detect_corpus
from kg.evaluation.report import EvalResult, Scores

if TYPE_CHECKING:  # pragma: no cover
    from kg.concept import Mention
    from kg.document import Document

__all__ = ["EvalResult", "Scores", "CorpusProfile", "PROFILES", "detect_corpus", "score",
           "predict", "predict_resolution", "resolved_mentions", "drop_unconventional", "in_corpus_terms",
           "evaluate_documents", "evaluate_file"]

log = logging.getLogger(__name__)


def score(documents, mentions, profile, **kwargs) -> EvalResult:
    """See :func:`kg.evaluation.scoring.score`."""
    from kg.evaluation.scoring import score as _score

    return _score(documents, mentions, profile, **kwargs)


def drop_unconventional(mentions, profile, conventions=None) -> list[Mention]:
    """See :func:`kg.evaluation.conventions.drop_unconventional`."""
    from kg.evaluation.conventions import drop_unconventional as _drop

    return _drop(mentions, profile, conventions)


def in_corpus_terms(mentions: Iterable[Mention], profile: CorpusProfile | None, vocabulary) -> list[Mention]:
    """``mentions`` as ``profile``'s corpus writes them: strains as their species where its annotators do so
    (:mod:`kg.evaluation.strains`), the names it tags inside longer mentions added (:mod:`kg.evaluation.nesting`),
    the forms it leaves unannotated dropped (:mod:`kg.evaluation.conventions`). Unchanged without a profile."""
    mentions = list(mentions)
    if profile is None:
        return mentions
    from kg.evaluation.nesting import add_nested

    if profile.strains_as_species:
        from kg.evaluation.strains import strains_as_species

        mentions = strains_as_species(mentions, vocabulary)
    return drop_unconventional(add_nested(mentions, profile, vocabulary), profile)


def predict_resolution(documents: list[Document], nlp, vocabulary, *, progress: bool = False):
    """The pipeline's mentions of ``documents``, resolved into entities (a ``kg.resolve`` Resolution)."""
    from kg.nlp import annotate
    from kg.resolve import long_form_concept, resolve

    mentions = annotate(documents, nlp, progress=progress, long_forms=long_form_concept)
    return resolve(documents, mentions, vocabulary)


def predict(documents: list[Document], nlp, vocabulary, *, progress: bool = False) -> list[Mention]:
    """Every mention the pipeline finds, resolved where the resolver could (unresolved ones keep no CURIE)."""
    return resolved_mentions(predict_resolution(documents, nlp, vocabulary, progress=progress))


def resolved_mentions(resolution) -> list[Mention]:
    """A resolution's mentions: those of its entities, then the unresolved ones (no CURIE)."""
    from kg.concept import Mention

    mentions = [m for entity in resolution.entities for m in entity.mentions]
    mentions += [m for m in getattr(resolution, "unresolved", ()) if isinstance(m, Mention)]
    return mentions


def evaluate_documents(documents: list[Document], *, pipeline: str = "dictionary",
                       profile: CorpusProfile | None = None, replaced: Mapping[str, str] | None = None,
                       top: int = 20) -> EvalResult:
    """Run ``pipeline`` over gold ``documents`` and score it.

    docs/s times annotation and resolution, after one warm-up document.
    """
    from kg.nlp import load_pipeline
    from kg.vocabulary import load_vocabulary

    profile = profile or detect_corpus(_gold_types(documents), documents[0].source if documents else "")
    vocabulary = load_vocabulary().in_corpus_terms()  # gold corpora were annotated with older MeSH
    nlp = load_pipeline(pipeline, vocabulary=vocabulary)  # one vocabulary for NER and resolution
    predict(documents[:1], nlp, vocabulary)  # matchers and indexes load lazily; docs/s times the work alone
    started = time.perf_counter()
    mentions = predict(documents, nlp, vocabulary)
    seconds = time.perf_counter() - started
    result = score(documents, in_corpus_terms(mentions, profile, vocabulary), profile, replaced=replaced, top=top)
    result.seconds = seconds
    result.docs_per_s = len(documents) / seconds if seconds > 0 else 0.0
    result.pipeline = pipeline
    from kg.evaluation.baseline import baseline_result

    baseline = baseline_result(documents, profile.name, profile)
    result.memorised = baseline.concept if baseline is not None else {}
    return result


def evaluate_file(path: str | Path, pipeline: str = "dictionary", *, limit: int | None = None,
                  replaced: Mapping[str, str] | None = None, heldout: bool = False) -> EvalResult:
    """Evaluate ``pipeline`` on one PubTator gold file; the corpus is detected from its gold types.

    ``limit`` evaluates only the first N documents (for quick checks).
    """
    from kg.errors import InputError
    from kg.ingest import read_paths

    path = Path(path)
    documents = [d for d in read_paths([path]) if d.format == "pubtator"]
    if not documents:
        raise InputError(f"{path} holds no PubTator documents; `kg eval` needs a gold corpus in PubTator format")
    if heldout:  # training-only corpora: score the fifth kept out of the vocabulary's training pairs
        from kg.vocabulary.sources.corpora import is_heldout

        documents = [d for d in documents if is_heldout(d.id)]
    if limit is not None:
        documents = documents[:limit]
    profile = detect_corpus(_gold_types(documents), path.name)
    return evaluate_documents(documents, pipeline=pipeline, profile=profile, replaced=replaced)


def _gold_types(documents: Iterable[Document]) -> set[str]:
    return {g.type for d in documents for g in d.gold}
