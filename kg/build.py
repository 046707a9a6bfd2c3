"""The end-to-end build: paths → documents → mentions → entities → facts → validated graph on disk."""
from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import GraphError, UnresolvedMentionsError

if TYPE_CHECKING:
    from kg.document import Document
    from kg.graph.build import EntityPart
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
    documents_read: int | None = None  # with --update, the documents read (the others were kept from OUT)

    @property
    def entities(self) -> int:
        return sum(self.entities_by_category.values())

    def render(self) -> str:
        kept = "" if self.documents_read is None else \
            f"  ({self.documents_read} read, {self.documents - self.documents_read} kept from OUT)"
        lines = [
            f"documents    {self.documents}{kept}",
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


def _strict_error(rows: list[str], out: Path) -> UnresolvedMentionsError:
    """The --strict failure: how many mentions are unresolved, two of them with their reasons, what to do.

    ``rows`` are unresolved.tsv rows of unresolved mentions (doc_id, start, end, text, category, reason, kind)."""
    first: dict[str, list[str]] = {}  # the first mention of each text, so the two examples differ
    for row in rows:
        cells = row.rstrip("\n").split("\t")
        first.setdefault(cells[3], cells)
    examples = "; ".join(f"{c[3]!r} in {c[0]} at {c[1]}: {c[5] or 'no reason recorded'}"
                         for c in list(first.values())[:2])
    noun = "mention is" if len(rows) == 1 else "mentions are"
    return UnresolvedMentionsError(
        f"--strict: {len(rows)} {noun} unresolved (e.g. {examples}); nothing was written to {out}. "
        f"Drop --strict to build anyway; the build lists them all in {out / 'unresolved.tsv'}")


BATCH_SIZE = 64  # documents per unit of work: enough for spaCy's batching, small enough to spread over workers
RUN_LINES = 200_000  # N-Quads lines held before a sorted run goes to disk


@dataclass
class Scale:
    """How a build spreads its work (kg.engines) and whether it updates OUT in place of rebuilding it."""

    workers: int = 1
    engine: str = "local"
    scheduler: str | None = None
    update: bool = False
    batch_size: int = BATCH_SIZE


def build(paths, out, *, pipeline: str = "dictionary", progress: bool = False, strict: bool = False,
          force: bool = False, online: OnlineOptions | None = None, scale: Scale | None = None) -> BuildSummary:
    """Run every stage over ``paths`` and write the graph to ``out`` atomically.

    OUT is checked and locked before the first stage, so a bad ``-o`` or a second build into the same OUT fails
    at once (:class:`~kg.graph.replace.OutputLock`). ``strict`` raises :class:`~kg.errors.UnresolvedMentionsError`
    when any mention stays unresolved, before anything is written, so a strict build never replaces an existing
    OUT with a graph that drops mentions. A graph that fails SHACL raises
    :class:`~kg.errors.NonConformingGraphError` and keeps OUT, unless ``force``. ``scale`` says where documents are
    read (:mod:`kg.engines`) and whether OUT's unchanged documents are kept (``update``); the graph is the same.
    """
    from kg.graph.replace import OutputLock, check_not_input
    from kg.online.identifiers import split_inputs

    # identifiers (PMC123, PMID:1, doi:10.x/y) are fetched with ``online`` (kg.online), else refused in one line
    inputs, ids = split_inputs(list([paths] if isinstance(paths, (str, Path)) else paths), online=online is not None)
    out = Path(out)
    check_not_input(out, inputs)
    with OutputLock(out) as lock:
        return _build(inputs, out, lock, pipeline=pipeline, progress=progress, strict=strict, force=force,
                      ids=ids, online=online, scale=scale or Scale())


def _build(paths, out: Path, lock: OutputLock, *, pipeline: str, progress: bool, strict: bool, force: bool,
           scale: Scale, ids: list[PaperId] | None = None, online: OnlineOptions | None = None) -> BuildSummary:
    from tqdm import tqdm

    from kg.engines import read_batches
    from kg.graph.build import kg_version
    from kg.graph.iris import text_sha256
    from kg.graph.store import GraphOutput
    from kg.ingest import read_paths
    from kg.shard_store import FILE, ShardStore
    from kg.shards import fingerprint, source_name

    started = time.perf_counter()
    stages = _StageClock()
    with stages("ingest"):
        if online is None:
            documents, fetched = read_paths(paths, gold=False), None
        else:
            from kg.online.inputs import read_online

            documents, fetched = read_online(paths, ids or [], online, progress=progress)
    if len({d.id for d in documents}) != len(documents):
        raise GraphError("two input documents share one id; give each input a distinct file name")
    current = fingerprint(pipeline)
    merge = _Merge(kg_version())
    with GraphOutput(out, lock) as output:
        shard_path = output.path(FILE)
        known = _previous_shards(out, shard_path, current) if scale.update else {}
        shards = ShardStore(shard_path)
        todo = deque(d for d in documents if known.get(d.id) != (text_sha256(d.text), source_name(d)))
        read_ids, n_read = {d.id for d in todo}, len(todo)
        del documents  # each document is let go once its batch is read (_batches)
        with tqdm(total=n_read, desc="build", unit="doc", disable=not progress) as bar:
            for result in read_batches(_batches(todo, scale.batch_size), pipeline, engine=scale.engine,
                                       workers=scale.workers, scheduler=scale.scheduler):
                if result.fingerprint != current:
                    raise GraphError("a worker runs another kg, vocabulary index or pipeline than this process; "
                                     "install the same kg and KG_VOCAB_DIR on every worker (docs/scale.md)")
                kept = time.perf_counter()
                shards.put(result.shards, current)
                for shard in result.shards:
                    merge.add(shard, output)
                result.stage_seconds["keep"] = time.perf_counter() - kept  # shard store and sorted runs
                for name, seconds in result.stage_seconds.items():
                    stages.seconds[name] = stages.seconds.get(name, 0.0) + seconds
                bar.update(len(result.shards))
        with stages("merge"):
            for doc_id in sorted(set(known) - read_ids):  # the documents an --update kept
                merge.add(shards.get(doc_id), output)
            shards.close()
            if strict and merge.unresolved_rows:
                raise _strict_error(merge.unresolved_rows, out)
            merge.finish(output, extra=fetched)
            report = merge.report()
        with stages("store"):
            output.add_file("unresolved.tsv", merge.unresolved_tsv())
            output.commit(report, force=force)
    return BuildSummary(
        out=out, documents=merge.documents, mentions=merge.counts.pop("mentions", 0),
        entities_by_category=dict(Counter(p.category for p in merge.entities.values())),
        unresolved=len(merge.unresolved_rows), unresolved_examples=sorted(merge.unresolved_texts)[:5],
        unresolved_defined=merge.counts.pop("defined", 0), unresolved_phrases=merge.phrase_count,
        triples=output.quads, seconds=time.perf_counter() - started, conforms=report.conforms,
        violations=report.violations, validation_text=report.text,
        facts={**merge.counts, **(fetched.counts if fetched is not None else {})},
        stage_seconds=dict(stages.seconds), documents_read=n_read if scale.update else None,
    )


def _batches(todo: deque[Document], size: int) -> Iterator[list[Document]]:
    """``todo`` in batches of ``size``, taken off the queue as they are asked for: the build then holds only the
    documents not yet read (at 20,000 abstracts they had grown to a third of its memory)."""
    while todo:
        yield [todo.popleft() for _ in range(min(size, len(todo)))]


def _previous_shards(out: Path, copy_to: Path, current: str) -> dict[str, tuple[str, str]]:
    """For --update: copy OUT's shard store into the new OUT; each stored document's text hash and file name."""
    import shutil

    from kg.graph.store import is_output_dir
    from kg.shard_store import FILE, ShardStore

    if not is_output_dir(out):
        return {}  # nothing to update: a full build
    if not (out / FILE).is_file():
        raise GraphError(f"{out} has no {FILE} (it was built by an older kg); rebuild it without --update")
    shutil.copyfile(out / FILE, copy_to)
    store = ShardStore(copy_to)
    known = store.known()
    store.close()
    if any(fp != current for _, _, fp in known.values()):
        raise GraphError(f"{out} was built by another kg version, vocabulary index or pipeline; rebuild it in "
                         f"full: kg build ALL_INPUTS -o {out}")
    return {doc_id: (sha, source) for doc_id, (sha, source, _) in known.items()}


class _Merge:
    """What the build keeps of the shards as they stream past: their N-Quads in sorted runs on disk, the merged
    entity parts, the unresolved rows and violation lines, and the summary's counts."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.entities: dict[str, EntityPart] = {}
        self.hashes: dict[str, str] = {}
        self.lines: list[str] = []
        self.unresolved_by_doc: dict[str, list[str]] = {}
        self.phrases_by_doc: dict[str, list[str]] = {}
        self.unresolved_texts: set[str] = set()
        self.violations: set[str] = set()
        self.titles: list[tuple[str, str, str, str]] = []
        self.counts: Counter[str] = Counter()
        self.documents = 0
        self.shared = ""

    def add(self, shard, output) -> None:
        self.documents += 1
        self.hashes[shard.doc_id] = shard.sha
        for part in shard.entities:
            known = self.entities.get(part.curie)
            self.entities[part.curie] = known.merge(part) if known is not None else part
        self.lines += shard.lines
        if len(self.lines) >= RUN_LINES:
            output.add_run(self.lines)
            self.lines = []
        self.unresolved_by_doc[shard.doc_id] = shard.unresolved
        self.phrases_by_doc[shard.doc_id] = shard.phrases
        self.unresolved_texts.update(row.split("\t", 4)[3] for row in shard.unresolved)
        self.violations.update(shard.violations)
        self.titles += shard.titles
        self.counts.update(shard.counts)

    @property
    def unresolved_rows(self) -> list[str]:
        return [row for doc_id in sorted(self.unresolved_by_doc) for row in self.unresolved_by_doc[doc_id]]

    @property
    def phrase_count(self) -> int:
        return sum(len(rows) for rows in self.phrases_by_doc.values())

    def unresolved_tsv(self) -> str:
        from kg.unresolved import HEADER

        phrases = [row for doc_id in sorted(self.phrases_by_doc) for row in self.phrases_by_doc[doc_id]]
        return HEADER + "".join(self.unresolved_rows) + "".join(phrases)

    def finish(self, output, extra=None) -> None:
        """Write the last run, the entities and run graphs (and ``extra``: a facts hook such as the online
        provenance, given the build's IRIs)."""
        from kg.graph.build import entity_quads, run_quads
        from kg.graph.facts import TitleClaims
        from kg.graph.prefixes import prefix_map
        from kg.graph.quads import QuadSet

        output.add_run(self.lines)
        self.lines = []
        shared = QuadSet(prefix_map())
        entity_quads(shared, self.entities.values())
        iris = run_quads(shared, dict(sorted(self.hashes.items())), self.version)
        TitleClaims(self.titles).write(shared)
        if extra is not None:
            extra.add_to(shared, iris)
        lines = shared.lines()
        self.shared = "".join(lines)
        output.add_run(lines, is_sorted=True)

    def report(self) -> ValidationReport:
        """SHACL: the documents' violations (found batch by batch) with those of the entities and run graphs."""
        from kg.graph.validate import ValidationReport, validate_nquads

        shared = validate_nquads(self.shared)
        lines = sorted(self.violations | (set(shared.text.splitlines()) if not shared.conforms else set()))
        text = "\n".join(lines) if lines else "conforms: no SHACL violations"
        return ValidationReport(conforms=not lines, violations=len(lines), text=text)


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
