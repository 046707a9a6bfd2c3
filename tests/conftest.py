"""Fixtures shared across test modules: the default vocabulary, the dictionary pipeline, and the small
explore graph (tests/fixtures/explore) that the traversal and export tests read.

Session-scoped because building them takes seconds; tests must not mutate them. A test module that
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


@pytest.fixture(scope="session")
def explore_out(tmp_path_factory):
    """A kg output directory holding the explore fixture graph."""
    from explore_fixture import write_fixture_out

    return write_fixture_out(tmp_path_factory.mktemp("explore") / "out")


@pytest.fixture(scope="session")
def explore_graph(explore_out):
    """``kg.load`` of :func:`explore_out`."""
    import kg

    return kg.load(explore_out)
