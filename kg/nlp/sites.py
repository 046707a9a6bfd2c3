"""Cancers a review names by their sites: "malignancies of oral cavity, oropharynx, nasopharynx, larynx and
hypopharynx", "cancers including oral cavity, pharynx, larynx".

The NER reads each site as anatomy, yet the text lists cancers: a reader counts oropharyngeal and laryngeal cancer
among the review's concepts. Where anatomy mentions stand in a list that a cancer noun governs (only list words,
parentheses, other sites and a governing "of", "including", "such as" between them), each site whose MeSH 2026
"<site> Neoplasms" heading exists ("Oropharynx" -> "Oropharyngeal Neoplasms", "Mouth" -> "Mouth Neoplasms") is read
as that heading instead. A site with no such heading keeps its anatomy reading; nothing outside such a list changes.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from kg.concept import Mention

__all__ = ["neoplasm_names", "site_neoplasms"]

_CANCER_RE = re.compile(r"\b(?:cancers?|malignanc(?:y|ies)|tumou?rs?|neoplasms?|carcinomas?)\b", re.IGNORECASE)
# What may stand between the cancer noun and a site of its list: a governing word, list words, parentheticals (the
# share of each site, "(38.7%)"), LaTeX math, and the other sites themselves (blanked out before the test).
_FILLER_RE = re.compile(r"\([^()]*\)|\$[^$]*\$|\b(?:of|the|including|include|includes|in|such|as|involving|"
                        r"affecting|and|or|primary|other)\b|[\s,;:()]", re.IGNORECASE)
WINDOW = 250  # characters from the cancer noun to a site of its list


def neoplasm_names(site: str) -> tuple[str, ...]:
    """The MeSH names a cancer of ``site`` (an anatomy heading) may have: "<site> Neoplasms" and the adjective
    forms MeSH uses ("Larynx" -> "Laryngeal Neoplasms", "Esophagus" -> "Esophageal", "Pancreas" -> "Pancreatic")."""
    names = [site]
    if site.endswith("ynx"):
        names.append(site[:-3] + "yngeal")
    elif site.endswith("us"):
        names.append(site[:-2] + "eal")
    elif site.endswith("as"):
        names.append(site[:-2] + "atic")
    elif site.endswith("on"):
        names.append(site + "ic")
    if site.endswith("s") and not site.endswith(("us", "as")):
        names.append(site[:-1])  # "Salivary Glands" -> "Salivary Gland Neoplasms"
    return tuple(f"{name} Neoplasms" for name in names)


def site_neoplasms(text: str, mentions: Sequence[Mention], vocabulary) -> list[Mention]:
    """``mentions`` with each anatomy site of a cancer list read as its neoplasm heading (see the module)."""
    sites = [m for m in mentions if m.category == "anatomy" and m.curie.startswith("MESH:")]
    if not sites:
        return list(mentions)
    chars = list(text)
    for m in sites:  # the other sites of a list are list items, not words between a site and its cancer noun
        chars[m.start:m.end] = " " * (m.end - m.start)
    blanked = "".join(chars)
    changed: dict[tuple[int, int], Mention] = {}
    for m in sites:
        lead = blanked[max(0, m.sentence[0], m.start - WINDOW):m.start]
        nouns = list(_CANCER_RE.finditer(lead))
        if not nouns or _FILLER_RE.sub("", lead[nouns[-1].end():]):
            continue
        heading = _neoplasm(vocabulary, m.curie)
        if heading is not None:  # read as the heading, which resolution then grounds
            changed[(m.start, m.end)] = replace(m, category=heading.category, curie=heading.curie,
                                                reading=heading.label)
    return [changed.get((m.start, m.end), m) for m in mentions]


def _neoplasm(vocabulary, site_curie: str):
    """The MeSH 2026 neoplasm heading of the anatomy concept ``site_curie``, if MeSH has one."""
    from kg.vocabulary.mesh import mesh_heading

    site = mesh_heading(site_curie)
    for name in neoplasm_names(site) if site else ():
        for concept in vocabulary.lookup(name):
            if concept.prefix == "MESH" and concept.category == "disease" and mesh_heading(concept.curie) == name:
                return replace(concept, label=name)
    return None
