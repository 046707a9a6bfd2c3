"""Clauses of a sentence, for tying a statistic to the drug, event and groups of its own clause.

A clause ends at a semicolon or a clause-opening conjunction ("whereas", "while", "but", "although") outside
brackets, and where, after a comma, a second chemical opens a new statement ("…(3.72), esketamine exhibited …").
A semicolon followed by a verbless list ("…outcomes; all-cause mortality (OR 0.27), …") continues the clause.
Everything here works on offsets relative to the sentence text; nothing names an entity.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

_OPENER = re.compile(r"\b(?:whereas|while|but|although|though|however|yet)\b", re.IGNORECASE)
_VERB = re.compile(
    r"\b(?:was|were|is|are|had|has|have|did|does|showed|shows|demonstrated|exhibited|produced|induced|caused|led|"
    r"resulted|reported|found|observed|developed|experienced|occurred|remained|appeared|emerged|\w{3,}ed)\b",
    re.IGNORECASE,
)
COMPARISON = re.compile(r"\b(?:versus|vs\.?|v\.?|compared\s+(?:with|to)|relative\s+to|than)\s", re.IGNORECASE)


def depth_map(text: str) -> list[int]:
    """Bracket depth at each character (round and square brackets)."""
    depth, out = 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        out.append(depth)
        if ch in ")]" and depth:
            depth -= 1
    return out


def clauses(text: str, chemicals: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """``(start, end)`` of each clause of ``text``; ``chemicals`` are the chemical mentions' spans."""
    depth = depth_map(text)
    cuts: set[int] = set()
    for m in re.finditer(";", text):
        if depth[m.start()] == 0 and _VERB.search(_until_bracket(text, m.end())):
            cuts.add(m.end())
    for m in _OPENER.finditer(text):
        if depth[m.start()] == 0 and m.start() > 0:
            cuts.add(m.start())
    for s, _e in chemicals:  # ", esketamine exhibited …" after a clause that already named a chemical
        comma = text.rfind(",", 0, s)
        if comma >= 0 and depth[comma] == 0 and not text[comma + 1:s].strip():
            last_cut = max((c for c in cuts if c <= comma), default=0)
            if any(last_cut <= cs < comma for cs, _ in chemicals) and _VERB.search(_until_bracket(text, s)):
                cuts.add(comma + 1)
    bounds = [0, *sorted(cuts), len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _until_bracket(text: str, at: int) -> str:
    """The words after ``at`` up to the next bracket or comma: where a list item's verb would be."""
    m = re.match(r"[^()\[\],;]*", text[at:])
    return m.group(0) if m else ""


def clause_of(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    for s, e in spans:
        if s <= offset < e:
            return s, e
    return (0, spans[-1][1]) if spans else (0, 0)


def first_verb(text: str, start: int, end: int) -> int:
    """Offset of the first verb-like word in ``text[start:end]`` outside brackets (``end`` when none)."""
    depth = depth_map(text)
    for m in _VERB.finditer(text, start, end):
        if depth[m.start()] == 0:
            return m.start()
    return end


def comparison_before(text: str, start: int, floor: int) -> re.Match | None:
    """A comparison cue whose group the statistic at ``start`` directly follows: "compared with placebo (RR …",
    "than in the placebo group (6.7%)"; the group is at most five words with no preposition of its own."""
    window = text[floor:start]
    for m in COMPARISON.finditer(window):
        rest = window[m.end():]
        if re.match(r"\s*(?:those|that|the\s+ones|others)\b", rest, re.IGNORECASE):
            continue  # "than those who had not (RR 4.9)": the whole comparison, not the other group
        if re.fullmatch(r"\s*(?:in\s+|with\s+)?(?:the\s+)?[^\s(),;]+(?:\s+[^\s(),;]+){0,4}?\s*[(\[]?\s*", rest) and \
                not re.search(r"\b(?:for|of|on|at)\b", rest):
            return m
    return None
