"""Human genes (NCBI Gene) with symbols, names, aliases and UniProt/Ensembl xrefs.

Debian's ``r-bioc-org.hs.eg.db`` (Bioconductor org.Hs.eg.db, Artistic-2.0) ships ``org.Hs.eg.sqlite``,
built from NCBI Entrez Gene, UniProt and Ensembl. The package is downloaded and the database file is
extracted from it (no install, no R) and read with :mod:`sqlite3`.
"""
from __future__ import annotations

import logging
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from kg.cache import Cache
from kg.concept import Concept
from kg.errors import VocabularyError
from kg.vocabulary.sources import Input, Source

log = logging.getLogger(__name__)

PACKAGE, VERSION = "r-bioc-org.hs.eg.db", "3.16.0-1"
SHA256 = "0f61810d35b858915b1a9787d8dcab08b7e164c14c20a9e1d86eb9837308c2c2"  # the file PyPI/Debian served at pinning
SOURCE_KEY = f"org.Hs.eg.db-{VERSION}"
DB_SUFFIX = "org.Hs.eg.db/extdata/org.Hs.eg.sqlite"
# NCBI gene types kept; "biological-region" and "unknown" entries are regions, not genes.
GENE_TYPES = frozenset({"protein-coding", "ncRNA", "rRNA", "tRNA", "snRNA", "snoRNA", "scRNA",
                        "pseudo", "other"})


def fetch(cache: Cache) -> list[Input]:
    deb = cache.deb(PACKAGE, VERSION, sha256=SHA256)
    return [Input(PACKAGE, VERSION, deb, "debian"), Input(PACKAGE, VERSION, cache.deb_member(deb, DB_SUFFIX),
                                                          "debian")]


def _multimap(con: sqlite3.Connection, table: str, column: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for key, value in con.execute(f"SELECT _id, {column} FROM {table} ORDER BY rowid"):
        out[key].append(value)
    return out


def read_database(path: Path) -> Iterator[Concept]:
    """One gene Concept per kept NCBI Gene row: label = symbol, synonyms = full name + aliases."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        con.execute("SELECT 1 FROM gene_info LIMIT 1")
    except sqlite3.Error as exc:
        raise VocabularyError(f"{path} is not an org.Hs.eg.db SQLite file ({exc}); delete it from the "
                              "cache and run `kg vocab build` again") from exc
    try:
        aliases = _multimap(con, "alias", "alias_symbol")
        uniprot = _multimap(con, "uniprot", "uniprot_id")
        ensembl = _multimap(con, "ensembl", "ensembl_id")
        rows = con.execute(
            "SELECT g._id, g.gene_id, i.symbol, i.gene_name, t.gene_type FROM genes g "
            "JOIN gene_info i USING (_id) LEFT JOIN genetype t USING (_id) ORDER BY g._id").fetchall()
    finally:
        con.close()
    dropped = 0
    for key, gene_id, symbol, name, gene_type in rows:
        if gene_type is not None and gene_type not in GENE_TYPES:
            dropped += 1
            continue
        synonyms = tuple(s for s in dict.fromkeys([name, *aliases.get(key, ())]) if s and s != symbol)
        xrefs = tuple([f"UniProtKB:{u}" for u in dict.fromkeys(uniprot.get(key, ()))]
                      + [f"ENSEMBL:{e}" for e in dict.fromkeys(ensembl.get(key, ()))])
        yield Concept(f"NCBIGene:{gene_id}", symbol, "gene", synonyms, xrefs, (SOURCE_KEY,))
    log.info("org.Hs.eg.db: dropped %d entries of types outside %s", dropped, sorted(GENE_TYPES))


def parse(inputs: list[Input]) -> Iterator[Concept]:
    return read_database(inputs[-1].path)


SOURCE = Source(
    name="genes",
    description=f"human genes from Debian {PACKAGE}={VERSION} (Bioconductor org.Hs.eg.db, NCBI Gene)",
    fetch=fetch,
    parse=parse,
)
