"""The small exploration graph (tests/fixtures/explore/graph.nq) written as a real kg output directory."""
from __future__ import annotations

from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "explore" / "graph.nq"


def write_fixture_out(out: Path) -> Path:
    """Parse the N-Quads and write OUT with kg's own writer (graph.nq, Oxigraph store, manifest)."""
    import rdflib

    from kg.graph.store import write_graph

    ds = rdflib.Dataset()
    ds.parse(FIXTURE, format="nquads")
    return write_graph(ds, out)
