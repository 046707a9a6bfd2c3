"""CSV files for ``neo4j-admin database import full`` (Neo4j Operations Manual, "Import"), written by hand:
no library writes this header format.

``<prefix>_nodes.csv`` has ``id:ID``, ``:LABEL`` (``;``-separated: kind, kg category and Biolink classes) and
properties; ``<prefix>_relationships.csv`` has ``:START_ID``, ``:END_ID``, ``:TYPE`` (the edge's label in
snake case: the predicate's local name for statements, ``tests_intervention``, ``reported_in``, ``cites`` … for
the links of studies and publications, whose one Biolink predicate can stand for several relations) and
properties. Lists become ``string[]`` columns with Neo4j's default ``;`` array delimiter. Import with::

    neo4j-admin database import full --nodes=<prefix>_nodes.csv --relationships=<prefix>_relationships.csv neo4j
"""
from __future__ import annotations

import csv
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.atomic import atomic_path
from kg.export import prefix_of

if TYPE_CHECKING:
    from kg.traverse import KnowledgeGraph

log = logging.getLogger(__name__)

ARRAY_DELIMITER = ";"


def _label(text: str) -> str:
    return re.sub(r"\W", "_", text.rpartition(":")[2]) or "Node"


def _columns(records: list[dict[str, Any]], fixed: list[str]) -> dict[str, str]:
    """property name → typed header (``name:string[]`` for lists, ``n:long`` for ints, ``x:double`` …)."""
    types: dict[str, str] = {}
    for r in records:
        for k, v in r.items():
            if k in fixed:
                continue
            t = "string[]" if isinstance(v, list) else "boolean" if isinstance(v, bool) else \
                "long" if isinstance(v, int) else "double" if isinstance(v, float) else "string"
            if types.get(k, t) != t:
                t = "string[]" if "string[]" in (t, types[k]) else "string"
            types[k] = t
    return {k: f"{k}:{t}" for k, t in sorted(types.items())}


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(str(v).replace(ARRAY_DELIMITER, ",") for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def write_neo4j(kg: KnowledgeGraph, path: Path) -> list[Path]:
    base = prefix_of(path, ("_nodes.csv", "_relationships.csv", ".csv"))
    g = kg.to_networkx()
    nodes = []
    for n, d in sorted(g.nodes(data=True)):
        labels = sorted({_label(str(d.get("kind", "entity"))).capitalize(), _label(str(d.get("category", ""))),
                         *(_label(c) for c in d.get("categories", []))} - {""})
        nodes.append({"id:ID": n, ":LABEL": labels, **{k: v for k, v in d.items() if k != "types"}})
    rels = []
    for u, v, key, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        kind = _label(str(d.get("label") or d["predicate"]))
        rels.append({":START_ID": u, ":END_ID": v, ":TYPE": kind, "id": str(key),
                     **{k: val for k, val in d.items() if k != "id"}})
    files = [base.with_name(f"{base.name}_nodes.csv"), base.with_name(f"{base.name}_relationships.csv")]
    for file, records, fixed in ((files[0], nodes, ["id:ID", ":LABEL"]),
                                 (files[1], rels, [":START_ID", ":END_ID", ":TYPE"])):
        typed = _columns(records, fixed)
        with atomic_path(file) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(fixed + list(typed.values()))
            for r in records:
                w.writerow([_cell(r.get(c)) for c in fixed] + [_cell(r.get(k)) for k in typed])
    return files
