"""The one prefix map every IRI goes through (``ontologies/prefixes.json``).

Keeping a single ``curies.Converter`` means the graph, the SHACL shapes, query output and exports all agree
on how a CURIE such as ``MESH:D007649`` becomes an IRI and back (conventions.md §1.1).
"""
from __future__ import annotations

import json
import logging
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from kg.errors import GraphError
from kg.paths import ontologies_dir

if TYPE_CHECKING:
    import curies

log = logging.getLogger(__name__)

ONTOLOGIES_DIR = ontologies_dir()
PREFIX_FILE = ONTOLOGIES_DIR / "prefixes.json"


def prefix_map() -> dict[str, str]:
    """Return the prefix → IRI map as read from ``ontologies/prefixes.json`` (a fresh copy)."""
    return dict(_load_prefix_map())


@lru_cache(maxsize=1)
def _load_prefix_map() -> tuple[tuple[str, str], ...]:
    try:
        data = json.loads(PREFIX_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise GraphError(f"prefix map {PREFIX_FILE} is missing; restore ontologies/prefixes.json") from exc
    except json.JSONDecodeError as exc:
        raise GraphError(f"prefix map {PREFIX_FILE} is not valid JSON ({exc}); fix the file") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise GraphError(f"prefix map {PREFIX_FILE} must be a JSON object of prefix -> IRI strings")
    return tuple(data.items())


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    """The shared converter (built once; ``curies`` is imported only when needed)."""
    import curies

    try:
        return curies.load_prefix_map(dict(_load_prefix_map()))
    except ValueError as exc:
        raise GraphError(f"prefix map {PREFIX_FILE} has duplicate prefixes or IRIs ({exc}); fix the file") from exc


def expand(curie: str, *, strict: bool = False) -> str | None:
    """Expand ``curie`` to an IRI; ``None`` for an unknown prefix unless ``strict`` (then GraphError)."""
    iri = _expand(curie)
    if iri is None and strict:
        prefix = curie.split(":", 1)[0]
        raise GraphError(f"unknown CURIE prefix {prefix!r} in {curie!r}; add it to {PREFIX_FILE.name}")
    return iri


def compress(iri: str) -> str:
    """Compress ``iri`` to a CURIE with the longest matching prefix; unknown IRIs come back unchanged."""
    return _compress(iri) or iri


# A build expands the same few thousand CURIEs tens of thousands of times; curies recomputes its
# prefix map on every call, so the answers are memoised here.
@lru_cache(maxsize=1 << 16)
def _expand(curie: str) -> str | None:
    return converter().expand(curie)


@lru_cache(maxsize=1 << 16)
def _compress(iri: str) -> str | None:
    return converter().compress(iri)


@lru_cache(maxsize=1)
def _namespaces() -> dict[str, str]:
    return dict(_load_prefix_map())


def namespace(prefix: str) -> str:
    """The IRI a prefix stands for, e.g. ``namespace("oa")``; GraphError when the map lacks it."""
    try:
        return _namespaces()[prefix]
    except KeyError:
        raise GraphError(f"prefix {prefix!r} is not in {PREFIX_FILE.name}; add it there") from None


class Terms:
    """The IRIs of one namespace as rdflib terms, each made once (``terms("oa").Annotation``, ``terms("biolink")[x]``).

    rdflib's ``Namespace`` (and ``ClosedNamespace``) build and validate a new ``URIRef`` on every attribute access,
    which cost a build about 1 s per 100k quads; here the first access keeps the term as a plain attribute. With
    ``names``, the namespace is closed: any other name raises ``AttributeError`` (a misspelt term fails).
    """

    def __init__(self, base: str, names: frozenset[str] | None = None) -> None:
        self._base, self._names = base, names

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or (self._names is not None and name not in self._names):
            raise AttributeError(f"{name!r} is not a term of {self._base}")
        from rdflib import URIRef

        term = URIRef(self._base + name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


@cache
def terms(prefix: str) -> Terms:
    """The terms of a prefix of ``ontologies/prefixes.json``, shared by every writer."""
    return Terms(namespace(prefix))
