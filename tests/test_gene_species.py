"""Species per gene mention: the organisms of a mention's sentence, paragraph and document, and how its document
writes gene names, choose between one name's human, mouse and rat genes (kg.resolve.gene_species).

The corpus tests read BioRED's development abstracts and check the pipeline against the corpus's own gold IDs;
which species an ID belongs to comes from the vocabulary's gene lists at test time, never from this file.
"""
from __future__ import annotations

import re

import pytest

from kg.concept import Concept, Mention
from kg.resolve.gene_species import MentionSpecies, OrganismCue, SpeciesContext, nomenclature, written_species
from kg.resolve.species import HUMAN, MOUSE, RAT, UNLISTED, gene_ranking, prefer_species, rank_species, taxon_of
from kg.vocabulary.sources import corpora, genes, mouse_genes

# -- the rules, on one real sentence (BioRED dev 27663860) -------------------------------------------------------

SENTENCE = ("Transgenic mice that express human liver-type fatty acid binding protein (L-FABP) with or without "
            "disruption of the AT1a receptor gene were used.")


def _at(text: str, word: str) -> Mention:
    start = text.index(word)
    return Mention("d", start, start + len(word), word, "gene", sentence=(0, len(text)))


def _cue(text: str, word: str, taxon: str) -> OrganismCue:
    start = text.index(word)
    return OrganismCue(start, start + len(word), taxon)


def test_the_nearest_organism_before_a_gene_in_its_sentence_decides():
    species = MentionSpecies([_cue(SENTENCE, "mice", MOUSE), _cue(SENTENCE, "human", HUMAN)])
    assert species.context(_at(SENTENCE, "L-FABP")) == SpeciesContext(HUMAN, firm=True)
    assert species.context(_at(SENTENCE, "AT1a")).species == HUMAN, "the nearest before, not the most named"
    assert species.context(_at(SENTENCE, "Transgenic")).species == MOUSE, "none before: the nearest after"


def test_a_sentence_without_organisms_takes_its_paragraphs_then_its_documents():
    text = "Rats were fed. Stat3 rose. Patients had more BDNF. Mice and mice and mice. IL-6 fell."
    cues = [_cue(text, "Rats", RAT), _cue(text, "Patients", HUMAN)]
    cues += [OrganismCue(m.start(), m.end(), MOUSE) for m in re.finditer(r"[Mm]ice", text)]
    first, second = (0, text.index("Patients")), (text.index("Patients"), len(text))

    def sentence_of(word: str) -> Mention:
        start = text.index(word)
        stop = text.index(".", start) + 1
        return Mention("d", start, start + len(word), word, "gene", sentence=(text.rfind(".", 0, start) + 1, stop))

    species = MentionSpecies(cues, [first, second])
    assert species.context(sentence_of("Stat3")) == SpeciesContext(RAT), "the paragraph's rats"
    assert species.context(sentence_of("IL-6")).species == MOUSE, "three mice outnumber one patient twice over"
    assert MentionSpecies(cues).context(sentence_of("Stat3")).species == MOUSE, "no paragraphs: the document's"
    assert MentionSpecies([]).context(sentence_of("Stat3")).species == HUMAN, "named nowhere: human"


def test_rank_species_counts_rats_and_ignores_species_without_gene_cues():
    assert rank_species([RAT, RAT, RAT, HUMAN]) == (RAT, HUMAN)
    assert rank_species(["NCBITaxon:562", "NCBITaxon:562", HUMAN]) == (HUMAN,)


def test_a_rat_gene_is_never_the_human_or_the_mouse_gene_of_its_name():
    human = Concept("NCBIGene:1", "STAT3", "gene", (), (), (genes.SOURCE_KEY,))
    mouse = Concept("NCBIGene:2", "Stat3", "gene", (), (), (mouse_genes.SOURCE_KEY,))
    learnt = Concept("NCBIGene:3", "Stat3", "gene", (), (), ("biored-train",))
    assert taxon_of(learnt) == UNLISTED, "an ID only a training corpus names is in neither gene list"
    assert prefer_species([human, mouse], gene_ranking(RAT)) == []
    assert prefer_species([human, mouse, learnt], gene_ranking(RAT)) == [learnt]
    assert prefer_species([human, learnt], gene_ranking(HUMAN)) == [human]
    assert prefer_species([human], gene_ranking(MOUSE)) == [], "in a mouse sentence a human-only name means no gene"


def test_the_way_a_name_is_written_overrules_a_paragraph_only_where_the_document_writes_so():
    human = Concept("NCBIGene:1", "SHH", "gene", ("sonic hedgehog signaling molecule",), (), (genes.SOURCE_KEY,))
    mouse = Concept("NCBIGene:2", "Shh", "gene", ("sonic hedgehog",), (), (mouse_genes.SOURCE_KEY,))
    both = [human, mouse]
    assert written_species("Shh", both) == MOUSE and written_species("SHH", both) == HUMAN
    assert written_species("shh", both) is None
    assert nomenclature([("Shh", both), ("SHH", both), ("Shh", both)]) is None, "one name each: a tie"
    mousy = SpeciesContext(HUMAN, nomenclature=MOUSE)
    assert mousy.ranking("Shh", both) == gene_ranking(MOUSE)
    assert mousy.ranking("SHH", both) == gene_ranking(HUMAN)
    assert SpeciesContext(HUMAN, firm=True, nomenclature=MOUSE).ranking("Shh", both) == gene_ranking(HUMAN)
    assert SpeciesContext(RAT, nomenclature=MOUSE).ranking("Shh", both) == gene_ranking(RAT)


