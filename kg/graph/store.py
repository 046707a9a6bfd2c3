"""The on-disk output directory: sorted N-Quads, an embedded Oxigraph store and a manifest.

OUT is written atomically: everything is built in a sibling temp directory and swapped in at the end,
so a failed build leaves the previous OUT untouched and readers never see a half-written one.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from kg.errors import GraphError
from kg.graph.prefixes import namespace

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

    from kg.graph.quads import QuadSet

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
    extra_files: Mapping[str, bytes | str] | None = None, *, check: Callable[[str], str] | None = None,
) -> Path:
    """Write ``graph.nq``, ``store/``, ``manifest.json`` and ``extra_files`` (name → content) to OUT atomically.

    ``check`` runs on the serialised N-Quads before OUT is replaced; the text it returns is written as
    ``validation.txt`` (kg.build passes SHACL validation here, so the graph is serialised once).
    """
    out = Path(out_dir)
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        text = nquads(dataset)
        (tmp / NQUADS).write_text(text, encoding="utf-8")
        store = _load_oxigraph(tmp / NQUADS, tmp / STORE_DIR)
        files = dict(extra_files or {})
        if check is not None:
            files["validation.txt"] = check(text)
        del text
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
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("wrote %s", out)
    return out


def _check_replaceable(out: Path) -> None:
    """Refuse to replace a directory kg did not write (it would be deleted by the swap)."""
    if out.exists() and not out.is_dir():
        raise GraphError(f"{out} exists and is not a directory; choose another output path with -o")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise GraphError(f"{out} is a non-empty directory that kg did not write; choose an empty or new -o path")


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


def _swap(tmp: Path, out: Path) -> None:
    """Move the finished temp dir to OUT; the old OUT is only removed once the new one is in place."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    try:
        os.replace(tmp, out)
    except OSError:
        if old.exists():
            os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


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
