"""The graph's namespace is the persistent w3id.org one everywhere (issue #13): prefix map, schema, shapes, queries."""
from __future__ import annotations

import re
from pathlib import Path

from kg.graph.prefixes import prefix_map
from kg.paths import ontologies_dir, queries_dir

NAMESPACE = "https://w3id.org/kg-review/"
ROOT = Path(__file__).resolve().parents[1]
KG_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+kg:\s*<([^>]*)>", re.IGNORECASE)


def test_prefix_map_kg_is_the_persistent_namespace():
    assert prefix_map()["kg"] == NAMESPACE


def test_project_prefixes_live_under_the_namespace():
    """Every other project prefix (doc:, ent:, graph: ...) is a path below kg:, not a second base."""
    old = [p for p, iri in prefix_map().items() if "example.org" in iri]
    assert not old


def test_schema_and_shapes_declare_the_namespace():
    for name in ("schema.ttl", "shapes.ttl"):
        text = (ontologies_dir() / name).read_text(encoding="utf-8")
        assert KG_PREFIX.findall(text) == [NAMESPACE], name


def test_every_query_declaring_kg_uses_the_namespace():
    declared = {}
    for rq in sorted(queries_dir().glob("*.rq")):
        found = KG_PREFIX.findall(rq.read_text(encoding="utf-8"))
        if found:
            declared[rq.name] = found
    assert declared, "no query declares the kg prefix"
    assert {name: iris for name, iris in declared.items() if iris != [NAMESPACE]} == {}


def test_no_placeholder_namespace_left():
    hits = []
    for folder in ("kg", "ontologies", "queries"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    continue
                if "example.org" in text:
                    hits.append(str(path.relative_to(ROOT)))
    assert hits == []


def test_kg_namespace_is_closed_over_the_schema():
    """A misspelt term fails at once instead of minting an IRI no reader of the graph can look up."""
    import pytest

    from kg.graph.schema import kg_namespace

    KG = kg_namespace()
    assert str(KG.Sentence) == NAMESPACE + "Sentence" and str(KG.Dose) == NAMESPACE + "Dose"
    with pytest.raises(AttributeError):
        KG.Sentense  # noqa: B018


def test_every_kg_term_in_queries_shapes_and_tables_is_declared():
    from kg.graph.schema import kg_terms

    used: dict[str, set[str]] = {}
    tables = (ontologies_dir() / "extraction").glob("*.tsv")
    files = [*queries_dir().glob("*.rq"), ontologies_dir() / "shapes.ttl", *tables]
    for path in files:
        for term in re.findall(r"(?<![\w/])kg:([A-Za-z_]\w*)", path.read_text(encoding="utf-8")):
            used.setdefault(term, set()).add(path.name)
    undeclared = {t: sorted(f) for t, f in used.items() if t not in kg_terms()}
    assert used and not undeclared, f"kg: terms used but declared nowhere: {undeclared}"
