"""BioC collections, XML or JSON (PMC's BioC API, PubTator3 exports): passages laid out at their own offsets.

``Document.text`` puts every passage at its BioC ``offset`` (the gaps filled with newlines), so a BioC offset,
an annotation's location and a ``Document`` offset are the same number. When offsets overlap or go backwards
(hand-made files, offsets counted in bytes) a passage is placed after the previous one and its annotations are
shifted with it; :attr:`BiocDocument.placements` keeps the passage -> offset correspondence either way.

Passages are typed by their infons (``section_type``: TITLE, ABSTRACT, INTRO, METHODS, ..., REF; ``type``:
front, title_1, paragraph, fig_caption, table, ref, ...). Titles become sections, ``ref`` passages the reference
list, and passages that are not content (funding, competing interests, author contributions, footnotes) stay in
the text but out of the blocks. The format is plain JSON / XML, so no BioC library is needed to read it.
"""
from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from kg.document import Block, Document, GoldAnnotation, Reference, Section, Span
from kg.errors import InputError

log = logging.getLogger(__name__)

#: The most characters of newlines put between two passages (a larger offset is no character offset).
MAX_GAP = 10_000_000

_NOT_CONTENT = {"ACK_FUND", "AUTH_CONT", "COMP_INT", "SUPPL", "REVIEW_INFO", "KEYWORD", "ABBR_TITLE"}
_NOT_CONTENT_TYPES = {"footnote", "table_footnote", "fig_footnote", "front_footnote", "license", "copyright",
                      "author_notes", "aff", "keyword", "kwd"}
_CAPTION_TYPES = re.compile(r"^(?:fig|table|box|suppl)_(?:title_)?caption|_caption$")
_TITLE_TYPES = re.compile(r"^(?:title|abstract_title|front_title)(?:_\d+)?$|_title_\d+$")
_NAME = re.compile(r"surname:([^;]*)(?:;given-names:(.*))?")


@dataclass(frozen=True)
class Placement:
    """Where one BioC passage went: its own offset and where its text starts in ``Document.text``."""

    bioc_offset: int
    offset: int
    length: int


@dataclass
class BiocDocument:
    document: Document
    placements: list[Placement]


def is_bioc_json(data: Any) -> bool:
    """True for the shapes of BioC JSON: a collection, a list of collections or documents, a PubTator3 export."""
    return bool(_documents(data, strict=True))


def _documents(data: Any, strict: bool = False) -> list[dict]:
    if isinstance(data, dict):
        if isinstance(data.get("PubTator3"), list):
            return [d for d in data["PubTator3"] if isinstance(d, dict) and "passages" in d]
        if isinstance(data.get("documents"), list):
            return [d for d in data["documents"] if isinstance(d, dict) and "passages" in d]
        if isinstance(data.get("passages"), list):
            return [data]
        return []
    if isinstance(data, list):
        out: list[dict] = []
        for item in data:
            out.extend(_documents(item))
        return out
    return []


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # None, "x", Infinity
        return default


