"""Statistics as data: effect sizes with CIs ("ROR = 18.72", "OR 2.1 (95% CI 1.2–3.4)", "HR=0.47; 95% CI=0.24, 0.92",
"SMD −0.45 (−0.70, −0.20)"), prevalences, I², percentages, ranges, p-values, sample sizes ("n = 1,093", "28
individuals"), doses ("5 mg/kg") and time points ("day 8"). The number grammar is :mod:`kg.extract.numbers`; each
statistic is tied to the drug, event and groups of its own clause (:mod:`kg.extract.clauses`) or left unlinked
(``Statistic.link_basis`` empty), never to the nearest drug of the sentence. Measure names and units come from
``ontologies/extraction``.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache

from kg.extract.clauses import COMPARISON, clause_of, clauses, comparison_before, depth_map, first_verb
from kg.extract.context import DocumentContext, Hit
from kg.extract.doses import dose_drug, listed_doses
from kg.extract.facts import Evidence, Relation, Statistic, Study
from kg.extract.lexicon import case_sensitive, cue_regex, lexicon, may_match, measures, required_literal, searchable
from kg.extract.numbers import (
    INTEGER,
    NUMBER,
    P_VALUE,
    PCT,
    PERCENT,
    SAMPLE_SIZE,
    comparator,
    confidence_interval,
    parse_number,
    range_pattern,
)
from kg.extract.relations import is_substance_used
from kg.extract.restated import merge_restated
from kg.extract.studies import dose_pattern

log = logging.getLogger(__name__)

EVENTS = frozenset({"disease", "phenotype", "behaviour", "process", "concept"})
EVENT_WINDOW = 80  # an event mention must end this close before the statistic
VALUED = frozenset({"ratio", "estimate"})  # kinds with a value, an optional CI and an event
_EVENT_PHRASE = re.compile(
    r"(?:^|[,;:]|\b(?:and|or|for|including|of|with|in)\b)\s*([A-Za-z‘“'\"][\w\s'’‘“”\"/-]{2,60}?)\s*(?:[(\[]\s*)?$"
)
_CONNECTIVE = re.compile(r"^\s*(?:(?:and|or|for|including|of|with|in)\s+)+", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:(?:the|a|an|their|its|this|these|those|our|all|both)(?:\s+|$))+", re.IGNORECASE)
# words that qualify a statistic, not what it is about ("multivariate HR", "overall prevalence")
_QUALIFIERS = re.compile(r"(?:(?:overall|multivariate|multivariable|univariate|adjusted|unadjusted|crude|pooled|"
                         r"combined|corrected|estimated|total|fixed[\s-]effects?|random[\s-]effects?)\b\s*)+",
                         re.IGNORECASE)
_NO_SUBJECT = re.compile(r"\b(?:prevalence|incidence|rates?|proportion|their|its|this|these|it|they|we)\b",
                         re.IGNORECASE)
_TIME = re.compile(r"\b(?P<unit>day|week|month|hour|year)s?\s+(?P<v>\d+)\b", re.IGNORECASE)
_BARE = re.compile(r"\(\s*(?P<v>\d+[.·]\d+|[.·]\d+)\s*\)")  # "(11.40)": a value whose measure was named before
RANGE = rf"(?P<lo>{INTEGER})\s*(?:to|–|—|-|and)\s*(?P<hi>{INTEGER})"
_LINK = r"(?:\s*(?:[,:=≈~]|\bwas\b|\bwere\b|\bis\b|\bof\b|\bat\b)\s*)*"
_QUALIFIER = r"(?P<about>\s+(?:for|of|in)\s+[^\d()\[\];.=]{1,80}?)?"
_LIST_GAP = re.compile(r"[\s,;/]*(?:(?:and|or)\s*)?")  # "28 mg, 56 mg, or 84 mg": one list, one drug
# "5 mg/kg more so than 10 mg/kg", "2.5 vs 5 mg/kg": doses compared with each other are doses of one drug
_DOSE_GAP = re.compile(
    r"[\s,;/]*(?:(?:and|or|to|vs\.?|versus|(?:more\s+so\s+|rather\s+)?than|compared\s+(?:with|to))\s*)?", re.IGNORECASE
)
_ARM_SIZE = re.compile(r"[\s)\]]*(?:[A-Za-z.]+\s+){0,3}[(\[]\s*")  # "etoricoxib 90 mg daily (n = 2032)": that arm's n
_ADJACENT = re.compile(r"(?:\s+(?:group|arm|users|recipients|patients))?\s*[(\[]\s*$", re.IGNORECASE)
_AFTER = re.compile(r"\s*(?:of|for|with|in|on|among|receiving)\b[^,;]{0,50}?$", re.IGNORECASE)
_NAMED_CI_AFTER_WORDS = re.compile(r"[\s$]*[A-Za-z][A-Za-z -]{0,40}?(?=\s*[(\[]\s*(?:95|99|90)\s*\\?%?\s*(?:CI|conf))")
_PER = re.compile(r"\s+per\s+[^,;()\[\]]{1,40}?(?=\s*[,;(\[])")
_PER_BEFORE = re.compile(r"\bper\s+$")
_CI_BEFORE = re.compile(r"(?:CI|interval|\])\s*\$?\s*[:=,]?\s*\$?\s*$")
_DIGIT = re.compile(r"\d")  # the \d every number pattern of _find needs


@lru_cache(maxsize=1)
def _measure_patterns() -> tuple[tuple[str, re.Pattern, str], ...]:
    """One regex per named measure (effect sizes, estimates, I²): its aliases, an optional abbreviation in brackets
    ("risk ratio (RR)"), what it is of ("prevalence of depression"), a link ("=", ":", "of", "was"), the value;
    with the alias's required literal (``^``, ``{``, ``}`` are optional in the regex)."""
    out = []
    for m in measures().values():
        if m.kind not in (*VALUED, "heterogeneity"):
            continue
        for alias in sorted(m.aliases, key=len, reverse=True):
            flags = 0 if case_sensitive(alias) or len(alias) == 1 else re.IGNORECASE
            body = cue_regex(alias).replace(r"\^", r"\^?").replace(r"\{", r"\{?").replace(r"\}", r"\}?")
            if len(alias) == 1:  # "d = 0.5": a one-letter name only before "="
                link, about = r"\s*=\s*", ""
            else:
                link, about = _LINK + r"\s*", _QUALIFIER
            out.append((m.key, re.compile(
                rf"{body}s?(?:\s*[(\[][A-Za-z]{{1,6}}s?[)\]])?{about}{link}\$?(?P<v>{NUMBER})(?P<pct>{PCT})?(?![\d.])",
                flags), required_literal(alias, optional="^{}")))
    return tuple(out)


