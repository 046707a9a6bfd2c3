"""Export a built graph to the formats other tools read: ``export(out, fmt, path)``.

Each format is a writer ``write(kg, path) -> list[Path]`` named by import path and imported only when chosen
(rdflib's plugin pattern), so ``import kg.export`` stays cheap. RDF formats serialise the store with rdflib;
all others are written from the property-graph projection (kg/projection.py).
"""
from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import GraphError

if TYPE_CHECKING:
    from kg.traverse import KnowledgeGraph

log = logging.getLogger(__name__)

# format name -> (module, function, what it is for)
WRITERS: dict[str, tuple[str, str, str]] = {
    "ttl": ("kg.export.rdf", "write_turtle", "Turtle (all named graphs merged), for Protégé and RDF tools"),
    "nq": ("kg.export.rdf", "write_nquads", "N-Quads with one named graph per document, for triple stores"),
    "jsonld": ("kg.export.rdf", "write_jsonld", "JSON-LD with an @context from the prefix map"),
    "graphml": ("kg.export.networkx_formats", "write_graphml", "GraphML for yEd, Cytoscape and Gephi"),
    "gexf": ("kg.export.networkx_formats", "write_gexf", "GEXF 1.2 for Gephi"),
    "cyjs": ("kg.export.networkx_formats", "write_cyjs", "Cytoscape.js / Cytoscape desktop JSON"),
    "dot": ("kg.export.dot", "write_dot", "Graphviz DOT (render with `dot -Tsvg`)"),
    "kgx": ("kg.export.kgx", "write_kgx", "KGX nodes/edges TSV and JSON Lines for Biolink tooling"),
    "neo4j": ("kg.export.neo4j", "write_neo4j", "CSV files for `neo4j-admin database import full`"),
    "html": ("kg.export.html", "write_html", "a self-contained offline viewer page"),
}
FORMATS = tuple(WRITERS)


def writer(fmt: str) -> Callable[[KnowledgeGraph, Path], list[Path]]:
    """The writer function of ``fmt`` (imported now)."""
    try:
        module, name, _ = WRITERS[fmt]
    except KeyError:
        raise GraphError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return getattr(importlib.import_module(module), name)


def export(out: str | os.PathLike[str] | KnowledgeGraph, fmt: str, path: str | os.PathLike[str]) -> list[Path]:
    """Write the graph in OUT (or an open KnowledgeGraph) as ``fmt`` to ``path``; returns the files written.

    Multi-file formats (kgx, neo4j) use ``path`` as a name prefix: ``-o graph`` writes ``graph_nodes.tsv`` ….
    """
    from kg.traverse import KnowledgeGraph

    write = writer(fmt)
    kg = out if isinstance(out, KnowledgeGraph) else KnowledgeGraph.open(out)
    target = Path(path)
    if target.is_dir():
        raise GraphError(f"{target} is a directory; give a file path (or name prefix for {fmt}) with -o")
    target.parent.mkdir(parents=True, exist_ok=True)
    files = write(kg, target)
    log.info("exported %s to %s", fmt, ", ".join(map(str, files)))
    return files


def prefix_of(path: Path, suffixes: tuple[str, ...]) -> Path:
    """``out/graph.tsv`` → ``out/graph``: the name prefix multi-file writers append ``_nodes…`` to."""
    name = path.name
    for suffix in suffixes:
        if name.endswith(suffix):
            return path.with_name(name[: -len(suffix)] or "graph")
    return path
