"""Issue #14: a build in batches, in worker processes, on Dask or as an --update writes the same bytes as a plain
build (real BC5CDR abstracts; the vocabulary index from `make vocab`)."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import Scale, build

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"
OUTPUT_FILES = ("graph.nq", "unresolved.tsv", "validation.txt", "manifest.json")

pytestmark = pytest.mark.skipif(not DEV.exists(), reason="BC5CDR development split not in ../shared/eval")


def _abstracts(count: int, skip: int = 0) -> list[str]:
    """The first ``count`` PubTator records (after ``skip``) of the BC5CDR development split, as written."""
    records = DEV.read_text(encoding="utf-8").strip().split("\n\n")
    return [r + "\n" for r in records[skip:skip + count]]


def _write(path: Path, records: list[str]) -> Path:
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return path


def _same_output(a: Path, b: Path) -> None:
    for name in OUTPUT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between {a} and {b}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    """Ten abstracts, and their plain build (one batch, this process)."""
    tmp = tmp_path_factory.mktemp("scale")
    source = _write(tmp / "ten.pubtator", _abstracts(10))
    plain = tmp / "plain"
    summary = build([source], plain)
    assert summary.documents == 10 and summary.triples > 5000 and summary.conforms
    return source, plain


def test_batches_and_workers_write_the_same_bytes(corpus, tmp_path):
    source, plain = corpus
    build([source], tmp_path / "batched", scale=Scale(batch_size=3))
    _same_output(plain, tmp_path / "batched")
    summary = build([source], tmp_path / "workers", scale=Scale(workers=2, batch_size=3))
    _same_output(plain, tmp_path / "workers")
    assert summary.stage_seconds["ner"] > 0  # the workers' stage times come back with their shards


def test_dask_local_cluster_writes_the_same_bytes(corpus, tmp_path):
    pytest.importorskip("distributed")
    source, plain = corpus
    build([source], tmp_path / "dask", scale=Scale(engine="dask", workers=2, batch_size=4))
    _same_output(plain, tmp_path / "dask")


def test_update_reads_only_new_and_changed_documents(corpus, tmp_path):
    source, plain = corpus
    records = _abstracts(10)
    first, rest = records[:6], records[6:]
    out = tmp_path / "out"
    build([_write(tmp_path / "first.pubtator", first)], out)
    # the last of the first six comes back with its title changed; the other four are new
    pmid, _, title = records[5].split("\n", 1)[0].partition("|t|")
    changed = records[5].replace(f"{pmid}|t|{title}", f"{pmid}|t|{title} Revisited", 1)
    new = _write(tmp_path / "new.pubtator", [changed, *rest])
    summary = build([new], out, scale=Scale(update=True))
    assert summary.documents == 10 and summary.documents_read == 5
    full = tmp_path / "full"  # the same files, built in full (the graph names each document's file)
    full.mkdir()
    _write(full / "first.pubtator", first[:5])
    _write(full / "new.pubtator", [changed, *rest])
    build([full], tmp_path / "full_out")
    _same_output(tmp_path / "full_out", out)
    assert "Revisited" in (out / "graph.nq").read_text(encoding="utf-8")
    # the same file again: nothing is read, and the graph stays the same
    again = build([new], out, scale=Scale(update=True))
    assert again.documents_read == 0
    _same_output(tmp_path / "full_out", out)


def test_update_refuses_shards_of_another_kg_or_vocabulary(corpus, tmp_path):
    source, plain = corpus
    out = tmp_path / "out"
    build([_write(tmp_path / "two.pubtator", _abstracts(2))], out)
    with sqlite3.connect(out / "shards.sqlite") as db:
        db.execute("UPDATE shards SET fingerprint = 'another'")
    before = (out / "graph.nq").read_bytes()
    done = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(source), "-o", str(out), "--update"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "rebuild it in full" in done.stderr
    assert (out / "graph.nq").read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
    (["--engine", "spark"], "spark"),
])
def test_bad_scale_options_get_one_line(corpus, tmp_path, args, message):
    source, _ = corpus
    done = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(source), "-o", str(tmp_path / "o"), *args],
                          capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_manifest_counts_match_the_store(corpus):
    """The manifest's counts come from the N-Quads lines as they are written; the store must agree."""
    import json

    from kg.graph.prefixes import namespace
    from kg.graph.store import open_store

    _, plain = corpus
    counts = json.loads((plain / "manifest.json").read_text(encoding="utf-8"))
    store = open_store(plain)

    def count(sparql: str) -> int:
        return int(next(iter(store.query(sparql)))[0].value)

    graph_ns = namespace("graph")
    assert counts["quads"] == count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert counts["graphs"] == count("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 12
    assert counts["documents"] == 10 == count(
        f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?g), "{graph_ns}doc/")) }}')
    assert counts["entities"] == count(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{namespace('kg')}category> ?c }} }}") > 10
    assert counts["annotations"] == count(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{namespace('oa')}Annotation> }} }}") > 50
