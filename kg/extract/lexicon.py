"""The extraction rules' data: cue words, table-column roles, study designs, statistics and predicates.

Every word a rule reacts to lives in ``ontologies/extraction/*.tsv`` so the rules stay generic (nothing is keyed to
one review's wording) and a curator can extend them without touching code.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from kg.errors import VocabularyError
from kg.paths import ontologies_dir

EXTRACTION_DIR = ontologies_dir() / "extraction"


@dataclass(frozen=True)
class Cue:
    """One cue found in a text: its kind, the value it carries, and its document offsets."""

    kind: str
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Design:
    key: str
    pattern: re.Pattern
    label: str
    biolink_class: str
    schema_class: str
    terms: tuple[str, ...]
    family: str = ""  # study family compared when matching a row to citing sentences (trial, observational, ...)
    literals: tuple[str, ...] = ("",)  # each cue's required_literal: on ASCII text one of them must occur

    def finditer(self, text: str) -> Iterator[re.Match]:
        """The pattern's matches in ``text``; none looked for in ASCII text that holds none of :attr:`literals`."""
        lowered = searchable(text)
        if not any(may_match(literal, lowered) for literal in self.literals):
            return iter(())
        return self.pattern.finditer(text)


@dataclass(frozen=True)
class Measure:
    key: str
    aliases: tuple[str, ...]
    cls: str
    label: str
    kind: str


@dataclass(frozen=True)
class Predicate:
    key: str
    predicate: str
    mirror: str
    knowledge_level: str
    asserted: bool = True  # write the direct core triple (no for associations that state no positive claim)
    qualified_predicate: str = ""  # the association's Biolink qualified_predicate (biolink:causes), if any


@dataclass(frozen=True)
class Term:
    curie: str
    label: str
    parent: str


def read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of ``ontologies/extraction/<name>`` (``#`` lines are comments); VocabularyError when unreadable."""
    path = EXTRACTION_DIR / name
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    except FileNotFoundError as exc:
        raise VocabularyError(f"extraction data file {path} is missing; restore ontologies/extraction/{name}") from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise VocabularyError(f"{path}: line {line} is not UTF-8 ({exc.reason}); save the file as UTF-8") from exc
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for i, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise VocabularyError(f"{path}: row {i} has the wrong number of tab-separated columns; fix the file")
    return rows


def cue_regex(cue: str) -> str:
    """A cue as a regex: ``*`` = any word ending, ``?`` = one letter (randomi?ed), spaces/hyphens interchangeable."""
    out = []
    for ch in cue:
        if ch == "*":
            out.append(r"\w*")
        elif ch == "?":
            out.append(r"\w")
        elif ch in " -":
            out.append(r"[\s\-‐–]+")
        else:
            out.append(re.escape(ch))
    body = "".join(out)
    left = r"(?<!\w)" if re.match(r"\w", cue) else ""
    right = r"(?!\w)" if re.search(r"[\w*]$", cue) else ""
    return left + body + right


def case_sensitive(cue: str) -> bool:
    """Short all-caps cues (ROR, OR, IV, RCT) must not fire on ordinary words ("or", "iv")."""
    letters = [c for c in cue if c.isalpha()]
    return bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters)


def required_literal(cue: str, optional: str = "") -> str:
    """The longest ASCII run of ``cue`` that every match of :func:`cue_regex` contains as written (lower-cased).

    On ASCII text, a cue whose required literal is not in the lower-cased text cannot match, case-sensitive or
    not, so its regex need not run (:func:`may_match`). Wildcards, separators, the ``optional`` characters (those
    a caller's regex makes optional) and non-ASCII letters (which ``re.IGNORECASE`` may match to other letters)
    end a run; ``""`` when the cue has no such run.
    """
    ends = r"[*? \-]|[^\x00-\x7f]" + (f"|[{re.escape(optional)}]" if optional else "")
    return max(re.split(ends, cue), key=len).lower()


def searchable(text: str) -> str | None:
    """``text`` lower-cased for :func:`may_match` when it is ASCII; ``None`` (any cue may match) otherwise."""
    return text.lower() if text.isascii() else None


def may_match(literal: str, lowered: str | None) -> bool:
    """False only when a cue whose :func:`required_literal` is ``literal`` cannot match the text of ``lowered``."""
    return lowered is None or literal in lowered


