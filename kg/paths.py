"""Where the data shipped beside the package lives: one answer, so no module counts ``parents[...]`` itself.

``ontologies/`` (vocabularies, stop-lists, extraction lexicons), ``pipelines/`` and ``models/`` sit at the
repository root next to the ``kg`` package; kg is installed editable, so that root is the package's parent.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["repo_root", "ontologies_dir"]

_ROOT = Path(__file__).resolve().parents[1]


def repo_root() -> Path:
    """The repository root: the folder holding the ``kg`` package, ``ontologies/`` and ``pipelines/``."""
    return _ROOT


def ontologies_dir() -> Path:
    """The repository's ``ontologies/`` folder (curated vocabularies, stop-lists, lexicons)."""
    return _ROOT / "ontologies"
