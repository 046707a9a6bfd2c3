"""Strains written as their species, for corpora whose annotators normalise a strain to its species.

The graph keeps the most specific taxon a text names ("Bacillus amyloliquefaciens FZB42" is its own NCBI Taxonomy
node, kg.vocabulary.sources.taxonomy_synonyms), as LINNAEUS annotates it. S800's annotators give a strain the
species' ID: every strain mention of its training split whose binomial is annotated too carries the binomial's ID
(8 of 8). In such a corpus's terms a strain mention is written with the ID of the binomial its name starts with,
when the vocabulary names that binomial as one NCBI Taxonomy organism.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from kg.concept import Mention
from kg.vocabulary.sources.taxonomy_synonyms import strain_binomial

__all__ = ["strains_as_species"]


def strains_as_species(mentions: Iterable[Mention], vocabulary) -> list[Mention]:
    """``mentions`` with each strain taxon's CURIE replaced by its species' (others unchanged)."""
    species: dict[str, str] = {}
    out = []
    for mention in mentions:
        if mention.category == "organism" and mention.curie:
            if mention.curie not in species:
                species[mention.curie] = _species_of(mention.curie, vocabulary)
            if species[mention.curie] != mention.curie:
                mention = replace(mention, curie=species[mention.curie])
        out.append(mention)
    return out


def _species_of(curie: str, vocabulary) -> str:
    concept = vocabulary.get(curie)
    binomial = strain_binomial(concept.label) if concept is not None else ""
    if not binomial:
        return curie
    found = {c.curie for c in vocabulary.lookup(binomial) if c.curie.startswith("NCBITaxon:")}
    return found.pop() if len(found) == 1 else curie
