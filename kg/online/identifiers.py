"""Paper identifiers given as build inputs (``PMC12988702``, ``PMID:31230464``, ``doi:10.1176/...``).

Pure and offline: the build calls :func:`split_inputs` before anything goes online, so an identifier without
``--online`` fails with one clear line. A name that exists on disk is always a file, never an identifier.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError

_PMC = re.compile(r"^(?:pmcid:\s*)?PMC(\d{1,10})$", re.IGNORECASE)
_PMID = re.compile(r"^(?:pmid|pubmed):\s*(\d{1,9})$", re.IGNORECASE)
_DOI = re.compile(r"^(?:doi:\s*|https?:/{1,2}(?:dx\.)?doi\.org/)(10\.\d{4,9}/\S+)$", re.IGNORECASE)


@dataclass(frozen=True)
class PaperId:
    """One paper named by ``kind`` (``pmcid``, ``pmid`` or ``doi``) and ``value`` (``PMC123``, ``123``, ``10.x/y``)."""

    kind: str
    value: str

    def __str__(self) -> str:
        return self.value if self.kind == "pmcid" else f"{self.kind.upper() if self.kind == 'pmid' else 'doi'}:" \
                                                        f"{self.value}"


def parse_identifier(text: str) -> PaperId | None:
    """The identifier ``text`` names, or ``None``. A bare number is no PMID (it may be a file name); write
    ``PMID:123``. DOIs keep their case (DOIs compare case-insensitively, but the record's spelling is shown)."""
    text = text.strip()
    if m := _PMC.match(text):
        return PaperId("pmcid", f"PMC{int(m[1])}")
    if m := _PMID.match(text):
        return PaperId("pmid", str(int(m[1])))
    if m := _DOI.match(text):
        return PaperId("doi", m[1].rstrip(".,;"))
    return None


def split_inputs(inputs: list[str | Path], *, online: bool) -> tuple[list[Path], list[PaperId]]:
    """``(files and folders, identifiers)``; an identifier without ``online`` raises :class:`InputError`."""
    paths: list[Path] = []
    ids: list[PaperId] = []
    for raw in inputs:
        text = str(raw)
        found = None if Path(text).exists() else parse_identifier(text)
        if found is None:
            paths.append(Path(raw))
        elif found not in ids:
            ids.append(found)
    if ids and not online:
        shown = ", ".join(str(i) for i in ids[:3]) + (", ..." if len(ids) > 3 else "")
        what = "an identifier, not a file" if len(ids) == 1 else "identifiers, not files"
        raise InputError(f"{shown}: {what}; add --online to fetch papers from PMC/PubMed (or pass downloaded files)")
    return paths, ids
