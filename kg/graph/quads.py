"""The triples of a build, collected as rdflib terms in a plain set, grouped by named graph.

A build only adds, sorts and bulk-loads its triples. rdflib's in-memory ``Dataset`` indexes every triple
three ways as it is added, which cost more than everything else in a build; this collection keeps the
rdflib terms and API shape writers use (``graph(iri).add((s, p, o))``) and leaves indexing to Oxigraph.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rdflib


class GraphWriter:
    """One named graph of a :class:`QuadSet`: what writers need of ``rdflib.Graph`` (``add``, ``in``)."""

    __slots__ = ("identifier", "_quads")

    def __init__(self, identifier: rdflib.URIRef, quads: set) -> None:
        self.identifier = identifier
        self._quads = quads

    def __contains__(self, triple: tuple) -> bool:
        s, p, o = triple
        return (s, p, o, self.identifier) in self._quads

    def add(self, triple: tuple) -> GraphWriter:
        s, p, o = triple
        self._quads.add((s, p, o, self.identifier))
        return self


class QuadSet:
    """A write-once set of quads that serialises to sorted N-Quads and converts to an ``rdflib.Dataset``."""

    def __init__(self, namespaces: dict[str, str] | None = None) -> None:
        self._quads: set = set()
        self.namespaces = dict(namespaces or {})

    def graph(self, identifier: rdflib.URIRef) -> GraphWriter:
        return GraphWriter(identifier, self._quads)

    def __len__(self) -> int:
        return len(self._quads)

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._quads)

    def nquads(self) -> str:
        """N-Quads with lines sorted: the same quads give the same bytes."""
        return "".join(self.lines())

    def lines(self) -> list[str]:
        """The N-Quads lines (each ending in a newline), sorted and distinct: rdflib's N-Quads rows, with each IRI
        written once per call (rdflib's ``n3()`` checks an IRI again every time it writes it: 1.8 M checks for the
        480 k quads of 500 abstracts)."""
        from rdflib import Literal
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
        from rdflib.plugins.serializers.nt import _quoteLiteral

        written: dict = {DATASET_DEFAULT_GRAPH_ID: ""}

        def n3(term) -> str:
            if isinstance(term, Literal):
                return _quoteLiteral(term)
            text = written.get(term)
            if text is None:
                text = written[term] = term.n3()
            return text

        return sorted({f"{n3(s)} {n3(p)} {n3(o)} {n3(g)} .\n" for s, p, o, g in self._quads})

    def to_dataset(self) -> rdflib.Dataset:
        """The same quads as an ``rdflib.Dataset``, for callers who want rdflib's graph API."""
        from rdflib import Dataset

        ds = Dataset()
        for prefix, iri in sorted(self.namespaces.items()):
            ds.bind(prefix, iri, override=True, replace=True)
        for s, p, o, g in self._quads:
            ds.add((s, p, o, g))
        return ds
