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


# Who does what to whom: the readings the relation rules use to tell the agent of a cue from its object.
_LINK_WORD = re.compile(
    r"\b(?:and|or|but|while|whereas|with|without|plus|versus|than|of|to|in|into|for|from|by|on|at|via|such|as|"
    r"including|like|unlike|after|before|following|during|between|among|against|that|which)\b",
    re.IGNORECASE,
)
_ARTICLE_TAIL = re.compile(r"(?:\b(?:an?|the)\s+)(?:[\w\-’']+\s+){0,3}$", re.IGNORECASE)
_COPULA_TAIL = re.compile(
    r"\b(?:is|are|was|were|be|been|being|acts?|acting|functions?|functioning|serves?|behaves?|has|have|had|having|"
    r"exhibits?|exhibited|shows?|showed|displays?|displayed)"
    r"(?:\s+(?:as|also|both|itself|themselves))*\s+(?:(?:an?|the)\s+)?(?:[\w\-’']+\s+){0,3}$",
    re.IGNORECASE,
)
_PREPOSITION_BEFORE = re.compile(r"\b(?:of|from|with|by|to|than|in|for|versus|vs\.?)\s+(?:the\s+)?$", re.IGNORECASE)
_PASSIVE_AFTER = re.compile(r"^\s+(?:by|through|via)\b", re.IGNORECASE)
_CONNECTOR = re.compile(
    r"^[\s,]*(?:thereby|thus|hence|therefore|consequently|subsequently|downstream|in\s+turn|which|leading|resulting|"
    r"that)\b", re.IGNORECASE,
)
_COORDINATION_CUT = re.compile(r";|\((?:i{1,3}|iv|v|vi{0,3}|[a-h])\)|\b(?:and|or|but|while|whereas|as\s+well\s+as)\b",
                               re.IGNORECASE)
POPULATION = re.compile(
    r"\b(?:in|of|among|for)\s+(?:the\s+|an?\s+)?(?:[\w\-]+\s+){0,3}?(?:patients?|subjects?|individuals?|people|persons?|"
    r"women|men|children|adolescents|adults|participants|cases|samples?|cohorts?|groups?)\b(?:\s+(?:with|suffering\s+from|"
    r"diagnosed\s+with|who\s+had))?",
    re.IGNORECASE,
)
_POPULATION_AFTER = re.compile(
    r"^[\s\-]*(?:patients?|subjects?|individuals?|cases|participants|group|cohort|population|samples?)\b", re.IGNORECASE
)


def names_population(text: str, event_start: int, event_end: int, cue_end: int) -> bool:
    """Does the event at ``text[event_start:event_end]`` name the population a finding was seen in, rather than what
    the cue changed ("SCFA levels were lower in patients with AN", "lower in stool samples of AN patients")?"""
    return bool(POPULATION.search(text[cue_end:event_start]) or _POPULATION_AFTER.match(text[event_end:]))


def is_passive(text: str, cue_end: int) -> bool:
    """ "X is inhibited by Y", "activated via Y": the cue ending at ``cue_end`` names its agent after it."""
    return bool(_PASSIVE_AFTER.match(text[cue_end:]))


def coordination_breaks(between: str, cue_start: int) -> bool:
    """Does a coordination or list boundary in ``between`` (the text from one entity to the next) separate the first
    entity from the cue at ``cue_start`` (relative to ``between``)? "disruption of tubulin, G2/M arrest and the
    upregulation of p53" lists effects; "NMDA receptor antagonism and downstream activation of AMPA" chains them."""
    depth = depth_map(between)
    cuts = [m for m in _COORDINATION_CUT.finditer(between) if depth[m.start()] == 0 or m.group(0).startswith("(")]
    if not cuts:
        return False
    before_cue = [m for m in cuts if m.end() <= cue_start]
    if before_cue:
        return not _CONNECTOR.match(between[before_cue[-1].end():])
    # the cue comes before the cut: the second entity must be a coordinated object of the cue ("reduce X and Y")
    tail = between[cuts[0].end():]
    return len(tail.split()) > 2


def agent_link(text: str, agent_end: int, phrase_start: int) -> bool:
    """Is the chemical ending at ``agent_end`` the one a mechanism phrase starting at ``phrase_start`` ("a selective
    NMDA receptor antagonist", "GPER agonists") is said of? True for an apposition with an article ("esketamine, a
    glutamatergic NMDA receptor antagonist"; "D, the S-enantiomer of K and a ... antagonist"), a bracket ("D (an X
    inhibitor)"), a possessive ("esketamine's NMDA receptor antagonism") or a copula ("BPA ... is a potent GPER
    agonist", "tamoxifen and fulvestrant are GPER agonists"); False for a list or a preposition ("levodopa and MAO-B
    inhibitors", "prescribed with a CDK4/6 inhibitor", "blocked by a GIPR antagonist")."""
    between = text[agent_end:phrase_start]
    if re.fullmatch(r"\s*[’']s?\s*", between):
        return True
    copula = _COPULA_TAIL.search(between)
    if copula:  # the agent is the copula's subject: no clause break between them
        subject_side = between[: copula.start()]
        return len(subject_side) <= 120 and not re.search(r";|\b(?:but|while|whereas|although|than)\b", subject_side)
    m = re.fullmatch(r"\s*(?:\)\s*)?([,(])\s*(.*)", between, re.DOTALL)
    if not m:
        return False
    rest = m.group(2)
    if m.group(1) == "(" and not _LINK_WORD.search(rest) and len(rest.split()) <= 4:
        return True
    # "D, the S-enantiomer of K and a glutamatergic": appositions joined by "and" before the mechanism phrase
    parts = re.split(r"\s+and\s+", rest)
    return all(re.match(r"(?:an?|the)\b", p.strip(), re.IGNORECASE) for p in parts) and bool(
        _ARTICLE_TAIL.search(" " + parts[-1]) or not parts[-1].strip()
    )


def preceded_by_preposition(text: str, start: int) -> bool:
    """ "the bacterial metabolite of daidzein": a chemical after a preposition is no clause subject."""
    return bool(_PREPOSITION_BEFORE.search(text[max(0, start - 30):start]))


def names_comparator(between: str) -> bool:
    """Does ``between`` (the text up to an entity) end in a comparison whose group is that entity ("more effective
    than placebo", "VMAT-2 inhibitors versus placebo")? A comparison elsewhere ("compared to higher doses, ...
    mediated through X") does not."""
    found = list(COMPARISON.finditer(between))
    return bool(found) and len(between[found[-1].end():].split()) <= 3
