"""`make eval-reviews`: build each development review and score it as a reader would (kg/evaluation/reviews.py).

For every review that has a gold list in benchmarks/reviews/gold/, the review is built into a temporary folder
and one table row printed: gold concepts found, entities a reader strikes out among those judged, studies, and
citation markers linked to the reference list. These reviews are development data (../shared/corpus/reviews and
the sample); the test reviews are kept elsewhere.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
GOLD = ROOT / "benchmarks" / "reviews" / "gold"
JUDGED = ROOT / "benchmarks" / "reviews" / "judged"


def review_files() -> list[Path]:
    """The sample and the development reviews, each with its gold list."""
    candidates = [SHARED / "esketamine_review.txt", *sorted((SHARED / "reviews").glob("*"))]
    return [p for p in candidates if p.suffix in (".txt", ".md", ".xml") and (GOLD / f"{p.stem}.tsv").is_file()]


def evaluate(path: Path, out: Path, pipeline: str = "dictionary"):
    from kg.build import build
    from kg.evaluation.reviews import read_gold, read_judgements, score_review
    from kg.ingest import read_paths
    from kg.stats import entities_table

    summary = build([path], out, pipeline=pipeline)
    documents = read_paths([path])
    markers = [c for d in documents for c in d.citations]
    return score_review(
        path.stem, entities_table(out).rows, read_gold(GOLD / f"{path.stem}.tsv"),
        read_judgements(JUDGED / f"{path.stem}.tsv"), facts=summary.facts,
        markers=len(markers), linked=sum(c.linked for c in markers),
        references=sum(len(d.references) for d in documents), conforms=summary.conforms,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list missed gold concepts, junk and unjudged entities")
    parser.add_argument("--only", default="", help="score only reviews whose name contains this")
    parser.add_argument("--pipeline", default="dictionary", help="the NER pipeline to build with (pipelines/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    from kg.evaluation.reviews import render_scores

    files = [p for p in review_files() if args.only in p.stem]
    if not files:
        print(f"eval-reviews: no review with a gold list in {GOLD}", file=sys.stderr)
        return 2
    scores = []
    with tempfile.TemporaryDirectory(prefix="kg-eval-reviews-") as tmp:
        for path in files:
            print(f"building {path.name} ...", file=sys.stderr)
            scores.append(evaluate(path, Path(tmp) / path.stem, args.pipeline))
    print("development reviews (../shared/corpus/reviews and the sample): a reader's gold concepts, entities judged")
    print("junk, studies, citation markers linked to the reference list")
    print(render_scores(scores, details=args.details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
