"""The named queries at scale: kg's Oxigraph query path beside rdflib's in-memory Dataset, as ratios.

Two graphs are built here with ``kg.build.build`` in a temporary directory (nothing is cached between runs): the
sample review's, and one of over a million triples from real, distinct abstracts (BC5CDR training + development,
1,000 abstracts, and NCBI Disease development, 100 more; the PMIDs do not overlap). Every query in ``queries/``
runs the way ``kg query OUT NAME`` runs it (``kg.query.run_query`` on OUT's embedded store) and on an rdflib
``Dataset`` parsed from ``OUT/graph.nq``, its bindings as the VALUES block kg sends to any other engine. A query
whose header names ``--bind`` variables is bound to values read from the graph itself (the most mentioned entity of
those in a claim, the claim with the most evidence sentences, the chemical with the most ``biolink:affects`` edges).

Times are CPU time (``time.process_time``) of the process that runs the query, the median of ``runs`` after one
warm-up, so other work on the machine moves them little; loads are wall time. rdflib runs in its own process, each
query in a child forked from it that is killed when a run passes the limit of CPU seconds (reported as "> N s"), so
one pathological query neither hangs the benchmark nor costs a reload. Both engines must return the same number of rows.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "corpus" / "esketamine_review.txt"
LARGE = (SHARED / "eval" / "bc5cdr" / "CDR_TrainingSet.PubTator.txt",
         SHARED / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt",
         SHARED / "eval" / "ncbi_disease" / "NCBIdevelopset_corpus.txt")
MIN_TRIPLES = 1_000_000
RUNS = 3
LIMIT_S = 10.0
_BIND = re.compile(r"--bind (\w+)=")

# How to read sensible values for a query's --bind variables from the graph: keyed by the variables a query's header
# names, (what the values are, a SELECT of those variables) tried in turn, the first row of the first that has one
# being the binding ({prefix} stands for PREFIX lines). An entity is one the graph states claims about if it can be.
_MOST_MENTIONED = """{prefix}
    SELECT ?entity WHERE {
      %s ?annotation a oa:Annotation ; oa:hasBody ?entity . ?entity kg:category ?category . }
    GROUP BY ?entity ORDER BY DESC(COUNT(DISTINCT ?annotation)) STR(?entity) LIMIT 1"""
# The claimed entities as a subquery joined once: a FILTER EXISTS per annotation takes minutes on a million triples.
_IN_A_CLAIM = "{ SELECT DISTINCT ?entity WHERE { ?edge a biolink:Association ; rdf:subject|rdf:object ?entity } }"
PICKERS: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {
    ("entity",): (
        ("the most mentioned entity in a claim", _MOST_MENTIONED % _IN_A_CLAIM),
        ("the most mentioned entity", _MOST_MENTIONED % "")),
    ("subject", "predicate", "object"): (("the claim with the most evidence sentences", """{prefix}
        SELECT ?subject ?predicate ?object WHERE {
          ?edge a biolink:Association ; rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object ;
                kg:evidenceSentence ?sentence }
        GROUP BY ?subject ?predicate ?object
        ORDER BY DESC(COUNT(DISTINCT ?sentence)) STR(?subject) STR(?predicate) STR(?object) LIMIT 1"""),),
    ("drug",): (("the chemical with the most biolink:affects edges", """{prefix}
        SELECT ?drug WHERE { ?drug a biolink:ChemicalEntity ; biolink:affects ?object }
        GROUP BY ?drug ORDER BY DESC(COUNT(DISTINCT ?object)) STR(?drug) LIMIT 1"""),),
}


@dataclass(frozen=True)
class Timing:
    """One engine's answer to one query: rows and median CPU ms, or why there are none (over the limit, an error)."""

    rows: int | None = None
    ms: float | None = None
    failure: str = ""


@dataclass(frozen=True)
class QueryTiming:
    query: str
    bound: str  # what the query's variables were bound to, as printed ("" when it takes none)
    oxigraph: Timing
    rdflib: Timing

    @property
    def agrees(self) -> bool | None:
        """Whether both engines gave the same number of rows; None when rdflib gave no answer to compare."""
        return None if self.rdflib.rows is None else self.rdflib.rows == self.oxigraph.rows


