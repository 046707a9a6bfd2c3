"""Build the RDF dataset: one named graph per document, one for entities, one for the build run.

Mentions become W3C Web Annotations with both a position and a quote selector, so every entity in the graph
can be traced back to the characters it was read from (conventions.md §1.6). Nothing here depends on the
clock or on dict/set iteration order, so the same input serialises to the same bytes.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kg.categories import category
from kg.concept import Entity, Mention
from kg.document import Document
from kg.errors import GraphError
from kg.extract.facts import Facts
from kg.graph.annotations import Quote, add_annotation, add_sentence, integer_literal
from kg.graph.facts import TitleClaims, write_facts, write_minted_terms
from kg.graph.iris import IRIs, text_sha256
from kg.graph.prefixes import ONTOLOGIES_DIR, namespace, prefix_map, terms
from kg.graph.quads import QuadSet
from kg.vocabulary.mesh import display_label

if TYPE_CHECKING:
    import rdflib

log = logging.getLogger(__name__)

QUOTE_CONTEXT = 32  # characters of oa:prefix / oa:suffix kept around a mention, enough to re-anchor it
SCHEMA_FILE = ONTOLOGIES_DIR / "schema.ttl"


class Resolution(Protocol):
    """What build_dataset needs from the resolution stage."""

    entities: list[Entity]
    unresolved: list[Mention]


class FactsHook(Protocol):
    """Anything else that adds its own triples with IRIs minted by ``iris`` (tests, fixtures, plugins)."""

    def add_to(self, dataset: QuadSet, iris: IRIs) -> None: ...


def kg_version() -> str:
    """The installed kg version (recorded on the build's software agent)."""
    from importlib import metadata

    try:
        return metadata.version("kg")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@lru_cache(maxsize=1)
def schema_org_types() -> dict[str, str]:
    """Biolink class IRI → schema.org secondary type, read from ``ontologies/schema.ttl``."""
    import rdflib

    g = rdflib.Graph()
    try:
        g.parse(SCHEMA_FILE, format="turtle")
    except FileNotFoundError as exc:
        raise GraphError(f"schema {SCHEMA_FILE} is missing; restore ontologies/schema.ttl") from exc
    prop = rdflib.URIRef(namespace("kg") + "schemaOrgType")
    return {str(s): str(o) for s, o in g.subject_objects(prop)}


@dataclass(frozen=True)
class EntityPart:
    """What one document (or a whole build) contributes to an entity node: the concept's fields the entities graph
    writes, how many mentions and which written forms. Parts of one CURIE add up (:meth:`merge`), so a sharded
    build merges them after the documents are read, in any order."""

    curie: str
    label: str
    category: str
    xrefs: tuple[str, ...]
    sources: tuple[str, ...]
    count: int
    forms: tuple[str, ...]  # sorted, distinct

    @classmethod
    def of(cls, entity: Entity, mentions: list[Mention]) -> EntityPart:
        c = entity.concept
        return cls(c.curie, c.label, c.category, tuple(c.xrefs), tuple(c.sources), len(mentions),
                   tuple(sorted({m.text for m in mentions})))

    def merge(self, other: EntityPart) -> EntityPart:
        return replace(self, count=self.count + other.count, forms=tuple(sorted(set(self.forms) | set(other.forms))))


def reading_iris(doc_id: str, sha: str, version: str) -> IRIs:
    """The IRIs of one document's reading: its annotations and facts are ``prov:wasGeneratedBy`` this activity,
    which depends on the document alone, so a document's named graph is the same whatever else is built with it."""
    return IRIs(activity=IRIs.reading_for(doc_id, sha, version))


def build_quads(
    documents: list[Document], resolution: Resolution, *, facts: Facts | FactsHook | None = None
) -> QuadSet:
    """Turn documents and their resolved entities into quads (rdflib terms; no blank nodes).

    ``facts`` are what :func:`kg.extract.extract` found (written by :mod:`kg.graph.facts`), or a hook that adds
    its own triples. The quads are those of :func:`document_quads` for each document, :func:`entity_quads` and
    :func:`run_quads`: the parts a sharded build (:mod:`kg.shards`) writes separately.
    """
    docs = {d.id: d for d in documents}
    if len(docs) != len(documents):
        raise GraphError("two input documents share one id; give each input a distinct file name")
    hashes = {d.id: text_sha256(d.text) for d in documents}
    version = kg_version()
    quads = QuadSet(prefix_map())
    per_doc, doc_parts = document_shares(docs, resolution.entities)
    parts = [part for doc_id in sorted(doc_parts) for part in doc_parts[doc_id]]
    merged = {part.curie for part in parts}  # an entity none of whose mentions is usable keeps its node
    parts += [EntityPart.of(entity, []) for entity in resolution.entities if entity.curie not in merged]
    unresolved: defaultdict[str, int] = defaultdict(int)
    for m in resolution.unresolved:
        unresolved[m.doc_id] += 1
    by_doc = facts.by_document() if isinstance(facts, Facts) else {}
    titles = TitleClaims()
    for doc in sorted(documents, key=lambda d: d.id):
        document_quads(quads, doc, hashes[doc.id], per_doc.get(doc.id, []), unresolved.get(doc.id, 0),
                       by_doc.get(doc.id), version=version, titles=titles)
    titles.write(quads)
    entity_quads(quads, parts)
    iris = run_quads(quads, hashes, version)
    if facts is not None and not isinstance(facts, Facts):
        facts.add_to(quads, iris)
    log.info("built %d quads", len(quads))
    return quads


def document_quads(quads: QuadSet, doc: Document, sha: str, mentions: Iterable[tuple[Entity, Mention]],
                   unresolved: int, facts: Facts | None = None, *, version: str, titles: TitleClaims) -> None:
    """Add ``doc``'s named graph: the document, its reading activity, its mentions' annotations and its facts; the
    titles of the works it cites go to ``titles``, written once every document has claimed its own."""
    iris = reading_iris(doc.id, sha, version)
    w = _Writer(quads, iris)
    w.document(doc, sha, mentions, unresolved)
    w.reading(doc)
    if facts is not None:
        write_facts(quads, iris, facts, titles)


def entity_quads(quads: QuadSet, parts: Iterable[EntityPart]) -> None:
    """Add the entities graph: one node per CURIE (``parts`` of one CURIE merged) and the terms kg mints."""
    merged: dict[str, EntityPart] = {}
    for part in parts:
        merged[part.curie] = merged[part.curie].merge(part) if part.curie in merged else part
    w = _Writer(quads, IRIs())
    for curie in sorted(merged):
        w.entity(merged[curie])
    write_minted_terms(quads, IRIs())


def run_quads(quads: QuadSet, hashes: dict[str, str], version: str) -> IRIs:
    """Add the run graph (the build activity, the documents it used, their readings, the software) and return the
    build's IRIs, whose ``activity`` is the build run."""
    iris = IRIs(activity=IRIs.activity_for(list(hashes.values()), version))
    _Writer(quads, iris).run(hashes, version)
    return iris


def build_dataset(
    documents: list[Document], resolution: Resolution, *, facts: Facts | FactsHook | None = None
) -> rdflib.Dataset:
    """The same graph as :func:`build_quads`, as an ``rdflib.Dataset`` for rdflib's graph API."""
    return build_quads(documents, resolution, facts=facts).to_dataset()


def document_shares(docs: dict[str, Document], entities: Iterable[Entity]
                    ) -> tuple[dict[str, list[tuple[Entity, Mention]]], dict[str, list[EntityPart]]]:
    """Per document id: its usable mentions with their entity, and its share of each entity node. A mention of an
    unknown document or with offsets outside its text is skipped with a warning."""
    per_doc: dict[str, list[tuple[Entity, Mention]]] = defaultdict(list)
    parts: dict[str, list[EntityPart]] = defaultdict(list)
    for entity in entities:
        by_doc: dict[str, list[Mention]] = defaultdict(list)
        for m in entity.mentions:
            if _usable(m, docs):
                by_doc[m.doc_id].append(m)
        for doc_id, mentions in by_doc.items():
            per_doc[doc_id] += [(entity, m) for m in mentions]
            parts[doc_id].append(EntityPart.of(entity, mentions))
    return per_doc, parts


def _usable(m: Mention, docs: dict[str, Document]) -> bool:
    doc = docs.get(m.doc_id)
    if doc is None:
        log.warning("mention %r names unknown document %r; skipped", m.text, m.doc_id)
        return False
    if not 0 <= m.start < m.end <= len(doc.text):
        log.warning("mention %r has offsets %d-%d outside %s; skipped", m.text, m.start, m.end, m.doc_id)
        return False
    return True


class _Writer:
    """Adds the triples of each node kind; one method per kind keeps the RDF shape readable."""

    def __init__(self, ds: QuadSet, iris: IRIs) -> None:
        from rdflib import Literal, URIRef

        self.ds, self.iris = ds, iris
        self.U, self.L, self.XSD, self.RDF, self.RDFS = URIRef, Literal, terms("xsd"), terms("rdf"), terms("rdfs")
        from kg.graph.schema import kg_namespace

        ns = {p: terms(p) for p in ("biolink", "schema", "oa", "prov", "dcterms", "fabio", "skos")}
        self.BL, self.SDO, self.OA, self.PROV = ns["biolink"], ns["schema"], ns["oa"], ns["prov"]
        self.DCT, self.FABIO, self.SKOS, self.KG = ns["dcterms"], ns["fabio"], ns["skos"], kg_namespace()
        self.entities = ds.graph(URIRef(iris.entities_graph()))

    def _int(self, n: int) -> Any:
        return integer_literal(int(n))

    def run(self, hashes: dict[str, str], version: str) -> None:
        g = self.ds.graph(self.U(self.iris.run_graph()))
        act, agent = self.U(self.iris.activity), self.U(self.iris.software_agent())
        g.add((act, self.RDF.type, self.PROV.Activity))
        g.add((act, self.RDFS.label, self.L(f"kg build of {len(hashes)} document(s)")))
        g.add((act, self.PROV.wasAssociatedWith, agent))
        for doc_id, sha in hashes.items():
            g.add((act, self.PROV.used, self.U(self.iris.document(doc_id))))
            g.add((act, self.DCT.hasPart, self.U(IRIs.reading_for(doc_id, sha, version))))
        g.add((agent, self.RDF.type, self.PROV.SoftwareAgent))
        g.add((agent, self.RDFS.label, self.L(f"kg {version}")))
        g.add((agent, self.SDO.softwareVersion, self.L(version)))

    def reading(self, doc: Document) -> None:
        """The activity that read ``doc`` (the IRIs' ``activity``), in the document's own graph."""
        g = self.ds.graph(self.U(self.iris.graph(doc.id)))
        act = self.U(self.iris.activity)
        g.add((act, self.RDF.type, self.PROV.Activity))
        g.add((act, self.RDFS.label, self.L(f"kg reading of {doc.id}")))
        g.add((act, self.PROV.wasAssociatedWith, self.U(self.iris.software_agent())))
        g.add((act, self.PROV.used, self.U(self.iris.document(doc.id))))

    def entity(self, c: EntityPart) -> None:
        g = self.entities
        node = self.U(self.iris.entity(c.curie))
        cat = category(c.category)
        biolink_type = self.BL[cat.biolink]
        g.add((node, self.RDF.type, biolink_type))
        secondary = schema_org_types().get(str(biolink_type))
        if secondary:
            g.add((node, self.RDF.type, self.U(secondary)))
        g.add((node, self.RDFS.label, self.L(display_label(c.curie, c.label, c.sources) or c.curie)))
        g.add((node, self.DCT.identifier, self.L(c.curie)))
        g.add((node, self.KG.category, self.L(cat.name)))
        g.add((node, self.KG.mentionCount, self._int(c.count)))
        for xref in sorted(set(c.xrefs) - {c.curie}):
            g.add((node, self.BL.xref, self.L(xref)))
            iri = self.iris.entity(xref) if ":" in xref else None
            if iri and not iri.startswith(namespace("ent")):
                g.add((node, self.SKOS.exactMatch, self.U(iri)))
        label = (c.label or "").casefold()
        for form in (form for form in c.forms if form.casefold() != label):
            g.add((node, self.SKOS.altLabel, self.L(form)))
        for key in sorted(set(c.sources)):
            src = self.U(self.iris.source(key))
            g.add((node, self.DCT.source, src))
            g.add((src, self.RDF.type, self.KG.Source))
            g.add((src, self.RDFS.label, self.L(key)))

    def document(self, doc: Document, sha: str, mentions: Iterable[tuple[Entity, Mention]], unresolved: int) -> None:
        g = self.ds.graph(self.U(self.iris.graph(doc.id)))
        d = self.U(self.iris.document(doc.id))
        review = doc.is_review
        g.add((d, self.RDF.type, self.FABIO.ReviewArticle if review else self.FABIO.JournalArticle))
        g.add((d, self.RDF.type, self.BL.JournalArticle))
        g.add((d, self.RDF.type, self.SDO.ScholarlyArticle))
        g.add((d, self.RDF.type, self.PROV.Entity))
        g.add((d, self.RDFS.label, self.L(doc.title or doc.id)))
        if doc.title:
            g.add((d, self.DCT.title, self.L(doc.title)))
        g.add((d, self.DCT.identifier, self.L(f"sha256:{sha}")))
        g.add((d, self.KG.textLength, self._int(len(doc.text))))
        g.add((d, self.KG.documentFormat, self.L(doc.format)))
        if doc.moved:  # the text read is the file with these lines put back in column order (Document.moved)
            g.add((d, self.KG.movedLineCount, self._int(len(doc.moved))))
        if doc.source:
            g.add((d, self.KG.sourceFile, self.L(Path(doc.source).name)))
        if doc.pmid:
            g.add((d, self.FABIO.hasPubMedId, self.L(doc.pmid)))
            g.add((d, self.SKOS.exactMatch, self.U(self.iris.publication(pmid=doc.pmid))))
        g.add((d, self.KG.unresolvedMentionCount, self._int(unresolved)))
        for entity, m in sorted(mentions, key=lambda em: (em[1].start, em[1].end, em[0].curie)):
            g.add((d, self.BL.mentions, self.U(self.iris.entity(entity.curie))))
            self.annotation(g, doc, entity, m)

    def annotation(self, g: Any, doc: Document, entity: Entity, m: Mention) -> None:
        s, e = m.sentence
        sentence = None
        if 0 <= s < e <= len(doc.text) and s <= m.start and m.end <= e:
            sentence = add_sentence(g, self.iris, doc.id, s, e, doc.text[s:e])
        quote = Quote(doc.text[m.start:m.end], prefix=doc.text[max(0, m.start - QUOTE_CONTEXT):m.start],
                      suffix=doc.text[m.end:m.end + QUOTE_CONTEXT])
        add_annotation(g, self.iris, doc.id, m.start, m.end, entity.curie, generated_by=self.U(self.iris.activity),
                       quote=quote, sentence=sentence, method=m.method, category=category(m.category).name,
                       score=m.score, long_form=m.long_form)
