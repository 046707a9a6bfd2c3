"""Reference entries with separators (Vancouver, APA, Harvard, Nature, MDPI) and author–year citation markers.

An entry is read from its ends inward, because they are the most regular parts: identifiers (DOI, PMID, PMCID)
anywhere; the year in parentheses (APA/Harvard ``(2013).``, Springer ``(2017)``, Nature ``(2019).`` at the end)
or after the journal (Vancouver ``2021;71(3)``, MDPI ``2005, 146``); the authors before the year or up to the
first full stop that is not after an initial; then title, journal, volume and pages.

Author–year markers (``(Smith et al., 2020; Lee & Park 2019a)``, ``Smith et al. (2020)``, ``Fallon et al. 2012``)
are matched to entries by first author's surname and year, with a/b suffixes, "et al." preferring three or more
authors and "A & B" needing B as second author. A bare "Name 2019" counts only when Name is the first author of
an entry (so "In 2019" or "March 2020" are no markers); an "et al." or two-author form that matches nothing is
reported as unmatched.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from kg.document import CitationMarker, Reference, Span

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\]\[<>\"]+)")
_PMID = re.compile(r"\bPMID:?\s*(\d{5,9})")
_PMCID = re.compile(r"\bPMC\s?(\d{5,9})\b")
_PAREN_YEAR = re.compile(r"\(\s*((?:1[89]|20)\d\d)([a-z]?)\s*\)|\(\s*(n\.\s?d\.)\s*\)")
_YEAR = re.compile(r"(?<![\d/.])((?:1[89]|20)\d\d)([a-z]?)(?![\d])")
_INITIALS = re.compile(r"^(?:[A-ZÀ-Þ][a-z]?\.?-?){1,4}$")
_PARTICLE = r"(?:[Vv]an|[Vv]on|[Dd]e|[Dd]er|[Dd]en|[Dd]i|[Dd]a|[Dd]el|[Ll]a|[Ll]e|[Dd]u|[Dd]os|[Dd]')"
_NAME = rf"(?<![\w])(?:{_PARTICLE}\s+)*[A-ZÀ-Þ][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*"
_MARKER = re.compile(
    rf"(?P<a1>{_NAME}(?:\s+{_NAME})?)(?P<form>\s+et\s+al\.?|\s*,?\s*(?:&|and)\s+(?P<a2>{_NAME}))?"
    rf"(?P<sep>\s*,\s*|\s+|\s*\(\s*|\s*,?\s*\(\s*)(?P<years>(?:1[89]|20)\d\d[a-z]?(?:\s*,\s*(?:1[89]|20)\d\d[a-z]?(?![\d]))*)(?![\d])"
)


def fold(name: str) -> str:
    """A comparable surname: accents stripped, casefolded, spaces and punctuation dropped."""
    text = unicodedata.normalize("NFKD", name)
    return re.sub(r"[\W_]+", "", "".join(c for c in text if not unicodedata.combining(c)).casefold())


def _split_authors(part: str) -> tuple[list[str], list[str]]:
    """``(authors as "Surname IN", surnames)`` from an entry's author part, in any of the common styles."""
    part = re.sub(r",?\s*(?:et\s+al\.?|and\s+others)\s*$", "", part.strip().rstrip(",; "))
    if not part:
        return [], []
    pairs: list[tuple[str, str]] = []
    if ";" in part:  # MDPI / ACS: "Thomas, P.; Pang, Y."
        for name in part.split(";"):
            surname, _, initials = name.strip().partition(",")
            pairs.append((surname.strip(), initials))
    elif re.search(r",\s*(?:[A-ZÀ-Þ][a-z]?\.\s*-?\s*)+(?:,|&|\band\b|$)", part):  # APA / Harvard / Nature
        cleaned = re.sub(r"\s*(?:&|\band\b)\s*", ", ", part)
        for m in re.finditer(r"([^\s,][^,]*?),\s*((?:[A-ZÀ-Þa-z][a-z]?\.\s*-?\s*)*[A-ZÀ-Þ][a-z]?\.?)(?=\s*(?:,|$))",
                             cleaned):
            pairs.append((m.group(1).strip(), m.group(2)))
    else:  # Vancouver: "Sung H, Ferlay J, Siegel RL"
        for name in re.split(r",|&|\band\b", part):
            tokens = name.split()
            if len(tokens) > 1 and _INITIALS.match(tokens[-1]) and tokens[-1].isupper():
                pairs.append((" ".join(tokens[:-1]), tokens[-1]))
            elif tokens:
                pairs.append((" ".join(tokens), ""))
    authors, surnames = [], []
    for surname, initials in pairs:
        surname = surname.strip(" .&")
        if not surname or not any(c.isalpha() for c in surname):
            continue
        letters = re.sub(r"[^A-ZÀ-Þ]", "", initials)
        authors.append(f"{surname} {letters}".strip())
        surnames.append(surname)
    return authors, surnames


