"""MeSH descriptors and supplementary concepts with their mappings to other ontologies, from gilda.

gilda 1.6.1 (BSD-2-Clause, PyPI) ships ``gilda/resources/mesh_mappings.tsv``: MeSH id and label, then
a mapped namespace (CHEBI, HGNC, FPLX, DOID, EFO, HP, GO), id and label. The mapped namespace gives a
MeSH entry its category and its cross-references; the wheel is read as a zip and never installed. The
same wheel's ``ner_stoplist.txt`` is a curated list of words that look like names but are not.
"""
from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Iterator

from kg.cache import Cache
from kg.concept import Concept
from kg.vocabulary.sources import Input, Source, wheel_member

log = logging.getLogger(__name__)

PACKAGE, VERSION = "gilda", "1.6.1"
SHA256 = "618c6693fc4582ae06a1aa755ce80073f03414458cb2631fe7ccfb347422cbe8"  # the file PyPI/Debian served at pinning
SOURCE_KEY = f"{PACKAGE}-{VERSION}"
MAPPINGS_MEMBER = "gilda/resources/mesh_mappings.tsv"
STOPLIST_MEMBER = "gilda/resources/ner_stoplist.txt"
MESH_PREFIX = "MESH"

# Mapped namespace -> (kg category, CURIE prefix). Earlier rows win when one MeSH id maps to several.
NAMESPACES: dict[str, tuple[str, str]] = {
    "CHEBI": ("chemical", "CHEBI"),
    "HGNC": ("gene", "HGNC"),
    "FPLX": ("gene", "FPLX"),
    "DOID": ("disease", "DOID"),
    "EFO": ("disease", "EFO"),  # category decided per entry, see _category
    "HP": ("phenotype", "HP"),
    "GO": ("process", "GO"),
}
_PRIORITY = {ns: i for i, ns in enumerate(NAMESPACES)}


def _category(mesh_id: str, label: str, namespace: str) -> str:
    """The namespace's category, except EFO's: EFO also holds measurements, functions and procedures
    ("Executive Function", "Therapeutics"), so MeSH's own qualifier-based guess decides those."""
    if namespace != "EFO":
        return NAMESPACES[namespace][0]
    from kg.vocabulary.mesh import mesh_category, mesh_qualifiers

    return mesh_category(label, mesh_qualifiers(mesh_id))


def xref_curie(namespace: str, identifier: str) -> str:
    """``("EFO", "0020998")`` -> ``EFO:0020998``; ids that already carry their prefix are kept."""
    prefix = NAMESPACES[namespace][1]
    return identifier if identifier.startswith(prefix + ":") else f"{prefix}:{identifier}"


def fetch(cache: Cache) -> list[Input]:
    return [Input(PACKAGE, VERSION, cache.wheel(PACKAGE, VERSION, sha256=SHA256), "pypi")]


def parse_mappings(text: str) -> Iterator[Concept]:
    """One Concept per MeSH id of the TSV; unknown namespaces and malformed rows are skipped."""
    rows: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    labels: dict[str, str] = {}
    skipped = 0
    for row in csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) != 6 or row[0] != "MESH" or row[3] not in NAMESPACES or not row[1]:
            skipped += 1
            continue
        labels[row[1]] = row[2]
        rows[row[1]].append((row[3], row[4], row[5]))
    if skipped:
        log.info("gilda mesh_mappings: skipped %d rows of unknown shape or namespace", skipped)
    for mesh_id, mapped in rows.items():
        mapped.sort(key=lambda m: _PRIORITY[m[0]])
        label = labels[mesh_id]
        category = _category(mesh_id, label, mapped[0][0])
        synonyms = tuple(dict.fromkeys(m[2] for m in mapped if m[2] and m[2] != label))
        xrefs = tuple(dict.fromkeys(xref_curie(m[0], m[1]) for m in mapped))
        yield Concept(f"{MESH_PREFIX}:{mesh_id}", label, category, synonyms, xrefs, (SOURCE_KEY,))


def parse(inputs: list[Input]) -> Iterator[Concept]:
    return parse_mappings(wheel_member(inputs[0].path, MAPPINGS_MEMBER))


def stoplist(inputs: list[Input]) -> list[str]:
    """gilda's NER stop-list (words such as "Methods" or "Control" that are not entity names)."""
    lines = (line.strip() for line in wheel_member(inputs[0].path, STOPLIST_MEMBER).splitlines())
    return [line for line in lines if line and not line.startswith("#")]


SOURCE = Source(
    name="gilda-mesh",
    description=f"MeSH ids with CHEBI/HGNC/FPLX/DOID/EFO/HP/GO mappings from {PACKAGE}=={VERSION} (BSD-2)",
    fetch=fetch,
    parse=parse,
    stoplist=stoplist,
)