@lru_cache(maxsize=1)
def _participants() -> re.Pattern:
    nouns = [cue_regex(c) for c, _ in lexicon().cues("participant")]
    return re.compile(
        rf"(?<![\w.,])(?P<v>{INTEGER})\s+(?:[A-Za-z-]+\s+){{0,2}}?(?P<noun>" + "|".join(nouns) + ")", re.IGNORECASE
    )


@lru_cache(maxsize=1)
def _participant_range() -> re.Pattern:
    """ "from 12 to 350 participants", "between 20 and 40 patients", "12–350 individuals": a range, not a size."""
    nouns = [cue_regex(c) for c, _ in lexicon().cues("participant")]
    return re.compile(
        r"(?<![\w.,])" + RANGE + r"\s+(?:[A-Za-z-]+\s+){0,2}?(?P<noun>" + "|".join(nouns) + ")", re.IGNORECASE
    )


@lru_cache(maxsize=1)
def _value_range() -> re.Pattern:
    units = sorted((c for kind in ("value_unit", "dose_unit", "time_unit") for c, _ in lexicon().cues(kind)),
                   key=len, reverse=True)
    return range_pattern([cue_regex(u) if u[0].isalnum() else re.escape(u) for u in units])


def _decimal(text: str) -> str:
    return parse_number(text)