def _authors_end(text: str) -> int:
    """Where a Vancouver / MDPI / Nature author list ends: the first full stop not followed by more names."""
    for m in re.finditer(r"\.\s+", text):
        if re.search(r"\bal$", text[: m.start()]):
            return m.start()
        nxt = text[m.end():].split(" ", 2)
        first = nxt[0] if nxt else ""
        initial = re.match(r"^(?:[A-ZÀ-Þ][a-z]?\.-?)+[,;]?$", first)
        if not first or initial or first in ("&", "and") or first.endswith(","):
            continue
        if first[:1].islower() and len(first) <= 3:  # "Bullmore, E. d. T."
            continue
        return m.start()
    return -1


def parse_entry(text: str) -> dict:
    """The fields of one separated reference entry (``text`` without its number); empty strings when absent."""
    out: dict = {"authors": (), "surnames": (), "year": None, "suffix": "", "title": "", "journal": "",
                 "volume": "", "pages": "", "doi": "", "pmid": "", "pmcid": ""}
    if m := _DOI.search(text):
        out["doi"] = re.sub(r"(?:\[doi\])?[.,;:)]+$", "", m.group(1))
    if m := _PMID.search(text):
        out["pmid"] = m.group(1)
    if m := _PMCID.search(text):
        out["pmcid"] = "PMC" + m.group(1)
    main = re.split(r"\s(?:https?://|doi:|\[CrossRef\]|PMID|PMCID)", text, maxsplit=1)[0]
    paren = _PAREN_YEAR.search(main)
    early = paren is not None and paren.start() < 0.7 * len(main)
    if paren is not None and early:  # APA / Harvard / Springer: "Authors (2013). Title."
        author_part, rest = main[: paren.start()], main[paren.end():].lstrip(" .,")
    else:  # Vancouver / MDPI / Nature: "Authors. Title. Journal 2021;71:209." or "... 1-10 (2019)."
        end = _authors_end(main)
        author_part, rest = (main[:end], main[end + 1:].strip()) if end > 0 else ("", main)
    if paren is not None and paren.group(1):
        out["year"], out["suffix"] = int(paren.group(1)), paren.group(2)
    out["authors"], out["surnames"] = (tuple(x) for x in _split_authors(author_part))
    quoted = re.match(r"^['‘\"“](.+?)['’\"”][,.]?\s*(.*)$", rest)
    pieces = list(quoted.groups()) if quoted else re.split(r"(?<=[.?!])\s+(?=[A-Z0-9\"“‘(\[])", rest, maxsplit=1)
    out["title"] = pieces[0].strip().rstrip(".")
    tail = pieces[1] if len(pieces) > 1 else ""
    if out["year"] is None:
        year = _YEAR.search(tail) or _YEAR.search(rest)
        out["year"] = int(year.group(1)) if year else None
    if jm := re.match(r"^([^\d;:,]+?(?:\([^)]*\))?)\s*(?:[.,;:]|\s(?=\d))", tail):
        out["journal"] = jm.group(1).strip().rstrip(".")
        tail = tail[jm.end():]
    if out["year"]:
        tail = re.sub(rf"^\s*{out['year']}[a-z]?\s*[;,.]?", "", tail.strip())
    vm = re.search(r"(?<![\d.])(\d{1,5}[A-Z]?)\s*(?:\(([^)]{1,12})\))?\s*(?:Suppl\S*\s*)?[:,]\s*"
                   r"([A-Za-z]?\d+(?:\s*[-–]\s*[A-Za-z]?\d+)?)", tail)
    if vm:
        out["volume"], out["pages"] = vm.group(1), re.sub(r"\s+", "", vm.group(3))
    return out


