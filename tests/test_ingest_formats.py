"""Ingest of structured inputs: JATS/NLM XML, BioC XML and JSON, PDF, and sniffing them by content and extension."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import read_paths
from kg.ingest.reader import read_file

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = (ROOT / "../shared/corpus/reviews").resolve()
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
JATS_REVIEWS = {"jats_pmc_protacs_cancer_immunotherapy_2025.xml": 60,
                "jats_pmc_sr_bipolar_medication_adherence_2026.xml": 79}


def span_text(doc, span):
    return doc.text[span.start:span.end]


def assert_offsets_exact(doc):
    """Every span lies in the text, and every span with a recorded text matches it exactly."""
    for b in doc.blocks:
        assert 0 <= b.span.start < b.span.end <= len(doc.text)
        assert span_text(doc, b.span) == span_text(doc, b.span).strip()
    for s in doc.sections:
        assert 0 <= s.span.start <= s.span.end <= len(doc.text)
    for table in doc.tables:
        for row in table.rows:
            cells = dict(row.cells)
            for name, span in row.cell_spans:
                assert span_text(doc, span) == cells[name]
                assert row.span.start <= span.start and span.end <= row.span.end
    for r in doc.references:
        assert span_text(doc, r.span) == r.raw
    for c in doc.citations:
        assert c.numbers and 0 <= c.span.start < c.span.end <= len(doc.text)
    for g in doc.gold:
        assert span_text(doc, g.span) == g.text


# -- JATS -----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def article():
    (doc,) = read_paths([FIXTURES / "article.nxml"])
    return doc


def test_jats_front_matter(article):
    assert article.format == "jats" and article.id == "article"
    assert article.title == "Ketamine and BDNF signalling in depression: a short review"
    assert article.pmid == "99999901"
    assert article.authors == ["Ann Smith", "Bo R. Lee"]  # the editor is no author
    first = article.blocks[0]
    assert first.kind == "title" and span_text(article, first.span) == article.title


def test_jats_front_matter_and_notes_are_not_read(article):
    for absent in ("Affiliation", "example.org", "Copyright line", "licence sentence", "Grant Council",
                   "footnote", "Acknowledged Person", "conflict statement", "keyword-one", "Journal of Made-Up"):
        assert absent not in article.text, absent


def test_jats_sections_and_blocks(article):
    titles = [s.title for s in article.sections]
    assert titles == ["Abstract", "Introduction", "Methods", "Search strategy", "Included studies",
                      "Conclusions", "Abbreviations", "References"]
    kinds = {b.kind for b in article.blocks}
    assert kinds == {"title", "abstract", "paragraph", "caption", "table_cell", "list_item"}
    by_text = {span_text(article, b.span): b for b in article.blocks}
    assert by_text["We searched PubMed for ketamine."].section == "Search strategy"
    assert by_text["Ketamine acts on the NMDA receptor and raises BDNF."].kind == "abstract"
    assert by_text["Figure 1. Ketamine and BDNF. The pathway as reviewed in [2]."].kind == "caption"
    assert by_text["Table 1. Included studies."].kind == "caption"
    assert by_text["Fast onset."].kind == "list_item"
    assert "BDNF: brain-derived neurotrophic factor" in by_text  # the glossary, as "SF: long form"
    methods = next(s for s in article.sections if s.title == "Methods")
    assert "Search strategy" in span_text(article, methods.span)
    assert "1 Introduction" in article.text.splitlines()  # headings keep their labels
    assert_offsets_exact(article)


def test_jats_table_rows_with_spanning_header(article):
    (table,) = article.tables
    assert table.header == ("Study", "Participants n", "Participants Condition", "Outcome")
    first, second = table.rows
    assert first.cell("Study") == "Alpha 2019 [2]" and first.cell("Participants n") == "24"
    assert first.cell("Participants Condition") == "depression" and first.cell("Outcome") == "BDNF rose"
    assert second.cell("Outcome") == "no change" and second.cell("Participants Condition") == ""
    cells = [b for b in article.blocks if b.kind == "table_cell"]
    assert [span_text(article, b.span) for b in cells][:4] == ["Alpha 2019 [2]", "24", "depression", "BDNF rose"]
    assert "Participants" not in [span_text(article, b.span) for b in cells]  # header cells are no row cells


def test_jats_references(article):
    refs = {r.number: r for r in article.references}
    assert sorted(refs) == list(range(1, 9))  # the unlabelled eighth is numbered by its place
    one = refs[1]
    assert one.authors == ("Doe JR", "Roe D") and one.title == "NMDA receptor antagonism by ketamine"
    assert (one.journal, one.year, one.volume, one.pages) == ("J Test Pharmacol", 2001, "12", "100–110")
    assert one.doi == "10.5555/test.0001" and one.pmid == "99999911"
    assert refs[2].doi == "10.5555/test.0002" and refs[2].raw.startswith("2. Poe A. BDNF after ketamine in rats.")
    assert refs[3].authors == ("Test Consortium",) and refs[3].pmcid == "PMC9999903"
    assert refs[8].title == "An Unlabelled Book" and refs[8].year == 2017
    assert_offsets_exact(article)


def test_jats_citation_links(article):
    found = [(span_text(article, c.span), c.numbers) for c in article.citations]
    assert found == [
        ("[1]", (1,)),
        ("[2–4]", (2, 3, 4)),  # two <xref>s with an en dash between: a range
        ("[5–7]", (5, 6, 7)),  # one <xref> whose text is a range
        ("8", (8,)),  # superscript
        ("(1, 3)", (1, 3)),
        ("[2]", (2,)),  # in the figure caption
        ("[2]", (2,)),  # in a table cell
    ]


@pytest.mark.skipif(not REVIEWS.is_dir(), reason="../shared/corpus/reviews is not available")
@pytest.mark.parametrize("name", sorted(JATS_REVIEWS))
def test_real_jats_reviews(name):
    (doc,) = read_paths([REVIEWS / name])
    assert doc.format == "jats" and doc.title and doc.pmid.isdigit() and doc.authors
    assert len(doc.references) == JATS_REVIEWS[name]
    numbers = {r.number for r in doc.references}
    assert len(numbers) == len(doc.references)
    assert len(doc.citations) > 40
    assert all(set(c.numbers) <= numbers for c in doc.citations), "every citation links to a listed reference"
    assert sum(bool(r.doi) for r in doc.references) > 0.8 * len(doc.references)
    assert "@" not in doc.text and "License" not in doc.text and "Competing Interests" not in doc.text
    assert_offsets_exact(doc)


@pytest.mark.skipif(not REVIEWS.is_dir(), reason="../shared/corpus/reviews is not available")
@pytest.mark.parametrize("name, title, sections", [
    ("ocrmd_sr_head_neck_cancer_mental_health_2024.md",
     "A comprehensive examination of mental health in patients with head and neck cancer: systematic review and "
     "meta-analysis", ["Abstract", "Methods", "Search strategy and selection criteria"]),
    ("ocrmd_gper_cancer_therapeutic_target_2023.md",
     "The G Protein-Coupled Estrogen Receptor (GPER): A Critical Therapeutic Target for Cancer",
     ["Abstract", "1. Introduction", "2. Estrogens and Their Implications in Carcinogenesis"]),
])
def test_ocr_markdown_headings_are_the_sections_and_the_first_top_level_one_the_title(name, title, sections):
    """OCR Markdown marks headings with '#': they, and no other line, are the sections; the title is the first
    top-level heading above the abstract (not the journal's masthead, "OXFORD"), and the abstract is a few hundred
    words, not the introduction OCR left under it."""
    (doc,) = read_paths([REVIEWS / name])
    assert doc.title == title
    assert [s.title for s in doc.sections][:3] == sections
    assert "References" not in [s.title for s in doc.sections[:-1]]
    abstract = [b for b in doc.blocks if b.kind == "abstract"]
    assert abstract and sum(len(doc.text[b.span.start:b.span.end].split()) for b in abstract) < 600
    assert_offsets_exact(doc)


@pytest.mark.skipif(not REVIEWS.is_dir(), reason="../shared/corpus/reviews is not available")
def test_pdf_text_headings_name_something():
    """pdfminer text leaves section numbers, page numbers, rotated table letters and PRISMA boxes on lines of
    their own: none is a heading; a heading in capitals that a two-column page put inside the other column's open
    sentence still is ("2" / "METHODS" in the OCD review)."""
    import re

    (ocd,) = read_paths([REVIEWS / "pdftext_ocd_etiology_neuropathology_2023.txt"])
    (vmat2,) = read_paths([REVIEWS / "pdftext_sr_vmat2_inhibitors_psychosis_2024.txt"])
    assert "METHODS" in [s.title for s in ocd.sections]
    for doc in (ocd, vmat2):
        titles = [s.title for s in doc.sections]
        assert not [t for t in titles if not re.search(r"[^\W\d_]{3}", t)], titles
        assert not [t for t in titles if re.search(r"\(\s*n\s*=", t)], titles
    assert len(vmat2.sections) < 100  # 421 before: every stray letter and box was a section


@pytest.mark.skipif(not REVIEWS.is_dir(), reason="../shared/corpus/reviews is not available")
def test_real_jats_tables():
    (doc,) = read_paths([REVIEWS / "jats_pmc_sr_bipolar_medication_adherence_2026.xml"])
    assert len(doc.tables) == 3
    studies = doc.tables[0]
    assert studies.header[:3] == ("Author(s), year", "Country", "Study design") and len(studies.rows) == 19
    assert studies.rows[0].cell("Country") == "Italy"


# -- BioC -----------------------------------------------------------------------------------------------------------


def test_bioc_json_from_pmc():
    (doc,) = read_paths([FIXTURES / "pmc_bioc.json"])
    assert doc.format == "bioc" and doc.id == "PMC9999902" and doc.pmid == "99999902"
    assert doc.title == "Esketamine for resistant depression" and doc.authors == ["Ann Smith", "Bo R. Lee"]
    raw = json.loads((FIXTURES / "pmc_bioc.json").read_text())[0]["documents"][0]["passages"]
    for passage in raw:  # every passage sits at its own BioC offset
        assert doc.text[passage["offset"]:passage["offset"] + len(passage["text"])] == passage["text"]
    kinds = [(b.kind, b.section, span_text(doc, b.span)[:12]) for b in doc.blocks]
    assert kinds == [("title", "TITLE", "Esketamine f"), ("abstract", "ABSTRACT", "Esketamine n"),
                     ("paragraph", "INTRO", "Esketamine b"), ("caption", "FIG", "Figure 1. Es")]
    assert [s.title for s in doc.sections] == ["Introduction"]
    assert [(span_text(doc, c.span), c.numbers) for c in doc.citations] == [("[1, 2]", (1, 2))]
    one, two = doc.references
    assert (one.number, one.title, one.authors, one.year) == (1, "NMDA receptor antagonism by ketamine",
                                                              ("Doe JR", "Roe D"), 2001)
    assert (one.journal, one.volume, one.pages, one.doi, one.pmid) == (
        "J Test Pharmacol", "12", "100–110", "10.5555/test.0001", "99999911")
    assert two.pmcid == "PMC9999905"
    assert [(g.text, g.type, g.identifier) for g in doc.gold] == [
        ("Esketamine", "Chemical", "MESH:C000629870"), ("depressive", "Disease", "MESH:D003866")]
    assert_offsets_exact(doc)


def test_bioc_xml_from_pubtator3():
    docs = read_paths([FIXTURES / "pubtator3.bioc.xml"])
    assert [(d.id, d.format, d.pmid) for d in docs] == [("99999903", "bioc", "99999903"),
                                                        ("99999904", "bioc", "99999904")]
    first = docs[0]
    assert first.title == "Lithium and suicide in bipolar disorder"
    assert [b.kind for b in first.blocks] == ["title", "abstract"]
    assert [(g.text, g.identifier) for g in first.gold] == [
        ("Lithium", "MESH:D008094"), ("bipolar disorder", "MESH:D001714"), ("Lithium", "MESH:D008094"),
        ("suicide", "MESH:D013405")]
    for doc in docs:
        assert_offsets_exact(doc)


def test_bioc_overlapping_offsets_shift_passages_and_annotations(tmp_path):
    """Offsets that go backwards (a hand-made file) place the passage after the previous one, annotations too."""
    document = {"id": "x1", "passages": [
        {"offset": 0, "infons": {"type": "title"}, "text": "Aspirin trial"},
        {"offset": 5, "infons": {"type": "abstract"}, "text": "Aspirin helped.",
         "annotations": [{"infons": {"identifier": "MESH:D001241", "type": "Chemical"}, "text": "Aspirin",
                          "locations": [{"offset": 5, "length": 7}]}]}]}
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"PubTator3": [document]}))
    (doc,) = read_paths([path])
    assert doc.text == "Aspirin trial\nAspirin helped."
    assert [(g.span.start, g.text) for g in doc.gold] == [(14, "Aspirin")]
    assert_offsets_exact(doc)


# -- PDF --------------------------------------------------------------------------------------------------------------


def minimal_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF (Helvetica text, one line per entry, a blank line where an entry is empty)."""
    ops, y = ["BT", "/F1 11 Tf"], 740
    for line in lines:
        if line:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"1 0 0 1 72 {y} Tm ({escaped}) Tj")
        y -= 28 if not line else 14
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for k, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF_LINES = ["Ketamine for depression: a review", "", "Introduction", "",
             "Ketamine blocks the NMDA receptor [1].", "",
             "References", "", "1. Doe JR, Roe D. NMDA receptor antagonism by ketamine. J Test. 2001;12:100-10.",
             "2. Poe A. BDNF after ketamine in rats. Test Neurosci. 2010;5:1-9."]


