"""The entity categories kg recognises, and how each maps onto Biolink and onto corpus type names."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CategoryName", "Category", "CATEGORIES", "category"]


class CategoryName(StrEnum):
    """The category names; members compare equal to their strings, so rows and configs stay plain text."""

    CHEMICAL = "chemical"
    GENE = "gene"
    COMPLEX = "complex"
    DISEASE = "disease"
    PHENOTYPE = "phenotype"
    ORGANISM = "organism"
    ANATOMY = "anatomy"
    CELL = "cell"
    PROCESS = "process"
    BEHAVIOUR = "behaviour"
    INTERVENTION = "intervention"
    CONCEPT = "concept"


@dataclass(frozen=True)
class Category:
    name: CategoryName
    biolink: str  # local name of the Biolink class (https://w3id.org/biolink/vocab/<biolink>)
    pubtator: str  # the type name PubTator-style corpora use ("" when they have none)
    description: str


CATEGORIES: dict[CategoryName, Category] = {
    c.name: c
    for c in (
        Category(
            CategoryName.CHEMICAL, "ChemicalEntity", "Chemical", "drugs, metabolites, neurotransmitters, drug classes"
        ),
        Category(CategoryName.GENE, "GeneOrGeneProduct", "Gene", "genes, proteins, receptors, subunits"),
        Category(CategoryName.COMPLEX, "MacromolecularComplex", "Gene", "protein complexes such as receptors"),
        Category(CategoryName.DISEASE, "Disease", "Disease", "diseases and disorders"),
        Category(CategoryName.PHENOTYPE, "PhenotypicFeature", "Disease", "symptoms, signs, adverse events"),
        Category(CategoryName.ORGANISM, "OrganismTaxon", "Species", "species, strains, 'patients', 'rats'"),
        Category(CategoryName.ANATOMY, "AnatomicalEntity", "", "organs, tissues, brain regions"),
        Category(CategoryName.CELL, "Cell", "CellLine", "cell types"),
        Category(CategoryName.PROCESS, "BiologicalProcess", "", "biological processes and pathways"),
        Category(CategoryName.BEHAVIOUR, "Behavior", "", "behaviours and outcomes"),
        Category(CategoryName.INTERVENTION, "Procedure", "", "therapies, procedures, interventions"),
        Category(
            CategoryName.CONCEPT, "NamedThing", "", "other named concepts (MeSH descriptors of no other category)"
        ),
    )
}
assert set(CATEGORIES) == set(CategoryName), "every category name has exactly one row"


def category(name: str) -> Category:
    """Return the category called ``name``; unknown names fall back to ``concept``."""
    return CATEGORIES.get(name, CATEGORIES[CategoryName.CONCEPT])  # type: ignore[call-overload]