def extract_statistics(ctx: DocumentContext, relations: list[Relation], studies: list[Study]) -> list[Statistic]:
    """Every statistic stated in the document's sentences; ratio statistics of a drug and an adverse event also get
    (or upgrade) the has_adverse_event relation they quantify."""
    out: list[Statistic] = []
    for s, e in ctx.sentences:
        text = ctx.text(s, e)
        found = _find(text)
        if not found:
            continue
        hits = [h for h in ctx.hits_in(s, e) if not h.implicit]
        chem = [(h.start - s, h.end - s) for h in hits if h.category == "chemical"]
        sent = _Sentence(s, text, clauses(text, chem), [(f[1] + s, f[2] + s, f[0]) for f in found])
        previous: Statistic | None = None
        last_valued: dict[str, Statistic] = {}
        for key, start, end, value, extra in found:
            st = _statistic(ctx, sent, hits, key, start + s, end + s, value, extra, studies)
            if previous is not None and not st.drug and previous.drug and _continues(ctx, sent, previous, st):
                st.drug, st.drug_text, st.link_basis = previous.drug, previous.drug_text, previous.link_basis
            elif previous is not None and st.drug and not previous.drug and previous.measure == st.measure == "dose" \
                    and _LIST_GAP.fullmatch(ctx.text(previous.span[1], st.span[0])) \
                    and _continues(ctx, sent, previous, st):  # "57.7 and 58.7 mg/kg for bupivacaine"
                previous.drug, previous.drug_text, previous.link_basis = st.drug, st.drug_text, st.link_basis
            earlier = last_valued.get(st.measure)
            if earlier is not None and not (st.event or st.event_text) and (earlier.event or earlier.event_text) \
                    and sent.clause(earlier.span[0]) == sent.clause(st.span[0]):  # "HR 1.71 …; multivariate HR 1.47"
                st.event, st.event_text, st.link_basis = earlier.event, earlier.event_text, st.link_basis or "clause"
            if measures()[st.measure].kind in VALUED:
                last_valued[st.measure] = st
            previous = st
            if st.measure in ("ror", "or", "hr", "rr") and st.drug and st.event:
                st.relation = _adverse_relation(ctx, st, relations, hits)
            out.append(st)
    # an abstract (or any text citing nothing) reports one study: its restated doses and time points are that study's
    return merge_restated(out, one_study=not ctx.doc.is_review or not ctx.doc.citations)


def _continues(ctx: DocumentContext, sent: _Sentence, previous: Statistic, st: Statistic) -> bool:
    """Does ``st`` carry on ``previous``'s statement in the same clause: the next item of a list of one measure
    ("28 mg, 56 mg, or 84 mg"; doses also when compared: "5 mg/kg more so than 10 mg/kg"), or the size of the arm
    whose dose was just given ("etoricoxib 90 mg daily (n = 2032)")?"""
    if sent.clause(previous.span[0]) != sent.clause(st.span[0]):
        return False
    gap = ctx.text(previous.span[1], st.span[0])
    if previous.measure == st.measure:
        return bool((_DOSE_GAP if st.measure == "dose" else _LIST_GAP).fullmatch(gap))
    return previous.measure == "dose" and st.measure == "n" and bool(_ARM_SIZE.fullmatch(gap))


class _Sentence:
    """A sentence as the linker sees it: its clauses and every statistic found in it (document offsets)."""

    def __init__(self, start: int, text: str, spans: list[tuple[int, int]], found: list[tuple[int, int, str]]):
        self.start, self.text, self.found = start, text, found
        self.clauses = [(a + start, b + start) for a, b in spans]
        self.depth = depth_map(text)

    def clause(self, offset: int) -> tuple[int, int]:
        return clause_of(self.clauses, offset)

    def floor(self, start: int, kinds: frozenset[str] | None = None) -> int:
        """End of the previous statistic (of ``kinds``) in the clause of ``start``; the clause start if none."""
        c0, _ = self.clause(start)
        ends = [e for s, e, k in self.found
                if c0 <= s and e <= start and (kinds is None or measures()[k].kind in kinds)]
        return max(ends, default=c0)


