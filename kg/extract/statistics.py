"""Statistics as data: ratios with CIs ("ROR = 18.72", "OR 2.1 (95% CI 1.2–3.4)", "HR"), p-values, sample sizes
("n = 28", "28 individuals"), doses ("5 mg/kg") and time points ("day 8"), each tied to the drug and event
mentions of its sentence. Measure names and units come from ``ontologies/extraction``.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache

from kg.extract.context import DocumentContext, Hit
from kg.extract.facts import Evidence, Relation, Statistic, Study
from kg.extract.lexicon import case_sensitive, cue_regex, lexicon, measures
from kg.extract.relations import is_substance_used
from kg.extract.studies import dose_pattern

log = logging.getLogger(__name__)

NUMBER = r"\d+(?:[.·]\d+)?|[.·]\d+"
EVENTS = frozenset({"disease", "phenotype", "behaviour", "process", "concept"})
EVENT_WINDOW = 80  # an event mention must end this close before the statistic
_CI = re.compile(
    rf"\s*[,;(\[]?\s*(?:(?:95|99|90)\s*%\s*)?(?:CI|confidence interval)\s*[:,=]?\s*[(\[]?\s*(?P<lo>{NUMBER})\s*"
    rf"(?:[-–—]|to|,)\s*(?P<hi>{NUMBER})",
    re.IGNORECASE,
)
_P = re.compile(rf"(?<![\w.])[pP](?:\s*-?\s*value)?\s*(?P<cmp>[<>=≤≥])\s*(?P<v>{NUMBER})")
_N = re.compile(r"(?<![\w.])[nN]\s*=\s*(?P<v>\d+)")
_EVENT_PHRASE = re.compile(
    r"(?:^|[,;:]|\b(?:and|or|for|including|of|with)\b)\s*([A-Za-z][\w\s'’-]{2,60}?)\s*(?:[(\[]\s*)?$"
)
_CONNECTIVE = re.compile(r"^\s*(?:(?:and|or|for|including|of|with)\s+)+", re.IGNORECASE)
_TIME = re.compile(r"\b(?P<unit>day|week|month|hour|year)s?\s+(?P<v>\d+)\b", re.IGNORECASE)
_BARE = re.compile(r"\(\s*(?P<v>\d+[.·]\d+|[.·]\d+)\s*\)")  # "(11.40)": a value whose measure was named before
RANGE = r"(?P<lo>\d+)\s*(?:to|–|—|-|and)\s*(?P<hi>\d+)"


@lru_cache(maxsize=1)
def _ratio_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """One regex per ratio measure: its aliases, an optional "=", ":", "of" or "was", then the value."""
    out = []
    for m in measures().values():
        if m.kind != "ratio":
            continue
        for alias in sorted(m.aliases, key=len, reverse=True):
            flags = 0 if case_sensitive(alias) else re.IGNORECASE
            body = cue_regex(alias)
            out.append((m.key, re.compile(rf"{body}\s*(?:[=:]|of|was|was\s+about)?\s*(?P<v>{NUMBER})(?![\d.])", flags)))
    return tuple(out)


@lru_cache(maxsize=1)
def _participants() -> re.Pattern:
    nouns = [cue_regex(c) for c, _ in lexicon().cues("participant")]
    return re.compile(
        r"(?<![\w.,])(?P<v>\d+)\s+(?:[A-Za-z-]+\s+){0,2}?(?P<noun>" + "|".join(nouns) + ")", re.IGNORECASE
    )


@lru_cache(maxsize=1)
def _participant_range() -> re.Pattern:
    """ "from 12 to 350 participants", "between 20 and 40 patients", "12–350 individuals": a range, not a size."""
    nouns = [cue_regex(c) for c, _ in lexicon().cues("participant")]
    return re.compile(
        r"(?<![\w.,])" + RANGE + r"\s+(?:[A-Za-z-]+\s+){0,2}?(?P<noun>" + "|".join(nouns) + ")", re.IGNORECASE
    )


def _decimal(text: str) -> str:
    text = text.replace("·", ".")
    return "0" + text if text.startswith(".") else text


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
        floor = s
        for key, start, end, value, extra in found:
            st = _statistic(ctx, (s, e), text, hits, key, start + s, end + s, value, extra, studies, floor)
            floor = end + s
            if st.measure in ("ror", "or", "hr", "rr") and st.drug and st.event:
                st.relation = _adverse_relation(ctx, st, relations, hits)
            out.append(st)
    # an abstract (or any text citing nothing) reports one study: its restated doses and time points are that study's
    return merge_restated(out, one_study=ctx.doc.format != "review" or not ctx.doc.citations)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def same_event(a: Statistic, b: Statistic) -> bool:
    """Do two statements name the same event? Same resolved entity, or one wording contains the other ("abuse" in
    "drug abuse"); "substance dependence" and "drug dependence" differ unless they resolved alike."""
    if a.event and a.event == b.event:
        return True
    wa, wb = _words(a.event_text), _words(b.event_text)
    return bool(wa and wb) and (wa <= wb or wb <= wa)


MERGED_KINDS = frozenset({"dose", "time", "count"})  # restated for one study: one statistic


def merge_restated(stats: list[Statistic], one_study: bool = False) -> list[Statistic]:
    """A ratio stated again (summary and results) is one statistic with several evidence sentences; when the same
    drug and value come with another event, both statements are kept and flagged as conflicting. A dose, time point
    or sample size stated again for the same study (or cited work) and drug is likewise one statistic; with
    ``one_study`` (the document reports a single study, as an abstract does) the document is that study for doses
    and time points (not sample sizes: two arms of one study may each have n = 12)."""
    out: list[Statistic] = []
    seen: dict[tuple, list[Statistic]] = {}
    repeated: dict[tuple, Statistic] = {}
    for st in stats:
        kind = measures()[st.measure].kind
        if kind in MERGED_KINDS and st.value and (st.study or st.publications or (one_study and kind != "count")):
            key = (st.doc_id, st.measure, st.drug, float(st.value), st.unit.lower(), st.study or st.publications)
            if key in repeated:
                _add_evidence(repeated[key], st)
                continue
            repeated[key] = st
            out.append(st)
            continue
        if kind != "ratio" or not st.drug:
            out.append(st)
            continue
        ratio_key = (st.doc_id, st.measure, st.drug, float(st.value))
        earlier = seen.setdefault(ratio_key, [])
        match = next((e for e in earlier if same_event(e, st)), None)
        if match is not None:
            _add_evidence(match, st)
            match.ci_low, match.ci_high = match.ci_low or st.ci_low, match.ci_high or st.ci_high
            continue
        for e in earlier:
            log.info("%s %s of %s stated for %r and for %r: flagged as conflicting", st.measure, st.value, st.drug,
                     e.event_text or e.event, st.event_text or st.event)
            e.conflicts_with.append(st)
            st.conflicts_with.append(e)
        earlier.append(st)
        out.append(st)
    return out


def _add_evidence(first: Statistic, again: Statistic) -> None:
    if all(
        (again.evidence.start, again.evidence.end) != (e.start, e.end) for e in (first.evidence, *first.more_evidence)
    ):
        first.more_evidence.append(again.evidence)


def _find(text: str) -> list[tuple[str, int, int, str, dict]]:
    """(measure, start, end, value, extras) of every statistic in ``text``; overlapping matches keep the first."""
    found: list[tuple[str, int, int, str, dict]] = []

    def add(key: str, start: int, end: int, value: str, **extra) -> None:
        if not any(start < f[2] and f[1] < end for f in found):
            found.append((key, start, end, _decimal(value), extra))

    for key, pattern in _ratio_patterns():
        for m in pattern.finditer(text):
            ci = _CI.match(text, m.end())
            extra = {"ci": (_decimal(ci["lo"]), _decimal(ci["hi"]))} if ci else {}
            add(key, m.start(), ci.end() if ci else m.end(), m["v"], **extra)
    for key, _start, end in _ratio_names(text):  # "RORs for A (11.40), B (18.72)": the list after the name
        if re.match(rf"\s*(?:[=:]|of|was)?\s*(?:{NUMBER})", text[end:]):
            continue  # "OR 1.3 (1.1-1.6)": the name has its own value; what follows in brackets is not a list
        for m in _BARE.finditer(text, end):
            if any(s < m.start() and e > end and s > end for _, s, e in _ratio_names(text)):
                break  # another measure is named before this value: it takes the rest of the list
            add(key, m.start(), m.end(), m["v"], bare=True)
    for m in _participant_range().finditer(text):
        add("n", m.start(), m.end(), "", range=(m["lo"], m["hi"]), unit=m["noun"].lower())
    for m in _P.finditer(text):
        cmp = {"≤": "<=", "≥": ">="}.get(m["cmp"], m["cmp"])
        add("p", m.start(), m.end(), m["v"], comparator=cmp)
    for m in _N.finditer(text):
        add("n", m.start(), m.end(), m["v"])
    for m in _participants().finditer(text):
        if int(m["v"]) > 1:
            add("n", m.start(), m.end(), m["v"], unit=m["noun"].lower())
    for m in dose_pattern().finditer(text):
        add("dose", m.start(), m.end(), m.group(1), unit=m.group(2))
    for m in _TIME.finditer(text):
        add("time", m.start(), m.end(), m["v"], unit=m["unit"].lower())
    return sorted(found, key=lambda f: f[1])


def _ratio_names(text: str) -> list[tuple[str, int, int]]:
    """(measure, start, end) of every ratio measure named in ``text`` ("reporting odds ratios (RORs)" counts once,
    at its last alias)."""
    names: list[tuple[str, int, int]] = []
    for m in measures().values():
        if m.kind != "ratio":
            continue
        for alias in sorted(m.aliases, key=len, reverse=True):
            flags = 0 if case_sensitive(alias) else re.IGNORECASE
            for hit in re.finditer(cue_regex(alias) + r"(?:s\b|\b)", text, flags):
                if not any(s <= hit.start() < e for _, s, e in names):
                    names.append((m.key, hit.start(), hit.end()))
    names.sort(key=lambda n: n[1])
    merged: list[tuple[str, int, int]] = []
    for n in names:  # "reporting odds ratios (RORs)": one naming
        if merged and merged[-1][0] == n[0] and re.fullmatch(r"[\s(]*", text[merged[-1][2]:n[1]]):
            merged[-1] = (n[0], merged[-1][1], n[2] + (1 if text[n[2]:n[2] + 1] == ")" else 0))
        else:
            merged.append(n)
    return merged


def _statistic(ctx: DocumentContext, sent: tuple[int, int], text: str, hits: list[Hit], key: str, start: int,
               end: int, value: str, extra: dict, studies: list[Study], floor: int) -> Statistic:
    chemicals = [h for h in hits if h.category == "chemical" and not is_substance_used(ctx.doc.text, h)]
    before = [h for h in chemicals if h.end <= start]
    drug = before[-1] if before else (chemicals[0] if chemicals else None)
    event, event_text = None, ""
    if measures()[key].kind == "ratio":
        # the event is named just before the statistic, after the previous statistic of the sentence
        candidates = [h for h in hits if h.category in EVENTS and floor <= h.start and h.end <= start
                      and start - h.end <= EVENT_WINDOW]
        event = candidates[-1] if candidates else None
        phrase = _EVENT_PHRASE.search(ctx.text(max(floor, start - EVENT_WINDOW), start))
        event_text = _CONNECTIVE.sub("", phrase.group(1)).strip() if phrase else ""
    row = next((s for s in studies if s.span[0] <= start < s.span[1]), None)
    numbers: Sequence[int]
    study: Study | None
    if row is not None:  # a number in an evidence-table row belongs to that row's study
        numbers, study = list(row.numbers), row
    else:
        numbers = ctx.citations_in(*sent) or ctx.nearest_citation_before(sent[0])
        study = next((s for s in studies if set(s.numbers) & set(numbers)), None)
    drug_curie = drug.curie if drug else ""
    if not drug_curie and row is not None and measures()[key].kind == "dose" and len(set(row.interventions)) == 1:
        drug_curie = row.interventions[0]  # "5 mg/kg more effective" in a row about one drug: that drug's dose
    block = ctx.block_of(start)
    sources = lexicon().find(ctx.text(*block), "data_source")
    mentions = tuple((h.start, h.end, h.curie) for h in (drug, event) if h is not None)
    ci = extra.get("ci", ("", ""))
    lo, hi = extra.get("range", ("", ""))
    return Statistic(
        doc_id=ctx.doc.id,
        measure=key,
        value=value,
        evidence=Evidence(ctx.doc.id, sent[0], sent[1], text, mentions),
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
    )


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
