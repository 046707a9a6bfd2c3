"""Studies from evidence tables: any table whose headers look like study / design / population / intervention /
finding columns becomes one study per row, its cells parsed into typed designs, entities, doses and outcomes.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from kg.document import Table, TableRow
from kg.extract.context import DocumentContext
from kg.extract.facts import Evidence, Outcome, Publication, Study
from kg.extract.lexicon import cue_regex, designs, lexicon
from kg.extract.publications import match_reference, surname_key
from kg.extract.study_tables import (
    STUDY_ROLES,
    find_publication,
    header_roles,
    lists_studies,
    merge_studies,
    study_tables,
)
from kg.ingest.references import citation_numbers

log = logging.getLogger(__name__)

_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_NUMBERS = re.compile(r"\[\s*(\d+(?:\s*[,;–-]\s*\d+)*)\s*\]?")
_PARTICLE = r"(?:van|von|de|der|del|da|di|le|la|dos|du)"
_AUTHOR = re.compile(
    rf"^\s*((?:{_PARTICLE}\s+)*[^\W\d_][\w'’\-‐]*(?:\s+{_PARTICLE}\s+[\w'’\-‐]+)?)", re.UNICODE
)
_NUMBER = r"\d+(?:\.\d+)?"
__all__ = ["STUDY_ROLES", "doses", "header_roles", "is_study_table", "sample_size", "table_studies"]
# design flags also taken from the sentences that discuss a study (a table's "RCT" rarely says "double-blind")
TEXT_DESIGN_FLAGS = ("double_blind", "placebo", "crossover", "parallel", "open_label")


def is_study_table(table: Table) -> bool:
    """A table read one study per row (column-major tables are transposed by ``study_tables`` first)."""
    return lists_studies(table)


def _cell(row: TableRow, header: str | None) -> tuple[str, tuple[int, int]]:
    if not header:
        return "", (0, 0)
    spans = dict(row.cell_spans)
    span = spans.get(header)
    return row.cell(header).strip(), ((span.start, span.end) if span else (0, 0))


def _numbers(text: str) -> tuple[int, ...]:
    """Reference numbers in a table row's study label; the closing bracket may be cut off ("Gent et al., 2024 [3")."""
    return tuple(dict.fromkeys(n for m in _NUMBERS.finditer(text) for n in citation_numbers(m.group(1))))


@lru_cache(maxsize=1)
def dose_pattern() -> re.Pattern:
    units = sorted((cue for cue, _ in lexicon().cues("dose_unit")), key=len, reverse=True)
    # "40mg" as well as "40 mg": the unit's own left word boundary is dropped (the number bounds it)
    alternatives = (cue_regex(u).removeprefix(r"(?<!\w)") for u in units)
    return re.compile(rf"(?<![\w.])({_NUMBER})\s*(" + "|".join(alternatives) + ")")


def doses(text: str) -> tuple[str, ...]:
    """Doses written as number + unit ("5 mg/kg", "0.5 mg/kg/day"), in text order (units from cues.tsv)."""
    return tuple(f"{m.group(1)} {m.group(2)}" for m in dose_pattern().finditer(text))


def sample_size(text: str) -> int | None:
    """ "n = 28" or "28 individuals/participants/rats" (nouns from cues.tsv)."""
    m = re.search(r"\b[nN]\s*=\s*(\d+)", text)
    if m:
        return int(m.group(1))
    for cue in lexicon().find(text, "participant"):
        before = text[:cue.start].rstrip()
        m = re.search(r"(?<![\d.])(\d+)(?:\s+[a-z-]+){0,2}$", before)
        if m and re.search(r"\d\s*(?:to|–|—|-|and)\s*$", before[:m.start()]):
            continue  # "from 12 to 350 participants" states a range of sizes, not one
        if m and int(m.group(1)) > 1:
            return int(m.group(1))
    return None


def outcomes(ctx: DocumentContext, text: str, span: tuple[int, int]) -> tuple[Outcome, ...]:
    """Clauses of a finding cell with their direction ("Reduced cocaine-seeking" -> decreased)."""
    out = []
    pos = 0
    for clause in re.split(r"[;,]", text):
        start = text.find(clause, pos)
        pos = start + len(clause)
        clause_text = clause.strip()
        if not clause_text:
            continue
        direction = lexicon().first_value(clause_text, "direction")
        c_start = span[0] + start if span != (0, 0) else -1
        curies = (
            tuple(dict.fromkeys(h.curie for h in ctx.hits_in(c_start, c_start + len(clause)))) if c_start >= 0 else ()
        )
        out.append(Outcome(clause_text, direction, curies))
    return tuple(out)


def _split_comparator(text: str) -> tuple[str, str, int]:
    """ "Esketamine vs placebo/antidepressants" -> ("Esketamine", "placebo/antidepressants", 15): the comparator and
    where it starts in ``text`` (-1 without one; searching for it again would find an earlier copy in "X vs X + Y").
    A dose after "vs" ("5 mg/kg vs 10 mg/kg") is a dose comparison, not a comparator."""
    for cue in lexicon().find(text, "comparison"):
        after = text[cue.end:].strip()
        if doses(after) and re.match(rf"^{_NUMBER}", after):
            continue
        start = len(text) - len(text[cue.end:].lstrip()) if after else -1
        return text[:cue.start].strip(), after, start
    return text, "", -1


