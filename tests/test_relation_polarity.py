"""Direction and polarity of the rule relations on real sentences (issue #10, part 4).

Each sentence is copied from a development review (``../shared/corpus/reviews/``), the sample review or the
BC5CDR/BioRED corpora; the entities are given by hand (placeholder CURIEs), so each test pins the rule, not the NER.
The last tests run the whole pipeline on development reviews and check where relations may come from.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.concept import Concept, Entity, Mention
from kg.document import Block, Document, Reference, Span

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
REVIEWS = SHARED / "corpus" / "reviews"


class _Resolution:
    def __init__(self, entities):
        self.entities, self.unresolved = entities, []


def _relations(paragraphs: list[str], entities: dict[str, str], references: tuple[str, ...] = ()):
    """Rule relations of a document made of ``paragraphs`` (and reference-list entries, unzoned, as a plain-text
    reader may leave them), with every whole-word occurrence of each ``form -> category`` entity resolved."""
    from kg.extract.context import build_context, split_sentences
    from kg.extract.relations import extract_relations

    text, blocks, refs = "", [], []
    for i, p in enumerate([*paragraphs, *references]):
        text += "\n" if text else ""
        span = Span(len(text), len(text) + len(p))
        blocks.append(Block(span, "paragraph"))
        if i >= len(paragraphs):
            refs.append(Reference(number=len(refs) + 1, raw=p, span=span, title=p))
        text += p
    doc = Document("test", text, "test", "review", blocks=blocks, references=refs)
    sentences = [s for b in blocks for s in split_sentences(text, b.span.start, b.span.end)]
    mentions = []
    for form, category in entities.items():
        curie = "ent:" + re.sub(r"\W+", "_", form.lower()).strip("_")
        concept = Concept(curie, form, category)
        found = []
        for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w])", text):
            sent = next(((s, e) for s, e in sentences if s <= m.start() < e), (0, 0))
            found.append(Mention(doc.id, m.start(), m.end(), form, category, sent, curie, "exact"))
        assert found, form
        mentions += [(Entity(concept, found), m) for m in found]
    return extract_relations(build_context(doc, mentions), [])


def _find(rels, subject: str, obj: str, kind: str = ""):
    return [r for r in rels if r.subject == f"ent:{subject}" and r.object == f"ent:{obj}" and r.kind.startswith(kind)]


# agonist / antagonist: who the role noun is said of


def test_agonists_of_a_copula_subject():
    rels = _relations(
        ["Furthermore, it has been shown that tamoxifen and raloxifene act as GPER agonists, raising the possibility "
         "that whatever efficacy they provide in silencing cancer growth signaling by antagonizing ER may be countered "
         "to some extent by promoting signaling via GPER."],  # GPER review
        {"tamoxifen": "chemical", "raloxifene": "chemical", "GPER": "gene", "ER": "gene"})
    (agonism,) = _find(rels, "raloxifene", "gper", "mechanism")
    assert agonism.qualifiers["causal_mechanism_qualifier"] == "agonism"
    assert agonism.qualifiers["object_direction_qualifier"] == "increased"
    assert not _find(rels, "er", "gper")  # "antagonizing ER ... promoting signaling via GPER" is no ER -> GPER step


def test_antagonist_apposition_names_the_head_not_the_enantiomer():
    rels = _relations(
        ["Esketamine, the S-enantiomer of ketamine and a glutamatergic N-methyl-D-aspartate (NMDA) receptor "
         "antagonist, emerged as a promising intervention for TRD and was approved in 2019 by the FDA as an "
         "intranasal therapy [2]."],  # sample review
        {"Esketamine": "chemical", "ketamine": "chemical", "N-methyl-D-aspartate (NMDA) receptor": "complex",
         "TRD": "disease"})
    (antagonism,) = _find(rels, "esketamine", "n_methyl_d_aspartate_nmda_receptor", "mechanism_antagonism")
    assert antagonism.qualifiers["object_direction_qualifier"] == "decreased"
    assert not _find(rels, "ketamine", "n_methyl_d_aspartate_nmda_receptor")


def test_metabolite_of_a_drug_is_the_agonist():
    rels = _relations(
        ["In a separate report, S-(-) equol, the bacterial metabolite of daidzein, was also demonstrated to be an "
         "effective GPER agonist, with an EC50 of 100 nM for eNOS stimulation in endothelial cells [87]."],
        {"equol": "chemical", "daidzein": "chemical", "GPER": "gene"})  # GPER review
    assert _find(rels, "equol", "gper", "mechanism")[0].qualifiers["causal_mechanism_qualifier"] == "agonism"
    assert not _find(rels, "daidzein", "gper")


def test_drug_named_after_the_role_noun():
    rels = _relations(
        ["For example, the GPER antagonist, G36, delays the estrogen-dependent outgrowth of transplanted ER-/GPER+ "
         "endometrial carcinoma in mice [65], while the GPER agonist, G1, has been shown to attenuate the growth of "
         "patient-derived xenografts of pancreatic ductal adenocarcinoma [77]."],  # GPER review
        {"G36": "chemical", "G1": "chemical", "estrogen": "chemical", "GPER": "gene"})
    assert _find(rels, "g36", "gper", "mechanism")[0].qualifiers["causal_mechanism_qualifier"] == "antagonism"
    assert _find(rels, "g1", "gper", "mechanism")[0].qualifiers["causal_mechanism_qualifier"] == "agonism"
    assert not _find(rels, "estrogen", "gper")


def test_co_prescribed_inhibitors_are_not_the_drug_s_mechanism():
    rels = _relations(  # the "levodopa inhibits MAOB" error: a listed drug class is no mechanism of the drug before it
        ["In the adjuvant setting, AIs are often used in combination with other endocrine therapies such as LHRH "
         "inhibitors and tamoxifen (a SERM, discussed below), and for metastatic disease, they are often prescribed "
         "with a CDK4/6 inhibitor [174]."],  # GPER review
        {"AIs": "chemical", "LHRH": "gene", "tamoxifen": "chemical", "SERM": "chemical", "CDK4/6": "gene"})
    assert not [r for r in rels if r.kind.startswith("mechanism")]


def test_blocked_by_an_antagonist_makes_no_antagonist_of_the_drug():
    rels = _relations(  # the tirzepatide -> GIPR error: the antagonist blocks the drug's effect
        ["Nicotine-induced hyperactivity was blocked by the selective D1 antagonist SCH 23390, the selective D2 "
         "antagonist raclopride and the D1/D2 antagonist fluphenazine."],  # BC5CDR training set
        {"Nicotine": "chemical", "hyperactivity": "phenotype", "D1": "gene", "D2": "gene", "SCH 23390": "chemical",
         "raclopride": "chemical", "fluphenazine": "chemical"})
    assert not [r for r in rels if r.subject == "ent:nicotine" and r.kind.startswith(("mechanism", "causal"))]
    assert _find(rels, "sch_23390", "d1", "mechanism_antagonism")
    assert _find(rels, "raclopride", "d2", "mechanism_antagonism")


def test_drug_class_named_by_its_target_is_no_chain_step():
    rels = _relations(
        ["VMAT-2 inhibitors were more effective than placebo for the outcome 'slight improvement' (risk ratio "
         "(RR) = 1.77 (95% CI 1.03, 3.04)) but not for 'moderate improvement' (RR 2.81 (95% CI 0.27, 29.17).",
         "Moreover, by reducing presynaptic dopamine storage and thus the amount released into the synaptic cleft, "
         "VMAT-2 inhibitors act more directly against excess stimulation of hypersensitive D1 and D2 receptors, the "
         "proposed pathological basis of TD."],  # VMAT-2 review
        {"VMAT-2": "gene", "placebo": "chemical", "dopamine": "chemical", "D1": "gene", "D2": "gene"})
    assert not _find(rels, "vmat_2", "placebo") and not _find(rels, "vmat_2", "d1")
    assert not _find(rels, "dopamine", "vmat_2")  # "reducing dopamine storage ... VMAT-2 inhibitors" is no inhibition


# inhibits / is inhibited by


def test_active_and_passive_voice():
    rels = _relations(
        ["The former occurs because GPER is a Gαs-linked protein [1] that directly stimulates adenylyl cyclase, "
         "which in turn converts ATP into cAMP [4].",  # GPER review
         "PAK2 was activated by some pancreatic growth-factors [EGF, PDGF, bFGF], by secretagogues activating "
         "phospholipase-C (PLC) [CCK, carbachol, bombesin] and by post-receptor stimulants activating PKC [TPA], but "
         "not agents only mobilizing cellular calcium or increasing cyclic AMP.",  # BioRED training set
         "Focused transcriptomics revealed that myocyte-specific enhancer factor 2C (MEF2C) and myogenic factor 5 "
         "(MYF5) expression was inhibited by high glucose levels, and endoribonuclease-prepared small interfering "
         "RNA-mediated combined inhibition of those transcription factors phenocopied the glycolytic shift that was "
         "observed in high glucose conditions."],  # BioRED training set
        {"GPER": "gene", "adenylyl cyclase": "gene", "PAK2": "gene", "EGF": "gene", "MYF5": "gene",
         "glucose": "chemical"})
    assert _find(rels, "gper", "adenylyl_cyclase", "causal_increased")
    assert _find(rels, "egf", "pak2", "causal_increased") and not _find(rels, "pak2", "egf")
    assert _find(rels, "glucose", "myf5", "causal_decreased") and not _find(rels, "myf5", "glucose")


# negation, hedging, transience


def test_negated_claims():
    rels = _relations(
        ["Another (likewise marmoset) study showed that selective dopamine depletion in the OFC did not lead to such "
         "reversal learning deficits, illustrating neurochemical specificity for serotonin (Clarke et al., 2007).",
         "Given the fact that AIs and ovarian suppression are ineffectual to the carcinogenic potential of "
         "environmental estrogens, the effective mitigation of the role played by all estrogens in cancer "
         "proliferation will rely on the targeted protein degradation of nuclear estrogen receptors and GPER."],
        {"dopamine": "chemical", "reversal learning": "process", "AIs": "chemical", "carcinogenic": "disease"})
    (dopamine,) = _find(rels, "dopamine", "reversal_learning")
    assert dopamine.negated  # OCD review: "did not lead to"
    assert all(r.negated for r in _find(rels, "ais", "carcinogenic"))  # GPER review: "ineffectual"


def test_what_is_not_a_negation():
    rels = _relations(
        ["GPER-mediated cellular responses associated with cancer are not limited to endogenous estrogens.",
         "Antipsychotic medications are used off-label to help strong 5-HT2A receptor antagonists (e.g., quetiapine "
         "and risperidone) but not antipsychotics with higher affinity instead for D2 receptors relative to 5-HT2A "
         "(e.g., haloperidol) (Fineberg et al., 2006)."],  # GPER and OCD reviews
        {"GPER": "gene", "estrogens": "chemical", "antipsychotics": "chemical", "D2": "gene"})
    assert not any(r.negated for r in _find(rels, "gper", "estrogens"))
    (binding,) = _find(rels, "antipsychotics", "d2", "mechanism")
    assert binding.qualifiers["causal_mechanism_qualifier"] == "binding" and not binding.negated


def test_hedged_claims():
    rels = _relations(
        ["Appetite regulation mechanisms seem modulated by changes in the microbiota even during BN [49,50,77,78].",
         "Esketamine may reduce drug-seeking behavior and cravings in patients with comorbid TRD and SUDs.",
         "Esketamine significantly enhanced psychological engagement in MBI sessions and produced transient "
         "reductions in alcohol craving, peaking around day 8 post-administration [9]."],
        {"Appetite regulation": "process", "microbiota": "process", "Esketamine": "chemical", "cravings": "phenotype",
         "craving": "phenotype"})  # eating-disorders review, sample review
    (appetite,) = _find(rels, "microbiota", "appetite_regulation")
    assert appetite.hedged and not appetite.negated  # "seem modulated by": microbiota acts, hedged
    (cravings,) = _find(rels, "esketamine", "cravings", "outcome")
    assert cravings.hedged and cravings.qualifiers["object_direction_qualifier"] == "decreased"
    (transient,) = _find(rels, "esketamine", "craving", "outcome")
    assert transient.transient and not transient.hedged


def test_transience_of_the_next_sentence_needs_an_anaphor_and_a_whole_word():
    rels = _relations(
        ["Aside from PROTACs, covalent inhibitors were found to influence the immunopeptidome, as covalently "
         "modified peptides are presented as a neo-hapten, inducing cell death to resistant cancer cells or "
         "offering novel antibody targets [26,27]. However, novel peptides induced by PROTACs or covalent inhibitors "
         "face the challenge of transient presentation, increasing the need for very high affinity immune complexes "
         "to induce productive cell-cell proximity.",  # PROTAC review
         "Most \ncurrently  available  antipsychotics  block  postsynap-\ntic  dopamine  2  (D2)  receptors  "
         "(pimavanserin  is  the \nsole exception (Rissardo et al. 2022)) but do not sig-\nnificantly alter dopamine "
         "synthesis capacity at con-\ntemporary therapeutic doses (Jauhar et al. 2019)."],  # VMAT-2 review (PDF text)
        {"peptides": "chemical", "cell death": "process", "antipsychotics": "chemical", "D2": "gene"})
    assert _find(rels, "peptides", "cell_death") and not any(r.transient for r in _find(rels, "peptides", "cell_death"))
    (block,) = _find(rels, "antipsychotics", "d2", "mechanism_antagonism")
    assert not block.transient  # "con-\ntemporary" is no "temporary"


def test_population_is_not_the_outcome():
    rels = _relations(
        ["SCFAs were lower in stool samples of AN patients [14,34,35], especially in the AN-Restricter subgroup, "
         "compared to the control group [14].",
         "Similarly, SRIs may improve structural abnormalities in OCD."],  # eating-disorders and OCD reviews
        {"SCFAs": "chemical", "AN": "disease", "SRIs": "chemical", "OCD": "disease"})
    assert not _find(rels, "scfas", "an")
    (sri,) = _find(rels, "sris", "ocd", "outcome")
    assert sri.hedged and sri.qualifiers["object_direction_qualifier"] == "decreased"  # improving OCD lessens it


def test_reference_list_titles_make_no_claims():
    title = ("Esketamine inhibits cocaine-seeking behaviour subsequent to various abstinence conditions in rats "
             "Biomolecules Wydra K Witek K Suder A Filip M 2023")  # the sample review's reference 6
    rels = _relations(["Esketamine is thought to have greater NMDA receptor affinity and potentially fewer "
                       "psychotomimetic effects than ketamine."], {"Esketamine": "chemical", "NMDA receptor": "complex",
                                                                  "cocaine-seeking behaviour": "behaviour"},
                      references=(title,))
    assert _find(rels, "esketamine", "nmda_receptor", "mechanism")[0].hedged
    assert not _find(rels, "esketamine", "cocaine_seeking_behaviour")


# whole reviews: no relation from a legend, table, heading or the reference list


def _review(name: str):
    path = REVIEWS / name
    if not path.is_file():
        pytest.skip("../shared development reviews are absent")
    pytest.importorskip("spacy")
    from kg.extract.context import build_context, makes_no_claim, mentions_by_document
    from kg.extract.relations import extract_relations
    from kg.ingest import read_paths
    from kg.nlp import annotate, load_pipeline
    from kg.resolve import long_form_concept, resolve
    from kg.vocabulary import load_vocabulary

    docs = read_paths([path])
    vocab = load_vocabulary()
    res = resolve(docs, annotate(docs, load_pipeline("dictionary"), long_forms=long_form_concept), vocab)
    ctx = build_context(docs[0], mentions_by_document(res.entities).get(docs[0].id, []))
    return ctx, extract_relations(ctx, []), makes_no_claim, vocab


@pytest.mark.parametrize("name", ["ocrmd_gper_cancer_therapeutic_target_2023.md",
                                  "pdftext_sr_vmat2_inhibitors_psychosis_2024.txt"])
def test_development_reviews_state_relations_only_in_prose(name):
    ctx, rels, makes_no_claim, _ = _review(name)
    doc = ctx.doc
    assert rels
    no_claim = [(k, z) for k, z in doc.zones if k in ("caption", "table", "references")]
    assert no_claim
    for r in rels:
        assert not any(z.start <= r.evidence.start < z.end for _, z in no_claim), r.evidence.text
        assert not makes_no_claim(ctx, (r.evidence.start, r.evidence.end)), r.evidence.text
    titles = {s.title.strip().lower() for s in doc.sections}
    assert not any(re.sub(r"^[#\s\d.]+", "", r.evidence.text).strip().lower() in titles for r in rels)


def test_vmat2_review_drug_class_and_comparator_make_no_relations():
    ctx, rels, _, vocab = _review("pdftext_sr_vmat2_inhibitors_psychosis_2024.txt")
    vmat2 = {r.subject for r in rels if r.endpoints[0].text.upper().startswith("VMAT")}
    placebo = [r for r in rels if r.endpoints[1].text.lower().startswith("placebo")]
    assert not vmat2 and not placebo
