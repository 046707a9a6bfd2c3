"""Named SPARQL queries (``queries/*.rq``) run against a kg output directory, a store or an endpoint.

Each ``.rq`` file starts with a ``#`` comment saying what it answers; that header is what ``kg query --list``
shows. Results come back as plain Python values with IRIs compressed to CURIEs through the one prefix map.
A query with SERVICE is refused unless asked for (it would make requests from this machine), and bindings mean
the same on every path: substituted in the store, a ``VALUES`` block opening the pattern for an endpoint.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import QueryError
from kg.paths import queries_dir

if TYPE_CHECKING:
    import pyoxigraph

log = logging.getLogger(__name__)

QUERIES_DIR = queries_dir()
FORMATS = ("table", "tsv", "csv", "json", "turtle", "ntriples")
_XSD = "http://www.w3.org/2001/XMLSchema#"
# Every XSD type derived from xsd:integer, so a literal reads the same whichever one the data uses.
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
                                "unsignedShort", "unsignedByte")}
_DECIMALS = {_XSD + t for t in ("decimal", "double", "float")}

Value = str | int | float | bool | None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    path: Path


@dataclass(frozen=True)
class QueryResult:
    """``rows`` hold Python values: CURIE or IRI strings, literal strings, ints, floats, bools, None if unbound.

    A CONSTRUCT or DESCRIBE result also keeps its ``triples`` (pyoxigraph terms), for Turtle and N-Triples output.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    triples: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)

    def records(self) -> list[dict[str, Value]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def filter(self, keep: Callable[[dict[str, Value]], bool]) -> QueryResult:
        """The rows for which ``keep(record)`` is true, record being a column → value dict."""
        return QueryResult(self.columns, tuple(r for r in self.rows if keep(dict(zip(self.columns, r)))))


def list_queries(directory: Path = QUERIES_DIR) -> list[NamedQuery]:
    """Every ``*.rq`` in ``queries/``, sorted by name, with its comment header as description."""
    out = []
    for path in sorted(directory.glob("*.rq")):
        header = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            header.append(line.lstrip("#").strip())
        out.append(NamedQuery(path.stem, " ".join(header), path))
    return out


def load_query(name_or_path: str | os.PathLike[str]) -> str:
    """The SPARQL text of a named query, or of a ``.rq`` file path; QueryError lists the names when unknown."""
    text = str(name_or_path)
    named = {q.name: q for q in list_queries()}
    if text in named:
        return named[text].path.read_text(encoding="utf-8")
    path = Path(text)
    if path.suffix in (".rq", ".sparql") or os.sep in text:
        if not path.is_file():
            raise QueryError(f"query file {path} does not exist; pass a named query or an existing .rq file")
        return path.read_text(encoding="utf-8")
    names = ", ".join(sorted(named)) or "(none)"
    raise QueryError(f"unknown query {text!r}; available named queries: {names}")


def run_query(
    out_or_store: str | os.PathLike[str] | pyoxigraph.Store,
    query_name_or_path: str | os.PathLike[str],
    bindings: Mapping[str, Any] | None = None,
    *,
    allow_service: bool = False,
    timeout: float | None = None,
) -> QueryResult:
    """Run a named query (or .rq file) on OUT, an open Store, or an http(s) SPARQL endpoint URL.

    The default graph is the union of all named graphs. ``bindings`` pre-bind variables: CURIEs and
    http(s) IRIs become IRIs, other values literals. SERVICE is refused unless ``allow_service``. With a
    ``timeout`` (seconds) a query on OUT runs in a worker process that is killed when it passes; an endpoint
    is given ``timeout`` (default 60 s) to answer.
    """
    from kg.query.sparql import check_variables, refuse_service

    sparql = load_query(query_name_or_path)
    if not allow_service:
        refuse_service(sparql)
    check_variables(bindings or {})
    terms = {k: _term(v) for k, v in (bindings or {}).items()}
    if isinstance(out_or_store, str) and out_or_store.startswith(("http://", "https://")):
        return _run_remote(out_or_store, sparql, terms, 60.0 if timeout is None else timeout)
    import pyoxigraph

    from kg.graph.store import open_store

    if timeout is not None and not isinstance(out_or_store, pyoxigraph.Store):
        return _run_in_worker(Path(out_or_store), sparql, terms, timeout, str(query_name_or_path))
    store = out_or_store if isinstance(out_or_store, pyoxigraph.Store) else open_store(out_or_store)
    substitutions: dict[pyoxigraph.Variable, Any] = {pyoxigraph.Variable(k): v for k, v in terms.items()}
    try:
        solutions = store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)
    except SyntaxError as exc:
        raise QueryError(f"query {query_name_or_path} is not valid SPARQL: {exc}") from exc
    except RuntimeError as exc:  # pyoxigraph's evaluation errors, e.g. a --bind of a variable the query lacks
        raise QueryError(f"query {query_name_or_path} failed: {exc}") from exc
    return query_result(solutions)


