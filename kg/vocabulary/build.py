"""``kg vocab build``: sources -> one SQLite index plus ``manifest.json``, rebuilt only when inputs change.

The manifest records, per source, each input's package, version and sha256, and the index's own
sha256, so a graph built with the broad layer can say exactly which vocabulary it used. The
fingerprint also covers the code that shapes the index (source parsers and ``normalise``), because a
changed key function silently breaks lookups in an old index.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.atomic import atomic_write_text
from kg.cache import Cache, sha256_file
from kg.concept import Concept
from kg.errors import VocabularyError
from kg.settings import Settings
from kg.vocabulary.broad import SEP

__all__ = ["FORMAT_VERSION", "INDEX_FILE", "MANIFEST_FILE", "SEP", "Manifest", "SourceRecord",
           "build_index", "read_manifest"]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
INDEX_FILE = "broad.sqlite"
MANIFEST_FILE = "manifest.json"
# Names of a reader's terms only that sources give concepts of the in-memory layers (kg.vocabulary.mesh reads them)
READER_NAMES_FILE = "reader_names.json"

SCHEMA = """
CREATE TABLE concept (curie TEXT PRIMARY KEY, label TEXT NOT NULL, category TEXT NOT NULL,
                      synonyms TEXT NOT NULL, xrefs TEXT NOT NULL, sources TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE term (key TEXT NOT NULL, curie TEXT NOT NULL, PRIMARY KEY (key, curie)) WITHOUT ROWID;
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class SourceRecord:
    name: str
    description: str
    inputs: list[dict] = field(default_factory=list)  # package, version, registry, file, sha256
    concepts: int = 0
    terms: int = 0
    seconds: float = 0.0


@dataclass
class Manifest:
    format_version: int
    fingerprint: str
    index: str
    index_sha256: str
    index_bytes: int
    concepts: int
    terms: int
    built_at: str
    build_seconds: float
    sources: list[SourceRecord]
    rebuilt: bool = field(default=False, compare=False)  # False when an up-to-date index was kept

    def render(self) -> str:
        """The summary `kg vocab build` prints: one line per source, then the index."""
        state = "built" if self.rebuilt else "up to date"
        width = max([len(s.name) + 1 for s in self.sources] + [10])
        lines = [f"{s.name:<{width}}{s.concepts:>9} concepts{s.terms:>10} terms{s.seconds:>8.1f} s"
                 for s in self.sources]
        lines.append(f"{'index':<{width}}{self.concepts:>9} concepts{self.terms:>10} terms  "
                     f"{self.index_bytes / 1e6:.0f} MB, sha256 {self.index_sha256[:12]}… ({state})")
        return "\n".join(lines)

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("rebuilt")
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        data["sources"] = [SourceRecord(**s) for s in data.get("sources", [])]
        return cls(**data)


def read_manifest(out_dir: Path | str | None = None) -> Manifest | None:
    """The manifest of the index in ``out_dir`` (default ``Settings.vocab_dir``), or None if absent."""
    path = Path(out_dir or Settings.from_env().vocab_dir) / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, TypeError) as exc:
        raise VocabularyError(f"{path} is not a valid vocabulary manifest ({exc}); "
                              "run `kg vocab build --force`") from exc


