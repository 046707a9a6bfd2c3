"""Sentence-level relations between resolved entities, typed by the entities' categories and the cue words between
them (``ontologies/extraction/cues.tsv``): drug–target mechanisms, causal chain steps, part-of, expression sites,
drug–disease, drug–outcome and drug–adverse-event claims, each with hedging, negation, transience and context.
"""
from __future__ import annotations

import logging
import re

from kg.extract.clauses import (
    agent_link,
    coordination_breaks,
    depth_map,
    is_passive,
    names_comparator,
    names_population,
    preceded_by_preposition,
)
from kg.extract.context import DocumentContext, Hit, makes_no_claim
from kg.extract.facts import Evidence, Relation, Study
from kg.extract.lexicon import human_taxa, lexicon, predicates

log = logging.getLogger(__name__)

TARGETS = frozenset({"gene", "complex"})
CHAIN = frozenset({"gene", "complex", "process", "chemical"})
EVENTS = frozenset({"disease", "phenotype", "behaviour"})
MAX_GAP = 160  # characters between two entities a cue may bridge
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z\-]{3,})\s+$")
_RATIO_STATEMENT = re.compile(r"\(\s*[A-Za-z]{1,5}\s*[=:]\s*\d")
_ATTACHED = re.compile(r"[\s\-’'s)]*(?:receptors?\s+)?")
_COORDINATION = re.compile(r"^[\s,]*(?:and|or|as well as)\b", re.IGNORECASE)
_COORDINATION_ONLY = re.compile(r"[\s,]*(?:(?:and|or|as well as)\s*)?", re.IGNORECASE)
CONTEXT = frozenset({"organism", "anatomy", "cell"})
OUTCOME_WINDOW = 45  # a direction cue must come this close before the outcome it qualifies
_STRONG_NEGATION = frozenset({"no", "neither", "nor", "none", "no significant"})  # may stand before the subject
_NOUN_CUE = re.compile(r"(?:ists?|ors?)$", re.IGNORECASE)  # "antagonist", "inhibitors": a role noun, not a verb
_NOUN_OBJECT = re.compile(r"\s+(?:of|at|for|on|to)\s+(?:the\s+)?(?:[\w\-]+\s+){0,3}", re.IGNORECASE)
_PASSIVE_VERB = re.compile(r"\b(?:is|are|was|were|be|been)\s+(?:\w+\s+){0,2}?\w+ed\s+(?:\w+\s+){0,4}?by\b",
                           re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r";|\b(?:but|while|whereas|although|though)\b", re.IGNORECASE)
_OBJECT_GAP = re.compile(r"\s+(?:(?:an?|the|its|their|endogenous|exogenous|[\w\-]+)\s+){0,2}$", re.IGNORECASE)


