"""`make load-test`: concurrent clients against `kg serve` on loopback, beside the embedded store as a baseline.

The clients run every named query (and the per-entity ones bound to the most-mentioned entity) round-robin
through `kg.query.run_query(URL, ...)`, the path `kg query URL` takes. Printed: requests, throughput, latency
p50/p95/p99, errors, the server's peak memory (its process and query workers), and per query the served p50
beside the same query on the embedded store in this process, as a ratio (the cost of HTTP, a worker process
and result serialisation).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "corpus" / "esketamine_review.txt"
PER_ENTITY = ("claims_about", "mentions_of")


def _workload(out: Path) -> list[tuple[str, dict[str, str]]]:
    """Every named query unbound, and the per-entity ones bound to the entity with the most mentions."""
    from kg.query import list_queries, run_query

    names = [q.name for q in list_queries()]
    entities = run_query(out, "entities").records()
    top = max(entities, key=lambda r: int(r.get("mentions") or 0))["id"] if entities else None
    work = [(name, {}) for name in names]
    if top is not None:
        work += [(name, {"entity": str(top)}) for name in PER_ENTITY if name in names]
    return work


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (the serve process and its query workers)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total / 1024


def _start_server(out: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", str(out), "--port", "0"],
                              stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    banner = server.stderr.readline()
    if "SPARQL endpoint:" not in banner:
        server.kill()
        sys.exit(f"load-test: kg serve did not start: {banner.strip()}")
    return server, banner.split("SPARQL endpoint:", 1)[1].split()[0]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="a built graph (default: the sample review, built now)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    from kg.errors import KGError
    from kg.query import run_query

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out
        if out is None:
            from kg.build import build

            out = Path(tmp) / "out"
            build([SAMPLE], out)
        work = _workload(out)
        baseline = {}
        for name, bindings in work:  # the embedded store, in this process: warm once, then time the median of 5
            run_query(out, name, bindings or None)
            times = []
            for _ in range(5):
                started = time.perf_counter()
                run_query(out, name, bindings or None)
                times.append(time.perf_counter() - started)
            baseline[(name, tuple(bindings.items()))] = statistics.median(times)

        server, url = _start_server(out)
        latencies: dict[tuple, list[float]] = defaultdict(list)
        errors: list[str] = []
        peak = [0.0]
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def client(offset: int) -> None:
            i = offset
            while time.monotonic() < deadline:
                name, bindings = work[i % len(work)]
                i += 1
                started = time.perf_counter()
                try:
                    run_query(url, name, bindings or None, timeout=60)
                except KGError as exc:
                    with lock:
                        errors.append(f"{name}: {exc}")
                    continue
                with lock:
                    latencies[(name, tuple(bindings.items()))].append(time.perf_counter() - started)

        def sample_memory() -> None:
            while time.monotonic() < deadline:
                peak[0] = max(peak[0], _rss_mb(server.pid))
                time.sleep(0.25)

        try:
            threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
            threads.append(threading.Thread(target=sample_memory))
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)

    every = [s for values in latencies.values() for s in values]
    done = len(every)
    print(f"kg serve on loopback: {args.clients} clients for {args.seconds:.0f} s, {len(work)} queries round-robin "
          f"({os.cpu_count()} cores)")
    print(f"requests {done + len(errors)}  answered {done}  errors {len(errors)}  "
          f"throughput {done / elapsed:.1f} req/s")
    print(f"latency   p50 {_percentile(every, .5) * 1000:.0f} ms  p95 {_percentile(every, .95) * 1000:.0f} ms  "
          f"p99 {_percentile(every, .99) * 1000:.0f} ms")
    print(f"server memory (process + workers) peak {peak[0]:.0f} MB")
    print(f"\n{'query':<28} {'n':>5} {'served p50':>11} {'p99':>8} {'store p50':>10} {'ratio':>7}")
    for key, values in sorted(latencies.items(), key=lambda kv: -statistics.median(kv[1])):
        name = key[0] + ("(entity)" if key[1] else "")
        p50, store = statistics.median(values), baseline[key]
        print(f"{name:<28} {len(values):>5} {p50 * 1000:>8.0f} ms {_percentile(values, .99) * 1000:>5.0f} ms "
              f"{store * 1000:>7.1f} ms {p50 / store:>6.1f}x")
    for line in errors[:5]:
        print("error:", line)


if __name__ == "__main__":
    main()
