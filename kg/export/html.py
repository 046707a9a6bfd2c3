"""The offline viewer: one HTML page with cytoscape.js and the graph inlined (no network needed to open it).

The page (``viewer_template.html``) colours nodes by category, has a search box, category and relation
filters, and a side panel showing a clicked node's identifiers (linked to their records through the prefix
map), a study's or publication's details and evidence sentences. Edges are filtered by the label a reader
sees (one Biolink predicate can stand for several relations, e.g. ``mentions`` for a review citing a work and
for a document mentioning an entity). ``mentions`` edges start hidden when the graph has statements, since a
document mentioning every entity otherwise dominates the layout.
"""
from __future__ import annotations

import html
import json
import logging
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.atomic import atomic_write_text
from kg.errors import GraphError
from kg.export.palette import category_colours, colour
from kg.projection import as_list

if TYPE_CHECKING:
    import networkx as nx

    from kg.traverse import KnowledgeGraph

log = logging.getLogger(__name__)

# The graph library inlined into every page: cytoscape.js from the npm registry, fetched once through kg's
# download cache (kg/cache.py) and checked against the sha256 of the file it ships.
CYTOSCAPE = ("cytoscape", "3.35.0")
CYTOSCAPE_FILE = "package/dist/cytoscape.min.js"
CYTOSCAPE_SHA256 = "71fa9ebec21a7ca2c40cff6aacc30d1f6464e363662ad4b2c197e1adc770cd94"
RESOLVER = "https://bioregistry.io/"  # for CURIEs whose prefix the project map lacks
_SKIP_EDGE_ATTRS = {"label", "kind", "evidence", "iri", "id", "predicate"}
# what the side panel lists for a study or publication, in this order (projection attribute -> heading)
DETAILS = (("first_author", "first author"), ("dcterms_creator", "authors"), ("year", "year"),
           ("dcterms_date", "date"), ("title", "title"), ("journal", "journal"), ("reference_number", "reference"),
           ("design_text", "design"), ("population_text", "population"), ("intervention_text", "intervention"),
           ("comparator_text", "comparator"), ("dose", "dose"), ("study_size", "participants"),
           ("finding_text", "finding"), ("outcomes", "outcomes"), ("bibo_doi", "DOI"))


def record_url(curie: str) -> str:
    """A link to the authoritative record of ``curie``: its IRI from the prefix map when that is a web page,
    else a bioregistry resolver URL; "" for kg-minted identifiers (they have no record elsewhere)."""
    from kg.graph.prefixes import expand, namespace

    iri = expand(curie) if ":" in curie else None
    if iri:
        return "" if iri.startswith(namespace("kg")) else iri
    if re.match(r"^[A-Za-z][\w.]*:\S+$", curie) and not curie.startswith("sha256:"):
        return RESOLVER + curie
    return ""


def viewer_data(g: nx.MultiDiGraph, title: str) -> dict[str, Any]:
    """What the page's script reads: nodes, edges, the category legend and predicate filter entries."""
    from kg.traverse import edge_summary

    degree = dict(g.degree())
    nodes = []
    for n, d in sorted(g.nodes(data=True)):
        names = [str(d.get("label", n)), n, *(d.get("synonyms") or []), *(d.get("xref") or [])]
        ids = list(dict.fromkeys([n, *(d.get("xref") or []), *(d.get("exact_match") or [])]))
        nodes.append({
            "id": n, "label": str(d.get("label", n)), "category": str(d.get("category", "")),
            "kind": d.get("kind", ""), "colour": colour(str(d.get("category", ""))),
            "size": 14 + min(26, 3 * degree.get(n, 0)),
            "identifiers": [{"curie": c, "url": record_url(c)} for c in ids],
            "synonyms": list(d.get("synonyms") or []), "evidence": list(d.get("mention_sentences") or []),
            "details": [[head, "; ".join(map(str, as_list(d[k])))] for k, head in DETAILS
                        if d.get("kind") != "entity" and as_list(d.get(k))],
            "search": "\n".join(names).lower(), "names": "\n" + "\n".join(names).lower() + "\n",
        })
    edges = []
    for u, v, key, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        attrs = [[k, "; ".join(map(str, val)) if isinstance(val, list) else str(val)]
                 for k, val in sorted(d.items()) if k not in _SKIP_EDGE_ATTRS]
        edges.append({"id": str(key), "source": u, "target": v, "predicate": d["predicate"],
                      "label": d.get("label", ""), "filter": d.get("label") or d["predicate"],
                      "kind": d.get("kind", ""), "summary": edge_summary(d),
                      "evidence": list(d.get("evidence") or []), "attributes": attrs})
    cats = Counter(n["category"] for n in nodes)
    order = list(category_colours())
    categories = [{"name": c, "count": cats[c], "colour": colour(c)}
                  for c in sorted(cats, key=lambda c: (order.index(c) if c in order else len(order), c))]
    filters = Counter(e["filter"] for e in edges)
    behind = {f: sorted({e["predicate"] for e in edges if e["filter"] == f}) for f in filters}
    relations = [{"filter": f, "predicates": behind[f], "count": k} for f, k in sorted(filters.items())]
    has_statements = any(e["kind"] != "mentions" for e in edges)
    hidden = sorted({e["filter"] for e in edges if e["kind"] == "mentions"}) if has_statements else []
    return {"title": title, "nodes": nodes, "edges": edges, "categories": categories, "relations": relations,
            "hidden_relations": hidden}


def viewer_library(cache=None) -> str:
    """cytoscape.js as shipped on npm (``make setup`` fetches it; later exports work offline)."""
    import hashlib
    import tarfile

    from kg.cache import Cache

    tarball = (cache or Cache()).npm(*CYTOSCAPE)
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(CYTOSCAPE_FILE)
        if member is None:
            raise GraphError(f"{tarball} lacks {CYTOSCAPE_FILE}; delete it and run `make setup` again")
        js = member.read()
    if hashlib.sha256(js).hexdigest() != CYTOSCAPE_SHA256:
        raise GraphError(f"{tarball} is not the pinned cytoscape {CYTOSCAPE[1]}; delete it and run `make setup`")
    return js.decode("utf-8")


def render_html(g: nx.MultiDiGraph, title: str) -> str:
    template = resources.files("kg.export").joinpath("viewer_template.html").read_text(encoding="utf-8")
    js, version = viewer_library(), CYTOSCAPE[1]
    payload = json.dumps(viewer_data(g, title), ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # a "</script>" inside a sentence must not close the data block
    page = template.replace("{{KG_TITLE}}", html.escape(title)).replace("{{KG_CYTOSCAPE_VERSION}}", version)
    page = page.replace("{{KG_DATA}}", payload)
    return page.replace("{{KG_CYTOSCAPE}}", js.replace("</script", "<\\/script"))  # last: the library is opaque


def write_html(kg: KnowledgeGraph, path: Path) -> list[Path]:
    title = f"kg: {kg.out.name}" if kg.out is not None else "kg graph"
    atomic_write_text(path, render_html(kg.to_networkx(), title))
    return [path]


if __name__ == "__main__":  # `make setup`: fetch the viewer's library into the download cache
    viewer_library()