def _find(text: str) -> list[tuple[str, int, int, str, dict]]:
    """(measure, start, end, value, extras) of every statistic in ``text``; overlapping matches keep the first."""
    found: list[tuple[str, int, int, str, dict]] = []
    if not _DIGIT.search(text):  # every statistic states a number: most sentences need none of the patterns below
        return found

    def add(key: str, start: int, end: int, value: str, **extra) -> None:
        if not any(start < f[2] and f[1] < end for f in found):
            found.append((key, start, end, _decimal(value) if value else "", extra))

    def with_ci(m: re.Match, bare: bool = True) -> tuple[int, dict]:
        ci = confidence_interval(text, m.end(), bare=bare)
        per = _PER.match(text, m.end()) if ci is None else None
        if per is not None:  # "RR 1.42 per 10 years, 95% CI 1.32-1.52": the CI after the value's unit
            ci = confidence_interval(text, per.end(), bare=False)
        extra: dict = {"ci": (_decimal(ci["lo"]), _decimal(ci["hi"]))} if ci else {}
        if m.groupdict().get("pct") or (ci and "%" in text[ci.start("lo"):ci.end()]):
            extra["unit"] = "%"
        if m.groupdict().get("about"):
            extra["about"] = (m.start("about"), m.end("about"))
        return (ci.end() if ci else m.end()), extra

    lowered = searchable(text)
    for key, pattern, literal in _measure_patterns():
        if not may_match(literal, lowered):
            continue
        for m in pattern.finditer(text):
            end, extra = with_ci(m)
            add(key, m.start(), end, m["v"], **extra)
    names = _ratio_names(text)
    for key, _start, end in names:  # "RORs for A (11.40), B (18.72)": the list after the name
        if re.match(rf"\s*(?:[=:]|of|was)?\s*(?:{NUMBER})", text[end:]):
            continue  # "OR 1.3 (1.1-1.6)": the name has its own value; what follows in brackets is not a list
        for m in _BARE.finditer(text, end):
            if any(s < m.start() and e > end and s > end for _, s, e in names):
                break  # another measure is named before this value: it takes the rest of the list
            add(key, m.start(), m.end(), m["v"], bare=True)
    for m in P_VALUE.finditer(text):
        add("p", m.start(), m.end(), m["v"], comparator=comparator(m["cmp"]))
    for m in SAMPLE_SIZE.finditer(text):
        add("n", m.start(), m.end(), m["v"])
    for m in _participant_range().finditer(text):
        add("n", m.start(), m.end(), "", range=(_decimal(m["lo"]), _decimal(m["hi"])), unit=m["noun"].lower())
    def percents(named_ci: bool) -> None:
        for m in PERCENT.finditer(text):
            if _PER_BEFORE.search(text, 0, m.start("v")):
                continue  # "RR 0.93 per 5% increment": the unit of another statistic
            end, extra = with_ci(m, bare=False)
            words = _NAMED_CI_AFTER_WORDS.match(text, m.end()) if "ci" not in extra else None
            if words is not None:  # "10.3% depression (95% CI 7% to 13%)"
                ci = confidence_interval(text, words.end(), bare=False)
                if ci is not None:
                    end, extra["ci"] = ci.end(), (_decimal(ci["lo"]), _decimal(ci["hi"]))
            if named_ci == ("ci" in extra):
                add("percent", m.start("v"), end, m["v"], unit="%", **{k: v for k, v in extra.items() if k != "unit"})

    percents(named_ci=True)  # "5.6% (95% CI 2.7%-8.5%)" before ranges take the CI's bounds
    for m in _value_range().finditer(text):
        pct = m["lp"] or m["hp"]
        if not (m["unit"] or pct or m["cue"]) or _years(m["lo"], m["hi"], m["unit"] or pct) \
                or _CI_BEFORE.search(text, 0, m.start()):
            continue
        unit = "%" if pct else (m["unit"] or "")
        add("range", m.start(), m.end(), "", range=(_decimal(m["lo"]), _decimal(m["hi"])), unit=unit)
    percents(named_ci=False)
    for m in _participants().finditer(text):
        if int(parse_number(m["v"])) > 1 and not re.search(r"\bper\s+$", text[:m.start()]):
            add("n", m.start(), m.end(), m["v"], unit=m["noun"].lower())
    for m in dose_pattern().finditer(text):
        add("dose", m.start(), m.end(), m.group(1), unit=m.group(2))
        for a, b, number in listed_doses(text, m.start()):  # "0.63 and 2.5 mg/kg": 0.63 mg/kg as well
            add("dose", a, b, number, unit=m.group(2))
    for m in _TIME.finditer(text):
        add("time", m.start(), m.end(), m["v"], unit=m["unit"].lower())
    return sorted(found, key=lambda f: f[1])


