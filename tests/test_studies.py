"""Studies from prose and from tables of any layout, on real sentences and tables of the development reviews.

Excerpts are quoted from the open-access (CC BY 4.0) reviews in ``../shared/corpus/reviews/``: Hall & Filardo,
Cells 2023 (GPER); Jimenez-Labaig et al., JNCI Cancer Spectr 2024 (head and neck); Carbone et al., Eur Psychiatry
2021 (microbiota); Connolly et al., Psychopharmacology 2024 (VMAT-2). The sentence of issue 8 is its own example.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import extract
from kg.ingest.review import parse_review

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
REVIEWS = SHARED / "corpus" / "reviews"
SAMPLE = SHARED / "corpus" / "esketamine_review.txt"


class _NoEntities:
    entities: list = []
    unresolved: list = []


def _review(body: str, references: str) -> str:
    return f"A review of something\n\nIntroduction\n\n{body}\n\nReferences\n\n{references}\n"


def _studies(text: str):
    doc = parse_review(text, "t")
    return doc, extract([doc], _NoEntities()).studies


REFS = "\n".join(f"{n}. {a}. A title of work {n}. J Test. {y};{n}:1-9." for n, a, y in (
    (1, "Brown A, Green B", 2015), (2, "Xu T, Li M, Wang J", 2022), (3, "Stone C, Park D", 2018),
    (4, "Davies C, Pan H", 2013), (5, "Lee K, Kim S", 2020), (6, "Dakwar E, Nunes EV", 2019),
))


def test_prose_study_fields_from_a_described_trial():
    body = ("In a randomized, double-blind trial in 55 cocaine-dependent adults, ketamine 0.5 mg/kg was compared "
            "with midazolam and reduced cocaine use at follow-up [6].")
    _, studies = _studies(_review(body, REFS))
    [st] = studies
    assert st.source == "prose"
    assert {"rct", "double_blind", "clinical_trial"} <= set(st.designs)
    assert st.design_text == "randomized, double-blind trial"
    assert st.sample_size == 55 and st.population == "55 cocaine-dependent adults"
    assert st.doses == ("0.5 mg/kg",)
    assert st.comparator.startswith("midazolam")
    assert st.finding.startswith("reduced cocaine use")
    assert st.publication is not None and st.publication.number == 6
    assert (st.first_author, st.year) == ("Dakwar", 2019)


def test_prose_study_from_a_sample_sentence_of_the_gper_review():
    # Hall & Filardo 2023, section 5 (reference number renumbered to this test's list)
    body = ("Similar transcriptomic analyses were performed by Xu and colleagues in a study of 360 Chinese patients "
            "with triple-negative breast cancer (TNBC), an aggressive breast cancer subtype that expresses low levels "
            "of ER, progesterone receptor (PR), and her2/neu [2].")
    _, [st] = _studies(_review(body, REFS))
    assert st.sample_size == 360
    assert st.population == "360 Chinese patients with triple-negative breast cancer"
    assert st.publication.number == 2 and st.key == "Xu 2022"


def test_two_sentences_citing_one_work_are_one_study():
    body = ("A randomized controlled trial enrolled 120 adults with depression [5]. "
            "In that trial, remission was more frequent with the active drug than with placebo [5]. "
            "An open-label trial of 30 patients found lower craving [3].")
    _, studies = _studies(_review(body, REFS))
    assert sorted(st.publication.number for st in studies) == [3, 5]
    five = next(st for st in studies if st.publication.number == 5)
    assert len(five.evidence) == 2 and five.sample_size == 120


@pytest.mark.parametrize("body", [
    "Esketamine improves depressive symptoms in treatment-resistant depression [1].",
    # Jimenez-Labaig et al. 2024, Results: a pooled count over several studies, not one study
    "Insomnia-related relevant symptoms were assessed in 3 studies (n = 667 patients) using the Pittsburgh Sleep "
    "Quality Index [3], with a pooled prevalence of 0.438.",
    "Clinical trials have shown that GPER agonists reduce tumour growth [4].",
    "However, our meta-analysis was unable to differentiate between personality clusters [1].",
    "This affects 264 million people worldwide [1].",
])
def test_findings_and_pooled_sentences_give_no_study(body):
    _, studies = _studies(_review(body, REFS))
    assert studies == []


def test_column_major_table_is_transposed():
    table = "\n".join([
        "| Characteristic | Trial A | Trial B |",
        "| --- | --- | --- |",
        "| Study | Brown et al., 2015 [1] | Stone et al., 2018 [3] |",
        "| Design | RCT | Open-label |",
        "| Population | 120 adults with type 2 diabetes | 60 adults |",
        "| Intervention | semaglutide 1 mg vs placebo | dulaglutide 1.5 mg |",
        "| Outcome | HbA1c reduced | Weight reduced |",
    ])
    _, studies = _studies(_review("Two trials are summarised below.\n\n" + table, REFS))
    assert [(st.first_author, st.year, st.publication.number) for st in studies] == [
        ("Brown", 2015, 1), ("Stone", 2018, 3)]
    brown, stone = studies
    assert brown.designs == ("rct",) and brown.sample_size == 120 and brown.comparator == "placebo"
    assert "open_label" in stone.designs and stone.doses == ("1.5 mg",)


def test_tab_separated_table():
    table = "Study\tDesign\tPopulation\tIntervention\nBrown et al., 2015 [1]\tRCT\t40 patients\tketamine\n" \
            "Lee et al., 2020 [5]\tCohort\t300 adults\tesketamine"
    doc, studies = _studies(_review("Studies are listed below.\n\n" + table, REFS))
    assert len(doc.tables) == 1
    assert [(st.key, st.sample_size) for st in studies] == [("Brown 2015", 40), ("Lee 2020", 300)]


MICROBIOTA_TABLE_1 = [  # Carbone et al. 2021, Table 1, counted by hand: 16 labelled rows in this extraction
    ("Armougom", 2009), ("Million", 2013), ("Pfleiderer", 2013), ("Gouba", 2014), ("Kleiman", 2015),
    ("Morita", 2015), ("Breton", 2016), ("Mack", 2016), ("Kleiman", 2017), ("Mörkl", 2017), ("Borgo", 2017),
    ("Speranza", 2018), ("de Clercq", 2019), ("Hanachi", 2019), ("Mörkl", 2019), ("Prochazkova", 2019),
]


def test_one_cell_per_line_table_of_the_microbiota_review():
    from kg.ingest.reader import read_paths

    [doc] = read_paths([REVIEWS / "pdftext_sr_microbiota_eating_disorders_2021.txt"])
    studies = [st for st in extract([doc], _NoEntities()).studies if st.source == "table"]
    assert [(st.first_author, st.year) for st in studies] == MICROBIOTA_TABLE_1
    by_key = {st.key: st for st in studies}
    assert by_key["Armougom 2009"].publication.number == 25
    assert by_key["Hanachi 2019"].publication.number == 37  # no marker in the cell: found by author and year
    assert "cross_sectional" in by_key["Armougom 2009"].designs
    assert "case_report" in by_key["Pfleiderer 2013"].designs
    assert by_key["Breton 2016"].sample_size == 95


def test_column_major_blocks_of_the_vmat2_review():
    from kg.ingest.reader import read_paths

    [doc] = read_paths([REVIEWS / "pdftext_sr_vmat2_inhibitors_psychosis_2024.txt"])
    studies = extract([doc], _NoEntities()).studies
    keys = {(st.first_author, st.year) for st in studies}
    # Table 2 (risk of bias, one column per field, one line per study) and Table 4 name the five trials
    assert {("Ashcroft", 1961), ("Lingjaerde", 1963), ("Smith", 1960), ("Weckowicz", 1960),
            ("Remington", 2012)} <= keys
    assert len([st for st in studies if st.first_author == "Smith" and st.year == 1960]) == 1  # merged
    hauser = next(st for st in studies if st.first_author == "Hauser")
    assert hauser.sample_size == 150 and hauser.doses
    assert all(st.publication is not None and st.publication.authors for st in studies)


def test_sample_keeps_its_ten_table_studies():
    from kg.ingest.reader import read_paths

    [doc] = read_paths([SAMPLE])
    studies = extract([doc], _NoEntities()).studies
    assert [(st.first_author, st.year) for st in studies] == [
        ("Wydra", 2023), ("Fontoura", 2025), ("Dakwar", 2019), ("Gent", 2024), ("Grabski", 2022),
        ("Brinck", 2021), ("Daly", 2019), ("Gutierrez", 2025), ("Yang", 2024), ("Krupitsky", 2007)]
