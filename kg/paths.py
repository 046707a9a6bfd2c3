"""Where the data kg ships with lives: one answer, so no module guesses a folder itself.

``ontologies/`` (vocabularies, stop-lists, lexicons), ``pipelines/``, ``queries/`` and ``models/`` sit at the
repository's top level so they are easy to read and edit; the wheel carries them inside the package as
``kg/_data/<name>`` (``pyproject.toml``), and :mod:`importlib.resources` finds them there. An editable
install has no ``_data`` folder and reads the checkout's own top-level folders instead.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.errors import KGError

__all__ = ["ontologies_dir", "pipelines_dir", "queries_dir", "models_dir", "data_root", "checkout_root"]

_SHIPPED = ("ontologies", "pipelines", "queries", "models")


@lru_cache(maxsize=1)
def data_root() -> Path:
    """The folder holding the shipped data folders: ``kg/_data`` in a wheel, the checkout root in editable mode."""
    package = resources.files("kg")
    packaged = package / "_data"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(str(package)).parent
    if (checkout / "ontologies").is_dir():
        return checkout
    raise KGError(f"kg's data folders ({', '.join(_SHIPPED)}) are missing beside {package}; "
                  "reinstall kg from its wheel or from a full checkout")


def checkout_root() -> Path | None:
    """The repository folder when kg runs from a checkout (editable install), else ``None`` (a wheel)."""
    root = data_root()
    return None if root.name == "_data" else root


def ontologies_dir() -> Path:
    """Curated vocabularies, the schema and shapes, stop-lists and extraction lexicons."""
    return data_root() / "ontologies"


def pipelines_dir() -> Path:
    """The spaCy configs of the NER pipelines (``<name>.cfg``)."""
    return data_root() / "pipelines"


def queries_dir() -> Path:
    """The named SPARQL queries (``<name>.rq``)."""
    return data_root() / "queries"


def models_dir() -> Path:
    """Models trained here (the ``hybrid`` pipeline's NER)."""
    return data_root() / "models"