def _years(lo: str, hi: str, unit: str) -> bool:
    """ "2010–2020": calendar years, not a stated range (unless a unit says otherwise)."""
    return not unit and all(re.fullmatch(r"(?:19|20)\d\d", x) for x in (lo, hi))


@lru_cache(maxsize=1)
def _ratio_patterns() -> tuple[tuple[str, re.Pattern, str], ...]:
    """(measure, compiled alias, its required literal) of every ratio measure, longest alias first within a measure:
    compiled once."""
    out = []
    for m in measures().values():
        if m.kind != "ratio":
            continue
        for alias in sorted(m.aliases, key=len, reverse=True):
            flags = 0 if case_sensitive(alias) else re.IGNORECASE
            out.append((m.key, re.compile(cue_regex(alias) + r"(?:s\b|\b)", flags), required_literal(alias)))
    return tuple(out)


def _ratio_names(text: str) -> list[tuple[str, int, int]]:
    """(measure, start, end) of every ratio measure named in ``text`` ("reporting odds ratios (RORs)" counts once,
    at its last alias)."""
    names: list[tuple[str, int, int]] = []
    lowered = searchable(text)
    for key, pattern, literal in _ratio_patterns():
        if not may_match(literal, lowered):
            continue
        for hit in pattern.finditer(text):
            if not any(s <= hit.start() < e for _, s, e in names):
                names.append((key, hit.start(), hit.end()))
    names.sort(key=lambda n: n[1])
    merged: list[tuple[str, int, int]] = []
    for n in names:  # "reporting odds ratios (RORs)": one naming
        if merged and merged[-1][0] == n[0] and re.fullmatch(r"[\s(]*", text[merged[-1][2]:n[1]]):
            merged[-1] = (n[0], merged[-1][1], n[2] + (1 if text[n[2]:n[2] + 1] == ")" else 0))
        else:
            merged.append(n)
    return merged


