"""Statements of one statistic made more than once: a ratio restated in the summary and the results is one statistic
with several evidence sentences; the same drug and value with another event are kept apart and flagged as
conflicting; a dose, time point or sample size restated for one study is one statistic.
"""
from __future__ import annotations

import logging
import re

from kg.extract.facts import Statistic
from kg.extract.lexicon import measures

log = logging.getLogger(__name__)


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
