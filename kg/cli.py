"""The `kg` command line. Errors print one line on stderr and exit 2; logging is configured only here."""
from __future__ import annotations

import logging
import sys
import time
from enum import Enum
from pathlib import Path

import click
import typer

from kg.categories import CATEGORIES
from kg.engines import ENGINES
from kg.errors import KGError
from kg.evaluation.corpus_types import PROFILES
from kg.export import WRITERS
from kg.nlp.pipeline import available_pipelines

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn biomedical reviews into a knowledge graph you can query and trust.")
vocab_app = typer.Typer(no_args_is_help=True, help="Build and inspect the broad vocabulary index.")
app.add_typer(vocab_app, name="vocab")


@app.callback()
def _options(verbose: bool = typer.Option(False, "--verbose", "-v", help="log each stage and its time")) -> None:
    if verbose:
        logging.getLogger().setLevel(logging.INFO)


class TableFormat(str, Enum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"
    turtle = "turtle"
    ntriples = "ntriples"


def _progress() -> bool:
    return sys.stderr.isatty()


def _choice(names) -> click.Choice:
    """A click choice read from a registry, so a new format, category or corpus needs no CLI edit."""
    return click.Choice(sorted(str(name) for name in names))


# Built once at import: the registries are plain dicts and pipelines/ a glob, so `import kg.cli` stays light.
PIPELINE_HELP = f"a pipeline in pipelines/ ({', '.join(available_pipelines())}) or a path to a spaCy config"


@app.command()
def build(
    paths: list[str] = typer.Argument(..., help="review .txt files, PubTator files, or folders of them; with "
                                      "--online also PMC12988702, PMID:31230464 or doi:10.x/y"),
    out: Path = typer.Option(..., "-o", "--out", help="output directory (replaced atomically)"),
    pipeline: str = typer.Option("dictionary", help=PIPELINE_HELP),
    strict: bool = typer.Option(False, "--strict",
                                help="fail (exit 2, OUT untouched) if any mention stays unresolved"),
    force: bool = typer.Option(False, "--force",
                               help="replace OUT even when the new graph fails the SHACL shapes (exit 1)"),
    online: bool = typer.Option(False, "--online", help="fetch identifiers from PMC/PubTator3/PubMed and complete "
                                "the references (NCBI, cached; see README 'Online')"),
    follow_citations: bool = typer.Option(False, "--follow-citations",
                                          help="with --online, also build the cited studies' abstracts"),
    workers: int = typer.Option(1, "--workers", "-j", min=1, help="read documents in N processes (same graph)"),
    engine: str = typer.Option("local", "--engine", click_type=_choice(ENGINES),
                               help="local: this machine; dask: a Dask cluster (pip install 'kg[dask]')"),
    scheduler: str | None = typer.Option(None, "--scheduler",
                                         help="with --engine dask, the scheduler's address (tcp://host:8786); "
                                              "default: a local cluster of --workers processes"),
    update: bool = typer.Option(False, "--update", help="keep OUT's documents and read only new or changed ones "
                                "(same graph as a full build of them all)"),
):
    """Build the knowledge graph of PATHS into OUT and print a summary.

    A graph that fails the SHACL shapes is not written: OUT is kept and the report goes beside it (exit 2)."""
    from kg.build import Scale
    from kg.build import build as run_build

    options = None
    if follow_citations and not online:
        raise KGError("--follow-citations fetches the cited studies: add --online")
    if online:
        from kg.online.inputs import OnlineOptions

        options = OnlineOptions(follow_citations=follow_citations)
    scale = Scale(workers=workers, engine=engine, scheduler=scheduler, update=update)
    summary = run_build(paths, out, pipeline=pipeline, progress=_progress(), strict=strict, force=force,
                        online=options, scale=scale)
    typer.echo(summary.render())
    if not summary.conforms:
        typer.echo(f"kg: the graph does not conform to the SHACL shapes: {summary.violations} violations, "
                   f"listed in {out}/validation.txt", err=True)
        raise typer.Exit(1)


@app.command()
def entities(
    out: Path = typer.Argument(..., help="a directory written by `kg build`"),
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f"),
    category: str | None = typer.Option(None, click_type=_choice(CATEGORIES),
                                           help="only entities of this category"),
):
    """List the resolved entities: id, label, category, xrefs, mentions."""
    from kg.query import format_result
    from kg.stats import entities_table

    result = entities_table(out)
    if category:
        result = result.filter(lambda row: row["category"] == category)
    typer.echo(format_result(result, format.value), nl=False)


@app.command()
def query(
    out: str = typer.Argument(..., help="a directory written by `kg build`, or a SPARQL endpoint URL"),
    name: str = typer.Argument(..., help="a .rq file, or the name of a query in queries/"),
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f",
                                       help="turtle and ntriples are for CONSTRUCT and DESCRIBE queries"),
    bind: list[str] = typer.Option([], "--bind", "-b", help="VAR=VALUE bindings (values may be CURIEs)"),
    allow_service: bool = typer.Option(False, "--allow-service",
                                       help="let the query's SERVICE clauses make requests to other endpoints"),
    timeout: float = typer.Option(60.0, min=0.1, help="stop the query (or the endpoint's answer) after this "
                                                      "many seconds"),
):
    """Run a SPARQL query (named or from a file) against a built graph or an endpoint."""
    from kg.query import format_result, run_query

    bindings = {}
    for item in bind:
        if "=" not in item:
            raise KGError(f"--bind takes VAR=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        bindings[key] = value
    result = run_query(out, name, bindings or None, allow_service=allow_service, timeout=timeout)
    typer.echo(format_result(result, format.value), nl=False)


@app.command()
def stats(
    out: Path = typer.Argument(..., help="a directory written by `kg build`"),
    plot: Path | None = typer.Option(None, help="also draw entity counts and degree distribution to this PNG"),
):
    """Print counts of documents, entities by category, mentions and triples."""
    from kg.stats import graph_stats

    typer.echo(graph_stats(out).render())
    if plot is not None:
        from kg.plots import plot_stats

        plot_stats(out, plot)
        typer.echo(f"plot         {plot}")


class AnnotationFormat(str, Enum):
    pubtator = "pubtator"
    biocjson = "biocjson"


@app.command()
def annotate(
    paths: list[Path] = typer.Argument(..., help="PubTator files, review .txt files, or folders of them"),
    format: AnnotationFormat = typer.Option(AnnotationFormat.pubtator, "--format", "-f"),
    out: Path | None = typer.Option(None, "-o", "--out", help="write here instead of stdout"),
    corpus: str | None = typer.Option(
        None, click_type=_choice(PROFILES), help="write types and IDs as this corpus does; "
        "default: detected from the file's own gold annotations, else PubTator's generic names"),
    pipeline: str = typer.Option("dictionary", help=PIPELINE_HELP),
    relations: bool = typer.Option(
        False, "--relations", help="also write document-level relation lines (BC5CDR: PMID CID chemical disease; "
        "BioRED: PMID type id1 id2 Novel|No; otherwise kg's relation kind and CURIEs)"),
):
    """Write the predicted annotations (offsets, text, type, identifier) for outside scorers and tools."""
    from kg.annotate import annotate_paths

    text = annotate_paths(paths, fmt=format.value, corpus=corpus, pipeline=pipeline, progress=_progress(),
                          relations=relations)
    _write_text(out, text)


@app.command(name="eval")
def evaluate(
    files: list[Path] = typer.Argument(..., help="gold corpora in PubTator format"),
    json_output: bool = typer.Option(False, "--json", help="print the scores as JSON"),
    heldout: bool | None = typer.Option(
        None, "--heldout/--all-documents",
        help="score only the documents held out of the vocabulary's training pairs "
        "(default: automatically for the training file of a corpus that has no development split)"),
    pipeline: str = typer.Option("dictionary", help=PIPELINE_HELP),
    limit: int | None = typer.Option(None, help="only the first N documents of each file"),
    relations: bool = typer.Option(
        False, "--relations", help="score document-level relations (BC5CDR CID, BioRED pair / type / novelty) "
        "against the file's relation lines instead of entities"),
):
    """Score NER and normalisation against gold PubTator files (mention- and concept-level P/R/F1)."""
    import json

    from kg.evaluation import evaluate_file
    from kg.evaluation.summary import render_summary, uses_heldout

    if relations:
        from kg.evaluation.relations import evaluate_relations_file

        scored = [evaluate_relations_file(f, pipeline, limit=limit, progress=_progress()) for f in files]
        if json_output:
            payload = [r.to_json() for r in scored]
            typer.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2, sort_keys=True))
            return
        for file, scores in zip(files, scored):
            typer.echo(f"== {file}")
            typer.echo(scores.render())
        return

    results = []
    for file in files:
        held = uses_heldout(file) if heldout is None else heldout
        results.append((file, held, evaluate_file(file, pipeline, limit=limit, heldout=held)))
    if json_output:
        payload = [r.to_json() for _, _, r in results]
        typer.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2, sort_keys=True))
        return
    for file, held, result in results:
        typer.echo(f"== {file}{' (held-out development part)' if held else ''}")
        typer.echo(result.render_table())
    if len(results) > 1:
        typer.echo(render_summary(results))