def _dicts(value: Any) -> list[dict]:
    """The objects of a JSON list (passages, annotations, locations); anything else holds none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _infon_dict(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


# -- BioC XML to the JSON shape ---------------------------------------------------------------------------------


def _infons(el: ET.Element) -> dict[str, str]:
    return {i.get("key", ""): i.text or "" for i in el.findall("infon")}


def collection_from_xml(root: ET.Element) -> dict:
    """A BioC XML ``<collection>`` as the dict BioC JSON would hold (only the parts read here)."""
    documents = []
    for d in root.findall("document"):
        passages = []
        for p in d.findall("passage"):
            annotations = [{
                "id": a.get("id", ""), "infons": _infons(a), "text": a.findtext("text", ""),
                "locations": [{"offset": loc.get("offset"), "length": loc.get("length")}
                              for loc in a.findall("location")],
            } for a in p.findall("annotation")]
            passages.append({"offset": p.findtext("offset", "0"), "infons": _infons(p),
                             "text": p.findtext("text", ""), "annotations": annotations})
        documents.append({"id": d.findtext("id", ""), "infons": _infons(d), "passages": passages})
    return {"source": root.findtext("source", ""), "documents": documents}


# -- one document -------------------------------------------------------------------------------------------------


def _kind(infons: dict[str, str]) -> str:
    """``title`` / ``heading`` / ``abstract`` / ``caption`` / ``ref`` / ``skip`` / ``paragraph`` for a passage."""
    section = (infons.get("section_type") or infons.get("section") or "").upper()
    kind = (infons.get("type") or "").lower()
    if section == "TITLE" or kind in ("front", "title") and section in ("", "TITLE"):
        return "title"
    if kind == "ref" or section == "REF" and not _TITLE_TYPES.match(kind):
        return "ref"
    if section in _NOT_CONTENT or kind in _NOT_CONTENT_TYPES:
        return "skip"
    if _TITLE_TYPES.match(kind):
        return "heading"
    if _CAPTION_TYPES.search(kind):
        return "caption"
    if section == "ABSTRACT" or kind == "abstract":
        return "abstract"
    return "paragraph"


def _reference(infons: dict[str, str], text: str, number: int, span: Span) -> Reference:
    authors = []
    for key in sorted((k for k in infons if k.startswith("name_")), key=lambda k: _int(k[5:], 0)):
        m = _NAME.match(infons[key])
        if m:
            given = (m[2] or "").replace(".", "").replace(" ", "")
            authors.append(f"{m[1]} {given}".strip())
        elif infons[key]:
            authors.append(infons[key])
    year = re.search(r"(?:1[5-9]|20)\d\d", infons.get("year", ""))
    fpage, lpage = infons.get("fpage", ""), infons.get("lpage", "")
    pmcid = infons.get("pub-id_pmcid", "") or infons.get("pub-id_pmc", "")
    return Reference(
        number=number, raw=text, span=span, title=text.strip().rstrip("."), journal=infons.get("source", ""),
        authors=tuple(authors), year=int(year.group(0)) if year else None, volume=infons.get("volume", ""),
        pages=f"{fpage}–{lpage}" if fpage and lpage else fpage, doi=infons.get("pub-id_doi", ""),
        pmid=infons.get("pub-id_pmid", ""),
        pmcid=("" if not pmcid or pmcid.upper().startswith("PMC") else "PMC") + pmcid.upper(),
    )


def _gold(annotation: dict, shift: int, text: str, source: str) -> list[GoldAnnotation]:
    infons = _infon_dict(annotation.get("infons"))
    identifier = next((str(infons[k]) for k in ("identifier", "Identifier", "MESH", "NCBI Gene", "NCBI Taxonomy")
                       if infons.get(k)), "")
    if identifier in ("-", "None", "null"):
        identifier = ""
    kind = str(infons.get("type") or "")
    out = []
    for loc in _dicts(annotation.get("locations")):
        start = _int(loc.get("offset")) + shift
        end = start + _int(loc.get("length"))
        mention = str(annotation.get("text") or text[start:end])
        if text[start:end] != mention:
            log.debug("%s: annotation %r at %d-%d disagrees with the text", source, mention, start, end)
        out.append(GoldAnnotation(Span(start, end), mention, kind, identifier))
    return out


def parse_bioc_document(data: dict, doc_id: str, source: str = "") -> BiocDocument:
    """One BioC document as a ``Document`` (format ``bioc``) with its passages at their offsets."""
    doc = Document(id=doc_id, text="", source=source, format="bioc")
    parts: list[str] = []
    size = 0
    placements: list[Placement] = []
    heading: list | None = None  # [title, body start, body end] of the open section

    def close_section() -> None:
        if heading and heading[1] >= 0:
            doc.sections.append(Section(heading[0], Span(heading[1], heading[2])))

    for passage in _dicts(data.get("passages")):
        infons = _infon_dict(passage.get("infons"))
        text = str(passage.get("text") or "")
        offset = _int(passage.get("offset"), size)
        start = offset if offset >= size + (1 if size else 0) else size + (1 if size else 0)
        if start - size > MAX_GAP:
            shown = str(offset) if offset < 10**15 else f"{offset:.3g}"
            raise InputError(f"{source or doc_id}: a passage of document {doc_id} starts at BioC offset {shown}, far "
                             "past the text before it; BioC offsets count characters from the document's start, "
                             "fix the export")
        if start != offset:
            log.debug("%s: passage at BioC offset %d placed at %d", source, offset, start)
        parts.append("\n" * (start - size))
        parts.append(text)
        size = start + len(text)
        placements.append(Placement(offset, start, len(text)))
        span = Span(start, size)
        kind = _kind(infons)
        section = (infons.get("section_type") or infons.get("section") or "").upper()
        if kind == "ref" and text.strip():
            number = len(doc.references) + 1
            doc.references.append(_reference(infons, text, number, span))
        elif kind == "title" and text.strip():
            doc.blocks.append(Block(span, "title", section))
            doc.title = doc.title or " ".join(text.split())
            doc.pmid = doc.pmid or infons.get("article-id_pmid", "")
            names = sorted((k for k in infons if k.startswith("name_")), key=lambda k: _int(k[5:]))
            doc.authors = doc.authors or [_author(infons[k]) for k in names]
        elif kind == "heading" and text.strip():
            close_section()
            heading = [" ".join(text.split()), -1, -1]
        elif kind in ("abstract", "caption", "paragraph") and text.strip():
            doc.blocks.append(Block(span, "abstract" if kind == "abstract" else kind, section))
            if heading:
                heading[1] = start if heading[1] < 0 else heading[1]
                heading[2] = size
        for annotation in _dicts(passage.get("annotations")):
            doc.gold.extend(_gold(annotation, start - offset, "".join(parts), source))
    close_section()
    doc.text = "".join(parts)
    infons = _infon_dict(data.get("infons"))
    doc.pmid = doc.pmid or str(infons.get("article-id_pmid") or "") or (doc_id if doc_id.isdigit() else "")
    return BiocDocument(doc, placements)


def _author(value: str) -> str:
    m = _NAME.match(value)
    return f"{(m[2] or '').strip()} {m[1]}".strip() if m else value


def parse_bioc(data: Any, source: str = "", fallback_id: str = "document") -> list[Document]:
    """Every document of a BioC JSON value (or of :func:`collection_from_xml`'s dict)."""
    from kg.ingest.references import find_citations

    out = []
    for k, item in enumerate(_documents(data)):
        raw_id = str(item.get("id") or "").strip()
        doc_id = raw_id or (fallback_id if k == 0 else f"{fallback_id}-{k + 1}")
        doc = parse_bioc_document(item, doc_id, source).document
        refs = [r.span for r in doc.references]
        doc.citations = [c for b in doc.blocks if b.kind != "title"
                         for c in find_citations(doc.text, b.span.start, b.span.end)
                         if not any(s.start <= c.span.start < s.end for s in refs)]
        log.info("%s: %d blocks, %d sections, %d references, %d citation markers, %d annotations", doc_id,
                 len(doc.blocks), len(doc.sections), len(doc.references), len(doc.citations), len(doc.gold))
        out.append(doc)
    return out
