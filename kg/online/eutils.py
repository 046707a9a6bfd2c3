"""NCBI E-utilities: PubMed records (title, journal, year, identifiers, MeSH headings, abstract) and DOI → PMID.

``efetch`` (``db=pubmed&retmode=xml``) answers a batch of PMIDs with ``PubmedArticleSet`` XML, which carries
everything a reference needs, MeSH headings included, so one request per 200 PMIDs does what ``esummary`` (no
MeSH) plus ``efetch`` would do in two. ``esearch`` finds the PMID of a DOI the PMC ID converter does not know (the
converter covers PMC articles only); the record fetched for it must carry that DOI, or the PMID is not used.
"""
from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from kg.online.client import OnlineClient

log = logging.getLogger(__name__)

EFETCH_BATCH = 200  # NCBI: "for more than about 200 UIDs, use HTTP POST" — kg stays under that with GET


@dataclass(frozen=True)
class MeshHeading:
    """One MeSH heading of a record: descriptor UI (``D007649``), its name, and whether it is a major topic."""

    ui: str
    label: str
    major: bool = False

    @property
    def curie(self) -> str:
        return f"MESH:{self.ui}"


@dataclass(frozen=True)
class PubmedRecord:
    """What kg reads from one ``PubmedArticle``; ``source_url`` is the efetch URL that answered it."""

    pmid: str
    title: str = ""
    journal: str = ""
    year: int | None = None
    doi: str = ""
    pmcid: str = ""
    authors: tuple[str, ...] = ()
    mesh: tuple[MeshHeading, ...] = ()
    abstract: tuple[tuple[str, str], ...] = ()  # (label, text) per AbstractText; label may be ""
    source_url: str = ""
    fetched_at: str = ""

    @property
    def abstract_text(self) -> str:
        return "\n".join(f"{label}: {text}" if label else text for label, text in self.abstract)


def _text(element: ET.Element | None) -> str:
    """All text inside ``element`` (PubMed titles hold <i>, <sup>...), whitespace collapsed."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _year(article: ET.Element) -> int | None:
    date = article.find("MedlineCitation/Article/Journal/JournalIssue/PubDate")
    text = (date.findtext("Year") or date.findtext("MedlineDate") or "") if date is not None else ""
    m = re.search(r"(?:1[89]|20)\d\d", text)
    if m:
        return int(m.group(0))
    for path in ("MedlineCitation/Article/ArticleDate/Year", "PubmedData/History/PubMedPubDate/Year"):
        found = article.findtext(path)
        if found and found.isdigit():
            return int(found)
    return None


def parse_pubmed_xml(text: str, *, source_url: str = "", fetched_at: str = "") -> list[PubmedRecord]:
    """Every ``PubmedArticle`` of an efetch answer; a record without a PMID is skipped with a debug line."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        log.warning("E-utilities answered with XML that does not parse (%s); those records are skipped", err)
        return []
    records = []
    for article in root.iter("PubmedArticle"):
        pmid = (article.findtext("MedlineCitation/PMID") or "").strip()
        if not pmid.isdigit():
            log.debug("a PubmedArticle without a PMID was skipped")
            continue
        ids = {i.get("IdType", ""): (i.text or "").strip()
               for i in article.iterfind("PubmedData/ArticleIdList/ArticleId")}
        art = article.find("MedlineCitation/Article")
        doi = ids.get("doi", "")
        if not doi and art is not None:
            doi = next(((e.text or "").strip() for e in art.iterfind("ELocationID") if e.get("EIdType") == "doi"), "")
        pmcid = ids.get("pmc", "")
        authors = []
        for a in article.iterfind("MedlineCitation/Article/AuthorList/Author"):
            name = " ".join(p for p in (a.findtext("LastName"), a.findtext("Initials")) if p) or a.findtext(
                "CollectiveName") or ""
            if name:
                authors.append(name)
        mesh = tuple(
            MeshHeading(d.get("UI", ""), _text(d), d.get("MajorTopicYN") == "Y")
            for d in article.iterfind("MedlineCitation/MeshHeadingList/MeshHeading/DescriptorName")
            if re.fullmatch(r"D\d{6,9}", d.get("UI", ""))
        )
        abstract = tuple((t.get("Label", ""), _text(t)) for t in article.iterfind(
            "MedlineCitation/Article/Abstract/AbstractText") if _text(t))
        journal = _text(art.find("Journal/ISOAbbreviation")) or _text(art.find("Journal/Title")) if art is not None \
            else ""
        records.append(PubmedRecord(
            pmid=pmid, title=_text(art.find("ArticleTitle")) if art is not None else "", journal=journal,
            year=_year(article), doi=doi, pmcid=pmcid.upper() if pmcid.upper().startswith("PMC") else "",
            authors=tuple(authors), mesh=mesh, abstract=abstract, source_url=source_url, fetched_at=fetched_at))
    return records


def fetch_records(client: OnlineClient, pmids: Iterable[str]) -> dict[str, PubmedRecord]:
    """PubMed records of ``pmids`` (batched, cached); PMIDs PubMed does not return are simply absent."""
    wanted = sorted({p for p in pmids if p.isdigit()}, key=int)
    found: dict[str, PubmedRecord] = {}
    for batch in client.batches(wanted, EFETCH_BATCH, "PubMed records"):
        params = {"db": "pubmed", "id": ",".join(batch), "retmode": "xml", **client.ncbi_params()}
        answer = client.get("eutils", "efetch.fcgi", params)
        if not answer.ok:
            log.info("efetch answered HTTP %d for %d PMIDs", answer.status, len(batch))
            continue
        for record in parse_pubmed_xml(answer.text, source_url=answer.url, fetched_at=answer.fetched_at):
            found[record.pmid] = record
    return found


def pmid_of_doi(client: OnlineClient, doi: str) -> str:
    """The one PMID PubMed lists for ``doi``, else ``""`` (none, or several: an ambiguous answer is no answer)."""
    params = {"db": "pubmed", "term": f'"{doi}"[doi]', "retmode": "json", **client.ncbi_params()}
    answer = client.get("eutils", "esearch.fcgi", params)
    if not answer.ok:
        return ""
    try:
        data = answer.json()
        ids = data["esearchresult"]["idlist"]  # type: ignore[index]
    except (ValueError, KeyError, TypeError):
        log.warning("esearch answered without an esearchresult.idlist for %s; skipped", doi)
        return ""
    ids = [str(i) for i in ids if str(i).isdigit()]
    return ids[0] if len(ids) == 1 else ""