def _statistic(ctx: DocumentContext, sent: _Sentence, hits: list[Hit], key: str, start: int, end: int, value: str,
               extra: dict, studies: list[Study]) -> Statistic:
    kind = measures()[key].kind
    row = next((s for s in studies if s.span[0] <= start < s.span[1]), None)
    drug, basis, groups = _drug(ctx, sent, hits, key, start, end)
    event, event_text = None, ""
    if kind in VALUED:
        event, event_text = _event(ctx, sent, hits, start, end, extra.get("about"), kind)
    if event is not None or event_text:
        basis = basis or "clause"
    numbers: Sequence[int]
    study: Study | None
    if row is not None:  # a number in an evidence-table row belongs to that row's study
        numbers, study = list(row.numbers), row
    else:
        numbers = ctx.citations_in(sent.start, sent.start + len(sent.text)) or ctx.nearest_citation_before(sent.start)
        study = next((s for s in studies if set(s.numbers) & set(numbers)), None)
    drug_curie = drug.curie if drug else ""
    if not drug_curie and row is not None and kind == "dose" and len(set(row.interventions)) == 1:
        drug_curie, basis = row.interventions[0], "table row"  # "5 mg/kg" in a row about one drug: its dose
        drug = next((h for h in hits if h.curie == drug_curie), None)
    block = ctx.block_of(start)
    sources = lexicon().find(ctx.text(*block), "data_source")
    mentions = tuple((h.start, h.end, h.curie) for h in (drug, event) if h is not None)
    ci = extra.get("ci", ("", ""))
    lo, hi = extra.get("range", ("", ""))
    s0 = sent.start
    return Statistic(
        doc_id=ctx.doc.id,
        measure=key,
        value=value,
        evidence=Evidence(ctx.doc.id, s0, s0 + len(sent.text), sent.text, mentions),
        stated=ctx.text(start, end),
        span=(start, end),
        comparator=extra.get("comparator", "="),
        ci_low=ci[0],
        ci_high=ci[1],
        unit=extra.get("unit", ""),
        drug=drug_curie,
        event=event.curie if event else "",
        event_text=ctx.text(event.start, event.end) if event else event_text,
        data_source=sources[0].value if sources else "",
        publications=tuple(numbers),
        study=study.key if study else "",
        range_low=lo,
        range_high=hi,
        link_basis=basis,
        groups=groups,
        drug_text=ctx.text(drug.start, drug.end) if drug else "",
    )


def _drug(ctx: DocumentContext, sent: _Sentence, hits: list[Hit], key: str, start: int,
          end: int) -> tuple[Hit | None, str, tuple[str, ...]]:
    """The drug of the statistic's own clause, why it was chosen, and the groups the clause compares.

    In order: a chemical inside the statistic ("odds ratio … in the iodixanol group, 0.09"); for a percentage or
    count, the chemical its "of/for/with …" phrase names ("66.7% for valsartan"); the nearest chemical before it,
    after the previous statistic of the clause ("in the enalapril group (RR 1.89 …)"); the clause's explicit subject,
    a chemical before the clause's first verb that is not itself a list item with its own statistic ("Esketamine
    demonstrated … RORs for X (0.37), Y (0.13)"). A statistic that directly follows a comparison ("compared with
    placebo (RR 1.96 …)") belongs to the comparator: linked to it when it is a chemical, else unlinked."""
    c0, c1 = sent.clause(start)
    text, s0 = sent.text, sent.start
    chems = [h for h in hits if h.category == "chemical" and c0 <= h.start and h.end <= c1
             and not is_substance_used(ctx.doc.text, h)]
    kind = measures()[key].kind
    floor = sent.floor(start)
    groups = _groups(ctx, sent, hits, c0, c1)
    inside = [h for h in chems if start <= h.start and h.end <= end]
    if inside:
        return inside[0], "clause", groups
    if kind == "dose":  # the drug it is written with, else the clause's subject, never the nearest drug
        dosed = dose_drug(text, start, end, chems, floor, sent.depth, offset=s0)
        return (dosed, "clause", groups) if dosed else _subject(ctx, sent, chems, c0, c1, start, end, groups)
    if kind in ("percent", "count"):
        nxt = min((s for s, _, k in sent.found if s >= end and k == key), default=c1)
        for h in chems:
            between = ctx.text(end, h.start)
            if end <= h.start < nxt and (_AFTER.match(between) or (kind == "percent" and not between.strip())) \
                    and sent.depth[h.start - s0] <= sent.depth[end - 1 - s0]:
                return h, "clause", groups  # "66.7% for valsartan", "0.75% bupivacaine"
    cmp = comparison_before(text, start - s0, floor - s0)
    if cmp is not None:
        group = [h for h in chems if floor - s0 + cmp.end() <= h.start - s0 and h.end <= start]
        return (group[-1], "comparator", groups) if group else (None, "", groups)
    before = [h for h in chems if floor <= h.start and h.end <= start]
    if kind in ("percent", "count"):  # "olanzapine (43.7%)", "the remifentanil group (6.7%)": right before it
        before = [h for h in before if _ADJACENT.fullmatch(ctx.text(h.end, start))]
    if before:
        return before[-1], "clause", groups
    return _subject(ctx, sent, chems, c0, c1, start, end, groups)


