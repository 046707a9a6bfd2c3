"""The end-to-end build: paths → documents → mentions → entities → facts → validated graph on disk."""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass
class BuildSummary:
    """What a build produced, as `kg build` prints it."""

    out: Path
    documents: int
    mentions: int
    entities_by_category: dict[str, int]
    unresolved: int
    unresolved_examples: list[str]
    triples: int
    seconds: float
    conforms: bool
    violations: int
    validation_text: str = ""
    facts: dict[str, int] = field(default_factory=dict)

    @property
    def entities(self) -> int:
        return sum(self.entities_by_category.values())

    def render(self) -> str:
        lines = [
            f"documents    {self.documents}",
            f"mentions     {self.mentions}",
            f"entities     {self.entities}",
        ]
        lines += [f"  {cat:<13}{n}" for cat, n in sorted(self.entities_by_category.items())]
        unresolved = f"unresolved   {self.unresolved}"
        if self.unresolved_examples:
            unresolved += "  (e.g. " + ", ".join(self.unresolved_examples) + ")"
        lines.append(unresolved)
        lines += [f"{name:<13}{n}" for name, n in sorted(self.facts.items())]
        lines.append(f"triples      {self.triples}")
        shacl = "conforms" if self.conforms else f"{self.violations} violations (see {self.out}/validation.txt)"
        lines.append(f"SHACL        {shacl}")
        lines.append(f"seconds      {self.seconds:.2f}")
        lines.append(f"output       {self.out}")
        return "\n".join(lines)


def unresolved_table(unresolved) -> str:
    """TSV of the mentions no stage could resolve, so they are reported rather than dropped."""
    rows = ["doc_id\tstart\tend\ttext\tcategory"]
    rows += [f"{m.doc_id}\t{m.start}\t{m.end}\t{m.text}\t{m.category}" for m in unresolved]
    return "\n".join(rows) + "\n"


def build(paths, out, *, pipeline: str = "dictionary", progress: bool = False) -> BuildSummary:
    """Run every stage over ``paths`` and write the graph to ``out`` atomically."""
    from kg.graph import build_dataset, validate, write_graph
    from kg.ingest import read_paths
    from kg.nlp import annotate, load_pipeline
    from kg.resolve import resolve
    from kg.vocabulary import load_vocabulary

    started = time.perf_counter()
    documents = read_paths([paths] if isinstance(paths, (str, Path)) else paths)
    vocabulary = load_vocabulary()
    nlp = load_pipeline(pipeline)
    mentions = annotate(documents, nlp, progress=progress)
    resolution = resolve(documents, mentions, vocabulary)
    facts = _extract(documents, resolution)
    dataset = build_dataset(documents, resolution, facts=facts)
    report = validate(dataset)
    triples = sum(1 for _ in dataset.quads((None, None, None, None)))
    out = Path(out)
    write_graph(
        dataset,
        out,
        extra_files={"validation.txt": report.text, "unresolved.tsv": unresolved_table(resolution.unresolved)},
    )
    by_category = Counter(e.concept.category for e in resolution.entities)
    examples = sorted({m.text for m in resolution.unresolved})[:5]
    return BuildSummary(
        out=out,
        documents=len(documents),
        mentions=len(mentions),
        entities_by_category=dict(by_category),
        unresolved=len(resolution.unresolved),
        unresolved_examples=examples,
        triples=triples,
        seconds=time.perf_counter() - started,
        conforms=report.conforms,
        violations=report.violations,
        validation_text=report.text,
        facts=facts.counts() if facts is not None else {},
    )


def _extract(documents, resolution):
    """Studies, citations, relations and statistics, when the extraction stage is installed."""
    try:
        from kg.extract import extract
    except ImportError:
        return None
    return extract(documents, resolution)
