"""Property tests over the parsers: whatever the input, a parser returns documents or raises a ``KGError``, every
offset it hands on indexes the document's text, and every quote equals the text at its offsets.

The inputs are built from pieces real reviews are made of (headings, citation markers, reference entries, table
rows, PubTator lines, BioC passages, JATS elements) mixed with arbitrary text, so the search reaches the parsers'
branches rather than stopping at the first check. ``make fuzz`` (benchmarks/fuzz.py) runs the same properties,
listed in :data:`PROPERTIES`, for a set time.
"""
from __future__ import annotations

import json
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.document import Document, Span
from kg.errors import KGError

SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- inputs -------------------------------------------------------------------------------------------------------

_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
_PIECES = [
    "ketamine", "esketamine", "NMDA receptor", "BDNF", "depression", "(MDD)", "major depressive disorder (MDD)",
    "[1]", "[2–4]", "[3, 5-7]", "(6)", "(2, 5–7)", "^{12}", "<sup>3,4</sup>", "$^{5-7}$", "Smith et al., 2020",
    "(Smith et al., 2020; Lee and Park 2019)", "Lee and Park (2019)", "Table 1.", "Figure 2:", "Table 2 |",
    "References", "REFERENCES", "Abstract", "Introduction", "Keywords:", "© 2023", "doi:10.1000/xyz.1",
    "https://doi.org/10.1016/j.x.2020.01.002", "PMID: 12345678", "PMC7654321", "Doe JR, Roe DJ.",
    "2019;381(9878):1672-82.",
    "|", "| a | b |", "\t", "-", "•", "·", "↗", "et al.", "i.e.", "n = 24", "p < 0.05", "OR 1.5 (95% CI 1.1–2.0)",
    "²", "١٢", "\u00ad", "ﬁ", "(cid:12)", "$\\beta$", "H_{2}O_{2}", "treat-", "ment", "1", "12", "2020", "Page 3",
    "J Clin Psychiatry", "A.", "B", "...", ";", ":", ".", "?", "\u2028", "\x0c", "\u200b",
]
_token = st.one_of(st.sampled_from(_PIECES), st.text(_CHARS, min_size=1, max_size=8))
_line = st.lists(_token, max_size=12).map(" ".join)
_REFERENCE_LINES = st.builds(lambda n, body: f"{n}. {body}", st.integers(0, 120), _line)
_TABLE_ROWS = st.lists(_line, min_size=1, max_size=4).map(lambda cells: "| " + " | ".join(cells) + " |")
_any_line = st.one_of(_line, _line, _REFERENCE_LINES, _TABLE_ROWS, st.sampled_from(["", "", "References", "Table 1. "
                                                                                       "Studies", "3", "Author 2021"]))
_NEWLINES = st.sampled_from(["\n", "\n", "\n\n", "\r\n", "\r"])


@st.composite
def review_texts(draw) -> str:
    lines = draw(st.lists(_any_line, max_size=40))
    return "".join(line + draw(_NEWLINES) for line in lines)


_offset = st.one_of(st.integers(-3, 400).map(str), st.sampled_from(["²", "١٢", "x", "", "-1", "3.5", " 4", "1e3"]))


@st.composite
def pubtator_texts(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        pmid = draw(st.one_of(st.integers(1, 10**8).map(str), st.sampled_from(["12>3", "12\ufffd3", "PMC1", "a|b"])))
        lines += [f"{pmid}|t|{draw(_line)}", f"{pmid}|a|{draw(_line)}"]
        for _ in range(draw(st.integers(0, 5))):
            cols = [pmid, draw(_offset), draw(_offset), draw(_line), draw(st.sampled_from(["Chemical", "Disease", ""])),
                    draw(st.sampled_from(["D007649", "-", "", "MESH:D1|D2"]))]
            lines.append("\t".join(cols[: draw(st.integers(2, 7))]))
        if draw(st.booleans()):
            lines.append(f"{pmid}\tCID\tD1\tD2")
        lines += draw(st.lists(_line, max_size=2)) + [""]
    return "\n".join(lines)


_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.text(_CHARS, max_size=10))
_INFON_KEYS = ["type", "section_type", "section", "article-id_pmid", "pub-id_pmid", "pub-id_pmcid", "pub-id_doi",
               "year", "source", "name_0", "name_1", "fpage", "lpage", "identifier", "MESH"]
