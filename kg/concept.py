"""Value objects for the resolution stage: vocabulary concepts, text mentions, merged entities."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import curies

__all__ = ["ResolutionMethod", "Concept", "Mention", "Entity"]


class ResolutionMethod(StrEnum):
    """How the resolver grounded a mention, from most to least direct (``unresolved``: it did not)."""

    EXACT = "exact"
    ABBREVIATION = "abbreviation"
    NORMALISED = "normalised"
    FUZZY = "fuzzy"
    MODEL = "model"
    UNRESOLVED = ""


@dataclass(frozen=True)
class Concept:
    """A vocabulary entry: a primary CURIE, its label, category, synonyms and cross-references.

    ``sources`` names where the identifiers were verified (keys of ``ontologies/sources.tsv``,
    or the name of a generated index such as ``mesh2026``).
    """

    curie: str
    label: str
    category: str
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @cached_property
    def reference(self) -> curies.Reference:
        """The primary CURIE as a frozen ``curies.Reference``; a malformed one fails here, not in the graph."""
        import curies

        return curies.Reference.from_curie(self.curie)

    @property
    def prefix(self) -> str:
        """The ID space of the primary CURIE (``MESH``, ``NCBIGene``...): compare this, not string prefixes."""
        return self.reference.prefix


@dataclass(frozen=True)
class Mention:
    """A span the NER found, before or after resolution.

    ``curie`` is empty while unresolved; ``method`` says how it was resolved
    (``exact``, ``abbreviation``, ``normalised``, ``fuzzy``, ``model``) and ``score`` how sure.
    ``text`` is exactly ``Document.text[start:end]``; ``reading`` is what the NER read there when that differs
    (a PDF's "Met-\\nformin" read as "Metformin", :mod:`kg.nlp.reading`), else empty.
    """

    doc_id: str
    start: int
    end: int
    text: str
    category: str
    sentence: tuple[int, int] = (0, 0)
    curie: str = ""
    method: str = ""
    score: float = 1.0
    long_form: str = ""
    reading: str = ""


@dataclass
class Entity:
    """All mentions that resolve to one concept, merged."""

    concept: Concept
    mentions: list[Mention] = field(default_factory=list)

    @property
    def curie(self) -> str:
        return self.concept.curie
