"""Which drug a dose is a dose of, read from how the clause attaches it, never from which drug is nearest.

A dose belongs to the drug it is written with: "ketanserin (0.63 mg/kg)", "bupropion HCl 120 mg/kg", "ketanserin
administration at doses of 0.63 and 2.5 mg/kg", "cisapride, 5 mg", "5 mg/kg AMN082", "0.75% bupivacaine",
"58.7 mg/kg for bupivacaine". Between the drug and the dose only attachment words may stand (a salt, "at doses of",
"up to", a route); a dose attached to no drug of its own clause stays unlinked. The numbers of a dose list
("0.63 and 2.5 mg/kg", "0.05, 0.5, 5 and 50 mg/kg") are doses too, each with the list's unit.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from kg.extract.context import Hit
from kg.extract.numbers import NUMBER

_ATTACH_WORDS = (
    r"hcl|hydrochloride|sulfate|sulphate|maleate|citrate|sodium|tartrate|mesylate|succinate|base|"
    r"administration|administered|treatment|therapy|monotherapy|injection|infusion|pretreatment|dosing|"
    r"at|in|of|with|the|a|an|single|daily|lower|higher|highest|lowest|low|high|total|cumulative|"
    r"doses?|dosages?|up|to|greater|less|more|than|approximately|about|or|=|<|>|≤|≥|was|were|given|"
    r"i\.?p\.?|i\.?v\.?|s\.?c\.?|p\.?o\.?|oral(?:ly)?|intranasal(?:ly)?|intravenous(?:ly)?|"
    r"intraperitoneal(?:ly)?|subcutaneous(?:ly)?"
)
# text between a drug and its dose: brackets, commas and attachment words only ("ketanserin administration at doses of")
_BEFORE = re.compile(rf"[\s(\[,:]*(?:(?:{_ATTACH_WORDS})[\s(\[,:]*){{0,6}}", re.IGNORECASE)
# text between a dose and the drug it precedes: "5 mg/kg AMN082", "58.7 mg/kg for bupivacaine", "325 mg daily) aspirin"
_AFTER = re.compile(
    r"\s*(?:(?:daily|twice\s+daily|per\s+day|once|i\.?p\.?|i\.?v\.?|s\.?c\.?|p\.?o\.?|body\s+weight)[\s,]*)*"
    r"[)\]]?\s*(?:(?:of|for)\s+)?(?:the\s+)?",
    re.IGNORECASE,
)
_LIST_BEFORE = re.compile(rf"((?:{NUMBER})(?:\s*,\s*(?:{NUMBER}))*\s*,?\s*(?:and|or)\s*)$")
_LIST_ITEM = re.compile(rf"(?<![\w.]){NUMBER}(?![\w.])")


def dose_drug(text: str, start: int, end: int, chemicals: Sequence[Hit], floor: int,
              depth: Sequence[int], offset: int = 0) -> Hit | None:
    """The chemical the dose at ``text[start:end]`` is written with, or None. ``chemicals`` are the clause's
    chemical mentions, ``floor`` the end of the clause's previous statistic, ``depth`` the bracket depth of each
    character of ``text``; every offset is ``offset``-based (document offsets when ``text`` starts at ``offset``)."""
    def sub(a: int, b: int) -> str:
        return text[a - offset:b - offset]

    before = [h for h in chemicals if floor <= h.start and h.end <= start and _BEFORE.fullmatch(sub(h.end, start))]
    if before:
        return before[-1]
    for h in sorted(chemicals, key=lambda h: h.start):
        if h.start >= end and _AFTER.fullmatch(sub(end, h.start)) and \
                depth[h.start - offset] <= depth[max(end - 1 - offset, 0)]:
            return h
    return None


def listed_doses(text: str, start: int) -> list[tuple[int, int, str]]:
    """(start, end, number) of the numbers listed right before the dose at ``text[start:]``: "0.63 and 2.5 mg/kg"
    gives 0.63 for the dose "2.5 mg/kg"."""
    m = _LIST_BEFORE.search(text, 0, start)
    if m is None:
        return []
    return [(n.start(), n.end(), n.group(0)) for n in _LIST_ITEM.finditer(text, m.start(1), m.end(1))]
