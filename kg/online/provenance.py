"""What the online stage adds to the graph: where each fetched text came from and when (PROV), the MeSH headings
of completed references, and links from a review's cited works to the cited studies built beside it.

Written as a facts hook (``add_to(dataset, iris)``) after :func:`kg.graph.build.build_quads`, each triple in the
named graph of the document it is about. Times are the cache entries' fetch times, not the build's clock, so a
rebuild from the cache serialises to the same bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.document import Document
from kg.online.fetch import Fetched

if TYPE_CHECKING:
    from kg.graph.iris import IRIs
    from kg.graph.quads import QuadSet
    from kg.online.references import Completion


@dataclass
class OnlineRecord:
    """Everything the online stage fetched, completed and followed in one build."""

    fetched: list[tuple[Document, Fetched]] = field(default_factory=list)
    reviews: list[Document] = field(default_factory=list)  # every document whose references were completed
    completion: Completion | None = None
    followed: list[Document] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add_to(self, ds: QuadSet, iris: IRIs) -> None:
        from rdflib import Literal, Namespace, URIRef
        from rdflib.namespace import RDF, RDFS, XSD

        from kg.graph.iris import digest
        from kg.graph.prefixes import namespace

        prov, dct = Namespace(namespace("prov")), Namespace(namespace("dcterms"))
        agent = URIRef(iris.software_agent())
        for doc, got in self.fetched:
            g = ds.graph(URIRef(iris.graph(doc.id)))
            node, source = URIRef(iris.document(doc.id)), URIRef(got.url)
            act = URIRef(f"{namespace('act')}fetch/{digest(got.url, got.fetched_at)}")
            g.add((node, prov.wasDerivedFrom, source))
            g.add((node, prov.wasGeneratedBy, act))
            g.add((source, RDF.type, prov.Entity))
            g.add((source, dct.publisher, Literal(got.service)))
            g.add((act, RDF.type, prov.Activity))
            what = "full text" if got.full_text else "title and abstract"
            g.add((act, RDFS.label, Literal(f"kg fetched the {what} of {got.requested} from {got.service}")))
            g.add((act, prov.used, source))
            g.add((act, prov.wasAssociatedWith, agent))
            if got.fetched_at:
                g.add((act, prov.endedAtTime, Literal(got.fetched_at, datatype=XSD.dateTime)))
        followed = {d.pmid: d for d in self.followed if d.pmid}
        for doc in self._reviews():
            g = ds.graph(URIRef(iris.graph(doc.id)))
            for ref in doc.references:
                if not ref.pmid:
                    continue
                pub = URIRef(iris.publication(pmid=ref.pmid, doi=ref.doi, pmcid=ref.pmcid))
                record = self.completion.records.get(ref.pmid) if self.completion else None
                if record is not None:
                    if record.source_url:
                        g.add((pub, prov.wasDerivedFrom, URIRef(record.source_url)))
                    for heading in record.mesh:
                        g.add((pub, dct.subject, URIRef(iris.entity(heading.curie))))
                if ref.pmid in followed:
                    g.add((pub, RDFS.seeAlso, URIRef(iris.document(followed[ref.pmid].id))))

    def _reviews(self) -> list[Document]:
        return [d for d in self.reviews if d.references]
