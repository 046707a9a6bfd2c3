"""``plot_stats(out, png)``: entity counts by category and the degree distribution, drawn with matplotlib (Agg)."""
from __future__ import annotations

import logging
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from kg.atomic import atomic_path

if TYPE_CHECKING:
    from kg.traverse import KnowledgeGraph

log = logging.getLogger(__name__)


def plot_stats(out: str | os.PathLike[str] | KnowledgeGraph, png: str | os.PathLike[str]) -> Path:
    """Draw two panels to ``png``: entities per category (bars in category colours) and the degree distribution
    of entities over statement edges (``mentions`` edges left out: each would add 1 to every entity)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from kg.export.palette import colour
    from kg.traverse import KnowledgeGraph

    kg = out if isinstance(out, KnowledgeGraph) else KnowledgeGraph.open(out)
    g = kg.to_networkx()
    entities = [n for n, kind in g.nodes(data="kind") if kind == "entity"]
    counts = Counter(g.nodes[n].get("category", "concept") for n in entities)
    statements = [(u, v) for u, v, kind in g.edges(data="kind") if kind != "mentions"]
    degree = Counter({n: 0 for n in entities})
    for u, v in statements:
        for n in (u, v):
            if n in degree:
                degree[n] += 1
    histogram = Counter(degree.values())

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    cats = sorted(counts, key=lambda c: (-counts[c], c))
    left.barh(cats[::-1], [counts[c] for c in cats[::-1]], color=[colour(c) for c in cats[::-1]])
    left.set_xlabel("entities")
    left.set_title(f"Entities by category (n={len(entities)})")
    xs = sorted(histogram)
    right.bar(xs, [histogram[x] for x in xs], color="#0072B2", width=0.8)
    right.set_xlabel("degree (statements per entity)")
    right.set_ylabel("entities")
    right.set_title(f"Degree distribution ({len(statements)} statements)")
    if xs and max(histogram.values()) > 50 * min(histogram.values()):
        right.set_yscale("log")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    target = Path(png)
    try:
        with atomic_path(target) as tmp:
            fig.savefig(tmp, dpi=120)
    finally:
        plt.close(fig)
    log.info("wrote %s", target)
    return target