class Lexicon:
    """Cue words by kind, compiled into one regex per kind (longest cue first)."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        by_kind: dict[str, list[tuple[str, str]]] = {}
        for row in rows:
            by_kind.setdefault(row["kind"], []).append((row["cue"], row["value"]))
        self._cues = by_kind
        self._patterns: dict[str, list[tuple[re.Pattern, str, str]]] = {}
        for kind, cues in by_kind.items():
            ordered = sorted(cues, key=lambda c: -len(c[0]))
            self._patterns[kind] = [
                (re.compile(cue_regex(c), 0 if case_sensitive(c) else re.IGNORECASE), v, required_literal(c))
                for c, v in ordered
            ]

    def kinds(self) -> list[str]:
        return sorted(self._cues)

    def cues(self, kind: str) -> list[tuple[str, str]]:
        """The ``(cue, value)`` rows of ``kind`` as written in the data file."""
        return list(self._cues.get(kind, []))

    def _matches(self, text: str, kind: str) -> Iterator[tuple[re.Match, str]]:
        """Every regex match of every cue of ``kind`` with its value, longest cue first. Most texts hold few of a
        kind's cues: on ASCII text a cue whose :func:`required_literal` is absent is skipped unrun."""
        patterns = self._patterns.get(kind, [])
        lowered = searchable(text)
        if lowered is not None:
            patterns = [p for p in patterns if p[2] in lowered]
        for pattern, value, _literal in patterns:
            for m in pattern.finditer(text):
                yield m, value

    def find(self, text: str, kind: str, offset: int = 0) -> list[Cue]:
        """Non-overlapping cues of ``kind`` in ``text`` (longest wins), with offsets shifted by ``offset``."""
        hits: list[Cue] = []
        taken: list[tuple[int, int]] = []
        for m, value in self._matches(text, kind):
            if any(m.start() < e and s < m.end() for s, e in taken) or _broken_word(text, m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            hits.append(Cue(kind, value, m.start() + offset, m.end() + offset, m.group(0)))
        return sorted(hits, key=lambda c: c.start)

    def has(self, text: str, kind: str) -> bool:
        return any(not _broken_word(text, m.start(), m.end()) for m, _ in self._matches(text, kind))

    def first_value(self, text: str, kind: str) -> str:
        """The value of the last cue of ``kind`` in ``text`` (the one nearest what follows), or ``""``."""
        hits = self.find(text, kind)
        return hits[-1].value if hits else ""


_BROKEN_BEFORE = re.compile(r"\w-[ \t]*\n\s*$")
_BROKEN_AFTER = re.compile(r"^-[ \t]*\n\s*[a-z]")


def _broken_word(text: str, start: int, end: int) -> bool:
    """A cue that is only part of a word hyphenated across a line break ("con-\\ntemporary", "no-\\nvel")."""
    return bool(_BROKEN_BEFORE.search(text[max(0, start - 8):start]) or _BROKEN_AFTER.match(text[end:end + 8]))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(read_tsv("cues.tsv"))


@lru_cache(maxsize=1)
def column_roles() -> dict[str, tuple[str, ...]]:
    """Role → header keywords (from ``columns.tsv``)."""
    roles: dict[str, list[str]] = {}
    for row in read_tsv("columns.tsv"):
        roles.setdefault(row["role"], []).append(row["keyword"].lower())
    return {k: tuple(v) for k, v in roles.items()}


def _design(row: dict[str, str]) -> Design:
    cues = [p for p in row["pattern"].split("|") if p]
    alternatives = [cue_regex(p) for p in cues]
    return Design(
        key=row["key"],
        pattern=re.compile("|".join(alternatives), re.IGNORECASE),
        label=row["label"],
        biolink_class=row["biolink_class"],
        schema_class=row["schema_class"],
        terms=tuple(t for t in row["terms"].split("|") if t),
        family=row.get("family") or row["schema_class"],
        literals=tuple(required_literal(p) for p in cues),
    )


@lru_cache(maxsize=1)
def designs() -> tuple[Design, ...]:
    """The recognisable designs (rows with a pattern; the pattern-less default row is ``default_design()``)."""
    return tuple(_design(row) for row in read_tsv("designs.tsv") if row["pattern"])


@lru_cache(maxsize=1)
def default_design() -> Design:
    """The classes of a study whose design is not recognised: the one ``designs.tsv`` row with an empty pattern."""
    rows = [row for row in read_tsv("designs.tsv") if not row["pattern"]]
    if len(rows) != 1:
        raise VocabularyError(
            f"{EXTRACTION_DIR / 'designs.tsv'} has {len(rows)} rows with an empty pattern; "
            "keep exactly one (the default)"
        )
    return _design(rows[0])


@lru_cache(maxsize=1)
def measures() -> dict[str, Measure]:
    return {
        r["key"]: Measure(r["key"], tuple(a for a in r["aliases"].split("|") if a), r["class"], r["label"], r["kind"])
        for r in read_tsv("measures.tsv")
    }


@lru_cache(maxsize=1)
def predicates() -> dict[str, Predicate]:
    """Relation kinds (``predicates.tsv`` rows with a knowledge level)."""
    return {
        r["key"]: Predicate(r["key"], r["predicate"], r["mirror"], r["knowledge_level"],
                            r.get("asserted", "yes") != "no", r.get("qualified_predicate", ""))
        for r in read_tsv("predicates.tsv")
        if r["knowledge_level"]
    }


@lru_cache(maxsize=1)
def properties() -> dict[str, str]:
    """Key → CURIE of the glue properties the writer links nodes with (``predicates.tsv`` rows without a knowledge
    level: ``has_value`` SIO:000300, ``refers_to`` SIO:000628)."""
    return {r["key"]: r["predicate"] for r in read_tsv("predicates.tsv") if not r["knowledge_level"]}


def property_curie(key: str) -> str:
    """The CURIE of glue property ``key``; VocabularyError naming the file when the row is missing."""
    try:
        return properties()[key]
    except KeyError:
        raise VocabularyError(
            f"{EXTRACTION_DIR / 'predicates.tsv'} has no property row {key!r} (a row with no knowledge_level); "
            "restore it"
        ) from None


@lru_cache(maxsize=1)
def minted_terms() -> dict[str, Term]:
    return {r["curie"]: Term(r["curie"], r["label"], r["parent"]) for r in read_tsv("terms.tsv")}


@lru_cache(maxsize=1)
def human_taxa() -> frozenset[str]:
    return frozenset(r["curie"] for r in read_tsv("human_taxa.tsv"))
