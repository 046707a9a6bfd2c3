"""Facts as RDF, in each document's named graph (conventions.md §1.3–1.6, example_graph.ttl).

Extraction (:mod:`kg.extract`) finds the facts; writing them as RDF is the graph stage's, like everything else
that becomes a triple. :func:`kg.graph.build.build_quads` calls :func:`write_facts`.

Relations become a direct core triple (omitted when negated, or when the kind asserts none, e.g. a reporting odds
ratio below 1) plus a reified ``biolink:Association`` with its
qualifiers, knowledge level, agent type and ``prov:wasDerivedFrom`` the mention annotations; statistics become
STATO/kg-typed nodes with a ``SIO:000300`` value that refer (``SIO:000628``) to the association they quantify.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.extract.facts import Citation, Evidence, Facts, Publication, Relation, Statistic, Study
from kg.extract.lexicon import default_design, designs, measures, minted_terms, predicates, property_curie
from kg.graph.annotations import Quote, add_annotation, add_sentence, decimal_literal, integer_literal

if TYPE_CHECKING:
    from kg.graph.iris import IRIs
    from kg.graph.quads import QuadSet

__all__ = ["FactWriter", "TitleClaims", "write_facts", "write_minted_terms"]


def write_facts(ds: QuadSet, iris: IRIs, facts: Facts, titles: TitleClaims | None = None) -> None:
    """Write every fact into its document's named graph, with IRIs minted by ``iris``.

    Cited works' titles go to ``titles`` when given (the caller writes them once every document has claimed its
    own), else they are written here."""
    own = TitleClaims() if titles is None else titles
    FactWriter(ds, iris, facts, own).write()
    if titles is None:
        own.write(ds)


class TitleClaims:
    """The titles documents give the works they cite. One work (one PMID or DOI) cited by two entries or two reviews
    keeps one ``dcterms:title``, the first document's in document-id order, and each other wording becomes a
    ``dcterms:alternative`` in the graph of the document that wrote it. Deciding after every document has claimed
    its titles keeps each document's graph independent of the others, and the result of any reading order the same.
    """

    def __init__(self, claims: list[tuple[str, str, str, str]] | None = None) -> None:
        self.claims = list(claims or [])  # (document id, work IRI, title, graph IRI), in each document's order

    def claim(self, doc_id: str, work: str, title: str, graph: str) -> None:
        self.claims.append((doc_id, work, title, graph))

    def write(self, ds: QuadSet) -> None:
        from rdflib import Literal, URIRef
        from rdflib.namespace import DCTERMS

        first: dict[str, str] = {}
        for _doc_id, work, title, graph in sorted(self.claims, key=lambda claim: claim[0]):
            kept = first.setdefault(work, title)
            ds.graph(URIRef(graph)).add((URIRef(work), DCTERMS.title if kept == title else DCTERMS.alternative,
                                         Literal(title)))


def write_minted_terms(ds: QuadSet, iris: IRIs) -> None:
    """The classes kg mints (``ontologies/extraction/``) with their parents and labels, in the entities graph."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS

    g = ds.graph(URIRef(iris.entities_graph()))
    for term in minted_terms().values():
        node = URIRef(iris.entity(term.curie))
        g.add((node, RDFS.subClassOf, URIRef(iris.entity(term.parent))))
        g.add((node, RDFS.label, Literal(term.label)))


