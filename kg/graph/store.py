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
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

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


def nquads(dataset: rdflib.Dataset | QuadSet) -> str:
    """The dataset as N-Quads with lines sorted and de-duplicated: same graph ⇒ same bytes."""
    if hasattr(dataset, "nquads"):
        return dataset.nquads()
    text = dataset.serialize(format="nquads")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + ("\n" if lines else "")


def manifest(store: pyoxigraph.Store, files: list[str]) -> dict[str, Any]:
    """Counts that describe a build, read from its store (no timestamps, so the manifest is reproducible)."""
    oa, kg, graph_ns = namespace("oa"), namespace("kg"), namespace("graph")

    def count(sparql: str) -> int:
        solutions = cast("pyoxigraph.QuerySolutions", store.query(sparql))
        return int(next(iter(solutions))[0].value)

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "quads": count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "graphs": count("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "documents": count(f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                           f'FILTER(STRSTARTS(STR(?g), "{graph_ns}doc/")) }}'),
        "entities": count(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{kg}category> ?c }} }}"),
        "annotations": count(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{oa}Annotation> }} }}"),
        "files": sorted(files),
    }


def write_graph(
    dataset: rdflib.Dataset | QuadSet, out_dir: str | os.PathLike[str],
    extra_files: Mapping[str, bytes | str] | None = None, *,
    check: Callable[[str], ValidationReport] | None = None, force: bool = False, lock: OutputLock | None = None,
) -> Path:
    """Write ``graph.nq``, ``store/``, ``manifest.json`` and ``extra_files`` (name → content) to OUT atomically.

    ``check`` runs on the serialised N-Quads before OUT is replaced and its report is written as ``validation.txt``
    (kg.build passes SHACL validation here, so the graph is serialised once). A graph that does not conform leaves
    OUT as it was, the report beside it (:func:`~kg.graph.replace.rejected_report`), unless ``force``. ``lock`` is
    OUT's lock when the caller already holds it (a build holds it from its first stage); otherwise it is taken here.
    """
    out = Path(out_dir)
    if lock is None:
        with OutputLock(out) as own:
            return write_graph(dataset, out, extra_files, check=check, force=force, lock=own)
    if not lock.held or lock.out != out:
        raise GraphError(f"write_graph was given the lock of {lock.out}, not a held lock of {out}")
    tmp = replace.tmp_dir(out)
    try:
        tmp.mkdir()
        replace.reached("tmp")
        text = nquads(dataset)
        (tmp / NQUADS).write_text(text, encoding="utf-8")
        replace.reached("nquads")
        files = dict(extra_files or {})
        if check is not None:
            report = check(text)
            files["validation.txt"] = report.text
            if not report.conforms and not force:
                raise _rejected(out, report)
            replace.reached("checked")
        del text
        store = _load_oxigraph(tmp / NQUADS, tmp / STORE_DIR)
        replace.reached("store")
        names = [NQUADS, STORE_DIR + "/"]
        for name, content in sorted(files.items()):
            path = _inside(tmp, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
            names.append(name)
        names.append(MANIFEST)
        (tmp / MANIFEST).write_text(json.dumps(manifest(store, names), indent=2) + "\n", encoding="utf-8")
        store.flush()
        del store  # releases the RocksDB lock before the directory is moved
        replace.reached("ready")
        replace.swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    replace.rejected_report(out).unlink(missing_ok=True)  # a failed build's report no longer describes OUT
    log.info("wrote %s", out)
    return out


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


def _load_oxigraph(nq: Path, store_dir: Path) -> pyoxigraph.Store:
    import pyoxigraph

    store = pyoxigraph.Store(str(store_dir))
    store.bulk_load(path=str(nq), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


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
