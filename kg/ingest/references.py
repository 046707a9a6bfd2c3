"""Numbered reference lists and in-text citation markers.

Reference lines copied from web pages often lose the separators between fields, e.g.::

    - 2Efficacy of esketamine ... a randomized clinical trial JAMA Psychiatry Daly EJ Trivedi MH Janik A
      8939037620193116657110.1001/jamapsychiatry.2019.1189 PMC 6551577 · doi ↗ · pubmed ↗

Heuristics, applied right to left because the tail is the most regular part:

1. Link decorations (`` · doi ↗``) are cut off.
2. ``PMC`` + digits is the PMCID. PMCIDs have at most 8 digits, so a longer run has the PMID glued on.
3. The DOI starts at ``10.NNNN/``. Its first character may be glued to the digits before it. It runs to the
   end of its token, plus any following tokens that start with a lower-case letter or a digit, because copying
   breaks DOIs with stray spaces (``10.3390/brainsci 11070856``).
4. The run of digits just before the DOI (or, with no DOI, the last all-digit token) packs together
   ``first page, last page, volume, year`` and sometimes the PMID. Where a 19xx/20xx year sits, the rest being
   empty or 7-8 digits (a PMID), marks the year. The part before the year is split into pages and volume by
   scoring every split: a plausible page range (last > first, at most 300 pages), volumes of 1-3 digits, and a
   bonus when the DOI ends with the page number (MDPI, Frontiers and PLoS put article numbers there).
5. If no PMID came before the DOI, the PMID comes after it. It is peeled off the DOI's trailing digits only
   when that run is longer than a PMID (8 digits for items from 1999 on, 7 before), because many DOIs end in
   digits themselves.
6. Labelled fields (``PMID: 123``) win over packed ones, and an entry in Vancouver style
   (``Doe JR, Roe DJ. Title. J Abbrev. 2013;381(9878):1672-82.``) is read field by field.
7. The text left over is ``title journal authors``. Authors are ``Surname INITIALS`` pairs read backwards
   from the end. The journal (NLM abbreviations are Capitalised Words) is the run of capitalised tokens
   before the authors. The title is what remains. A title that ends with a capitalised word therefore
   loses that word to the journal: this is a known limit of the format.
"""
from __future__ import annotations

import re

from kg.document import CitationMarker, Reference, Span

_DECORATION = re.compile(r"\s+·\s|\s*↗")
_PMC = re.compile(r"(?<![A-Za-z])PMC\s*(\d+)")
_DOI_START = re.compile(r"10\.\d{4,9}/")
_DOI_CONTINUATION = re.compile(r"^[0-9a-z][^\s]*$")
_TRAILING_DIGITS = re.compile(r"(\d+)$")
_PMID_LABEL = re.compile(r"(?<![A-Za-z])PMID:?\s*(\d{1,8})")
# Vancouver style: "Doe JR, Roe DJ. Title. J Abbrev. 2013;381(9878):1672-82."
_VANCOUVER = re.compile(
    r"^(?P<authors>[^.]+?)\.\s+(?P<title>.+?[.?!])\s+(?P<journal>[^.]+?)\.\s+(?P<year>(?:19|20)\d\d)[^;]*;"
    r"\s*(?P<volume>[^\s(:;]+)?(?:\([^)]*\))?(?::\s*(?P<pages>[^\s.;]+))?"
)
_INITIALS = re.compile(r"^[A-Z]{1,3}$")
_MARKER = re.compile(
    r"\[\s*(\d{1,3}(?:\s*[-–—]\s*\d{1,3})?(?:\s*[,;]\s*\d{1,3}(?:\s*[-–—]\s*\d{1,3})?)*)\s*\]"
)
#: A reference line: optional bullet, then the number (possibly glued to the title).
REFERENCE_LINE = re.compile(r"^\s*(?:[-•*–]\s*)?\[?(\d{1,3})(?:[\].)]\s*|\s*)(?=\S)")
MAX_RANGE = 100


def reference_number(line: str, expected: int | None = None) -> tuple[int, int] | None:
    """``(number, offset where the entry's text starts)`` for a reference-list line, else ``None``.

    A number glued to the title (``1Treatment...``, ``12Efficacy...``) is ambiguous on its own. When
    ``expected`` is given and the line starts with it, that reading wins.
    """
    m = REFERENCE_LINE.match(line)
    if not m:
        return None
    digits = m.group(1)
    if expected is not None and digits != str(expected) and digits.startswith(str(expected)):
        cut = m.start(1) + len(str(expected))
        return expected, cut
    return int(digits), m.end()


def _pmid_length(year: int | None) -> int:
    return 7 if year is not None and year < 1999 else 8


