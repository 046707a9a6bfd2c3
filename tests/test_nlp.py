"""NER pipelines: configs load, the dictionary NER tags the sample review, abbreviations and glossaries work."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.document import Block, Document, Span
from kg.errors import PipelineError

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
REVIEW = SHARED / "corpus" / "esketamine_review.txt"
BC5CDR_DEV = SHARED / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"

needs_shared = pytest.mark.skipif(not REVIEW.is_file(), reason="../shared (sample review, eval corpora) is absent")


@pytest.fixture(scope="module")
def review():
    if not REVIEW.is_file():
        pytest.skip("../shared is absent")
    from kg.ingest import read_paths

    return read_paths([REVIEW])[0]


@pytest.fixture(scope="module")
def review_mentions(review, nlp):
    from kg.nlp import annotate
    from kg.resolve import long_form_concept

    return annotate([review], nlp, long_forms=long_form_concept)


def _doc(text: str, doc_id: str = "t") -> Document:
    return Document(doc_id, text, "test", "review", blocks=[Block(Span(0, len(text)), "paragraph")])


def test_import_kg_nlp_is_light():
    code = ("import sys, kg.nlp, kg.resolve; "
            "print(any(m.split('.')[0] in ('spacy', 'rapidfuzz', 'ahocorasick') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_pipelines_load_from_config(nlp):
    from kg.nlp import available_pipelines

    assert {"dictionary", "scispacy"} <= set(available_pipelines())
    assert nlp.pipe_names == ["sentencizer", "abbreviation_detector", "kg_glossary", "kg_dictionary_ner"]
    assert nlp.tokenizer.max_cache_size >= 100_000


def test_unknown_pipeline_says_what_to_do():
    from kg.nlp import load_pipeline

    with pytest.raises(PipelineError, match="choose one of .*dictionary"):
        load_pipeline("no-such-pipeline")


def test_scispacy_pipeline_without_models_raises_pipeline_error():
    import spacy

    if spacy.util.is_package("en_ner_bc5cdr_md"):
        pytest.skip("en_ner_bc5cdr_md is installed here")
    from kg.nlp import load_pipeline

    with pytest.raises(PipelineError, match=r"scispacy model en_ner_bc5cdr_md is not installed.*'dictionary'"):
        load_pipeline("scispacy")


@needs_shared
def test_glossary_reads_figure_legend_definitions():
    from kg.nlp.glossary import find_glossary

    text = REVIEW.read_text(encoding="utf-8")
    found = {d.short: d for d in find_glossary(text)}
    assert {"AMPA", "BDNF", "GABA", "NMDA-R"} <= set(found)
    assert found["BDNF"].long == "brain-derived neurotrophic factor"
    assert found["NMDA-R"].long == "N-methyl-D-aspartate receptor"  # cut where scraped text glues "Adapted"
    for d in found.values():
        assert text[d.short_span[0]:d.short_span[1]] == d.short
        assert text[d.long_span[0]:d.long_span[1]] == d.long


def test_glossary_rejects_headings_and_titles():
    from kg.nlp.glossary import find_glossary

    text = ("Results: The trial met its end point.\nDepression (TRD): A Narrative Review\n"
            "CI: confidence interval; OR: odds ratio")
    assert [(d.short, d.long) for d in find_glossary(text)] == [("CI", "confidence interval"), ("OR", "odds ratio")]


@needs_shared
def test_mentions_map_back_to_document_text(review, review_mentions):
    assert len(review_mentions) > 100
    for m in review_mentions:
        assert review.text[m.start:m.end] == m.text
        assert m.sentence[0] <= m.start < m.end <= m.sentence[1]
        assert m.curie or m.long_form, m  # a defined abbreviation no name grounds is reported to resolution
    starts = [(m.start, m.end) for m in review_mentions]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


@needs_shared
def test_defined_short_forms_carry_long_form_and_concept(review_mentions, vocabulary):
    by_text = {}
    for m in review_mentions:
        by_text.setdefault(m.text, m)
    for short, long in [("TRD", "treatment-resistant depression"), ("SUDs", "substance use disorders"),
                        ("ED", "eating disorders"), ("BDNF", "brain-derived neurotrophic factor")]:
        mention = by_text[short]
        assert mention.long_form.lower() == long
        assert mention.curie == vocabulary.lookup(long)[0].curie
    assert "SUD" in by_text and by_text["SUD"].long_form  # singular use of a plural definition


def test_longest_match_and_case_rules(nlp):
    from kg.nlp import annotate
    from kg.resolve import long_form_concept

    doc = _doc("AND we CAN see that ED and Ed occur; NMDA receptors bind ketamine in rats.")
    texts = [m.text for m in annotate([doc], nlp, long_forms=long_form_concept)]
    assert "NMDA receptors" in texts and "NMDA" not in texts
    assert "ketamine" in texts and "rats" in texts
    assert not {"AND", "CAN", "ED", "Ed"} & set(texts)


def test_short_form_defined_in_one_block_is_tagged_in_another(nlp, vocabulary):
    from kg.nlp import annotate
    from kg.resolve import long_form_concept

    first = "Many patients have eating disorders (ED)."
    second = "In ED, esketamine was not studied."
    text = first + "\n" + second
    doc = Document("b", text, "test", "review", blocks=[Block(Span(0, len(first)), "paragraph"),
                                                        Block(Span(len(first) + 1, len(text)), "paragraph")])
    ed = [m for m in annotate([doc], nlp, long_forms=long_form_concept) if m.text == "ED"]
    assert [m.start for m in ed] == [first.index("(ED") + 1, len(first) + 1 + second.index("ED")]
    assert {m.curie for m in ed} == {vocabulary.lookup("eating disorders")[0].curie}
    assert ed[1].sentence == (len(first) + 1, len(text))


@needs_shared
def test_bc5cdr_throughput_against_blank_tokenizer(nlp):
    import spacy

    from kg.ingest import read_paths
    from kg.nlp import annotate
    from kg.nlp.pipeline import document_blocks
    from kg.resolve import long_form_concept

    documents = read_paths([BC5CDR_DEV])
    texts = [d.text[b.span.start:b.span.end] for d in documents for b in document_blocks(d)]
    words = sum(len(t.split()) for t in texts)
    annotate(documents[:20], nlp, long_forms=long_form_concept)  # warm the automaton and tokenizer cache
    blank = spacy.blank("en")
    blank.tokenizer.max_cache_size = nlp.tokenizer.max_cache_size
    started = time.perf_counter()
    for _ in blank.pipe(texts, batch_size=64):
        pass
    blank_seconds = time.perf_counter() - started
    started = time.perf_counter()
    mentions = annotate(documents, nlp, long_forms=long_form_concept)
    seconds = time.perf_counter() - started
    print(f"\nBC5CDR dev: {words} words; annotate {words / seconds:,.0f} words/s, blank tokenizer "
          f"{words / blank_seconds:,.0f} words/s, ratio {seconds / blank_seconds:.1f}x slower")
    assert {m.category for m in mentions} >= {"chemical", "disease"}


@needs_shared
def test_every_mention_lies_inside_its_sentence(nlp):
    """The sentencizer leaves an opening bracket with the sentence before ("respectively. (" | "R)-alpha-..."); a
    mention it cuts gets both sentences, so every fact derived from it can name the mention (BC5CDR 16867021 once
    built a relation with no mention behind it, which SHACL refuses)."""
    from kg.nlp import annotate
    from kg.resolve import long_form_concept

    train = SHARED / "eval" / "bc5cdr" / "CDR_TrainingSet.PubTator.txt"
    record = next(r for r in train.read_text(encoding="utf-8").split("\n\n") if r.startswith("16867021|"))
    doc = _doc(" ".join(line.split("|", 2)[2] for line in record.splitlines()[:2]), "16867021")
    mentions = annotate([doc], nlp, long_forms=long_form_concept)
    cut = [m for m in mentions if m.text.startswith("(R)-alpha")]
    assert cut, "the test needs the mention the sentencizer cuts"
    for m in mentions:
        assert m.sentence[0] <= m.start < m.end <= m.sentence[1], (m.text, m.sentence)
