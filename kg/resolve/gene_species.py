"""The species each gene mention means, from the organisms named around it (SR4GN's rules, as GNormPlus uses them).

A review of human therapies cites mouse and rat studies; one abstract compares patients with knockout mice. A
species per document gives every gene of such a text one species, so the rodent genes get human IDs or the human
ones rodent IDs. Per mention, the nearest organism of the mention's own sentence decides (one just before the gene
first: "in mice, Bdnf ..." and "mouse Bdnf"), else the organisms of its paragraph, else those of the document, each
ranked by :func:`kg.resolve.species.rank_species`; a text that names none means human.

Where only the paragraph or the document named the species, the way the name is written may overrule it
between human and mouse: "Shh", "Lyl1" are written as mouse symbols are, "ICAM1" as human ones (checked
case-sensitively against the two genes' own names), but only where most of the document's gene names are written
that species' way (a human study's lone "Myc" or "Bax" is no mouse gene). A rat study writes its genes either
way, so it is never overruled.
"""
from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.concept import Concept, Mention
from kg.resolve.species import CUE_SPECIES, HUMAN, MOUSE, gene_ranking, rank_species, taxon_of

__all__ = ["OrganismCue", "SpeciesContext", "MentionSpecies", "written_species", "nomenclature"]


def written_species(text: str, concepts: Iterable[Concept]) -> str | None:
    """Human or mouse, when ``text`` is, letter case included, a name of that species' gene among ``concepts``
    and of no gene of the other; else None."""
    forms: dict[str, set[str]] = {HUMAN: set(), MOUSE: set()}
    for concept in concepts:
        taxon = taxon_of(concept)
        if taxon in forms:
            forms[taxon].update((concept.label, *concept.synonyms))
    text = text.strip()
    mouse, human = text in forms[MOUSE], text in forms[HUMAN]
    return MOUSE if mouse and not human else HUMAN if human and not mouse else None


@dataclass(frozen=True)
class SpeciesContext:
    """What a gene mention's surroundings say: the cue ``species`` they name, and whether the mention's own
    sentence named it (``firm``: the way the name is written does not overrule it)."""

    species: str = HUMAN
    firm: bool = False
    nomenclature: str | None = None

    def ranking(self, text: str = "", concepts: Iterable[Concept] = ()) -> tuple[str, ...]:
        """The gene species, best first, that the name ``text`` (looked up as ``concepts``) may mean here."""
        if not self.firm and self.nomenclature not in (None, self.species) and self.species in (HUMAN, MOUSE):
            if text and written_species(text, concepts) == self.nomenclature:
                return gene_ranking(self.nomenclature)
        return gene_ranking(self.species)


DEFAULT_CONTEXT = SpeciesContext()


@dataclass(frozen=True)
class OrganismCue:
    """An organism mention that names a cue species (:data:`kg.resolve.species.CUE_SPECIES`)."""

    start: int
    end: int
    taxon: str


class MentionSpecies:
    """One document's organism cues, answering which species each of its gene mentions means.

    ``blocks`` are the document's paragraphs (title, abstract, caption...) as ``(start, end)`` offsets, sorted.
    """

    def __init__(self, cues: Iterable[OrganismCue], blocks: Sequence[tuple[int, int]] = (),
                 nomenclature: str | None = None) -> None:
        self.nomenclature = nomenclature
        self.cues = sorted((c for c in cues if c.taxon in CUE_SPECIES), key=lambda c: (c.start, c.end, c.taxon))
        self._starts = [c.start for c in self.cues]
        self._blocks = sorted(blocks)
        self._block_starts = [b[0] for b in self._blocks]
        self.focus = rank_species(c.taxon for c in self.cues)[0]
        self._block_focus: dict[tuple[int, int], str] = {}

    def context(self, mention: Mention) -> SpeciesContext:
        """The species ``mention`` means: its sentence's (firm), else its paragraph's, else the document's."""
        start, end = mention.sentence
        if end > start:
            found = self._nearest(mention, self._within(start, end))
            if found is not None:
                return SpeciesContext(found, True, self.nomenclature)
        block = self._block_of(mention.start)
        if block is not None:
            if block not in self._block_focus:
                inside = self._within(*block)
                self._block_focus[block] = rank_species(c.taxon for c in inside)[0] if inside else ""
            if self._block_focus[block]:
                return SpeciesContext(self._block_focus[block], False, self.nomenclature)
        return SpeciesContext(self.focus, False, self.nomenclature)

    def _within(self, start: int, end: int) -> list[OrganismCue]:
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_left(self._starts, end)
        return self.cues[lo:hi]

    def _block_of(self, offset: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._block_starts, offset) - 1
        if i >= 0 and self._blocks[i][0] <= offset < self._blocks[i][1]:
            return self._blocks[i]
        return None

    @staticmethod
    def _nearest(mention: Mention, cues: Sequence[OrganismCue]) -> str | None:
        """The taxon of the cue closest before ``mention``, else of the one closest after (none inside it)."""
        before = [c for c in cues if c.end <= mention.start]
        if before:
            return max(before, key=lambda c: (c.end, c.start)).taxon
        after = [c for c in cues if c.start >= mention.end]
        return after[0].taxon if after else None


def nomenclature(names: Iterable[tuple[str, Sequence[Concept]]]) -> str | None:
    """The species whose gene nomenclature a document follows: that of most of its distinct gene ``names``
    (each with the concepts it looks up) that are written as one species' only, if one has more."""
    counts = Counter(written_species(name, concepts) for name, concepts in dict(names).items())
    counts.pop(None, None)
    ranked = counts.most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]
