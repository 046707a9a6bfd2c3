"""Test helpers: read gold PubTator corpora from ../shared and turn gold annotations into predictions.

Uses ``kg.ingest.read_paths`` when that stage exists, else a minimal local reader of the same format.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.concept import Mention
from kg.document import Document, GoldAnnotation, Span

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
EVAL = SHARED / "eval"

CORPUS_FILES = {
    "bc5cdr": "bc5cdr/CDR_DevelopmentSet.PubTator.txt",
    "ncbi_disease": "ncbi_disease/NCBIdevelopset_corpus.txt",
    "biored": "biored/Dev.PubTator",
    "gnormplus": "gnormplus/GNormPlus_Train.PubTator",
    "nlm_gene": "nlm_gene/NLMgene_Train.PubTator",
    "linnaeus": "linnaeus/Linnaeus_Train.PubTator",
    "s800": "s800/SPECIES_Train.PubTator",
}


def corpus_path(name: str) -> Path:
    path = EVAL / CORPUS_FILES[name]
    if not path.is_file():
        pytest.skip(f"shared corpus {path} is absent")
    return path


def parse_pubtator(text: str, source: str = "") -> list[Document]:
    """Minimal PubTator reader: |t|/|a| lines, six-or-more-column annotation lines, blank-line separated."""
    docs: list[Document] = []
    title: dict[str, str] = {}
    current: Document | None = None
    for line in text.splitlines():
        if "|t|" in line[:20] and line.split("|t|", 1)[0].isdigit():
            pmid, t = line.split("|t|", 1)
            title[pmid] = t
            current = None
        elif "|a|" in line[:20] and line.split("|a|", 1)[0].isdigit():
            pmid, a = line.split("|a|", 1)
            current = Document(id=pmid, text=title.get(pmid, "") + " " + a, source=source, format="pubtator",
                               title=title.get(pmid, ""), pmid=pmid)
            docs.append(current)
        else:
            cols = line.split("\t")
            if len(cols) >= 6 and cols[1].isdigit() and current is not None and cols[0] == current.id:
                current.gold.append(GoldAnnotation(Span(int(cols[1]), int(cols[2])), cols[3], cols[4], cols[5]))
    return docs


def read_gold(name: str, limit: int | None = None) -> list[Document]:
    path = corpus_path(name)
    try:
        from kg.ingest import read_paths
    except ImportError:
        docs = parse_pubtator(path.read_text(encoding="utf-8"), str(path))
    else:
        docs = [d for d in read_paths([path]) if d.format == "pubtator"]
    return docs[:limit] if limit else docs


def our_curie(profile, corpus_type: str, identifier: str) -> str:
    """A gold ID written back as the CURIE kg would produce (the inverse of ``to_corpus_id``)."""
    if ":" in identifier:
        return identifier
    if identifier[:1] in "DC":
        return f"MESH:{identifier}"
    return ("NCBITaxon:" if corpus_type in ("Species", "OrganismTaxon") else "NCBIGene:") + identifier


def gold_as_prediction(documents: list[Document], profile) -> list[Mention]:
    """One predicted Mention per gold mention and gold concept (composites give several), categories inverted."""
    category_of = {}
    for cat, t in profile.categories.items():
        category_of.setdefault(t, cat)
    out = []
    for doc in documents:
        for g in doc.gold:
            t = profile.scoring_type(g.type)
            if t is None:
                continue
            concepts = profile.gold_concepts(g.identifier) or [frozenset({""})]
            for unit in concepts:
                ident = sorted(unit)[0]
                curie = our_curie(profile, t, ident) if ident else ""
                out.append(Mention(doc.id, g.span.start, g.span.end, g.text, category_of[t], curie=curie))
    return out