def _hits(ctx: DocumentContext, span: tuple[int, int], categories: set[str] | None = None) -> tuple[str, ...]:
    if span == (0, 0):
        return ()
    hits = ctx.hits_in(*span)
    return tuple(dict.fromkeys(h.curie for h in hits if categories is None or h.category in categories))


def table_studies(ctx: DocumentContext, pubs: list[Publication]) -> list[Study]:
    """One Study per row of every study table in the document (a study in several tables is one study)."""
    studies: list[Study] = []
    keys: set[str] = set()
    rows: list[Study] = []
    for table in study_tables(ctx.doc.tables):
        roles = header_roles(table.header)
        rows += [st for row in table.rows if (st := _row_study(ctx, row, roles, pubs)) is not None]
    for study in merge_studies(rows):
        key = study.key
        i = 2
        while study.key in keys:
            study.key = f"{key} ({i})"
            i += 1
        keys.add(study.key)
        studies.append(study)
    from kg.extract.citation_inference import infer_citations

    infer_citations(ctx, studies, pubs)
    for study in studies:
        _attach_sentences(ctx, study)
    return studies


def _row_study(ctx: DocumentContext, row: TableRow, roles: dict[str, str], pubs: list[Publication]) -> Study | None:
    label, _ = _cell(row, roles.get("study"))
    label = " ".join(label.split()).rstrip("*†‡ ")
    if not label:
        return None
    design_text, _ = _cell(row, roles.get("design"))
    population, pop_span = _cell(row, roles.get("population"))
    size = int(population) if population.isdigit() else sample_size(population)  # a "Number of patients" cell
    intervention_cell, int_span = _cell(row, roles.get("intervention"))
    comparator_cell, comp_span = _cell(row, roles.get("comparator"))
    finding, find_span = _cell(row, roles.get("finding"))

    m = _AUTHOR.match(label)
    first_author = m.group(1) if m else ""
    year_m = _YEAR.search(label)
    year = int(year_m.group(1)) if year_m else None
    numbers = _numbers(label)
    publication = match_reference(pubs, first_author, year, numbers) or find_publication(pubs, first_author, year)
    if publication is None and first_author:
        publication = Publication(ctx.doc.id, None, re.sub(r"\s*\[.*$", "", label).strip(), year=year,
                                  authors=(first_author,), raw=f"{ctx.doc.id} {surname_key(first_author)} {year or ''}")

    intervention, comparator, offset = _split_comparator(intervention_cell)
    if comparator_cell:
        comparator = comparator_cell
    comparator_start = int_span[0] + offset if offset >= 0 and not comparator_cell else -1
    if comparator_cell:
        comp_curies = _hits(ctx, comp_span)
    elif comparator_start >= 0:
        comp_curies = _hits(ctx, (comparator_start, int_span[1]))
    else:
        comp_curies = ()
    int_end = comparator_start if comparator_start >= 0 else int_span[1]
    interventions = _hits(ctx, (int_span[0], int_end)) if int_span != (0, 0) else ()

    design_keys = tuple(d.key for d in designs() if d.pattern.search(design_text))
    if not design_keys and design_text:
        log.info("design %r of study %r matches no design in designs.tsv", design_text, label)
    study = Study(
        doc_id=ctx.doc.id,
        key=f"{first_author} {year}" if first_author and year else label,
        label=re.sub(r"\s*\[[^\]]*$", "", label).strip() or label,
        first_author=first_author,
        year=year,
        design_text=design_text,
        designs=design_keys,
        population=population,
        intervention=intervention_cell,
        comparator=comparator,
        finding=finding,
        sample_size=size,
        doses=doses(intervention_cell),
        routes=tuple(dict.fromkeys(c.value for c in lexicon().find(intervention_cell, "route"))),
        organisms=_hits(ctx, pop_span, {"organism"}),
        conditions=_hits(ctx, pop_span, {"disease", "phenotype"}),
        population_entities=_hits(ctx, pop_span),
        interventions=interventions,
        comparators=comp_curies,
        outcomes=outcomes(ctx, finding, find_span),
        publication=publication,
        span=(row.span.start, row.span.end),
    )
    return study


def _attach_sentences(ctx: DocumentContext, study: Study) -> None:
    """Sentences that cite the study's reference number or name its first author; they add size and flags."""
    numbers = set(study.numbers)
    author = (
        re.compile(rf"\b{re.escape(study.first_author)}\b(?:\s+et\s+al\.?|\s+and\s+|\s*&)", re.IGNORECASE)
        if study.first_author
        else None
    )
    for s, e in ctx.sentences:
        if study.span[0] <= s < study.span[1]:
            continue
        cited = bool(numbers.intersection(ctx.citations_in(s, e)))
        named = author is not None and author.search(ctx.text(s, e))
        if cited or named:
            study.evidence.append(Evidence(ctx.doc.id, s, e, ctx.text(s, e)))
    flags = [d for d in designs() if d.key in TEXT_DESIGN_FLAGS and d.key not in study.designs]
    for ev in study.evidence:
        if study.sample_size is None:
            study.sample_size = sample_size(ev.text)
        for d in flags:
            if d.pattern.search(ev.text) and d.key not in study.designs:
                study.designs = (*study.designs, d.key)
