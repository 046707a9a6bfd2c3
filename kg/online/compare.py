"""``kg compare OUT --pubtator``: our entities of each PMID beside PubTator3's, so a user sees where to trust which.

Compared per document at the concept level (offsets differ when we read a full text and PubTator3 an abstract):
a PubTator3 identifier agrees with one of ours when it is our entity's CURIE or one of its cross-references
(PubTator3 grounds chemicals and diseases to MeSH, genes to NCBI Gene, species to NCBI Taxonomy; kg often to ChEBI
or MONDO with a MeSH xref). What neither side shares is listed as ours only / theirs only, with IDs.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.online.client import OnlineClient

#: PubTator3 annotation type -> the prefix of its bare identifiers (MeSH ones come as ``MESH:D...`` already).
BARE_PREFIX = {"gene": "NCBIGene", "species": "NCBITaxon"}

_OURS = """
SELECT ?pmid ?id ?label ?category ?xref WHERE {
  ?doc fabio:hasPubMedId ?pmid ; biolink:mentions ?e .
  ?e dcterms:identifier ?id ; rdfs:label ?label ; kg:category ?category .
  OPTIONAL { ?e biolink:xref ?xref }
}
"""

@dataclass
class Ours:
    curie: str
    label: str
    category: str
    xrefs: set[str] = field(default_factory=set)

    @property
    def ids(self) -> set[str]:
        return {_key(self.curie)} | {_key(x) for x in self.xrefs}


@dataclass(frozen=True)
class Row:
    pmid: str
    status: str  # agree, ours_only, theirs_only
    ours: str
    theirs: str
    label: str
    category: str

    def tsv(self) -> str:
        return "\t".join((self.pmid, self.status, self.ours or "-", self.theirs or "-", self.label, self.category))


def _key(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return f"{prefix.upper()}:{local}"


def pubtator_curies(identifier: str, kind: str) -> list[str]:
    """CURIEs of one PubTator3 annotation identifier (``MESH:D1;MESH:D2``, ``627``, ``9606``); ``-`` is none."""
    out = []
    for part in re.split(r"[;,|]", identifier):
        part = part.strip()
        if not part or part in ("-", "None", "null"):
            continue
        if ":" not in part:
            prefix = BARE_PREFIX.get(kind.lower())
            if prefix is None:
                continue
            part = f"{prefix}:{part}"
        out.append(part)
    return out


def our_entities(out: Path) -> dict[str, dict[str, Ours]]:
    """``pmid -> curie -> Ours`` for every document of OUT that has a PMID."""
    from kg.graph.prefixes import namespace
    from kg.graph.store import open_store

    store = open_store(out)
    prefixes = "".join(f"PREFIX {p}: <{namespace(p)}>\n" for p in ("fabio", "biolink", "dcterms", "rdfs", "kg"))
    sparql = prefixes + _OURS
    found: dict[str, dict[str, Ours]] = defaultdict(dict)
    for row in store.query(sparql, use_default_graph_as_union=True):  # type: ignore[union-attr]
        pmid, curie = row["pmid"].value, row["id"].value
        entity = found[pmid].setdefault(curie, Ours(curie, row["label"].value, row["category"].value))
        if row["xref"] is not None:
            entity.xrefs.add(row["xref"].value)
    return dict(found)


def compare(out: Path, client: OnlineClient) -> list[Row]:
    """The comparison rows of every PMID document in OUT (PubTator3 asked once per 100 PMIDs)."""
    from kg.online.bioc import pubtator_export

    ours = our_entities(out)
    if not ours:
        raise KGError(f"{out} has no document with a PMID; PubTator3 annotates PubMed articles, so there is nothing "
                      "to compare (build from a PMID, a PubTator file or with --online)")
    theirs = pubtator_export(client, list(ours))
    rows: list[Row] = []
    for pmid in sorted(ours, key=lambda p: int(p) if p.isdigit() else 0):
        got = theirs.get(pmid)
        if got is None:
            continue
        names: dict[str, tuple[str, str]] = {}
        for a in got.documents[0].gold:
            for curie in pubtator_curies(a.identifier, a.type):
                names.setdefault(_key(curie), (a.text, a.type))
        matched: set[str] = set()
        for entity in sorted(ours[pmid].values(), key=lambda e: e.curie):
            shared = sorted(entity.ids & names.keys())
            matched.update(shared)
            if shared:
                rows += [Row(pmid, "agree", entity.curie, s, entity.label, entity.category) for s in shared]
            else:
                rows.append(Row(pmid, "ours_only", entity.curie, "", entity.label, entity.category))
        rows += [Row(pmid, "theirs_only", "", curie, text, kind.lower())
                 for curie, (text, kind) in sorted(names.items()) if curie not in matched]
    missing = sorted(set(ours) - set(theirs))
    if len(missing) == len(ours):
        raise KGError(f"PubTator3 returned none of the {len(ours)} PMID(s) of {out}; nothing to compare")
    return rows


def render(rows: list[Row]) -> str:
    """A TSV of the rows after one ``#`` summary line per PMID (agreements, ours only, theirs only)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row.pmid][row.status] += 1
    lines = [f"# PMID {pmid}: {c['agree']} agree, {c['ours_only']} ours only, {c['theirs_only']} theirs only"
             for pmid, c in counts.items()]
    lines.append("pmid\tstatus\tours\ttheirs\tlabel\tcategory")
    lines += [r.tsv() for r in rows]
    return "\n".join(lines) + "\n"