def _split_year(blob: str, want_pmid: bool) -> tuple[str, int | None, str]:
    """``(head, year, pmid)`` from a packed digit run; the rightmost plausible year wins."""
    for i in range(len(blob) - 4, -1, -1):
        year = int(blob[i : i + 4])
        rest = blob[i + 4 :]
        if not 1900 <= year <= 2099:
            continue
        if rest == "" or (want_pmid and len(rest) in (7, 8) and rest[0] != "0"):
            return blob[:i], year, rest
    return blob, None, ""


def _split_pages(head: str, doi_tail: str) -> tuple[str, str]:
    """``(pages, volume)`` from ``first page + last page + volume`` digits, by scoring every split."""
    if not head:
        return "", ""
    best: tuple[float, str, str] = (0.5, "", head) if len(head) <= 3 else (-1.0, "", "")

    def ok(part: str) -> bool:
        return bool(part) and part[0] != "0"

    n = len(head)
    for j in range(1, n):
        volume = head[j:]
        if not ok(volume) or len(volume) > 4:
            continue
        penalty = 2 if len(volume) == 4 else 0
        page = head[:j]
        if ok(page) and len(page) <= 6:
            score = 1 - penalty + (5 if len(page) >= 3 and doi_tail.endswith(page) else 0)
            if score > best[0]:
                best = (score, page, volume)
        for i in range(1, j):
            first, last = head[:i], head[i:j]
            if ok(first) and ok(last) and 0 < int(last) - int(first) <= 300:
                score = 3 - penalty + (1 if int(last) - int(first) <= 60 else 0)
                if score > best[0]:
                    best = (score, f"{first}-{last}", volume)
    return best[1], best[2]


def _split_names(text: str) -> tuple[str, str, tuple[str, ...]]:
    """``(title, journal, authors)`` from the text before the packed numbers."""
    tokens = text.split()
    authors: list[str] = []
    while len(tokens) >= 3 and _INITIALS.match(tokens[-1]) and _is_surname(tokens[-2]):
        authors.insert(0, f"{tokens[-2]} {tokens[-1]}")
        tokens = tokens[:-2]
    journal: list[str] = []
    while len(tokens) > 1 and len(journal) < 8 and (tokens[-1][0].isupper() or tokens[-1][0].isdigit()):
        journal.insert(0, tokens.pop())
    return " ".join(tokens).rstrip(" ."), " ".join(journal), tuple(authors)


def _is_surname(token: str) -> bool:
    return token[0].isupper() and any(c.islower() for c in token) and all(c.isalpha() or c in "-'’" for c in token)


def parse_reference(body: str, number: int, raw: str, span: Span) -> Reference:
    """Parse the fields of one reference entry; ``body`` is the entry text after its number."""
    text = _DECORATION.split(body, maxsplit=1)[0].strip()
    pmc_match = _PMC.search(text)
    pmc_digits = pmc_match.group(1) if pmc_match else ""
    main = text[: pmc_match.start()] if pmc_match else text

    doi = ""
    doi_match = _DOI_START.search(main)
    if doi_match:
        before, tokens = main[: doi_match.start()], main[doi_match.start() :].split()
        kept = [tokens[0]]
        for token in tokens[1:]:
            if not _DOI_CONTINUATION.match(token):
                break
            kept.append(token)
        doi = "".join(kept).rstrip(".,;")
        blob_match = _TRAILING_DIGITS.search(before)
    else:
        before = main
        blob_match = re.search(r"(?:^|\s)(\d+)\s*$", before)
    blob = blob_match.group(1) if blob_match else ""
    names = before[: blob_match.start(1)] if blob_match else before

    labelled = _PMID_LABEL.search(text)
    head, year, pmid = _split_year(blob, want_pmid=not labelled)
    if labelled:
        pmid = labelled.group(1)
    pmid_len = _pmid_length(year)
    if not pmid and doi:
        run = _TRAILING_DIGITS.search(doi)
        if run and len(run.group(1)) > pmid_len:
            pmid, doi = doi[-pmid_len:], doi[:-pmid_len]
    if not pmid and len(pmc_digits) > 8:
        pmid, pmc_digits = pmc_digits[-pmid_len:], pmc_digits[:-pmid_len]
    doi_tail = _TRAILING_DIGITS.search(doi)
    pages, volume = _split_pages(head, doi_tail.group(1) if doi_tail else "")
    title, journal, authors = _split_names(names)
    vancouver = _VANCOUVER.match(text)
    if vancouver:
        title, journal = vancouver["title"].rstrip("."), vancouver["journal"]
        authors = tuple(a.strip() for a in vancouver["authors"].split(",") if a.strip())
        year, volume, pages = int(vancouver["year"]), vancouver["volume"] or "", vancouver["pages"] or ""
    return Reference(
        number=number, raw=raw, span=span, title=title, journal=journal, authors=authors, year=year,
        volume=volume, pages=pages, doi=doi, pmid=pmid, pmcid=f"PMC{pmc_digits}" if pmc_digits else "",
    )


