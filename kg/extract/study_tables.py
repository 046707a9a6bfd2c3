"""Which tables list studies, in which orientation, and one study per publication across tables.

A review lays its study table out one row per study (``| Study | Design | ... |``) or one column per study (field
names down the first column, as OCR'd trial tables often are); the second is transposed here so the row reader in
``studies.py`` reads both. A table whose study column names publications ("Smith et al. (1960)") lists studies even
when its other columns are no study fields (a risk-of-bias table), and the same study in several tables (risk of bias,
adverse events, characteristics) is one study.
"""
from __future__ import annotations

import re
import unicodedata

from kg.document import Span, Table, TableRow
from kg.extract.facts import Publication, Study
from kg.extract.lexicon import column_roles
from kg.ingest.tables import LABEL

STUDY_ROLES = ("design", "population", "intervention", "comparator", "finding")
LABEL_SHARE = 0.8  # share of a study column's cells that must name a publication


def header_roles(header: tuple[str, ...]) -> dict[str, str]:
    """Map roles to header names; a header naming the study and something else ("Study type") takes the other, and
    a header naming several roles takes the first in ``columns.tsv`` order."""
    roles = column_roles()
    found: dict[str, str] = {}
    for name in header:
        words = re.findall(r"[a-z]+", name.lower())
        matched = [r for r, keys in roles.items() if any(w.startswith(k) for w in words for k in keys)]
        specific = [r for r in matched if r != "study"] or matched
        for role in specific[:1]:
            found.setdefault(role, name)
    return found


def names_publication(text: str) -> bool:
    """Does a cell name a publication by first author and year ("Armougom, 2009 [25]", "Smith et al. (1960)")?"""
    return bool(LABEL.match(" ".join(text.split())))


def lists_studies(table: Table) -> bool:
    """Study-field columns, or a study column that names publications."""
    roles = header_roles(table.header)
    if "study" not in roles:
        return False
    if sum(r in roles for r in STUDY_ROLES) >= 2:
        return True
    labels = [row.cell(roles["study"]) for row in table.rows]
    return bool(labels) and sum(map(names_publication, labels)) >= LABEL_SHARE * len(labels)


def transpose(table: Table) -> Table:
    """A column-major table as rows: the first column's cells become the header, each further column one row (its
    header cell, a study's name, becomes the ``Study`` cell when no row of the first column names the study)."""
    first = table.header[0]
    names = tuple(row.cell(first) or f"row {i + 1}" for i, row in enumerate(table.rows))
    has_study = "study" in header_roles(names)
    header = names if has_study else ("Study", *names)
    rows = []
    for column in table.header[1:]:
        cells: list[tuple[str, str]] = [] if has_study else [("Study", column)]
        spans: list[tuple[str, Span]] = []
        for name, row in zip(names, table.rows):
            text = row.cell(column)
            span = dict(row.cell_spans).get(column)
            if text:
                cells.append((name, text))
            if span is not None:
                spans.append((name, span))
        if len(cells) > (0 if has_study else 1):
            covered = [s for _, s in spans] or [table.span]
            rows.append(TableRow(tuple(cells), tuple(spans),
                                 Span(min(s.start for s in covered), max(s.end for s in covered))))
    return Table(header, tuple(rows), table.span)


def _column_major(table: Table) -> bool:
    if lists_studies(table) or len(table.header) < 2 or len(table.rows) < 2:
        return False
    names = tuple(row.cell(table.header[0]) for row in table.rows)
    roles = header_roles(names)
    named = sum(bool(header_roles((n,))) for n in names)  # a field-name column: most of its cells name a field
    return sum(r in roles for r in STUDY_ROLES) >= 2 and named * 2 >= len(names)


def study_tables(tables: list[Table]) -> list[Table]:
    """The tables that list studies, each one study per row (column-major ones transposed)."""
    out = []
    for table in tables:
        if lists_studies(table):
            out.append(table)
        elif _column_major(table):
            out.append(transpose(table))
    return out


def study_key(first_author: str, year: int | None) -> str:
    """A comparable study identity: surname letters only (æ = ae, accents dropped) and year."""
    text = first_author.casefold().replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if c.isalpha())
    return f"{text} {year}" if text and year else ""


def merge_studies(studies: list[Study]) -> list[Study]:
    """One study per first author and year (or publication): the first keeps its key and span, the others fill
    the fields it lacks and add their evidence."""
    kept: list[Study] = []
    index: dict[object, Study] = {}
    for st in studies:
        ids = [k for k in (study_key(st.first_author, st.year), _pub_id(st)) if k]
        seen = next((index[k] for k in ids if k in index), None)
        if seen is None:
            kept.append(st)
            for k in ids:
                index[k] = st
            continue
        fill(seen, st)
        for k in ids:
            index.setdefault(k, seen)
    return kept


def find_publication(pubs: list[Publication], first_author: str, year: int | None) -> Publication | None:
    """The listed work of this first author and year, spelling aside ("Lingjærde" = "Lingjaerde")."""
    key = study_key(first_author, year)
    hits = [p for p in pubs if p.authors and key and study_key(p.authors[0].split(",")[0], p.year) == key]
    return hits[0] if len(hits) == 1 else None


def _pub_id(st: Study) -> object:
    pub = st.publication
    return ("pub", pub.number) if pub is not None and pub.number is not None else None


def fill(target: Study, other: Study) -> None:
    """Copy into ``target`` what it lacks from ``other`` (another table's row or sentence about the same study)."""
    for name in ("design_text", "population", "intervention", "comparator", "finding", "doses", "routes",
                 "organisms", "conditions", "population_entities", "interventions", "comparators", "outcomes"):
        if not getattr(target, name) and getattr(other, name):
            setattr(target, name, getattr(other, name))
    if target.sample_size is None:
        target.sample_size = other.sample_size
    target.designs = tuple(dict.fromkeys((*target.designs, *other.designs)))
    if target.publication is None:
        target.publication = other.publication
    for ev in other.evidence:
        if ev not in target.evidence:
            target.evidence.append(ev)
