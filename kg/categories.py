"""The entity categories kg recognises, and how each maps onto Biolink and onto corpus type names."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str
    biolink: str  # local name of the Biolink class (https://w3id.org/biolink/vocab/<biolink>)
    pubtator: str  # the type name PubTator-style corpora use ("" when they have none)
    description: str


CATEGORIES: dict[str, Category] = {
    c.name: c
    for c in (
        Category("chemical", "ChemicalEntity", "Chemical", "drugs, metabolites, neurotransmitters, drug classes"),
        Category("gene", "GeneOrGeneProduct", "Gene", "genes, proteins, receptors, subunits"),
        Category("complex", "MacromolecularComplex", "Gene", "protein complexes such as receptors"),
        Category("disease", "Disease", "Disease", "diseases and disorders"),
        Category("phenotype", "PhenotypicFeature", "Disease", "symptoms, signs, adverse events"),
        Category("organism", "OrganismTaxon", "Species", "species, strains, 'patients', 'rats'"),
        Category("anatomy", "AnatomicalEntity", "", "organs, tissues, brain regions"),
        Category("cell", "Cell", "CellLine", "cell types"),
        Category("process", "BiologicalProcess", "", "biological processes and pathways"),
        Category("behaviour", "Behavior", "", "behaviours and outcomes"),
        Category("intervention", "Procedure", "", "therapies, procedures, interventions"),
        Category("concept", "NamedThing", "", "other named concepts (MeSH descriptors of no other category)"),
    )
}


def category(name: str) -> Category:
    """Return the category called ``name``; unknown names fall back to ``concept``."""
    return CATEGORIES.get(name, CATEGORIES["concept"])
