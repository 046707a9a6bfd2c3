"""Reference completion: each entry of a reference list gains what PubMed knows of it (PMID, PMCID, title, journal,
year, MeSH headings), filling blanks only — what the review itself says is never overwritten.

An identifier found online is used only when the record agrees: a DOI read from the review must be the DOI of the
PubMed record found for it (a wrong PMID is worse than none), so a mismatch is counted and left out.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from kg.document import Document, Reference
from kg.online.client import OnlineClient, ServiceUnavailable
from kg.online.eutils import MeshHeading, PubmedRecord, fetch_records, pmid_of_doi
from kg.online.idconv import convert

log = logging.getLogger(__name__)


@dataclass
class Completion:
    """What completion did: the records read (by PMID), counts, and the references it could not place."""

    records: dict[str, PubmedRecord] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def mesh(self, pmid: str) -> tuple[MeshHeading, ...]:
        record = self.records.get(pmid)
        return record.mesh if record is not None else ()


def _same_doi(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def complete_references(client: OnlineClient, documents: list[Document]) -> Completion:
    """Fill the blanks of every reference of ``documents`` in place; services that fail are skipped."""
    done = Completion()
    refs = [(d, k, r) for d in documents for k, r in enumerate(d.references)]
    if not refs:
        return done
    dois = [r.doi for _, _, r in refs if r.doi and not r.pmid]
    pmcids = [r.pmcid for _, _, r in refs if r.pmcid and not r.pmid]
    by_doi: dict[str, str] = {}
    by_pmcid: dict[str, str] = {}
    try:
        by_doi.update({k.casefold(): v.pmid for k, v in convert(client, "doi", dois).items() if v.pmid})
        by_pmcid.update({k.upper(): v.pmid for k, v in convert(client, "pmcid", pmcids).items() if v.pmid})
    except ServiceUnavailable:
        pass
    unknown = sorted({d for d in dois if d.casefold() not in by_doi}, key=str.casefold)
    try:
        for batch in client.batches(unknown, 1, "PubMed DOI searches"):
            pmid = pmid_of_doi(client, batch[0])
            if pmid:
                by_doi[batch[0].casefold()] = pmid
    except ServiceUnavailable:
        pass
    wanted: dict[tuple[str, int], str] = {}
    for doc, k, ref in refs:
        pmid = ref.pmid or by_doi.get(ref.doi.casefold(), "") or by_pmcid.get(ref.pmcid.upper(), "")
        if pmid:
            wanted[(doc.id, k)] = pmid
    try:
        done.records = fetch_records(client, set(wanted.values()))
    except ServiceUnavailable:
        return done
    for doc, k, ref in refs:
        pmid = wanted.get((doc.id, k), "")
        record = done.records.get(pmid)
        if record is None:
            done.count("not found" if pmid or ref.doi else "no identifier")
            continue
        if ref.doi and record.doi and not _same_doi(ref.doi, record.doi):
            done.count("disagreeing")
            log.info("%s reference %d: DOI %s but PubMed record %s has DOI %s; not completed", doc.id, ref.number,
                     ref.doi, pmid, record.doi)
            continue
        doc.references[k] = completed(ref, record)
        done.count("completed")
    log.info("reference completion: %s", ", ".join(f"{n} {name}" for name, n in sorted(done.counts.items())))
    return done


def completed(ref: Reference, record: PubmedRecord) -> Reference:
    """``ref`` with its blanks filled from ``record`` (the review's own words and numbers stay)."""
    return replace(
        ref, pmid=ref.pmid or record.pmid, pmcid=ref.pmcid or record.pmcid, doi=ref.doi or record.doi,
        title=ref.title or record.title, journal=ref.journal or record.journal, year=ref.year or record.year,
        authors=ref.authors or record.authors,
    )
