"""The reading of PDF and OCR text (kg/nlp/reading.py): artefacts undone, every character mapped to its source."""
from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from kg.document import Block, Document, Span
from kg.nlp.reading import document_words, read

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = (ROOT / ".." / "shared" / "corpus" / "reviews").resolve()


@pytest.mark.parametrize(("text", "reading"), [
    ("Met-\nformin", "Metformin"),
    ("IL-\n6 and Meta-\nAnalyses", "IL-6 and Meta-Analyses"),  # a capital or digit after the hyphen keeps it
    ("treatment-\nresistant depression", "treatment-resistant depression"),  # a compound's second part
    ("his-\ntamine", "histamine"),  # a syllable break
    ("anti-\ninflammatory drugs; anti-inflammatory", "anti-inflammatory drugs; anti-inflammatory"),
    ("dis-\norder, the disorder", "disorder, the disorder"),  # the document writes it joined
    ("attention-\ndeficit: attention and deficit", "attention-deficit: attention and deficit"),
    ("nucleus  accumbens", "nucleus accumbens"),
    # pdftext_ocd_etiology_neuropathology_2023: PDF text giving each line its own box breaks a word across a blank line
    ("to the nucleus accum-\n\nbens, and then on", "to the nucleus accumbens, and then on"),
    ("a dose-\n\ndependent effect", "a dose-dependent effect"),
    ("nucleus \n accumbens", "nucleus accumbens"),
    ("line\nbroken", "line broken"),
    ("x\nBDNF: brain-derived neurotrophic factor", "x\nBDNF: brain-derived neurotrophic factor"),  # a glossary
    ("signi\ufb01cant \ufb02ow, e\ufb00ect, su\ufb03cient", "significant flow, effect, sufficient"),
    ("thera\u00adpeutic, thera\u00ad\npeutic", "therapeutic, therapeutic"),
    ("zero\u200bwidth\ufeff", "zerowidth"),
    ("signi(cid:12)cant and (cid:3) more", "signicant and more"),
    ("H_{2}O_{2}", "H2O2"),
    ("GABA_{A} receptors", "GABA A receptors"),  # as the vocabulary writes it ("GABA-A receptor")
    ("HbA_{1c}", "HbA1c"),
    ("Na^{+} and CD4^{+} cells", "Na+ and CD4+ cells"),
    ("$\\alpha$-synuclein", "α-synuclein"),
    ("$\\beta$-arrestin", "β-arrestin"),
    ("ER $\\alpha$ and ER $\\beta$", "ERα and ERβ"),
    ("$17 \\beta$-estradiol", "17β-estradiol"),
    ("$\\mathrm{Ca}^{2+}$", "Ca2+"),
    ("$\\operatorname{ER} \\beta$", "ERβ"),
    ("cancer$^{5}$ is", "cancer is"),  # a citation superscript is no part of the word
    ("Faslodex${ }^{\\mathrm{TM}}$", "Faslodex™"),
    ("$\\left(\\mathrm{IC}_{50}\\right)$", "(IC50)"),
    ("cell<br>line | a <br/> b", "cell line | a b"),
    ("costs $5 and $10", "costs $5 and $10"),  # dollars, not math
    ("plain text, unchanged.", "plain text, unchanged."),
])
def test_reading(text, reading):
    result = read(text)
    assert result.text == reading
    _check_map(text, result)


def test_plain_text_reads_as_itself():
    text = "Esketamine (ESK) is an NMDA receptor antagonist."
    result = read(text)
    assert result.identity and result.text is text
    assert result.source_span(0, 10) == (0, 10) and result.reading_offset(5) == 5


def test_spans_map_back_to_their_source():
    text = "Low $\\beta$-arrestin in treatment-\nresistant  depression."
    result = read(text)
    assert result.text == "Low β-arrestin in treatment-resistant depression."
    start = result.text.index("β-arrestin")
    s, e = result.source_span(start, start + len("β-arrestin"))
    assert text[s:e] == "$\\beta$-arrestin"
    start = result.text.index("treatment")
    s, e = result.source_span(start, start + len("treatment-resistant depression"))
    assert text[s:e] == "treatment-\nresistant  depression"
    assert result.reading_offset(text.index("depression")) == result.text.index("depression")


