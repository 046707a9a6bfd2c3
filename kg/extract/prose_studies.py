"""Studies a review describes in its running text: "a randomized, double-blind trial in 55 cocaine-dependent adults
compared ketamine 0.5 mg/kg with midazolam ... [7]".

A study sentence cites exactly one work and states a design (a singular study noun: "a cohort study", "an RCT", not
"trials have shown") or a sample ("in 55 adults", "n = 28"); a sentence that only cites a finding ("X improves Y
[3]") is none. A design sentence without a citation may be completed by the next sentence of its paragraph that cites
one. Only body paragraphs count (no captions, table cells, front matter or reference list) and never the review's own
methods. Sentences citing the same work describe one study and are merged.
"""
from __future__ import annotations

import logging
import re
from bisect import bisect_right

from kg.extract.context import DocumentContext
from kg.extract.facts import Evidence, Publication, Study
from kg.extract.lexicon import designs, lexicon
from kg.extract.studies import doses, outcomes
from kg.extract.study_tables import fill, study_key

log = logging.getLogger(__name__)

BODY = frozenset({"paragraph", "abstract", "list_item"})
# designs that name a study only with a study noun beside them ("in mice", "placebo" alone describe no study)
WEAK = frozenset({"animal", "preclinical", "placebo", "longitudinal", "observational", "parallel"})
# a cited meta-analysis or review is a synthesis of studies, not a study the review describes
SYNTHESIS = frozenset({"meta_analysis"})
_OWN = re.compile(r"\b(?:our|this|the present|the current|we)\s+(?:[\w\-‐]+\s+){0,2}$", re.IGNORECASE)
_POOLED = re.compile(r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|many|multiple|most)\s+"
                     r"(?:[\w\-]+\s+)?(?:studies|trials|articles|cohorts|RCTs)\b", re.IGNORECASE)
NEAR = 40  # characters between a design phrase and the one marker of a sentence citing several works
_PLURAL = re.compile(r"(?:trials|studies|RCTs|cohorts|analyses|reports|series)$", re.IGNORECASE)
_STUDY_NOUN = re.compile(
    r"\b(?:a|an|one|this|that|the|their|his|her|its)\s+(?:[\w\-,]+\s+){0,5}?"
    r"(?:study|trial|RCT|analysis|cohort|survey|experiment|case report|case series|report)\b",
)
_SAMPLE_LEAD = re.compile(r"(?:\b(?:in|of|among|including|included|enrolled|recruited|with|from|on)\s+|\(\s*)$",
                          re.IGNORECASE)
_BIG = re.compile(r"^\s*(?:million|billion|thousand|%|percent)", re.IGNORECASE)
_N_EQUALS = re.compile(r"\b[nN]\s*=\s*(\d[\d,]*)")
_TRIM = re.compile(r"^[\s,;:]+|[\s,;:]+$")
MAX_NUMBERS = 1  # works a study sentence may cite (two works cited at once describe two studies, or a finding)


def prose_studies(ctx: DocumentContext, pubs: list[Publication], known: list[Study]) -> list[Study]:
    """Studies described in body sentences, one per cited work not already a table row."""
    allowed = _body_spans(ctx)
    taken = {n for st in known for n in st.numbers} | {study_key(st.first_author, st.year) for st in known}
    by_number = {p.number: p for p in pubs if p.number is not None}
    out: dict[int, Study] = {}
    sentences = [s for s in ctx.sentences if _in_body(s, allowed, ctx)]
    for i, (s, e) in enumerate(sentences):
        numbers = ctx.citations_in(s, e)
        text = ctx.text(s, e)
        unit = [(s, e)]
        if not numbers and _design_signal(text) and i + 1 < len(sentences):
            nxt = sentences[i + 1]
            if ctx.block_of(nxt[0]) == ctx.block_of(s) and len(ctx.citations_in(*nxt)) == 1:
                unit.append(nxt)
                numbers = ctx.citations_in(*nxt)
        if len(numbers) > 1:
            numbers = _marker_after_design(ctx, unit[-1], numbers)
        if len(numbers) != 1 or numbers[0] not in by_number or not by_number[numbers[0]].authors:
            continue  # a study is linked to a listed work, not to a number the reference list lacks
        whole = ctx.text(unit[0][0], unit[-1][1])
        if _POOLED.search(whole) or not (_design_signal(whole) or _sample(whole) is not None):
            continue  # "in 3 studies (n = 667)" pools several studies
        pub = by_number[numbers[0]]
        study = _study(ctx, pub, unit)
        if numbers[0] in taken or study_key(study.first_author, study.year) in taken:
            continue
        if numbers[0] in out:
            fill(out[numbers[0]], study)
        else:
            out[numbers[0]] = study
    studies = list(out.values())
    keys: set[str] = {st.key for st in known}
    for st in studies:
        base, k = st.key, 2
        while st.key in keys:
            st.key, k = f"{base} ({k})", k + 1
        keys.add(st.key)
    log.info("%s: %d studies described in the text", ctx.doc.id, len(studies))
    return studies


