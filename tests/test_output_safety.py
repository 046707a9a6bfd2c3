"""Replacing OUT is crash-safe and locked: builds killed at every point of the write leave the old graph or the
new one (never none, never half), the next build reclaims what they left, a second writer is refused at once,
a graph failing SHACL keeps the old OUT unless --force, and OUT is checked before any stage runs."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.errors import GraphError, KGError, NonConformingGraphError
from kg.graph import ValidationReport, write_graph
from kg.graph.replace import OutputLock

ROOT = Path(__file__).resolve().parents[1]

# A child process writes a one-triple graph holding VERSION into OUT and SIGKILLs itself at POINT; in the
# ``two-renames`` mode the atomic exchange is unavailable, as on filesystems without renameat2.
WRITER = textwrap.dedent("""
    import errno, os, signal, sys
    import rdflib
    from kg.graph import replace, write_graph

    out, version, point, mode = sys.argv[1:5]

    def reached(name):
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    def no_exchange(a, b):
        raise OSError(errno.ENOSYS, "no exchange in this test")

    replace.reached = reached
    if mode == "two-renames":
        replace._exchange = no_exchange
    dataset = rdflib.Dataset()
    dataset.graph(rdflib.URIRef("https://example.org/g")).add(
        (rdflib.URIRef("https://example.org/s"), rdflib.URIRef("https://example.org/version"), rdflib.Literal(version)))
    write_graph(dataset, out)
