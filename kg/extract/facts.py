"""The Facts container: publications, citations, studies, relations and statistics.

Every fact keeps the sentence it was read from (``Evidence``) so the graph can point each claim at its text:
relations are reified ``biolink:Association``s derived from the mentions' ``oa:Annotation``s, statistics are
STATO-typed nodes with a ``SIO:000300`` value (conventions.md §1.3–1.6, example_graph.ttl). Writing them is
the graph stage's (:mod:`kg.graph.facts`); nothing here knows about RDF.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """A sentence of a document and the mention spans ``(start, end, curie)`` a fact was read from."""

    doc_id: str
    start: int
    end: int
    text: str
    mentions: tuple[tuple[int, int, str], ...] = ()


@dataclass(frozen=True)
class Publication:
    """A work the document cites: a reference-list entry, or a stub for a number/author the list lacks."""

    doc_id: str
    number: int | None
    label: str
    title: str = ""
    authors: tuple[str, ...] = ()
    journal: str = ""
    year: int | None = None
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    raw: str = ""


@dataclass(frozen=True)
class Citation:
    """An in-text marker: the sentence that cites, and the reference numbers it names."""

    doc_id: str
    start: int
    end: int
    numbers: tuple[int, ...]
    evidence: Evidence


@dataclass(frozen=True)
class Outcome:
    text: str
    direction: str
    curies: tuple[str, ...] = ()


@dataclass
class Study:
    """One row of an evidence table (or a study a text describes), with its cells parsed."""

    doc_id: str
    key: str
    label: str
    first_author: str = ""
    year: int | None = None
    design_text: str = ""
    designs: tuple[str, ...] = ()
    population: str = ""
    intervention: str = ""
    comparator: str = ""
    finding: str = ""
    sample_size: int | None = None
    doses: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    organisms: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    population_entities: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    comparators: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    publication: Publication | None = None
    span: tuple[int, int] = (0, 0)
    evidence: list[Evidence] = field(default_factory=list)
    citation_numbers: tuple[int, ...] = ()  # every reference number of the study (a row may cite "[13, 14]")
    citation_inferred: bool = False  # the number was inferred from the text, not read from a marker or author/year
    citation_confidence: float = 1.0
    source: str = "table"  # where the study was read: "table" (a row or column) or "prose" (sentences describing it)

    @property
    def numbers(self) -> tuple[int, ...]:
        """The reference numbers whose citing sentences are about this study."""
        pub = self.publication
        first = (pub.number,) if pub is not None and pub.number is not None else ()
        return tuple(dict.fromkeys((*first, *self.citation_numbers)))

    @property
    def entities(self) -> tuple[str, ...]:
        """CURIEs of the entities of the population and intervention cells (the study's subject matter)."""
        seen: list[str] = []
        for c in (*self.population_entities, *self.interventions, *self.comparators):
            if c not in seen:
                seen.append(c)
        return tuple(seen)


@dataclass
class Relation:
    """A claim between two resolved entities in one sentence."""

    doc_id: str
    subject: str
    kind: str  # a key of ontologies/extraction/predicates.tsv
    object: str
    evidence: Evidence
    qualifiers: dict[str, Any] = field(default_factory=dict)
    hedged: bool = False
    negated: bool = False
    transient: bool = False
    organisms: tuple[str, ...] = ()
    study: str = ""  # Study.key
    publications: tuple[int, ...] = ()
    confidence: float = 0.5
    agent_type: str = "text_mining_agent"
    # "rules" (the cue lexicons) or "<model>:<label>" (kg.extract.relation_model); novel: the learned novelty
    # head's reading (a finding of this paper, not background), None where no model judged it
    method: str = "rules"
    novel: bool | None = None
    endpoints: tuple = field(default=(), repr=False, compare=False)  # the two context.Hit objects, for scoping


@dataclass
class Statistic:
    """A number a sentence states: measure, value (and CI), with the drug and event it is about."""

    doc_id: str
    measure: str  # a key of ontologies/extraction/measures.tsv
    value: str
    evidence: Evidence
    stated: str
    span: tuple[int, int]
    comparator: str = "="
    ci_low: str = ""
    ci_high: str = ""
    unit: str = ""
    drug: str = ""
    event: str = ""
    event_text: str = ""  # the event as written (kept also when it did not resolve)
    data_source: str = ""
    publications: tuple[int, ...] = ()
    study: str = ""
    relation: Relation | None = None
    range_low: str = ""  # a stated range ("ranged from 12 to 350 participants"): value is empty, bounds here
    range_high: str = ""
    more_evidence: list[Evidence] = field(default_factory=list)  # the same statistic stated again elsewhere
    conflicts_with: list[Statistic] = field(default_factory=list, repr=False)  # same drug/value, other event
    # why the drug/event were linked: "clause" (named in the statistic's own clause), "subject" (the clause's
    # explicit subject), "table row" (the evidence-table row's drug); "" when the clause names neither (unlinked)
    link_basis: str = ""
    groups: tuple[str, ...] = ()  # the groups the statistic compares, as written ("ketamine", "midazolam")
    drug_text: str = ""  # the drug as written in the clause

    @property
    def linked(self) -> bool:
        """Is the statistic tied to a drug or an event of its own clause (or table row)?"""
        return bool(self.link_basis)


@dataclass
class Facts:
    """Everything extraction found; ``kg.graph.build_quads(..., facts=...)`` writes it as RDF."""

    publications: list[Publication] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    studies: list[Study] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)

    def by_document(self) -> dict[str, Facts]:
        """The facts of each document, in their order (a document's graph is written from its own facts)."""
        out: dict[str, Facts] = {}
        for name in ("publications", "citations", "studies", "relations", "statistics"):
            for fact in getattr(self, name):
                getattr(out.setdefault(fact.doc_id, Facts()), name).append(fact)
        return out

    def counts(self) -> dict[str, int]:
        return {
            "publications": len(self.publications),
            "citations": len(self.citations),
            "studies": len(self.studies),
            "relations": len(self.relations),
            "statistics": len(self.statistics),
        }

