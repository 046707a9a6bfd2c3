"""`make eval-statistics` (part of `make eval`): the statistics extractor scored on hand-annotated sentences.

The gold (benchmarks/statistics/gold.tsv) holds statistics a reader read in sentences of the BC5CDR and BioRED
development splits, the held-out fifth of the training-only corpora, the development reviews and the sample review.
Each sentence's document is run through the pipeline and extraction; precision and recall are printed per field
for the development half and the held-out half (kg/evaluation/statistics.py).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "benchmarks" / "statistics" / "gold.tsv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="the statistics gold TSV")
    parser.add_argument("--pipeline", default="dictionary", help="the NER pipeline (pipelines/)")
    parser.add_argument("--errors", type=int, default=0, help="list up to N errors per field (development half)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    from kg.errors import KGError
    from kg.evaluation.statistics import SPLITS, extract_gold_documents, read_gold, render_scores, score
    from kg.vocabulary.sources.corpora import shared_dir

    try:
        gold = read_gold(args.gold)
        scores = score(gold, extract_gold_documents(gold, shared_dir(), args.pipeline))
    except KGError as exc:
        print(f"eval-statistics: {exc}", file=sys.stderr)
        return 2
    counts = {s: (len({g.sentence for g in gold if g.split == s}), sum(g.split == s for g in gold)) for s in SPLITS}
    if args.json:
        payload = {s: {f: {"precision": round(v.precision, 3), "recall": round(v.recall, 3), "tp": v.tp, "fp": v.fp,
                           "fn": v.fn} for f, v in scores[s].items()} for s in SPLITS}
        print(json.dumps(payload, indent=2))
        return 0
    print("statistics (benchmarks/statistics/gold.tsv, hand-annotated): precision / recall per field")
    print(render_scores(scores, counts, errors=args.errors), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