def test_vocabulary_decides_a_hyphen_the_document_does_not():
    words = Counter({"pre": 1, "frontal": 1})
    assert read("pre-\nfrontal", words=words).text == "pre-frontal"  # two words of the document: a compound
    assert read("pre-\nfrontal", words=words, known=lambda word: word == "prefrontal").text == "prefrontal"
    assert read("obsessive-\ncompulsive", words=document_words("obsessive-compulsive")).text == "obsessive-compulsive"


def _check_map(source: str, result) -> None:
    """Every reading character maps into the source, monotonically; unchanged tokens map onto themselves."""
    starts = list(result.to_source)
    ends = [i + 1 for i in starts] if result.identity else list(result.ends)
    assert len(starts) == len(ends) == len(result.text)
    assert all(0 <= s < e <= len(source) for s, e in zip(starts, ends))
    assert starts == sorted(starts) and ends == sorted(ends)
    for token in re.finditer(r"\S+", result.text):
        i, j = token.span()
        s, e = result.source_span(i, j)
        assert 0 <= s < e <= len(source)
        unchanged = all(ends[k] - starts[k] == 1 and source[starts[k]] == result.text[k] for k in range(i, j))
        contiguous = all(starts[k + 1] == ends[k] for k in range(i, j - 1))
        if unchanged and contiguous:
            assert source[s:e] == token.group()


def _paragraphs() -> list[tuple[str, str]]:
    if not REVIEWS.is_dir():
        return []
    found = []
    for path in sorted([*REVIEWS.glob("*.txt"), *REVIEWS.glob("*.md")]):
        if path.name.endswith("SOURCE.md") or path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        found.extend((path.name, p) for p in re.split(r"\n\s*\n", text) if len(p) > 40)
    return found


@pytest.mark.skipif(not REVIEWS.is_dir(), reason="../shared/corpus/reviews is absent")
def test_offset_map_on_real_paragraphs():
    paragraphs = _paragraphs()
    sample = random.Random(8).sample(paragraphs, min(400, len(paragraphs)))
    sample += [p for p in paragraphs if re.search(r"-\n|\$|  |_\{|<br", p[1])][:300]
    changed = 0
    for _name, paragraph in sample:
        result = read(paragraph, words=document_words(paragraph))
        _check_map(paragraph, result)
        changed += not result.identity
    assert changed > 50


def _document(text: str) -> Document:
    return Document("pdf", text, "test", "review", blocks=[Block(Span(0, len(text)), "paragraph")])


def test_annotate_reads_pdf_artefacts_and_keeps_source_offsets(nlp, vocabulary):
    from kg.nlp import annotate
    from kg.resolve import long_form_concept, resolve

    text = ("Ketamine helps in treatment-\nresistant depression and acts in the nucleus  accumbens;\n"
            "metformin was studied too, as was Met-\nformin again, and $\\beta$-arrestin.")
    document = _document(text)
    mentions = annotate([document], nlp, long_forms=long_form_concept)
    for m in mentions:
        assert text[m.start:m.end] == m.text
        assert m.sentence[0] <= m.start < m.end <= m.sentence[1] <= len(text)
    by_text = {m.text: m for m in mentions}
    trd = by_text["treatment-\nresistant depression"]
    assert trd.reading == "treatment-resistant depression"
    accumbens = by_text["nucleus  accumbens"]
    assert accumbens.reading == "nucleus accumbens"
    assert by_text["Met-\nformin"].reading == "Metformin"
    assert "nucleus" not in by_text
    resolution = resolve([document], mentions, vocabulary)
    curie = {m.text: e.curie for e in resolution.entities for m in e.mentions}
    assert curie["treatment-\nresistant depression"] == vocabulary.lookup("treatment-resistant depression")[0].curie
    assert curie["nucleus  accumbens"] == vocabulary.lookup("nucleus accumbens")[0].curie == "MESH:D009714"
    assert curie["Met-\nformin"] == curie["metformin"] == "MESH:D008687"
    assert curie.get("$\\beta$-arrestin") == vocabulary.lookup("β-arrestin")[0].curie


def test_plain_blocks_annotate_as_before(nlp):
    from kg.nlp import annotate
    from kg.resolve import long_form_concept

    text = "Esketamine is an NMDA receptor antagonist used in treatment-resistant depression (TRD)."
    mentions = annotate([_document(text)], nlp, long_forms=long_form_concept)
    assert mentions and all(m.reading == "" for m in mentions)
