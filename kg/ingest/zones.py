"""Zones of a plain-text review: page furniture, front and back matter, the reference list, and the body.

PDF and OCR text carries what a reader skips: running heads and page numbers repeated on every page, author
lines, affiliations, e-mails, licences and "Received:" dates, declarations (funding, conflicts, ORCID), and the
reference list. Fed to the NER these become junk entities (author initials read as genes, journal words as
anatomy), so the parser keeps them out of its blocks. Every rule here is about the shape of a line, never about
one file's strings:

* a *running head* is a short line that recurs (digits aside) three or more times, next to a page number at
  least once; a *page number* is a bare number or ``n of N`` next to a running head (``n of N`` alone when it
  recurs);
* *front matter* lines carry a cue (e-mail, ORCID, "Correspondence", "Received:", ``©``, a licence, "Keywords",
  a DOI or URL on its own), or stand before the first Abstract / Introduction heading and read as names or
  affiliations; a cue line takes the wrapped lines after it until a sentence ends;
* *back matter* is a declarations section (its heading names funding, conflicts, contributions, data
  availability, ORCID ...) up to the next heading, or a paragraph that opens with such a name;
* the *reference list* starts at a "References" / "Bibliography" / "Literature cited" heading, or is a run of
  sequentially numbered reference-shaped lines, and is split into entries (``reference_entries``).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kg.ingest.references import reference_number


class Line(Protocol):
    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool: ...


_PAGE = re.compile(r"^(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^\d{1,2}\s\d{1,4}$", re.I)
_N_OF_N = re.compile(r"^\d{1,4}\s+of\s+\d{1,4}$", re.I)
_REF_HEADING = re.compile(
    r"^(?:#+\s*)?(?:\d+\.?\s*)?(?:references?(?:\s+(?:list|cited))?|bibliography|literature\s+cited|works\s+cited"
    r"|cited\s+literature)\s*:?$", re.I)
_BODY_HEADING = re.compile(
    r"^(?:#+\s*)?(?:\d+\.?\s*)?(?:abstract|summary|introduction|background)\b(?![,;])", re.I)
_BACK_NAMES = (
    r"conflicts?\s+of\s+interests?|competing\s+interests?|declarations?(?:\s+of\s+interests?)?|disclosures?"
    r"|funding(?:\s+(?:information|sources?|statement))?|financial\s+(?:support|disclosures?)|acknowledge?ments?"
    r"|author(?:ship)?\s+contributions?|contributors|data\s+(?:availability|sharing)|orcid|peer\s+review"
    r"|ethics?\s+(?:statement|approval)|supplementary\s+(?:information|materials?|data)|abbreviations"
    r"|institutional\s+review\s+board|informed\s+consent"
    r"|publisher.s\s+note|disclaimer|open\s+access|how\s+to\s+cite(?:\s+this\s+article)?"
)
_BACK_HEADING = re.compile(rf"^(?:#+\s*)?(?:\d+\.?\s*)?(?:{_BACK_NAMES})(?:\s+statements?)?\s*:?$", re.I)
_BACK_LEAD = re.compile(rf"^(?:#+\s*)?(?:{_BACK_NAMES})(?:\s+statements?)?\s*[.:/]", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_CUE_ANYWHERE = re.compile(
    r"\borcid\b|©|\(c\)\s*(?:19|20)\d\d|\bcopyright\b|creative\s+commons|\bopen\s+access\s+article|licensed\s+under"
    r"|publisher.s\s+note",
    re.I,
)
_CUE_AT_START = re.compile(  # matched at the line's start only: searching for these anywhere cost a scan per line
    r"\W*\**\s*(?:author\s+for\s+)?correspondence\b|\W*corresponding\s+author"
    r"|(?:received|accepted|revised|published(?:\s+online)?|advance\s+access)\b.{0,40}\b(?:19|20)\d\d"
    r"|keywords?\b|key\s+words\b|(?:citation|cite\s+this\s+article)\s*:|how\s+to\s+cite|academic\s+editor"
    r"|(?:doi:?\s*)?(?:https?://)?(?:dx\.)?doi\.org/\S+$|doi:\s*10\.|https?://\S+$|www\.\S+$"
    r"|\S+\.(?:com|org)/\S*$|disclaimer\b|received:",
    re.I,
)


_CUE_WORDS = ("orcid", "©", "(c)", "copyright", "creative", "open", "licensed", "publisher")


def _cue(text: str) -> bool:
    """An e-mail, ORCID, correspondence, dates, licence, keywords or a bare link: front or back matter (the regexes
    run only where a plain substring test says they might match)."""
    if "@" in text and _EMAIL.search(text) or _CUE_AT_START.match(text):
        return True
    lower = text.lower()
    return any(word in lower for word in _CUE_WORDS) and bool(_CUE_ANYWHERE.search(text))


_INSTITUTION = re.compile(
    r"\b(?:universit\w*|department|dept\.|hospital|institut\w*|faculty|school\s+of|college|cent(?:re|er)|clinic"
    r"|foundation|laborator\w*|inc\.|ltd\.?|gmbh|trust|ministry|academy|unit)\b", re.I)
_MARKUP = re.compile(r"\$[^$]*\$|<[^>]+>|[\d*†‡§¶#①·,;&]|\b(?:and|MD|PhD|MBBS|MSc|BSc|MPH|RN|DPhil)\b")
_NAME = re.compile(r"^(?:[A-ZÀ-Þ][\w'’\-]*\.?|van|von|de|der|den|di|da|del|la|le|dos|du)$")
_SENTENCE_END = re.compile(r"[.!?]\s*$")


@dataclass
class Entry:
    """A reference-list entry: its number (``None`` when the list is unnumbered) and its lines."""

    number: int | None
    lines: list[int] = field(default_factory=list)
    offset: int = 0  # where the entry's text starts in its first line (after the number)


_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[A-Za-z]")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("#", text.lower())).strip()


def page_furniture(lines: Sequence[Line]) -> dict[int, str]:
    """Line index -> ``running_head`` / ``page_number`` for running heads, footers and page numbers."""
    content = [k for k, ln in enumerate(lines) if not ln.blank]
    by_text: dict[str, str] = {}
    norms = {k: by_text.get(t) or by_text.setdefault(t, _norm(t)) for k in content for t in (lines[k].text,)}
    counts = Counter(norms.values())
    where = {k: pos for pos, k in enumerate(content)}

    def near(k: int, test) -> bool:
        pos = where[k]
        return any(test(content[p]) for p in range(max(0, pos - 3), min(len(content), pos + 4)) if p != pos)

    def candidate(k: int) -> bool:
        t = lines[k].text
        return (counts[norms[k]] >= 3 and 4 <= len(t) <= 90 and len(_LETTER.findall(t)) >= 6
                and "|" not in t and not t.startswith("#") and not t[0].islower() and not _cue(t)
                and t[-1] not in ",;")

    def is_page(k: int) -> bool:
        return bool(_PAGE.match(lines[k].text))

    heads = {k for k in content if candidate(k)}
    confirmed_norms = {norms[k] for k in heads if near(k, is_page)}
    heads = {k for k in heads if norms[k] in confirmed_norms}
    out = {k: "running_head" for k in heads}
    n_of_n = Counter(norms[k] for k in content if _N_OF_N.match(lines[k].text))
    for k in content:
        if k in out or not is_page(k):
            continue
        if near(k, heads.__contains__) or (_N_OF_N.match(lines[k].text) and n_of_n[norms[k]] >= 3):
            out[k] = "page_number"
    return out


def _looks_like_names(text: str) -> bool:
    """``Baland Jalal1,2`` / ``Anne Connolly1 · Phoebe Wallman1`` / ``Ana Catalan, MD, PhD $^{3}$``."""
    if len(text) > 600 or _SENTENCE_END.search(text) and not text.rstrip().endswith(("al.", "Jr.")):
        return False
    tokens = _MARKUP.sub(" ", text).split()
    return len(tokens) >= 2 and all(_NAME.match(t) for t in tokens) and any(len(t) > 2 for t in tokens)


def _is_affiliation(text: str) -> bool:
    return bool(_INSTITUTION.search(text)) and ("," in text or re.match(r"^\$?\^?\{?\d", text) is not None)


def matter(lines: Sequence[Line], skip: set[int] | dict[int, str]) -> dict[int, str]:
    """Line index -> ``front_matter`` / ``back_matter`` (``skip``: lines already zoned, e.g. page furniture)."""
    content = [k for k, ln in enumerate(lines) if not ln.blank and k not in skip]
    out: dict[int, str] = {}
    first_body = next((p for p, k in enumerate(content) if p > 0 and _BODY_HEADING.match(lines[k].text)
                       and len(lines[k].text) < 60), None)
    if first_body is not None and first_body > len(content) * 0.3:
        first_body = None
    back_section = False
    for pos, k in enumerate(content):
        text = lines[k].text
        if _BACK_HEADING.match(text):
            back_section = True
            out[k] = "back_matter"
            continue
        if back_section:
            if _REF_HEADING.match(text) or (_is_heading_like(text) and not _BACK_HEADING.match(text)
                                            and pos + 1 < len(content)
                                            and not _is_continuation(lines, content, pos)):
                back_section = False
            else:
                out[k] = "back_matter"
                continue
        if _BACK_LEAD.match(text):
            out[k] = "back_matter"
        elif _cue(text) or (first_body is not None and 0 < pos < first_body
                                    and (_looks_like_names(text) or _is_affiliation(text))):
            out[k] = "front_matter"
        elif re.match(r"^\$?\^?\{?\d{1,2}\}?\$?\s*[A-Z]", text) and _is_affiliation(text) and len(text) < 250:
            out[k] = "front_matter"
    _extend(lines, content, out)
    return out


def is_body_heading(text: str) -> bool:
    """Whether ``text`` is the heading that opens a paper's body: "Abstract", "Summary", "1. Introduction"."""
    return bool(_BODY_HEADING.match(text)) and len(text) < 60


