"""PMC's BioC API (full texts of the PMC Open Access subset) and PubTator3's export (abstracts and PMC full texts
with PubTator3's own annotations), both in BioC JSON, read by the same reader as a local BioC file.

URLs: ``<bioc>/BioC_json/<PMCID>/unicode`` (a list of collections) and
``<pubtator>/publications/export/biocjson?pmids=...`` (``{"PubTator3": [documents]}``; PubTator3 asks for at most
three requests a second and takes a list of PMIDs per request).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from kg.document import Document
from kg.online.client import OnlineClient

log = logging.getLogger(__name__)

PUBTATOR_BATCH = 100


@dataclass(frozen=True)
class FetchedBioc:
    """BioC documents as one answer gave them, with where and when they were fetched (for PROV)."""

    documents: list[Document]
    service: str
    url: str
    fetched_at: str


def _parse(text: str, source: str, fallback: str) -> list[Document]:
    from kg.ingest.bioc import is_bioc_json, parse_bioc
    from kg.ingest.identifiers import checked_identifiers

    try:
        data = json.loads(text)
    except ValueError:
        log.warning("%s did not answer with JSON; skipped", source)
        return []
    if not is_bioc_json(data):
        return []
    return checked_identifiers(parse_bioc(data, source=source, fallback_id=fallback), source)


def pmc_full_text(client: OnlineClient, pmcid: str) -> FetchedBioc | None:
    """The full text of ``pmcid`` from PMC's BioC API, or ``None`` (not in the Open Access subset)."""
    answer = client.get("bioc", f"BioC_json/{pmcid}/unicode")
    if not answer.ok:
        return None
    documents = _parse(answer.text, answer.url, pmcid)
    if not documents:  # the API answers 200 with a plain-text message for articles it does not have
        return None
    return FetchedBioc(documents, client.service("bioc").name, answer.url, answer.fetched_at)


def pubtator_export(client: OnlineClient, pmids: Iterable[str], *, full: bool = False) -> dict[str, FetchedBioc]:
    """``pmid -> FetchedBioc`` (title and abstract, or the full text when ``full`` and PMC has it) with PubTator3's
    annotations as the documents' ``gold``; PMIDs PubTator3 lacks are absent."""
    wanted = sorted({p for p in pmids if p.isdigit()}, key=int)
    out: dict[str, FetchedBioc] = {}
    name = client.service("pubtator").name
    for batch in client.batches(wanted, PUBTATOR_BATCH, "PubTator3 exports"):
        params = {"pmids": ",".join(batch), **({"full": "true"} if full else {})}
        answer = client.get("pubtator", "publications/export/biocjson", params)
        if not answer.ok:
            continue
        for doc in _parse(answer.text, answer.url, "pubtator"):
            if doc.pmid in batch:
                out[doc.pmid] = FetchedBioc([doc], name, answer.url, answer.fetched_at)
    return out
