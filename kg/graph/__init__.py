"""The RDF graph stage: prefix map, deterministic IRIs, dataset building, SHACL validation and the store.

The submodules import rdflib, pyoxigraph, pyshacl-turbo and curies only inside their functions, so importing them
here is cheap. They are imported eagerly on purpose: ``kg.graph.validate`` names both a submodule and a
function, and a lazy ``from kg.graph.validate import ...`` would rebind the attribute to the module.
"""
from __future__ import annotations

import os
from typing import Any

from kg.graph.build import build_dataset, build_quads
from kg.graph.stats import GraphStats, graph_stats
from kg.graph.store import open_store, write_graph
from kg.graph.validate import ValidationReport, validate, validate_nquads

__all__ = [
    "GraphStats",
    "ValidationReport",
    "build_dataset",
    "build_quads",
    "entities_table",
    "graph_stats",
    "open_store",
    "validate",
    "validate_nquads",
    "write_graph",
]


def entities_table(out_dir: "str | os.PathLike[str] | Any"):  # noqa: ANN201 - returns kg.query.QueryResult
    """The ``entities`` query on OUT (or an open store): id, label, category, xrefs, mentions.

    The xrefs cell is re-sorted here because SPARQL does not promise GROUP_CONCAT order.
    """
    from kg.query import QueryResult, run_query

    result = run_query(out_dir, "entities")
    i = result.columns.index("xrefs")
    rows = tuple(
        tuple("|".join(sorted(filter(None, str(v or "").split("|")))) if j == i else v for j, v in enumerate(row))
        for row in result.rows
    )
    return QueryResult(result.columns, rows)
