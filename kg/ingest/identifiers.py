"""PMIDs and PMCIDs as ingest hands them on: well-formed or empty, because the graph mints IRIs from them.

A PubMed IRI is ``.../pubmed/<PMID>``, so a PMID read as ``12>3`` or with a U+FFFD (a file decoded wrongly upstream)
would make an IRI no RDF store accepts. Such a value is no PMID: it is dropped (a PubTator document keeps it as its
id, which the graph percent-encodes) and one warning per file says how many and gives an example.
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace

from kg.document import Document

log = logging.getLogger(__name__)

_PMCID = re.compile(r"^PMC\d+$", re.IGNORECASE)


def is_pmid(value: str) -> bool:
    """ASCII digits only (``"²".isdigit()`` is true too)."""
    return value.isascii() and value.isdigit()


def checked_identifiers(documents: list[Document], source: str) -> list[Document]:
    """``documents`` with every PMID and PMCID that is not one dropped, in place; one warning names the count."""
    dropped: list[str] = []
    for doc in documents:
        doc.pmid = doc.pmid.strip()
        if doc.pmid and not is_pmid(doc.pmid):
            dropped.append(doc.pmid)
            doc.pmid = ""
        for k, ref in enumerate(doc.references):
            pmid, pmcid = ref.pmid.strip(), ref.pmcid.strip()
            good_pmid, good_pmcid = pmid if is_pmid(pmid) else "", pmcid if _PMCID.match(pmcid) else ""
            if (good_pmid, good_pmcid) != (ref.pmid, ref.pmcid):
                dropped.extend(v for v, good in ((pmid, good_pmid), (pmcid, good_pmcid)) if v and not good)
                doc.references[k] = replace(ref, pmid=good_pmid, pmcid=good_pmcid)
    if dropped:
        log.warning("%s: %d PMID/PMCID value%s not made of digits (e.g. %r), so no PubMed or PMC link", source,
                    len(dropped), "" if len(dropped) == 1 else "s", dropped[0][:40])
    return documents
