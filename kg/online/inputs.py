"""The online ingest stage of ``kg build --online``: files and fetched papers → documents, references completed,
cited studies followed, and the record of it all that goes into the graph.

Failure is normal: each service that cannot be reached is skipped for the rest of the run and named in one
warning line; the build goes on with what it has (local files, cached answers, whatever did answer). Only when no
document at all is left is that an error, raised before OUT is touched.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kg.document import Document
from kg.errors import InputError
from kg.online.identifiers import PaperId
from kg.online.provenance import OnlineRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OnlineOptions:
    """``kg build --online [--follow-citations]``."""

    follow_citations: bool = False


def read_online(paths: list[Path], ids: list[PaperId], options: OnlineOptions, *, progress: bool = False,
                client=None) -> tuple[list[Document], OnlineRecord]:
    """Read ``paths``, fetch ``ids``, complete every reference list and, with ``follow_citations``, fetch the
    abstracts of the cited studies (each its own document, so its own named graph)."""
    from kg.ingest import read_paths
    from kg.ingest.reader import make_ids_unique
    from kg.online.client import OnlineClient
    from kg.online.fetch import fetch_abstracts, fetch_papers
    from kg.online.references import complete_references

    client = client or OnlineClient.from_settings(progress=progress)
    record = OnlineRecord()
    documents = read_paths(paths) if paths else []
    if ids:
        fetched = fetch_papers(client, ids)
        by_id = {id(d): d for d in fetched.documents}
        record.fetched = [(next(d for d in fetched.documents if d.id == f.doc_id), f) for f in fetched.provenance]
        documents += list(by_id.values())
        record.counts["fetched"] = len(fetched.documents)
        _missing(fetched.missing, "paper", "papers")
    reviews = [d for d in documents if d.references]
    record.reviews = reviews
    record.completion = complete_references(client, reviews)
    if reviews:
        record.counts["refs filled"] = record.completion.counts.get("completed", 0)
    if options.follow_citations:
        have = {d.pmid for d in documents if d.pmid}
        cited = list(dict.fromkeys(r.pmid for d in reviews for r in d.references if r.pmid and r.pmid not in have))
        followed = fetch_abstracts(client, cited, record.completion.records)
        docs = {d.id: d for d in followed.documents}
        record.followed = list(docs.values())
        record.fetched += [(docs[f.doc_id], f) for f in followed.provenance]
        documents += record.followed
        record.counts["followed"] = len(record.followed)
        _missing(followed.missing, "cited study", "cited studies")
    client.log_warnings()
    if not documents:
        raise InputError("nothing to build: no input file was given and no paper could be fetched; check the "
                         "identifiers and the network (the warnings above say which service failed)")
    make_ids_unique(documents)
    log.info("online: %d HTTP requests sent", client.requests)
    return documents, record


def _missing(missing: list[str], one: str, many: str) -> None:
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        log.warning("no text found for %d %s (%s); built without %s", len(missing), one if len(missing) == 1 else many,
                    shown, "it" if len(missing) == 1 else "them")