@app.command()
def compare(
    out: Path = typer.Argument(..., help="a directory written by `kg build`"),
    pubtator: bool = typer.Option(False, "--pubtator", help="compare with PubTator3's annotations (online: sends "
                                  "the PMIDs of OUT to PubTator3)"),
    file: Path | None = typer.Option(None, "-o", "--out", help="write the TSV here instead of stdout"),
):
    """Set our entities of each PMID beside PubTator3's: agreements, ours only, theirs only, with IDs."""
    from kg.online.client import OnlineClient, ServiceUnavailable
    from kg.online.compare import compare as run_compare
    from kg.online.compare import render

    if not pubtator:
        raise KGError("kg compare needs a reference to compare with: add --pubtator")
    client = OnlineClient.from_settings(progress=_progress())
    try:
        rows = run_compare(out, client)
    except ServiceUnavailable as error:
        raise KGError(f"{error}; nothing to compare") from None
    _write_text(file, render(rows))


@app.command()
def resolve(
    text: str = typer.Argument(..., help="a name to ground, e.g. 'esketamine'"),
    online: bool = typer.Option(False, "--online", help="also ask EBI OLS4 (sends TEXT to www.ebi.ac.uk)"),
):
    """Print grounding candidates (id, label, source, score): the local vocabulary first, then OLS4."""
    from kg.online.candidates import candidates

    found, warnings = candidates(text, online=online)
    for line in warnings:
        typer.echo(f"kg: {line}", err=True)
    if not found:
        typer.echo(f"kg: no candidates for {text!r}" + ("" if online else "; try --online to ask OLS4"), err=True)
        raise typer.Exit(1)
    typer.echo("\n".join(c.row() for c in found))


