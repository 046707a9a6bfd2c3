"""The in-memory vocabulary layers compiled once into memory-mapped files, which later runs open instead of parsing.

Reading the 54 MB MeSH CSV, merging it with the curated concepts and indexing every name took over a second and
about 250 MB on every run, before the first document was read. What that work produces (the merged concepts, the
layer each came from, and the name and CURIE maps :class:`~kg.vocabulary.index.Vocabulary` answers from) is written
under ``<vocab dir>/compiled/<layers>-<digest>/`` by the first run that finds no current copy (``kg vocab build``
makes that run when it warms up the default pipeline); later runs map the files and decode only the concepts they
touch. The MeSH headings that graph labels show (``mesh-<digest>``) and the training corpora's gene pairs
(``pairs-<digest>``) get folders of their own. A digest covers the layer names, the files the layers are read from,
the code that shapes them and this format, so an edited curated TSV or another version of kg never reads a stale
copy: it compiles its own, and copies beyond the :data:`KEEP` most recent of each kind are removed.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import shutil
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.concept import Concept
from kg.errors import KGError, VocabularyError
from kg.vocabulary.index import IndexMaps
from kg.vocabulary.packed import Keyed, Records, pack_ints, unpack_ints

if TYPE_CHECKING:  # pragma: no cover
    from kg.vocabulary.protocols import LazyLayer

__all__ = ["COMPILED_DIR", "FORMAT_VERSION", "KEEP", "CompiledIndex", "code_digest", "compiled_folder",
           "compiled_strings", "mesh_headings", "open_compiled", "publish", "save_compiled"]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
COMPILED_DIR = "compiled"
KEEP = 4  # compiled copies kept per kind: checkouts of several kg versions may share one vocab dir
_META = "meta.json"
_FIELD, _ITEM = "\x1f", "\x1e"  # never in names (the broad index relies on \x1f too); checked when compiling
_NONE = 2**32 - 1  # "no position" in the CURIE map
# The code whose output a compiled copy stores: a change to any of it compiles a new copy.
_CODE = ("kg.vocabulary.index", "kg.vocabulary.curated", "kg.vocabulary.mesh", "kg.vocabulary.normalise",
         "kg.vocabulary.compiled", "kg.vocabulary.packed", "kg.concept", "kg.categories")


def _curated_inputs() -> list[Path]:
    from kg.paths import ontologies_dir

    return [*sorted((ontologies_dir() / "vocabulary").glob("*.tsv")), ontologies_dir() / "sources.tsv"]


def _mesh_input() -> str:
    """The MeSH CSV by path, size and modification time (hashing its 54 MB would cost more than a cold start), and
    the entry terms ``kg vocab build`` wrote beside its index."""
    from kg.vocabulary.mesh import MESH_WHEEL, entry_terms_input, mesh_csv_path

    path = mesh_csv_path()
    stat = path.stat()
    return f"{MESH_WHEEL}\n{path}\n{stat.st_size}\n{stat.st_mtime_ns}\n{entry_terms_input()}"


def code_digest(modules: Sequence[str]) -> hashlib._Hash:
    """A running sha256 over this format and the source of ``modules``, to which callers add their inputs."""
    digest = hashlib.sha256(f"kg compiled format {FORMAT_VERSION} {sys.byteorder}\n".encode())
    for module in modules:
        digest.update(Path(importlib.import_module(module).__file__ or module).read_bytes())
    return digest


def _digest(layers: Sequence[str], lazy: frozenset[str]) -> str | None:
    """The digest of the compiled copy of ``layers``; ``None`` when a layer's inputs cannot be told (then the
    vocabulary is built in memory, and its loader says what is missing)."""
    digest = code_digest(_CODE)
    digest.update(repr(tuple(layers)).encode())
    try:
        for name in layers:
            if name in lazy:
                continue  # answered on demand from its own index: only its rank is compiled
            if name == "curated":
                for path in _curated_inputs():
                    digest.update(f"{path.name}\n".encode() + path.read_bytes())
            elif name == "mesh":
                digest.update(_mesh_input().encode())
            else:
                return None
    except (OSError, KGError):
        return None
    return digest.hexdigest()[:24]


def compiled_folder(layers: Sequence[str], lazy: frozenset[str], vocab_dir: Path | None = None) -> Path | None:
    """Where the compiled copy of ``layers`` (``lazy``: those answered on demand) lives, if it can be named."""
    from kg.settings import Settings

    digest = _digest(layers, lazy)
    if digest is None:
        return None
    # named by its layers too, so that each set of layers keeps its own KEEP most recent copies
    return Path(vocab_dir or Settings.from_env().vocab_dir) / COMPILED_DIR / f"{'+'.join(layers)}-{digest}"


def _encode(concept: Concept) -> bytes:
    lists = (concept.synonyms, concept.xrefs, concept.sources)
    strings = (concept.curie, concept.label, concept.category, *(item for items in lists for item in items))
    if any(not isinstance(items, tuple) or not all(items) for items in lists) \
            or any(not isinstance(s, str) or _FIELD in s or _ITEM in s for s in strings):
        raise ValueError(f"{concept.curie}: a name holds a separator or an empty synonym")
    return _FIELD.join((concept.curie, concept.label, concept.category, *(_ITEM.join(items) for items in lists))
                       ).encode("utf-8")


def _items(value: str) -> tuple[str, ...]:
    return tuple(value.split(_ITEM)) if value else ()


def _decode(record: bytes) -> Concept:
    curie, label, category, synonyms, xrefs, sources = record.decode("utf-8").split(_FIELD)
    return Concept(curie, label, category, _items(synonyms), _items(xrefs), _items(sources))


class _Concepts(Sequence[Concept]):
    """The merged concepts by position, each decoded on first use and then kept."""

    def __init__(self, records: Records) -> None:
        self._records = records
        self._decoded: list[Concept | None] = [None] * len(records)

    def __len__(self) -> int:
        return len(self._decoded)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self._decoded)
        concept = self._decoded[position]
        if concept is None:
            concept = self._decoded[position] = _decode(self._records[position])
        return concept

    def __iter__(self) -> Iterator[Concept]:
        for position in range(len(self._decoded)):
            yield self[position]


class _Positions:
    """A compiled name map: normalised key -> positions of the concepts that carry it."""

    def __init__(self, keyed: Keyed) -> None:
        self._keyed = keyed

    def get(self, key: str, default=None):
        value = self._keyed.get(key)
        return default if value is None else unpack_ints(value)


class _Curies:
    """The compiled CURIE map: ``slot`` 0 answers for primary CURIEs, 1 for cross-references."""

    def __init__(self, keyed: Keyed, slot: int) -> None:
        self._keyed, self._slot = keyed, slot

    def get(self, curie: str, default=None):
        value = self._keyed.get(curie)
        if value is None:
            return default
        position = unpack_ints(value)[self._slot]
        return default if position == _NONE else position


class CompiledIndex(IndexMaps):
    """What :class:`~kg.vocabulary.index._Index` computes, read from a compiled folder as it is asked for."""

    def __init__(self, folder: Path, lazy: list[tuple[int, LazyLayer]]) -> None:
        try:
            meta = json.loads((folder / _META).read_text(encoding="utf-8"))
            rank = array("B", (folder / "rank.bin").read_bytes())
        except (OSError, ValueError) as exc:
            raise VocabularyError(f"cannot read the compiled vocabulary {folder} ({exc}); delete it") from exc
        if meta.get("format_version") != FORMAT_VERSION:
            raise VocabularyError(f"{folder} has compiled format {meta.get('format_version')}, this kg reads "
                                  f"{FORMAT_VERSION}; delete it")
        self.folder = folder
        self.concepts = _Concepts(Records(folder / "concepts.bin"))
        self.rank = rank
        if len(rank) != len(self.concepts) or meta.get("concepts") != len(rank):
            raise VocabularyError(f"{folder} is incomplete; delete it")
        self.lazy = lazy
        curies = Keyed(folder, "curies")
        self.primary, self.xref = _Curies(curies, 0), _Curies(curies, 1)
        self.exact, self.singular = _Positions(Keyed(folder, "exact")), _Positions(Keyed(folder, "singular"))


def open_compiled(folder: Path, lazy: list[tuple[int, LazyLayer]]) -> CompiledIndex | None:
    """The compiled copy in ``folder``, or ``None`` when there is none; a damaged one is removed (and recompiled)."""
    if not (folder / _META).is_file():
        return None
    try:
        index = CompiledIndex(folder, lazy)
    except VocabularyError as exc:
        log.warning("%s; compiling the vocabulary again", exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None
    log.debug("opened the compiled vocabulary %s (%d concepts)", folder, len(index.concepts))
    return index


def save_compiled(index: IndexMaps, layers: Sequence[str], folder: Path) -> bool:
    """Write ``index`` (an in-memory one, of ``layers``) as the compiled copy in ``folder``; False when it cannot
    be (a read-only vocab dir, a name no record can hold): the vocabulary then stays in memory, as before."""
    primary, xref, exact, singular = index.primary, index.xref, index.exact, index.singular
    if not (isinstance(primary, dict) and isinstance(xref, dict) and isinstance(exact, dict)
            and isinstance(singular, dict)):
        return False  # already a compiled copy
    concepts = list(index.concepts)
    try:
        records = [_encode(concept) for concept in concepts]
        if any(_decode(record) != concept for record, concept in zip(records, concepts)):
            raise ValueError("a concept does not read back as written")
    except ValueError as exc:
        log.info("the vocabulary is not compiled (%s); it is built in memory on every run", exc)
        return False
    curies = {curie: [position, _NONE] for curie, position in primary.items()}
    for curie, position in xref.items():
        curies.setdefault(curie, [_NONE, _NONE])[1] = position

    def write(tmp: Path) -> None:
        Records.write(tmp / "concepts.bin", records)
        (tmp / "rank.bin").write_bytes(array("B", index.rank).tobytes())
        Keyed.write(tmp, "curies", {curie: pack_ints(slots) for curie, slots in curies.items()})
        Keyed.write(tmp, "exact", {key: pack_ints(found) for key, found in exact.items()})
        Keyed.write(tmp, "singular", {key: pack_ints(found) for key, found in singular.items()})
        meta = {"format_version": FORMAT_VERSION, "layers": list(layers), "concepts": len(concepts)}
        (tmp / _META).write_text(json.dumps(meta, indent=2), encoding="utf-8")

    saved = publish(folder, write)
    if saved and "mesh" in layers:
        mesh_headings(folder.parent.parent)  # the MeSH list was just parsed: compile the graph's labels too
    return saved


def publish(folder: Path, write: Callable[[Path], None]) -> bool:
    """Run ``write`` into a fresh temporary folder beside ``folder`` and rename it into place (so readers never see
    half a copy); then keep only the :data:`KEEP` most recent copies of its kind (the name before its last ``-``).
    False when the folder cannot be written: callers then keep what they built in memory."""
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        write(tmp)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / _META).is_file():  # not another process's finished copy: a real failure
                raise
    except OSError as exc:
        log.info("cannot write %s (%s); built in memory on every run instead", folder, exc)
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("wrote %s", folder)
    _prune(folder)
    return True


def _prune(folder: Path) -> None:
    kind = folder.name.rsplit("-", 1)[0]
    siblings = [p for p in folder.parent.iterdir() if p.is_dir() and not p.name.startswith(".")
                and p.name.rsplit("-", 1)[0] == kind]
    siblings.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in siblings[KEEP:]:
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)


class _Headings:
    def __init__(self, keyed: Keyed) -> None:
        self._keyed = keyed

    def get(self, ui: str, default: str = "") -> str:
        value = self._keyed.get(ui)
        return default if value is None else value.decode("utf-8")


def mesh_headings(vocab_dir: Path | None = None) -> _Headings | None:
    """MeSH descriptor UI -> heading from the compiled copy of the MeSH list (compiled now if there is none);
    ``None`` when it cannot be had (the caller then reads the CSV)."""
    from kg.settings import Settings
    from kg.vocabulary.mesh import mesh_descriptors

    try:
        digest = code_digest(("kg.vocabulary.mesh", "kg.vocabulary.compiled", "kg.vocabulary.packed"))
        digest.update(_mesh_input().encode())
    except (OSError, KGError):
        return None
    folder = Path(vocab_dir or Settings.from_env().vocab_dir) / COMPILED_DIR / f"mesh-{digest.hexdigest()[:24]}"
    if not (folder / _META).is_file():
        descriptors = mesh_descriptors()

        def write(tmp: Path) -> None:
            Keyed.write(tmp, "headings", {ui: heading.encode("utf-8") for ui, heading in descriptors.items()})
            meta = {"format_version": FORMAT_VERSION, "headings": len(descriptors)}
            (tmp / _META).write_text(json.dumps(meta), encoding="utf-8")

        if not publish(folder, write):
            return None
    try:
        return _Headings(Keyed(folder, "headings"))
    except VocabularyError as exc:
        log.warning("%s; reading the MeSH CSV instead", exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None


def compiled_strings(kind: str, inputs: Sequence[Path], code: Sequence[str], build: Callable[[], Iterable[str]],
                     vocab_dir: Path | None = None):
    """A set of strings derived from ``inputs`` by ``build`` (the ``code`` modules' work), as a memory-mapped MARISA
    trie in ``compiled/<kind>-<digest>/`` (written now if absent): ``in`` answers membership. ``None`` when it
    cannot be written; the caller then keeps what ``build`` gives in memory."""
    import marisa_trie

    from kg.settings import Settings

    digest = code_digest(code)
    for path in inputs:
        try:
            stat = path.stat()
        except OSError:
            continue  # an absent input adds nothing (and its appearance changes the digest)
        digest.update(f"{path}\n{stat.st_size}\n{stat.st_mtime_ns}\n".encode())
    folder = Path(vocab_dir or Settings.from_env().vocab_dir) / COMPILED_DIR / f"{kind}-{digest.hexdigest()[:24]}"
    if not (folder / _META).is_file():
        strings = sorted(set(build()))

        def write(tmp: Path) -> None:
            marisa_trie.Trie(strings).save(str(tmp / "strings.marisa"))
            meta = {"format_version": FORMAT_VERSION, "strings": len(strings)}
            (tmp / _META).write_text(json.dumps(meta), encoding="utf-8")

        if not publish(folder, write):
            return None
    try:
        return marisa_trie.Trie().mmap(str(folder / "strings.marisa"))
    except Exception as exc:  # marisa's own error types for a damaged file
        log.warning("cannot map %s (%s); rebuilding it in memory", folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None