def _is_heading_like(text: str) -> bool:
    return 0 < len(text) <= 80 and len(text.split()) <= 10 and text[-1] not in ".,;:" and text[0].isupper()


def _is_continuation(lines: Sequence[Line], content: list[int], pos: int) -> bool:
    """True when the previous content line is directly above and does not end a sentence (a wrapped line)."""
    if pos == 0:
        return False
    prev, k = content[pos - 1], content[pos]
    return prev == k - 1 and not _SENTENCE_END.search(lines[prev].text)


def _extend(lines: Sequence[Line], content: list[int], out: dict[int, str]) -> None:
    """A zoned line takes the wrapped lines after it (no blank line between) until a sentence ends; a short
    fragment between two zoned lines (``London SE5 8AZ, UK`` between affiliations) joins them."""
    for pos, k in enumerate(content):
        if k in out or pos == 0:
            continue
        prev = content[pos - 1]
        if prev in out and prev == k - 1 and not _SENTENCE_END.search(lines[prev].text):
            out[k] = out[prev]
    for pos in range(1, len(content) - 1):
        k, a, b = content[pos], content[pos - 1], content[pos + 1]
        if (k not in out and a in out and b in out and out[a] == out[b] and len(lines[k].text.split()) <= 8
                and not _SENTENCE_END.search(lines[k].text)):
            out[k] = out[a]


