"""Scoring a review's graph as a reader would (kg/evaluation/reviews.py)."""
from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.evaluation.reviews import read_gold, read_judgements, render_scores, score_review

GOLD = """# a gold list
curie\tlabel\tcategory\tverified_in\tnote
MESH:D000077555|CHEBI:60799\tesketamine\tchemical\tmesh2026\ttitle
NCBIGene:2903\tGRIN2A\tgene\tkg-vocabulary\t
\tdulaglutide receptor story\tchemical\tnone\tin no vocabulary here
"""


def test_gold_alternatives_count_once_and_unjudged_entities_are_reported(tmp_path):
    (tmp_path / "g.tsv").write_text(GOLD, encoding="utf-8")
    (tmp_path / "j.tsv").write_text("curie\tlabel\tverdict\twhy\nNCBIGene:1\tA1BG\tjunk\tauthor initials\n"
                                     "MESH:D1\tThing\tok\t\n", encoding="utf-8")
    gold, judged = read_gold(tmp_path / "g.tsv"), read_judgements(tmp_path / "j.tsv")
    rows = [("MESH:D000077555", "Esketamine", "chemical", "CHEBI:60799", 5),
            ("NCBIGene:1", "A1BG", "gene", "", 1), ("MESH:D1", "Thing", "disease", "", 1),
            ("MESH:D2", "New", "disease", "", 1)]
    score = score_review("r", rows, gold, judged, facts={"studies": 2, "publications": 3}, markers=10, linked=7,
                         references=3, conforms=True)
    assert [g.label for g in score.found] == ["esketamine"] and [g.label for g in score.missed] == ["GRIN2A"]
    assert len(score.not_in_vocabulary) == 1 and score.recall == 0.5
    assert score.junk == (("NCBIGene:1", "A1BG"),) and score.judged == 2 and score.junk_rate == 0.5
    assert score.unjudged == (("MESH:D2", "New"),)
    table = render_scores([score], details=True)
    assert "1/2" in table and "7/10" in table and "A1BG (NCBIGene:1)" in table


def test_a_gold_row_without_category_and_a_bad_verdict_say_which_row(tmp_path):
    (tmp_path / "g.tsv").write_text("curie\tlabel\tcategory\nMESH:D1\tx\t\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2"):
        read_gold(tmp_path / "g.tsv")
    (tmp_path / "j.tsv").write_text("curie\tlabel\tverdict\nMESH:D1\tx\tmaybe\n", encoding="utf-8")
    with pytest.raises(InputError, match="verdict 'maybe'"):
        read_judgements(tmp_path / "j.tsv")
