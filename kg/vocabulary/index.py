"""The vocabulary index: layered concepts looked up by normalised surface form or by CURIE.

Layers are searched in precedence order: ``curated`` first, then any extra layers, then ``mesh``.
A concept of a later layer whose CURIE (or an xref) is already claimed by an earlier layer does not
compete with it: its label and synonyms are merged into the earlier concept instead, so "Receptors,
N-Methyl-D-Aspartate" from MeSH becomes one more name of the curated NMDA receptor.

A *lazy* layer (the broad index of ``kg vocab build``: any object with ``lookup_key`` and ``get``) is
never materialised: it is asked per lookup, and its answers are reconciled with the in-memory layers
by the same claim rule (a broad concept claimed by a curated one becomes that curated concept; a broad
concept outranks the ``mesh`` entry of the same CURIE). ``terms()``, ``len()`` and iteration cover the
in-memory layers only; the dictionary NER reads a lazy layer's names through its own index.

:func:`load_vocabulary` opens the in-memory layers' merged index from its compiled copy
(:mod:`kg.vocabulary.compiled`) when one is current, and writes one when not, so a run neither parses MeSH nor
merges layers; a vocabulary extended with :meth:`Vocabulary.add_layer` builds its own index in memory.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeGuard

from kg.concept import Concept
from kg.errors import VocabularyError
from kg.vocabulary.normalise import normalise, singular
from kg.vocabulary.protocols import LazyLayer

__all__ = ["Vocabulary", "ByIdentity", "IndexMaps", "load_vocabulary", "default_layers", "LAYERS", "LAZY_LAYERS"]

log = logging.getLogger(__name__)

LAST_LAYER = "mesh"


def _load_curated() -> tuple[Concept, ...]:
    from kg.vocabulary.curated import load_curated

    return load_curated()


def _load_mesh() -> tuple[Concept, ...]:
    from kg.vocabulary.mesh import mesh_concepts

    return mesh_concepts()


def _load_broad():
    from kg.vocabulary.broad import load_layer

    return load_layer()


# Layer name -> loader; ``load_vocabulary`` accepts these names.
LAYERS = {"curated": _load_curated, "broad": _load_broad, "mesh": _load_mesh}
# Layers whose loader opens an index answered on demand (a LazyLayer) rather than reading concepts.
LAZY_LAYERS = frozenset({"broad"})


class ByIdentity:
    """Hashable handle on a vocabulary so per-vocabulary caches (automaton, fuzzy index) key on the
    instance, not on its contents (hashing a million names would cost more than the cache saves)."""

    def __init__(self, vocabulary) -> None:
        self.vocabulary = vocabulary

    def __hash__(self) -> int:
        return id(self.vocabulary)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ByIdentity) and other.vocabulary is self.vocabulary


class _Deferred:
    """An in-memory layer not read yet: a vocabulary opened from its compiled copy never needs the concepts
    themselves, unless it is extended (``copy()`` and ``add_layer``) and merges its layers again."""

    def __init__(self, load: Callable[[], Iterable[Concept]]) -> None:
        self._load = load
        self._concepts: tuple[Concept, ...] | None = None

    def concepts(self) -> tuple[Concept, ...]:
        if self._concepts is None:
            self._concepts = tuple(self._load())
        return self._concepts

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts())


# A layer is either concepts held in memory (perhaps not read yet) or an index answered on demand.
LayerContent = tuple[Concept, ...] | _Deferred | LazyLayer


def _is_lazy(layer: object) -> TypeGuard[LazyLayer]:
    return isinstance(layer, LazyLayer)


class Vocabulary:
    """Concepts from ordered layers, indexed by every surface form and every CURIE they carry."""

    def __init__(self, layers: Iterable[tuple[str, Iterable[Concept] | LazyLayer]] = (), *,
                 current_headings: bool = True) -> None:
        self._layers: list[tuple[str, LayerContent]] = []
        self._built: IndexMaps | None = None
        self.current_headings = current_headings
        self._corpus_view: Vocabulary | None = None
        for name, concepts in layers:
            self.add_layer(name, concepts)

    def add_layer(self, name: str, concepts: Iterable[Concept] | LazyLayer) -> None:
        """Add a layer searched after those already added but always before ``mesh``."""
        if any(existing == name for existing, _ in self._layers):
            raise VocabularyError(f"vocabulary layer {name!r} is already loaded; give the new layer another name")
        content: LayerContent = (concepts if _is_lazy(concepts) or isinstance(concepts, _Deferred)
                                 else tuple(concepts))  # type: ignore[arg-type]
        layer = (name, content)
        position = len(self._layers)
        if name != LAST_LAYER and self._layers and self._layers[-1][0] == LAST_LAYER:
            position -= 1
        self._layers.insert(position, layer)
        self._built = None
        self._corpus_view = None

    @classmethod
    def _from_compiled(cls, layers: Sequence[str], folder: Path) -> Vocabulary | None:
        """The vocabulary of ``layers`` answering from the compiled copy in ``folder``; ``None`` without one."""
        from kg.vocabulary.compiled import open_compiled

        vocabulary = cls()
        for name in layers:
            vocabulary.add_layer(name, LAYERS[name]() if name in LAZY_LAYERS else _Deferred(LAYERS[name]))
        lazy = [(rank, layer) for rank, (_name, layer) in enumerate(vocabulary._layers) if _is_lazy(layer)]
        index = open_compiled(folder, lazy)
        if index is None:
            return None
        vocabulary._built = index
        return vocabulary

    @property
    def compiled_copy(self) -> IndexMaps | None:
        """The compiled index this vocabulary answers from (its ``folder`` and ``concepts``), if it does."""
        index = self._index
        return index if index.folder is not None else None

    def copy(self) -> Vocabulary:
        """A vocabulary with the same layers, to extend without touching a cached shared instance."""
        return Vocabulary(self._layers, current_headings=self.current_headings)

    def in_corpus_terms(self) -> Vocabulary:
        """The same vocabulary (sharing its index) answering as the gold corpora were annotated: their own
        readings first, not the MeSH 2026 headings of a name (``current_headings``). Scoring or writing
        output for a corpus annotated with older MeSH ("mania" as Bipolar Disorder) uses this; graphs do not."""
        if not self.current_headings:
            return self
        if self._corpus_view is None or self._corpus_view._layers is not self._layers:
            self._corpus_view = Vocabulary(current_headings=False)
            self._corpus_view._layers, self._corpus_view._built = self._layers, self._index
        return self._corpus_view

    @property
    def layer_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self._layers)

    def layer_curies(self, name: str) -> frozenset[str]:
        """Primary CURIEs of the in-memory concepts that layer ``name`` contributed (after merging)."""
        ranks = [rank for rank, (layer, _) in enumerate(self._layers) if layer == name]
        index = self._index
        return frozenset(index.concepts[i].curie for i, rank in enumerate(index.rank) if rank in ranks)

    @property
    def lazy_layers(self) -> tuple[tuple[str, LazyLayer], ...]:
        """``(name, layer)`` of the layers answered on demand (the broad index), in precedence order."""
        # add_layer let in only tuples, deferred layers and LazyLayers: the cheap test tells them apart (the NER
        # asks for every block; isinstance on a runtime protocol costs microseconds)
        return tuple((name, layer) for name, layer in self._layers if not isinstance(layer, (tuple, _Deferred)))

    @property
    def _index(self) -> IndexMaps:
        if self._built is None:
            self._built = _Index(self._layers)
        return self._built

    def lookup(self, text: str) -> list[Concept]:
        """Concepts named ``text``, layer order; each layer answers with its exact normalised key,
        else with its singular form (the in-memory layers answer together, as one)."""
        key = normalise(text)
        index = self._index
        hits = index.exact.get(key) or index.singular.get(singular(key)) or ()
        ranked = [(index.rank[i], index.concepts[i]) for i in hits]
        for rank, layer in index.lazy:
            ranked.extend((rank, c) for c in (layer.lookup_key(key) or layer.lookup_key(singular(key))))
        return self._ordered(ranked)

    def lookup_key(self, key: str) -> list[Concept]:
        """Concepts of an already normalised key (no singular fallback), in layer order."""
        index = self._index
        ranked = [(index.rank[i], index.concepts[i]) for i in index.exact.get(key, ())]
        for rank, layer in index.lazy:
            ranked.extend((rank, c) for c in layer.lookup_key(key))
        return self._ordered(ranked)

    def _ordered(self, ranked: list[tuple[int, Concept]]) -> list[Concept]:
        if not ranked:
            return []
        ranked.sort(key=lambda rc: rc[0])  # stable: within a layer the layer's own order
        found: dict[str, Concept] = {}
        first_rank: dict[str, int] = {}
        current: list[str] = []  # CURIEs whose MeSH 2026 heading is this very name
        last = len(self._layers) - 1 if self._layers and self._layers[-1][0] == LAST_LAYER else -1
        for rank, concept in ranked:
            concept = self._reconcile(rank, concept)
            found.setdefault(concept.curie, concept)
            first_rank.setdefault(concept.curie, rank)
            if rank == last and self.current_headings and concept.prefix == "MESH":
                current.append(concept.curie)
        if not current:
            return list(found.values())
        curated = {rank for rank, (name, _) in enumerate(self._layers) if name == "curated"}
        older = {curie for curie, rank in first_rank.items() if rank not in curated}
        return _current_first(list(found.values()), current, older)

    def _reconcile(self, rank: int, concept: Concept) -> Concept:
        """The concept of highest precedence that stands for ``concept`` (see the module docstring)."""
        index = self._index
        if not index.lazy:
            return concept
        lazy_rank, layer = index.lazy[0]
        if rank == lazy_rank:
            owner = index.owner(concept)
            return index.concepts[owner] if owner is not None and index.rank[owner] < rank else concept
        if rank > lazy_rank:
            return layer.get(concept.curie) or concept
        return concept

    def get(self, curie: str) -> Concept | None:
        """The concept whose primary CURIE is ``curie``, else the first (by precedence) with it as xref."""
        index = self._index
        i = index.primary.get(curie)
        if i is None:
            i = index.xref.get(curie)
        for rank, layer in index.lazy:
            if i is not None and index.rank[i] < rank:
                break
            concept = layer.get(curie)
            if concept is not None:
                return self._reconcile(rank, concept)
        return None if i is None else index.concepts[i]

    def terms(self) -> Iterator[tuple[str, Concept]]:
        """Every surface form (label and synonyms, as written) with its concept, in precedence order."""
        for _position, form, concept in self.positioned_terms():
            yield form, concept

    def positioned_terms(self) -> Iterator[tuple[int, str, Concept]]:
        """:meth:`terms` with each concept's position (:meth:`concept_at` gives the concept back)."""
        for position, concept in enumerate(self._index.concepts):
            seen: set[str] = set()
            for form in (concept.label, *concept.synonyms):
                if form and form not in seen:
                    seen.add(form)
                    yield position, form, concept

    def __iter__(self) -> Iterator[Concept]:
        return iter(self._index.concepts)

    def concept_at(self, position: int) -> Concept:
        """The in-memory concept at ``position`` in :meth:`__iter__`'s order (a compiled copy decodes only it)."""
        return self._index.concepts[position]

    def __len__(self) -> int:
        return len(self._index.concepts)

    def __repr__(self) -> str:
        return f"Vocabulary(layers={self.layer_names!r})"


