"""The end-to-end build: paths → documents → mentions → entities → facts → validated graph on disk."""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import UnresolvedMentionsError

if TYPE_CHECKING:
    from kg.concept import Mention
    from kg.graph.replace import OutputLock
    from kg.graph.validate import ValidationReport
    from kg.online.identifiers import PaperId
    from kg.online.inputs import OnlineOptions

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
    stage_seconds: dict[str, float] = field(default_factory=dict)
    unresolved_defined: int = 0  # of the unresolved, uses of abbreviations the document defines
    unresolved_phrases: int = 0  # recurring noun phrases no mention covers (listed, never entities)

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
        if self.unresolved_defined:
            lines.append(f"  defined    {self.unresolved_defined} defined abbreviations no vocabulary grounds"
                         " (unresolved.tsv)")
        other = self.unresolved - self.unresolved_defined
        if other and (self.unresolved_defined or self.unresolved_phrases):
            lines.append(f"  other      {other} mentions no vocabulary name grounds (unresolved.tsv)")
        if self.unresolved_phrases:
            lines.append(f"  phrases    {self.unresolved_phrases} frequent noun phrases no mention covers, no entities"
                         " (unresolved.tsv)")
        for name, n in sorted(self.facts.items()):
            if name.startswith("markers "):
                continue
            lines.append(f"{name:<13}{n}")
            if name == "citations" and "markers linked" in self.facts:
                linked, unmatched = self.facts["markers linked"], self.facts.get("markers unmatched", 0)
                lines.append(f"  markers    {linked} linked to the reference list, {unmatched} unmatched")
        lines.append(f"triples      {self.triples}")
        shacl = "conforms" if self.conforms else f"{self.violations} violations (see {self.out}/validation.txt)"
        lines.append(f"SHACL        {shacl}")
        lines.append(f"seconds      {self.seconds:.2f}")
        lines.append(f"output       {self.out}")
        return "\n".join(lines)


UNRESOLVED_KINDS = ("defined abbreviation", "frequent phrase", "other")


def unresolved_kind(mention: Mention) -> str:
    """What an unresolved mention is: a use of a short form the document defines (it carries the long form), or
    another mention no vocabulary name grounds."""
    return UNRESOLVED_KINDS[0] if mention.long_form else UNRESOLVED_KINDS[2]


def unresolved_table(unresolved, reasons=None, phrases=()) -> str:
    """TSV of what the build saw but could not resolve, with the reason and the kind of each row, so nothing
    central is dropped silently.

    Rows are the unresolved mentions (kind ``defined abbreviation`` or ``other``; ``reasons`` maps a mention to
    why it stayed unresolved, ``Resolution.reasons``), then the recurring noun phrases no mention covers (kind
    ``frequent phrase``, :func:`kg.resolve.frequent_phrases`; category ``phrase``; its first use). Tabs and line
    breaks in a cell become spaces so every row stays one line.
    """
    reasons = reasons or {}
    rows = ["doc_id\tstart\tend\ttext\tcategory\treason\tkind"]
    rows += [f"{m.doc_id}\t{m.start}\t{m.end}\t{_cell(m.text)}\t{m.category}\t{_cell(reasons.get(m, ''))}"
             f"\t{unresolved_kind(m)}" for m in unresolved]
    rows += [f"{p.doc_id}\t{p.start}\t{p.end}\t{_cell(p.text)}\tphrase\t{_cell(p.reason)}\t{UNRESOLVED_KINDS[1]}"
             for p in phrases]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _strict_error(resolution, out: Path) -> UnresolvedMentionsError:
    """The --strict failure: how many mentions are unresolved, two of them with their reasons, what to do."""
    unresolved = resolution.unresolved
    first: dict[str, Mention] = {}  # the first mention of each text, so the two examples differ
    for mention in unresolved:
        first.setdefault(mention.text, mention)
    examples = "; ".join(f"{m.text!r} in {m.doc_id} at {m.start}: {resolution.reasons.get(m) or 'no reason recorded'}"
                         for m in list(first.values())[:2])
    noun = "mention is" if len(unresolved) == 1 else "mentions are"
    return UnresolvedMentionsError(
        f"--strict: {len(unresolved)} {noun} unresolved (e.g. {examples}); nothing was written to {out}. "
        f"Drop --strict to build anyway; the build lists them all in {out / 'unresolved.tsv'}")


