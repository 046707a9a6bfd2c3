"""The curated vocabulary: hand-checked concepts in ``ontologies/vocabulary/*.tsv``.

Every row names the sources (keys of ``ontologies/sources.tsv``) where its identifiers were seen,
so an ID without a source cannot enter the graph. Rows are validated on load; a malformed file
raises :class:`VocabularyError` naming the file, line and fix.
"""
from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

from kg.categories import CATEGORIES
from kg.concept import Concept
from kg.errors import VocabularyError
from kg.paths import ontologies_dir

__all__ = [
    "COLUMNS", "PREFIXES", "ontologies_dir", "load_sources", "read_curated_file", "load_curated",
]

log = logging.getLogger(__name__)

COLUMNS = ("id", "label", "category", "synonyms", "xrefs", "sources")
# CURIE prefixes (Biolink spelling) allowed for primary IDs and xrefs; RS and NCIT carry the rat strain
# and the NCI Thesaurus IDs that identifiers.md verifies.
PREFIXES = frozenset({
    "MESH", "CHEBI", "DRUGBANK", "PUBCHEM.COMPOUND", "NCBIGene", "HGNC", "UniProtKB", "GO", "NCBITaxon",
    "UBERON", "CL", "MONDO", "HP", "DOID", "UMLS", "EFO", "RS", "NCIT",
})
_CURIE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9.]*):([A-Za-z0-9_.]+)$")


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a tab-separated file with a header, as (line number, column -> value)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if header is None:
                raise VocabularyError(f"{path} is empty; it needs a header line")
            rows = []
            for line, values in enumerate(reader, start=2):
                if not values or not "".join(values).strip() or values[0].startswith("#"):
                    continue
                if len(values) != len(header):
                    raise VocabularyError(
                        f"{path}:{line}: {len(values)} columns, the header has {len(header)}; "
                        "separate columns with one tab each"
                    )
                rows.append((line, dict(zip(header, (v.strip() for v in values)))))
            return rows
    except UnicodeDecodeError as exc:
        raise VocabularyError(f"{path}:{_bad_utf8_line(path)}: not UTF-8 ({exc.reason}); "
                              "save the file as UTF-8") from exc
    except OSError as exc:
        raise VocabularyError(f"cannot read {path}: {exc}") from exc


def _bad_utf8_line(path: Path) -> int:
    """The line of the first byte of ``path`` that is not UTF-8 (a decoder's offset counts from its chunk)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return 1


def load_sources(path: Path | None = None) -> dict[str, str]:
    """Source key -> description, from ``ontologies/sources.tsv`` (columns ``key``, ``source``)."""
    path = path or ontologies_dir() / "sources.tsv"
    return {row["key"]: row["source"] for _, row in _rows(path)}


def _split(value: str, sep: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(sep) if part.strip())


def _check_curie(curie: str, where: str) -> None:
    match = _CURIE_RE.match(curie)
    if not match or match.group(1) not in PREFIXES:
        raise VocabularyError(
            f"{where}: {curie!r} is not a CURIE with a known prefix; use one of {', '.join(sorted(PREFIXES))}"
        )


def read_curated_file(path: Path, sources: dict[str, str]) -> list[Concept]:
    """Read and validate one curated TSV; ``sources`` are the known source keys."""
    concepts = []
    for line, row in _rows(path):
        where = f"{path.name}:{line}"
        missing = [c for c in COLUMNS if c not in row]
        if missing:
            raise VocabularyError(f"{path}: missing column(s) {', '.join(missing)}; the header is {' '.join(COLUMNS)}")
        if not row["id"] or not row["label"]:
            raise VocabularyError(f"{where}: every row needs an id and a label")
        if row["category"] not in CATEGORIES:
            raise VocabularyError(
                f"{where}: unknown category {row['category']!r}; use one of {', '.join(CATEGORIES)}"
            )
        row_sources = _split(row["sources"], ";")
        unknown = [s for s in row_sources if s not in sources]
        if not row_sources or unknown:
            raise VocabularyError(
                f"{where}: {row['id']} needs sources that are keys of ontologies/sources.tsv"
                + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            )
        xrefs = _split(row["xrefs"], "|")
        for curie in (row["id"], *xrefs):
            _check_curie(curie, where)
        concepts.append(
            Concept(
                curie=row["id"],
                label=row["label"],
                category=row["category"],
                synonyms=_split(row["synonyms"], "|"),
                xrefs=xrefs,
                sources=row_sources,
            )
        )
    return concepts


def load_curated(directory: Path | None = None) -> tuple[Concept, ...]:
    """Every concept of ``ontologies/vocabulary/*.tsv`` (files in name order); IDs must be unique."""
    directory = directory or ontologies_dir() / "vocabulary"
    paths = sorted(directory.glob("*.tsv"))
    if not paths:
        raise VocabularyError(f"no curated vocabulary files (*.tsv) in {directory}; restore ontologies/ from the repo")
    sources = load_sources(directory.parent / "sources.tsv")
    concepts: list[Concept] = []
    seen: dict[str, str] = {}
    for path in paths:
        for concept in read_curated_file(path, sources):
            if concept.curie in seen:
                raise VocabularyError(
                    f"{concept.curie} is curated twice ({seen[concept.curie]} and {path.name}); keep one row"
                )
            seen[concept.curie] = path.name
            concepts.append(concept)
    log.debug("read %d curated concepts from %d files", len(concepts), len(paths))
    return tuple(concepts)
