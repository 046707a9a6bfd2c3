"""The graph's own terms as a closed namespace: a misspelt ``KG.term`` fails instead of minting a new IRI.

What kg may write under its namespace is declared in two places a reader of a published graph can see:
``ontologies/schema.ttl`` (classes and properties) and ``ontologies/extraction/terms.tsv`` (measure and study
types minted under a verified parent, written into the graphs that use them). ``tests/test_namespace.py`` also
checks every ``kg:`` term the queries, shapes and extraction tables use.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from kg.graph.prefixes import namespace
from kg.paths import ontologies_dir

if TYPE_CHECKING:
    from kg.graph.prefixes import Terms

__all__ = ["SCHEMA_FILE", "kg_terms", "kg_namespace"]

SCHEMA_FILE = ontologies_dir() / "schema.ttl"


@lru_cache(maxsize=1)
def kg_terms() -> frozenset[str]:
    """Local names of every term the schema declares or ``terms.tsv`` mints in the kg namespace."""
    import rdflib

    from kg.extract.lexicon import minted_terms

    base = namespace("kg")
    graph = rdflib.Graph().parse(SCHEMA_FILE, format="turtle")
    declared = {str(s)[len(base):] for s in graph.subjects(rdflib.RDF.type, None)
                if isinstance(s, rdflib.URIRef) and str(s).startswith(base) and str(s) != base}
    minted = {curie.split(":", 1)[1] for curie in minted_terms() if curie.startswith("kg:")}
    return frozenset(declared | minted)


@lru_cache(maxsize=1)
def kg_namespace() -> Terms:
    """``KG.Sentence`` and friends; an undeclared name raises ``AttributeError``."""
    from kg.graph.prefixes import Terms

    return Terms(namespace("kg"), kg_terms())
