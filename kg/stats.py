"""Summaries of a built graph read from its store through named queries: the counts of ``kg stats`` and the
entities table of ``kg entities``. They sit on the query side, so the graph stage never imports a query."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import pyoxigraph

    from kg.query import QueryResult

__all__ = ["GraphStats", "entities_table", "graph_stats"]

_UNRESOLVED = "SELECT (SUM(?n) AS ?unresolved) WHERE { ?d kg:unresolvedMentionCount ?n }"
_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class GraphStats:
    documents: int
    triples: int
    mentions: int
    unresolved: int
    entities_by_category: dict[str, int] = field(default_factory=dict)
    mentions_by_category: dict[str, int] = field(default_factory=dict)

    @property
    def entities(self) -> int:
        return sum(self.entities_by_category.values())

    def render(self) -> str:
        lines = [f"documents    {self.documents}", f"entities     {self.entities}"]
        lines += [f"  {cat:<13}{n:<8}({self.mentions_by_category.get(cat, 0)} mentions)"
                  for cat, n in sorted(self.entities_by_category.items())]
        lines += [f"mentions     {self.mentions}", f"unresolved   {self.unresolved}", f"triples      {self.triples}"]
        return "\n".join(lines)


def graph_stats(out_dir: str | os.PathLike[str] | Any) -> GraphStats:
    """Count documents, entities per category, mentions and triples in OUT (or an open pyoxigraph Store)."""
    import pyoxigraph

    from kg.graph.prefixes import namespace
    from kg.graph.store import open_store
    from kg.query import run_query

    store = out_dir if isinstance(out_dir, pyoxigraph.Store) else open_store(out_dir)
    by_category = run_query(store, "entities_by_category").records()
    documents = len(run_query(store, "documents").rows)
    unresolved_query = f"PREFIX kg: <{namespace('kg')}>\n{_UNRESOLVED}"  # the namespace lives in the prefix map
    unresolved = next(iter(_select(store, unresolved_query, use_default_graph_as_union=True)))["unresolved"]
    quads = next(iter(_select(store, _QUADS)))["n"]
    return GraphStats(
        documents=documents,
        triples=int(quads.value),
        mentions=sum(int(r["mentions"] or 0) for r in by_category),
        unresolved=int(unresolved.value) if unresolved is not None else 0,
        entities_by_category={str(r["category"]): int(r["entities"] or 0) for r in by_category},
        mentions_by_category={str(r["category"]): int(r["mentions"] or 0) for r in by_category},
    )


def entities_table(out_dir: str | os.PathLike[str] | Any) -> QueryResult:
    """The ``entities`` query on OUT (or an open store): id, label, category, xrefs, mentions.

    The xrefs cell is re-sorted here because SPARQL does not promise GROUP_CONCAT order.
    """
    from kg.query import QueryResult, run_query

    result = run_query(out_dir, "entities")
    i = result.columns.index("xrefs")
    rows = tuple(
        tuple("|".join(sorted(filter(None, str(v or "").split("|")))) if j == i else v for j, v in enumerate(row))
        for row in result.rows
    )
    return QueryResult(result.columns, rows)


def _select(store: pyoxigraph.Store, sparql: str, **options: Any) -> pyoxigraph.QuerySolutions:
    """A SELECT's solutions (``Store.query`` is typed for every query form)."""
    return cast("pyoxigraph.QuerySolutions", store.query(sparql, **options))
