"""Write predicted mentions in the two exchange formats annotation tools read: PubTator and BioC JSON.

Both writers are deterministic (documents in the order given, mentions by offset), so outputs diff cleanly.
Offsets always index ``Document.text``; for PubTator documents that is title + " " + abstract, as in the
PubTator format itself. Without a corpus profile, types are the PubTator names of ``kg/categories.py``
(or the Biolink class when a category has none) and identifiers are our CURIEs.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kg.atomic import atomic_write_text
from kg.categories import category
from kg.concept import Mention
from kg.document import Document

if TYPE_CHECKING:  # pragma: no cover
    from kg.evaluation.corpus_types import CorpusProfile

__all__ = ["write_pubtator", "write_biocjson", "pubtator_lines", "biocjson_collection"]

log = logging.getLogger(__name__)

_LINE_BREAKS = re.compile(r"[\t\r\n]")


def _typed(doc: Document, mentions: Iterable[Mention], profile: CorpusProfile | None) -> list[tuple[Mention, str, str]]:
    """(mention, type, identifier) in output order; mentions the profile has no type for are dropped."""
    rows = []
    for m in mentions:
        if profile is None:
            cat = category(m.category)
            rows.append((m, cat.pubtator or cat.biolink, m.curie or "-"))
            continue
        t = profile.type_for(m.category)
        if t is None:
            continue
        if profile.learned_subtypes:  # the corpus's own finer type names, as its annotators would write them
            from kg.evaluation.subtypes import subtype

            t = subtype(doc.text, m.start, m.end)
        rows.append((m, t, profile.to_corpus_id(m.curie, t) or profile.no_id))
    rows.sort(key=lambda r: (r[0].start, r[0].end, r[1], r[2], r[0].text))
    return rows


def _split_title(doc: Document) -> tuple[str, str] | None:
    """Title and abstract of a PubTator document, or None when its text is not title + " " + abstract."""
    if doc.format != "pubtator" or "\n" in doc.text:
        return None
    title = doc.title
    if not doc.text.startswith(title):
        return None
    return title, doc.text[len(title) + 1:]


def pubtator_lines(documents: Iterable[Document], mentions_by_doc: Mapping[str, Iterable[Mention]],
                   corpus_types: CorpusProfile | None = None,
                   relations_by_doc: Mapping[str, Iterable[str]] | None = None) -> list[str]:
    """The PubTator lines for ``documents``: ``|t|``/``|a|`` lines for PubTator documents, then one
    ``PMID<TAB>start<TAB>end<TAB>text<TAB>Type<TAB>ID`` line per mention, a blank line after each document.

    Reviews have no title/abstract split and may contain line breaks, so only their annotation lines are
    written; tabs and line breaks inside a mention's text become spaces. ``relations_by_doc`` holds the
    relation lines (``PMID<TAB>type<TAB>id1<TAB>id2[<TAB>novelty]``) written after a document's mentions.
    """
    lines: list[str] = []
    for doc in documents:
        pmid = doc.pmid or doc.id
        parts = _split_title(doc)
        if parts is not None:
            lines += [f"{pmid}|t|{parts[0]}", f"{pmid}|a|{parts[1]}"]
        for m, t, ident in _typed(doc, mentions_by_doc.get(doc.id, ()), corpus_types):
            text = _LINE_BREAKS.sub(" ", m.text)
            lines.append(f"{pmid}\t{m.start}\t{m.end}\t{text}\t{t}\t{ident}")
        lines += (relations_by_doc or {}).get(doc.id, ())
        lines.append("")
    return lines


def biocjson_collection(documents: Iterable[Document], mentions_by_doc: Mapping[str, Iterable[Mention]],
                        corpus_types: CorpusProfile | None = None, *, source: str = "kg",
                        date: str = "", relations_by_doc: Mapping[str, Iterable[str]] | None = None) -> dict:
    """A BioC collection as a dict: documents -> passages -> annotations with infons type/identifier and
    locations offset/length (document-level offsets, as BioC specifies).

    PubTator documents get a ``title`` and an ``abstract`` passage; any other document one passage with
    its whole text. ``date`` is left empty unless given, so that output is reproducible.
    """
    collection: dict[str, Any] = {"source": source, "date": date, "key": "kg.key", "infons": {}, "documents": []}
    for doc in documents:
        parts = _split_title(doc)
        if parts is not None:
            passages = [_passage("title", 0, parts[0]), _passage("abstract", len(parts[0]) + 1, parts[1])]
        else:
            passages = [_passage(doc.format or "text", 0, doc.text)]
        for n, (m, t, ident) in enumerate(_typed(doc, mentions_by_doc.get(doc.id, ()), corpus_types), 1):
            home = next((p for p in reversed(passages) if p["offset"] <= m.start), passages[0])
            home["annotations"].append({
                "id": str(n),
                "infons": {"type": t, "identifier": ident, "category": m.category},
                "text": m.text,
                "locations": [{"offset": m.start, "length": m.end - m.start}],
            })
        infons = {"source": doc.source, "format": doc.format}
        if doc.title:
            infons["title"] = doc.title
        relations = [_relation(f"R{n}", line) for n, line in enumerate((relations_by_doc or {}).get(doc.id, ()), 1)]
        collection["documents"].append({"id": doc.pmid or doc.id, "infons": infons, "passages": passages,
                                        "relations": relations})
    return collection


def _relation(rid: str, line: str) -> dict:
    """A document-level BioC relation from a relation line (infons as BioRED's BioC files name them)."""
    cols = line.split("\t")
    infons = {"type": cols[1], "entity1": cols[2], "entity2": cols[3]}
    if len(cols) > 4:
        infons["novel"] = cols[4]
    return {"id": rid, "infons": infons, "nodes": []}


def _passage(kind: str, offset: int, text: str) -> dict:
    return {"offset": offset, "infons": {"type": kind}, "text": text, "sentences": [], "annotations": [],
            "relations": []}


def write_pubtator(documents: Iterable[Document], mentions_by_doc: Mapping[str, Iterable[Mention]],
                   out: str | Path | IO[str], corpus_types: CorpusProfile | None = None) -> int:
    """Write PubTator to ``out`` (a path or an open text stream); returns the number of mention lines."""
    lines = pubtator_lines(documents, mentions_by_doc, corpus_types)
    _write(out, "\n".join(lines) + ("\n" if lines else ""))
    return sum(1 for line in lines if line.count("\t") == 5)


def write_biocjson(documents: Iterable[Document], mentions_by_doc: Mapping[str, Iterable[Mention]],
                   out: str | Path | IO[str], corpus_types: CorpusProfile | None = None, *,
                   source: str = "kg", date: str = "") -> int:
    """Write a BioC JSON collection to ``out``; returns the number of annotations written."""
    collection = biocjson_collection(documents, mentions_by_doc, corpus_types, source=source, date=date)
    _write(out, json.dumps(collection, ensure_ascii=False, indent=1) + "\n")
    return sum(len(p["annotations"]) for d in collection["documents"] for p in d["passages"])


def _write(out, text: str) -> None:
    if hasattr(out, "write"):
        out.write(text)
        return
    path = Path(out)
    atomic_write_text(path, text)
    log.info("wrote %s", path)


def annotate_paths(paths: Iterable[str | Path], *, fmt: str = "pubtator", corpus: str | None = None,
                   pipeline: str = "dictionary", progress: bool = False, relations: bool = False) -> str:
    """Run the pipeline over ``paths`` and return the annotations as PubTator or BioC JSON text.

    Types and identifiers follow ``corpus`` when named; otherwise, per input file, the corpus its own gold
    annotations reveal, else the corpus its path names (``CDR_TestSet``, ``biored/Test.PubTator``), else
    PubTator's generic type names with kg's CURIEs. Under a corpus's conventions, the forms its annotators
    leave unannotated (``ontologies/evaluation/conventions.tsv``, learnt from its training split) are dropped.
    With ``relations``, the document-level relations extraction puts in the graph follow each document's
    mentions, typed as the corpus types them (``kg.evaluation.relations``); only BC5CDR and BioRED have types.
    """
    from kg.errors import InputError
    from kg.evaluation import PROFILES, predict_resolution, resolved_mentions
    from kg.ingest import read_paths
    from kg.nlp import load_pipeline
    from kg.vocabulary import load_vocabulary

    if corpus is not None and corpus not in PROFILES:
        raise InputError(f"unknown corpus {corpus!r}; choose one of {', '.join(sorted(PROFILES))}")
    documents = read_paths(list(paths))
    by_source: dict[str, list[Document]] = {}
    for doc in documents:
        by_source.setdefault(doc.source, []).append(doc)
    profiles = [(docs, PROFILES[corpus] if corpus else _profile_of(docs)) for docs in by_source.values()]
    vocabulary = load_vocabulary()
    if any(profile is not None for _docs, profile in profiles):  # a corpus's terms: its (older MeSH) readings
        vocabulary = vocabulary.in_corpus_terms()
    nlp = load_pipeline(pipeline, vocabulary=vocabulary)
    resolution = predict_resolution(documents, nlp, vocabulary, progress=progress)
    by_doc: dict[str, list[Mention]] = {}
    for mention in resolved_mentions(resolution):
        by_doc.setdefault(mention.doc_id, []).append(mention)
    # in a corpus's terms, its annotators' conventions apply too: forms it leaves unannotated are not written
    groups = [(docs, profile, _conventional(docs, by_doc, profile, vocabulary)) for docs, profile in profiles]
    lines_by_doc = _relation_lines(documents, resolution, groups) if relations else {}
    if fmt == "biocjson":
        collection = None
        for docs, profile, mentions in groups:
            part = biocjson_collection(docs, mentions, profile, relations_by_doc=lines_by_doc)
            if collection is None:
                collection = part
            else:
                collection["documents"] += part["documents"]
        return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"
    lines = [line for docs, profile, mentions in groups
             for line in pubtator_lines(docs, mentions, profile, lines_by_doc)]
    return "\n".join(lines) + ("\n" if lines else "")


def _relation_lines(documents: list[Document], resolution, groups) -> dict[str, list[str]]:
    """Relation lines per document, in the terms of each input's corpus (kg's kinds and CURIEs without one).

    Only pairs of entities whose mentions are written: a form the corpus leaves unannotated joins no relation."""
    from kg.evaluation.relations import corpus_relations, generic_relations
    from kg.extract import extract

    relations = extract(documents, resolution).relations
    out: dict[str, list[str]] = {}
    for docs, profile, mentions in groups:
        for doc in docs:
            written = {m.curie for m in mentions.get(doc.id, ())}
            kept = [r for r in relations if r.doc_id == doc.id and r.subject in written and r.object in written]
            rows = corpus_relations(doc, kept, profile) if profile is not None else generic_relations(doc, kept)
            out[doc.id] = [r.line(doc.pmid or doc.id) for r in rows]
    return out


def _conventional(documents: list[Document], by_doc: Mapping[str, list[Mention]],
                  profile: CorpusProfile | None, vocabulary) -> Mapping[str, list[Mention]]:
    """``by_doc`` for ``documents`` as ``profile``'s corpus writes them (:func:`kg.evaluation.in_corpus_terms`);
    all kept without one."""
    if profile is None:
        return by_doc
    from kg.evaluation import in_corpus_terms

    return {d.id: in_corpus_terms(by_doc.get(d.id, []), profile, vocabulary) for d in documents}


def _profile_of(documents: list[Document]) -> CorpusProfile | None:
    """The corpus conventions of one input file: from its gold types, else from its path, else none."""
    from kg.errors import InputError
    from kg.evaluation.corpus_types import detect_corpus, profile_from_path

    source = documents[0].source if documents else ""
    gold_types = {g.type for d in documents for g in d.gold}
    if gold_types:
        try:
            return detect_corpus(gold_types, source)
        except InputError:
            log.warning("gold types %s match no known corpus; writing generic PubTator types", sorted(gold_types))
            return None
    return profile_from_path(source)
