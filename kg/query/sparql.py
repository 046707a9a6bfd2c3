"""What kg needs to know about a SPARQL text before anyone runs it: its SERVICE targets and where a binding goes.

A small lexer, not a parser: it only has to tell keywords from strings, IRIs and comments, and it errs on the
side of seeing a SERVICE (a false alarm refuses a query; a miss would let an endpoint make requests for anyone).
Like the SPARQL grammar (and Oxigraph), ``\\u``/``\\U`` escapes are decoded before tokenising, so
``\\u0053ERVICE`` is seen as ``SERVICE``.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from kg.errors import QueryError

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>[\w.-]*:(?:[\w.:%-]|\\.)*)
  | (?P<word>\w+)
  | (?P<space>\s+)
  | (?P<punct>.)
""", re.X | re.S)
_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def decode_escapes(sparql: str) -> str:
    """The query text with ``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by the characters they stand for."""
    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(char, sparql)


def tokens(sparql: str) -> list[Token]:
    """The significant tokens of ``sparql`` (no whitespace, no comments), offsets into the text as given."""
    return [Token(m.lastgroup or "punct", m.group(), m.start()) for m in _TOKEN.finditer(sparql)
            if m.lastgroup not in ("space", "comment")]


def service_targets(sparql: str) -> list[str | None]:
    """The endpoint IRI of every ``SERVICE`` in the query; None where it is a variable or cannot be read."""
    toks = tokens(decode_escapes(sparql))
    prefixes: dict[str, str] = {}
    for i, tok in enumerate(toks[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text] = toks[i + 2].text[1:-1]
    found: list[str | None] = []
    for i, tok in enumerate(toks):
        if tok.kind != "word" or tok.text.upper() != "SERVICE":
            continue
        rest = toks[i + 1:i + 3]
        if rest and rest[0].kind == "word" and rest[0].text.upper() == "SILENT":
            rest = rest[1:]
        target = rest[0] if rest else None
        if target is not None and target.kind == "iri":
            found.append(target.text[1:-1])
        elif target is not None and target.kind == "pname" and target.text.partition(":")[0] + ":" in prefixes:
            ns, _, local = target.text.partition(":")
            found.append(prefixes[ns + ":"] + local)
        else:
            found.append(None)
    return found


def refuse_service(sparql: str, allowed: Collection[str] = ()) -> None:
    """Raise QueryError if the query has a SERVICE whose endpoint is not one of ``allowed`` (exact IRIs)."""
    for target in service_targets(sparql):
        if target is None:
            raise QueryError("the query uses SERVICE with an endpoint that is not a fixed IRI; "
                             "federated queries are refused here")
        if target not in allowed:
            raise QueryError(f"the query uses SERVICE <{target}>, which is not allowed; federated queries are "
                             "refused unless the endpoint is allowed (kg query --allow-service; for kg serve, "
                             "KG_SERVICE_ALLOW)")


def check_variables(names: Collection[str]) -> None:
    """QueryError unless every name is a plain SPARQL variable name (so a binding cannot carry syntax)."""
    for name in names:
        if not _VARIABLE.fullmatch(name):
            raise QueryError(f"--bind variable {name!r} is not a SPARQL variable name (letters, digits, _)")


def bind_values(sparql: str, terms: Mapping[str, str]) -> str:
    """``sparql`` with ``VALUES (?var ...) { (term ...) }`` opening its WHERE pattern, so a FILTER sees the binding.

    ``terms`` maps variable names to terms in N-Triples syntax. Where the query has no pattern to open (a
    ``CONSTRUCT WHERE`` short form, a ``DESCRIBE <iri>``) the VALUES clause trails the query instead.
    """
    check_variables(terms)
    if not terms:
        return sparql
    names = " ".join(f"?{name}" for name in terms)
    clause = f"VALUES ({names}) {{ ({' '.join(terms.values())}) }}"
    at = _pattern_start(tokens(sparql))
    if at is None:
        return f"{sparql}\n{clause}\n"
    return f"{sparql[:at]} {clause} {sparql[at:]}"


def _pattern_start(toks: list[Token]) -> int | None:
    """The offset just after the ``{`` that opens the query's WHERE pattern, if it has one."""
    form = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() in _FORMS), None)
    if form is None:
        return None
    i = form + 1
    if toks[form].text.upper() == "CONSTRUCT":
        while i < len(toks) and toks[i].text != "{":
            if toks[i].kind == "word" and toks[i].text.upper() == "WHERE":
                return None  # CONSTRUCT WHERE { triples }: the short form admits no VALUES inside
            i += 1
        depth = 0
        while i < len(toks):
            depth += {"{": 1, "}": -1}.get(toks[i].text, 0)
            i += 1
            if depth == 0:
                break
    for tok in toks[i:]:
        if tok.text == "{":
            return tok.start + 1
    return None