def query_result(solutions: Any) -> QueryResult:
    """Shape what ``pyoxigraph.Store.query`` returned (solutions, a boolean or triples) as a QueryResult."""
    import pyoxigraph

    if isinstance(solutions, pyoxigraph.QueryBoolean):
        return QueryResult(("ask",), ((bool(solutions),),))
    if isinstance(solutions, pyoxigraph.QueryTriples):
        triples = tuple(solutions)
        spo = tuple((_value(t.subject), _value(t.predicate), _value(t.object)) for t in triples)
        return QueryResult(("subject", "predicate", "object"), spo, triples)
    columns = tuple(v.value for v in solutions.variables)
    rows = tuple(tuple(_value(sol[c]) for c in columns) for sol in solutions)
    return QueryResult(columns, rows)


def _term(value: Any) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
    import pyoxigraph

    from kg.graph.prefixes import expand

    if isinstance(value, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
        return value
    if isinstance(value, bool):
        return pyoxigraph.Literal(str(value).lower(), datatype=pyoxigraph.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return pyoxigraph.Literal(str(value), datatype=pyoxigraph.NamedNode(_XSD + "integer"))
    if isinstance(value, float):
        return pyoxigraph.Literal(repr(value), datatype=pyoxigraph.NamedNode(_XSD + "double"))
    text = str(value)
    iri = text if text.startswith(("http://", "https://")) else expand(text) if ":" in text else None
    if iri is None:
        return pyoxigraph.Literal(text)
    try:
        return pyoxigraph.NamedNode(iri)
    except ValueError:
        raise QueryError(f"binding {text!r} is not a valid IRI; quote-free CURIEs and http(s) IRIs only") from None


class IRI(str):
    """A str that came from an RDF IRI (so a caller can still tell it from a literal and compress it to a CURIE)."""


def python_value(term: Any) -> Any:
    """An RDF term as Python: IRIs as full ``IRI`` strings, literals as str/int/float/bool, blank nodes "_:id"."""
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return IRI(term.value)
    if isinstance(term, pyoxigraph.Literal):
        return literal_value(term.value, term.datatype.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return str(term)


def _value(term: Any) -> Value:
    """``python_value`` with IRIs compressed to CURIEs: what query results hold."""
    from kg.graph.prefixes import compress

    value = python_value(term)
    return compress(value) if isinstance(value, IRI) else value


def literal_value(text: str, datatype: str) -> Value:
    """A literal's Python value by its datatype IRI (int, float, bool, else the text); unparsable stays text."""
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype in _DECIMALS:
            return float(text)
    except ValueError:
        return text
    if datatype == _XSD + "boolean":
        return text in ("true", "1")
    return text


def _run_remote(url: str, sparql: str, terms: Mapping[str, Any], timeout: float) -> QueryResult:
    """Query an endpoint: bindings open the WHERE pattern as VALUES, so a FILTER on them sees them bound."""
    from kg.query.protocol import post_query, read_results
    from kg.query.sparql import bind_values

    media, body = post_query(url, bind_values(sparql, {k: str(v) for k, v in terms.items()}), timeout=timeout)
    return read_results(media, body, f"SPARQL endpoint {url}")


def _run_in_worker(out: Path, sparql: str, terms: Mapping[str, Any], timeout: float, name: str) -> QueryResult:
    """Run on OUT in a worker process killed after ``timeout`` s (a SERVICE call or a cross product cannot hang)."""
    from kg.graph.store import STORE_DIR, open_store
    from kg.query.protocol import ACCEPT, read_results
    from kg.serve.worker import Request, run_once

    open_store(out)  # OUT's own errors, said plainly, before a worker starts
    answer = run_once(out / STORE_DIR, Request(sparql, ACCEPT, tuple(terms.items())), timeout)
    if answer.status != 200:
        raise QueryError(f"query {name}: {answer.message}")
    return read_results(answer.media_type, answer.body, f"query {name}")


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render as ``table`` (aligned text), ``tsv`` or ``csv`` (header row of variable names) or ``json``;
    a CONSTRUCT or DESCRIBE result also as ``turtle`` or ``ntriples``."""
    if fmt in ("turtle", "ntriples"):
        return _graph_text(result, fmt)
    if fmt == "json":
        return json.dumps(result.records(), indent=2, ensure_ascii=False) + "\n"
    cells = [[_cell(v) for v in row] for row in result.rows]
    if fmt == "tsv":
        clean = [[c.replace("\t", " ").replace("\n", " ") for c in row] for row in cells]
        return "".join("\t".join(r) + "\n" for r in [list(result.columns), *clean])
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(cells)
        return buf.getvalue()
    if fmt == "table":
        shown = [[_clip(c.replace("\n", " ")) for c in row] for row in cells]
        widths = [max([len(h), *(len(r[i]) for r in shown)]) for i, h in enumerate(result.columns)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(result.columns, widths)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in shown]
        return "\n".join(lines) + "\n"
    raise QueryError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _graph_text(result: QueryResult, fmt: str) -> str:
    import pyoxigraph

    from kg.graph.prefixes import prefix_map

    if result.triples is None:
        raise QueryError(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries; use table, tsv, csv or json")
    rdf = pyoxigraph.RdfFormat.TURTLE if fmt == "turtle" else pyoxigraph.RdfFormat.N_TRIPLES
    prefixes = prefix_map() if fmt == "turtle" else None
    return (pyoxigraph.serialize(result.triples, format=rdf, prefixes=prefixes) or b"").decode("utf-8")


def _clip(text: str, width: int = 80) -> str:
    """Table cells are for reading on a terminal; tsv/csv/json keep full values."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
