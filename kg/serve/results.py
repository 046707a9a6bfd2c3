"""SPARQL results written as bytes under a row cap and a size cap, in the format a client's Accept header asks for.

kg writes SELECT results itself (JSON, XML, CSV, TSV) rather than through ``QuerySolutions.serialize`` because
that consumes the whole iterator: here every row is counted and the output measured as it is written, so a cross
product stops at the cap instead of filling memory.
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

JSON, XML, CSV, TSV = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                       "text/tab-separated-values")
NTRIPLES, TURTLE = "application/n-triples", "text/turtle"
SOLUTION_TYPES = (JSON, XML, CSV, TSV)
BOOLEAN_TYPES = (JSON, XML)
GRAPH_TYPES = (TURTLE, NTRIPLES)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class TooLarge(Exception):
    """The results passed the row or byte cap; the message says which."""


def choose(accept: str, offered: tuple[str, ...]) -> str | None:
    """The offered media type the Accept header prefers (the first offered for ``*/*`` or no header)."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(p.strip() for p in (accept or "*/*").split(",") if p.strip()):
        kind, *params = (x.strip() for x in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, order, kind.lower()))
    for neg_q, _order, kind in sorted(ranked):
        if neg_q >= 0:
            break
        for media in offered:
            if kind in (media, "*/*", media.split("/")[0] + "/*") or (kind == "application/json" and media == JSON):
                return media
    return None


class _Capped:
    """A byte buffer that raises TooLarge past ``max_bytes`` and counts rows past ``max_rows``."""

    def __init__(self, max_rows: int | None, max_bytes: int | None) -> None:
        self.buffer = io.BytesIO()
        self.rows = 0
        self.max_rows, self.max_bytes = max_rows, max_bytes

    def write(self, text: str) -> None:
        self.buffer.write(text.encode("utf-8"))
        if self.max_bytes is not None and self.buffer.tell() > self.max_bytes:
            raise TooLarge(f"the results are larger than the {self.max_bytes}-byte cap; "
                           "add a LIMIT or narrow the query")

    def row(self) -> None:
        self.rows += 1
        if self.max_rows is not None and self.rows > self.max_rows:
            raise TooLarge(f"the results have more than the {self.max_rows}-row cap; add a LIMIT or narrow the query")


def write_boolean(value: bool, media: str) -> bytes:
    if media == XML:
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    return json.dumps({"head": {}, "boolean": value}).encode()


def write_solutions(variables: list[str], solutions: Iterable[Any], media: str,
                    max_rows: int | None = None, max_bytes: int | None = None) -> bytes:
    """Solutions (rows indexable by variable name) written as ``media``; TooLarge past either cap."""
    out = _Capped(max_rows, max_bytes)
    if media == JSON:
        out.write(json.dumps({"head": {"vars": variables}})[:-1] + ', "results": {"bindings": [')
        for n, solution in enumerate(solutions):
            out.row()
            cells = {v: _json_term(solution[v]) for v in variables if solution[v] is not None}
            out.write(("," if n else "") + "\n" + json.dumps(cells, ensure_ascii=False))
        out.write("\n]}}\n")
    elif media == XML:
        out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
        out.write("".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head><results>\n")
        for solution in solutions:
            out.row()
            xml = "".join(f"<binding name={quoteattr(v)}>{_xml_term(solution[v])}</binding>"
                          for v in variables if solution[v] is not None)
            out.write(f"<result>{xml}</result>\n")
        out.write("</results></sparql>\n")
    elif media == CSV:
        import csv

        line = io.StringIO()
        writer = csv.writer(line, lineterminator="\r\n")
        writer.writerow(variables)
        for solution in solutions:
            out.row()
            writer.writerow(["" if solution[v] is None else _plain(solution[v]) for v in variables])
            out.write(line.getvalue())
            line.seek(0)
            line.truncate()
        out.write(line.getvalue())
    else:  # TSV: terms in their N-Triples syntax
        out.write("\t".join(f"?{v}" for v in variables) + "\n")
        for solution in solutions:
            out.row()
            out.write("\t".join("" if solution[v] is None else str(solution[v]) for v in variables) + "\n")
    return out.buffer.getvalue()


def write_triples(triples: Iterable[Any], media: str, max_rows: int | None = None, max_bytes: int | None = None,
                  prefixes: dict[str, str] | None = None) -> bytes:
    """CONSTRUCT/DESCRIBE triples as N-Triples (streamed) or Turtle (with ``prefixes``); TooLarge past a cap."""
    out = _Capped(max_rows, max_bytes)
    kept = []
    for triple in triples:
        out.row()
        if media == NTRIPLES:
            out.write(f"{triple.subject} {triple.predicate} {triple.object} .\n")
        else:
            kept.append(triple)
    if media == NTRIPLES:
        return out.buffer.getvalue()
    import pyoxigraph

    body = pyoxigraph.serialize(kept, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes) or b""
    out.write(body.decode("utf-8"))
    return body


def _json_term(term: Any) -> dict[str, Any]:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        cell: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            cell["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            cell["datatype"] = term.datatype.value
        return cell
    return {"type": "triple", "value": {k: _json_term(getattr(term, k)) for k in ("subject", "predicate", "object")}}


def _xml_term(term: Any) -> str:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _plain(term: Any) -> str:
    return str(term) if hasattr(term, "subject") else str(term.value)
