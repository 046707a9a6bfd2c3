"""Bad input as a user meets it: one line on stderr and exit 2, or, where the input is usable but partly malformed,
a build (exit 0) and one warning that names how much was skipped. No traceback, whatever the input.

Each case is one the issue's probe found: PubTator offsets such as ``²`` (``isdigit()`` true, ``int()`` fails),
PMIDs that made invalid IRIs, folders 1,000 levels deep, unreadable subfolders, a paragraph over spaCy's
1,000,000 characters; and the ones fuzzing found next to them (JSON and XML nested too deeply, lone surrogates,
BioC offsets far past the text, passages that are no list).
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.document import Block, Span

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "corpus" / "esketamine_review.txt"

PUBTATOR_HEAD = "123|t|Ketamine in depression\n123|a|Ketamine is an NMDA receptor antagonist.\n"


def kg(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def assert_one_line_error(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: "), done.stderr
    assert all(w in lines[0] for w in words), lines[0]


def assert_built_with_warning(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    warning = next((ln for ln in done.stderr.splitlines() if all(w in ln for w in words)), None)
    assert warning is not None, done.stderr
    return warning


def test_pubtator_offset_in_superscript_digits_is_a_counted_malformed_line(tmp_path):
    path = tmp_path / "sup.pubtator"
    path.write_text(PUBTATOR_HEAD + "123\t0\t8\tKetamine\tChemical\tD007649\n123\t²\t8\tKetamine\tChemical\t-\n\n")
    assert_built_with_warning(kg("build", path, "-o", tmp_path / "out"), "1 malformed line", "line 4")
    assert_built_with_warning(kg("annotate", path), "1 malformed line")


def test_pubtator_non_numeric_offsets_and_missing_columns_are_reported(tmp_path):
    path = tmp_path / "bad.pubtator"
    path.write_text(PUBTATOR_HEAD + "123\tx\t8\tKetamine\tChemical\n123\t0\n123\t0\t8\tKetamine\n"
                    "123\tCID\tD007649\tD003866\n\n")  # the relation line is fine
    warning = assert_built_with_warning(kg("build", path, "-o", tmp_path / "out"), "3 malformed lines")
    assert "line 3, 4, 5" in warning


@pytest.mark.parametrize("pmid", ["12>3", "12\ufffd3"])
def test_pmid_that_would_make_an_invalid_iri(tmp_path, pmid):
    path = tmp_path / "ids.pubtator"
    path.write_text(PUBTATOR_HEAD.replace("123", pmid) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert_built_with_warning(kg("build", path, "-o", out), "1 PMID/PMCID value", "no PubMed")
    assert (out / "graph.nq").exists()


@pytest.mark.parametrize("pmid", ["12>3", "12\ufffd3", "1 2"])
def test_publication_iris_are_valid_whatever_the_identifier(pmid):
    import pyoxigraph

    from kg.graph.iris import IRIs

    iris = IRIs()
    for iri in (iris.publication(pmid=pmid), iris.publication(pmcid=f"PMC{pmid}")):
        assert pyoxigraph.NamedNode(iri).value == iri


def test_folder_a_thousand_levels_deep(tmp_path):
    os.chdir(tmp_path)  # a relative walk down: os.makedirs itself recurses once per level
    try:
        os.mkdir("deep")
        os.chdir("deep")
        for _ in range(1000):
            os.mkdir("d")
            os.chdir("d")
        Path("review.txt").write_text("Ketamine review\n\nKetamine is an NMDA receptor antagonist.\n")
    finally:
        os.chdir(ROOT)
    try:
        done = kg("build", tmp_path / "deep", "-o", tmp_path / "out")
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
    finally:
        _remove_deep(tmp_path / "deep")


def _remove_deep(top: Path) -> None:
    """Remove the tree from its deepest folder up, walking down relatively as it was made: pytest's cleanup
    (shutil.rmtree) and os.walk recurse once per level."""
    os.chdir(top)
    try:
        depth = 0
        while os.path.isdir("d"):
            os.chdir("d")
            depth += 1
        for name in os.listdir("."):
            os.unlink(name)
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(ROOT)
    top.rmdir()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads a chmod 000 folder anyway")
def test_unreadable_subfolder_is_warned_about(tmp_path):
    for name in ("ok", "locked"):
        (tmp_path / "in" / name).mkdir(parents=True)
        (tmp_path / "in" / name / f"{name}.txt").write_text("Ketamine review\n\nKetamine helps.\n")
    (tmp_path / "in" / "locked").chmod(0)
    try:
        assert_built_with_warning(kg("build", tmp_path / "in", "-o", tmp_path / "out"), "1 subfolder", "locked")
    finally:
        (tmp_path / "in" / "locked").chmod(0o755)


def test_unreadable_subfolder_warning_names_it(tmp_path, monkeypatch, caplog):
    """The same as root: the walk is made to fail on one subfolder, as a chmod 000 one would for a user."""
    from kg.ingest import reader

    for name in ("ok", "locked"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "r.txt").write_text("Review\n\nText.\n")
    real = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(reader.os, "scandir", scandir)
    with caplog.at_level(logging.WARNING, logger="kg.ingest.reader"):
        found = reader.folder_files(tmp_path)
    assert found == [tmp_path / "ok" / "r.txt"]
    assert "1 subfolder could not be read" in caplog.text and "locked (Permission denied)" in caplog.text


def test_paragraph_over_a_million_characters_builds(tmp_path):
    unit = "the results were similar in both groups and the effect was small but it held over time while "
    body = unit * (1_000_100 // len(unit) + 1)
    cut = body.find(" ", len(body) // 2) + 1
    body = body[:cut] + "ketamine " + body[cut:]
    path = tmp_path / "long.txt"
    path.write_text("A long paragraph\n\n" + body + "\n")
    done = kg("build", path, "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "mentions     1" in done.stdout


def test_windows_cut_long_blocks_at_sentence_ends_and_spaces():
    from kg.nlp.windows import windows

    text = "First sentence here. Second one follows! " * 40 + "x" * 300
    blocks = windows(text, [Block(Span(0, len(text)), "paragraph", "S")], limit=100)
    assert all(b.span.end - b.span.start <= 100 and b.kind == "paragraph" and b.section == "S" for b in blocks)
    assert "".join(text[b.span.start:b.span.end] for b in blocks).replace(" ", "") == text.replace(" ", "")
    assert all(text[b.span.end - 1] in ".!" for b in blocks[:-4])  # cut after a sentence end while there is one


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/corpus is not present")
def test_windowed_ner_keeps_offsets(nlp, monkeypatch):
    """The sample review read in 300-character windows: every mention still quotes the text at its offsets, and
    nearly all are the mentions of the whole paragraphs."""
    from kg.ingest import read_paths
    from kg.nlp import pipeline

    docs = read_paths([SAMPLE])
    whole = {(m.start, m.end, m.curie) for m in pipeline.annotate(docs, nlp)}
    monkeypatch.setattr(pipeline, "WINDOW", 300)
    windowed = pipeline.annotate(docs, nlp)
    text = docs[0].text
    assert all(text[m.start:m.end] == m.text and m.sentence[0] <= m.start < m.end <= m.sentence[1] for m in windowed)
    assert len(whole & {(m.start, m.end, m.curie) for m in windowed}) >= 0.9 * len(whole)


@pytest.mark.parametrize("name, content, words", [
    ("deep.json", "[" * 100_000 + "]" * 100_000, ("nested too deeply",)),
    ("deep.xml", "<article><body>" + "<p>" * 5000 + "x" + "</p>" * 5000 + "</body></article>", ("nested", "deep")),
    ("surrogate.json", '{"documents": [{"id": "1", "passages": [{"offset": 0, "text": "ketamine \\ud800"}]}]}',
     ("lone surrogate",)),
    ("offset.json", '{"documents": [{"id": "1", "passages": [{"offset": 1e300, "text": "ketamine"}]}]}',
     ("BioC offset",)),
])
def test_malformed_structured_files_are_one_line(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content)
    assert_one_line_error(kg("build", path, "-o", tmp_path / "out"), str(path), *words)


def test_bioc_passages_that_are_no_list_hold_nothing(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text('{"documents": [{"id": "1", "passages": "text", "infons": []}, '
                    '{"id": "2", "passages": [{"offset": "x", "text": "Ketamine helps.", "infons": 3, '
                    '"annotations": [{"locations": 5}]}]}]}')
    done = kg("build", path, "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