class PositionMap(Protocol):
    """A CURIE or name key -> concept position(s) map: a dict, or a compiled one that only answers ``get``."""

    def get(self, key: str, default: Any = None) -> Any: ...


class IndexMaps:
    """What a vocabulary answers from: the merged concepts of its in-memory layers by position, the layer (rank)
    of each, its lazy layers, and the CURIE and name maps to positions. :class:`_Index` builds them in memory;
    :class:`~kg.vocabulary.compiled.CompiledIndex` reads them from a compiled copy (its ``folder``)."""

    folder: Path | None = None
    concepts: Sequence[Concept]
    rank: Sequence[int]
    lazy: list[tuple[int, LazyLayer]]
    primary: PositionMap
    xref: PositionMap
    exact: PositionMap
    singular: PositionMap

    def owner(self, concept: Concept) -> int | None:
        """An earlier-layer concept that already claims this concept's CURIE or one of its xrefs."""
        for curie in (concept.curie, *concept.xrefs):
            owner = self.primary.get(curie)
            if owner is None:
                owner = self.xref.get(curie)
            if owner is not None:
                return owner
        return None


class _Index(IndexMaps):
    """The merged concepts of all layers and the key -> concept-position maps built over them."""

    def __init__(self, layers: Sequence[tuple[str, LayerContent]]) -> None:
        self.concepts: list[Concept] = []
        self.rank: list[int] = []  # position of the layer each concept came from
        self.lazy: list[tuple[int, LazyLayer]] = []
        self.primary: dict[str, int] = {}
        self.xref: dict[str, int] = {}
        merged = 0
        for rank, (_name, concepts) in enumerate(layers):
            if isinstance(concepts, _Deferred):
                concepts = concepts.concepts()
            if not isinstance(concepts, tuple):
                self.lazy.append((rank, concepts))
                continue
            claims: dict[str, int] = {}
            for concept in concepts:
                owner = self.owner(concept)
                if owner is not None:
                    self.concepts[owner] = _merge(self.concepts[owner], concept)
                    for curie in (concept.curie, *concept.xrefs):
                        if curie != self.concepts[owner].curie:
                            self.xref.setdefault(curie, owner)
                    merged += 1
                    continue
                position = len(self.concepts)
                self.concepts.append(concept)
                self.rank.append(rank)
                self.primary.setdefault(concept.curie, position)
                for xref in concept.xrefs:
                    claims.setdefault(xref, position)
            for xref, position in claims.items():
                self.xref.setdefault(xref, position)
        self.exact: dict[str, list[int]] = {}
        self.singular: dict[str, list[int]] = {}
        for position, concept in enumerate(self.concepts):
            for form in (concept.label, *concept.synonyms):
                key = normalise(form)
                if not key:
                    continue
                _append(self.exact, key, position)
                _append(self.singular, singular(key), position)
        log.debug("indexed %d concepts (%d merged into earlier layers)", len(self.concepts), merged)


