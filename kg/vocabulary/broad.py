"""The broad vocabulary layer: the index of ``kg vocab build``, opened read-only and queried lazily.

Hundreds of thousands of genes, organisms and mapped MeSH entries would take seconds to materialise
as Python objects, so the layer answers ``lookup``/``get`` from SQLite on demand and builds a
:class:`~kg.concept.Concept` only for what is asked for.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg.concept import Concept
from kg.errors import VocabularyError

if TYPE_CHECKING:  # pragma: no cover
    from kg.vocabulary.build import Manifest

__all__ = ["BroadLayer", "LAYER_NAME", "available", "is_trained", "load_layer"]

log = logging.getLogger(__name__)

LAYER_NAME = "broad"
SEP = "\x1f"  # joins synonyms, xrefs and sources in one column; never occurs in names (the builder imports it)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(SEP) if v) if value else ()


class BroadLayer:
    """Read-only access to one built index; safe to share between threads."""

    name = LAYER_NAME

    def __init__(self, path: Path, manifest: Manifest | None = None):
        from kg.vocabulary.build import FORMAT_VERSION

        self.path = Path(path)
        self.manifest = manifest
        try:
            self._con = self._connect()
            meta = dict(self._con.execute("SELECT name, value FROM meta"))
        except sqlite3.Error as exc:
            raise VocabularyError(f"{self.path} is not a vocabulary index ({exc}); "
                                  "run `kg vocab build --force`") from exc
        if meta.get("format_version") != str(FORMAT_VERSION):
            raise VocabularyError(f"{self.path} has index format {meta.get('format_version')}, this kg reads "
                                  f"{FORMAT_VERSION}; run `kg vocab build`")
        self._meta = meta
        self._resolution_only = frozenset(json.loads(meta.get("resolution_only", "[]")))
        self._lock = threading.Lock()
        self._get = lru_cache(maxsize=65536)(self._get_uncached)
        self._lookup = lru_cache(maxsize=65536)(self._lookup_uncached)
        # a process forked from this one (kg build --workers) opens its own connection: SQLite connections must not
        # cross a fork; the weak reference lets a dropped layer go
        reopen = weakref.WeakMethod(self._after_fork)
        os.register_at_fork(after_in_child=lambda: (method := reopen()) is not None and method())

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    def _after_fork(self) -> None:
        self._con = self._connect()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BroadLayer({str(self.path)!r})"

    def __len__(self) -> int:
        with self._lock:
            return self._con.execute("SELECT count(*) FROM concept").fetchone()[0]

    def __contains__(self, curie: object) -> bool:
        return isinstance(curie, str) and self.get(curie) is not None

    @property
    def stoplist(self) -> frozenset[str]:
        """Words the sources flag as not entity names (gilda's NER stop-list), as written."""
        lists = json.loads(self._meta.get("stoplist", "{}"))
        return frozenset(word for words in lists.values() for word in words)

    def get(self, curie: str) -> Concept | None:
        return self._get(curie)

    def lookup(self, text: str) -> tuple[Concept, ...]:
        """Concepts with a label or synonym whose normal form equals that of ``text``."""
        from kg.vocabulary.normalise import normalise

        key = normalise(text)
        return self._lookup(key) if key else ()

    def lookup_key(self, key: str) -> tuple[Concept, ...]:
        """Like :meth:`lookup` for an already normalised key."""
        return self._lookup(key)

    def concepts(self) -> Iterator[Concept]:
        """Every concept, streamed in CURIE order (slow for the whole index: prefer lookup/get)."""
        cur = self._con.cursor()
        for row in cur.execute("SELECT curie, label, category, synonyms, xrefs, sources FROM concept "
                               "ORDER BY curie"):
            yield self._concept(row)

    def terms(self) -> Iterator[tuple[str, str]]:
        """``(term as written, CURIE)`` for every label and synonym, e.g. to build a NER dictionary."""
        cur = self._con.cursor()
        for curie, label, synonyms in cur.execute("SELECT curie, label, synonyms FROM concept"):
            yield label, curie
            for synonym in _split(synonyms):
                yield synonym, curie

    def entries(self) -> Iterator[tuple[str, str, str, str]]:
        """``(term as written, CURIE, category, label)`` for every label and synonym (for NER rules); the label
        of a concept only resolution-only sources bring (see :class:`~kg.vocabulary.sources.Source`) is left out."""
        cur = self._con.cursor()
        query = "SELECT curie, label, category, synonyms, sources FROM concept"
        for curie, label, category, synonyms, sources in cur.execute(query):
            if self._grounding_only(_split(sources)):
                continue
            yield label, curie, category, label
            for synonym in _split(synonyms):
                yield synonym, curie, category, label

    def close(self) -> None:
        self._con.close()

    # -- internals ------------------------------------------------------------------------------
    @staticmethod
    def _concept(row) -> Concept:
        curie, label, category, synonyms, xrefs, sources = row
        return Concept(curie, label, category, _split(synonyms), _split(xrefs), _split(sources))

    def _get_uncached(self, curie: str) -> Concept | None:
        with self._lock:
            row = self._con.execute("SELECT curie, label, category, synonyms, xrefs, sources FROM concept "
                                    "WHERE curie=?", (curie,)).fetchone()
        return self._concept(row) if row else None

    def _lookup_uncached(self, key: str) -> tuple[Concept, ...]:
        with self._lock:
            rows = self._con.execute(
                "SELECT c.curie, c.label, c.category, c.synonyms, c.xrefs, c.sources FROM term t "
                "JOIN concept c ON c.curie = t.curie WHERE t.key=? ORDER BY c.curie", (key,)).fetchall()
        from kg.vocabulary.normalise import normalise

        concepts = [self._concept(row) for row in rows]
        # Concepts the training corpora annotate come first ("mice" is Mus musculus, not the gene MICE or
        # the genus Mus); grounding-only concepts (a mouse gene of a human symbol) after the rest; then a concept
        # whose own label has this key (BDNF) before one that aliases it.
        return tuple(sorted(concepts, key=lambda c: (not is_trained(c), self._grounding_only(c.sources),
                                                     normalise(c.label) != key)))

    def _grounding_only(self, sources: tuple[str, ...]) -> bool:
        """Whether a concept of these ``sources`` comes from grounding-only sources (``Source.ner`` false) alone."""
        return bool(self._resolution_only) and set(sources) <= self._resolution_only


def is_trained(concept: Concept) -> bool:
    """True when the training splits' mention -> identifier pairs (source ``corpora``) name ``concept``."""
    return any(source.endswith("-train") for source in concept.sources)


def available(vocab_dir: Path | str | None = None) -> bool:
    """True when a built index exists in ``vocab_dir`` (default ``Settings.vocab_dir``)."""
    from kg.settings import Settings
    from kg.vocabulary.build import INDEX_FILE

    return (Path(vocab_dir or Settings.from_env().vocab_dir) / INDEX_FILE).is_file()


def load_layer(vocab_dir: Path | str | None = None, *, verify: bool = False) -> BroadLayer:
    """Open the broad layer; ``verify=True`` also checks the index against its manifest's sha256."""
    from kg.settings import Settings
    from kg.vocabulary.build import INDEX_FILE, read_manifest

    folder = Path(vocab_dir or Settings.from_env().vocab_dir)
    path = folder / INDEX_FILE
    if not path.is_file():
        raise VocabularyError(f"no broad vocabulary index in {folder}; run `kg vocab build` "
                              "(or set KG_VOCAB_DIR to a folder that has one)")
    manifest = read_manifest(folder)
    if verify:
        from kg.cache import sha256_file

        if manifest is None or sha256_file(path) != manifest.index_sha256:
            raise VocabularyError(f"{path} does not match {folder / 'manifest.json'}; "
                                  "run `kg vocab build --force`")
    layer = BroadLayer(path, manifest)
    log.debug("opened broad vocabulary %s", path)
    return layer
