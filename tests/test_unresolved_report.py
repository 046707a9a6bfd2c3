"""Nothing central vanishes silently (issue 8, part 7): defined long forms are read whole or reported, and
recurring noun phrases no mention covers are listed in unresolved.tsv, never made entities.

Sentences are from the development reviews (../shared/corpus/reviews) and the diabetes review of issue 8.
"""
from __future__ import annotations

from kg.document import Block, Document, Span


def _doc(text: str, doc_id: str = "t") -> Document:
    return Document(doc_id, text, "test", "review", blocks=[Block(Span(0, len(text)), "paragraph")])


def _annotate(nlp, text: str):
    from kg.nlp import annotate
    from kg.resolve import long_form_concept

    return annotate([_doc(text)], nlp, long_forms=long_form_concept)


GIP = ("Glucose-dependent insulinotropic polypeptide (GIP) and glucagon-like peptide-1 (GLP-1) are incretin "
       "hormones. Tirzepatide is a dual GIP and GLP-1 receptor agonist. Metformin lowers plasma glucose.")


def test_an_inner_name_never_stands_in_for_a_definition(nlp, vocabulary):
    from kg.resolve import resolve

    mentions = _annotate(nlp, GIP)
    long_end = GIP.index(" (GIP)")
    assert not [m for m in mentions if m.end <= long_end], "'Glucose' must not stand in for the definition"
    assert any(m.text == "glucose" for m in mentions)  # the later, free-standing use is still glucose
    resolution = resolve([_doc(GIP)], mentions, vocabulary)
    gip = [m for m in resolution.unresolved if m.text == "GIP"]
    assert gip and "Glucose-dependent insulinotropic polypeptide" in resolution.reasons[gip[0]]


def test_names_inside_organisation_and_scale_long_forms_give_way(nlp):
    # ocrmd_gper_cancer_therapeutic_target_2023 and jats_pmc_sr_bipolar_medication_adherence_2026
    text = ("Data from The Cancer Genome Atlas (TCGA) were analysed. The protocol is on the Open Science "
            "Framework (OSF). Estrogen acts on breast cancer cells.")
    texts = [m.text for m in _annotate(nlp, text)]
    assert "Cancer" not in texts and "Science" not in texts
    assert "breast cancer" in texts  # outside any long form, names stay


def test_a_long_form_read_as_one_concept_grounds_its_short_form(nlp):
    # pdftext_sr_vmat2_inhibitors_psychosis_2024
    text = ("Psychosis was rated on the Brief Psychiatric Rating Scale (BPRS). BPRS scores fell with "
            "valbenazine.")
    mentions = _annotate(nlp, text)
    whole = next(m for m in mentions if m.text == "Brief Psychiatric Rating Scale")
    later = [m for m in mentions if m.text == "BPRS"]
    assert whole.curie and later and all(m.curie == whole.curie for m in later)


def test_a_long_form_holding_a_definition_is_read_whole(nlp):
    # pdftext_ocd_etiology_neuropathology_2023: the long form of SRIs holds the definition of 5-HT
    text = "First-line treatment are serotonin (5-HT) reuptake inhibitors (SRIs). SRIs are effective in OCD."
    mentions = _annotate(nlp, text)
    whole = next(m for m in mentions if m.text == "serotonin (5-HT) reuptake inhibitors")
    assert whole.curie == "MESH:D017367"  # Serotonin Uptake Inhibitors
    assert [m.curie for m in mentions if m.text == "SRIs"] == [whole.curie] * 2


def test_a_short_form_of_a_long_form_read_whole_resolves(nlp, vocabulary):
    from kg.resolve import resolve

    text = "First-line treatment are serotonin (5-HT) reuptake inhibitors (SRIs). SRIs are effective in OCD."
    resolution = resolve([_doc(text)], _annotate(nlp, text), vocabulary)
    assert not [m.text for m in resolution.unresolved]
    entity = resolution.entity("MESH:D017367")
    assert entity is not None and [m.text for m in entity.mentions].count("SRIs") == 2


MICROBIOTA = (
    "Alpha diversity was lower in patients with anorexia nervosa. Studies found reduced alpha diversity "
    "after weight restoration. Alpha diversity did not differ in bulimia nervosa. Microbial richness was "
    "reported once. The authors reported significant results in several studies."
)


def test_recurring_noun_phrases_no_mention_covers_are_listed(nlp, vocabulary):
    from kg.resolve import frequent_phrases

    document = _doc(MICROBIOTA)
    phrases = frequent_phrases([document], _annotate(nlp, MICROBIOTA), vocabulary)
    assert [(p.text, p.uses) for p in phrases] == [("Alpha diversity", 3)]
    assert "frequent phrase (3 uses)" in phrases[0].reason
    assert MICROBIOTA[phrases[0].start:phrases[0].end] == "Alpha diversity"


def test_a_phrase_a_mention_covers_is_not_listed(nlp, vocabulary):
    from kg.resolve import frequent_phrases

    text = "Bipolar disorder is common. Bipolar disorder recurs. Bipolar disorder is treated with lithium."
    assert frequent_phrases([_doc(text)], _annotate(nlp, text), vocabulary) == []


def test_unresolved_tsv_and_summary_count_each_kind(tmp_path):
    from kg.build import build

    path = tmp_path / "review.txt"
    path.write_text("Gut microbiota in eating disorders\n\n" + GIP + "\n\n" + MICROBIOTA + "\n", encoding="utf-8")
    summary = build([path], tmp_path / "out")
    lines = (tmp_path / "out" / "unresolved.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "doc_id\tstart\tend\ttext\tcategory\treason\tkind"
    rows = [line.split("\t") for line in lines[1:]]
    kinds = {r[6] for r in rows}
    assert {"defined abbreviation", "frequent phrase"} <= kinds
    assert ("Alpha diversity", "phrase", "frequent phrase") in {(r[3], r[4], r[6]) for r in rows}
    assert summary.unresolved_phrases == sum(r[6] == "frequent phrase" for r in rows)
    assert summary.unresolved_defined == sum(r[6] == "defined abbreviation" for r in rows)
    rendered = summary.render()
    assert "phrases" in rendered and "defined" in rendered
    assert all("diversity" not in e.lower() for e in summary.entities_by_category)
