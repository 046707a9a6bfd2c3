"""`make fuzz`: the parsers' properties (tests/test_fuzz_parsers.py) run for a set time, round robin.

Each round runs one property for a batch of fresh random examples (hypothesis, no example database); a failure
is shrunk by hypothesis, printed with its falsifying input, counted as a crash, and the run goes on. The exit
code is 1 when anything crashed.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _counted(check, executions: Counter[str], name: str):
    def run(case) -> None:
        executions[name] += 1
        check(*case)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--batch", type=int, default=200, help="examples per property per round")
    parser.add_argument("--ner", action="store_true", help="also run the NER quote property (loads the pipeline)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the parsers' warnings about malformed input are expected here

    from hypothesis import HealthCheck, given, settings
    from test_fuzz_parsers import PROPERTIES, check_mentions, review_texts

    properties = dict(PROPERTIES)
    if args.ner:
        from hypothesis import strategies as st

        from kg.nlp import load_pipeline

        nlp = load_pipeline("dictionary")
        properties["ner"] = (st.tuples(review_texts()), lambda text: check_mentions(text, nlp))
    executions: Counter[str] = Counter()
    crashes: Counter[str] = Counter()
    budget = settings(max_examples=args.batch, deadline=None, database=None, print_blob=True,
                      suppress_health_check=list(HealthCheck))
    started = time.monotonic()
    stop = started + args.seconds
    while time.monotonic() < stop:
        for name, (strategy, check) in properties.items():
            if time.monotonic() >= stop:
                break

            try:
                budget(given(strategy)(_counted(check, executions, name)))()
            except Exception:  # a property failed: hypothesis has shrunk it and printed the input
                crashes[name] += 1
                print(f"fuzz: CRASH in {name}:", file=sys.stderr)
                traceback.print_exc(limit=6)
    seconds = time.monotonic() - started
    print(f"{'property':<12}{'executions':>12}{'crashes':>9}")
    for name in properties:
        print(f"{name:<12}{executions[name]:>12}{crashes[name]:>9}")
    total = sum(executions.values())
    print(f"{'total':<12}{total:>12}{sum(crashes.values()):>9}   in {seconds:.0f} s ({total / seconds:.0f}/s)")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
