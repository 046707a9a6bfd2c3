"""The two shapes that tie the graph to the text: a ``kg:Sentence`` and a W3C Web Annotation (``oa:Annotation``
with a position and, when the text is known, a quote selector), conventions.md §1.6.

Mentions (``build.py``) and the evidence of facts (``facts.py``) are written by these same two functions, so
the shapes cannot drift apart. The callers differ in what they know, and the optional arguments say so:
a resolved mention has a category, a score and the quote's context; a fact's rule-found mention has none.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kg.graph.iris import IRIs
from kg.graph.prefixes import terms

__all__ = ["Quote", "add_annotation", "add_sentence"]


@dataclass(frozen=True)
class Quote:
    """The mention as written (``oa:exact``), and, when given, the text either side (``oa:prefix`` / ``oa:suffix``)."""

    exact: str
    prefix: str | None = None
    suffix: str | None = None


@dataclass(frozen=True)
class _Terms:
    U: Any
    L: Any
    RDF: Any
    XSD: Any
    OA: Any
    KG: Any
    DCT: Any
    PROV: Any


@lru_cache(maxsize=1)
def _terms() -> _Terms:
    from rdflib import Literal, URIRef

    from kg.graph.schema import kg_namespace

    return _Terms(URIRef, Literal, terms("rdf"), terms("xsd"), terms("oa"), kg_namespace(), terms("dcterms"),
                  terms("prov"))


@lru_cache(maxsize=1 << 16)
def integer_literal(n: int) -> Any:
    """``n`` as an xsd:integer Literal. Offsets and counts repeat across a build, and an rdflib Literal costs more
    to make (it parses and normalises its value) than to look up."""
    t = _terms()
    return t.L(n, datatype=t.XSD.integer)


@lru_cache(maxsize=1 << 14)
def decimal_literal(text: str) -> Any:
    """``text`` as an xsd:decimal Literal (confidences and scores repeat as integers do)."""
    t = _terms()
    return t.L(text, datatype=t.XSD.decimal)


def add_sentence(g: Any, iris: IRIs, doc_id: str, start: int, end: int, text: str) -> Any:
    """Add the ``kg:Sentence`` node of ``doc_id[start:end]`` (its text, offsets, document) and return it."""
    t = _terms()
    s = t.U(iris.sentence(doc_id, start, end))
    if (s, t.RDF.type, t.KG.Sentence) in g:  # every mention and fact of a sentence names it
        return s
    g.add((s, t.RDF.type, t.KG.Sentence))
    g.add((s, t.KG.text, t.L(text)))
    g.add((s, t.KG.start, integer_literal(start)))
    g.add((s, t.KG.end, integer_literal(end)))
    g.add((s, t.DCT.isPartOf, t.U(iris.document(doc_id))))
    return s


def add_annotation(
    g: Any, iris: IRIs, doc_id: str, start: int, end: int, curie: str, *,
    generated_by: Any, quote: Quote | None = None, sentence: Any = None, method: str = "",
    category: str = "", score: float | None = None, long_form: str = "",
) -> Any:
    """Add the ``oa:Annotation`` saying ``doc_id[start:end]`` identifies ``curie`` and return it.

    Only what is given is written: no quote selector without ``quote``, no ``kg:inSentence`` without ``sentence``.
    """
    t = _terms()
    OA, KG = t.OA, t.KG
    a = t.U(iris.annotation(doc_id, start, end, curie))
    target = t.U(iris.target(str(a)))
    pos = t.U(iris.position_selector(doc_id, start, end))
    g.add((a, t.RDF.type, OA.Annotation))
    g.add((a, OA.hasBody, t.U(iris.entity(curie))))
    g.add((a, OA.hasTarget, target))
    g.add((a, OA.motivatedBy, OA.identifying))
    if category:
        g.add((a, KG.mentionCategory, t.L(category)))
    if method:
        g.add((a, KG.resolutionMethod, t.L(method)))
    if score is not None:
        g.add((a, KG.score, decimal_literal(f"{max(0.0, min(1.0, float(score))):.4f}")))
    if long_form:
        g.add((a, KG.longForm, t.L(long_form)))
    g.add((a, t.PROV.wasGeneratedBy, generated_by))
    if sentence is not None:
        g.add((a, KG.inSentence, sentence))
    g.add((target, t.RDF.type, OA.SpecificResource))
    g.add((target, OA.hasSource, t.U(iris.document(doc_id))))
    g.add((target, OA.hasSelector, pos))
    g.add((pos, t.RDF.type, OA.TextPositionSelector))
    g.add((pos, OA.start, integer_literal(start)))
    g.add((pos, OA.end, integer_literal(end)))
    if quote is not None and quote.exact:
        q = t.U(iris.quote_selector(doc_id, start, end))
        g.add((target, OA.hasSelector, q))
        g.add((q, t.RDF.type, OA.TextQuoteSelector))
        g.add((q, OA.exact, t.L(quote.exact)))
        if quote.prefix is not None:
            g.add((q, OA.prefix, t.L(quote.prefix)))
        if quote.suffix is not None:
            g.add((q, OA.suffix, t.L(quote.suffix)))
    return a
