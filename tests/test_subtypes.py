"""NCBI Disease subtypes learnt from the training split: Modifier from the next word, else the form's type."""
from kg.evaluation.subtypes import next_word, subtype


def test_next_word_ignores_glued_text_and_punctuation():
    text = "VHL gene, VHL-associated tumours and ataxia."
    assert next_word(text, 3) == "gene"
    assert next_word(text, 13) == ""  # "VHL" glued to "-associated"
    assert next_word(text, len(text) - 1) == ""


def test_modifier_before_a_gene_noun_and_default_specific_disease():
    text = "Mutations in the APC gene cause familial adenomatous polyposis."
    start = text.index("APC")
    assert subtype(text, start, start + 3) == "Modifier"
    start = text.index("familial adenomatous polyposis")
    assert subtype(text, start, len(text) - 1) == "SpecificDisease"


def test_annotate_writes_ncbi_subtypes(tmp_path):
    """Written NCBI Disease annotations carry the corpus's own type names, never the collapsed "Disease"."""
    from kg.annotate import annotate_paths

    text = "1|t|Huntington disease and hypertension in Huntington disease families.\n1|a|Tachycardia follows.\n\n"
    (tmp_path / "NCBItestset_corpus.txt").write_text(text)
    rows = [line.split("\t") for line in annotate_paths([tmp_path / "NCBItestset_corpus.txt"]).splitlines()
            if line.count("\t") == 5]
    assert rows and {r[4] for r in rows} <= {"SpecificDisease", "DiseaseClass", "Modifier", "CompositeMention"}
