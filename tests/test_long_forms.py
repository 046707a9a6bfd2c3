"""Defined long forms that are spelling variants of a vocabulary name give their concept to both forms."""
from __future__ import annotations

import pytest

from kg.document import Block, Document, Span


def _doc(text: str) -> Document:
    return Document("lf", text, "test", "abstract", blocks=[Block(Span(0, len(text)), "paragraph")])


def test_variant_long_form_and_its_short_form_take_the_concept(nlp, vocabulary):
    from kg.nlp import annotate
    from kg.resolve import long_form_concept, resolve

    long = "graft-versus-host disease"
    if vocabulary.lookup(long):
        pytest.skip("the vocabulary names the long form exactly; nothing for the variant stage to do")
    expected = vocabulary.lookup("Graft vs Host Disease")[0].curie  # the MeSH 2026 heading
    text = f"Ten patients developed {long} (GVHD) after transplantation. Acute GVHD was treated with steroids."
    doc = _doc(text)
    mentions = annotate([doc], nlp, long_forms=long_form_concept)
    tagged = {(m.start, m.text): m.curie for m in mentions}
    assert tagged[(text.index(long), long)] == expected
    gvhd = [m for m in mentions if m.text == "GVHD"]
    assert len(gvhd) == 2 and {m.curie for m in gvhd} == {expected}
    resolution = resolve([doc], mentions, vocabulary)
    entity = resolution.entity(expected)
    assert entity is not None and {m.method for m in entity.mentions if m.text == "GVHD"} == {"abbreviation"}


def test_family_markers_keep_fuzzy_neighbours_apart(vocabulary):
    from kg.resolve import long_form_concept

    # "dopamine-2" is a receptor subtype, not the transmitter its fuzzy neighbour names.
    assert long_form_concept("dopamine-2", vocabulary) is None
    assert long_form_concept("EEG", vocabulary) is None  # abbreviation-like long forms are never grounded
    concept = long_form_concept("butyrylcholinestrase", vocabulary)  # a typo of a MeSH heading
    assert concept is not None and concept.curie in {c.curie for c in vocabulary.lookup("Butyrylcholinesterase")}
