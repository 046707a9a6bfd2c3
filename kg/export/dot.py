"""Graphviz DOT via pydot: filled nodes coloured by category, edges labelled with predicate and qualifiers."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from kg.atomic import atomic_write_text
from kg.export.palette import colour

if TYPE_CHECKING:
    import pydot

    from kg.traverse import KnowledgeGraph

log = logging.getLogger(__name__)


def _quote(text: str) -> str:
    """A DOT double-quoted string (pydot passes attribute values through verbatim)."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_pydot(kg: KnowledgeGraph) -> pydot.Dot:
    import pydot

    from kg.traverse import edge_summary

    g = kg.to_networkx()
    dot = pydot.Dot("kg", graph_type="digraph", strict=False, rankdir="LR", overlap="false")
    dot.set_node_defaults(shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10")
    dot.set_edge_defaults(fontname="Helvetica", fontsize="8")
    for node, data in sorted(g.nodes(data=True)):
        dot.add_node(pydot.Node(_quote(node), label=_quote(data.get("label", node)),
                                fillcolor=_quote(colour(str(data.get("category", "")))),
                                tooltip=_quote(f"{node} ({data.get('category', '')})")))
    for u, v, key, data in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        style = "dashed" if data.get("kind") == "mentions" else "solid"
        dot.add_edge(pydot.Edge(_quote(u), _quote(v), label=_quote(edge_summary(data)), style=style,
                                tooltip=_quote(str(key))))
    return dot


def write_dot(kg: KnowledgeGraph, path: Path) -> list[Path]:
    atomic_write_text(path, to_pydot(kg).to_string())
    return [path]
