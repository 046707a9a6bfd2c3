"""Which species a gene concept belongs to, and how a ranking of species chooses between one symbol's genes.

"Bdnf" and "BDNF" share a normalised key, so a lookup returns the human and the mouse gene. As GNormPlus and SR4GN
do, the text around a mention decides (:mod:`kg.resolve.gene_species` ranks the species per mention): a gene of a
species the ranking leaves out is not meant; only gene concepts of a known species are chosen between, everything
else a lookup returns is kept as it was.

Human genes come from org.Hs.eg.db (every human NCBI Gene ID), mouse and fruit-fly genes from goatools; rat and
other species have no gene list here. A genus written alone ("Drosophila") names its model species
(:func:`genus_cues`). An NCBI Gene ID that only the training corpora's pairs name is in neither list, so it is
no human gene: it is :data:`UNLISTED`, the ID meant where the text is about rats or another species without a list.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from kg.concept import Concept
from kg.vocabulary.index import HUMAN
from kg.vocabulary.sources import corpora, fly_genes, genes, mouse_genes

__all__ = ["HUMAN", "MOUSE", "FLY", "RAT", "UNLISTED", "GENE_SPECIES", "CUE_SPECIES", "taxon_of", "rank_species",
           "gene_ranking", "prefer_species", "genus_cues"]

MOUSE = mouse_genes.TAXON
FLY = fly_genes.TAXON
# Rattus norvegicus, as the vocabulary grounds "rats" (checked by tests/test_gene_species.py).
RAT = "NCBITaxon:10116"
# Not a taxon: the species of a gene ID known only from training pairs (not human, not a listed mouse gene).
UNLISTED = "unlisted"
# The vocabulary sources that bring the genes of one species.
_SOURCE_TAXA = {genes.SOURCE_KEY: HUMAN, mouse_genes.SOURCE_KEY: MOUSE, fly_genes.SOURCE_KEY: FLY}
GENE_SPECIES = frozenset(_SOURCE_TAXA.values())
# The organisms whose mentions say which species a nearby gene name means: those with a gene list, and the rat
# (a third of BioRED's non-human genes), whose genes have none here.
CUE_SPECIES = GENE_SPECIES | {RAT}
_TRAINING_SOURCES = frozenset(f"{name}-train" for name in corpora.CORPORA)
# A species outranks human only when named this many times as often: a review of human therapies that cites mouse
# studies means human genes.
DOMINANCE = 2


def taxon_of(concept: Concept) -> str | None:
    """The species of a gene concept: that of its source; an NCBI Gene ID of the curated lists is human, one the
    training pairs alone name is :data:`UNLISTED`."""
    if concept.category not in ("gene", "complex"):
        return None
    for source in concept.sources:
        if source in _SOURCE_TAXA:
            return _SOURCE_TAXA[source]
    if not concept.curie.startswith("NCBIGene:"):
        return None
    if concept.sources and set(concept.sources) <= _TRAINING_SOURCES:
        return UNLISTED
    return HUMAN


def rank_species(organisms: Iterable[str]) -> tuple[str, ...]:
    """The cue species that organism CURIEs (one per mention) point to: those named over :data:`DOMINANCE` times
    as often as human, most mentioned first (ties in CURIE order), then human, the default."""
    counts = Counter(o for o in organisms if o in CUE_SPECIES)
    human = counts.pop(HUMAN, 0)
    ranked = [taxon for taxon, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n > DOMINANCE * human]
    return (*ranked, HUMAN)


def gene_ranking(species: str) -> tuple[str, ...]:
    """The gene species, best first, that a gene name may mean where the text is about ``species``.

    Where the text is about mice (or flies), a name the mouse (fly) list lacks is no human gene (the lists have
    protein-coding genes only, so a training corpus's :data:`UNLISTED` ID may be that species' gene); a rat gene
    has no list, so only an :data:`UNLISTED` ID may stand for it, never the human or the mouse gene.
    """
    if species in (MOUSE, FLY):
        return (species, UNLISTED)
    if species == RAT:
        return (UNLISTED,)
    return (HUMAN,)


def prefer_species(concepts: Sequence[Concept], ranking: Sequence[str]) -> list[Concept]:
    """``concepts`` without the gene concepts of species the ranking leaves out (a mouse-only alias such as
    "MDM-2" in a study of human patients) and, of the rest, all but those of the best-ranked species present."""
    taxa = {taxon_of(c) for c in concepts} - {None}
    chosen = next((t for t in ranking if t in taxa), None)
    if not taxa or (len(taxa) == 1 and chosen is not None):
        return list(concepts)
    return [c for c in concepts if taxon_of(c) in (None, chosen)]


def genus_cues(vocabulary) -> dict[str, str]:
    """Organism CURIEs that name a cue species by its genus alone ("Drosophila", and "flies" where the vocabulary
    reads it so, for Drosophila melanogaster): the genus concept whose label is the first word of the species'
    label, looked up in ``vocabulary``."""
    cues: dict[str, str] = {}
    for species in sorted(CUE_SPECIES):
        concept = vocabulary.get(species)
        if concept is None or " " not in concept.label:
            continue
        genus = concept.label.split()[0]
        for found in vocabulary.lookup(genus):
            if found.category == "organism" and found.label == genus and found.curie not in CUE_SPECIES:
                cues.setdefault(found.curie, species)
    return cues
