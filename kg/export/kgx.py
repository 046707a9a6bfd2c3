"""KGX files for Biolink tooling, written by hand (kgx itself downloads the Biolink model at import time,
so it cannot run offline; conventions.md §3).

``write_kgx(kg, prefix)`` writes ``<prefix>_nodes.tsv``, ``<prefix>_edges.tsv``, ``<prefix>_nodes.jsonl`` and
``<prefix>_edges.jsonl`` following the KGX format spec: required node fields ``id``, ``category`` (list);
edge fields ``subject``, ``predicate``, ``object``, ``knowledge_level``, ``agent_type``; multivalued TSV
fields joined with ``|``; tabs and newlines removed from TSV cells (TSV has no escaping).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.atomic import atomic_path, atomic_write_text
from kg.export import prefix_of
from kg.projection import as_list

if TYPE_CHECKING:
    import networkx as nx

    from kg.traverse import KnowledgeGraph

log = logging.getLogger(__name__)

NODE_FIELDS = ("id", "category", "name", "description", "xref", "synonym", "iri", "provided_by")
EDGE_FIELDS = ("id", "subject", "predicate", "object", "knowledge_level", "agent_type", "publications",
               "supporting_text")
# projection attributes that are not KGX slots or are written under another name
_NODE_DROP = {"label", "categories", "types", "synonyms", "exact_match", "kind", "mention_sentences", "identifier",
              "sources", "iri", "xref"}
_EDGE_DROP = {"label", "kind", "evidence", "iri", "id", "publications", "knowledge_level", "agent_type", "predicate"}
# what an edge of the projection that is not a reified association was produced by (KGX requires both slots)
_LINK_PROVENANCE = {"knowledge_level": "not_provided", "agent_type": "text_mining_agent"}


def kgx_records(g: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes and edges of the projection as KGX dicts (lists for multivalued slots)."""
    nodes = []
    for node, d in sorted(g.nodes(data=True)):
        rec: dict[str, Any] = {
            "id": node, "category": list(d.get("categories") or ["biolink:NamedThing"]), "name": d.get("label", ""),
            "xref": sorted(set(as_list(d.get("xref")) + as_list(d.get("exact_match")))),
            "synonym": as_list(d.get("synonyms")), "iri": d.get("iri", ""), "provided_by": as_list(d.get("sources")),
        }
        if d.get("title") and d.get("title") != rec["name"]:
            rec["description"] = d["title"]
        for k, v in sorted(d.items()):
            if k not in _NODE_DROP and k not in rec:
                rec[k] = v
        nodes.append(rec)
    edges = []
    for u, v, key, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        rec = {"id": str(key), "subject": u, "predicate": d["predicate"], "object": v,
               "knowledge_level": d.get("knowledge_level") or _LINK_PROVENANCE["knowledge_level"],
               "agent_type": d.get("agent_type") or _LINK_PROVENANCE["agent_type"],
               "publications": as_list(d.get("publications")), "supporting_text": as_list(d.get("evidence"))}
        if d.get("kind") == "mentions" and not rec["publications"]:
            rec["publications"] = [u]
        for k, val in sorted(d.items()):
            if k not in _EDGE_DROP and k not in rec:
                rec[k] = val
        edges.append(rec)
    return nodes, edges


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = "|".join(str(v).replace("|", "/") for v in value)
    return " ".join(str(value).replace("\t", " ").split()) if value is not None else ""


def _write_tsv(path: Path, fields: tuple[str, ...], records: list[dict[str, Any]]) -> None:
    extra = sorted({k for r in records for k in r} - set(fields))
    columns = [f for f in fields if any(f in r for r in records) or f in ("id", "category", "subject",
                                                                          "predicate", "object")] + extra
    lines = ["\t".join(columns)]
    lines += ["\t".join(_cell(r.get(c, "")) for c in columns) for r in records]
    atomic_write_text(path, "\n".join(lines) + "\n")


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps({k: v for k, v in r.items() if v not in ("", [], None)}, ensure_ascii=False) + "\n")


def write_kgx(kg: KnowledgeGraph, path: Path) -> list[Path]:
    base = prefix_of(path, ("_nodes.tsv", "_edges.tsv", ".tsv", ".jsonl", ".kgx"))
    nodes, edges = kgx_records(kg.to_networkx())
    files = [base.with_name(f"{base.name}_{part}") for part in
             ("nodes.tsv", "edges.tsv", "nodes.jsonl", "edges.jsonl")]
    _write_tsv(files[0], NODE_FIELDS, nodes)
    _write_tsv(files[1], EDGE_FIELDS, edges)
    _write_jsonl(files[2], nodes)
    _write_jsonl(files[3], edges)
    return files