def citation_numbers(inner: str) -> tuple[int, ...]:
    """The numbers inside one citation marker's brackets: ``"13, 15-17"`` -> (13, 15, 16, 17); a range wider than
    ``MAX_RANGE`` is read as its two ends. Deduplicated, zero dropped."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", inner.strip()):
        bounds = [int(x) for x in re.split(r"\s*[-–—]\s*", part)]
        lo, hi = bounds[0], bounds[-1]
        if len(bounds) == 2 and lo < hi <= lo + MAX_RANGE:
            numbers.extend(range(lo, hi + 1))
        else:
            numbers.extend(bounds)
    return tuple(dict.fromkeys(n for n in numbers if n > 0))


def find_citations(text: str, start: int = 0, end: int | None = None) -> list[CitationMarker]:
    """Numeric citation markers (``[6]``, ``[13, 14]``, ``[13-15]``) in ``text[start:end]``."""
    markers = []
    for m in _MARKER.finditer(text, start, len(text) if end is None else end):
        numbers = citation_numbers(m.group(1))
        if numbers:
            markers.append(CitationMarker(Span(m.start(), m.end()), numbers))
    return markers


_PAREN = re.compile(r"\(\s*(\d{1,3}(?:\s*[-–—]\s*\d{1,3})?(?:\s*,\s*\d{1,3}(?:\s*[-–—]\s*\d{1,3})?)*)\s*\)")
_SUPERSCRIPT = re.compile(
    r"(?<![\d\s(])(?:\^\{\s*([\d,\s\-–]+)\}|<sup>\s*([\d,\s\-–]+)</sup>|\$\s*\^\{?\s*([\d,\s\-–]+)\}?\s*\$)")
_NOT_BEFORE_PAREN = re.compile(
    r"(?:\d[\d.,]*\s*|[=<>≤≥±%]\s*|\b(?:n|N|Table|Tables|Figure|Figures|Fig|Eq|Equation|Step|Phase|Grade|Type"
    r"|Class|Stage|Level|Group|Study|Item|Model|Appendix|Box|Panel|no|No)\.?\s*)$")


def _fits(numbers: tuple[int, ...], n_refs: int) -> bool:
    return bool(numbers) and all(1 <= n <= n_refs for n in numbers)


def _paren_candidates(text: str, n_refs: int, allowed) -> list[CitationMarker]:
    out = []
    for m in _PAREN.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        before = text[max(line_start, m.start() - 12) : m.start()]
        after = text[m.end() : m.end() + 2]
        if line.count("|") >= 2 or _NOT_BEFORE_PAREN.search(before) or after.startswith(("%", "°")):
            continue
        numbers = citation_numbers(m.group(1))
        if _fits(numbers, n_refs) and allowed(m.start()):
            out.append(CitationMarker(Span(m.start(), m.end()), numbers))
    return out


def numbered_in_parentheses(text: str, n_refs: int, allowed) -> list[CitationMarker]:
    """``(6)``, ``(2, 5–7)`` markers when the document cites that way, else ``[]``.

    A numbered list is cited in order of first citation, so the numbers of real markers first appear in rising
    order; counts, years and equation numbers do not. The style is taken when at least ten candidates fit the
    list, at least 80% of them introduce numbers in order (none more than three past the highest seen), and
    together they cite a third of the list."""
    cands = _paren_candidates(text, n_refs, allowed)
    if len(cands) < 10:
        return []
    seen, fits = 0, 0
    for c in cands:
        if max(c.numbers) <= seen + 3:
            fits += 1
        seen = max(seen, max(c.numbers))
    cited = {n for c in cands for n in c.numbers}
    if fits < 0.8 * len(cands) or len(cited) < n_refs / 3:
        return []
    return cands


def superscript_citations(text: str, n_refs: int, allowed) -> list[CitationMarker]:
    """Superscript markers as OCR leaves them (``^{12}``, ``<sup>3,4</sup>``, ``$^{5-7}$``), within the list."""
    out = []
    for m in _SUPERSCRIPT.finditer(text):
        inner = next(g for g in m.groups() if g)
        if not re.fullmatch(r"\s*\d{1,3}(?:\s*[-–,]\s*\d{1,3})*\s*", inner):
            continue
        numbers = citation_numbers(inner.replace(" ", ""))
        if _fits(numbers, n_refs) and allowed(m.start()):
            out.append(CitationMarker(Span(m.start(), m.end()), numbers))
    return out
