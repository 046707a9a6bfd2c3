"""The on-disk output directory: sorted N-Quads, an embedded Oxigraph store and a manifest.

OUT is written atomically: everything is built in a sibling temp directory and swapped in at the end, under a
lock, so a failed or killed build leaves the previous OUT untouched and readers never see a half-written one
(kg/graph/replace.py says how).
"""
from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import kg.graph.replace as replace
from kg.errors import GraphError, NonConformingGraphError
from kg.graph.prefixes import namespace
from kg.graph.replace import OutputLock

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

    from kg.graph.quads import QuadSet
    from kg.graph.validate import ValidationReport

log = logging.getLogger(__name__)

FORMAT = "kg-graph"
FORMAT_VERSION = 1
NQUADS = "graph.nq"
STORE_DIR = "store"
MANIFEST = "manifest.json"
LOAD_CHUNK = 100_000  # N-Quads lines per Oxigraph bulk load (see load_oxigraph)


def nquads(dataset: rdflib.Dataset | QuadSet) -> str:
    """The dataset as N-Quads with lines sorted and de-duplicated: same graph ⇒ same bytes."""
    if hasattr(dataset, "nquads"):
        return dataset.nquads()
    text = dataset.serialize(format="nquads")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + ("\n" if lines else "")


def manifest(counts: Mapping[str, int], files: list[str]) -> dict[str, Any]:
    """What describes a build: the counts of :class:`LineCounts` and OUT's files (no timestamps, so the manifest is
    reproducible)."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION, **counts, "files": sorted(files)}


class LineCounts:
    """The manifest's counts, taken from the sorted, distinct N-Quads lines as they are written (querying the store
    for them took longer than writing the lines): quads, named graphs, document graphs, subjects with a
    ``kg:category`` (entities) and subjects typed ``oa:Annotation``."""

    def __init__(self) -> None:
        self.quads = 0
        self._graphs: set[str] = set()
        self._entities: set[str] = set()
        self._annotations: set[str] = set()
        self._category = f" <{namespace('kg')}category> "
        self._annotation = f" <{RDF_TYPE}> <{namespace('oa')}Annotation> "
        self._documents = f"<{namespace('graph')}doc/"

    def add(self, line: str) -> None:
        self.quads += 1
        self._graphs.add(line[line.rindex("<"):])  # the graph IRI is the line's last term, and no IRI holds "<"
        cut = line.index(" ")
        if line.startswith(self._category, cut):
            self._entities.add(line[:cut])
        elif line.startswith(self._annotation, cut):
            self._annotations.add(line[:cut])

    def counts(self) -> dict[str, int]:
        return {"quads": self.quads, "graphs": len(self._graphs),
                "documents": sum(g.startswith(self._documents) for g in self._graphs),
                "entities": len(self._entities), "annotations": len(self._annotations)}


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def write_graph(
    dataset: rdflib.Dataset | QuadSet, out_dir: str | os.PathLike[str],
    extra_files: Mapping[str, bytes | str] | None = None, *,
    check: Callable[[str], ValidationReport] | None = None, force: bool = False, lock: OutputLock | None = None,
) -> Path:
    """Write ``graph.nq``, ``store/``, ``manifest.json`` and ``extra_files`` (name → content) to OUT atomically.

    ``check`` runs on the serialised N-Quads before OUT is replaced and its report is written as ``validation.txt``.
    A graph that does not conform leaves OUT as it was, the report beside it
    (:func:`~kg.graph.replace.rejected_report`), unless ``force``. ``lock`` is OUT's lock when the caller already
    holds it; otherwise it is taken here.
    """
    out = Path(out_dir)
    if lock is None:
        with OutputLock(out) as own:
            return write_graph(dataset, out, extra_files, check=check, force=force, lock=own)
    with GraphOutput(out, lock) as output:
        text = nquads(dataset)
        output.add_run([line + "\n" for line in text.split("\n")[:-1]], is_sorted=True)
        report = check(text) if check is not None else None
        del text
        for name, content in (extra_files or {}).items():
            output.add_file(name, content)
        output.commit(report, force=force)
    return out


class GraphOutput:
    """OUT while it is written: a temp sibling directory that replaces OUT in one swap when :meth:`commit` succeeds,
    and is removed if anything fails first.

    N-Quads arrive as sorted runs (:meth:`add_run`, each written to its own file), so a build of any size holds one
    run in memory. Each run is bulk-loaded into the store on a second thread as soon as it is written (Oxigraph
    lets go of the GIL while it loads, so the store fills while the next documents are read; a quad in two runs is
    stored once). :meth:`commit` merges the runs into one sorted, de-duplicated ``graph.nq``, waits for the store
    and writes the manifest.
    """

    def __init__(self, out: Path, lock: OutputLock) -> None:
        if not lock.held or lock.out != out:
            raise GraphError(f"a graph output was given the lock of {lock.out}, not a held lock of {out}")
        self.out, self.tmp = out, replace.tmp_dir(out)
        self._runs: list[Path] = []
        self._files: dict[str, bytes | str] = {}
        self._store: pyoxigraph.Store | None = None
        self._loader: ThreadPoolExecutor | None = None
        self._loads: list[Future] = []
        self.quads = 0

    def __enter__(self) -> GraphOutput:
        self.tmp.mkdir()
        replace.reached("tmp")
        return self

    def __exit__(self, kind, value, tb) -> None:
        if self._loader is not None:  # a failed build stops loading before its directory goes
            self._loader.shutdown(wait=True, cancel_futures=True)
        if kind is not None:
            self._store = None
            shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name: str) -> Path:
        """A file of the new OUT that a caller writes itself (e.g. the shard store)."""
        return _inside(self.tmp, name)

    def add_run(self, lines: list[str], *, is_sorted: bool = False) -> None:
        """One run of N-Quads lines (each ending in a newline); sorted here unless ``is_sorted``."""
        if not lines:
            return
        runs = self.tmp / ".runs"
        runs.mkdir(exist_ok=True)
        path = runs / f"{len(self._runs):06d}.nq"
        with path.open("w", encoding="utf-8") as f:
            f.writelines(lines if is_sorted else sorted(lines))
        self._runs.append(path)
        store, loader = self._store, self._loader
        if store is None or loader is None:
            import pyoxigraph

            store = self._store = pyoxigraph.Store(str(self.tmp / STORE_DIR))
            loader = self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-store")
        self._loads.append(loader.submit(load_nquads, store, path))

    def add_file(self, name: str, content: bytes | str) -> None:
        self._files[name] = content

    def commit(self, report: ValidationReport | None, *, force: bool = False) -> None:
        """Merge the runs into ``graph.nq``, refuse a non-conforming graph unless ``force``, load the store, write
        the files and the manifest, and swap the new OUT in."""
        import heapq

        tmp = self.tmp
        files = dict(self._files)
        counts = LineCounts()
        with (tmp / NQUADS).open("w", encoding="utf-8") as f:
            handles = [run.open(encoding="utf-8") for run in self._runs]
            try:
                previous = None
                for line in heapq.merge(*handles):
                    if line != previous:
                        f.write(line)
                        counts.add(line)
                        previous = line
            finally:
                for handle in handles:
                    handle.close()
        store = self._loaded_store()  # its loads read the runs
        shutil.rmtree(tmp / ".runs", ignore_errors=True)
        replace.reached("nquads")
        if report is not None:
            files["validation.txt"] = report.text
            if not report.conforms and not force:
                raise _rejected(self.out, report)
            replace.reached("checked")
        replace.reached("store")
        names = [NQUADS, STORE_DIR + "/"]
        for name, content in sorted(files.items()):
            path = _inside(tmp, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        names += sorted(set(files) | {p.name for p in tmp.iterdir() if p.is_file() and p.name != NQUADS})
        names.append(MANIFEST)
        (tmp / MANIFEST).write_text(json.dumps(manifest(counts.counts(), sorted(set(names))), indent=2) + "\n",
                                    encoding="utf-8")
        self.quads = counts.quads
        store.flush()
        del store  # releases the RocksDB lock before the directory is moved
        self._store = None
        replace.reached("ready")
        replace.swap(tmp, self.out)
        replace.rejected_report(self.out).unlink(missing_ok=True)  # a failed build's report no longer describes OUT
        log.info("wrote %s", self.out)

    def _loaded_store(self) -> pyoxigraph.Store:
        """The store once every run is in it (a load's error is raised here); an empty store for an empty graph."""
        import pyoxigraph

        for load in self._loads:
            load.result()
        if self._loader is not None:
            self._loader.shutdown()
        if self._store is None:
            self._store = pyoxigraph.Store(str(self.tmp / STORE_DIR))
        return self._store


def _rejected(out: Path, report: ValidationReport) -> NonConformingGraphError:
    """Write the report beside the kept OUT; the error says where it is and how to replace OUT anyway."""
    from kg.atomic import atomic_write_text

    path = replace.rejected_report(out)
    atomic_write_text(path, report.text + "\n")
    kept = f"{out} was left as it was" if os.path.lexists(out) else f"{out} was not written"
    return NonConformingGraphError(
        f"the new graph does not conform to the SHACL shapes ({report.violations} violations, listed in {path}); "
        f"{kept}. Pass --force to write it anyway")


def _inside(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    first = Path(name).parts[0] if Path(name).parts else ""
    if first in (NQUADS, MANIFEST, STORE_DIR) or root.resolve() not in path.parents:
        raise GraphError(f"extra file name {name!r} is reserved or escapes the output directory; rename it")
    return path


def load_oxigraph(nq: Path, store_dir: Path) -> pyoxigraph.Store:
    """A new Oxigraph store at ``store_dir`` holding the N-Quads file ``nq`` (:func:`load_nquads`)."""
    import pyoxigraph

    store = pyoxigraph.Store(str(store_dir))
    load_nquads(store, nq)
    return store


def load_nquads(store: pyoxigraph.Store, nq: Path) -> None:
    """Bulk-load the N-Quads file ``nq`` into ``store``, :data:`LOAD_CHUNK` lines at a time. Oxigraph's bulk loader
    buffers what one call is given (up to about 2 GB per thread), so one call on a whole file grows with the corpus:
    on 967k quads it peaked at 898 MB in 7.9 s, chunks of 100k at 188 MB in 4.6 s, and five times the quads stayed
    under 210 MB. Chunks are whole lines; kg writes no blank nodes (the NoBlankNodeShape), whose labels would not
    carry from one chunk to the next."""
    import itertools

    import pyoxigraph

    with nq.open("rb") as f:
        while chunk := b"".join(itertools.islice(f, LOAD_CHUNK)):
            store.bulk_load(input=chunk, format=pyoxigraph.RdfFormat.N_QUADS)


def is_output_dir(out_dir: str | os.PathLike[str]) -> bool:
    out = Path(out_dir)
    return (out / MANIFEST).is_file() and (out / STORE_DIR).is_dir()


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    out = Path(out_dir)
    if not is_output_dir(out):
        raise GraphError(f"{out} is not a kg output directory; run `kg build ... -o {out}` first")
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError both are
        raise GraphError(f"{out / MANIFEST} is corrupt ({exc}); rebuild it with `kg build ... -o {out}`") from exc
    if not isinstance(data, dict):
        raise GraphError(f"{out / MANIFEST} is not a JSON object; rebuild it with `kg build ... -o {out}`")
    return data


def open_store(out_dir: str | os.PathLike[str]) -> pyoxigraph.Store:
    """Open OUT's Oxigraph store read-only (several readers may share it)."""
    import pyoxigraph

    out = Path(out_dir)
    manifest_data = read_manifest(out)
    if manifest_data.get("format") != FORMAT or manifest_data.get("format_version") != FORMAT_VERSION:
        raise GraphError(f"{out} was written by an incompatible kg version; rebuild it with `kg build ... -o {out}`")
    try:
        return pyoxigraph.Store.read_only(str(out / STORE_DIR))
    except OSError as exc:
        raise GraphError(f"cannot open the store in {out} ({exc}); rebuild it with `kg build ... -o {out}`") from exc


def query_endpoint(url: str, sparql: str, *, timeout: float = 60.0) -> dict[str, Any]:
    """POST ``sparql`` to a SPARQL 1.1 Protocol endpoint and return its JSON results (the only network call here)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url,
        data=sparql.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
        raise GraphError(f"SPARQL endpoint {url} did not answer with JSON results ({exc}); check the URL") from exc