def build(paths, out, *, pipeline: str = "dictionary", progress: bool = False, strict: bool = False,
          force: bool = False, online: OnlineOptions | None = None) -> BuildSummary:
    """Run every stage over ``paths`` and write the graph to ``out`` atomically.

    OUT is checked and locked before the first stage, so a bad ``-o`` or a second build into the same OUT fails
    at once (:class:`~kg.graph.replace.OutputLock`). ``strict`` raises :class:`~kg.errors.UnresolvedMentionsError`
    when any mention stays unresolved, before anything is written, so a strict build never replaces an existing
    OUT with a graph that drops mentions. A graph that fails SHACL raises
    :class:`~kg.errors.NonConformingGraphError` and keeps OUT, unless ``force``.
    """
    from kg.graph.replace import OutputLock, check_not_input
    from kg.online.identifiers import split_inputs

    # identifiers (PMC123, PMID:1, doi:10.x/y) are fetched with ``online`` (kg.online), else refused in one line
    inputs, ids = split_inputs(list([paths] if isinstance(paths, (str, Path)) else paths), online=online is not None)
    out = Path(out)
    check_not_input(out, inputs)
    with OutputLock(out) as lock:
        return _build(inputs, out, lock, pipeline=pipeline, progress=progress, strict=strict, force=force,
                      ids=ids, online=online)


def _build(paths, out: Path, lock: OutputLock, *, pipeline: str, progress: bool, strict: bool,
           force: bool, ids: list[PaperId] | None = None, online: OnlineOptions | None = None) -> BuildSummary:
    from kg.extract import extract
    from kg.graph import build_quads, validate_nquads, write_graph
    from kg.ingest import read_paths
    from kg.ingest.citations import citation_counts
    from kg.nlp import annotate, load_pipeline
    from kg.resolve import frequent_phrases, long_form_concept, resolve
    from kg.vocabulary import load_vocabulary

    started = time.perf_counter()
    stages = _StageClock()
    with stages("ingest"):
        if online is None:
            documents, fetched = read_paths(paths), None
        else:
            from kg.online.inputs import read_online

            documents, fetched = read_online(paths, ids or [], online, progress=progress)
    with stages("load"):
        vocabulary = load_vocabulary()
        nlp = load_pipeline(pipeline, vocabulary=vocabulary)
    with stages("ner"):
        mentions = annotate(documents, nlp, progress=progress, long_forms=long_form_concept)
    with stages("resolve"):
        resolution = resolve(documents, mentions, vocabulary)
        phrases = frequent_phrases(documents, mentions, vocabulary)
    if strict and resolution.unresolved:
        raise _strict_error(resolution, out)
    with stages("extract"):
        facts = extract(documents, resolution)
    with stages("rdf"):
        quads = build_quads(documents, resolution, facts=facts)
        if fetched is not None:  # where fetched texts came from (PROV), MeSH of completed references
            from kg.graph.iris import IRIs

            fetched.add_to(quads, IRIs())
    report = None

    def check(nquads_text: str) -> ValidationReport:  # SHACL on write_graph's N-Quads, before OUT is replaced
        nonlocal report
        with stages("shacl"):
            report = validate_nquads(nquads_text)
        return report

    with stages("store"):
        report_tsv = unresolved_table(resolution.unresolved, resolution.reasons, phrases)
        write_graph(quads, out, extra_files={"unresolved.tsv": report_tsv}, check=check, force=force, lock=lock)
    assert report is not None, "write_graph runs check() before it replaces OUT"
    stages.seconds["store"] -= stages.seconds["shacl"]
    by_category = Counter(e.concept.category for e in resolution.entities)
    examples = sorted({m.text for m in resolution.unresolved})[:5]
    return BuildSummary(
        out=out,
        documents=len(documents),
        mentions=len(mentions),
        entities_by_category=dict(by_category),
        unresolved=len(resolution.unresolved),
        unresolved_examples=examples,
        unresolved_defined=sum(1 for m in resolution.unresolved if m.long_form),
        unresolved_phrases=len(phrases),
        triples=len(quads),
        seconds=time.perf_counter() - started,
        conforms=report.conforms,
        violations=report.violations,
        validation_text=report.text,
        facts={**facts.counts(), **{f"markers {k}": n for k, n in citation_counts(documents).items()},
               **(fetched.counts if fetched is not None else {})},
        stage_seconds=dict(stages.seconds),
    )


class _StageClock:
    """Wall time per stage, so `make bench` can say where a build spends it (stages may nest)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - start
            logger.info("%s: %.2f s", name, self.seconds[name])