def _code_hash(modules: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(set(modules)):
        module = sys.modules.get(name) or __import__(name, fromlist=["_"])
        digest.update(name.encode())
        digest.update(Path(module.__file__ or name).read_bytes())
    return digest.hexdigest()


def _fingerprint(records: list[SourceRecord], modules: list[str]) -> str:
    payload = {"format": FORMAT_VERSION, "code": _code_hash(modules),
               "inputs": [[r.name, [i["sha256"] for i in r.inputs]] for r in records]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _merge(old: tuple, new: Concept) -> tuple:
    """Merge a later source's concept into a stored row: the first label and category win."""
    label, category, synonyms, xrefs, sources = old
    syn = [s for s in synonyms.split(SEP) if s]
    extra = [new.label, *new.synonyms]
    syn = list(dict.fromkeys(syn + [s for s in extra if s and s != label]))
    xr = list(dict.fromkeys([x for x in xrefs.split(SEP) if x] + list(new.xrefs)))
    src = list(dict.fromkeys([s for s in sources.split(SEP) if s] + list(new.sources)))
    return SEP.join(syn), SEP.join(xr), SEP.join(src)


def _write(con: sqlite3.Connection, concepts: Iterable[Concept], normalise, *, ner: bool = True,
           shared_names: bool = False, resolution_only: set[str] | None = None) -> tuple[int, int]:
    """Insert concepts and their term keys; returns (concepts seen, term keys added).

    Without ``ner`` the names become term keys only (looked up, never listed as synonyms, which the NER reads),
    and (unless ``shared_names``) only where no earlier source gives the name to another concept; a concept the
    source alone brings is marked by its sources, collected in ``resolution_only``."""
    n_concepts = n_terms = 0
    for concept in concepts:
        n_concepts += 1
        if not ner and resolution_only is not None:
            resolution_only.update(concept.sources)
        cur = con.execute(
            "INSERT INTO concept VALUES (?,?,?,?,?,?) ON CONFLICT (curie) DO NOTHING",
            (concept.curie, concept.label, concept.category, SEP.join(concept.synonyms) if ner else "",
             SEP.join(concept.xrefs), SEP.join(concept.sources)))
        if cur.rowcount == 0:
            old = con.execute("SELECT label, category, synonyms, xrefs, sources FROM concept WHERE curie=?",
                              (concept.curie,)).fetchone()
            if ner:
                con.execute("UPDATE concept SET synonyms=?, xrefs=?, sources=? WHERE curie=?",
                            (*_merge(old, concept), concept.curie))
            elif shared_names:  # the source vouches for the ID (a mouse gene a training pair also names)
                sources = SEP.join(dict.fromkeys([*old[4].split(SEP), *concept.sources]))
                con.execute("UPDATE concept SET sources=? WHERE curie=?", (sources.strip(SEP), concept.curie))
            # else the concept, its label and sources stay the earlier sources' (a label from training pairs only
            # is shown as the MeSH heading, kg.vocabulary.mesh.display_label); the source adds term keys below
        keys = {normalise(t) for t in (concept.label, *concept.synonyms) if t}
        keys.discard("")
        if not ner and not shared_names:  # a name an earlier source gives another concept keeps meaning it only
            label_key = normalise(concept.label)
            if label_key and _borrowed_only(con, label_key, concept.curie, normalise):
                # unless the concept is labelled by it and the others only borrowed it from a mapping partner
                # (gilda maps MeSH's isoaurostatin to ChEBI's daidzein; MeSH's own "daidzein" is C004742)
                con.execute("DELETE FROM term WHERE key=?", (label_key,))
            keys = {k for k in keys if not _claimed(con, k, concept.curie)}
        before = con.total_changes
        con.executemany("INSERT OR IGNORE INTO term VALUES (?,?)", ((k, concept.curie) for k in keys))
        n_terms += con.total_changes - before
    return n_concepts, n_terms


def _borrowed_only(con: sqlite3.Connection, key: str, curie: str, normalise) -> bool:
    """Whether every other concept with term ``key`` carries it as a synonym, none as its label, no training pair
    vouches for any of them, and all share ``curie``'s prefix (two IDs of one vocabulary for one name)."""
    rows = con.execute("SELECT c.curie, c.label, c.sources FROM term t JOIN concept c ON c.curie = t.curie "
                       "WHERE t.key=? AND c.curie<>?", (key, curie)).fetchall()
    prefix = curie.split(":", 1)[0]
    return bool(rows) and all(
        other.split(":", 1)[0] == prefix and normalise(label) != key
        and not any(source.endswith("-train") for source in sources.split(SEP))
        for other, label, sources in rows)


def _claimed(con: sqlite3.Connection, key: str, curie: str) -> bool:
    return con.execute("SELECT 1 FROM term WHERE key=? AND curie<>? LIMIT 1", (key, curie)).fetchone() is not None


def build_index(out_dir: Path | str | None = None, sources: Sequence[str] | None = None, *,
                progress: bool = False, force: bool = False, cache: Cache | None = None,
                settings: Settings | None = None) -> Manifest:
    """Build (or keep, when its inputs are unchanged) the broad vocabulary index in ``out_dir``.

    ``sources`` are names of :data:`kg.vocabulary.sources.SOURCES` (default: all). Downloads go
    through ``cache`` (default: one on ``settings.cache_dir``; ``settings`` default to the environment's);
    ``settings.offline`` makes a missing input an error instead of a download.
    """
    from kg.vocabulary.normalise import normalise
    from kg.vocabulary.sources import DEFAULT_SOURCES, SOURCES, get_source

    started = time.perf_counter()
    settings = settings or Settings.from_env()
    out = Path(out_dir) if out_dir else settings.vocab_dir
    if cache is None:
        cache = Cache(settings.cache_dir, offline=settings.offline)
    names = list(dict.fromkeys(sources or DEFAULT_SOURCES))
    chosen = [(name, get_source(name)) for name in names]
    if not sources:  # the default set leaves out a source whose optional library is missing, and says so
        missing = {name: source.extra for name, source in chosen if not source.installed()}
        for name, extra in missing.items():
            log.warning("vocabulary source %s skipped: it needs the %r extra (`pip install 'kg[%s]'`)",
                        name, extra, extra)
        chosen = [(name, source) for name, source in chosen if name not in missing]
        names = [name for name, _source in chosen]

    records: list[SourceRecord] = []
    inputs_by_source = {}
    for name, source in chosen:
        inputs = source.fetch(cache)
        inputs_by_source[name] = inputs
        records.append(SourceRecord(name, source.description, [
            {"package": i.package, "version": i.version, "registry": i.registry, "file": i.path.name,
             "sha256": sha256_file(i.path)} for i in inputs]))
    modules = [__name__, "kg.vocabulary.normalise", "kg.vocabulary.sources",
               *(SOURCES[name] for name in names)]
    fingerprint = _fingerprint(records, modules)

    previous = read_manifest(out)
    index_path = out / INDEX_FILE
    readers = [(name, source) for name, source in chosen if source.reader_names is not None]
    if (not force and previous is not None and previous.fingerprint == fingerprint
            and index_path.is_file() and index_path.stat().st_size == previous.index_bytes
            and sha256_file(index_path) == previous.index_sha256
            and (not readers or (out / READER_NAMES_FILE).is_file())):
        log.info("vocabulary index %s is up to date (fingerprint %s)", index_path, fingerprint[:12])
        return previous

    out.mkdir(parents=True, exist_ok=True)
    tmp_path = out / f".{INDEX_FILE}.tmp"
    tmp_path.unlink(missing_ok=True)
    con = sqlite3.connect(tmp_path)
    try:
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        stoplist: dict[str, list[str]] = {}
        resolution_only: set[str] = set()
        for (name, source), record in zip(chosen, records):
            t0 = time.perf_counter()
            concepts = source.parse(inputs_by_source[name])
            if progress:
                from tqdm import tqdm

                concepts = tqdm(concepts, desc=f"vocab {name}", unit=" concepts", leave=False)
            with con:
                record.concepts, record.terms = _write(con, concepts, normalise, ner=source.ner,
                                                       shared_names=source.shared_names,
                                                       resolution_only=resolution_only)
            if source.stoplist is not None and inputs_by_source[name]:
                stoplist[name] = sorted(set(source.stoplist(inputs_by_source[name])))
            record.seconds = round(time.perf_counter() - t0, 2)
            log.info("vocab source %s: %d concepts, %d new term keys in %.1f s",
                     name, record.concepts, record.terms, record.seconds)
        with con:
            con.executemany("INSERT INTO meta VALUES (?,?)", [
                ("format_version", str(FORMAT_VERSION)), ("fingerprint", fingerprint),
                ("stoplist", json.dumps(stoplist, ensure_ascii=False)),
                ("resolution_only", json.dumps(sorted(resolution_only)))])
        n_concepts = con.execute("SELECT count(*) FROM concept").fetchone()[0]
        n_terms = con.execute("SELECT count(*) FROM term").fetchone()[0]
        con.execute("VACUUM")
    except sqlite3.Error as exc:
        raise VocabularyError(f"writing the vocabulary index {tmp_path} failed ({exc}); check free disk "
                              "space and run `kg vocab build --force`") from exc
    finally:
        con.close()

    manifest = Manifest(
        format_version=FORMAT_VERSION, fingerprint=fingerprint, index=INDEX_FILE,
        index_sha256=sha256_file(tmp_path), index_bytes=tmp_path.stat().st_size,
        concepts=n_concepts, terms=n_terms, built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        build_seconds=round(time.perf_counter() - started, 2), sources=records, rebuilt=True)
    reader_names: dict[str, tuple[str, ...]] = {}
    for name, source in readers:
        assert source.reader_names is not None
        for curie, forms in source.reader_names(inputs_by_source[name]).items():
            reader_names[curie] = tuple(dict.fromkeys((*reader_names.get(curie, ()), *forms)))
    if readers:
        atomic_write_text(out / READER_NAMES_FILE, json.dumps(reader_names, ensure_ascii=False, sort_keys=True))
    else:
        (out / READER_NAMES_FILE).unlink(missing_ok=True)
    # The old manifest goes first: a crash before the new one is written must not leave an index with
    # another index's sha256 (readers such as the broad NER trie cache are keyed on it).
    (out / MANIFEST_FILE).unlink(missing_ok=True)
    os.replace(tmp_path, index_path)
    atomic_write_text(out / MANIFEST_FILE, manifest.to_json())
    log.info("vocabulary index %s: %d concepts, %d terms, %.1f MB in %.1f s", index_path, n_concepts,
             n_terms, manifest.index_bytes / 1e6, manifest.build_seconds)
    return manifest
