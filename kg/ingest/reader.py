"""Turn paths into decoded text and pick a format, so parsers only ever see clean ``str`` input.

Files are decoded from bytes ourselves (not with universal newlines) so that ``Document.text`` is
exactly the file's characters and every offset matches what an editor shows. The one change made
is that a leading UTF-8 byte-order mark is dropped: offsets index the text *after* the BOM.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kg.document import Document
from kg.errors import InputError

log = logging.getLogger(__name__)

BOM = "\ufeff"
#: Suffixes picked up when a folder is given (compared case-insensitively).
FOLDER_SUFFIXES = (".txt", ".pubtator")
_PUBTATOR_FIRST_LINE = re.compile(r"^\S+\|[ta]\|")
_SKIPPED_NAMES = re.compile(r"^(source\.md|license.*|licence.*)$", re.IGNORECASE)


def read_text(path: str | Path) -> str:
    """Read ``path`` as UTF-8 text, raising ``InputError`` for missing, empty, binary or non-UTF-8 files."""
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
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{path}: binary data (NUL byte at offset {nul}); pass a plain-text (.txt) or PubTator file")
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


def read_file(path: str | Path) -> list[Document]:
    """Read one file, sniffing PubTator versus plain-text review."""
    from kg.ingest.pubtator import parse_pubtator
    from kg.ingest.review import parse_review

    path = Path(path)
    text = read_text(path)
    if is_pubtator(text):
        documents = parse_pubtator(text, source=str(path))
        if not documents:
            raise InputError(f"{path}: looks like PubTator but holds no title/abstract lines; check the file")
        return documents
    return [parse_review(text, doc_id=slug(path.stem), source=str(path))]


def _wanted(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    if any(p.startswith(".") for p in parts):
        return False
    if _SKIPPED_NAMES.match(path.name):
        return False
    return path.suffix.lower() in FOLDER_SUFFIXES


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus the readable files found recursively under each folder, sorted."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder; check the path and try again")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _wanted(p, path))
            if not found:
                raise InputError(
                    f"{path}: folder holds no readable files (*.txt, *.pubtator); add some or pass files directly"
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


def read_paths(paths: Iterable[str | Path]) -> list[Document]:
    """Read every file and folder in ``paths`` into documents, in a deterministic order."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = expand_paths(paths)
    if not files:
        raise InputError("no input paths given; pass at least one file or folder")
    documents: list[Document] = []
    for path in files:
        documents.extend(read_file(path))
    make_ids_unique(documents)
    log.info("read %d documents from %d files", len(documents), len(files))
    return documents
