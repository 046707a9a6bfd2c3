"""The PubTator and BioC JSON writers: round trips, structure, determinism."""
from __future__ import annotations

import io
import json
import re
from collections import defaultdict

import pytest
from pubtator_gold import SHARED, corpus_path, gold_as_prediction, parse_pubtator, read_gold

from kg.annotate import biocjson_collection, write_biocjson, write_pubtator
from kg.concept import Mention
from kg.document import Document
from kg.evaluation import PROFILES


def _by_doc(mentions):
    grouped = defaultdict(list)
    for m in mentions:
        grouped[m.doc_id].append(m)
    return grouped


def _read_back(path):
    try:
        from kg.ingest import read_paths
    except ImportError:
        return parse_pubtator(path.read_text(encoding="utf-8"), str(path))
    return [d for d in read_paths([path]) if d.format == "pubtator"]


@pytest.mark.parametrize("name", ["bc5cdr", "biored", "ncbi_disease"])
def test_pubtator_round_trip_keeps_text_and_annotations(tmp_path, name):
    docs = read_gold(name, 25)
    profile = PROFILES[name]
    # one mention per gold annotation (first concept only), so the written ID column is comparable
    preds = {}
    for m in gold_as_prediction(docs, profile):
        preds.setdefault((m.doc_id, m.start, m.end), m)
    out = tmp_path / "pred.PubTator"
    n = write_pubtator(docs, _by_doc(preds.values()), out, corpus_types=profile)
    assert n == len(preds)
    again = _read_back(out)
    assert [(d.id, d.text, d.title) for d in again] == [(d.id, d.text, d.title) for d in docs]
    # written types are the corpus's own (NCBI Disease's four subtypes); scored, they are the profile's types
    written = {(d.id, g.span.start, g.span.end, g.text, profile.scoring_type(g.type), g.identifier)
               for d in again for g in d.gold}
    expected = {(m.doc_id, m.start, m.end, m.text, profile.type_for(m.category),
                 profile.to_corpus_id(m.curie) or profile.no_id) for m in preds.values()}
    assert written == expected
    # the title and abstract lines are those of the source file
    source = corpus_path(name).read_text(encoding="utf-8")
    for line in out.read_text(encoding="utf-8").splitlines()[:2]:
        assert line in source


def test_pubtator_without_profile_uses_category_types_and_curies():
    title = "Ketamine relieves depression."
    doc = Document(id="42", text=title + " Abstract.", source="x", format="pubtator", title=title, pmid="42")
    mentions = [Mention("42", 18, 28, "depression", "disease", curie="MESH:D003866"),
                Mention("42", 0, 8, "Ketamine", "chemical", curie="MESH:D007649"),
                Mention("42", 9, 17, "relieves", "process")]
    buf = io.StringIO()
    write_pubtator([doc], {"42": mentions}, buf)
    lines = buf.getvalue().splitlines()
    assert lines[:2] == ["42|t|Ketamine relieves depression.", "42|a|Abstract."]
    assert lines[2:] == ["42\t0\t8\tKetamine\tChemical\tMESH:D007649",
                         "42\t9\t17\trelieves\tBiologicalProcess\t-",
                         "42\t18\t28\tdepression\tDisease\tMESH:D003866", ""]


def _review() -> Document:
    path = SHARED / "corpus" / "esketamine_review.txt"
    if not path.is_file():
        pytest.skip(f"sample review {path} is absent")
    text = path.read_text(encoding="utf-8")
    return Document(id=path.stem, text=text, source=str(path), format="review")


def _capitalised_words(doc: Document, limit: int = 40) -> list[Mention]:
    """Hand-made mentions: capitalised words of the text, found by a generic pattern."""
    found = [Mention(doc.id, m.start(), m.end(), m.group(), "concept")
             for m in re.finditer(r"\b[A-Z][a-z]{5,}\b", doc.text)]
    return found[:limit][::-1]  # reversed on purpose: the writers must sort


