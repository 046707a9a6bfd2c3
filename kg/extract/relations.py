"""Sentence-level relations between resolved entities, typed by the entities' categories and the cue words between
them (``ontologies/extraction/cues.tsv``): drug–target mechanisms, causal chain steps, part-of, expression sites,
drug–disease, drug–outcome and drug–adverse-event claims, each with hedging, negation, transience and context.
"""
from __future__ import annotations

import logging
import re

from kg.extract.context import DocumentContext, Hit
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
        if describes_review_method(ctx, span):
            continue
        sent = _Sentence(ctx, span)
        block = ctx.block_of(span[0])
        carried = previous[2] if previous and previous[0] == block else None
        rels = _sentence_relations(sent, carried)
        if not rels and sent.transient and previous and previous[0] == block:
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


def _sentence_relations(sent: _Sentence, carried: Hit | None) -> list[Relation]:
    rels: list[Relation] = []
    subjects: set[int] = set()
    rels += _mechanisms(sent, subjects)
    rels += _chain(sent, subjects, carried)
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
    """The drug a claim about ``h`` is made of: the nearest chemical mention before it in the sentence."""
    before = [c for c in sent.hits if c.category == "chemical" and not c.implicit and c.end <= h.start
              and c.curie != h.curie and not is_substance_used(sent.ctx.doc.text, c)]
    return before[-1] if before else None


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
        d = _drug_before(sent, t)
        if d is None:
            continue
        inner = [h for h in sent.hits if d.end <= h.start and h.end <= t.start and h.category not in CONTEXT]
        prev = inner[-1] if inner else d
        own = [c for c in lex.find(doc[t.end:sent.end], "mechanism", t.end) if _attached(doc, t.end, c.start)]
        mech = own or (
            _free_cues(sent, "mechanism", prev, t) if inner else lex.find(doc[d.end:t.start], "mechanism", d.end)
        )
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
        if inner or t.start - d.end > MAX_GAP:
            continue  # an indirect effect: the chain rule links the intermediate steps
        between = doc[d.end:t.start]
        direction = lex.first_value(between, "direction")
        if direction or lex.has(between, "causal"):
            kind = f"causal_{direction}" if direction else "causal"
            out.append(_rel(sent, d, kind, t, 0.6, qualified_predicate=predicates()[kind].qualified_predicate,
                            object_aspect_qualifier=aspect,
                            object_direction_qualifier=direction, anatomical_context_qualifier=sent.anatomy))
            subjects.add(d.start)
    return out


def _chain(sent: _Sentence, subjects: set[int], carried: Hit | None) -> list[Relation]:
    """Consecutive mechanism entities joined by a causal or direction cue ("..., leading to enhanced glutamatergic
    firing", "AMPA receptor-mediated neurotrophic signalling"); a sentence opening with an anaphor ("This, in turn,
    stimulates ...") continues the previous sentence's chain."""
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
        if same_sentence and (_free_cues(sent, "mechanism", a, b) or lex.has(between, "part_of")):
            continue
        direction = lex.first_value(between, "direction")
        causal = lex.has(between, "causal")
        if not causal and (not direction or _COORDINATION.match(_strip_attached(doc, a, b))):
            continue  # "X and enhancement of Y" lists two effects; it does not say X acts on Y
        kind = f"causal_{direction}" if direction else "causal"
        if lex.has(between, "causal_passive"):  # "an effect mediated through X": X acts on the effect
            a, b = b, a
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
        if adverse and e.category in ("disease", "phenotype"):
            kind = "adverse_event_statistical" if statistical else "adverse_event"
            out.append(_rel(sent, d, kind, e, 0.75 if statistical else 0.6))
        elif directions:
            out.append(_rel(sent, d, "outcome", e, 0.6, object_direction_qualifier=directions[-1].value,
                            anatomical_context_qualifier=sent.anatomy))
        elif e.category == "disease" and lex.has(between, "approval") and not sent.hedges:
            out.append(_rel(sent, d, "treats", e, 0.7))
        elif e.category == "disease" and (lex.has(between, "treatment") or lex.has(between, "approval")):
            kind = (
                "beneficial_in_models_for" if preclinical else "in_clinical_trials_for" if trial else "studied_to_treat"
            )
            out.append(_rel(sent, d, kind, e, 0.6))
    return out


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
    r.negated = any(lo - 25 <= n.start < b.start and _reaches(sent, n.end, b) for n in sent.negations)
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