def implicit_hits(ctx: DocumentContext, start: int, end: int) -> list[Hit]:
    """ "<adjective> signalling" phrases whose adjective names exactly one entity of the document
    ("glutamatergic firing" -> glutamate, "neurotrophic signalling" -> brain-derived neurotrophic factor)."""
    lex, text = lexicon(), ctx.text(start, end)
    out = []
    for cue in lex.find(text, "signalling", start):
        m = _WORD_BEFORE.search(ctx.doc.text[start:cue.start])
        if not m:
            continue
        w_start = start + m.start(1)
        if any(h.start <= w_start < h.end or h.start < cue.end <= h.end for h in ctx.hits):
            continue
        stem = m.group(1).lower()
        for suffix in ("inergic", "ergic"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        if len(stem) < 4:
            continue
        candidates: dict[str, Hit] = {}
        for h in ctx.hits:
            if h.category not in TARGETS | {"chemical"}:
                continue
            words = re.findall(r"[a-z]+", f"{h.label} {h.text}".lower())
            if any(w.startswith(stem) for w in words):
                candidates.setdefault(h.curie, h)
        chemicals = [h for h in candidates.values() if h.category == "chemical"]
        pick = list(candidates.values()) if len(candidates) == 1 else chemicals if len(chemicals) == 1 else []
        if pick:
            h = pick[0]
            out.append(
                Hit(w_start, cue.end, h.curie, h.category, ctx.doc.text[w_start:cue.end], h.label, implicit=True)
            )
    return out


class _Sentence:
    """The per-sentence state the rules share."""

    def __init__(self, ctx: DocumentContext, span: tuple[int, int]) -> None:
        self.ctx, self.start, self.end = ctx, span[0], span[1]
        self.text = ctx.text(*span)
        explicit = ctx.hits_in(*span)
        self.hits = sorted(explicit + implicit_hits(ctx, *span), key=lambda h: h.start)
        lex = lexicon()
        self.hedges = lex.find(self.text, "hedge", self.start)
        transient = lex.find(self.text, "transient", self.start)
        self.transient = bool(transient)
        exceptions = transient + lex.find(self.text, "negation_exception", self.start)  # "did not persist", "not only"
        self.negations = [n for n in lex.find(self.text, "negation", self.start)
                          if not any(t.start <= n.start < t.end for t in exceptions)]
        self.organisms = tuple(dict.fromkeys(h.curie for h in self.hits if h.category == "organism"))
        self.anatomy = tuple(dict.fromkeys(h.curie for h in self.hits if h.category in ("anatomy", "cell")))
        chemicals = [h for h in self.hits if h.category == "chemical" and not h.implicit]
        self.drug = chemicals[0] if chemicals else None

    def between(self, a: Hit, b: Hit) -> str:
        return self.ctx.doc.text[min(a.end, b.end):max(a.start, b.start)]

    def window_after(self, h: Hit, width: int = 30) -> str:
        nxt = [x.start for x in self.hits if x.start >= h.end]
        stop = min([h.end + width, self.end, *nxt])
        return self.ctx.doc.text[h.end:stop]

    def evidence(self, *hits: Hit) -> Evidence:
        return Evidence(
            self.ctx.doc.id, self.start, self.end, self.text, tuple((h.start, h.end, h.curie) for h in hits)
        )


def extract_relations(ctx: DocumentContext, studies: list[Study]) -> list[Relation]:
    """Every relation the rules find in the document, sentence by sentence."""
    out: list[Relation] = []
    previous: tuple[tuple[int, int], list[Relation], Hit | None] | None = None
    for span in ctx.sentences:
        if describes_review_method(ctx, span) or makes_no_claim(ctx, span):
            continue
        sent = _Sentence(ctx, span)
        block = ctx.block_of(span[0])
        carried = previous[2] if previous and previous[0] == block else None
        rels = _sentence_relations(sent, carried)
        if not rels and sent.transient and previous and previous[0] == block and _opens_with_anaphor(sent):
            for r in previous[1]:  # "However, these effects did not persist." qualifies the previous claims
                r.transient = True
        for r in rels:
            _finish(r, sent, ctx, studies)
        out.extend(rels)
        previous = (block, rels, _last_object(rels, sent))
    return out


def describes_review_method(ctx: DocumentContext, span: tuple[int, int]) -> bool:
    """A sentence about how the review itself was done ("Studies were included if they focused on X in treating Y",
    "Keywords included ...") states no finding: every sentence of a review's Methods section, and any sentence with
    a review-method cue (aims, search, inclusion criteria)."""
    lex = lexicon()
    if lex.has(ctx.text(*span), "review_method"):
        return True
    return ctx.doc.is_review and lex.has(ctx.section_of(span[0]), "methods_section")


def _opens_with_anaphor(sent: _Sentence) -> bool:
    """ "However, these effects did not persist": a transient sentence qualifies the previous claims only when it
    refers back to them."""
    head = re.sub(r"^\W*(?:however|but|yet|still|again|unfortunately|notably)\W+", "", sent.text, flags=re.IGNORECASE)
    return bool(re.match(r"(?:this|these|that|those|such|it|they|the\s+(?:effects?|benefits?|improvements?|"
                         r"reductions?))\b", head, re.IGNORECASE))


def _sentence_relations(sent: _Sentence, carried: Hit | None) -> list[Relation]:
    rels: list[Relation] = []
    subjects: set[int] = set()
    rels += _mechanisms(sent, subjects)
    acted_on = {r.endpoints[1].start for r in rels}
    rels += _chain(sent, subjects, carried, acted_on)
    rels += _part_of(sent)
    rels += _expressed(sent)
    rels += _drug_events(sent)
    unique: dict[tuple[str, str, str], Relation] = {}
    for r in rels:  # one claim per (subject, kind, object) and sentence, however often a name repeats
        unique.setdefault((r.subject, r.kind, r.object), r)
    return list(unique.values())


def _rel(sent: _Sentence, a: Hit, kind: str, b: Hit, confidence: float, **qualifiers) -> Relation:
    return Relation(sent.ctx.doc.id, a.curie, kind, b.curie, sent.evidence(a, b),
                    qualifiers={k: v for k, v in qualifiers.items() if v}, confidence=confidence, endpoints=(a, b))


def _attached(text: str, hit_end: int, cue_start: int) -> bool:
    """A cue written right after an entity ("NMDA receptor antagonist", "GluN2B subunit") belongs to it."""
    return bool(_ATTACHED.fullmatch(text[hit_end:cue_start]))


def _free_cues(sent: _Sentence, kind: str, a: Hit, b: Hit) -> list:
    """Cues of ``kind`` between ``a`` and ``b`` that are not attached to ``a``."""
    doc = sent.ctx.doc.text
    return [c for c in lexicon().find(doc[a.end:b.start], kind, a.end) if not _attached(doc, a.end, c.start)]


def _drug_before(sent: _Sentence, h: Hit) -> Hit | None:
    """The drug a claim about ``h`` is made of: the nearest chemical mention before it in the sentence that is not
    itself acted on ("the ability to modulate glutamate transmission ... treatment for SUD" is the drug's, not
    glutamate's) nor tucked in a bracket that closes before ``h``."""
    doc = sent.ctx.doc.text
    before = [c for c in _chemicals_before(sent, h) if not is_object_of_cue(sent, c)]
    for c in reversed(before):
        between = doc[c.end:h.start]
        if between.count(")") > between.count("("):
            continue  # "(as well as serotonin and histamine) in nerve terminals by inhibiting VMAT-2"
        return c
    return None


def _chemicals_before(sent: _Sentence, h: Hit) -> list[Hit]:
    return [c for c in sent.hits if c.category == "chemical" and not c.implicit and c.end <= h.start
            and c.curie != h.curie and not is_substance_used(sent.ctx.doc.text, c)]


def is_object_of_cue(sent: _Sentence, c: Hit) -> bool:
    """Is chemical ``c`` what a cue before it acts on ("reduce endogenous estrogen", "boosting serotonin", "methods of
    inhibiting estrogen action")? An agent after "by"/"with" ("reduced by esketamine") is not."""
    lex, doc = lexicon(), sent.ctx.doc.text
    lo = max(sent.start, c.start - 40)
    for kind in ("direction", "mechanism", "causal"):
        for cue in lex.find(doc[lo:c.start], kind, lo):
            gap = doc[cue.end:c.start]
            if _OBJECT_GAP.fullmatch(gap) and not re.search(r"\b(?:by|with|via|after|following|and|or)\b", gap):
                if not _NOUN_CUE.search(cue.text):
                    return True
    return False


def _mechanism_agent(sent: _Sentence, t: Hit, cue) -> Hit | None:
    """The drug a mechanism phrase attached to target ``t`` ("NMDA receptor antagonist", "GPER agonists") is said
    of: a chemical named right after it ("the GPER agonist, G1"), else the nearest earlier chemical in apposition,
    in a bracket, possessive or the copula's subject ("esketamine, a ... NMDA receptor antagonist", "tamoxifen and
    fulvestrant are GPER agonists"). None for "levodopa and MAO-B inhibitors" or "blocked by a GIPR antagonist"."""
    doc = sent.ctx.doc.text
    after = [c for c in sent.hits if c.category == "chemical" and not c.implicit and cue.end <= c.start]
    if after and re.fullmatch(r"[\s,]{0,3}", doc[cue.end:after[0].start]):
        return after[0]
    for c in reversed(_chemicals_before(sent, t)):
        if preceded_by_preposition(doc, c.start) or is_object_of_cue(sent, c):
            continue
        if agent_link(doc, c.end, t.start):
            return c
    return None


def _agent_reaches(sent: _Sentence, d: Hit, cue) -> bool:
    """Is ``d`` the subject of ``cue``: no clause break between them and not shut in a bracket closed before it?"""
    gap = sent.ctx.doc.text[d.end:cue.start]
    return not _CLAUSE_BREAK.search(gap) and gap.count(")") <= gap.count("(")


def _names_drug_class(doc: str, h: Hit) -> bool:
    """ "VMAT-2 inhibitors", "D2 antagonism", "LHRH agonists": the target names a drug class or an action on it."""
    return any(_attached(doc, h.end, c.start) for c in lexicon().find(doc[h.end:h.end + 40], "mechanism", h.end))


def _reaches_target(doc: str, cue, t: Hit) -> bool:
    """A verb cue ("blocks", "inhibits") must govern ``t``: no clause break or list between them and not far off;
    a role noun ("an inhibitor of VMAT-1") must take ``t`` as its "of/at" object."""
    gap = doc[cue.end:t.start]
    if _NOUN_CUE.search(cue.text):
        return bool(_NOUN_OBJECT.fullmatch(gap))
    depth = depth_map(gap)
    if any(ch in ",;" and depth[i] == 0 for i, ch in enumerate(gap)):
        return False
    return len(gap) <= 60 and not re.search(r"\b(?:and|or|but|while|whereas|which|that)\b", gap)


def is_substance_used(doc: str, c: Hit) -> bool:
    """ "cocaine-seeking", "alcohol cravings": the chemical is what is used, not the drug acting."""
    return any(
        _attached(doc, c.end, cue.start) for cue in lexicon().find(doc[c.end:c.end + 40], "substance_use", c.end)
    )


def _mechanisms(sent: _Sentence, subjects: set[int]) -> list[Relation]:
    """Drug -> gene/complex/process with a mechanism or direction cue ("blocks NMDA receptors", "NMDA receptor
    antagonist", "modulation of glutamatergic neurotransmission")."""
    lex, out, doc = lexicon(), [], sent.ctx.doc.text
    for t in sent.hits:
        if t.category not in TARGETS | {"process"}:
            continue
        own = [c for c in lex.find(doc[t.end:sent.end], "mechanism", t.end)
               if t.category in TARGETS and _attached(doc, t.end, c.start)]
        inner: list[Hit] = []
        if own:  # "NMDA receptor antagonist": said of the drug in apposition, not of any drug before it
            agent = _mechanism_agent(sent, t, own[0])
            if agent is None:
                continue
            d, mech = agent, own
        else:
            found = _drug_before(sent, t)
            if found is None:
                continue
            d = found
            inner = [h for h in sent.hits if d.end <= h.start and h.end <= t.start and h.category not in CONTEXT]
            prev = inner[-1] if inner else d
            free = _free_cues(sent, "mechanism", prev, t) if inner else lex.find(doc[d.end:t.start], "mechanism", d.end)
            if any(is_passive(doc, c.end) for c in free):
                continue  # "the effect of D was blocked by T": D is no agent acting on T
            mech = [c for c in free if _reaches_target(doc, c, t) and _agent_reaches(sent, d, c)]
        aspect = "activity" if t.category in TARGETS else ""
        if mech and t.category in TARGETS:
            value = mech[0].value if own else mech[-1].value
            implied = {"antagonism": "decreased", "inhibition": "decreased", "agonism": "increased"}.get(value, "")
            kind = f"mechanism_{value}" if f"mechanism_{value}" in predicates() else "mechanism"
            out.append(_rel(sent, d, kind, t, 0.8, qualified_predicate=predicates()[kind].qualified_predicate,
                            object_aspect_qualifier=aspect,
                            object_direction_qualifier=implied, causal_mechanism_qualifier=value,
                            anatomical_context_qualifier=sent.anatomy))
            subjects.add(d.start)
            continue
        if inner or t.start - d.end > MAX_GAP or _names_drug_class(doc, t):
            continue  # an indirect effect: the chain rule links the intermediate steps
        between = doc[d.end:t.start]
        if names_comparator(between) or _CLAUSE_BREAK.search(between):
            continue
        first = lex.find(between, "direction") + lex.find(between, "causal")
        if first and coordination_breaks(between, min(c.start for c in first)):
            continue  # "agents that block ovarian suppression and the development of ER degraders"
        direction = lex.first_value(between, "direction")
        if direction or lex.has(between, "causal"):
            kind = f"causal_{direction}" if direction else "causal"
            out.append(_rel(sent, d, kind, t, 0.6, qualified_predicate=predicates()[kind].qualified_predicate,
                            object_aspect_qualifier=aspect,
                            object_direction_qualifier=direction, anatomical_context_qualifier=sent.anatomy))
            subjects.add(d.start)
    return out


def _chain(sent: _Sentence, subjects: set[int], carried: Hit | None, acted_on: set[int]) -> list[Relation]:
    """Consecutive mechanism entities joined by a causal or direction cue ("..., leading to enhanced glutamatergic
    firing", "AMPA receptor-mediated neurotrophic signalling"); a sentence opening with an anaphor ("This, in turn,
    stimulates ...") continues the previous sentence's chain. A target named as a drug class ("VMAT-2 inhibitors
    were more effective than placebo") is no step unless a drug of the sentence acts on it; a comparison ("than
    placebo"), a list boundary or a clause break between two entities joins nothing; "X is activated by Y" reads
    Y -> X."""
    lex, out, doc = lexicon(), [], sent.ctx.doc.text
    nodes = [h for h in sent.hits if h.category in CHAIN and h.start not in subjects]
    pairs: list[tuple[Hit, Hit]] = list(zip(nodes, nodes[1:]))
    if carried is not None and nodes:
        first = nodes[0]
        anaphor = lex.find(doc[sent.start:first.start], "anaphor")
        if anaphor and anaphor[0].start == 0:
            pairs.insert(0, (carried, first))
    for a, b in pairs:
        same_sentence = a.start >= sent.start
        between = doc[a.end:b.start] if same_sentence else doc[sent.start:b.start]
        if a.curie == b.curie or len(between) > MAX_GAP or a.category == b.category == "chemical":
            continue
        active = [c for c in _free_cues(sent, "mechanism", a, b) if not is_passive(doc, c.end)] if same_sentence else []
        if active or (same_sentence and lex.has(between, "part_of")):
            continue  # "X was inhibited by Y" is a step Y -> X; "D blocks T" is the mechanism rule's
        a_class = a.start >= sent.start and _names_drug_class(doc, a) and a.start not in acted_on
        if a_class or _names_drug_class(doc, b):
            continue  # "VMAT-2 inhibitors were ...", "... blocked by the D1 antagonist": a drug class, no step
        if names_comparator(between) or (same_sentence and _CLAUSE_BREAK.search(between)):
            continue
        cues = [c for c in lex.find(between, "direction", a.end) if not _attached(doc, a.end, c.start)]
        direction = cues[-1].value if cues else ""
        causal_cues = lex.find(between, "causal", a.end)
        causal = bool(causal_cues)
        if not causal and (not direction or _COORDINATION.match(_strip_attached(doc, a, b))):
            continue  # "X and enhancement of Y" lists two effects; it does not say X acts on Y
        first_cue = min([*cues, *causal_cues], key=lambda c: c.start)
        if same_sentence and coordination_breaks(between, first_cue.start - a.end):
            continue
        passive_cause = lex.has(between, "causal_passive")
        if not passive_cause and _PASSIVE_VERB.search(doc[a.end:first_cue.start]):
            continue  # "antagonizing ER may be countered ... by promoting signalling via GPER": ER does not promote
        kind = f"causal_{direction}" if direction else "causal"
        if passive_cause or (cues and is_passive(doc, cues[-1].end)):
            a, b = b, a  # "an effect mediated through X", "X is activated by Y": the one named after acts
        aspect = "activity" if b.category in TARGETS else ""
        out.append(_rel(sent, a, kind, b, 0.7, qualified_predicate=predicates()[kind].qualified_predicate,
                        object_aspect_qualifier=aspect,
                        object_direction_qualifier=direction, anatomical_context_qualifier=sent.anatomy))
    return out


def _strip_attached(doc: str, a: Hit, b: Hit) -> str:
    """The text between ``a`` and ``b`` without the cue words attached to ``a``."""
    between = doc[a.end:b.start]
    m = re.match(r"^[\s\-’'s)]*(?:\w+\s+)?", between)
    rest = between[m.end():] if m and lexicon().find(between[: m.end()], "mechanism") else between
    return rest


def _part_of(sent: _Sentence) -> list[Relation]:
    """A gene named as a subunit/component next to a complex is part of it ("the GluN2B subunit" of "NMDA receptor
    subunit composition")."""
    lex, out = lexicon(), list[Relation]()
    cues = lex.find(sent.text, "part_of", sent.start)
    complexes = [h for h in sent.hits if h.category == "complex"]
    if not cues or not complexes:
        return out
    for g in (h for h in sent.hits if h.category == "gene"):
        near = [c for c in cues if g.end <= c.start <= g.end + 20 or g.start - 40 <= c.start < g.start]
        if not near:
            continue
        c = min(complexes, key=lambda x: abs(x.start - g.start))
        out.append(_rel(sent, g, "part_of", c, 0.7, anatomical_context_qualifier=sent.anatomy))
    return out


def _expressed(sent: _Sentence) -> list[Relation]:
    """A gene/complex "expressed on/in" the next cell or anatomy mention."""
    lex, out = lexicon(), []
    for a, b in zip(sent.hits, sent.hits[1:]):
        if a.category in TARGETS and b.category in ("cell", "anatomy"):
            between = sent.ctx.doc.text[a.end:b.start]
            if len(between) <= 40 and lex.has(between, "location"):
                out.append(_rel(sent, a, "expressed_in", b, 0.7))
    return out


def _drug_events(sent: _Sentence) -> list[Relation]:
    """Drug -> disease/phenotype/behaviour: adverse event, outcome with a direction, or the treats family."""
    lex, out, doc = lexicon(), [], sent.ctx.doc.text
    adverse = lex.has(sent.text, "adverse")
    statistical = adverse and bool(_RATIO_STATEMENT.search(sent.text))
    preclinical = lex.has(sent.text, "preclinical") or any(o not in human_taxa() for o in sent.organisms)
    trial = lex.has(sent.text, "trial")
    for e in sent.hits:
        if e.category not in EVENTS:
            continue
        d = _drug_before(sent, e)
        if d is None or e.start - d.end > MAX_GAP:
            continue
        between = doc[d.end:e.start]
        directions = [c for c in lex.find(between, "direction", d.end)
                      if e.start - c.end <= OUTCOME_WINDOW and _reaches(sent, c.end, e)]
        if directions and names_population(doc, e.start, e.end, directions[-1].end):
            directions = []  # "SCFA levels were lower in patients with AN": the change is not the drug's on AN
        if adverse and e.category in ("disease", "phenotype"):
            kind = "adverse_event_statistical" if statistical else "adverse_event"
            out.append(_rel(sent, d, kind, e, 0.75 if statistical else 0.6))
        elif directions:
            direction = _outcome_direction(directions[-1], e)
            out.append(_rel(sent, d, "outcome", e, 0.6, object_direction_qualifier=direction,
                            anatomical_context_qualifier=sent.anatomy))
        elif e.category == "disease" and lex.has(between, "approval") and not sent.hedges:
            out.append(_rel(sent, d, "treats", e, 0.7))
        elif e.category == "disease" and (lex.has(between, "treatment") or lex.has(between, "approval")):
            kind = (
                "beneficial_in_models_for" if preclinical else "in_clinical_trials_for" if trial else "studied_to_treat"
            )
            out.append(_rel(sent, d, kind, e, 0.6))
    return out


def _outcome_direction(cue, e: Hit) -> str:
    """ "SRIs improved OCD symptoms": to improve a disorder is to lessen it."""
    return "decreased" if e.category == "disease" and cue.text.lower().startswith("improv") else cue.value


def _reaches(sent: _Sentence, pos: int, target: Hit) -> bool:
    """Does a cue ending at ``pos`` govern ``target``? Only if any entity in between is coordinated with it
    ("reduce drug-seeking and cravings"), not when a new phrase starts ("reduce headache in mice, and ... relapse")."""
    doc = sent.ctx.doc.text
    inner = [h for h in sent.hits if pos <= h.start and h.end <= target.start and h.category in EVENTS | TARGETS]
    for a, b in zip(inner, [*inner[1:], target]):
        if not _COORDINATION_ONLY.fullmatch(doc[a.end:b.start]):
            return False
    return True


def _finish(r: Relation, sent: _Sentence, ctx: DocumentContext, studies: list[Study]) -> None:
    """Hedging, negation (scoped to the pair), transience, organism, source study and confidence."""
    a, b = r.endpoints
    lo, hi = min(a.start, b.start), max(a.end, b.end)
    r.hedged = bool(sent.hedges)
    r.negated = any(lo - 25 <= n.start < b.start and _reaches(sent, n.end, b)
                    and (n.start >= lo or n.text.lower() in _STRONG_NEGATION) for n in sent.negations)
    r.transient = r.transient or sent.transient
    numbers = ctx.citations_in(sent.start, sent.end) or ctx.nearest_citation_before(sent.start)
    r.publications = tuple(numbers)
    study = next((s for s in studies if set(s.numbers) & set(numbers)), None)
    if study is not None:
        r.study = study.key
    organisms = sent.organisms or (study.organisms if study is not None else ())
    r.organisms = tuple(o for o in organisms if o not in (r.subject, r.object))
    confidence = r.confidence - (0.2 if r.hedged else 0.0) - (0.1 if a.implicit or b.implicit else 0.0)
    confidence -= 0.1 if hi - lo > MAX_GAP else 0.0
    r.confidence = round(min(0.95, max(0.1, confidence)), 2)


def _last_object(rels: list[Relation], sent: _Sentence) -> Hit | None:
    """The mechanism/chain object furthest along the sentence: what a following "This ..." refers to."""
    chain = [r for r in rels if r.kind.startswith(("mechanism", "causal")) and not r.negated]
    if not chain:
        return None
    return max((r.endpoints[1] for r in chain), key=lambda h: h.start)