def _write_text(out: Path | None, text: str) -> None:
    """Write ``text`` to ``out`` atomically (a failure never leaves it half-written), or to stdout."""
    if out is None:
        typer.echo(text, nl=False)
        return
    from kg.atomic import atomic_write_text

    atomic_write_text(out, text)


@vocab_app.command(name="build")
def vocab_build(
    out: Path | None = typer.Option(None, "-o", "--out",
                                       help="index directory (default $KG_VOCAB_DIR, else $KG_DATA_DIR/vocab, "
                                            "else the platform's data folder)"),
    source: list[str] = typer.Option([], "--source", "-s", help="only these sources (default: all)"),
    force: bool = typer.Option(False, help="rebuild even when no input changed"),
    offline: bool = typer.Option(False, help="use only what is already in the download cache"),
):
    """Assemble the broad vocabulary index (MeSH mappings, human genes, NCBI Taxonomy, training pairs)."""
    from kg.cache import Cache
    from kg.settings import Settings
    from kg.vocabulary.build import build_index
    from kg.vocabulary.mesh import mesh_csv_path

    settings = Settings.from_env(offline=True) if offline else Settings.from_env()
    mesh_csv_path(Cache(settings.cache_dir, offline=settings.offline))  # MeSH 2026, when not pip-installed
    manifest = build_index(out, sources=source or None, progress=_progress(), force=force, settings=settings)
    typer.echo(manifest.render())
    if out is None:  # the default index is the one builds use: prepare its NER name index now, not on first build
        from kg.nlp import load_pipeline
        from kg.nlp.pipeline import quiet

        started = time.perf_counter()
        nlp = load_pipeline("dictionary")
        list(quiet(nlp.pipe(["warm up"])))
        typer.echo(f"NER names ready ({time.perf_counter() - started:.1f} s)")


@app.command()
def export(
    out: Path = typer.Argument(..., help="a directory written by `kg build`"),
    format: str = typer.Option(..., "--format", "-f", click_type=_choice(WRITERS),
                               help="; ".join(f"{name}: {what}" for name, (_, _, what) in WRITERS.items())),
    file: Path = typer.Option(..., "-o", "--out", help="output file (a name prefix for kgx and neo4j)"),
):
    """Export the graph for RDF tools, graph visualisers, KGX/Biolink tooling, Neo4j, or an offline viewer."""
    from kg.export import export as run_export

    for written in run_export(out, format, file):
        typer.echo(f"wrote {written}")


@app.command()
def path(
    out: Path = typer.Argument(..., help="a directory written by `kg build`"),
    source: str = typer.Argument(..., metavar="FROM", help="a name, CURIE or IRI"),
    target: str = typer.Argument(..., metavar="TO", help="a name, CURIE or IRI"),
    max_len: int = typer.Option(4, help="longest path, in edges"),
    limit: int = typer.Option(10, help="at most this many paths"),
):
    """Print the paths between two entities, each step with its predicate and qualifiers."""
    from kg.traverse import KnowledgeGraph, render_paths

    graph = KnowledgeGraph.open(out)
    found = graph.paths(source, target, max_len=max_len, limit=limit)
    if not found:
        raise KGError(f"no path of at most {max_len} edges from {source!r} to {target!r}; try a larger --max-len")
    typer.echo(render_paths(graph, found))


