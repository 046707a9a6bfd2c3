"""Ingest: the sample review, the evaluation corpora, small fixtures and every kind of bad input."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import parse_review, read_paths, read_pubtator, read_review
from kg.ingest.references import find_citations

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / "../shared").resolve()
REVIEW = SHARED / "corpus" / "esketamine_review.txt"
EVAL = SHARED / "eval"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"

needs_review = pytest.mark.skipif(not REVIEW.exists(), reason="../shared/corpus is not available")
needs_eval = pytest.mark.skipif(not EVAL.is_dir(), reason="../shared/eval is not available")


def spans_of(doc):
    """Every (span, expected text or None) pair a document exposes."""
    yield from ((b.span, None) for b in doc.blocks)
    yield from ((s.span, None) for s in doc.sections)
    for table in doc.tables:
        for row in table.rows:
            cells = dict(row.cells)
            yield from ((span, cells[name]) for name, span in row.cell_spans)
    yield from ((r.span, r.raw) for r in doc.references)
    yield from ((c.span, None) for c in doc.citations)


def assert_offsets_exact(doc):
    for span, expected in spans_of(doc):
        assert 0 <= span.start <= span.end <= len(doc.text)
        if expected is not None:
            assert doc.text[span.start : span.end] == expected


@pytest.fixture(scope="module")
def review():
    if not REVIEW.exists():
        pytest.skip("../shared/corpus is not available")
    return read_review(REVIEW)


@needs_review
def test_review_identity_and_sections(review):
    assert review.id == "esketamine_review" and review.format == "review"
    assert review.title.startswith("Evaluation of Current Evidence on the Efficacy of Esketamine")
    assert review.authors == ["Suneha Shelke", "Rusheeth R Thummalapally"]
    titles = [s.title for s in review.sections]
    for expected in ("Abstract", "Introduction and background", "Methods", "Results and discussion", "Conclusions"):
        assert expected in titles
    # no paragraph was mistaken for a heading
    assert all(len(t) <= 80 and t[-1] not in ".!?" for t in titles)
    methods = next(s for s in review.sections if s.title == "Methods")
    assert review.text[methods.span.start :].startswith("We conducted a comprehensive review")
    assert_offsets_exact(review)


@needs_review
def test_review_blocks(review):
    kinds = {b.kind for b in review.blocks}
    assert {"title", "paragraph", "abstract", "caption", "table_cell"} <= kinds
    texts = [review.text[b.span.start : b.span.end] for b in review.blocks]
    assert all(t == t.strip() and t for t in texts)
    assert not any(t.startswith("- 1") or "doi ↗" in t for t in texts), "reference lines are not NER blocks"
    captions = [review.text[b.span.start : b.span.end] for b in review.blocks if b.kind == "caption"]
    assert any(c.endswith("nasal spray") for c in captions)
    assert any(c.startswith("AMPA: α-amino") and c.endswith("N-methyl-D-aspartate receptor") for c in captions)
    assert any(c.startswith("Adapted from") for c in captions)
    assert not any("sprayAMPA" in t or "receptorAdapted" in t for t in texts)


@needs_review
def test_review_table(review):
    (table,) = review.tables
    assert table.header == ("Study", "Type", "Population / Model", "Intervention", "Findings / Outcome")
    assert len(table.rows) == 10
    first = table.rows[0]
    assert first.cell("Study").startswith("Wydra et al., 2023") and first.cell("Type") == "Preclinical"
    assert table.rows[6].cell("Intervention") == "Esketamine vs placebo/antidepressants"
    cells = {row.cell_spans[k][1] for row in table.rows for k in range(len(row.cell_spans))}
    cell_blocks = {b.span for b in review.blocks if b.kind == "table_cell"}
    assert cells == cell_blocks and len(cells) == 50


@needs_review
def test_review_citations(review):
    found = {review.text[c.span.start : c.span.end]: c.numbers for c in review.citations}
    assert found["[13, 14]"] == (13, 14) and found["[6, 16]"] == (6, 16) and found["[17]"] == (17,)
    refs_start = min(r.span.start for r in review.references)
    assert all(c.span.end <= refs_start for c in review.citations)
    assert len(review.citations) >= 20


@needs_review
def test_review_references_match_identifiers_md(review):
    refs = {r.number: r for r in review.references}
    assert sorted(refs) == list(range(1, 9))
    daly, wydra, dakwar = refs[2], refs[6], refs[7]
    assert (daly.pmid, daly.doi, daly.pmcid) == ("31166571", "10.1001/jamapsychiatry.2019.1189", "PMC6551577")
    assert (daly.year, daly.volume, daly.pages, daly.journal) == (2019, "76", "893-903", "JAMA Psychiatry")
    assert daly.authors == ("Daly EJ", "Trivedi MH", "Janik A")
    assert daly.title.startswith("Efficacy of esketamine nasal spray") and daly.title.endswith("clinical trial")
    assert (wydra.pmid, wydra.doi, wydra.pmcid) == ("37759811", "10.3390/biom13091411", "PMC10527312")
    assert (wydra.year, wydra.volume, wydra.pages, wydra.journal) == (2023, "13", "1411", "Biomolecules")
    assert (dakwar.pmid, dakwar.doi, dakwar.pmcid) == ("31230464", "10.1176/appi.ajp.2019.18101123", "")
    assert (dakwar.volume, dakwar.pages, dakwar.journal) == ("176", "923-930", "Am J Psychiatry")
    # structural checks on the rest: DOIs well formed, PMIDs 8 digits, no stray spaces
    for ref in refs.values():
        assert ref.doi.startswith("10.") and " " not in ref.doi
        assert len(ref.pmid) == 8 and ref.pmid.isdigit()
        assert ref.pmcid == "" or (ref.pmcid.startswith("PMC") and ref.pmcid[3:].isdigit())


def test_wrapped_review_fixture():
    doc = read_review(FIXTURES / "wrapped_review.txt")
    assert doc.id == "wrapped_review" and doc.authors == ["Ana M Costa", "Ben Li"]
    assert [s.title for s in doc.sections] == ["Background", "Methods", "References"]
    first = doc.blocks[1]
    assert first.kind == "paragraph" and doc.text[first.span.start : first.span.end].endswith("monophosphatase [2-4].")
    assert "\n" in doc.text[first.span.start : first.span.end], "hard-wrapped lines join into one paragraph"
    (table,) = doc.tables
    assert table.header == ("Trial", "Design", "Population", "Outcome") and len(table.rows) == 2
    assert table.rows[1].cell("Outcome") == "Renal decline"
    assert [doc.text[b.span.start : b.span.end] for b in doc.blocks if b.kind == "list_item"] == [
        "PubMed was searched in 2024.", "Trials and cohorts were included."]
    assert [c.numbers for c in doc.citations] == [(1,), (2, 3, 4), (3, 5)]
    one, two = doc.references
    assert (one.authors, one.journal, one.year, one.volume, one.pages) == (
        ("Doe JR", "Roe DJ"), "Test J Med", 2013, "381", "1672-82"
    )
    assert (one.doi, one.pmid) == ("10.5555/test.2013.001", "99999901")
    assert two.title.endswith("recent advances?") and two.pmid == "" and two.doi == "10.5555/test-2016-0380-1"
    assert_offsets_exact(doc)


def test_review_from_text_and_bom():
    text = "A Title Line\n\nIntroduction\nKetamine acts on NMDA receptors [1-3] and [4].\n"
    doc = read_review(text)
    assert doc.title == "A Title Line" and doc.id == "a_title_line" and doc.source == ""
    assert [c.numbers for c in doc.citations] == [(1, 2, 3), (4,)]
    assert parse_review("", doc_id="x").blocks == []


def test_one_line_text_with_a_slash_is_text_not_a_path(tmp_path):
    from kg.errors import InputError

    doc = read_review("Ketamine 0.5 mg/kg reduced depressive symptoms [2].")
    assert doc.source == "" and [c.numbers for c in doc.citations] == [(2,)]
    with pytest.raises(InputError, match="no such file"):
        read_review(str(tmp_path / "missing_review.txt"))


def test_citation_markers_reject_non_citations():
    text = "a [2019] year, [a] letter, [0] zero, [1-500] huge range, [12–14] en dash"
    assert [c.numbers for c in find_citations(text)] == [(1, 500), (12, 13, 14)]


def test_pubtator_fixture_quirks():
    docs = read_pubtator(FIXTURES / "tiny.pubtator")
    assert [d.id for d in docs] == ["111", "222", "111-2"]
    assert [d.pmid for d in docs] == ["111", "222", "111"]
    first = docs[0]
    assert first.text == "Aspirin and headache. Aspirin relieved headache in adults."
    assert first.format == "pubtator" and first.title == "Aspirin and headache."
    assert [(b.kind, first.text[b.span.start : b.span.end]) for b in first.blocks] == [
        ("title", "Aspirin and headache."), ("abstract", "Aspirin relieved headache in adults.")]
    assert [(g.text, g.type, g.identifier) for g in first.gold] == [
        ("Aspirin", "Chemical", "TEST:1"), ("headache", "Disease", "TEST:2")]
    assert docs[1].gold[0].identifier == "" and docs[1].gold[1].identifier == "TEST:3"
    mismatched = [(d.id, g.text) for d in docs for g in d.gold if d.text[g.span.start : g.span.end] != g.text]
    assert mismatched == [("111-2", "ASPIRIN")], "a mention whose text disagrees with its offsets is kept as given"


@needs_eval
def test_every_eval_corpus_reads():
    docs = read_paths([EVAL])
    by_source = {}
    for d in docs:
        by_source.setdefault(Path(d.source).name, []).append(d)
    assert "SOURCE.md" not in by_source and "LICENSE.original" not in by_source
    assert len(by_source["CDR_TrainingSet.PubTator.txt"]) == 500
    assert len(by_source["NCBItrainset_corpus.txt"]) == 593
    assert len({d.id for d in docs}) == len(docs), "ids are unique across all files"
    mismatched = sum(d.text[g.span.start : g.span.end] != g.text for d in docs for g in d.gold)
    total = sum(len(d.gold) for d in docs)
    assert total > 60_000 and mismatched < 100  # SOURCE.md lists 35 + 11 + 1 known mismatches
    cdr = by_source["CDR_DevelopmentSet.PubTator.txt"]
    assert all(d.text[g.span.start : g.span.end] == g.text for d in cdr for g in d.gold)


def test_folder_walk_skips_hidden_and_source_files():
    docs = read_paths([FIXTURES / "folder"])
    assert sorted(Path(d.source).name for d in docs) == [
        "corpus.PubTator", "corpus.PubTator", "corpus.PubTator", "note.txt"]
    note = next(d for d in docs if d.format == "review")
    assert note.id == "note" and note.citations[0].numbers == (1,)
    assert [d.source for d in read_paths([FIXTURES / "folder"])] == [d.source for d in docs]


def test_ids_unique_across_files():
    docs = read_paths([FIXTURES / "tiny.pubtator", FIXTURES / "folder" / "sub"])
    assert [d.id for d in docs] == ["111", "222", "111-2", "111-3", "222-2", "111-4"]


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(b"  \n\n"), "empty"),
        (lambda p: p.write_bytes(b"abc\x00def"), "binary data (NUL byte at offset 3)"),
        (lambda p: p.write_bytes("caf\u00e9 ok".encode("utf-8") + b"\xff rest"), "byte offset 8"),
    ],
)
def test_bad_files_raise_one_line_input_error(tmp_path, setup, message):
    path = tmp_path / "input.txt"
    setup(path)
    with pytest.raises(InputError) as info:
        read_paths([path])
    text = str(info.value)
    assert message in text and str(path) in text and "\n" not in text


def test_folder_with_nothing_readable(tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n")
    (tmp_path / ".hidden.txt").write_text("x\n")
    with pytest.raises(InputError, match="no readable files"):
        read_paths([tmp_path])


def test_bom_is_stripped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffTitle Here\n\nBody text cites [2].\n".encode("utf-8"))
    doc = read_paths([path])[0]
    assert doc.text.startswith("Title Here") and doc.title == "Title Here"
    (marker,) = doc.citations
    assert doc.text[marker.span.start : marker.span.end] == "[2]"
    pubtator = tmp_path / "bom.pubtator"
    pubtator.write_bytes("\ufeff9|t|T.\n9|a|A.\n9\t0\t2\tT.\tX\tY\n".encode("utf-8"))
    (doc,) = read_paths([pubtator])
    assert doc.format == "pubtator" and doc.id == "9" and doc.text == "T. A."


def test_import_kg_ingest_is_stdlib_only():
    code = (
        "import sys, kg.ingest; "
        "print(','.join(m for m in ('spacy','rdflib','numpy','pyoxigraph') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_a_build_reads_pubtator_without_its_gold():
    """``gold=False`` (what ``kg build`` reads) passes over mention and relation lines: same documents, no gold."""
    path = SHARED / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"
    if not path.is_file():
        pytest.skip("../shared is absent")
    with_gold, without = read_paths([path]), read_paths([path], gold=False)
    assert [(d.id, d.text, d.blocks) for d in with_gold] == [(d.id, d.text, d.blocks) for d in without]
    assert sum(len(d.gold) for d in with_gold) > 9000 and sum(len(d.gold_relations) for d in with_gold) > 500
    assert not any(d.gold or d.gold_relations for d in without)
