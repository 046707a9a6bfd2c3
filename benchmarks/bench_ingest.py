"""Ingest alone (``kg.ingest.read_paths``) on one large plain-text file, at growing sizes, to show it is linear.

The file is the sample review and the development reviews' plain text and Markdown, concatenated over and over to
the size asked for: one document with many title-like lines, reference lists and citation markers, the worst
case for whatever compares citations with references. ``make bench`` prints these rows after bench_build's.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SOURCES = [SHARED / "corpus" / "esketamine_review.txt",
           *sorted((SHARED / "corpus" / "reviews").glob("*.txt")),
           *sorted(p for p in (SHARED / "corpus" / "reviews").glob("*.md")
             if not p.name.endswith("SOURCE.md") and p.name != "README.md")]
SIZES_MB = (4, 16, 64)


def make_text(megabytes: float, sources: list[Path] = SOURCES) -> str:
    """``megabytes`` MB (10^6 characters) of review text, the sources repeated in turn."""
    parts = [p.read_text(encoding="utf-8") for p in sources if p.exists() and p.name.lower() != "readme.md"]
    if not parts:
        sys.exit(f"bench: no review text found under {SHARED / 'corpus'}")
    want, out, size, k = int(megabytes * 1_000_000), [], 0, 0
    while size < want:
        part = parts[k % len(parts)]
        out.append(part)
        size += len(part) + 1
        k += 1
    return "\n".join(out)[:want]


def ingest_seconds(megabytes: float, tmp: Path) -> tuple[float, int]:
    """Seconds ``read_paths`` takes on a ``megabytes`` MB file, and how many citation markers it found."""
    from kg.ingest import read_paths

    path = tmp / f"review_{megabytes:g}mb.txt"
    path.write_text(make_text(megabytes), encoding="utf-8")
    started = time.perf_counter()
    documents = read_paths([path])
    seconds = time.perf_counter() - started
    path.unlink()
    return seconds, sum(len(d.citations) for d in documents)


def bench_ingest(sizes: tuple[float, ...] = SIZES_MB) -> list[tuple[float, float, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        return [(mb, *ingest_seconds(mb, Path(tmp))) for mb in sizes]


def report(rows: list[tuple[float, float, int]]) -> None:
    print(f"{'ingest':<14}{'MB':>9}{'seconds':>10}{'MB/s':>11}{'markers':>10}")
    for mb, seconds, markers in rows:
        print(f"{'read_paths':<14}{mb:>9g}{seconds:>10.2f}{mb / seconds:>11.1f}{markers:>10}")
    (small_mb, small_s, _), (big_mb, big_s, _) = rows[0], rows[-1]
    if big_mb > small_mb:
        ratio = (big_s / small_s) / (big_mb / small_mb)
        print(f"ratio (ingest) {big_mb:g} MB takes {big_s / small_s:.1f}x the time of {small_mb:g} MB, "
              f"{ratio:.2f} of linear (1.00 = linear; aim: {big_mb:g} MB under a minute)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=list(SIZES_MB), help="sizes in MB")
    args = parser.parse_args()
    report(bench_ingest(tuple(args.sizes)))


if __name__ == "__main__":
    main()
