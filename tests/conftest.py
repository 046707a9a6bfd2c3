"""Fixtures shared across test modules: the default vocabulary, the dictionary pipeline, and the small
explore graph (tests/fixtures/explore) that the traversal and export tests read.

Session-scoped because building them takes seconds; tests must not mutate them. A test module that
needs another vocabulary (test_vocabulary's in-memory layers only) defines its own fixture of the name.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# A checkout keeps kg's data in data/ and the corpora in ../shared (as the Makefile sets); a caller's own
# settings win. Tests never download: anything missing from the cache is an error, not a fetch.
_ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("KG_DATA_DIR", str(_ROOT / "data"))
os.environ.setdefault("KG_CACHE_DIR", str(_ROOT / "data" / "vocab" / "cache"))
os.environ.setdefault("KG_SHARED_DIR", str((_ROOT / ".." / "shared").resolve()))
os.environ.setdefault("KG_OFFLINE", "1")


@pytest.fixture(scope="session")
def broad_index():
    """Skip a test that measures what the broad index adds (genes, genera, MeSH mappings) when it is not built:
    `make test` builds it first (`make vocab`); a bare pytest without it still runs everything else."""
    from kg.vocabulary import broad

    if not broad.available():
        pytest.skip("no broad vocabulary index: run `make vocab` (or `kg vocab build`) first")


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