def test_pdf_is_read_as_a_review(tmp_path):
    pytest.importorskip("pdfminer.high_level")
    path = tmp_path / "paper.pdf"
    path.write_bytes(minimal_pdf(PDF_LINES))
    (doc,) = read_paths([path])
    assert doc.format == "pdf" and doc.id == "paper" and doc.source == str(path)
    assert doc.title == "Ketamine for depression: a review"
    assert "Ketamine blocks the NMDA receptor [1]." in doc.text
    assert [c.numbers for c in doc.citations] == [(1,)]
    assert [r.number for r in doc.references] == [1, 2]
    assert_offsets_exact(doc)


def test_pdf_without_the_extra_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pdfminer.high_level", None)  # as if pdfminer.six were not installed
    path = tmp_path / "paper.pdf"
    path.write_bytes(minimal_pdf(["Title"]))
    with pytest.raises(InputError) as info:
        read_paths([path])
    assert str(info.value) == f"{path}: reading PDF needs the pdf extra: pip install 'kg[pdf]'"


def test_broken_pdf_is_one_line(tmp_path):
    pytest.importorskip("pdfminer.high_level")
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not a pdf body\n")
    with pytest.raises(InputError) as info:
        read_paths([path])
    assert str(path) in str(info.value) and "\n" not in str(info.value)