_INFON_VALUES = ["title", "title_1", "abstract", "paragraph", "ref", "fig_caption", "table", "front", "TITLE",
                 "ABSTRACT", "INTRO", "REF", "ACK_FUND", "surname:Doe;given-names:J R", "2020", "123", "12>3",
                 "PMC12", "10.1/x", "Chemical", "-"]
_infons = st.dictionaries(st.sampled_from(_INFON_KEYS), st.one_of(st.sampled_from(_INFON_VALUES), _json_scalar),
                          max_size=4)
_HUGE = st.sampled_from([10**12, 10**30, 1e308, float("inf"), float("nan"), -10**12])
_location = st.fixed_dictionaries({"offset": st.one_of(st.integers(-5, 3000), _json_scalar, _HUGE),
                                   "length": st.one_of(st.integers(-2, 40), _json_scalar, _HUGE)})
_annotation = st.fixed_dictionaries({"text": st.one_of(_line, st.none()), "infons": st.one_of(_infons, _json_scalar),
                                     "locations": st.one_of(st.lists(st.one_of(_location, _json_scalar), max_size=2),
                                                            _json_scalar)})
_passage = st.fixed_dictionaries(
    {"offset": st.one_of(st.integers(-5, 5000), _json_scalar, _HUGE),
     "text": st.one_of(_line, review_texts(), _json_scalar), "infons": st.one_of(_infons, st.none(), _json_scalar),
     "annotations": st.one_of(st.lists(st.one_of(_annotation, _json_scalar), max_size=3), _json_scalar)})
_bioc_document = st.fixed_dictionaries({"id": st.one_of(_json_scalar, st.sampled_from(["1", "12>3", "a/b"])),
                                        "passages": st.one_of(st.lists(st.one_of(_passage, _json_scalar), max_size=5),
                                                              _json_scalar),
                                        "infons": st.one_of(_infons, _json_scalar)})
bioc_collections = st.one_of(st.fixed_dictionaries({"documents": st.lists(_bioc_document, min_size=1, max_size=3)}),
                             st.lists(_bioc_document, min_size=1, max_size=2), _bioc_document)

_INLINE_TAGS = ["italic", "bold", "sup", "sub", "xref", "ext-link", "named-content", "inline-formula", "break"]
_BLOCK_TAGS = ["p", "sec", "title", "table-wrap", "caption", "table", "tr", "td", "th", "list", "list-item",
               "fig", "label", "def-list", "def-item", "term", "def", "disp-quote", "boxed-text"]


@st.composite
def _element(draw, children):
    tag = draw(st.sampled_from(_BLOCK_TAGS + _INLINE_TAGS))
    values = st.sampled_from(["bibr", "r1", "r2", "r1 r2", "2", "0", "-1", "x", "fig"])
    attrs = draw(st.dictionaries(st.sampled_from(["ref-type", "rid", "id", "colspan", "rowspan"]), values, max_size=2))
    el = ET.Element(tag, attrs)
    el.text = draw(st.one_of(st.none(), _line))
    for child in draw(children):
        el.append(child)
    el.tail = draw(st.one_of(st.none(), _line))
    return el


_trees = st.recursive(st.builds(lambda t: _leaf("p", t), _line),
                      lambda inner: _element(st.lists(inner, max_size=4)), max_leaves=25)


def _leaf(tag: str, text: str) -> ET.Element:
    el = ET.Element(tag)
    el.text = text
    return el