def _body_spans(ctx: DocumentContext) -> list[tuple[int, int]]:
    """Body blocks outside the review's own methods sections."""
    spans = []
    for b in ctx.doc.blocks:
        if b.kind in BODY and not lexicon().has(b.section, "methods_section"):
            spans.append((b.span.start, b.span.end))
    return sorted(spans)


def _in_body(span: tuple[int, int], allowed: list[tuple[int, int]], ctx: DocumentContext) -> bool:
    i = bisect_right(allowed, (span[0], float("inf"))) - 1
    inside = i >= 0 and allowed[i][0] <= span[0] < allowed[i][1]
    return inside and not lexicon().has(ctx.text(*span), "review_method")


def design_cues(text: str) -> list[tuple[str, int, int]]:
    """``(design key, start, end)`` of every design cue (designs.tsv) in ``text``, in text order."""
    out = []
    for d in designs():
        out += [(d.key, m.start(), m.end()) for m in d.finditer(text)]
    return sorted(out, key=lambda c: c[1])


def _marker_after_design(ctx: DocumentContext, sent: tuple[int, int], numbers: tuple[int, ...]) -> tuple[int, ...]:
    """In a sentence citing several works, the work whose marker follows a design phrase ("the ATLAS clinical
    trial [184], as well as ... [185]"); none when no marker is that close."""
    text = ctx.text(*sent)
    ends = [sent[0] + e for key, s, e in design_cues(text) if _counts(text, key, s, e)]
    for c in ctx.doc.citations:
        if sent[0] <= c.span.start < sent[1] and len(c.numbers) == 1 and any(0 <= c.span.start - e <= NEAR
                                                                              for e in ends):
            return c.numbers
    return ()


def _counts(text: str, key: str, start: int, end: int) -> bool:
    """Does this design cue describe one cited study (not plural, not a synthesis, not the review's own)?"""
    return not (_PLURAL.search(text[start:end]) or key in SYNTHESIS or _OWN.search(text[:start]))


def _design_signal(text: str) -> bool:
    """A design of one study: a strong design cue in the singular, or a weak one beside a singular study noun."""
    noun = _STUDY_NOUN.search(text)
    for key, start, end in design_cues(text):
        if not _counts(text, key, start, end):
            continue
        if key not in WEAK or (noun and abs(noun.start() - start) < 80):
            return True
    return False


def _sample(text: str) -> tuple[int, int, int] | None:
    """``(size, start, end)`` of a sample stated as "n = 28" or "in 55 (cocaine-dependent) adults"."""
    m = _N_EQUALS.search(text)
    if m:
        return int(m.group(1).replace(",", "")), m.start(), m.end()
    for cue in lexicon().find(text, "participant"):
        before = text[:cue.start]
        n = re.search(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)((?:\s+[\w\-]+){0,3}?)\s*$", before)
        if not n or _BIG.match(n.group(2)) or not _SAMPLE_LEAD.search(before[:n.start()]):
            continue
        if re.search(r"\d\s*(?:to|–|—|-|and)\s*$", before[:n.start()]):
            continue
        size = int(n.group(1).replace(",", ""))
        if size > 1:
            return size, n.start(), cue.end
    return None


def _population(text: str, sample: tuple[int, int, int] | None) -> tuple[str, int, int]:
    """The sample's noun phrase, with its "with <condition>" tail: "55 cocaine-dependent adults"."""
    if sample is None:
        return "", 0, 0
    _, start, end = sample
    tail = re.match(r"\s+(?:with|diagnosed with|suffering from|who had)\s+[^,;.()\[\]]{1,60}", text[end:])
    if tail:
        cut = re.search(r"\s(?:were|was|compared|received|underwent|treated|showed|found|and\s+\d)\b", tail.group(0))
        end += cut.start() if cut else tail.end()
    return _TRIM.sub("", text[start:end]), start, end