def looks_separated(text: str) -> bool:
    """True for an entry with punctuation between its fields (the web-copied glued style has none)."""
    return bool(re.search(r"(?<!\d)(?:1[89]|20)\d\d[a-z]?(?!\d)", text)) and ". " in text


def assign_keys(refs: list[Reference]) -> list[Reference]:
    """Give every entry ``key`` = first surname + year + suffix; entries sharing first author and year without
    written suffixes get a, b, c in list order (the order APA sorts them in)."""
    from dataclasses import replace

    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(refs):
        if r.authors and r.year and not re.search(r"\d[a-z]$", r.key):
            groups[f"{fold(_surname(r.authors[0]))}{r.year}"].append(i)
    out = list(refs)
    for base, idx in groups.items():
        for pos, i in enumerate(idx):
            out[i] = replace(out[i], key=base + (chr(ord("a") + pos) if len(idx) > 1 else ""))
    return out


def _surname(author: str) -> str:
    tokens = author.split()
    return " ".join(tokens[:-1]) if len(tokens) > 1 and tokens[-1].isupper() and len(tokens[-1]) <= 4 else author


def find_author_year(text: str, refs: list[Reference], allowed) -> list[CitationMarker]:
    """Author–year markers in ``text`` whose start ``allowed(offset)`` accepts, one per author and year, linked to
    ``refs`` (numbers = entry numbers) or reported unmatched."""
    by_first: dict[str, list[Reference]] = defaultdict(list)
    for r in refs:
        if r.authors:
            by_first[fold(_surname(r.authors[0]))].append(r)
    out: list[CitationMarker] = []
    for m in _MARKER.finditer(text):
        words = re.split(r"\s+", m.group("a1"))
        first, start = None, m.start()
        for i in range(len(words)):  # "In Chamberlain" -> "Chamberlain"
            if fold(" ".join(words[i:])) in by_first:
                first = fold(" ".join(words[i:]))
                start = m.start() + m.group("a1").index(words[i]) if i else m.start()
                break
        form = m.group("form") or ""
        if first is None:
            if not form or not allowed(m.start()):
                continue
            first = fold(words[-1])
            start = m.start() + m.group("a1").rindex(words[-1])
        if not allowed(start):
            continue
        second = fold(m.group("a2")) if m.group("a2") else ""
        etal = "et" in form
        pos = start
        for ym in re.finditer(r"((?:1[89]|20)\d\d)([a-z]?)", m.group("years")):
            y_start = m.start("years") + ym.start()
            span = Span(pos, m.start("years") + ym.end())
            pos = m.start("years") + ym.end()
            ref = _match(by_first.get(first, []), int(ym.group(1)), ym.group(2), second, etal)
            key = f"{first} {ym.group(1)}{ym.group(2)}"
            if ref is None:
                out.append(CitationMarker(span, (), "author-year", key, (key,)))
            else:
                out.append(CitationMarker(span, (ref.number,), "author-year", key))
            pos = max(pos, y_start)
    return out


def _match(cands: list[Reference], year: int, suffix: str, second: str, etal: bool) -> Reference | None:
    hits = [r for r in cands if r.year == year]
    if suffix:
        hits = [r for r in hits if r.key.endswith(f"{year}{suffix}")] or hits
    if second:
        both = [r for r in hits if len(r.authors) >= 2 and fold(_surname(r.authors[1])) == second]
        hits = both or (hits if len(hits) == 1 else [])
    elif len(hits) > 1:
        want = [r for r in hits if (len(r.authors) >= 3) == etal]
        hits = want or hits
    return hits[0] if hits else None