@st.composite
def jats_articles(draw) -> bytes:
    article = ET.Element("article")
    meta = ET.SubElement(ET.SubElement(article, "front"), "article-meta")
    for kind in draw(st.lists(st.sampled_from(["pmid", "pmc", "doi"]), max_size=2)):
        value = draw(st.sampled_from(["123", "12>3", "PMC1", ""]))
        ET.SubElement(meta, "article-id", {"pub-id-type": kind}).text = value
    ET.SubElement(ET.SubElement(meta, "title-group"), "article-title").text = draw(_line)
    if draw(st.booleans()):
        ET.SubElement(meta, "abstract").append(_leaf("p", draw(_line)))
    body = ET.SubElement(article, "body")
    for tree in draw(st.lists(_trees, max_size=4)):
        body.append(tree)
    refs = ET.SubElement(ET.SubElement(article, "back"), "ref-list")
    for k in range(draw(st.integers(0, 3))):
        ref = ET.SubElement(refs, "ref", {"id": f"r{k + 1}"})
        citation = ET.SubElement(ref, draw(st.sampled_from(["element-citation", "mixed-citation"])))
        ET.SubElement(citation, "article-title").text = draw(_line)
        ET.SubElement(citation, "year").text = draw(st.sampled_from(["2020", "n.d.", "", "²⁰²⁰"]))
        ET.SubElement(citation, "pub-id", {"pub-id-type": draw(st.sampled_from(["pmid", "doi", "pmcid"]))}).text = \
            draw(st.sampled_from(["123", "12>3", "10.1/x", "PMC9", "\ufffd"]))
    return ET.tostring(article, encoding="utf-8")


# -- what must hold -----------------------------------------------------------------------------------------------

def _inside(span: Span, text: str, what: str) -> None:
    assert isinstance(span.start, int) and isinstance(span.end, int), what
    assert 0 <= span.start <= span.end <= len(text), f"{what} {span} outside 0-{len(text)}"


def check_document(doc: Document) -> None:
    """Every span of ``doc`` indexes its text; quotes (a reference's raw text, a cell) equal the text there."""
    text = doc.text
    for block in doc.blocks:
        _inside(block.span, text, f"block {block.kind}")
    for section in doc.sections:
        _inside(section.span, text, f"section {section.title!r}")
    for kind, span in doc.zones:
        _inside(span, text, f"zone {kind}")
    for table in doc.tables:
        _inside(table.span, text, "table")
        for row in table.rows:
            _inside(row.span, text, "table row")
            for (_, cell), (_, span) in zip(row.cells, row.cell_spans):
                _inside(span, text, "table cell")
                assert " ".join(text[span.start:span.end].split()) == " ".join(cell.split()), (cell, span)
    for ref in doc.references:
        _inside(ref.span, text, f"reference {ref.number}")
        assert text[ref.span.start:ref.span.end] == ref.raw, ref
    for marker in doc.citations:
        _inside(marker.span, text, "citation marker")
        assert marker.span.end > marker.span.start, marker
    for gold in doc.gold:
        assert isinstance(gold.span.start, int) and isinstance(gold.span.end, int), gold
    if doc.format == "pubtator":
        assert doc.pmid == "" or doc.pmid.isascii() and doc.pmid.isdigit(), doc.pmid
        assert all(g.span.start >= 0 and g.span.end >= 0 for g in doc.gold)


def parsed(parse: Callable[[], list[Document]]) -> list[Document]:
    """Run ``parse``; a ``KGError`` is a clean refusal (no documents), anything else fails the property."""
    try:
        documents = parse()
    except KGError as error:
        assert "\n" not in str(error), "a KGError is one line"
        return []
    for doc in documents:
        check_document(doc)
    return documents


def check_review(text: str) -> None:
    from kg.ingest.review import parse_review

    parsed(lambda: [parse_review(text, doc_id="fuzz")])


def check_references(lines: list[str]) -> None:
    from kg.ingest.author_year import looks_separated, parse_entry
    from kg.ingest.references import find_citations, numbered_in_parentheses, parse_reference, superscript_citations

    text = "\n".join(lines)
    for line in lines:
        parse_reference(line, 1, line, Span(0, len(line)))
        if looks_separated(line):
            parse_entry(line)
    markers = find_citations(text) + numbered_in_parentheses(text, 50, lambda _: True) + \
        superscript_citations(text, 50, lambda _: True)
    for marker in markers:
        _inside(marker.span, text, "citation marker")
        assert all(n > 0 for n in marker.numbers)
    check_review("Title\n\nBody text [1] and (Doe, 2020).\n\nReferences\n" + text)