# -- the reference list ------------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d[a-z]?(?!\d)|\bn\.\s?d\.")
_AUTHOR_START = re.compile(
    r"^(?:(?:van|von|de|der|den|di|da|del|la|le|dos|du|d')\s*)*[A-ZÀ-Þ][\w'’\-]+(?:\s+[A-ZÀ-Þa-z][\w'’\-]+){0,3}"
    r"(?:,\s*(?:[A-ZÀ-Þ]\.\s*-?\s*)+|\s+[A-ZÀ-Þ]{1,3}(?:[,.]|\s+\(|\s+(?:19|20)\d\d)|,\s+[A-ZÀ-Þ]{1,3}[,.;])")
_ORG_START = re.compile(r"^[A-Z][\w&'’\-]*(?:\s+[\w&'’\-.]+){0,8}\.?\s*\((?:(?:19|20)\d\d[a-z]?|n\.\s?d\.)\)")
_ENTRY_END = re.compile(r"(?:[.)\]]|\d|\d[a-z]|\[CrossRef\]|[A-Za-z0-9/]{4,})\s*$")
_DOI_OR_VOLUME = re.compile(r"10\.\d{4,9}/|\d+\(\w+\),?\s*\d")
_PAREN_YEAR = re.compile(r"\((?:19|20)\d\d[a-z]?\)")
_BACK_TRAILER = re.compile(rf"^(?:{_BACK_NAMES})\b|^(?:©|\(c\))|^how\s+to\s+cite", re.I)