HUMAN = "NCBITaxon:9606"  # Homo sapiens, which corpora tag every group of people as


def _current_first(concepts: list[Concept], current: list[str], movable: set[str]) -> list[Concept]:
    """MeSH 2026 headings of the looked-up name ahead of older MeSH readings of the same category.

    The broad layer carries mappings from older MeSH (Gilda's) and from corpora annotated years ago ("mania" as
    Bipolar Disorder, "escitalopram" as Citalopram). When MeSH 2026 has a heading of that very name, the heading
    is the current answer; a supplementary concept of the same name was promoted to it, so it becomes the
    heading's cross-reference. Curated concepts (first layer, hand-checked) keep their precedence.
    """
    out = list(concepts)
    for curie in current:
        heading = next(c for c in out if c.curie == curie)
        name = normalise(heading.label)
        position = out.index(heading)
        # older MeSH readings of its category; and, where the heading is this very name, an older MeSH reading of
        # another name (corpora lumped "aggression" under Mental Disorders) or a gene member a family heading was
        # mapped to ("integrins" as ITGB3). A taxon is no mapping: "mice" stays Mus musculus, not MeSH's Mice; but a
        # group of people a corpus tagged as humans is the heading of that group ("inpatients" is Inpatients).
        older = [c for c in out[:position] if c.curie in movable and (
            (c.category == heading.category and c.prefix == "MESH")
            or ((c.prefix == "MESH" or (c.prefix == "NCBIGene" and heading.category == "gene")
                 or (c.curie == HUMAN and heading.category == "concept"))
                and not _own_name(c, name)))]
        promoted = [c for c in older if c.curie.startswith("MESH:C") and normalise(c.label) == name]
        if not older:
            continue
        for c in promoted:
            heading = _merge(heading, c)
        out = [c for c in out if c.curie != curie and c not in promoted]
        out.insert(out.index(older[0]) if older[0] in out else min(position, len(out)), heading)
    return out


