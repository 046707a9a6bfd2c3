"""What the later stages may ask of a vocabulary: small capability interfaces, not one concrete class.

:class:`~kg.vocabulary.index.Vocabulary` (the layered, merged vocabulary) satisfies :class:`ConceptLookup`;
the broad index's :class:`~kg.vocabulary.broad.BroadLayer` satisfies :class:`LazyLayer`, which is how a
vocabulary tells a layer answered on demand from an in-memory list of concepts. Tests may pass any object
with these methods, such as a small in-memory vocabulary.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from kg.concept import Concept

__all__ = ["ConceptLookup", "LazyLayer", "SurfaceLookup"]


@runtime_checkable
class SurfaceLookup(Protocol):
    """Concepts by surface form only: what reading a document's own definitions needs."""

    def lookup(self, text: str) -> Sequence[Concept]:
        """Concepts named ``text`` (normalised by the vocabulary), best first."""
        ...


@runtime_checkable
class ConceptLookup(SurfaceLookup, Protocol):
    """Concepts by surface form and by CURIE: what NER matching and resolution need."""

    def lookup_key(self, key: str) -> Sequence[Concept]:
        """Concepts of an already normalised key."""
        ...

    def get(self, curie: str) -> Concept | None:
        """The concept whose primary CURIE (else a cross-reference) is ``curie``."""
        ...


@runtime_checkable
class LazyLayer(Protocol):
    """A vocabulary layer answered on demand by key, never held in memory as a list of concepts."""

    def lookup_key(self, key: str) -> Sequence[Concept]:
        ...

    def get(self, curie: str) -> Concept | None:
        ...
