"""Extraction rules on real input: a made-up mini review (fixture), the sample review and BioRED abstracts."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.concept import Concept, Entity, Mention
from kg.document import Block, CitationMarker, Document, Reference, Span, Table, TableRow

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
SAMPLE = SHARED / "corpus" / "esketamine_review.txt"
BIORED_DEV = SHARED / "eval" / "biored" / "Dev.PubTator"


class _Resolution:
    def __init__(self, entities):
        self.entities, self.unresolved = entities, []


def mini_inputs(name: str = "mini_review.json"):
    """Build a review Document (text, blocks, table, references, citations) and its resolved entities from JSON."""
    from kg.extract.context import split_sentences

    spec = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    blocks = []
    text = spec["title"]
    blocks.append(Block(Span(0, len(text)), "title"))
    for p in spec["paragraphs"]:
        text += "\n"
        blocks.append(Block(Span(len(text), len(text) + len(p)), "paragraph"))
        text += p
    header = spec["table"]["header"]
    text += "\n"
    t_start = len(text)
    text += "| " + " | ".join(header) + " |"
    rows = []
    for cells in spec["table"]["rows"]:
        text += "\n"
        r_start = len(text)
        line, spans = "|", []
        for h, c in zip(header, cells):
            line += " "
            spans.append((h, Span(r_start + len(line), r_start + len(line) + len(c))))
            line += c + " |"
        text += line
        rows.append(TableRow(tuple(zip(header, cells)), tuple(spans), Span(r_start, r_start + len(line))))
        for _h, s in spans:
            blocks.append(Block(s, "table_cell"))
    table = Table(tuple(header), tuple(rows), Span(t_start, len(text)))
    refs = [Reference(number=r["number"], raw=r["title"], span=Span(0, 0), title=r["title"],
                      authors=tuple(r["authors"]), year=r["year"], doi=r.get("doi", "")) for r in spec["references"]]
    citations = [CitationMarker(Span(m.start(), m.end()), tuple(int(n) for n in re.findall(r"\d+", m.group(0))))
                 for m in re.finditer(r"\[(\d+(?:,\s*\d+)*)\]", text)]
    doc = Document(spec["id"], text, str(FIXTURES / name), "review", title=spec["title"], blocks=blocks,
                   tables=[table], references=refs, citations=citations)
    sentences = [s for b in blocks for s in split_sentences(text, b.span.start, b.span.end)]
    entities = []
    for e in spec["entities"]:
        concept = Concept(e["curie"], e["label"], e["category"])
        mentions = []
        for form in e["forms"]:
            for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
                sent = next(((s, t) for s, t in sentences if s <= m.start() < t), (0, 0))
                mentions.append(Mention(doc.id, m.start(), m.end(), form, e["category"], sent, e["curie"], "exact"))
        entities.append(Entity(concept, sorted(mentions, key=lambda x: x.start)))
    return [doc], _Resolution(entities)


@pytest.fixture(scope="module")
def mini():
    from kg.extract import extract

    docs, res = mini_inputs()
    return docs, res, extract(docs, res)


def _rels(facts, kind_prefix="", subject="", obj=""):
    return [r for r in facts.relations if r.kind.startswith(kind_prefix) and (not subject or r.subject == subject)
            and (not obj or r.object == obj)]


def test_study_rows_parse_design_dose_comparator_and_publication(mini):
    _, _, facts = mini
    smith, jones, vigibase = facts.studies
    assert vigibase.source == "prose" and vigibase.designs == ("pharmacovigilance",)  # "In pharmacovigilance data"
    assert smith.key == "Smith 2020" and smith.designs[0] == "rct"
    assert smith.publication.number == 2 and smith.publication.doi == "10.9999/mini.2"  # marker cut off: name + year
    assert smith.comparator == "placebo" and smith.doses == ("2 mg",)
    assert "ent:drugamine" in smith.interventions and "ent:craving_disorder" in smith.conditions
    assert smith.sample_size == 42  # from the sentence citing [2], not from the table
    assert "double_blind" in smith.designs  # flag taken from the discussing sentence
    assert [o.direction for o in smith.outcomes] == ["decreased"]
    assert jones.designs == ("animal",) and jones.organisms == ("ent:mouse",) and jones.publication.number is None
    assert [o.direction for o in jones.outcomes] == ["decreased", "increased"]


def test_mechanism_chain_and_anaphora(mini):
    _, _, facts = mini
    (ant,) = _rels(facts, "mechanism_antagonism", "ent:drugamine", "ent:receptor_alpha")
    assert ant.qualifiers["causal_mechanism_qualifier"] == "antagonism"
    assert ant.qualifiers["object_direction_qualifier"] == "decreased"
    (inh,) = _rels(facts, "mechanism_inhibition", "ent:drugamine", "ent:receptor_alpha")
    assert inh.qualifiers["anatomical_context_qualifier"] == ("ent:pyramidal_cell",)
    assert _rels(facts, "causal_increased", "ent:receptor_alpha", "ent:kinase_beta")
    (carried,) = _rels(facts, "causal", "ent:kinase_beta", "ent:receptor_gamma")  # "This, in turn, activates ..."
    assert carried.evidence.text.startswith("This, in turn")
    (implicit,) = _rels(facts, "causal", "ent:receptor_gamma", "ent:plasticity_factor")  # "plastic signaling"
    assert implicit.hedged and implicit.confidence < carried.confidence


def test_drug_disease_predicates_follow_the_evidence(mini):
    _, _, facts = mini
    assert _rels(facts, "treats", "ent:drugamine", "ent:craving_disorder")[0].evidence.text.startswith("Drugamine, a")
    (studied,) = _rels(facts, "studied_to_treat", "ent:drugamine", "ent:craving_disorder")
    assert studied.hedged
    (trial,) = [r for r in _rels(facts, "outcome", "ent:drugamine", "ent:relapse") if r.study]
    assert trial.study == "Smith 2020" and trial.organisms == ("ent:human",)
    assert trial.qualifiers["object_direction_qualifier"] == "decreased"
    (neg,) = _rels(facts, "outcome", "ent:drugamine", "ent:headache")
    assert neg.negated and neg.transient and neg.organisms == ("ent:mouse",)


def test_statistics_values_ci_and_attachment(mini):
    _, _, facts = mini
    by = {(s.measure, s.value): s for s in facts.statistics}
    odds = by[("or", "2.1")]
    assert (odds.ci_low, odds.ci_high) == ("1.2", "3.4")
    assert odds.drug == "ent:drugamine" and odds.event == "ent:relapse"
    assert by[("p", "0.01")].comparator == "<"
    assert by[("n", "42")].drug == "ent:drugamine"
    nausea, headache = by[("ror", "4.5")], by[("ror", "1.9")]
    assert (nausea.event, headache.event) == ("ent:nausea", "ent:headache")
    assert nausea.data_source == "VigiBase" and nausea.publications == (3,)
    assert nausea.relation is not None and nausea.relation.kind == "adverse_event_statistical"
    assert by[("dose", "5")].unit == "mg/kg"
    (day,) = [s for s in facts.statistics if s.measure == "time"]  # "day 8" stated twice for [2]: one statistic
    assert day.value == "8" and day.study == "Smith 2020" and len(day.more_evidence) == 1


def test_ratio_direction_decides_the_adverse_event_claim(mini):
    from kg.extract.lexicon import predicates

    _, _, facts = mini
    (nausea,) = _rels(facts, "adverse_event", "ent:drugamine", "ent:nausea")
    assert nausea.kind == "adverse_event_statistical" and nausea.qualifiers["object_direction_qualifier"] == "increased"
    (rash,) = _rels(facts, "adverse_event", "ent:drugamine", "ent:rash")  # ROR 0.42 (0.20-0.80): reported less
    assert rash.kind == "adverse_event_decreased" and rash.qualifiers["object_direction_qualifier"] == "decreased"
    (dizzy,) = _rels(facts, "adverse_event", "ent:drugamine", "ent:dizziness")  # CI 0.6-1.3 includes 1
    assert dizzy.kind == "adverse_event_inconclusive" and "object_direction_qualifier" not in dizzy.qualifiers
    assert predicates()[nausea.kind].asserted and not predicates()[rash.kind].asserted
    assert not predicates()[dizzy.kind].asserted


def test_ratio_direction_reads_value_and_ci():
    from kg.extract.facts import Evidence, Statistic
    from kg.extract.statistics import ratio_direction

    def ror(value, lo="", hi=""):
        return Statistic("d", "ror", value, Evidence("d", 0, 1, "x"), value, (0, 1), ci_low=lo, ci_high=hi)

    assert ratio_direction(ror("18.72")) == "increased" and ratio_direction(ror("0.048")) == "decreased"
    assert ratio_direction(ror("1.9", "1.2", "3.0")) == "increased"
    assert ratio_direction(ror("0.5", "0.3", "0.9")) == "decreased"
    assert ratio_direction(ror("1.4", "0.8", "2.5")) == "" and ratio_direction(ror("0.7", "0.4", "1.1")) == ""
    assert ratio_direction(ror("1")) == ""


def test_design_families_gate_citation_inference():
    from kg.extract.citation_inference import _design_keys, _design_score

    assert _design_keys("reports to the FDA Adverse Event Reporting System (FAERS)") == {"pharmacovigilance"}
    assert _design_score({"observational"}, {"pharmacovigilance"}) < 0  # a FAERS analysis is no cohort study
    assert _design_score({"rct"}, {"double_blind"}) == 0.5 and _design_score({"animal"}, {"preclinical"}) == 0.5
    assert _design_score({"pharmacovigilance"}, {"pharmacovigilance"}) == 1.0 and _design_score({"rct"}, set()) == 0.0


def test_citation_margin_ignores_numbers_rejected_on_design():
    from kg.extract.citation_inference import _margin

    assert _margin(4.0, [float("-inf")]) == 1.0  # the only rival was rejected on design: a clear, finite win
    assert _margin(4.0, [float("-inf"), 3.0]) == 0.25 and _margin(4.0, []) == 1.0
    assert _margin(4.0, [5.0]) == 0.0


def test_non_utf8_extraction_table_names_file_and_line(tmp_path, monkeypatch):
    from kg.errors import VocabularyError
    from kg.extract import lexicon

    (tmp_path / "cues.tsv").write_bytes("kind\tcue\tvalue\nmeasure\tcaf\xe9\tx\n".encode("latin-1"))
    monkeypatch.setattr(lexicon, "EXTRACTION_DIR", tmp_path)
    with pytest.raises(VocabularyError, match=r"cues.tsv: line 2 is not UTF-8"):
        lexicon.read_tsv("cues.tsv")


def test_comparator_offset_is_where_the_cue_ends():
    from kg.extract.studies import _split_comparator

    text = "Ketamine + SSRI vs Ketamine"  # the comparator also starts the cell: find() would say 0
    intervention, comparator, start = _split_comparator(text)
    assert (intervention, comparator) == ("Ketamine + SSRI", "Ketamine") and text[start:] == "Ketamine" and start > 0
    assert _split_comparator("5 mg/kg vs 10 mg/kg") == ("5 mg/kg vs 10 mg/kg", "", -1)


def test_counts_and_citations(mini):
    _, _, facts = mini
    counts = facts.counts()
    # 2 table rows + the VigiBase analysis the text describes [3]; 3 references + the unmatched Jones 2019 row
    assert counts["studies"] == 3 and counts["publications"] == 4
    assert {c.numbers for c in facts.citations} == {(1,), (2,), (3,)}


def _pipeline(paths):
    pytest.importorskip("spacy")
    from kg.extract import extract
    from kg.ingest import read_paths
    from kg.nlp import annotate, load_pipeline
    from kg.resolve import long_form_concept, resolve
    from kg.vocabulary import load_vocabulary

    docs = read_paths(paths)
    vocab = load_vocabulary()
    res = resolve(docs, annotate(docs, load_pipeline("dictionary"), long_forms=long_form_concept), vocab)
    return docs, res, extract(docs, res), vocab


@pytest.fixture(scope="module")
def sample():
    if not SAMPLE.is_file():
        pytest.skip("../shared corpus is absent")
    return _pipeline([SAMPLE])


def test_sample_review_evidence_table(sample):
    docs, _, facts, _ = sample
    assert len(facts.studies) == 10
    for st in facts.studies:
        assert st.design_text and st.population and st.intervention and st.finding and st.designs, st.label
        assert st.entities, st.label
    with_doi = {st.first_author for st in facts.studies if st.publication and st.publication.doi}
    ref_authors = {r.authors[0].split()[0] for r in docs[0].references if r.doi and r.authors}
    assert with_doi and with_doi <= ref_authors  # DOIs only where the reference list gives one


def test_sample_review_six_rors(sample):
    _, _, facts, vocab = sample
    rors = [s for s in facts.statistics if s.measure == "ror"]
    first = [s for s in rors if not any(o.span[0] < s.span[0] for o in s.conflicts_with)]
    values = sorted(float(s.value) for s in first)
    assert values == sorted([18.72, 11.40, 3.72, 0.37, 0.13, 0.048])
    drugs = {s.drug for s in rors}
    assert drugs == {vocab.lookup("ketamine")[0].curie, vocab.lookup("esketamine")[0].curie}
    assert all(s.event or s.event_text for s in rors) and all(s.data_source for s in rors)
    below = [s for s in first if float(s.value) < 1]
    assert len(below) == 3 and all(s.relation is None or s.relation.kind == "adverse_event_decreased" for s in below)
    assert any(s.relation is not None for s in below)
    # the results restate all six as "event (value)": one statistic each, with both sentences as evidence ...
    assert sum(1 for s in first if s.more_evidence) >= 5
    # ... except where the restatement names another event for the same drug and value: kept, flagged
    (later,) = [s for s in rors if s not in first]
    assert later.conflicts_with and later.conflicts_with[0].value == later.value
    assert later.conflicts_with[0].event_text != later.event_text


def test_sample_review_rows_without_reference_get_inferred_citations(sample):
    docs, _, facts, _ = sample
    listed = {r.number for r in docs[0].references}
    by = {st.first_author: st for st in facts.studies}
    gent = by["Gent"]  # "Gent et al., 2024 [": cut-off marker, reference entry missing from the truncated list
    assert gent.citation_inferred and gent.publication.number not in listed and gent.citation_confidence < 1.0
    assert gent.evidence and gent.sample_size == 28  # "28 individuals" from the sentences citing its number
    (day,) = [s for s in facts.statistics if s.measure == "time" and s.study == gent.key]  # "day 8", stated twice
    assert day.unit == "day" and len(day.more_evidence) == 1
    numbers = [n for st in facts.studies for n in st.numbers]
    assert len(numbers) == len(set(numbers))  # one study per reference number
    inferred = {st.first_author: st.numbers for st in facts.studies if st.citation_inferred}
    # the numbers ../shared/docs/identifiers.md gives these rows ("Bibliographic IDs")
    assert inferred == {
        "Fontoura": (16,), "Gent": (9,), "Grabski": (10,), "Brinck": (17,), "Yang": (12,), "Krupitsky": (13, 14)
    }
    # [11] is cited only by FAERS sentences: not the "Observational" row, whose design family differs
    assert not any(11 in st.numbers for st in facts.studies if "pharmacovigilance" not in st.designs)
    assert not any(st.citation_inferred for st in facts.studies if st.publication and st.publication.number in listed)


def test_sample_review_method_sentences_make_no_claims(sample):
    docs, _, facts, _ = sample
    doc = docs[0]
    methods = [s for s in doc.sections if s.title.lower().startswith("method")]
    assert methods
    for r in facts.relations:
        assert not any(m.span.start <= r.evidence.start < m.span.end for m in methods), r.evidence.text
        assert "included if" not in r.evidence.text


def test_sample_review_sample_size_range(sample):
    _, _, facts, _ = sample
    ranges = [s for s in facts.statistics if s.measure == "n" and s.range_low]
    assert ranges and all(not s.value and int(s.range_low) < int(s.range_high) for s in ranges)
    assert not any(s.measure == "n" and s.value == ranges[0].range_high for s in facts.statistics)


def test_sample_review_mechanism_reaches_bdnf_through_both_receptors(sample):
    import networkx as nx

    _, _, facts, vocab = sample
    cid = {n: vocab.lookup(n)[0].curie for n in ("esketamine", "NMDA receptor", "AMPA receptor", "BDNF")}
    g = nx.DiGraph()
    for r in facts.relations:
        if r.kind.startswith(("mechanism", "causal")) and not r.negated:
            g.add_edge(r.subject, r.object)
    path = nx.shortest_path(g, cid["esketamine"], cid["BDNF"])
    assert cid["NMDA receptor"] in path and cid["AMPA receptor"] in path


def test_biored_abstracts_without_error():
    if not BIORED_DEV.is_file():
        pytest.skip("../shared BioRED corpus is absent")
    docs, _, facts, _ = _pipeline([BIORED_DEV])
    assert len(facts.relations) > 10 and len(facts.statistics) > 50
    texts = {d.id: d.text for d in docs}
    for st in facts.statistics:
        assert texts[st.doc_id][st.span[0]:st.span[1]] == st.stated
    for r in facts.relations:
        assert texts[r.doc_id][r.evidence.start:r.evidence.end] == r.evidence.text


def test_ratio_lists_ranges_and_units_from_text():
    from kg.extract.statistics import _find

    text = ("Drug A had elevated RORs for nausea (4.50), rash (2.10), and fever (1.30); drug B had OR 1.3 (1.1) and "
            "trials enrolled from 20 to 300 patients, 28 adults and 0.5 mg/kg.")
    found = {(k, v): (text[s:e], x) for k, s, e, v, x in _find(text)}
    assert {v for k, v in found if k == "ror"} == {"4.50", "2.10", "1.30"}
    assert ("or", "1.1") not in found  # the bracket after a stated value is not a list item
    (rng,) = [x for (k, v), (_, x) in found.items() if k == "n" and "range" in x]
    assert rng["range"] == ("20", "300") and rng["unit"] == "patients"
    assert ("n", "300") not in found and found[("n", "28")][1]["unit"] == "adults"
    assert found[("dose", "0.5")][1]["unit"] == "mg/kg"


def test_restated_ratios_merge_and_conflicts_are_flagged():
    from kg.extract.facts import Evidence, Statistic
    from kg.extract.statistics import merge_restated

    def stat(value, event_text, event, at):
        ev = Evidence("d", at - at % 100, at - at % 100 + 90, "x" * 90)  # sentences are 100 characters apart
        return Statistic("d", "ror", value, ev, value, (at, at + 5), drug="ent:a", event=event, event_text=event_text)

    first = [stat("4.5", "drug abuse", "ent:abuse", 0), stat("2.0", "substance dependence", "ent:sd", 20)]
    again = [
        stat("4.5", "abuse", "", 100),
        stat("2.0", "drug dependence", "ent:dd", 120),
        stat("4.5", "drug abuse", "ent:abuse", 105),
    ]
    out = merge_restated(first + again)
    assert len(out) == 3  # 4.5 restated twice (one in the same sentence) -> one statistic; 2.0 conflicts -> kept
    assert [e.start for e in out[0].more_evidence] == [100]
    assert out[2].conflicts_with == [out[1]] and out[1].conflicts_with == [out[2]]


def test_review_method_sentences_are_recognised():
    from kg.document import Section
    from kg.extract.context import DocumentContext
    from kg.extract.relations import describes_review_method

    text = ("Methods\nWe searched PubMed for trials of drug A in disease B. Drug A reduced B in mice.\n"
            "Results\nStudies were included if they focused on drug A in treating disease B. Drug A reduced B.")
    m_end = text.index("Results")
    sections = [Section("Methods", Span(8, m_end)), Section("Results", Span(m_end + 8, len(text)))]
    doc = Document("r", text, "", "review", sections=sections)
    results_claim = text.rindex("Drug A reduced B.")
    inclusion = text.index("Studies were")
    ctx = DocumentContext(doc, [(8, m_end - 1), (inclusion, results_claim - 1), (results_claim, len(text))], [])
    assert describes_review_method(ctx, (8, m_end - 1))  # a review's Methods section
    assert describes_review_method(ctx, (inclusion, results_claim - 1))  # inclusion criteria anywhere
    assert not describes_review_method(ctx, (results_claim, len(text)))
    doc.format = "pubtator"  # an abstract's Methods describe its own study: claims stay
    assert not describes_review_method(ctx, (8, text.index(" Drug A reduced B in mice")))