def _subject(ctx: DocumentContext, sent: _Sentence, chems: list[Hit], c0: int, c1: int, start: int, end: int,
             groups: tuple[str, ...]) -> tuple[Hit | None, str, tuple[str, ...]]:
    """The clause's explicit subject when it is a chemical (see :func:`_drug`), else unlinked."""
    text, s0 = sent.text, sent.start
    verb = first_verb(text, c0 - s0, c1 - s0) + s0
    own = {s for s, _, _ in sent.found}
    for h in chems:
        if h.end <= min(verb, start) and sent.depth[h.start - s0] == 0 and \
                not any(re.fullmatch(r"\s*[(\[]?\s*", ctx.text(h.end, s)) for s in own if s >= h.end):
            return h, "subject", groups
    if _INTRO.match(text, c0 - s0):  # "In a randomised trial of 42 patients, drugamine reduced …": its subject
        for h in chems:
            comma = text.rfind(",", 0, h.start - s0)
            if h.start > end and comma >= 0 and sent.depth[comma] == 0 and \
                    re.fullmatch(r"\s*(?:the\s+)?", text[comma + 1:h.start - s0]) and end - s0 <= comma:
                return h, "subject", groups
    return None, "", groups


_INTRO = re.compile(r"\s*(?:in|among|after|during|for|with|of|across|at)\b", re.IGNORECASE)
_SEX = re.compile(r"\b(?:males?|females?|men|women|boys|girls)\b", re.IGNORECASE)


def _groups(ctx: DocumentContext, sent: _Sentence, hits: list[Hit], c0: int, c1: int) -> tuple[str, ...]:
    """The two sides of a comparison in the clause: "ketamine versus midazolam", "males vs females", "X compared
    with Y", "between X and Y", "X … than Y" (each side an entity mention or a sex/gender word)."""
    text = ctx.text(c0, c1)
    names = [(h.start - c0, h.end - c0, h.text) for h in hits if c0 <= h.start and h.end <= c1
             and h.category in ("chemical", "intervention", "organism")]
    names += [(m.start(), m.end(), m.group(0)) for m in _SEX.finditer(text)]
    names.sort()
    m = re.search(r"\bbetween\s+", text)
    cues = [(m.end(), "between")] if m else []
    cues += [(c.start(), c.group(0)) for c in COMPARISON.finditer(text)]
    for at, cue in cues:
        after = [n for n in names if n[0] >= at + (0 if cue == "between" else len(cue))]
        before = [n for n in names if n[1] <= at]
        if cue == "between" and len(after) >= 2:
            return (after[0][2], after[1][2])
        if cue != "between" and before and after and after[0][0] - at < 40:
            return (before[-1][2], after[0][2])
    return ()


