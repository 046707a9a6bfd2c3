"""Walk a built graph from Python: ``kg.load(OUT)`` returns a :class:`KnowledgeGraph`.

SPARQL goes to the Oxigraph store; traversal (paths, neighbourhoods) runs on the property-graph projection
(:mod:`kg.projection`), so a path is a chain of statements with predicates and evidence, not of raw triples.
Names, CURIEs and IRIs are all accepted wherever a node is asked for.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import GraphError, QueryError

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph

    from kg.query import QueryResult

log = logging.getLogger(__name__)

DEFAULT_MAX_LEN = 4
_PATH_ENUMERATION_LIMIT = 20000  # simple paths examined before giving up; keeps dense graphs responsive
_KIND_RANK = {"entity": 0, "study": 1, "publication": 2}


@dataclass(frozen=True)
class Step:
    """One edge of a path, walked forward (source → target) or against its direction."""

    source: str
    target: str
    key: str
    predicate: str
    forward: bool


@dataclass(frozen=True)
class GraphPath:
    nodes: tuple[str, ...]
    steps: tuple[Step, ...]

    def __len__(self) -> int:
        return len(self.steps)


class KnowledgeGraph:
    """A built graph: SPARQL over its store and traversal over its projection (built once, on first use)."""

    def __init__(self, store: pyoxigraph.Store, out: str | os.PathLike[str] | None = None) -> None:
        self.store = store
        self.out = Path(out) if out is not None else None
        self._graph: nx.MultiDiGraph | None = None
        self._index: dict[str, list[str]] | None = None

    @classmethod
    def open(cls, out: str | os.PathLike[str]) -> KnowledgeGraph:
        """Open the directory ``out`` written by ``kg build`` (read-only)."""
        from kg.graph.store import open_store

        return cls(open_store(out), out)

    # --- SPARQL ----------------------------------------------------------------------------------------
    def query(self, sparql: str) -> QueryResult:
        """Run SPARQL text over the union of all named graphs; IRIs come back as CURIEs."""
        from kg.query import query_result

        try:
            solutions = self.store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"the SPARQL text is not valid: {exc}; check it against the SPARQL 1.1 grammar") from exc
        return query_result(solutions)

    # --- projection --------------------------------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """The property-graph projection (a copy: change it freely)."""
        return self._projection().copy()

    def _projection(self) -> nx.MultiDiGraph:
        if self._graph is None:
            from kg.projection import project

            self._graph = project(self.store)
        return self._graph

    def entities(self, category: str | None = None) -> list[dict[str, Any]]:
        """Entity nodes as dicts (``id`` plus projected attributes), optionally of one kg category."""
        g = self._projection()
        rows = [{"id": n, **d} for n, d in g.nodes(data=True) if d.get("kind") == "entity"]
        if category is not None:
            from kg.categories import CATEGORIES

            if category not in CATEGORIES:
                raise GraphError(f"unknown category {category!r}; choose one of {', '.join(CATEGORIES)}")
            rows = [r for r in rows if r.get("category") == category]
        return sorted(rows, key=lambda r: (r.get("category", ""), str(r.get("label", "")).casefold(), r["id"]))

    # --- name resolution ---------------------------------------------------------------------------------
    def resolve(self, name: str) -> str:
        """The node id (CURIE) that ``name`` denotes: a node id, IRI, CURIE of an xref, label or synonym.

        Case-insensitive; when a name fits several nodes, entities win over studies and publications, then
        the node with most mentions. GraphError (with close matches) when nothing fits.
        """
        g = self._projection()
        text = name.strip()
        if text in g:
            return text
        hits = self._name_index().get(text.casefold(), [])
        if not hits and ":" in text and not text.startswith(("http://", "https://")):
            from kg.graph.prefixes import expand

            iri = expand(text)
            hits = self._name_index().get(iri.casefold(), []) if iri else []
        if not hits:
            raise GraphError(f"no node is called {name!r}{self._suggest(text)}; "
                             "try a label, synonym, CURIE or IRI listed by `kg entities OUT`")
        return min(hits, key=lambda n: (_KIND_RANK.get(g.nodes[n].get("kind"), 3),
                                        -int(g.nodes[n].get("mention_count") or 0), n))

    def _name_index(self) -> dict[str, list[str]]:
        if self._index is None:
            from kg.projection import as_list

            index: dict[str, set[str]] = {}
            for n, d in self._projection().nodes(data=True):
                keys = [n, d.get("iri", ""), d.get("label", ""), d.get("identifier", "")]
                for attr in ("synonyms", "xref", "exact_match"):
                    keys += as_list(d.get(attr))
                for key in keys:
                    if key:
                        index.setdefault(str(key).casefold(), set()).add(n)
            self._index = {k: sorted(v) for k, v in index.items()}
        return self._index

    def _suggest(self, text: str) -> str:
        from rapidfuzz import fuzz, process

        choices = {d.get("label", n): n for n, d in self._projection().nodes(data=True)}
        close = process.extract(text, list(choices), scorer=fuzz.WRatio, limit=3, score_cutoff=60)
        return f" (did you mean {', '.join(repr(c) for c, _, _ in close)}?)" if close else ""

    # --- traversal ----------------------------------------------------------------------------------------
    def paths(self, a: str, b: str, max_len: int = DEFAULT_MAX_LEN, *, limit: int = 10,
              include_mentions: bool = False) -> list[GraphPath]:
        """Shortest-first simple paths from ``a`` to ``b`` of at most ``max_len`` edges.

        Paths that follow edge directions are preferred; only when there is none are edges also walked
        backwards (``Step.forward`` is then False). Document→entity ``mentions`` edges, and the other links of
        a built document (what it cites, the studies it reviews), are left out unless ``include_mentions`` or
        the document is an end, since every pair of entities in one document is otherwise a few hops apart.
        """
        import networkx as nx

        if max_len < 1:
            raise GraphError(f"max_len must be at least 1 (got {max_len})")
        source, target = self.resolve(a), self.resolve(b)
        if source == target:
            return [GraphPath((source,), ())]
        g = self._walkable(include_mentions, keep=(source, target))
        found = _edge_paths(g, source, target, max_len)
        if not found:
            found = _edge_paths(nx.MultiGraph(g), source, target, max_len)
        out = []
        for edges in found[:limit]:
            steps, nodes = [], [source]
            for u, v, k in edges:
                forward = g.has_edge(u, v, k)
                s, t = (u, v) if forward else (v, u)
                steps.append(Step(s, t, k, g.edges[s, t, k]["predicate"], forward))
                nodes.append(v)
            out.append(GraphPath(tuple(nodes), tuple(steps)))
        return out

    def neighbourhood(self, x: str, depth: int = 1, *, include_mentions: bool = False) -> nx.MultiDiGraph:
        """The subgraph of nodes within ``depth`` edges of ``x`` (either direction), with every edge among them."""
        import networkx as nx

        centre = self.resolve(x)
        g = self._walkable(include_mentions, keep=(centre,))
        near = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), centre, cutoff=depth)
        sub = g.subgraph(near).copy()
        sub.graph["centre"] = centre
        return sub

    def _walkable(self, include_mentions: bool, keep: tuple[str, ...] = ()) -> nx.MultiDiGraph:
        """The projection without ``mentions`` edges and without the edges of built documents (nodes with a
        ``document_format``) other than those in ``keep``: a review links everything it discusses."""
        g = self._projection()
        if include_mentions:
            return g
        documents = {n for n, fmt in g.nodes(data="document_format") if fmt and n not in keep}
        walk = g.copy()
        walk.remove_edges_from([(u, v, k) for u, v, k, kind in g.edges(keys=True, data="kind")
                                if kind == "mentions" or u in documents or v in documents])
        return walk

    # --- text rendering for the CLI -------------------------------------------------------------------------
    def describe(self, node: str) -> str:
        d = self._projection().nodes[node]
        return f"{d.get('label', node)} ({node})"

    def format_path(self, path: GraphPath) -> str:
        """``esketamine (DRUGBANK:DB11823) -[affects: increased release]-> Glutamic Acid (MESH:D018698) ...``"""
        g = self._projection()
        parts = [self.describe(path.nodes[0])]
        for step, node in zip(path.steps, path.nodes[1:]):
            label = edge_summary(g.edges[step.source, step.target, step.key])
            parts.append(f"-[{label}]->" if step.forward else f"<-[{label}]-")
            parts.append(self.describe(node))
        return " ".join(parts)

    def format_neighbourhood(self, sub: nx.MultiDiGraph) -> str:
        """One line per edge touching the centre, then the other edges, with predicates and evidence counts."""
        from kg.projection import as_list

        centre = sub.graph.get("centre")
        lines = [self.describe(centre)] if centre else []
        edges = sorted(sub.edges(keys=True, data=True), key=lambda e: (centre not in (e[0], e[1]), e[0], e[1], e[2]))
        for u, v, _, data in edges:
            n_ev = len(as_list(data.get("evidence")))
            ev = f"  [{n_ev} evidence sentence{'s' if n_ev != 1 else ''}]" if n_ev else ""
            lines.append(f"  {self.describe(u)} -[{edge_summary(data)}]-> {self.describe(v)}{ev}")
        if len(lines) == 1:
            lines.append("  (no edges)")
        return "\n".join(lines)


def edge_summary(data: dict[str, Any]) -> str:
    """Predicate label plus the qualifiers a reader needs: ``affects: decreased activity (antagonism)``; a study's
    outcome edge says the outcome as the review states it: ``reports outcome: reduced cravings (decreased)``."""
    from kg.projection import as_list

    text = data.get("label") or str(data.get("predicate", ""))
    if as_list(data.get("outcome")):
        text += ": " + "; ".join(as_list(data["outcome"]))
    aspect = " ".join(str(data[k]) for k in ("object_direction_qualifier", "object_aspect_qualifier") if data.get(k))
    if aspect:
        text += f": {aspect}"
    if data.get("causal_mechanism_qualifier"):
        text += f" ({data['causal_mechanism_qualifier']})"
    if data.get("negated") in (True, "true"):
        text = f"NOT {text}"
    return text


def _edge_paths(g: Any, source: str, target: str, max_len: int) -> list[list[tuple[str, str, str]]]:
    import networkx as nx

    # One length at a time, so that when the limit stops the search the paths kept are the shortest ones
    # (a single depth-first enumeration would keep whatever it happened to reach first).
    found: list[list[tuple[str, str, str]]] = []
    for length in range(1, max_len + 1):
        for path in nx.all_simple_edge_paths(g, source, target, cutoff=length):
            if len(path) < length:
                continue  # found in an earlier round
            if len(found) >= _PATH_ENUMERATION_LIMIT:
                log.warning("stopped after %d paths between %s and %s; lower max_len", len(found), source, target)
                return sorted(found, key=_path_key)
            found.append(path)
    return sorted(found, key=_path_key)


def _path_key(path: list[tuple[str, str, str]]) -> tuple[int, list[tuple[str, str, str]]]:
    return len(path), [(u, v, str(k)) for u, v, k in path]


def render_paths(kg: KnowledgeGraph, paths: Iterable[GraphPath]) -> str:
    """All paths, numbered, one per line (what ``kg path`` prints).

    Paths through different statements that read the same (one claim stated in several sentences) are
    printed once, with the number of statement paths behind them.
    """
    counts: dict[str, int] = {}
    for p in paths:
        text = kg.format_path(p)
        counts[text] = counts.get(text, 0) + 1
    lines = [f"{i}. {text}" + (f"  [{n} statement paths]" if n > 1 else "")
             for i, (text, n) in enumerate(counts.items(), 1)]
    return "\n".join(lines) if lines else "no path"
