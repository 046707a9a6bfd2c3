"""`make bench`, part 2: a literature rather than one review (issue #14), measured in one run on this machine.

- peak RSS of `kg build` at three corpus sizes (fresh process each; aim: flat within 1.5x);
- throughput on one corpus at 1 and 2 worker processes and on a Dask LocalCluster of 2;
- `--update` adding 1% new documents against a full build of them all.

Corpora larger than the 1,000 BC5CDR training and development abstracts repeat them under new document IDs
(PMID + k x 10^8). Repeated text is no cheaper for the graph stages, but the NER's caches see it again, so
these sizes measure memory and scaling rather than NER speed.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peak_memory import PEAK_KB

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BC5CDR = [SHARED / "eval" / "bc5cdr" / name for name in ("CDR_TrainingSet.PubTator.txt",
                                                         "CDR_DevelopmentSet.PubTator.txt")]
NEW = SHARED / "eval" / "ncbi_disease" / "NCBIdevelopset_corpus.txt"
RSS_SIZES = (1_000, 5_000, 20_000)
_RSS = PEAK_KB + ("import resource, sys; from kg.build import build, Scale; "
                  "build([sys.argv[1]], sys.argv[2], scale=Scale(workers=int(sys.argv[3]))); "
                  "print(_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def records(paths: list[Path]) -> list[str]:
    """PubTator records (title line, abstract line, annotations) as written."""
    return [r.strip("\n") for p in paths for r in p.read_text(encoding="utf-8").split("\n\n") if r.strip()]


def renumbered(record: str, copy: int) -> str:
    """``record`` under document id PMID + copy x 10^8, on every line."""
    pmid = record.split("|", 1)[0]
    new = str(int(pmid) + copy * 100_000_000)
    return "\n".join(new + line[len(pmid):] if line.startswith(pmid) else line for line in record.split("\n"))


def corpus(base: list[str], size: int, path: Path) -> Path:
    out = [renumbered(base[i % len(base)], i // len(base)) for i in range(size)]
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return path


def peak_rss_mb(path: Path, out: Path, workers: int = 1) -> tuple[float, float]:
    """Peak RSS (MB) of a fresh process building ``path``, and its wall time."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _RSS, str(path), str(out), str(workers)], check=True,
                          capture_output=True, text=True)
    own, children = (int(n) for n in done.stdout.split()[-2:])
    return max(own, children) / 1024, time.perf_counter() - started


def timed_build(paths: list[Path], out: Path, **scale) -> float:
    from kg.build import Scale, build

    started = time.perf_counter()
    build(paths, out, scale=Scale(**scale))
    return time.perf_counter() - started


def bench_scale(rss_sizes: tuple[int, ...] = RSS_SIZES, documents: int | None = None) -> dict:
    """``documents``: how many of the 1,000 abstracts the throughput and --update runs use (default all)."""
    from kg.build import build

    base = records(BC5CDR)[:documents]
    result: dict = {"rss": [], "throughput": [], "base_docs": len(base)}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        for size in rss_sizes:
            rss, seconds = peak_rss_mb(corpus(base, size, tmpdir / f"c{size}.pubtator"), tmpdir / f"rss{size}")
            result["rss"].append((size, rss, seconds))
        one = corpus(base, len(base), tmpdir / "one.pubtator")
        build([one], tmpdir / "warm")  # vocabulary and automaton loaded once in this process
        for label, scale in (("1 worker", {}), ("2 workers", {"workers": 2}),
                             ("Dask LocalCluster, 2", {"engine": "dask", "workers": 2})):
            seconds = timed_build([one], tmpdir / f"t{len(result['throughput'])}", **scale)
            result["throughput"].append((label, len(base), seconds))
        # --update with 1% more documents, against the full build of them all
        new = records([NEW])[: max(1, len(base) // 100)]
        extra = tmpdir / "new.pubtator"
        extra.write_text("\n\n".join(new) + "\n", encoding="utf-8")
        out = tmpdir / "t0"  # the 1-worker build of `one`
        update = timed_build([extra], out, update=True)
        full = statistics.median(timed_build([one, extra], tmpdir / f"full{i}") for i in range(2))
        result["update"] = (len(new), update, full)
    return result


def report(r: dict) -> None:
    sizes = r["rss"]
    if sizes:
        print("memory        peak RSS of a fresh `kg build` process (repeats of the 1,000 BC5CDR abstracts)")
        for size, rss, seconds in sizes:
            print(f"  {size:>6} documents  {rss:>6.0f} MB   ({seconds:.0f} s)")
        print(f"  largest / smallest: {sizes[-1][1] / sizes[0][1]:.2f}x (aim: within 1.5x)")
    print(f"throughput    {r['base_docs']} BC5CDR abstracts, warm process")
    first = r["throughput"][0][2]
    for label, docs, seconds in r["throughput"]:
        print(f"  {label:<22}{seconds:>7.1f} s {docs / seconds:>7.1f} docs/s  speed-up {first / seconds:.2f}x")
    added, update, full = r["update"]
    print(f"update        adding {added} documents (1%) with --update: {update:.1f} s; full build of all: "
          f"{full:.1f} s; ratio {update / full:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rss-sizes", type=int, nargs="*", default=list(RSS_SIZES))
    parser.add_argument("--documents", type=int, default=None, help="abstracts for throughput (default 1,000)")
    args = parser.parse_args()
    report(bench_scale(tuple(args.rss_sizes), args.documents))


if __name__ == "__main__":
    main()
