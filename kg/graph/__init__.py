"""The RDF graph stage: prefix map, deterministic IRIs, dataset building, SHACL validation and the store.
Reading a built graph back (queries, stats, the entities table) is the query side's: :mod:`kg.query`, :mod:`kg.stats`.

The submodules import rdflib, pyoxigraph, pyshacl-turbo and curies only inside their functions, so importing them
here is cheap. They are imported eagerly on purpose: ``kg.graph.validate`` names both a submodule and a
function, and a lazy ``from kg.graph.validate import ...`` would rebind the attribute to the module.
"""
from __future__ import annotations

from kg.graph.build import build_dataset, build_quads
from kg.graph.store import open_store, write_graph
from kg.graph.validate import ValidationReport, validate, validate_nquads

__all__ = [
    "ValidationReport",
    "build_dataset",
    "build_quads",
    "open_store",
    "validate",
    "validate_nquads",
    "write_graph",
]

