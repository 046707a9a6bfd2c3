"""A document's share of a build, read on its own: what lets a build run in batches, in parallel and incrementally.

Everything kg writes about a document depends on that document alone (its id and text, the vocabulary, the models
and kg's code): its named graph, its rows of ``unresolved.tsv``, its SHACL violations. Only the entities graph
merges what every document contributes, and the run graph lists them. So documents are read in batches that may run
anywhere (this process, worker processes, a Dask cluster: :mod:`kg.engines`), and each comes back as a
:class:`Shard`. The build merges shards (:mod:`kg.build`) and keeps them in ``OUT/shards.sqlite``
(:mod:`kg.shard_store`), so ``kg build --update`` reads only new or changed documents.

:func:`fingerprint` names everything a shard depends on besides its document; a shard is reused only under the
same fingerprint, and every worker must report the fingerprint of the process that started the build.
"""
from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.document import Document
    from kg.graph.build import EntityPart

__all__ = ["BatchResult", "Shard", "fingerprint", "read_batch"]


@dataclass
class Shard:
    """One document as the build needs it, with nothing that refers to other documents."""

    doc_id: str
    sha: str  # sha256 of the document's text: an --update re-reads the document when this changes ...
    source: str  # ... or when it comes from another file (the graph names the file)
    lines: list[str]  # its named graph as N-Quads lines (each ending in a newline), sorted
    entities: list[EntityPart]  # what it contributes to each entity node
    unresolved: list[str]  # its unresolved.tsv rows for unresolved mentions ...
    phrases: list[str]  # ... and for frequent phrases no mention covers
    violations: list[str]  # SHACL report lines about its graph
    titles: list[tuple[str, str, str, str]]  # the titles it gives cited works (kg.graph.facts.TitleClaims)
    counts: dict[str, int] = field(default_factory=dict)  # mentions, facts and citation markers, for the summary


@dataclass
class BatchResult:
    shards: list[Shard]
    fingerprint: str
    stage_seconds: dict[str, float]


def source_name(doc: Document) -> str:
    """The file name the graph records for ``doc`` (``kg:sourceFile``)."""
    return Path(doc.source).name if doc.source else ""


def fingerprint(pipeline: str) -> str:
    """What a shard depends on besides its document: kg's code and version, the shipped data (ontologies, models,
    pipelines), the vocabulary index and the pipeline name."""
    from kg.graph.build import kg_version
    from kg.paths import models_dir, ontologies_dir, pipelines_dir
    from kg.settings import Settings
    from kg.vocabulary.build import read_manifest

    manifest = read_manifest(Settings.from_env().vocab_dir)
    h = hashlib.sha256(f"{kg_version()}\0{pipeline}\0{manifest.fingerprint if manifest else '-'}".encode())
    h.update(_tree_digest(str(Path(__file__).parent), ".py").encode())
    for folder in (ontologies_dir(), models_dir(), pipelines_dir()):
        h.update(_tree_digest(str(folder), "").encode())
    return h.hexdigest()


@cache
def _tree_digest(folder: str, suffix: str) -> str:
    h = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob(f"*{suffix}") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@cache
def _reader(pipeline: str):
    """The vocabulary and spaCy pipeline of this process, loaded once (a worker keeps them across batches)."""
    from kg.nlp import load_pipeline
    from kg.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    return vocabulary, load_pipeline(pipeline, vocabulary=vocabulary)


def warm(pipeline: str) -> None:
    """Load the vocabulary and pipeline now (before worker processes fork, so they share the loaded pages)."""
    _reader(pipeline)