class FactWriter:
    """One method per fact kind keeps each RDF shape readable next to the others."""

    def __init__(self, ds: QuadSet, iris: IRIs, facts: Facts, titles: TitleClaims) -> None:
        from rdflib import Literal, URIRef

        from kg.graph.prefixes import expand, namespace, terms

        self.ds, self.iris, self.facts = ds, iris, facts
        self.U, self.L, self.RDF, self.RDFS, self.XSD = URIRef, Literal, terms("rdf"), terms("rdfs"), terms("xsd")
        self.expand, self.namespace = expand, namespace
        from kg.graph.schema import kg_namespace

        prefixes = ("biolink", "schema", "oa", "prov", "dcterms", "fabio", "cito", "bibo")
        ns = {p: terms(p) for p in prefixes}
        self.BL, self.SDO, self.OA, self.PROV = ns["biolink"], ns["schema"], ns["oa"], ns["prov"]
        self.DCT, self.FABIO, self.CITO, self.BIBO = ns["dcterms"], ns["fabio"], ns["cito"], ns["bibo"]
        self.KG = kg_namespace()
        self.HAS_VALUE, self.REFERS_TO = (URIRef(iris.entity(property_curie(k))) for k in ("has_value", "refers_to"))
        self._pub_iris: dict[tuple[str, int | None, str], Any] = {}
        self.titles = titles
        self._study_iris: dict[tuple[str, str], Any] = {}
        self._edge_iris: dict[int, Any] = {}
        self._stat_iris: dict[int, Any] = {}
        self._pubs_by_number: dict[tuple[str, int], Publication] | None = None  # built on first use

    # -- helpers ---------------------------------------------------------------------------------------
    def term(self, curie: str) -> Any:
        return self.U(self.iris.entity(curie))

    def graph(self, doc_id: str) -> Any:
        return self.ds.graph(self.U(self.iris.graph(doc_id)))

    def decimal(self, value: str) -> Any:
        return decimal_literal(value)

    def integer(self, n: int) -> Any:
        return integer_literal(int(n))

    def sentence(self, g: Any, ev: Evidence) -> Any:
        """The sentence node (the same writer as the mentions' ``kg:Sentence``)."""
        return add_sentence(g, self.iris, ev.doc_id, ev.start, ev.end, ev.text)

    def annotations(self, g: Any, ev: Evidence) -> list[Any]:
        """The mention annotations behind a fact; implicit (rule-found) mentions get their own annotation.

        A mention the resolution already annotated keeps that annotation; a rule-found one gets the same shape
        without what only resolution knows (category, score, the quote's context), made by "extraction-rule".
        """
        out = []
        for start, end, curie in ev.mentions:
            a = self.U(self.iris.annotation(ev.doc_id, start, end, curie))
            if (a, self.RDF.type, self.OA.Annotation) not in g:
                exact = ev.text[start - ev.start:end - ev.start] if ev.start <= start and end <= ev.end else ""
                add_annotation(g, self.iris, ev.doc_id, start, end, curie,
                               generated_by=self.U(self.iris.activity or self.iris.software_agent()),
                               quote=Quote(exact), method="extraction-rule",
                               sentence=self.U(self.iris.sentence(ev.doc_id, ev.start, ev.end)))
            out.append(a)
        return out

    # -- fact kinds ------------------------------------------------------------------------------------
    def write(self) -> None:
        for pub in self.facts.publications:
            self.publication(pub)
        for c in self.facts.citations:
            self.citation(c)
        for study in self.facts.studies:
            self.study(study)
        for r in self.facts.relations:
            self.relation(r)
        for s in self.facts.statistics:
            self.statistic(s)
        for s in self.facts.statistics:
            for other in s.conflicts_with:  # same drug and value stated for another event
                if id(other) in self._stat_iris:
                    pair = self._stat_iris[id(s)], self._stat_iris[id(other)]
                    self.graph(s.doc_id).add((pair[0], self.KG.conflictsWith, pair[1]))

    def pub_iri(self, pub: Publication) -> Any:
        key = (pub.doc_id, pub.number, pub.label)
        if key not in self._pub_iris:
            raw = pub.raw or f"{pub.doc_id} {pub.number or ''} {pub.label}"
            self._pub_iris[key] = self.U(self.iris.publication(pmid=pub.pmid, doi=pub.doi, pmcid=pub.pmcid, raw=raw))
        return self._pub_iris[key]

    def _find_pub(self, doc_id: str, number: int) -> Any | None:
        """The IRI of reference ``number`` of ``doc_id`` (the first such publication, as listed)."""
        if self._pubs_by_number is None:
            self._pubs_by_number = {}
            for p in self.facts.publications:
                if p.number is not None:
                    self._pubs_by_number.setdefault((p.doc_id, p.number), p)
        pub = self._pubs_by_number.get((doc_id, number))
        return self.pub_iri(pub) if pub is not None else None

    def publication(self, pub: Publication) -> None:
        g, node, L = self.graph(pub.doc_id), self.pub_iri(pub), self.L
        for t in (self.FABIO.JournalArticle, self.BL.JournalArticle, self.SDO.ScholarlyArticle):
            g.add((node, self.RDF.type, t))
        g.add((node, self.RDFS.label, L(pub.label)))
        if pub.title:
            self.titles.claim(pub.doc_id, str(node), pub.title, str(g.identifier))
        for a in pub.authors:
            g.add((node, self.DCT.creator, L(a)))
        if pub.year:
            g.add((node, self.DCT.date, L(str(pub.year), datatype=self.XSD.gYear)))
        if pub.journal:
            g.add((node, self.KG.journal, L(pub.journal)))
        if pub.doi:
            g.add((node, self.BIBO.doi, L(pub.doi)))
        if pub.pmid:
            g.add((node, self.FABIO.hasPubMedId, L(pub.pmid)))
        if pub.pmcid:
            g.add((node, self.FABIO.hasPubMedCentralId, L(pub.pmcid)))
        if pub.number is not None:
            g.add((node, self.KG.referenceNumber, self.integer(pub.number)))
        if pub.raw:
            g.add((node, self.DCT.bibliographicCitation, L(pub.raw)))
        g.add((self.U(self.iris.document(pub.doc_id)), self.CITO.cites, node))

    def citation(self, c: Citation) -> None:
        g = self.graph(c.doc_id)
        sent = self.sentence(g, c.evidence)
        doc = self.U(self.iris.document(c.doc_id))
        for n in c.numbers:
            pub = self._find_pub(c.doc_id, n)
            if pub is None:
                continue
            node = self.U(self.iris.citation(c.doc_id, c.start, c.end, n))
            g.add((node, self.RDF.type, self.CITO.Citation))
            g.add((node, self.CITO.hasCitingEntity, doc))
            g.add((node, self.CITO.hasCitedEntity, pub))
            g.add((node, self.CITO.hasCitationCharacterization, self.CITO.cites))
            g.add((node, self.KG.inSentence, sent))
            g.add((node, self.KG.markerStart, self.integer(c.start)))
            g.add((node, self.KG.markerEnd, self.integer(c.end)))
            g.add((sent, self.KG.cites, pub))

    def study_iri(self, doc_id: str, key: str) -> Any:
        return self._study_iris.setdefault((doc_id, key), self.U(self.iris.study(doc_id, key)))

    def study(self, st: Study) -> None:
        g, node, L, SDO, KG = self.graph(st.doc_id), self.study_iri(st.doc_id, st.key), self.L, self.SDO, self.KG
        found = [d for d in designs() if d.key in st.designs]
        default = default_design()  # a recognised design's narrower class (ClinicalTrial) wins over the default's
        specific = sorted({d.biolink_class for d in found} - {default.biolink_class})
        biolink_class = specific[0] if specific else default.biolink_class
        g.add((node, self.RDF.type, self.BL[biolink_class]))
        schema_classes = {d.schema_class for d in found} or {default.schema_class}
        for cls in sorted(schema_classes):
            g.add((node, self.RDF.type, SDO[cls]))
        g.add((node, self.RDFS.label, L(st.label)))
        g.add((node, KG.fromDocument, self.U(self.iris.document(st.doc_id))))
        for prop, value in (
            (KG.firstAuthor, st.first_author), (KG.designText, st.design_text), (KG.populationText, st.population),
            (KG.interventionText, st.intervention), (KG.comparatorText, st.comparator), (KG.findingText, st.finding),
        ):
            if value:
                g.add((node, prop, L(value)))
        if st.year:
            g.add((node, KG.year, self.integer(st.year)))
        if st.span != (0, 0):
            g.add((node, KG.rowStart, self.integer(st.span[0])))
        for d in found:
            g.add((node, KG.designKey, L(d.key)))
            for t in d.terms:
                g.add((node, KG.design, self.term(t)))
                if t.startswith("schema:"):
                    prop = SDO.trialDesign if d.schema_class == "MedicalTrial" else SDO.studyDesign
                    g.add((node, prop, self.term(t)))
        if st.sample_size:
            g.add((node, self.BL.study_size, self.integer(st.sample_size)))
        for dose in st.doses:
            g.add((node, KG.dose, L(dose)))
        for route in st.routes:
            g.add((node, KG.route, L(route)))
        for prop, curies in (
            (self.BL.in_taxon, st.organisms), (SDO.healthCondition, st.conditions),
            (SDO.studySubject, st.interventions), (KG.comparator, st.comparators),
        ):
            for c in curies:
                g.add((node, prop, self.term(c)))
        for c in st.entities:
            g.add((node, self.REFERS_TO, self.term(c)))
        for i, o in enumerate(st.outcomes):
            on = self.U(self.iris.outcome(str(node), i))
            g.add((node, KG.hasOutcome, on))
            g.add((on, self.RDF.type, KG.Outcome))
            g.add((on, self.RDFS.label, L(o.text)))
            if o.direction:
                g.add((on, KG.direction, L(o.direction)))
            for c in o.curies:
                g.add((on, self.REFERS_TO, self.term(c)))
        if st.publication is not None:
            pub = self.pub_iri(st.publication)
            if st.publication not in self.facts.publications:
                self.publication(st.publication)
            g.add((node, self.DCT.isReferencedBy, pub))
            g.add((self.U(self.iris.document(st.doc_id)), self.CITO.citesAsEvidence, pub))
        for n in st.citation_numbers[1:]:
            other = self._find_pub(st.doc_id, n)
            if other is not None:
                g.add((node, self.DCT.isReferencedBy, other))
        if st.citation_inferred:  # the number came from matching the row against citing sentences
            g.add((node, KG.citationInferred, L(True)))
            g.add((node, KG.citationConfidence, self.decimal(f"{st.citation_confidence:.2f}")))
        for ev in st.evidence:
            g.add((node, KG.discussedIn, self.sentence(g, ev)))

    def relation(self, r: Relation) -> None:
        g, p = self.graph(r.doc_id), predicates()[r.kind]
        s, o, pred = self.term(r.subject), self.term(r.object), self.term(p.predicate)
        edge = self.U(self.iris.edge(str(s), str(pred), str(o), f"{r.doc_id}@{r.evidence.start}-{r.evidence.end}"))
        self._edge_iris[id(r)] = edge
        L, BL, KG = self.L, self.BL, self.KG
        g.add((edge, self.RDF.type, BL.Association))
        g.add((edge, self.RDF.type, self.RDF.Statement))
        g.add((edge, self.RDF.subject, s))
        g.add((edge, self.RDF.predicate, pred))
        g.add((edge, self.RDF.object, o))
        for name, value in sorted(r.qualifiers.items()):
            values = value if isinstance(value, (tuple, list)) else (value,)
            for v in values:
                if name in ("anatomical_context_qualifier", "species_context_qualifier", "qualified_predicate"):
                    g.add((edge, BL[name], self.term(v)))
                else:
                    g.add((edge, BL[name], L(v)))
        for org in r.organisms:
            g.add((edge, BL.species_context_qualifier, self.term(org)))
        g.add((edge, BL.knowledge_level, L(p.knowledge_level)))
        g.add((edge, BL.agent_type, L(r.agent_type)))
        g.add((edge, BL.negated, L(r.negated)))
        g.add((edge, KG.hedged, L(r.hedged)))
        g.add((edge, KG.transient, L(r.transient)))
        g.add((edge, KG.confidence, self.decimal(f"{r.confidence:.2f}")))
        g.add((edge, KG.relationKind, L(r.kind)))
        g.add((edge, KG.extractionMethod, L(r.method)))
        if r.novel is not None:
            g.add((edge, KG.novel, L(r.novel)))
        g.add((edge, BL.supporting_text, L(r.evidence.text)))
        g.add((edge, KG.evidenceSentence, self.sentence(g, r.evidence)))
        g.add((edge, BL.publications, self.U(self.iris.document(r.doc_id))))
        for n in r.publications:
            pub = self._find_pub(r.doc_id, n)
            if pub is not None:
                g.add((edge, BL.publications, pub))
        if r.study:
            g.add((edge, BL.has_supporting_studies, self.study_iri(r.doc_id, r.study)))
        for a in self.annotations(g, r.evidence):
            g.add((edge, self.PROV.wasDerivedFrom, a))
        if not r.negated and p.asserted:  # a ratio below 1 is recorded, but claims no adverse event
            g.add((s, pred, o))
            if p.mirror:
                g.add((s, self.term(p.mirror), o))

    def statistic(self, st: Statistic) -> None:
        g, m, L, KG = self.graph(st.doc_id), measures()[st.measure], self.L, self.KG
        anchor = self._edge_iris.get(id(st.relation)) if st.relation is not None else None
        key = str(anchor) if anchor is not None else f"{st.doc_id}@{st.span[0]}-{st.span[1]}"
        node = self.U(self.iris.stat(key, st.measure, f"{st.value or st.range_low + '-' + st.range_high}@{st.span[0]}"))
        self._stat_iris[id(st)] = node
        g.add((node, self.RDF.type, self.term(m.cls)))
        g.add((node, self.RDF.type, KG.Statistic))
        g.add((node, self.RDFS.label, L(st.stated)))
        g.add((node, KG.measure, L(m.label)))
        if st.value:
            g.add((node, self.HAS_VALUE, self.decimal(st.value)))
        if st.range_low and st.range_high:  # "ranged from 12 to 350 participants"
            g.add((node, self.SDO.minValue, self.decimal(st.range_low)))
            g.add((node, self.SDO.maxValue, self.decimal(st.range_high)))
        if st.comparator != "=":
            g.add((node, KG.comparator, L(st.comparator)))
        if st.ci_low and st.ci_high:
            g.add((node, KG.ciLower, self.decimal(st.ci_low)))
            g.add((node, KG.ciUpper, self.decimal(st.ci_high)))
        if st.unit:
            g.add((node, KG.unit, L(st.unit)))
        if anchor is not None:
            g.add((node, self.REFERS_TO, anchor))
        if st.drug:
            g.add((node, KG.drug, self.term(st.drug)))
        if st.event:
            g.add((node, KG.event, self.term(st.event)))
        if st.event_text:
            g.add((node, KG.eventText, L(st.event_text)))
        if st.data_source:
            g.add((node, KG.dataSource, L(st.data_source)))
        g.add((node, KG.linkBasis, L(st.link_basis or "unlinked")))  # why drug/event were (not) linked
        for group in st.groups:
            g.add((node, KG.comparedGroup, L(group)))
        for n in st.publications:
            pub = self._find_pub(st.doc_id, n)
            if pub is not None:
                g.add((node, self.DCT.source, pub))
        if st.study:
            g.add((node, KG.study, self.study_iri(st.doc_id, st.study)))
        g.add((node, KG.evidenceSentence, self.sentence(g, st.evidence)))
        for ev in st.more_evidence:  # the same statistic stated again
            g.add((node, KG.evidenceSentence, self.sentence(g, ev)))
        g.add((node, KG.matchStart, self.integer(st.span[0])))
        g.add((node, KG.matchEnd, self.integer(st.span[1])))
        for a in self.annotations(g, st.evidence):
            g.add((node, self.PROV.wasDerivedFrom, a))