def _own_name(concept: Concept, name: str) -> bool:
    """Whether normalised ``name`` is ``concept``'s own name: its label, or for a MeSH concept its MeSH 2026
    heading (a corpus-made concept is labelled by the form its annotators tagged, "smoking" for Smoke)."""
    from kg.vocabulary.mesh import mesh_heading, text_order

    labels = [concept.label]
    if concept.prefix == "MESH" and (heading := mesh_heading(concept.curie)):
        labels = [heading, text_order(heading)]
    return any(normalise(label) == name for label in labels if label)


def _append(table: dict[str, list[int]], key: str, position: int) -> None:
    positions = table.setdefault(key, [])
    if position not in positions:
        positions.append(position)


def _merge(kept: Concept, other: Concept) -> Concept:
    """Add ``other``'s names, CURIE, xrefs and sources to ``kept`` (which keeps its ID and category)."""
    known = {normalise(form) for form in (kept.label, *kept.synonyms)}
    synonyms = list(kept.synonyms)
    for form in (other.label, *other.synonyms):
        key = normalise(form)
        if key and key not in known:
            known.add(key)
            synonyms.append(form)
    xrefs = list(kept.xrefs)
    for curie in (other.curie, *other.xrefs):
        if curie != kept.curie and curie not in xrefs:
            xrefs.append(curie)
    sources = kept.sources + tuple(s for s in other.sources if s not in kept.sources)
    return replace(kept, synonyms=tuple(synonyms), xrefs=tuple(xrefs), sources=sources)