def test_review_pubtator_has_annotation_lines_only():
    doc = _review()
    mentions = _capitalised_words(doc)
    buf = io.StringIO()
    assert write_pubtator([doc], {doc.id: mentions}, buf) == len(mentions)
    lines = [line for line in buf.getvalue().splitlines() if line]
    assert len(lines) == len(mentions) and not any("|t|" in line for line in lines)
    starts = [int(line.split("\t")[1]) for line in lines]
    assert starts == sorted(starts)
    for line in lines:
        _, start, end, text, *_ = line.split("\t")
        assert doc.text[int(start):int(end)] == text


def test_biocjson_structure_and_offsets():
    review = _review()
    docs = read_gold("bc5cdr", 5) + [review]
    profile = PROFILES["bc5cdr"]
    mentions = _by_doc(gold_as_prediction(docs[:5], profile))
    mentions[review.id] = _capitalised_words(review)
    buf = io.StringIO()
    count = write_biocjson(docs, mentions, buf)
    data = json.loads(buf.getvalue())
    assert set(data) >= {"source", "date", "key", "infons", "documents"}
    assert [d["id"] for d in data["documents"]] == [d.pmid or d.id for d in docs]
    total = 0
    for doc, bdoc in zip(docs, data["documents"]):
        passages = bdoc["passages"]
        if doc.format == "review":
            assert len(passages) == 1 and passages[0]["text"] == doc.text and passages[0]["offset"] == 0
        else:
            assert [p["infons"]["type"] for p in passages] == ["title", "abstract"]
            assert passages[1]["offset"] == len(passages[0]["text"]) + 1
        for p in passages:
            offsets = [a["locations"][0]["offset"] for a in p["annotations"]]
            assert offsets == sorted(offsets)
            for a in p["annotations"]:
                loc = a["locations"][0]
                assert set(a["infons"]) >= {"type", "identifier"}
                assert doc.text[loc["offset"]:loc["offset"] + loc["length"]] == a["text"]
                assert p["offset"] <= loc["offset"] and loc["offset"] + loc["length"] <= p["offset"] + len(p["text"])
                total += 1
    assert total == count == sum(len(v) for v in mentions.values())
    # deterministic: the same input gives the same bytes
    assert biocjson_collection(docs, mentions) == json.loads(buf.getvalue())


def test_annotate_paths_takes_conventions_from_gold_or_path(tmp_path):
    """Without gold lines, a test split's file name still says which corpus's types and ID space to write."""
    from kg.annotate import annotate_paths

    text = "1|t|Lithium toxicity in rats.\n1|a|Lithium caused toxicity.\n\n"
    (tmp_path / "CDR_TestSet.PubTator.txt").write_text(text)
    (tmp_path / "plain.pubtator").write_text(text)
    cdr = annotate_paths([tmp_path / "CDR_TestSet.PubTator.txt"])
    plain = annotate_paths([tmp_path / "plain.pubtator"])
    cdr_rows = [line.split("\t") for line in cdr.splitlines() if line.count("\t") == 5]
    plain_rows = [line.split("\t") for line in plain.splitlines() if line.count("\t") == 5]
    assert cdr_rows and {r[4] for r in cdr_rows} <= {"Chemical", "Disease"}
    assert all(not r[5].startswith("MESH:") for r in cdr_rows)  # BC5CDR writes bare MeSH UIs
    assert any(r[5].startswith("MESH:") for r in plain_rows)  # no corpus: kg's own CURIEs


def test_annotate_paths_drops_forms_the_corpus_leaves_unannotated(tmp_path):
    """LINNAEUS does not annotate 'patients' as human (its shipped conventions); BioRED does,
    and kg's own output keeps it."""
    from kg.annotate import annotate_paths

    text = "1|t|Human patients and mice.\n1|a|Twenty patients were compared with mice.\n\n"
    written = {}
    for name in ("Linnaeus_Test.PubTator", "biored_Test.PubTator", "plain.pubtator"):
        (tmp_path / name).write_text(text)
        rows = [line.split("\t") for line in annotate_paths([tmp_path / name]).splitlines() if line.count("\t") == 5]
        written[name] = {r[3].lower() for r in rows}
    assert "patients" in written["biored_Test.PubTator"] and "patients" in written["plain.pubtator"]
    assert "patients" not in written["Linnaeus_Test.PubTator"]
    assert "mice" in written["Linnaeus_Test.PubTator"]