# -- the pipeline on BioRED development abstracts -----------------------------------------------------------------

@pytest.fixture(scope="module")
def biored(vocabulary, nlp, broad_index):
    """Per document id of BioRED dev: the gold gene annotations and the predicted mention CURIEs by span."""
    from kg.evaluation import predict
    from kg.ingest import read_paths

    path = corpora.shared_dir() / "eval" / "biored" / "Dev.PubTator"
    if not path.is_file():
        pytest.skip(f"no BioRED development split at {path}")
    wanted = {"27663860", "24036311", "25080425", "17943461"}
    documents = [d for d in read_paths([path]) if d.id in wanted]
    predicted = {(m.doc_id, m.start, m.end): m.curie for m in predict(documents, nlp, vocabulary)}
    return {d.id: (d, predicted) for d in documents}


def _gold(document, text: str, nth: int = 0):
    found = [g for g in document.gold if g.text == text and "Gene" in g.type]
    return found[nth]


def _species_of(vocabulary, identifier: str) -> str | None:
    concept = vocabulary.get(f"NCBIGene:{identifier}")
    return taxon_of(concept) if concept is not None else None


def test_one_abstract_names_a_mouse_gene_and_a_human_transgene(biored, vocabulary):
    document, predicted = biored["27663860"]
    transgene = _gold(document, "L-FABP")  # "Transgenic mice that express human ... (L-FABP)"
    receptor = _gold(document, "AT1a receptor")  # "... transgenic mice with AT1a receptor gene disruption"
    assert _species_of(vocabulary, transgene.identifier) == HUMAN
    assert _species_of(vocabulary, receptor.identifier) == MOUSE
    for gold in (transgene, receptor):
        assert predicted[(document.id, gold.span.start, gold.span.end)] == f"NCBIGene:{gold.identifier}", gold.text


def test_a_document_that_writes_mouse_symbols_means_mouse_genes(biored, vocabulary):
    document, predicted = biored["24036311"]  # names no organism but yeast; writes Sox2, Gata6, Fgf4, Sox17
    checked = 0
    for text in ("Sox2", "Gata6", "Fgf4", "Sox17"):
        gold = _gold(document, text)
        assert _species_of(vocabulary, gold.identifier) == MOUSE
        assert predicted[(document.id, gold.span.start, gold.span.end)] == f"NCBIGene:{gold.identifier}", text
        checked += 1
    assert checked == 4


def test_a_mouse_sentence_and_a_human_title_in_one_abstract(biored, vocabulary):
    document, predicted = biored["17943461"]
    title = _gold(document, "Fas ligand")  # the title names no species; the abstract names patients and mice
    in_mice = _gold(document, "FasL", 1)  # "... FasL Tg mice showed little or no change"
    assert _species_of(vocabulary, title.identifier) == HUMAN
    assert _species_of(vocabulary, in_mice.identifier) == MOUSE
    for gold in (title, in_mice):
        assert predicted[(document.id, gold.span.start, gold.span.end)] == f"NCBIGene:{gold.identifier}", gold.text


def test_a_gene_of_a_rat_study_is_left_unresolved_rather_than_given_the_human_id(biored, vocabulary):
    document, predicted = biored["25080425"]  # "... myocardial injury in rats"; "Male Sprague Dawley rats"
    human_stat3 = {c.curie for c in vocabulary.lookup("STAT3") if taxon_of(c) == HUMAN}
    assert human_stat3, "the vocabulary knows the human STAT3"
    stat3 = [g for g in document.gold if g.text == "STAT3"]
    assert stat3 and all(_species_of(vocabulary, g.identifier) != HUMAN for g in stat3), "the gold gene is rat's"
    for gold in stat3:
        assert predicted.get((document.id, gold.span.start, gold.span.end)) not in human_stat3


def test_the_sample_review_keeps_its_human_genes(vocabulary, nlp, broad_index):
    from kg.evaluation import predict_resolution
    from kg.ingest import read_paths

    review = corpora.shared_dir() / "corpus" / "esketamine_review.txt"
    if not review.is_file():
        pytest.skip(f"no sample review at {review}")
    documents = read_paths([review])
    resolution = predict_resolution(documents, nlp, vocabulary)
    human_bdnf = next(c for c in vocabulary.lookup("BDNF") if taxon_of(c) == HUMAN)
    entity = resolution.entity(human_bdnf.curie)
    assert entity is not None, "a review of human therapy that cites rat studies names the human BDNF"
    gene_taxa = {taxon_of(e.concept) for e in resolution.entities if e.concept.prefix == "NCBIGene"}
    assert gene_taxa <= {HUMAN}, gene_taxa


def test_the_cue_species_are_the_taxa_the_vocabulary_grounds_their_names_to(vocabulary):
    for name, taxon in (("rats", RAT), ("mice", MOUSE), ("patients", HUMAN)):
        assert taxon in [c.curie for c in vocabulary.lookup(name)][:1], name
