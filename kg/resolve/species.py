"""Which species a gene name means: the document's organisms choose between one symbol's human and mouse genes.

"Bdnf" and "BDNF" share a normalised key, so a lookup returns the human and the mouse gene. As GNormPlus and SR4GN
do, the document decides: the organisms its mentions resolve to, counted, rank the species (a mouse study says
"mice" far more than "human"); a document that names none means human. A gene of a species the document does not
rank is not meant; only gene concepts of a known species are chosen between, everything else a lookup returns is
kept as it was.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from kg.concept import Concept
from kg.vocabulary.sources import genes, mouse_genes

__all__ = ["HUMAN", "GENE_SPECIES", "taxon_of", "rank_species", "prefer_species"]

HUMAN = "NCBITaxon:9606"
# The vocabulary sources that bring the genes of one species.
_SOURCE_TAXA = {genes.SOURCE_KEY: HUMAN, mouse_genes.SOURCE_KEY: mouse_genes.TAXON}
GENE_SPECIES = frozenset(_SOURCE_TAXA.values())
# A species outranks human only when named this many times as often: a review of human therapies that cites mouse
# studies means human genes.
DOMINANCE = 2


def taxon_of(concept: Concept) -> str | None:
    """The species of a gene concept: that of its source; an NCBI Gene ID of the curated lists is human."""
    if concept.category not in ("gene", "complex"):
        return None
    for source in concept.sources:
        if source in _SOURCE_TAXA:
            return _SOURCE_TAXA[source]
    return HUMAN if concept.curie.startswith("NCBIGene:") else None


def rank_species(organisms: Iterable[str]) -> tuple[str, ...]:
    """The gene species a document's organism CURIEs (one per mention) point to: those named over
    :data:`DOMINANCE` times as often as human, most mentioned first, then human, the default."""
    counts = Counter(o for o in organisms if o in GENE_SPECIES)
    human = counts.pop(HUMAN, 0)
    ranked = [taxon for taxon, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n > DOMINANCE * human]
    return (*ranked, HUMAN)


def prefer_species(concepts: Sequence[Concept], ranking: Sequence[str]) -> list[Concept]:
    """``concepts`` without the gene concepts of species the document does not rank (a mouse-only alias such as
    "MDM-2" in a study of human patients) and, of the rest, all but those of the best-ranked species present."""
    taxa = {taxon_of(c) for c in concepts} - {None}
    chosen = next((t for t in ranking if t in taxa), None)
    if not taxa or (len(taxa) == 1 and chosen is not None):
        return list(concepts)
    return [c for c in concepts if taxon_of(c) in (None, chosen)]
