"""`make bench`: kg's throughput beside spaCy's bare tokenizer, measured in one run, reported as ratios.

1. BC5CDR development set: `kg build` (ingest → NER → resolution → graph → SHACL → store) against
   `spacy.blank("en")` tokenizing the same blocks. Both timed in this process, tokenizer first and last
   (the median of the two guards against drift), so the ratio compares like with like.
2. The sample review, end to end in a fresh process (imports, vocabulary and all): the cold time a user waits.
3. Ingest alone on one large text file at 4, 16 and 64 MB (bench_ingest.py): MB/s per size and how far the
   largest is from linear.
4. A literature (bench_scale.py): peak RSS at three corpus sizes, throughput at 1 and 2 workers and on a Dask
   LocalCluster, and --update adding 1% of documents against a full build.
5. The named queries on the sample and on a graph of over 1M triples, Oxigraph beside rdflib (bench_query.py).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_ingest import SIZES_MB, bench_ingest, report
from bench_query import bench_queries
from bench_query import report as report_queries
from bench_scale import RSS_SIZES, bench_scale
from bench_scale import report as report_scale
from peak_memory import PEAK_KB

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"
SAMPLE = SHARED / "corpus" / "esketamine_review.txt"


def tokenizer_seconds(texts: list[str]) -> float:
    import spacy

    nlp = spacy.blank("en")
    started = time.perf_counter()
    for _ in nlp.tokenizer.pipe(texts, batch_size=256):
        pass
    return time.perf_counter() - started


def bench_corpus(path: Path) -> dict:
    from kg.build import build
    from kg.ingest import read_paths

    documents = read_paths([path])
    texts = [d.text[b.span.start:b.span.end] for d in documents for b in d.blocks]
    words = sum(len(t.split()) for t in texts)
    baseline_before = tokenizer_seconds(texts)
    with tempfile.TemporaryDirectory() as tmp:
        build([path], Path(tmp) / "warm")  # loads vocabulary and automaton once, as a long-lived process would
        started = time.perf_counter()
        summary = build([path], Path(tmp) / "out")
        kg_seconds = time.perf_counter() - started
    baseline = statistics.median([baseline_before, tokenizer_seconds(texts)])
    return {"documents": len(documents), "words": words, "kg_s": kg_seconds, "tok_s": baseline,
            "stages": summary.stage_seconds, "triples": summary.triples, "ner_s": ner_seconds(documents)}


def ner_seconds(documents) -> float:
    """The NER alone on ``documents``, warm and with nothing beside it: in a build the SHACL check of the batch
    before runs on a second thread and slows the NER stage's own clock."""
    from kg.nlp import annotate, load_pipeline
    from kg.resolve import long_form_concept
    from kg.vocabulary import load_vocabulary

    nlp = load_pipeline("dictionary", vocabulary=load_vocabulary())
    annotate(documents[:20], nlp, long_forms=long_form_concept)  # warm
    started = time.perf_counter()
    annotate(documents, nlp, long_forms=long_form_concept)
    return time.perf_counter() - started


# `kg build` in a fresh process that reports its own peak RSS as it exits (benchmarks/peak_memory.py says why not
# ru_maxrss, which counted this benchmark process's own peak)
_COLD = PEAK_KB + ("import atexit, sys; atexit.register(lambda: print('maxrss', _peak_kb(), file=sys.stderr)); "
                   "from kg.cli import main; sys.argv = ['kg', *sys.argv[1:]]; main()")


def bench_cold(path: Path, runs: int) -> tuple[float, float]:
    """Median wall time and peak RSS (MB) of `kg build` on ``path`` in a fresh process."""
    times, peaks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _COLD, "build", str(path), "-o", f"{tmp}/out{i}"],
                                  check=True, capture_output=True, text=True)
            times.append(time.perf_counter() - started)
            peaks.append(int(done.stderr.rsplit("maxrss", 1)[1].split()[0]) / 1024)
    return statistics.median(times), statistics.median(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEV)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ingest-sizes", type=float, nargs="*", default=list(SIZES_MB),
                        help="MB of text to ingest (none: skip)")
    parser.add_argument("--rss-sizes", type=int, nargs="*", default=list(RSS_SIZES),
                        help="corpus sizes (documents) for peak RSS")
    parser.add_argument("--no-scale", action="store_true", help="skip the literature-scale part")
    parser.add_argument("--no-queries", action="store_true", help="skip the named queries at scale")
    args = parser.parse_args()
    if not args.corpus.exists() or not args.sample.exists():
        sys.exit(f"bench: inputs not found ({args.corpus}, {args.sample}); pass --corpus and --sample")

    r = bench_corpus(args.corpus)
    print(f"corpus        {args.corpus.name}: {r['documents']} documents, {r['words']} words")
    print(f"{'':14}{'seconds':>9}{'docs/s':>10}{'words/s':>11}")
    for name, seconds in (("spaCy blank", r["tok_s"]), ("kg build", r["kg_s"])):
        print(f"{name:<14}{seconds:>9.2f}{r['documents'] / seconds:>10.0f}{r['words'] / seconds:>11.0f}")
    print(f"ratio         kg build takes {r['kg_s'] / r['tok_s']:.1f}x the bare tokenizer's time (aim: within 5x)")
    stages = r["stages"]
    print("stages        " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in stages.items())
          + f"  ({r['triples']} triples)")
    print(f"ratio (NER)   the NER alone takes {r['ner_s'] / r['tok_s']:.1f}x the bare tokenizer's time "
          f"({r['ner_s']:.2f} s; in the build, beside the SHACL thread, its stage took {stages['ner']:.2f} s)")
    cold, peak = bench_cold(args.sample, args.runs)
    print(f"sample        {args.sample.name}: cold end-to-end {cold:.2f} s (median of {args.runs}; aim < 2 s), "
          f"peak RSS {peak:.0f} MB")
    if args.ingest_sizes:
        report(bench_ingest(tuple(args.ingest_sizes)))
    if not args.no_scale:
        report_scale(bench_scale(tuple(args.rss_sizes)))
    if not args.no_queries:
        report_queries(bench_queries())


if __name__ == "__main__":
    main()