@dataclass(frozen=True)
class GraphBench:
    """What one graph measured: its size, build and load times, and every named query on both engines."""

    name: str
    documents: int
    triples: int
    build_s: float
    oxigraph_load_s: float  # bulk_load of graph.nq into a fresh store, as kg build does
    rdflib_load_s: float  # Dataset.parse of the same graph.nq
    limit_s: float
    runs: int
    queries: list[QueryTiming] = field(default_factory=list)
    note: str = ""
    seconds: float = 0.0  # wall time of this graph's whole benchmark, build included


def query_parameters(description: str) -> tuple[str, ...]:
    """The variables a named query's header says to bind (its ``--bind NAME=`` examples), in order."""
    return tuple(dict.fromkeys(_BIND.findall(description)))


def pick_bindings(store: Any, variables: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """Values for ``variables`` read from the graph (pyoxigraph terms), and what they are; empty when no picker
    knows the variables or the graph has nothing to pick."""
    from kg.graph.prefixes import namespace

    if variables not in PICKERS:
        return {}, f"unbound: no picker for {', '.join('?' + v for v in variables)}"
    prefix = "\n".join(f"PREFIX {p}: <{namespace(p)}>" for p in ("rdf", "oa", "kg", "biolink"))
    for what, sparql in PICKERS[variables]:
        solutions = list(store.query(sparql.replace("{prefix}", prefix), use_default_graph_as_union=True))
        if solutions:
            return {v: solutions[0][v] for v in variables}, what
    return {}, f"unbound: the graph has no {what.removeprefix('the ')}"


def oxigraph_timing(store: Any, name: str, bindings: Mapping[str, Any], runs: int) -> Timing:
    """``run_query`` on the open store (kg's own path, results shaped as Python values): warm-up, then ``runs``."""
    from kg.query import run_query

    rows = len(run_query(store, name, bindings).rows)
    seconds = []
    for _ in range(runs):
        started = time.process_time()
        run_query(store, name, bindings)
        seconds.append(time.process_time() - started)
    return Timing(rows, statistics.median(seconds) * 1000)


def rdflib_timings(nq: Path, queries: Sequence[str], runs: int, limit: float) -> tuple[float, list[Timing]]:
    """Parse ``nq`` into an rdflib Dataset in a fresh process and time each SPARQL text there; (load s, timings).

    A fresh (spawned) process, so rdflib's parse and its garbage collector do not pay for this process's heap.
    """
    spawn = multiprocessing.get_context("spawn")
    receive, send = spawn.Pipe(duplex=False)
    worker = spawn.Process(target=_rdflib_worker, args=(str(nq), list(queries), runs, limit, send))
    worker.start()
    send.close()
    try:
        load_s = receive.recv()
        timings = [receive.recv() for _ in queries]
    except EOFError:
        raise RuntimeError(f"the rdflib process died (exit code {worker.exitcode}) while loading {nq}") from None
    finally:
        worker.join(timeout=5)
        if worker.is_alive():
            worker.kill()
            worker.join()
    return load_s, timings


def _rdflib_worker(nq: str, queries: list[str], runs: int, limit: float, send: Any) -> None:
    import rdflib

    started = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)  # the default graph is the union, as kg's queries expect
    dataset.parse(nq, format="nquads")
    send.send(time.perf_counter() - started)
    fork = multiprocessing.get_context("fork")  # children share the parsed dataset instead of parsing it again
    for sparql in queries:
        send.send(_rdflib_query(fork, dataset, sparql, runs, limit))
    send.close()