""")

POINTS = ["tmp", "nquads", "store", "ready", "exchanged", "moved", "replaced"]


def _write(out: Path, version: str, point: str = "", mode: str = "exchange") -> int:
    done = subprocess.run([sys.executable, "-c", WRITER, str(out), version, point, mode], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, -signal.SIGKILL), done.stderr
    return done.returncode


def _version(out: Path) -> str:
    """The version OUT holds, after checking it is a whole graph: manifest, N-Quads and a store that agree."""
    import pyoxigraph

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["quads"] == 1
    nquads = (out / "graph.nq").read_text(encoding="utf-8")
    store = pyoxigraph.Store.read_only(str(out / "store"))
    rows = list(store.query("SELECT ?v WHERE { GRAPH ?g { ?s <https://example.org/version> ?v } }"))
    assert len(rows) == 1
    version = rows[0]["v"].value
    assert f'"{version}"' in nquads
    return version


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _has_exchange(where: Path) -> bool:
    from kg.graph.replace import _NO_EXCHANGE, _exchange

    (where / "a").mkdir()
    (where / "b").mkdir()
    try:
        _exchange(where / "a", where / "b")
    except OSError as exc:
        if exc.errno in _NO_EXCHANGE:
            return False
        raise
    return True


@pytest.mark.parametrize("mode", ["exchange", "two-renames"])
def test_a_write_killed_at_any_point_leaves_the_old_graph_or_the_new(tmp_path, mode):
    if mode == "exchange" and not _has_exchange(tmp_path):
        pytest.skip("this filesystem has no atomic exchange (renameat2); the two-renames case covers it")
    out = tmp_path / "out"
    assert _write(out, "old") == 0
    killed = []
    for point in POINTS:
        was_killed = _write(out, "new", point, mode) == -signal.SIGKILL
        if was_killed:
            killed.append(point)
        # Right after the kill OUT may be missing only in the fallback's gap between its two renames ...
        if not out.exists():
            assert (mode, point) == ("two-renames", "moved")
        # ... and the next writer, once it holds the lock, puts the old graph back and clears the rest.
        with OutputLock(out):
            pass
        assert _leftovers(out) == []
        before_the_switch = was_killed and point in ("tmp", "nquads", "store", "ready", "moved")
        assert _version(out) == ("old" if before_the_switch else "new"), point
        assert _write(out, "old") == 0 and _version(out) == "old"
    expected = {"exchange": ["tmp", "nquads", "store", "ready", "exchanged"],
                "two-renames": ["tmp", "nquads", "store", "ready", "moved", "replaced"]}[mode]
    assert killed == expected, "every point of the write was reached and killed there"


def test_a_first_write_killed_leaves_no_out_and_no_leftovers(tmp_path):
    out = tmp_path / "out"
    assert _write(out, "new", "store") == -signal.SIGKILL
    assert not out.exists() and _leftovers(out)
    assert _write(out, "new") == 0
    assert _version(out) == "new" and _leftovers(out) == []


def test_a_second_writer_is_refused_while_the_first_holds_out(tmp_path):
    from kg.build import build

    out = tmp_path / "out"
    review = tmp_path / "review.txt"
    review.write_text("Ketamine is an NMDA receptor antagonist.\n", encoding="utf-8")
    with OutputLock(out) as lock:
        assert lock.path.exists() and lock.path.read_text().strip() == str(os.getpid())
        with pytest.raises(GraphError, match=rf"being written by another kg build \(PID {os.getpid()}\)"):
            build([review], out)
        done = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(review), "-o", str(out)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "being written by another kg build" in done.stderr
    assert not out.exists() and _leftovers(out) == [], "the refused build wrote nothing; the lock file is gone"


def _report(conforms: bool) -> ValidationReport:
    return ValidationReport(conforms=conforms, violations=0 if conforms else 1,
                            text="" if conforms else "g\tex:s\tex:p\ta publication has one title")


def test_a_graph_failing_shacl_keeps_the_old_out_unless_forced(tmp_path):
    import rdflib

    out = tmp_path / "out"
    assert _write(out, "old") == 0
    new = rdflib.Dataset()
    new.graph(rdflib.URIRef("https://example.org/g")).add(
        (rdflib.URIRef("https://example.org/s"), rdflib.URIRef("https://example.org/version"), rdflib.Literal("new")))
    with pytest.raises(NonConformingGraphError, match="was left as it was. Pass --force"):
        write_graph(new, out, check=lambda text: _report(False))
    assert _version(out) == "old" and _leftovers(out) == []
    beside = tmp_path / "out.validation.tsv"
    assert "a publication has one title" in beside.read_text(encoding="utf-8")
    write_graph(new, out, check=lambda text: _report(False), force=True)
    assert _version(out) == "new"
    assert "a publication has one title" in (out / "validation.txt").read_text(encoding="utf-8")
    assert not beside.exists(), "once OUT is replaced the rejected build's report no longer describes it"


def test_build_refuses_a_bad_out_before_the_pipeline_runs(tmp_path, monkeypatch):
    import kg.ingest
    from kg.build import build

    def no_pipeline(*args, **kwargs):
        raise AssertionError("OUT must be checked before the pipeline runs")

    monkeypatch.setattr(kg.ingest, "read_paths", no_pipeline)
    reviews = tmp_path / "reviews"
    reviews.mkdir()
    (reviews / "a.txt").write_text("Ketamine.\n", encoding="utf-8")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n", encoding="utf-8")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("mine\n", encoding="utf-8")
    for out, message in [(reviews / "out", "is inside the output"), (reviews, "is inside the output"),
                         (a_file, "is not a directory"), (foreign, "kg did not write")]:
        inputs = [reviews / "out" / "x.txt"] if out == reviews / "out" else [reviews]
        with pytest.raises(KGError, match=message):
            build(inputs, out)
    assert a_file.read_text() == "mine\n" and (foreign / "thesis.docx").exists()


# ``kg build`` in a child whose SHACL check reports one violation, as a data rule broken by a review would.
FAILING_BUILD = textwrap.dedent("""
    import sys
    import kg.graph.validate
    from kg.cli import main
    from kg.graph import ValidationReport

    # the module (kg.graph.validate is also the name of kg.graph's validate function)
    sys.modules["kg.graph.validate"].validate_nquads = lambda text: ValidationReport(
        False, 1, "g\\tex:s\\tex:p\\ta publication has one title")
    sys.argv = ["kg", "build", *sys.argv[1:]]
    main()
""")


def test_kg_build_keeps_out_when_shacl_fails_and_force_replaces_it(tmp_path):
    review = tmp_path / "review.txt"
    review.write_text("Ketamine is an NMDA receptor antagonist used in depression.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _write(out, "old") == 0

    def build(*flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", FAILING_BUILD, str(review), "-o", str(out), *flags], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)

    kept = build()
    assert kept.returncode == 2 and len(kept.stderr.strip().splitlines()) == 1, kept.stderr
    assert "does not conform" in kept.stderr and "--force" in kept.stderr
    assert _version(out) == "old" and (tmp_path / "out.validation.tsv").exists()
    forced = build("--force")
    assert forced.returncode == 1, forced.stderr
    assert "1 violations" in forced.stderr and json.loads((out / "manifest.json").read_text())["documents"] == 1
