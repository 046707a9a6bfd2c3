"""Fixtures shared by the NER and resolution tests: the default vocabulary and the dictionary pipeline.

Session-scoped because loading them takes seconds; tests must not mutate either. A test module that
needs another vocabulary (test_vocabulary's in-memory layers only) defines its own fixture of the name.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def vocabulary():
    """The default vocabulary (curated, MeSH and, when built, the broad index of ``$KG_VOCAB_DIR``)."""
    from kg.vocabulary import load_vocabulary

    return load_vocabulary()


@pytest.fixture(scope="session")
def nlp(vocabulary):
    """The ``dictionary`` pipeline over :func:`vocabulary`."""
    from kg.nlp import load_pipeline

    return load_pipeline("dictionary", vocabulary=vocabulary)
