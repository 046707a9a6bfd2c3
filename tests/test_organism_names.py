"""Organisms as texts name them: former names, genus abbreviations through a genus word, virus names in words.

Real abstracts of the held-out fifths of LINNAEUS and S800 (kg.vocabulary.sources.corpora.is_heldout: their forms
are not among the vocabulary's training pairs); every expected ID is the one the vocabulary gives the full name.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.vocabulary.sources.corpora import is_heldout

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"


@pytest.fixture(scope="module")
def synonyms_index(broad_index):
    from kg.vocabulary.build import read_manifest

    manifest = read_manifest()
    if manifest is None or "taxonomy-synonyms" not in {s.name for s in manifest.sources}:
        pytest.skip("the broad index was built without the taxonomy-synonyms source: run `make vocab`")


def _organisms(path: Path, doc_id: str, nlp, vocabulary) -> dict[str, str]:
    from kg.evaluation import predict
    from kg.ingest import read_paths

    if not path.is_file():
        pytest.skip(f"no corpus at {path}")
    assert is_heldout(doc_id), "the document must be one the vocabulary never learnt from"
    documents = [d for d in read_paths([path]) if d.id == doc_id]
    return {m.text: m.curie for m in predict(documents, nlp, vocabulary) if m.category == "organism" and m.curie}


def _curie(vocabulary, name: str) -> str:
    found = [c.curie for c in vocabulary.lookup(name) if c.category == "organism"]
    assert len(found) == 1, f"{name!r} should name one organism in the vocabulary, not {found}"
    return found[0]


def test_a_former_name_and_its_abbreviation_are_the_current_taxon(synonyms_index, nlp, vocabulary):
    # "Clostridium difficile" is the taxonomy's former name of Clostridioides difficile
    found = _organisms(SHARED / "s800" / "SPECIES_Train.PubTator", "20971909", nlp, vocabulary)
    taxon = _curie(vocabulary, "Clostridium difficile")
    assert vocabulary.get(taxon).label == "Clostridioides difficile"
    assert found["Clostridium difficile"] == taxon and found["C. difficile"] == taxon


def test_abbreviations_expand_through_the_genus_the_text_names(synonyms_index, nlp, vocabulary):
    # "Culex" is named, then only "C. vishnui", "C. annulus", ...: never a full binomial
    found = _organisms(SHARED / "linnaeus" / "Linnaeus_Train.PubTator", "1891629", nlp, vocabulary)
    for abbreviation, name in (("C. vishnui", "Culex vishnui"), ("C. annulus", "Culex annulus"),
                               ("C. tarsalis", "Culex tarsalis")):
        assert found.get(abbreviation) == _curie(vocabulary, name), abbreviation


def test_virus_names_in_words_are_organisms(synonyms_index, nlp, vocabulary):
    hiv = _organisms(SHARED / "s800" / "SPECIES_Train.PubTator", "20980521", nlp, vocabulary)
    assert hiv["HIV"] == hiv["human immunodeficiency virus"] == _curie(vocabulary, "Human immunodeficiency virus")
    tbe = _organisms(SHARED / "s800" / "SPECIES_Train.PubTator", "20933016", nlp, vocabulary)
    assert tbe["tick-borne encephalitis virus"] == _curie(vocabulary, "Tick-borne encephalitis virus")


def test_a_strain_is_its_own_taxon_and_its_abbreviation_the_species(synonyms_index, nlp, vocabulary):
    found = _organisms(SHARED / "linnaeus" / "Linnaeus_Train.PubTator", "1885853", nlp, vocabulary)
    strain = _curie(vocabulary, "Photobacterium profundum SS9")
    assert found["Photobacterium profundum SS9"] == strain
    assert vocabulary.get(strain).label == "Photobacterium profundum SS9"


def test_strains_are_written_as_their_species_where_a_corpus_wants_it():
    from kg.concept import Concept, Mention
    from kg.evaluation.strains import strains_as_species
    from kg.vocabulary import Vocabulary

    # 1390: what S800's training gold gives "Bacillus amyloliquefaciens FZB42"; 326423: the strain's taxon (specData)
    species = Concept("NCBITaxon:1390", "Bacillus amyloliquefaciens", "organism")
    strain = Concept("NCBITaxon:326423", "Bacillus amyloliquefaciens FZB42", "organism")
    vocabulary = Vocabulary([("test", [species, strain])])
    mentions = [Mention("d", 0, 32, "Bacillus amyloliquefaciens FZB42", "organism", curie=strain.curie),
                Mention("d", 40, 45, "FZB42", "gene", curie="NCBIGene:1")]
    written = strains_as_species(mentions, vocabulary)
    assert [m.curie for m in written] == ["NCBITaxon:1390", "NCBIGene:1"]