def check_table(rows: list[str], caption: bool) -> None:
    from kg.ingest.tables import cells

    for row in rows:
        for delimiter in ("|", "\t"):
            for cell, span in cells(row, 7, delimiter):
                assert (" " * 7 + row)[span.start:span.end] == cell
    head = "Table 1. Included studies\n\n" if caption else ""
    check_review("A review\n\nSome text.\n\n" + head + "\n\n".join(rows) + "\n\nMore text.\n")


def check_pubtator(text: str) -> None:
    from kg.ingest.pubtator import parse_pubtator

    for doc in parsed(lambda: parse_pubtator(text, source="fuzz.pubtator")):
        assert doc.text == doc.title if len(doc.blocks) == 1 else doc.text.startswith(doc.title)


def check_bioc(data: object) -> None:
    from kg.ingest.reader import read_json

    parsed(lambda: read_json(Path("fuzz.json"), json.dumps(data)) or [])


def check_jats(data: bytes) -> None:
    from kg.ingest.reader import read_xml

    parsed(lambda: read_xml(Path("fuzz.xml"), data))


def check_file(data: bytes, suffix: str) -> None:
    """Any bytes under any of the folder suffixes, through the reader's sniffing."""
    from kg.ingest import read_paths

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        parsed(lambda: read_paths([path]))


def check_mentions(text: str, nlp, window: int = 64) -> None:
    """The NER's mentions quote the text at their offsets, also when blocks are read in small windows."""
    from kg.ingest.review import parse_review
    from kg.nlp import pipeline

    doc = parsed(lambda: [parse_review(text, doc_id="fuzz")])
    if not doc:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "WINDOW", window)
        mentions = pipeline.annotate(doc, nlp)
    for m in mentions:
        assert doc[0].text[m.start:m.end] == m.text, m
        assert 0 <= m.sentence[0] <= m.start <= m.end <= m.sentence[1] <= len(text), m


_bytes = st.one_of(st.binary(max_size=300), review_texts().map(lambda t: t.encode("utf-8")),
                   pubtator_texts().map(lambda t: t.encode("utf-8")), jats_articles(),
                   bioc_collections.map(lambda d: json.dumps(d).encode("utf-8")))
_suffixes = st.sampled_from([".txt", ".md", ".xml", ".nxml", ".json", ".pubtator", ".pdf"])

#: name -> (strategy of argument tuples, check): what ``make fuzz`` runs.
PROPERTIES: dict[str, tuple[st.SearchStrategy, Callable[..., None]]] = {
    "review": (st.tuples(review_texts()), check_review),
    "references": (st.tuples(st.lists(st.one_of(_REFERENCE_LINES, _line), max_size=12)), check_references),
    "tables": (st.tuples(st.lists(st.one_of(_TABLE_ROWS, _line), min_size=1, max_size=8), st.booleans()), check_table),
    "pubtator": (st.tuples(pubtator_texts()), check_pubtator),
    "bioc": (st.tuples(bioc_collections), check_bioc),
    "jats": (st.tuples(jats_articles()), check_jats),
    "file": (st.tuples(_bytes, _suffixes), check_file),
}


# -- the tests ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in PROPERTIES if n != "file"])
def test_parser_property(name):
    strategy, check = PROPERTIES[name]

    @SETTINGS
    @given(strategy)
    def run(args):
        check(*args)

    run()


@settings(SETTINGS, max_examples=25)
@given(_bytes, _suffixes)
def test_any_file_is_read_or_refused_in_one_line(data, suffix):
    check_file(data, suffix)


@settings(SETTINGS, max_examples=10)
@given(review_texts())
def test_mentions_quote_the_text_in_small_windows(nlp, text):
    check_mentions(text, nlp)