def read_batch(documents: list[Document], pipeline: str, *, check: bool = True) -> BatchResult:
    """Read, resolve, extract and write ``documents`` as shards, and check them (SHACL) unless ``check`` is false
    (the caller then runs :func:`checked`); the unit of work every engine runs."""
    from kg.extract import extract
    from kg.nlp import annotate
    from kg.resolve import frequent_phrases, long_form_concept, resolve

    seconds: dict[str, float] = defaultdict(float)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] += now - clock
        clock = now

    vocabulary, nlp = _reader(pipeline)
    lap("load")
    mentions = annotate(documents, nlp, long_forms=long_form_concept)
    lap("ner")
    resolution = resolve(documents, mentions, vocabulary)
    phrases = frequent_phrases(documents, mentions, vocabulary)
    lap("resolve")
    facts = extract(documents, resolution).by_document()
    lap("extract")
    shards = _write(documents, mentions, resolution, phrases, facts)
    lap("rdf")
    result = BatchResult(shards, fingerprint(pipeline), dict(seconds))
    return checked(result) if check else result


def checked(result: BatchResult) -> BatchResult:
    """``result`` with its shards' SHACL violations found, and the time that took as its ``shacl`` stage."""
    started = time.perf_counter()
    _check(result.shards)
    result.stage_seconds["shacl"] = result.stage_seconds.get("shacl", 0.0) + time.perf_counter() - started
    return result


def _write(documents, mentions, resolution, phrases, facts) -> list[Shard]:
    """Each document's shard: its graph's lines, entity parts, unresolved rows, title claims and counts."""
    from kg.extract import Facts
    from kg.graph.build import document_quads, document_shares, kg_version
    from kg.graph.facts import TitleClaims
    from kg.graph.iris import text_sha256
    from kg.graph.prefixes import prefix_map
    from kg.graph.quads import QuadSet
    from kg.ingest.citations import citation_counts
    from kg.unresolved import mention_rows, phrase_rows

    per_doc, parts = document_shares({d.id: d for d in documents}, resolution.entities)
    unresolved, doc_phrases = defaultdict(list), defaultdict(list)
    for m in resolution.unresolved:
        unresolved[m.doc_id].append(m)
    for p in phrases:
        doc_phrases[p.doc_id].append(p)
    found = Counter(m.doc_id for m in mentions)
    version, shards = kg_version(), []
    for doc in documents:
        sha = text_sha256(doc.text)
        quads, titles, doc_facts = QuadSet(prefix_map()), TitleClaims(), facts.get(doc.id)
        document_quads(quads, doc, sha, per_doc.get(doc.id, []), len(unresolved[doc.id]), doc_facts,
                       version=version, titles=titles)
        counts = {"mentions": found[doc.id], "defined": sum(1 for m in unresolved[doc.id] if m.long_form),
                  **(doc_facts or Facts()).counts(),
                  **{f"markers {k}": n for k, n in citation_counts([doc]).items()}}
        shards.append(Shard(doc.id, sha, source_name(doc), quads.lines(), parts.get(doc.id, []),
                            unresolved=mention_rows(unresolved[doc.id], resolution.reasons),
                            phrases=phrase_rows(doc_phrases[doc.id]),
                            violations=[], titles=titles.claims, counts=counts))
    return shards


def _check(shards: list[Shard]) -> None:
    """SHACL on the batch's graphs, with the entity nodes, titles and software they refer to. A violation is kept by
    the shard whose graph it names; those of the entities and run graphs are found again on the merged ones."""
    from kg.graph.build import entity_quads, kg_version, run_quads
    from kg.graph.facts import TitleClaims
    from kg.graph.iris import IRIs
    from kg.graph.prefixes import compress, prefix_map
    from kg.graph.quads import QuadSet
    from kg.graph.validate import validate_nquads

    if not shards:
        return
    shared = QuadSet(prefix_map())
    entity_quads(shared, [p for s in shards for p in s.entities])
    run_quads(shared, {s.doc_id: s.sha for s in shards}, kg_version())
    TitleClaims([claim for s in shards for claim in s.titles]).write(shared)
    report = validate_nquads("".join(sorted([line for s in shards for line in s.lines] + shared.lines())))
    if report.conforms:
        return
    owner = {compress(IRIs().graph(s.doc_id)): s for s in shards}
    for line in report.text.splitlines():
        graph = line.split("\t", 1)[0]
        if graph == "-":  # a node no graph describes: kept by the batch's first document
            shards[0].violations.append(line)
        elif graph in owner:
            owner[graph].violations.append(line)
