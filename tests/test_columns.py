"""Interleaved two-column PDF text put back in column order (kg/ingest/columns.py, issue #8 part 2).

The excerpt is page 2 of Jalal, Chamberlain & Sahakian, "Obsessive-compulsive disorder: Etiology, neuropathology,
and cognitive dysfunction", Brain and Behavior 2023;13:e3000 (CC BY), as pdfminer extracted it
(../shared/corpus/reviews/pdftext_ocd_etiology_neuropathology_2023.txt): one line of each column in turn.
"""
from __future__ import annotations

from kg.ingest import parse_review
from kg.ingest.columns import column_order
from kg.ingest.review import _lines

PAGE = """memory, response inhibition, and goal-directed behavior, and are

toms in a large child and adolescent sample did not find hoarding to

linked to aberrant activity within CSTC circuits (Chamberlain et al.,

separate from other key symptoms (e.g., obsessions and/or compul-

2005, 2006a, 2021; Gillan et al., 2011; Lipszyc & Schachar, 2010;

sions about harm/sex, symmetry, contamination/cleaning), suggesting

Morein-Zamir et al., 2010).

that hoarding symptomatology perhaps does not become distinct from

This review provides an overview of the symptoms in OCD, as

other factors (i.e., OCD subtypes) until postadolescence (Højgaard

well as contemporary diagnostic criteria and common comorbidities.

et al., 2017).

A key aim is to highlight the etiology of the disorder, including OCD

The diagnosis of OCD relies on clinical assessment. Specific diagnos-

neuropathology, for example, how dysfunction in CSTC circuits may

tic criteria according to the DSM-5 include having obsessions and/or

underpin symptoms, and the putative neurochemistry within CSTC

compulsions that are time-consuming (e.g., take an hour or more per

loops such as the role of serotonin, dopamine, and glutamate systems.

day), and cause considerable distress or interfere with everyday activ-
"""
TEXT = "Obsessive-compulsive disorder: a review\n\n" + PAGE


def test_interleaved_columns_are_put_back_in_column_order():
    text, moves = column_order(TEXT, _lines(TEXT))
    assert moves and len(text) == len(TEXT) and sorted(text) == sorted(TEXT)
    flat = " ".join(text.split())
    assert "(Chamberlain et al., 2005, 2006a, 2021; Gillan et al., 2011;" in flat
    assert "obsessions and/or compul- sions about harm/sex" in flat
    assert "Specific diagnos- tic criteria" in flat
    for m in moves:  # every moved line maps back to its source characters
        assert text[m.start:m.start + m.length] == TEXT[m.source:m.source + m.length]


def test_ordinary_text_is_not_reordered():
    plain = "A title\n\n" + "\n\n".join(" ".join(PAGE.split()[i:i + 10]) for i in range(0, 200, 10))
    assert column_order(plain, _lines(plain)) == (plain, [])


def test_a_columns_lines_join_into_one_paragraph_across_blank_lines():
    doc = parse_review(TEXT, "ocd")
    assert doc.moved
    blocks = [" ".join(doc.text[b.span.start:b.span.end].split()) for b in doc.blocks if b.kind == "paragraph"]
    assert any("are linked to aberrant activity within CSTC circuits (Chamberlain et al., 2005, 2006a" in b
               for b in blocks), blocks
    assert not any("are toms in a large" in b or "compul- 2005" in b for b in blocks)
