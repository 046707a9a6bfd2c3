"""kg: turn biomedical reviews into a knowledge graph people can query and trust.

Importing ``kg`` is cheap: the public functions below import their heavy dependencies
(spaCy, rdflib, Oxigraph) only when called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from kg.build import build  # light at import time; binding it here keeps `kg.build` the function

__version__ = "0.1.0"
__all__ = ["__version__", "build", "load"]

if TYPE_CHECKING:  # pragma: no cover
    from kg.traverse import KnowledgeGraph


def load(out) -> KnowledgeGraph:
    """Open a built graph directory for querying and traversal."""
    from kg.traverse import KnowledgeGraph

    return KnowledgeGraph.open(out)
