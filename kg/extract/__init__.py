"""Extraction: what a review says about its entities, as facts that can be linked and traced to their sentences.

``extract(documents, resolution) -> Facts`` runs, per document: publications and citations, studies from evidence
tables and from the sentences that describe them, sentence-level relations from the cue rules and entity-pair
relations from the learned models (``kg.extract.relation_model``), then statistics (which may add the
adverse-event relations they quantify).
The rules read their cue words from ``ontologies/extraction/`` and apply to any review or abstract.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from kg.extract.facts import Citation, Evidence, Facts, Outcome, Publication, Relation, Statistic, Study

if TYPE_CHECKING:
    from kg.concept import Entity
    from kg.document import Document

__all__ = ["Citation", "Evidence", "Facts", "Outcome", "Publication", "Relation", "Statistic", "Study", "extract"]

log = logging.getLogger(__name__)


class _Resolution(Protocol):
    entities: list[Entity]


def extract(documents: list[Document], resolution: _Resolution) -> Facts:
    """Publications, citations, studies, relations and statistics of every document."""
    from kg.extract.context import build_context, mentions_by_document
    from kg.extract.prose_studies import prose_studies
    from kg.extract.publications import citations, reference_publications
    from kg.extract.relation_model import learned_relations, unstated
    from kg.extract.relations import extract_relations
    from kg.extract.statistics import extract_statistics
    from kg.extract.studies import table_studies

    facts = Facts()
    by_doc = mentions_by_document(resolution.entities)
    for doc in documents:
        ctx = build_context(doc, by_doc.get(doc.id, []))
        pubs = reference_publications(ctx)
        studies = table_studies(ctx, pubs)
        studies += prose_studies(ctx, pubs, studies)
        pubs += [s.publication for s in studies if s.publication is not None and s.publication not in pubs]
        relations = extract_relations(ctx, studies)
        statistics = extract_statistics(ctx, relations, studies)  # adds the adverse-event relations it quantifies
        learned = learned_relations(ctx)
        relations += unstated(learned, relations) if doc.is_review else learned
        facts.publications += pubs
        facts.citations += citations(ctx)
        facts.studies += studies
        facts.relations += relations
        facts.statistics += statistics
        log.debug("%s: %d studies, %d relations, %d statistics", doc.id, len(studies), len(relations), len(statistics))
    log.info("extracted %s", ", ".join(f"{n} {k}" for k, n in facts.counts().items()))
    return facts
