"""RDF exports through rdflib's serialisers: Turtle, N-Quads and JSON-LD with a context from the prefix map."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from kg.atomic import atomic_path, atomic_write_text

if TYPE_CHECKING:
    import rdflib

    from kg.traverse import KnowledgeGraph

log = logging.getLogger(__name__)


def dataset(kg: KnowledgeGraph) -> rdflib.Dataset:
    """The whole store as an rdflib Dataset (one graph per named graph), with the project prefixes bound."""
    import pyoxigraph
    from rdflib import Dataset

    from kg.graph.prefixes import prefix_map

    data = kg.store.dump(format=pyoxigraph.RdfFormat.N_QUADS)
    ds = Dataset()
    ds.parse(data=(data or b"").decode("utf-8"), format="nquads")
    for prefix, iri in sorted(prefix_map().items()):
        ds.bind(prefix, iri, override=True, replace=True)
    return ds


def write_turtle(kg: KnowledgeGraph, path: Path) -> list[Path]:
    """Turtle has no named graphs, so every graph's triples are merged into one (duplicates collapse)."""
    from rdflib import Graph

    from kg.graph.prefixes import prefix_map

    merged = Graph()
    for prefix, iri in sorted(prefix_map().items()):
        merged.bind(prefix, iri, override=True, replace=True)
    for s, p, o, _ in dataset(kg).quads((None, None, None, None)):
        merged.add((s, p, o))
    with atomic_path(path) as tmp:
        merged.serialize(destination=str(tmp), format="turtle", encoding="utf-8")
    return [path]


def write_nquads(kg: KnowledgeGraph, path: Path) -> list[Path]:
    """N-Quads, lines sorted so the same graph always gives the same bytes."""
    from kg.graph.store import nquads

    atomic_write_text(path, nquads(dataset(kg)))
    return [path]


def jsonld_context() -> dict[str, str]:
    """The JSON-LD @context: prefix → IRI from the shared converter, the mapping ``curies.write_jsonld_context``
    writes to a file (rdflib wants the dict)."""
    from kg.graph.prefixes import converter

    return dict(sorted(converter().prefix_map.items()))


def write_jsonld(kg: KnowledgeGraph, path: Path) -> list[Path]:
    """JSON-LD of the dataset (named graphs kept as ``@graph`` objects), compacted with the prefix context."""
    ctx = jsonld_context()
    text = dataset(kg).serialize(format="json-ld", context=ctx, auto_compact=True, indent=1)
    data = json.loads(text)
    atomic_write_text(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return [path]
