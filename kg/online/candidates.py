"""``kg resolve TEXT [--online]``: grounding candidates for a name, local vocabulary first, then EBI OLS4.

Local candidates are the vocabulary's exact (normalised) name matches, score 1, then its best fuzzy match
(rapidfuzz score, the same index the resolver uses); OLS4 adds ontology classes the local vocabulary lacks.
"""
from __future__ import annotations

from kg.online.ols import Candidate


def local_candidates(text: str, vocabulary=None) -> list[Candidate]:
    """What the local vocabulary offers for ``text``: exact name matches, else the best fuzzy match."""
    from kg.resolve.fuzzy import fuzzy_index
    from kg.vocabulary import load_vocabulary

    vocabulary = vocabulary or load_vocabulary()
    seen: set[str] = set()
    out = []
    for concept in vocabulary.lookup(text):
        if concept.curie not in seen:
            seen.add(concept.curie)
            out.append(Candidate(concept.curie, concept.label, "local:" + ",".join(concept.sources or ("kg",)), 1.0))
    if not out:
        best = fuzzy_index(vocabulary).best(text, "concept", 0.85)
        if best is not None:
            c = best.concept
            out.append(Candidate(c.curie, c.label, "local:" + ",".join(c.sources or ("kg",)) + " (fuzzy)", best.score))
    return out


def candidates(text: str, *, online: bool = False, client=None, vocabulary=None) -> tuple[list[Candidate], list[str]]:
    """``(candidates, warnings)``: local ones first, then OLS4's (with ``online``) that name another CURIE."""
    found = local_candidates(text, vocabulary)
    warnings: list[str] = []
    if online:
        from kg.online.client import OnlineClient, ServiceUnavailable
        from kg.online.ols import search

        client = client or OnlineClient.from_settings()
        known = {c.curie.upper() for c in found}
        try:
            found += [c for c in search(client, text) if c.curie.upper() not in known]
        except ServiceUnavailable:
            pass
        warnings = client.warnings()
    return found, warnings
