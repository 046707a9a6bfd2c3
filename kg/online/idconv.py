"""The PMC ID converter: DOI ↔ PMID ↔ PMCID for articles in PubMed Central (it knows no other articles).

One request converts up to 200 identifiers of one type (the service's limit), answered as JSON
``{"status": "ok", "records": [{"pmcid": ..., "pmid": ..., "doi": ...}, ...]}``; an identifier it does not know comes
back as a record with ``"status": "error"`` and an ``errmsg``, which kg reads as "not in PMC".
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from kg.online.client import OnlineClient

log = logging.getLogger(__name__)

IDCONV_BATCH = 200


@dataclass(frozen=True)
class IdRecord:
    """The identifiers PMC lists for one article (any may be empty)."""

    pmid: str = ""
    pmcid: str = ""
    doi: str = ""


def _key(kind: str, value: str) -> str:
    return value.casefold() if kind == "doi" else value.upper()


def convert(client: OnlineClient, kind: str, values: Iterable[str]) -> dict[str, IdRecord]:
    """``value -> IdRecord`` for the ``values`` (all of ``kind``: pmid, pmcid or doi) PMC knows; keys as given."""
    wanted = list(dict.fromkeys(v for v in values if v))
    by_key = {_key(kind, v): v for v in wanted}
    found: dict[str, IdRecord] = {}
    for batch in client.batches(wanted, IDCONV_BATCH, "PMC ID converter"):
        params = {"ids": ",".join(batch), "idtype": kind, "format": "json", "versions": "no",
                  **client.ncbi_params()}
        answer = client.get("idconv", "", params)
        if not answer.ok:
            log.info("the PMC ID converter answered HTTP %d for %d ids", answer.status, len(batch))
            continue
        try:
            data = answer.json()
            records = data.get("records", []) if isinstance(data, dict) else None
        except ValueError:
            records = None
        if not isinstance(records, list):
            log.warning("the PMC ID converter answered with no JSON records; %d ids left unconverted", len(batch))
            continue
        for record in records:
            if not isinstance(record, dict) or record.get("status") == "error":
                continue
            ids = IdRecord(pmid=str(record.get("pmid") or ""), pmcid=str(record.get("pmcid") or "").upper(),
                           doi=str(record.get("doi") or ""))
            asked = str(record.get("requested-id") or getattr(ids, kind) or "")
            original = by_key.get(_key(kind, asked))
            if original is not None:
                found[original] = ids
    return found