def reference_heading(lines: Sequence[Line], skip: dict[int, str]) -> int | None:
    """Index of the last "References" heading line (the list comes last in a review), else ``None``."""
    found = [k for k, ln in enumerate(lines) if k not in skip and _REF_HEADING.match(ln.text)]
    return found[-1] if found else None


def starts_entry(text: str) -> bool:
    """``Surname, I.``, ``Surname IN,``, ``Surname IN (2019)`` or ``Organisation. (2013)`` at line start."""
    return bool(_AUTHOR_START.match(text) or _ORG_START.match(text))


def reference_entries(lines: Sequence[Line], skip: dict[int, str]) -> list[Entry]:
    """The entries of the reference list that follows a heading: numbered when most entries start with their
    number, else split where a line starts with an author after an entry that has its year and ends like one."""
    head = reference_heading(lines, skip)
    if head is None:
        return []
    body = [k for k in range(head + 1, len(lines)) if not lines[k].blank and k not in skip]
    numbered = _numbered_entries(lines, body)
    if numbered:
        return numbered
    entries: list[Entry] = []
    text_so_far = ""
    for k in body:
        text = lines[k].text
        heading = text.startswith("#") or (text.isupper() and len(text.split()) >= 2)
        if _BACK_TRAILER.match(text) or (entries and heading and _is_heading_like(text.lstrip("# "))
                                         and not _YEAR.search(text) and not starts_entry(text)):
            break
        complete = bool(_YEAR.search(text_so_far) or _DOI_OR_VOLUME.search(text_so_far)) and bool(
            _ENTRY_END.search(text_so_far))
        own_year = _PAREN_YEAR.search(text) and _PAREN_YEAR.search(text_so_far)  # "..., 360(9330), Ruscio, A. (2010)"
        if not entries or ((complete or own_year) and starts_entry(text)):
            if entries and not starts_entry(text):
                break
            entries.append(Entry(None, [k]))
            text_so_far = text
        else:
            entries[-1].lines.append(k)
            text_so_far += " " + text
    return entries if len(entries) >= 2 else []


def _numbered_entries(lines: Sequence[Line], body: list[int]) -> list[Entry]:
    """Entries numbered 1, 2, 3 ...; the lines between two numbers belong to the earlier entry, the last entry
    runs to the first blank line after it."""
    entries: list[Entry] = []
    expected = 1
    for k in body:
        hit = reference_number(lines[k].text, expected)
        if hit is not None and hit[0] == expected and (expected > 1 or len(lines[k].text) > 20):
            entries.append(Entry(expected, [k], hit[1]))
            expected += 1
        elif entries:
            if _BACK_TRAILER.match(lines[k].text):
                break
            entries[-1].lines.append(k)
    explicit = sum(1 for e in entries if re.match(r"^\s*(?:[-•*–]\s*)?(?:\[\d+\]|\d+[.)])\s", lines[e.lines[0]].text))
    if len(entries) < 3 or explicit < 0.8 * len(entries):
        return []
    tail = entries[-1]
    cut = [tail.lines[0]]
    for k in tail.lines[1:]:
        if lines[k - 1].blank:
            break
        cut.append(k)
    tail.lines = cut
    return entries


def numbered_runs(lines: Sequence[Line]) -> dict[int, tuple[int, int]]:
    """Line index -> ``(number, text offset)`` for lines in runs of sequentially numbered references (a list
    without a heading, one entry a line)."""
    found: dict[int, tuple[int, int]] = {}
    i = 0
    while i < len(lines):
        first = reference_number(lines[i].text)
        if lines[i].blank or first is None:
            i += 1
            continue
        run, expected, j = [(i, first)], first[0] + 1, i + 1
        while j < len(lines):
            if lines[j].blank:
                j += 1
                continue
            nxt = reference_number(lines[j].text, expected)
            if nxt is None or nxt[0] != expected:
                break
            run.append((j, nxt))
            expected, j = expected + 1, j + 1
        cited = sum(1 for k, _ in run if re.search(r"10\.\d{4,9}/|(?:19|20)\d\d", lines[k].text)
                    and len(lines[k].text) > 40)
        if len(run) >= 2 and cited * 2 >= len(run):
            found.update(dict(run))
            i = j
        else:
            i += 1
    return found
