"""The `kg` command as a user runs it: a build of the sample review, its tables, and bad input."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "corpus" / "esketamine_review.txt"
needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/corpus is not present")


def kg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "out"
    done = kg("build", SAMPLE, "-o", out)
    assert done.returncode == 0, done.stderr
    for field in ("documents", "mentions", "entities", "unresolved", "triples", "seconds"):
        assert field in done.stdout
    return out


@needs_sample
def test_entities_tsv_contract(built):
    done = kg("entities", built, "--format", "tsv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "id\tlabel\tcategory\txrefs\tmentions"
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(r) == 5 and ":" in r[0] and r[4].isdigit() for r in rows)
    by_label = {r[1].lower(): r for r in rows}
    assert "ketamine" in by_label and "CHEBI:6121" in by_label["ketamine"][3].split("|")


@needs_sample
def test_named_query_and_stats(built, tmp_path):
    done = kg("query", built, "study_table", "--format", "tsv")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 11  # header + the review's ten evidence-table rows
    plot = tmp_path / "stats.png"
    done = kg("stats", built, "--plot", plot)
    assert done.returncode == 0, done.stderr
    assert plot.stat().st_size > 1000


def _assert_one_line_error(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("kg: ")


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary\x00", "café".encode("latin-1") + b" text"])
def test_bad_input_is_one_line_and_keeps_existing_output(tmp_path, content):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")  # stands in for a previous build's output
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    _assert_one_line_error(kg("build", bad, "-o", out))
    assert (out / "manifest.json").read_text() == "{}"


def test_missing_path_and_empty_folder(tmp_path):
    _assert_one_line_error(kg("build", tmp_path / "absent.txt", "-o", tmp_path / "out"))
    (tmp_path / "empty").mkdir()
    _assert_one_line_error(kg("build", tmp_path / "empty", "-o", tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_unknown_query_and_missing_output(tmp_path):
    _assert_one_line_error(kg("entities", tmp_path))
    _assert_one_line_error(kg("query", tmp_path, "no_such_query"))


# Made-up drug names the hybrid pipeline's trained NER tags but no vocabulary names, so they stay unresolved.
UNRESOLVED_REVIEW = ROOT / "tests" / "fixtures" / "cli" / "unresolved_review.txt"


def test_unresolved_tsv_gives_the_reason_of_each_mention(tmp_path):
    out = tmp_path / "out"
    done = kg("build", UNRESOLVED_REVIEW, "-o", out, "--pipeline", "hybrid")
    assert done.returncode == 0, done.stderr
    lines = (out / "unresolved.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "doc_id\tstart\tend\ttext\tcategory\treason\tkind"
    rows = [line.split("\t") for line in lines[1:]]
    assert rows, "the fixture should leave at least one mention unresolved"
    assert all(len(r) == 7 and r[5].strip() and r[6] for r in rows), rows


def test_strict_build_fails_in_one_line_and_keeps_existing_output(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")  # stands in for a previous build's output
    done = kg("build", UNRESOLVED_REVIEW, "-o", out, "--pipeline", "hybrid", "--strict")
    _assert_one_line_error(done)
    assert "unresolved" in done.stderr and "unresolved.tsv" in done.stderr and "--strict" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    assert (out / "manifest.json").read_text() == "{}"


@pytest.mark.parametrize("args, registry", [
    (("export", ".", "--format", "svgz", "-o", "x"), "kg.export:WRITERS"),
    (("entities", ".", "--category", "mineral"), "kg.categories:CATEGORIES"),
    (("annotate", ".", "--corpus", "no_such_corpus"), "kg.evaluation.corpus_types:PROFILES"),
])
def test_invalid_choice_lists_the_registry(tmp_path, args, registry):
    """The CLI's choices are the registry's names, so the error lists every one of them."""
    import importlib

    module, name = registry.split(":")
    valid = [str(key) for key in getattr(importlib.import_module(module), name)]
    done = kg(*args, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert valid and all(repr(key) in done.stderr for key in valid), done.stderr
