"""Turn paths into documents: read the bytes, sniff the format by content and extension, hand clean input to a parser.

Formats: PDF (``%PDF-`` magic), JATS/NLM XML (an ``<article>``, alone or in a ``<pmc-articleset>``), BioC XML (a
``<collection>``), BioC JSON (PMC's BioC API, PubTator3 exports), PubTator, and plain text or Markdown reviews.
Text files are decoded from bytes ourselves (not with universal newlines) so that ``Document.text`` is exactly the
file's characters and every offset matches what an editor shows. The one change made is that a leading UTF-8
byte-order mark is dropped: offsets index the text *after* the BOM.

XML is parsed with the standard library: expat resolves no external entities and no DTD (nothing is fetched or
read from disk), and since expat 2.4 it refuses entity-expansion bombs, so defusedxml would add nothing here.
"""
from __future__ import annotations

import json
import logging
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kg.document import Document
from kg.errors import InputError

log = logging.getLogger(__name__)

BOM = "\ufeff"
#: Suffixes picked up when a folder is given (compared case-insensitively).
FOLDER_SUFFIXES = (".txt", ".md", ".xml", ".nxml", ".json", ".pdf", ".pubtator")
_XML_SUFFIXES = (".xml", ".nxml")
_PUBTATOR_FIRST_LINE = re.compile(r"^\S+\|[ta]\|")
#: Provenance and licence notes next to the inputs (``SOURCE.md``, ``x.SOURCE.md``, ``LICENSE``, ``README.md``).
_SKIPPED_NAMES = re.compile(r"^((.+\.)?source\.md|license.*|licence.*|readme(\.md|\.txt)?)$", re.IGNORECASE)
_XML_START = re.compile(r"^\s*(<\?xml\b|<!DOCTYPE\s+(article|collection|pmc-articleset)\b|<(article|collection|"
                        r"pmc-articleset)[\s>])")
_FORMATS = "a text, Markdown, JATS/BioC XML, BioC JSON, PubTator or PDF file"
#: The deepest XML read: the JATS reader walks elements recursively, and no article nests this deep.
MAX_XML_DEPTH = 200
#: A ``\\uD800``-``\\uDFFF`` escape: JSON may spell a surrogate no UTF-8 text can hold.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def read_bytes(path: str | Path) -> bytes:
    """The bytes of ``path`` (BOM dropped), raising ``InputError`` for missing, unreadable or empty files."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; check the path and try again")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file; pass a text file, a PubTator file or a folder")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror}); check its permissions") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise InputError(f"{path}: the file is empty; pass a file that holds text")
    return data


def read_text(path: str | Path, data: bytes | None = None) -> str:
    """Read ``path`` as UTF-8 text, raising ``InputError`` for missing, empty, binary or non-UTF-8 files."""
    path = Path(path)
    data = read_bytes(path) if data is None else data
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{path}: binary data (NUL byte at offset {nul}); pass {_FORMATS}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{path}: not UTF-8 text (invalid byte 0x{data[err.start]:02x} at byte offset {err.start}); "
            "re-save the file as UTF-8"
        ) from None


def is_pubtator(text: str) -> bool:
    """True when the first non-empty line looks like ``PMID|t|title`` or ``PMID|a|abstract``."""
    for line in text.splitlines():
        if line.strip():
            return bool(_PUBTATOR_FIRST_LINE.match(line.lstrip(BOM)))
    return False


def slug(name: str) -> str:
    """A stable identifier from a file name: lower case, runs of other characters become ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "document"


def sniff(path: Path, data: bytes) -> str:
    """The format of a file: ``pdf``, ``xml``, ``json`` or ``text`` (PubTator and reviews are told apart later)."""
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        raise InputError(f"{path}: named .pdf but does not start with %PDF-; check that it is a PDF")
    head = data[:2048].decode("utf-8", errors="replace")
    if suffix in _XML_SUFFIXES or _XML_START.match(head):
        return "xml"
    if suffix == ".json" or head.lstrip()[:1] in ("{", "["):
        return "json"
    return "text"