def _rdflib_query(fork: Any, dataset: Any, sparql: str, runs: int, limit: float) -> Timing:
    """Warm-up and ``runs`` in a forked child, each run given ``limit`` CPU seconds before the child is killed.

    CPU, not wall, seconds, like the times reported, so a busy machine does not turn a slow answer into none;
    a run also stops after ``5 * limit + 10`` wall seconds, should the child get no CPU at all (and after ``limit``
    wall seconds where there is no /proc to read CPU time from).
    """
    receive, send = fork.Pipe(duplex=False)
    child = fork.Process(target=_rdflib_runs, args=(dataset, sparql, runs + 1, send), daemon=True)
    child.start()
    send.close()
    answers = []
    try:
        for _ in range(runs + 1):
            cpu_at, wall_at = _cpu_seconds(child.pid), time.perf_counter()
            wall_limit = limit if cpu_at is None else 5 * limit + 10
            while not receive.poll(0.02):
                cpu = _cpu_seconds(child.pid)
                if (cpu is not None and cpu_at is not None and cpu - cpu_at > limit
                        or time.perf_counter() - wall_at > wall_limit):
                    return Timing(failure=f"> {limit:g} s")
            answer = receive.recv()
            if isinstance(answer, str):
                return Timing(failure=answer)
            answers.append(answer)
    except EOFError:
        return Timing(failure=f"died (exit code {child.exitcode})")
    finally:
        child.kill()
        child.join()
    rows = {n for n, _ in answers}
    if len(rows) > 1:
        return Timing(failure=f"rows vary between runs: {sorted(rows)}")
    return Timing(answers[0][0], statistics.median(s for _, s in answers[1:]) * 1000)


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) process ``pid`` has used so far, from /proc; None where /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15 of stat


def _rdflib_runs(dataset: Any, sparql: str, n: int, send: Any) -> None:
    for _ in range(n):
        started = time.process_time()
        try:
            rows = sum(1 for _ in dataset.query(sparql))
        except Exception as exc:  # rdflib raises many kinds for a query it cannot parse or evaluate
            send.send(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:60])
            return
        send.send((rows, time.process_time() - started))


def bench_graph(name: str, paths: Sequence[Path], tmp: Path, *, runs: int = RUNS, limit: float = LIMIT_S,
                min_triples: int = 0) -> GraphBench:
    """Build ``paths`` into ``tmp``, then time every named query on OUT's store and on rdflib beside it."""
    from kg.build import build
    from kg.graph.prefixes import compress
    from kg.graph.store import NQUADS, load_oxigraph, open_store
    from kg.query import list_queries, load_query
    from kg.query.sparql import bind_values

    out = tmp / f"{name}_out"
    begun = started = time.perf_counter()
    summary = build(list(paths), out)
    build_s = time.perf_counter() - started

    started = time.perf_counter()
    load_oxigraph(out / NQUADS, tmp / f"{name}_load")  # as the build loads it
    oxigraph_load_s = time.perf_counter() - started
    shutil.rmtree(tmp / f"{name}_load")

    store = open_store(out)
    named = list_queries()
    chosen, oxigraph, rdflib_queries = [], [], []
    picked: dict[tuple[str, ...], tuple[dict[str, Any], str]] = {(): ({}, "")}  # queries sharing variables share values
    for q in named:
        variables = query_parameters(q.description)
        if variables not in picked:
            picked[variables] = pick_bindings(store, variables)
        bindings, what = picked[variables]
        shown = " ".join(f"{k}={compress(v.value)}" for k, v in bindings.items())
        chosen.append(f"{shown} ({what})" if shown else what)
        oxigraph.append(oxigraph_timing(store, q.name, bindings, runs))
        rdflib_queries.append(bind_values(load_query(q.name), {k: str(v) for k, v in bindings.items()}))
    del store

    rdflib_load_s, rdflib = rdflib_timings(out / NQUADS, rdflib_queries, runs, limit)
    note = f"below the {min_triples:,} triples asked for" if summary.triples < min_triples else ""
    return GraphBench(name, summary.documents, summary.triples, build_s, oxigraph_load_s, rdflib_load_s, limit, runs,
                      [QueryTiming(q.name, b, o, r) for q, b, o, r in zip(named, chosen, oxigraph, rdflib)], note,
                      time.perf_counter() - begun)