def _finding(text: str) -> tuple[str, int]:
    """The clause after the first result verb (cues.tsv ``finding``), without its citation."""
    cue = next(iter(lexicon().find(text, "finding")), None)
    if cue is None:
        return "", -1
    clause = re.sub(r"\s*[\[(][^\])]*[\])]\s*\.?$", "", text[cue.start:]).rstrip(" .")
    return clause, cue.start


def _study(ctx: DocumentContext, pub: Publication, unit: list[tuple[int, int]]) -> Study:
    start, end = unit[0][0], unit[-1][1]
    text = ctx.text(start, end)
    cues = design_cues(text)
    design_text = ""
    if cues:
        a, b = cues[0][1], cues[0][2]
        for _, s, e in cues[1:]:
            if s - b <= 3 or (s - b <= 40 and not re.search(r"[.;]", text[b:s])):
                b = max(b, e)
        design_text = text[a:b]
    sample = _sample(text)
    population, p_start, p_end = _population(text, sample)
    intervention, comparator, i_span, c_span = _arms(ctx, text, start)
    finding, f_start = _finding(text)
    surname = pub.authors[0].split(",")[0].strip() if pub.authors else ""
    surname = surname.split()[0] if surname and len(surname.split()) > 1 and len(surname.split()[-1]) <= 3 else surname
    year = pub.year
    key = f"{surname} {year}" if surname and year else f"reference {pub.number}"

    def hits(span: tuple[int, int], cats: set[str] | None = None) -> tuple[str, ...]:
        if span[1] <= span[0]:
            return ()
        return tuple(dict.fromkeys(h.curie for h in ctx.hits_in(start + span[0], start + span[1])
                                   if cats is None or h.category in cats))

    pop_span = (p_start, p_end)
    return Study(
        doc_id=ctx.doc.id, key=key, label=pub.label if pub.authors else key,
        first_author=surname, year=year,
        design_text=design_text, designs=tuple(dict.fromkeys(k for k, _, _ in cues)),
        population=population, intervention=intervention, comparator=comparator, finding=finding,
        sample_size=sample[0] if sample else None, doses=doses(text),
        routes=tuple(dict.fromkeys(c.value for c in lexicon().find(text, "route"))),
        organisms=hits(pop_span, {"organism"}), conditions=hits(pop_span, {"disease", "phenotype"}),
        population_entities=hits(pop_span), interventions=hits(i_span), comparators=hits(c_span),
        outcomes=outcomes(ctx, finding, (start + f_start, start + f_start + len(finding))) if finding else (),
        publication=pub, span=(start, end),
        evidence=[Evidence(ctx.doc.id, s, e, ctx.text(s, e)) for s, e in unit],
        citation_numbers=(pub.number,) if pub.number is not None else (), source="prose",
    )


_ARM = frozenset({"chemical", "intervention"})
_B = r"(?P<b>[^,;.()\[\]]{2,60}?)(?=\s+(?:and|in|at|for|over|on)\b|\s*[,;.()\[]|$)"
_ACTIVE = re.compile(r"\bcompar(?:ed|ing|es)\s+(?P<a>[^,;.]{2,80}?)\s+(?:with|to|against)\s+" + _B)
_PASSIVE = re.compile(r"(?P<a>[^,;.()\[\]]{2,60}?)\s+(?:was|were)\s+compared\s+(?:with|to|against)\s+" + _B)


def _arms(ctx: DocumentContext, text: str, offset: int) -> tuple[str, str, tuple[int, int], tuple[int, int]]:
    """Intervention and comparator as written, with their spans in ``text``: "compared X with Y", "X versus Y",
    else the drugs and interventions the text names."""
    for pattern in (_PASSIVE, _ACTIVE):
        m = pattern.search(text)
        if m and not m.group("a").lower().startswith(("with", "to")):
            return m.group("a").strip(), m.group("b").strip(), m.span("a"), m.span("b")
    arms = [h for h in ctx.hits_in(offset, offset + len(text)) if h.category in _ARM]
    cue = next(iter(lexicon().find(text, "comparison")), None)
    if cue is not None:
        before = [h for h in arms if h.end - offset <= cue.start]
        after = [h for h in arms if h.start - offset >= cue.end]
        if before and after:
            a, b = before[-1], after[0]
            return a.text, b.text, (a.start - offset, a.end - offset), (b.start - offset, b.end - offset)
    if not arms:
        return "", "", (0, 0), (0, 0)
    names = list(dict.fromkeys(h.text for h in arms))
    return " + ".join(names[:3]), "", (arms[0].start - offset, arms[-1].end - offset), (0, 0)