def _xml_error(path: Path, err: ET.ParseError) -> InputError:
    line, column = err.position
    what = str(err).split(":", 1)[0]
    return InputError(f"{path}: not well-formed XML (line {line}, column {column}: {what}); "
                      "fix the file or export it again")


def parse_xml(path: Path, data: bytes) -> ET.Element:
    """The root element; HTML's named entities (``&mdash;``) are known, as the JATS DTD would define them."""
    import html.entities

    parser = ET.XMLParser()
    parser.entity.update({name: chr(code) for name, code in html.entities.name2codepoint.items()})
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as err:
        raise _xml_error(path, err) from None
    depth = _depth(root)
    if depth > MAX_XML_DEPTH:
        raise InputError(f"{path}: XML elements nested {depth} deep (articles nest a few dozen; kg reads up to "
                         f"{MAX_XML_DEPTH}); check the file or export it again")
    return root


def _depth(root: ET.Element) -> int:
    """How deep elements nest under ``root`` (counted without recursion)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def read_xml(path: Path, data: bytes) -> list[Document]:
    """A JATS/NLM article (or an article set) or a BioC XML collection."""
    from kg.ingest.bioc import collection_from_xml, parse_bioc
    from kg.ingest.jats import articles, parse_jats
    from kg.ingest.jats_inline import local_name

    root = parse_xml(path, data)
    if local_name(root.tag) == "collection":
        documents = parse_bioc(collection_from_xml(root), source=str(path), fallback_id=slug(path.stem))
        if not documents:
            raise InputError(f"{path}: a BioC collection without documents; check the export")
        return documents
    found = articles(root)
    if not found:
        raise InputError(f"{path}: XML whose root is <{local_name(root.tag)}>, neither a JATS <article> nor a BioC "
                         "<collection>; pass the article's JATS/NLM XML or a BioC export")
    documents = []
    for k, article in enumerate(found):
        doc_id = slug(path.stem) if len(found) == 1 else f"{slug(path.stem)}-{k + 1}"
        documents.append(parse_jats(article, doc_id, source=str(path)))
    return documents


def read_json(path: Path, text: str) -> list[Document] | None:
    """BioC JSON documents; ``None`` when the text is no JSON and the file is not named ``.json`` (then it is text)."""
    from kg.ingest.bioc import is_bioc_json, parse_bioc

    named = path.suffix.lower() == ".json"
    data: object = None
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to read; check the file or export it again") from None
    except ValueError as err:
        data = _json_lines(text) if named else None
        if data is None and named:
            where = (f"line {err.lineno}, column {err.colno}: {err.msg}" if isinstance(err, json.JSONDecodeError)
                     else str(err))
            raise InputError(f"{path}: not valid JSON ({where}); fix the file or export it again") from None
    if data is None or not is_bioc_json(data):
        if named:
            raise InputError(f"{path}: JSON but not BioC (no documents with passages); pass a BioC JSON export "
                             "such as PMC's BioC API or PubTator3 gives")
        return None
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as err:
            raise InputError(f"{path}: a JSON string holds a lone surrogate (\\u{ord(err.object[err.start]):04x}), "
                             "which is no character; fix the file or export it again") from None
    return parse_bioc(data, source=str(path), fallback_id=slug(path.stem))


def _json_lines(text: str) -> list | None:
    """JSON Lines (one BioC document per line, as PubTator3 streams them), or ``None``."""
    try:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (ValueError, RecursionError):
        return None
    return rows if len(rows) > 1 else None


def read_file(path: str | Path, *, gold: bool = True) -> list[Document]:
    """Read one file, sniffing its format by content and extension; PMIDs and PMCIDs come out well-formed or empty
    (:mod:`kg.ingest.identifiers`). ``gold=False`` drops the gold annotations and relations a PubTator or BioC file
    carries: a build never reads them, and they were half of what a held abstract took (5,000 BC5CDR abstracts: 69 MB
    with them, 38 MB without)."""
    from kg.ingest.identifiers import checked_identifiers

    documents = checked_identifiers(_read_file(Path(path), gold), str(path))
    if not gold:
        for doc in documents:
            doc.gold, doc.gold_relations = [], []
    return documents


def _read_file(path: Path, gold: bool = True) -> list[Document]:
    from kg.ingest.pubtator import parse_pubtator
    from kg.ingest.review import parse_review

    data = read_bytes(path)
    kind = sniff(path, data)
    if kind == "pdf":
        from kg.ingest.pdf import read_pdf

        return [read_pdf(path, doc_id=slug(path.stem))]
    if kind == "xml":
        return read_xml(path, data)
    text = read_text(path, data)
    if kind == "json":
        documents = read_json(path, text)
        if documents is not None:
            return documents
    if is_pubtator(text):
        documents = parse_pubtator(text, source=str(path), gold=gold)
        if not documents:
            raise InputError(f"{path}: looks like PubTator but holds no title/abstract lines; check the file")
        return documents
    return [parse_review(text, doc_id=slug(path.stem), source=str(path))]


def _wanted(name: str) -> bool:
    return not name.startswith(".") and not _SKIPPED_NAMES.match(name) and Path(name).suffix.lower() in FOLDER_SUFFIXES


def folder_files(root: Path) -> list[Path]:
    """The wanted files under ``root``, at any depth, sorted; hidden folders and symlinked folders are not entered.

    The walk keeps its own stack (``os.walk`` recurses in Python 3.11, so a folder 1,000 levels deep would overflow
    it); a subfolder that cannot be listed is skipped with one warning naming how many and which."""
    found: list[Path] = []
    unreadable: list[tuple[str, str]] = []
    stack = [os.fspath(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as err:
            if folder == os.fspath(root):
                raise InputError(f"{root}: the folder cannot be read ({err.strerror}); check its permissions") from None
            unreadable.append((folder, err.strerror or type(err).__name__))
            continue
        for entry in listed:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith("."):
                        stack.append(entry.path)
                elif _wanted(entry.name) and entry.is_file():
                    found.append(Path(entry.path))
            except OSError as err:
                unreadable.append((entry.path, err.strerror or type(err).__name__))
    if unreadable:
        shown = "; ".join(f"{path} ({why})" for path, why in sorted(unreadable)[:3])
        log.warning("%s: %d subfolder%s could not be read and %s skipped: %s%s; check the permissions", root,
                    len(unreadable), "" if len(unreadable) == 1 else "s", "was" if len(unreadable) == 1 else "were",
                    shown, "; ..." if len(unreadable) > 3 else "")
    return sorted(found)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus the readable files found recursively under each folder, sorted."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder; check the path and try again")
        if path.is_dir():
            found = folder_files(path)
            if not found:
                raise InputError(
                    f"{path}: folder holds no readable files ({', '.join('*' + s for s in FOLDER_SUFFIXES)}); "
                    "add some or pass files directly"
                )
            files.extend(found)
        else:
            files.append(path)
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def make_ids_unique(documents: list[Document]) -> None:
    """Suffix repeated ids (``8528200``, ``8528200-2``) so each document gets its own named graph.

    PubTator documents are numbered from their PMID, so the same PMID in several files stays readable.
    """
    counts: Counter[str] = Counter()
    taken: set[str] = set()
    renamed: list[str] = []
    for doc in documents:
        base = doc.pmid if doc.format == "pubtator" and doc.pmid else doc.id
        counts[base] += 1
        new = base if counts[base] == 1 else f"{base}-{counts[base]}"
        while new in taken:
            counts[base] += 1
            new = f"{base}-{counts[base]}"
        if new != base:
            renamed.append(f"{new} ({doc.source})")
            log.debug("document id %s repeated in %s; this copy is %s", base, doc.source, new)
        taken.add(new)
        doc.id = new
    if renamed:
        log.warning("%d repeated document ids got a -N suffix, e.g. %s", len(renamed), "; ".join(renamed[:3]))


def read_paths(paths: Iterable[str | Path], *, gold: bool = True) -> list[Document]:
    """Read every file and folder in ``paths`` into documents, in a deterministic order (``gold``: see
    :func:`read_file`)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = expand_paths(paths)
    if not files:
        raise InputError("no input paths given; pass at least one file or folder")
    documents: list[Document] = []
    for path in files:
        documents.extend(read_file(path, gold=gold))
    make_ids_unique(documents)
    log.info("read %d documents from %d files", len(documents), len(files))
    return documents