def bench_queries(quick: bool = False, *, sample: Path = SAMPLE, large: Sequence[Path] = LARGE, runs: int = RUNS,
                  limit: float = LIMIT_S) -> list[GraphBench]:
    """The sample's graph and (unless ``quick``) the ≥ 1M-triple one, each built afresh in a temporary directory."""
    graphs = [(sample.stem, [sample], 0)] + ([] if quick else [("large", list(large), MIN_TRIPLES)])
    with tempfile.TemporaryDirectory(prefix="bench_query_") as tmp:
        return [bench_graph(name, paths, Path(tmp), runs=runs, limit=limit, min_triples=least)
                for name, paths, least in graphs]


def report(rows: list[GraphBench]) -> None:
    for g in rows:
        documents = f"{g.documents:,} document" + ("s" if g.documents != 1 else "")
        print(f"queries       {g.name}: {documents}, {g.triples:,} triples, built in {g.build_s:.1f} s"
              + (f" ({g.note})" if g.note else ""))
        print(f"load          graph.nq: Oxigraph bulk_load {g.oxigraph_load_s:.2f} s, rdflib Dataset.parse "
              f"{g.rdflib_load_s:.2f} s ({g.rdflib_load_s / g.oxigraph_load_s:.1f}x)")
        print(f"{'query':<22}{'rows':>8}{'oxigraph ms':>13}{'rdflib ms':>12}{'ratio':>10}  bound to")
        for q in g.queries:
            rows = f"{q.oxigraph.rows}" if q.agrees is not False else f"{q.oxigraph.rows}≠{q.rdflib.rows}"
            times = f"{_ms(q.oxigraph):>13}{_ms(q.rdflib):>12}{_ratio(q, g.limit_s):>10}"
            print(f"{q.query:<22}{rows:>8}{times}  {q.bound}")
        both = [q.rdflib.ms / q.oxigraph.ms for q in g.queries
                if q.rdflib.ms is not None and q.oxigraph.ms]
        slow = [q.query for q in g.queries if q.rdflib.failure.startswith(">")]
        differ = [q.query for q in g.queries if q.agrees is False]
        line = f"ratio (query) rdflib takes {statistics.median(both):.0f}x Oxigraph's time (median over the " \
               f"{len(both)} queries both answered)" if both else "ratio (query) no query finished on rdflib"
        if slow:
            line += f"; {len(slow)} passed {g.limit_s:g} s on rdflib ({', '.join(slow)})"
        line += f"; rows differ on {', '.join(differ)}" if differ else "; row counts agree"
        print(line + f"  (CPU ms, median of {g.runs} after a warm-up; {g.seconds:.0f} s in all)")


def _ms(t: Timing) -> str:
    return t.failure if t.ms is None else f"{t.ms:.1f}"


def _ratio(q: QueryTiming, limit: float) -> str:
    if not q.oxigraph.ms:
        return ""
    if q.rdflib.ms is not None:
        return f"{q.rdflib.ms / q.oxigraph.ms:.1f}x"
    return f">{limit * 1000 / q.oxigraph.ms:.0f}x" if q.rdflib.failure.startswith(">") else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the sample only, not the 1M-triple graph")
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--large", type=Path, nargs="+", default=list(LARGE),
                        help="inputs of the large graph (default: BC5CDR training + development, NCBI Disease dev)")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per query after one warm-up")
    parser.add_argument("--limit", type=float, default=LIMIT_S, help="CPU seconds an rdflib run may take")
    args = parser.parse_args()
    missing = [p for p in [args.sample, *([] if args.quick else args.large)] if not p.exists()]
    if missing or args.runs < 1 or args.limit <= 0:
        problem = f"inputs not found: {', '.join(map(str, missing))}" if missing else "--runs and --limit must be > 0"
        print(f"bench_query: {problem}", file=sys.stderr)
        sys.exit(2)
    report(bench_queries(args.quick, sample=args.sample, large=args.large, runs=args.runs, limit=args.limit))


if __name__ == "__main__":
    main()