def _event(ctx: DocumentContext, sent: _Sentence, hits: list[Hit], start: int, end: int,
           about: tuple[int, int] | None, kind: str) -> tuple[Hit | None, str]:
    """The event or outcome: named by the measure itself ("prevalence of depression", "OR for stroke"), else just
    before the statistic, after the previous effect size of its clause; for a prevalence or incidence whose clause
    names none there, the event its clause is about ("Insomnia disorder was assessed …, with a prevalence of …")."""
    if about is not None:
        a0, a1 = about[0] + sent.start, about[1] + sent.start
        inside = [h for h in hits if h.category in EVENTS and a0 <= h.start and h.end <= a1]
        phrase = _DETERMINER.sub("", _CONNECTIVE.sub("", ctx.text(a0, a1).strip())).strip()
        return (inside[0] if inside else None), phrase
    floor = max(sent.floor(start, VALUED), start - EVENT_WINDOW)
    candidates = [h for h in hits if h.category in EVENTS and floor <= h.start and h.end <= start]
    event = candidates[-1] if candidates else None
    found = _EVENT_PHRASE.search(ctx.text(floor, start))
    text = _DETERMINER.sub("", _CONNECTIVE.sub("", found.group(1)).strip()).strip(" ‘’“”\"'") if found else ""
    if _QUALIFIERS.fullmatch(text):
        text = ""  # "multivariate HR", "an overall prevalence of": a qualifier, no event
    if re.search(r"\d", text):
        text = ""  # "a total sample size of 180 patients and a": another statistic's words, not an event
    if event is None and not text and kind == "estimate":  # "Insomnia disorder was assessed … prevalence of 0.096"
        c0, c1 = sent.clause(start)
        verb = first_verb(sent.text, c0 - sent.start, c1 - sent.start) + sent.start
        subject = [h for h in hits if h.category in EVENTS and c0 <= h.start and h.end <= min(verb, start)
                   and sent.depth[h.start - sent.start] == 0]
        if subject:
            return subject[0], ""
        phrase = sent.text[c0 - sent.start:verb - sent.start].strip()
        if re.fullmatch(r"[A-Za-z][A-Za-z'’ -]{2,60}", phrase) and len(phrase.split()) <= 5 \
                and not _NO_SUBJECT.search(phrase):
            return None, phrase  # "Posttraumatic symptoms were studied …, with a pooled prevalence of 0.177"
    return event, (text if len(text) >= 3 else "")


def ratio_direction(st: Statistic) -> str:
    """What a ratio says about the event: "increased" (value and CI above 1), "decreased" (below 1: the event is
    reported or seen less often with the drug) or "" (1, or a CI that includes 1: no signal either way)."""
    value = float(st.value)
    lo = float(st.ci_low) if st.ci_low else value
    hi = float(st.ci_high) if st.ci_high else value
    if value > 1 and lo > 1:
        return "increased"
    if value < 1 and hi < 1:
        return "decreased"
    return ""


_KIND_BY_DIRECTION = {"increased": "adverse_event_statistical", "decreased": "adverse_event_decreased",
                      "": "adverse_event_inconclusive"}


def _adverse_relation(
    ctx: DocumentContext, st: Statistic, relations: list[Relation], hits: list[Hit]
) -> Relation | None:
    """The drug -> event relation of the statistic's sentence; created (as a statistical association) when a ratio
    is stated in an adverse-event context but no rule produced the relation. Its kind and direction follow the
    ratio: only a ratio above 1 claims the drug has the adverse event."""
    direction = ratio_direction(st)
    for r in relations:
        same_span = (r.evidence.start, r.evidence.end) == (st.evidence.start, st.evidence.end)
        if (r.doc_id, r.subject, r.object) == (st.doc_id, st.drug, st.event) and same_span:
            if (
                r.kind in ("adverse_event", "adverse_event_statistical")
                and "object_direction_qualifier" not in r.qualifiers
            ):
                _quantified(r, direction)
            return r
    block_text = ctx.text(*ctx.block_of(st.span[0]))
    if not (st.data_source or lexicon().has(block_text, "adverse")):
        return None
    by_curie = {h.curie: h for h in hits}
    a, b = by_curie.get(st.drug), by_curie.get(st.event)
    r = Relation(st.doc_id, st.drug, "adverse_event_statistical", st.event, st.evidence, confidence=0.75,
                 publications=st.publications, study=st.study, endpoints=tuple(h for h in (a, b) if h))
    _quantified(r, direction)
    relations.append(r)
    return r


def _quantified(r: Relation, direction: str) -> None:
    r.kind = _KIND_BY_DIRECTION[direction]
    if direction:
        r.qualifiers["object_direction_qualifier"] = direction
