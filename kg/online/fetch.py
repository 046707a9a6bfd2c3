"""Paper identifiers → Documents: the full text where PMC has it, else the abstract, each with where it came from.

Order of asking, so each paper costs as few requests as it can: the PMC ID converter maps every identifier to its
PMID/PMCID/DOI in one batch per kind; a DOI it does not know goes to ``esearch``; a PMCID's full text comes from
PMC's BioC API; a paper without one gets its abstract from PubTator3 (with PubTator3's annotations), else from
PubMed (efetch). What no service could give is reported, never invented.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from kg.document import Document
from kg.online.bioc import FetchedBioc, pmc_full_text, pubtator_export
from kg.online.client import OnlineClient, ServiceUnavailable
from kg.online.eutils import PubmedRecord, fetch_records, pmid_of_doi
from kg.online.idconv import IdRecord, convert
from kg.online.identifiers import PaperId

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fetched:
    """Where one document's text came from: the service, the URL asked and when (ISO 8601, UTC)."""

    doc_id: str
    requested: str
    service: str
    url: str
    fetched_at: str
    full_text: bool


@dataclass
class FetchResult:
    documents: list[Document] = field(default_factory=list)
    provenance: list[Fetched] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # identifiers no service could give a text for


def as_abstract(doc: Document, doc_id: str) -> Document:
    """Mark a title-and-abstract document as kg marks a PubTator record (``Document.is_review`` keys on the format:
    an abstract has no reference list or review sections, and is typed a journal article, not a review)."""
    doc.id, doc.format = doc_id, "pubtator"
    return doc


def abstract_id(pmid: str) -> str:
    """The document id of a fetched abstract (its own named graph)."""
    return f"pmid-{pmid}"


def record_document(record: PubmedRecord) -> Document | None:
    """A PubMed record's title and abstract as a Document (read by the BioC reader), or ``None`` without text."""
    from kg.ingest.bioc import parse_bioc

    if not record.title and not record.abstract:
        return None
    passages, offset = [], 0
    for kind, text in (("title", record.title), ("abstract", record.abstract_text)):
        if text:
            passages.append({"offset": offset, "infons": {"type": kind, "section_type": kind.upper()}, "text": text})
            offset += len(text) + 1
    data = {"documents": [{"id": record.pmid, "infons": {"article-id_pmid": record.pmid}, "passages": passages}]}
    docs = parse_bioc(data, source=record.source_url, fallback_id=record.pmid)
    return as_abstract(docs[0], abstract_id(record.pmid)) if docs else None


def _ids(client: OnlineClient, wanted: list[PaperId]) -> dict[PaperId, IdRecord]:
    """Every identifier's PMID/PMCID/DOI as far as the ID converter and esearch know them."""
    out = {p: IdRecord(**{p.kind: p.value}) for p in wanted}
    for kind in ("pmcid", "pmid", "doi"):
        values = [p.value for p in wanted if p.kind == kind]
        if not values:
            continue
        try:
            found = convert(client, kind, values)
        except ServiceUnavailable:
            continue
        for p in wanted:
            if p.kind == kind and p.value in found:
                out[p] = found[p.value]
    for p, ids in out.items():
        if p.kind == "doi" and not ids.pmid:
            try:
                pmid = pmid_of_doi(client, p.value)
            except ServiceUnavailable:
                break
            if pmid:
                out[p] = IdRecord(pmid=pmid, doi=p.value)
    return out


def fetch_papers(client: OnlineClient, wanted: list[PaperId]) -> FetchResult:
    """Documents for ``wanted``: PMC full texts, else abstracts; identifiers with no text end up in ``missing``."""
    result = FetchResult()
    ids = _ids(client, wanted)
    pending: list[tuple[PaperId, IdRecord]] = []
    for paper, rec in ids.items():
        got = _full_text(client, rec.pmcid) if rec.pmcid else None
        if got is None:
            pending.append((paper, rec))
            continue
        for doc in got.documents:
            doc.id = rec.pmcid if len(got.documents) == 1 else doc.id
            doc.pmid = doc.pmid or rec.pmid
        _add(result, got, str(paper), full_text=True)
    abstracts = _abstracts(client, [rec.pmid for _, rec in pending if rec.pmid])
    for paper, rec in pending:
        got = abstracts.get(rec.pmid) if rec.pmid else None
        if got is None:
            result.missing.append(str(paper))
            continue
        _add(result, got, str(paper), full_text=False)
    return result


def _add(result: FetchResult, got: FetchedBioc, requested: str, *, full_text: bool) -> None:
    for doc in got.documents:
        result.documents.append(doc)
        result.provenance.append(Fetched(doc.id, requested, got.service, got.url, got.fetched_at, full_text))


def _full_text(client: OnlineClient, pmcid: str) -> FetchedBioc | None:
    try:
        return pmc_full_text(client, pmcid)
    except ServiceUnavailable:
        return None


def _abstracts(client: OnlineClient, pmids: list[str], records: dict[str, PubmedRecord] | None = None
               ) -> dict[str, FetchedBioc]:
    """Abstracts of ``pmids``: PubTator3's (with its annotations), else PubMed's (``records`` when already
    fetched, so following citations after completing references asks PubMed nothing twice)."""
    out: dict[str, FetchedBioc] = {}
    if not pmids:
        return out
    try:
        for pmid, got in pubtator_export(client, pmids).items():
            out[pmid] = FetchedBioc([as_abstract(d, abstract_id(pmid)) for d in got.documents], got.service, got.url,
                                    got.fetched_at)
    except ServiceUnavailable:
        pass
    rest = [p for p in pmids if p not in out]
    if rest:
        known = dict(records or {})
        try:
            known.update(fetch_records(client, [p for p in rest if p not in known]))
        except ServiceUnavailable:
            pass
        name = client.service("eutils").name
        for pmid in rest:
            record = known.get(pmid)
            doc = record_document(record) if record is not None else None
            if doc is not None and record is not None:
                out[pmid] = FetchedBioc([doc], name, record.source_url, record.fetched_at)
    return out


def fetch_abstracts(client: OnlineClient, pmids: list[str], records: dict[str, PubmedRecord] | None = None
                    ) -> FetchResult:
    """Abstract documents of ``pmids`` (the cited studies of ``--follow-citations``)."""
    result = FetchResult()
    got = _abstracts(client, pmids, records)
    for pmid in pmids:
        if pmid in got:
            _add(result, got[pmid], f"PMID:{pmid}", full_text=False)
        else:
            result.missing.append(f"PMID:{pmid}")
    return result
