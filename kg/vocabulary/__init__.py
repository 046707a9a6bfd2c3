"""Vocabularies: curated concepts over every MeSH 2026 descriptor, looked up by normalised name or CURIE.

Importing this package is cheap; the TSVs and the MeSH list are read on the first ``load_vocabulary()`` and
compiled into memory-mapped files (:mod:`kg.vocabulary.compiled`) that later runs open instead.
"""
from kg.vocabulary.index import Vocabulary, load_vocabulary
from kg.vocabulary.normalise import normalise, singular
from kg.vocabulary.protocols import ConceptLookup, LazyLayer

__all__ = ["ConceptLookup", "LazyLayer", "Vocabulary", "load_vocabulary", "normalise", "singular"]
