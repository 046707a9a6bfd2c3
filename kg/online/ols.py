"""EBI OLS4 term search: candidates for a name in the ontologies kg grounds to (ChEBI, MONDO, HP, GO, UBERON, CL).

``GET <ols>/search?q=...&ontology=chebi,mondo,...`` answers ``{"response": {"numFound": n, "docs": [...]}}`` with
each doc's ``obo_id`` (``CHEBI:6121``), ``label``, ``ontology_name`` and ``iri``. OLS gives no comparable score,
so kg scores each candidate by how close its label is to the query (rapidfuzz ratio of the normalised strings,
0-1), keeping OLS's order for ties.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from kg.online.client import OnlineClient

log = logging.getLogger(__name__)

ONTOLOGIES = ("chebi", "mondo", "hp", "go", "uberon", "cl")
_OBO_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:\S+$")


@dataclass(frozen=True)
class Candidate:
    """One grounding candidate as ``kg resolve`` prints it: ``id  label  source  score``."""

    curie: str
    label: str
    source: str
    score: float

    def row(self) -> str:
        return f"{self.curie}\t{self.label}\t{self.source}\t{self.score:.2f}"


def search(client: OnlineClient, text: str, *, ontologies: tuple[str, ...] = ONTOLOGIES, rows: int = 10
           ) -> list[Candidate]:
    """OLS4's classes named like ``text`` in ``ontologies``, best first; obsolete terms are left out by OLS."""
    from rapidfuzz import fuzz

    from kg.vocabulary import normalise

    params = {"q": text, "ontology": ",".join(ontologies), "rows": str(rows), "type": "class",
              "fieldList": "iri,label,obo_id,ontology_name,short_form,type"}
    answer = client.get("ols", "search", params)
    if not answer.ok:
        return []
    try:
        docs = answer.json()["response"]["docs"]  # type: ignore[index]
    except (ValueError, KeyError, TypeError):
        log.warning("OLS4 answered without response.docs for %r", text)
        return []
    query = normalise(text)
    out = []
    for doc in docs if isinstance(docs, list) else []:
        curie, label = str(doc.get("obo_id") or ""), str(doc.get("label") or "")
        if not _OBO_ID.match(curie) or not label:
            continue
        score = fuzz.ratio(query, normalise(label)) / 100
        out.append(Candidate(curie, label, f"OLS:{doc.get('ontology_name') or curie.split(':')[0].lower()}", score))
    return sorted(out, key=lambda c: -c.score)