@app.command()
def neighbours(
    out: Path = typer.Argument(..., help="a directory written by `kg build`"),
    entity: str = typer.Argument(..., help="a name, CURIE or IRI"),
    depth: int = typer.Option(1, help="how many hops out"),
):
    """Print an entity's neighbourhood: the edges within DEPTH hops."""
    from kg.traverse import KnowledgeGraph

    graph = KnowledgeGraph.open(out)
    typer.echo(graph.format_neighbourhood(graph.neighbourhood(entity, depth=depth)))


@app.command()
def serve(
    out: Path = typer.Argument(..., help="a directory written by `kg build`"),
    host: str = typer.Option("127.0.0.1", help="address to listen on (keep loopback unless you mean to share)"),
    port: int = typer.Option(7878, min=0, max=65535, help="port to listen on"),
    cors: str | None = typer.Option(None, metavar="ORIGIN",
                                    help="let web pages from this origin (e.g. https://yasgui.org) query"),
    allow_dump: bool = typer.Option(False, "--allow-dump", help="offer the whole graph at GET /store"),
    timeout: float = typer.Option(30.0, min=0.1, help="stop a query after this many seconds (HTTP 503)"),
    max_rows: int = typer.Option(100_000, min=1, help="refuse results with more rows or triples (HTTP 422)"),
    max_mb: float = typer.Option(64.0, min=0.001, help="refuse responses larger than this many MB (HTTP 422)"),
    workers: int = typer.Option(2, min=1, help="queries answered at once, each in its own process"),
):
    """Serve OUT read-only as a SPARQL 1.1 Protocol endpoint at /query until interrupted.

    SERVICE is refused unless its endpoint is listed in KG_SERVICE_ALLOW (space-separated IRIs)."""
    import signal

    from kg.serve import Limits
    from kg.serve import serve as run_server
    from kg.serve.http import ServeOptions
    from kg.settings import Settings

    options = ServeOptions(host=host, port=port, cors=cors, allow_dump=allow_dump, workers=workers,
                           limits=Limits(timeout=timeout, max_rows=max_rows, max_bytes=int(max_mb * 2**20)),
                           service_allow=Settings.from_env().service_allow)

    def ready(server) -> None:
        typer.echo(f"SPARQL endpoint: {server.url}  (kg query {server.url} NAME)", err=True)

    def stop(signum, frame) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        run_server(out, options, on_ready=ready)
    except KeyboardInterrupt:
        pass


@app.command()
def push(
    out: Path = typer.Argument(..., help="a directory written by `kg build`"),
    endpoint: str = typer.Option(..., "--endpoint", "-e", help="the store's SPARQL Update endpoint (Oxigraph "
                                 "/update, Virtuoso /sparql-auth) or, with --protocol gsp, its graph store "
                                 "(Oxigraph /store, Virtuoso /sparql-graph-crud-auth)"),
    graph: str | None = typer.Option(None, "--graph", "-g", metavar="IRI",
                                     help="push everything into this one named graph (replacing it)"),
    protocol: str = typer.Option("update", click_type=click.Choice(["update", "gsp"]),
                                 help="SPARQL 1.1 Update (DROP + INSERT DATA) or Graph Store Protocol (PUT)"),
    auth: str | None = typer.Option(None, metavar="USER:PASSWORD", help="HTTP Basic or Digest credentials"),
    batch: int = typer.Option(2000, min=1, help="triples per request (Virtuoso 7 takes at most about 4,000)"),
    timeout: float = typer.Option(60.0, min=0.1, help="seconds to wait for each request's answer"),
):
    """Load OUT into a SPARQL store, replacing each of its named graphs there (pushing again changes nothing)."""
    from kg.push import PushOptions, parse_auth
    from kg.push import push as run_push

    options = PushOptions(endpoint=endpoint, protocol=protocol, graph=graph, batch=batch, timeout=timeout,
                          auth=parse_auth(auth) if auth is not None else None)
    typer.echo(run_push(out, options, progress=_progress()).render(), nl=False)


def main() -> None:
    """Entry point: run the app, turning kg's own errors into one clear line and exit code 2."""
    logging.basicConfig(level=logging.WARNING, format="kg: %(message)s")
    try:
        code = app(standalone_mode=False)
    except KGError as error:
        typer.echo(f"kg: {error}", err=True)
        sys.exit(2)
    except OSError as error:  # the file system refused (permissions, full disk): say so in one line
        where = f" {error.filename}" if error.filename else ""
        typer.echo(f"kg: cannot read or write{where}: {error.strerror or error}; check the path and permissions",
                   err=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("kg: interrupted", err=True)
        sys.exit(130)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except Exception as click_error:  # click usage errors carry their own message and exit code
        from click.exceptions import ClickException

        if isinstance(click_error, ClickException):
            click_error.show()
            sys.exit(click_error.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