# -- bad input and sniffing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, message", [
    ("bad.xml", "<article>\n<front>\n  <p>unclosed</front></article>", "not well-formed XML (line 3, column"),
    ("bad.nxml", "<article><p>&undefined;</p></article>", "not well-formed XML (line 1"),
    ("other.xml", "<?xml version='1.0'?><html><body/></html>", "neither a JATS <article> nor a BioC <collection>"),
    ("bad.json", '{"documents": [', "not valid JSON (line 1, column 16"),
    ("other.json", '{"a": 1}', "JSON but not BioC"),
    ("fake.pdf", "just text", "does not start with %PDF-"),
    ("empty.xml", "<collection><source>x</source></collection>", "a BioC collection without documents"),
])
def test_bad_structured_input_is_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError) as info:
        read_paths([path])
    text = str(info.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_sniffing_by_content_not_only_extension(tmp_path):
    """A JATS file saved as .txt, BioC JSON without a suffix, text starting with "[" and Markdown all read right."""
    shutil.copy(FIXTURES / "article.nxml", tmp_path / "article.txt")
    shutil.copy(FIXTURES / "pmc_bioc.json", tmp_path / "export")
    (tmp_path / "brackets.txt").write_text("[Draft] A title\n\nBody text cites [1].\n")
    (tmp_path / "notes.md").write_text("A Markdown review\n\nKetamine blocks the NMDA receptor [1].\n")
    formats = {Path(p).name: [d.format for d in read_file(tmp_path / p)]
               for p in ("article.txt", "export", "brackets.txt", "notes.md")}
    assert formats == {"article.txt": ["jats"], "export": ["bioc"], "brackets.txt": ["review"],
                       "notes.md": ["review"]}


def test_folder_picks_up_every_shape_and_skips_notes(tmp_path):
    shutil.copy(FIXTURES / "article.nxml", tmp_path / "a.nxml")
    shutil.copy(FIXTURES / "pubtator3.bioc.xml", tmp_path / "b.xml")
    shutil.copy(FIXTURES / "pmc_bioc.json", tmp_path / "c.json")
    shutil.copy(FIXTURES / "tiny.pubtator", tmp_path / "d.pubtator")
    (tmp_path / "e.md").write_text("A Markdown review\n\nBody text cites [1].\n")
    (tmp_path / "f.txt").write_text("A text review\n\nBody text cites [1].\n")
    for note in ("SOURCE.md", "a.SOURCE.md", "README.md", "LICENSE", "licence.txt", "table.csv"):
        (tmp_path / note).write_text("not an input\n")
    if _has_pdfminer():
        (tmp_path / "g.pdf").write_bytes(minimal_pdf(PDF_LINES))
    docs = read_paths([tmp_path])
    by_file: dict[str, set[str]] = {}
    for d in docs:
        by_file.setdefault(Path(d.source).name, set()).add(d.format)
    expected = {"a.nxml": {"jats"}, "b.xml": {"bioc"}, "c.json": {"bioc"}, "d.pubtator": {"pubtator"},
                "e.md": {"review"}, "f.txt": {"review"}}
    if _has_pdfminer():
        expected["g.pdf"] = {"pdf"}
    assert by_file == expected
    assert len({d.id for d in docs}) == len(docs)


def _has_pdfminer() -> bool:
    try:
        import pdfminer.high_level  # noqa: F401
    except ImportError:
        return False
    return True