def default_layers() -> tuple[str, ...]:
    """``curated``, ``broad`` (when ``kg vocab build`` has built the index) and ``mesh``."""
    from kg.vocabulary.broad import available

    if available():
        return ("curated", "broad", "mesh")
    log.info("no broad vocabulary index (run `kg vocab build` for genes, species and more chemicals); "
             "using the curated and MeSH layers only")
    return ("curated", "mesh")


def load_vocabulary(layers: Iterable[str] | None = None) -> Vocabulary:
    """Load the named layers (see ``LAYERS``; default :func:`default_layers`) into one shared, cached
    :class:`Vocabulary`.

    The instance is shared by every caller asking for the same layers: call ``.copy()`` before
    ``add_layer`` to extend it for one run.
    """
    layers = default_layers() if layers is None else tuple(layers)
    where = ""
    if "broad" in layers:
        from kg.settings import Settings

        where = str(Settings.from_env().vocab_dir)
    return _load_vocabulary(layers, where)


@lru_cache(maxsize=8)
def _load_vocabulary(layers: tuple[str, ...], _where: str = "") -> Vocabulary:
    unknown = [name for name in layers if name not in LAYERS]
    if unknown:
        raise VocabularyError(
            f"unknown vocabulary layer(s) {', '.join(unknown)}; choose from {', '.join(LAYERS)}"
        )
    from kg.vocabulary.compiled import compiled_folder, save_compiled

    folder = compiled_folder(layers, LAZY_LAYERS)
    if folder is not None:
        vocabulary = Vocabulary._from_compiled(layers, folder)
        if vocabulary is not None:
            return vocabulary
    vocabulary = Vocabulary((name, LAYERS[name]()) for name in layers)
    if folder is not None and save_compiled(vocabulary._index, layers, folder):
        # the same answers; from the copy, the NER's compiled names can refer to its concepts by position
        return Vocabulary._from_compiled(layers, folder) or vocabulary
    return vocabulary
