"""Resolution: mentions -> vocabulary concepts, in stages, then merged into one entity per concept.

Stages follow Gilda's normalise -> score -> ground design: an exact name, the long form the same
document defines for a short form, normalised spelling variants, and fuzzy candidates. A mention no
stage grounds is kept in ``Resolution.unresolved`` with its reason, never dropped. A gene name is
grounded in the species the text around each of its mentions names (kg.resolve.gene_species).
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from kg.concept import Concept, Entity, Mention
from kg.document import Document
from kg.resolve.gene_species import DEFAULT_CONTEXT, MentionSpecies, OrganismCue, SpeciesContext, nomenclature
from kg.resolve.species import CUE_SPECIES, UNLISTED, genus_cues, prefer_species, taxon_of
from kg.vocabulary.normalise import GREEK_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from kg.resolve.fuzzy import FuzzyIndex

__all__ = ["Resolution", "resolve", "grounder", "spelling_variants", "is_short_form", "DEFAULT_FUZZY_THRESHOLD"]

log = logging.getLogger(__name__)

DEFAULT_FUZZY_THRESHOLD = 0.88


@dataclass
class Resolution:
    """Resolved entities (sorted by category, label, CURIE), unresolved mentions and their reasons."""

    entities: list[Entity] = field(default_factory=list)
    unresolved: list[Mention] = field(default_factory=list)
    by_method: Counter = field(default_factory=Counter)
    reasons: dict[Mention, str] = field(default_factory=dict)

    def entity(self, curie: str) -> Entity | None:
        """The entity of ``curie`` (primary CURIE), if any mention resolved to it."""
        return next((e for e in self.entities if e.curie == curie), None)


def is_short_form(text: str) -> bool:
    """An abbreviation-like token: at most 6 characters, two or more capitals, no other lower case but a plural s."""
    core = text[:-1] if text.endswith("s") and len(text) > 2 else text
    return len(core) <= 6 and sum(c.isupper() for c in core) >= 2 and not any(c.islower() for c in core)


_ENANTIOMER_RE = re.compile(r"^(?:\(([SR])\)-?|([SR])-)(?=[a-z])(.+)$")
_ENANTIOMER_WORD = {"S": "es", "R": "ar"}
_POSSESSIVE_RE = re.compile(r"['’]s$")
# Greek letters written as their Latin initial before a hyphen ("a-synuclein", "k-opioid").
_LATIN_GREEK = {GREEK_NAMES[letter][0]: GREEK_NAMES[letter] for letter in "αβγδκ"}


def spelling_variants(text: str) -> Iterator[str]:
    """Other spellings of ``text`` worth an exact lookup: joined hyphens, spelled Greek, enantiomer forms.

    Enantiomer forms only rename ("(S)-ketamine" <-> "S-ketamine" <-> "esketamine"); the prefix is
    never stripped, so an enantiomer never falls back to its racemate.
    """
    stripped = text.strip().strip("\"'“”‘’")
    yield stripped
    if "-" in stripped:
        yield stripped.replace("-", "")
    latin = re.sub(r"\b([abgdk])-(?=[A-Za-z])", lambda m: _LATIN_GREEK[m.group(1)] + "-", stripped)
    if latin != stripped:
        yield latin
    match = _ENANTIOMER_RE.match(stripped)
    if match:
        letter, base = match.group(1) or match.group(2), match.group(3)
        yield from (f"({letter})-{base}", f"{letter}-{base}", f"{_ENANTIOMER_WORD[letter]}{base}")
    lowered = stripped.lower()
    for letter, word in _ENANTIOMER_WORD.items():
        if lowered.startswith(word) and len(lowered) > len(word) + 4:
            base = stripped[len(word):]
            yield from (f"({letter})-{base}", f"{letter}-{base}")


@dataclass(frozen=True)
class _Grounding:
    concept: Concept | None
    method: str
    score: float = 1.0
    reason: str = ""


# Categories that name one kind of thing for the resolver's choice: a phenotype the NER calls a disease ("tic" as
# Tics) is still that name's reading, not an unrelated gene alias of the same letters.
_KIN = {"disease": "phenotype", "phenotype": "disease"}


def _pick(concepts: list[Concept], category: str) -> Concept:
    """The first concept of the mention's category, else of its kin category, else the first by precedence."""
    return next((c for c in concepts if c.category == category), None) \
        or next((c for c in concepts if c.category == _KIN.get(category)), concepts[0])


# The ID space each category's concepts are primarily named in (ontologies/README.md): a MeSH heading of the
# same category is the same thing under a second name ("HIV" is MeSH D006678 and NCBITaxon:12721).
_PRIMARY_PREFIX = {"organism": "NCBITaxon", "gene": "NCBIGene"}


def _primary_space(concepts: list[Concept], category: str, text: str = "", reader: bool = False) -> list[Concept]:
    """``concepts`` without the MeSH ones of ``category`` when a concept in its primary ID space competes; but in a
    reader's terms a MeSH class written as its heading in the plural comes first ("estrogen receptors" are
    Receptors, Estrogen, not ESR1, whose singular name the plural also matches)."""
    prefix = _PRIMARY_PREFIX.get(category)
    if prefix is None or not any(c.prefix == prefix for c in concepts):
        return concepts
    if reader and category == "gene" and text.endswith("s"):
        classes = [c for c in concepts if c.category == category and c.prefix == "MESH" and _heading_is(c, text)]
        if classes:
            return classes + [c for c in concepts if c.prefix != "MESH"]
    return [c for c in concepts if not (c.category == category and c.prefix == "MESH")]


def _heading_is(concept: Concept, text: str) -> bool:
    """Whether ``text`` is ``concept``'s MeSH heading as written, in text order ("Estrogen Receptors")."""
    from kg.vocabulary.mesh import text_order
    from kg.vocabulary.normalise import normalise

    return normalise(text) == normalise(text_order(concept.label) or concept.label)


def _named(concepts: list[Concept], text: str) -> Concept | None:
    """The one concept whose own label is ``text`` (normalised), if exactly one is."""
    from kg.vocabulary import normalise

    key = normalise(text)
    labelled = {c.curie: c for c in concepts if normalise(c.label) == key}
    return next(iter(labelled.values())) if len(labelled) == 1 else None


class _Grounder:
    """Grounds one text at a time, remembering answers (one review names a concept many times)."""

    def __init__(self, vocabulary, fuzzy_threshold: float) -> None:
        self.vocabulary = vocabulary
        self.fuzzy_threshold = fuzzy_threshold
        self._memo: dict[tuple[str, str, SpeciesContext], _Grounding] = {}
        self._fuzzy: FuzzyIndex | None = None
        self._genus_cues: dict[str, str] | None = None

    @property
    def genus_cues(self) -> dict[str, str]:
        """:func:`kg.resolve.species.genus_cues` of the vocabulary, looked up once."""
        if self._genus_cues is None:
            self._genus_cues = genus_cues(self.vocabulary)
        return self._genus_cues

    def ground(self, text: str, category: str, species: SpeciesContext = DEFAULT_CONTEXT) -> _Grounding:
        """``species`` says which species a gene name may mean (kg.resolve.gene_species)."""
        key = (text, category, species)
        if key not in self._memo:
            self._memo[key] = self._ground(text, category, species)
        return self._memo[key]

    def _ground(self, text: str, category: str, species: SpeciesContext) -> _Grounding:
        text = _POSSESSIVE_RE.sub("", text.strip())
        concepts = self.vocabulary.lookup(text)
        if concepts:
            usual = concepts[0]
            concepts = _primary_space(prefer_species(concepts, species.ranking(text, concepts)), category, text,
                                      self.vocabulary.current_headings)
            if not concepts:
                return _Grounding(None, "", 0.0, "only genes of another species than the text names have this name")
            distinct = {c.curie for c in concepts}
            if usual not in concepts and taxon_of(usual) == UNLISTED and len(distinct) > 1:
                why = f"the training corpora's gene of this name is of another species; {len(distinct)} others share it"
                return _Grounding(None, "", 0.0, why)
            if len(distinct) > 1 and is_short_form(text):
                named = _named(concepts, text)
                if named is not None:  # an official symbol beats the same letters used as another's alias
                    return _Grounding(named, "exact", 0.9)
                why = f"ambiguous short form ({len(distinct)} concepts) not defined in the document"
                return _Grounding(None, "", 0.0, why)
            return _Grounding(_pick(concepts, category), "exact")
        if is_short_form(text):
            return _Grounding(None, "", 0.0, "short form not in the vocabulary and not defined in the document")
        for variant in spelling_variants(text):
            concepts = self.vocabulary.lookup(variant)
            concepts = prefer_species(concepts, species.ranking(variant, concepts))
            if concepts:
                return _Grounding(_pick(concepts, category), "normalised", 0.95)
        if _ENANTIOMER_RE.match(text.strip()):
            return _Grounding(None, "", 0.0, "enantiomer not listed in the vocabulary (never fuzzed to its racemate)")
        if self.fuzzy_threshold < 1.0:
            if self._fuzzy is None:
                from kg.resolve.fuzzy import fuzzy_index

                self._fuzzy = fuzzy_index(self.vocabulary)
            candidate = self._fuzzy.best(text, category, self.fuzzy_threshold)
            if candidate is not None:
                return _Grounding(candidate.concept, "fuzzy", candidate.score)
        return _Grounding(None, "", 0.0, f"no vocabulary name matches (fuzzy threshold {self.fuzzy_threshold})")


_GROUNDERS: dict = {}


def grounder(vocabulary, fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD) -> _Grounder:
    """A grounder of ``vocabulary`` shared within the process (the NER grounds defined long forms with it)."""
    from kg.vocabulary.index import ByIdentity

    key = (ByIdentity(vocabulary), fuzzy_threshold)
    if key not in _GROUNDERS:
        if len(_GROUNDERS) >= 4:
            _GROUNDERS.clear()
        _GROUNDERS[key] = _Grounder(vocabulary, fuzzy_threshold)
    return _GROUNDERS[key]


def _definitions(mentions: Iterable[Mention]) -> dict[str, dict[str, str]]:
    """Per document: short form (singular) -> the long form the document defines for it."""
    from kg.nlp.glossary import short_form_key

    found: dict[str, dict[str, str]] = {}
    for mention in mentions:
        if mention.long_form:
            found.setdefault(mention.doc_id, {}).setdefault(short_form_key(mention.reading or mention.text),
                                                            mention.long_form)
    return found


def _of_species(concept: Concept, said: str, species: SpeciesContext, grounder: _Grounder) -> bool:
    """Whether the concept the NER read for ``said`` is of a species the text lets the name mean."""
    return bool(prefer_species([concept], species.ranking(said, grounder.vocabulary.lookup(said))))


def _resolve_one(mention: Mention, definitions: dict[str, str], grounder: _Grounder,
                 species: SpeciesContext = DEFAULT_CONTEXT) -> tuple[Mention, _Grounding]:
    from kg.nlp.glossary import short_form_key

    said = mention.reading or mention.text  # what the NER read: "Metformin" where a PDF broke "Met-\nformin"
    long_form = mention.long_form or definitions.get(short_form_key(said), "")
    if long_form:
        mention = replace(mention, long_form=long_form)
        grounding = grounder.ground(long_form, mention.category, species)
        if grounding.concept is not None:
            return mention, replace(grounding, method="abbreviation")
        concept = grounder.vocabulary.get(mention.curie) if mention.curie else None
        # the NER read the long form as one concept where it is defined ("serotonin (5-HT) reuptake inhibitors (SRIs)")
        if concept is not None and _of_species(concept, said, species, grounder):
            return mention, _Grounding(concept, "abbreviation", 0.95)
        return mention, replace(grounding, reason=f"defined in the document as {long_form!r}: {grounding.reason}")
    grounding = grounder.ground(said, mention.category, species)
    if grounding.concept is None and mention.curie:
        concept = grounder.vocabulary.get(mention.curie)
        if concept is not None and _of_species(concept, said, species, grounder):
            return mention, _Grounding(concept, "model", mention.score)
    return mention, grounding


def _cue_taxon(mention: Mention, concept: Concept, grounder: _Grounder) -> str | None:
    """The cue species an organism mention names: its concept's, else its head word's ("Wistar rats" is MeSH's
    Wistar rat strain, "rats" the rat)."""
    if concept.curie in CUE_SPECIES:
        return concept.curie
    if concept.curie in grounder.genus_cues:
        return grounder.genus_cues[concept.curie]
    words = (mention.reading or mention.text).split()
    if len(words) > 1:
        head = grounder.ground(words[-1], "organism").concept
        if head is not None and head.curie in CUE_SPECIES:
            return head.curie
    return None


def _mention_species(documents: Iterable[Document], mentions: list[Mention],
                     definitions: dict[str, dict[str, str]], grounder: _Grounder) -> dict[str, MentionSpecies]:
    """Per document, its organism cues (grounded first) and paragraphs, to give each gene mention its species."""
    cues: dict[str, list[OrganismCue]] = {}
    for mention in mentions:
        if mention.category == "organism":
            _, grounding = _resolve_one(mention, definitions.get(mention.doc_id, {}), grounder)
            taxon = _cue_taxon(mention, grounding.concept, grounder) if grounding.concept is not None else None
            if taxon is not None:
                cues.setdefault(mention.doc_id, []).append(OrganismCue(mention.start, mention.end, taxon))
    blocks = {d.id: [(b.span.start, b.span.end) for b in d.blocks] for d in documents}
    gene_names: dict[str, set[str]] = {}
    for mention in mentions:
        if mention.category == "gene":
            gene_names.setdefault(mention.doc_id, set()).add(mention.reading or mention.text)
    lookup = grounder.vocabulary.lookup
    return {doc_id: MentionSpecies(cues.get(doc_id, ()), blocks.get(doc_id, ()),
                                   nomenclature((name, lookup(name)) for name in gene_names.get(doc_id, ())))
            for doc_id in sorted(cues.keys() | gene_names.keys())}


def resolve(documents: Iterable[Document], mentions: Iterable[Mention], vocabulary,
            fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD) -> Resolution:
    """Ground every mention against ``vocabulary`` and merge mentions of one concept into one entity.

    ``fuzzy_threshold`` (0..1) is the least rapidfuzz ``token_sort_ratio`` a fuzzy candidate needs;
    1.0 turns the fuzzy stage off. ``documents`` are accepted for the stages' context (their ids
    scope abbreviation definitions); mentions of unknown documents are still resolved.
    """
    mentions = list(mentions)
    documents = list(documents)
    known = {d.id for d in documents}
    definitions = _definitions(mentions)
    grounder = _Grounder(vocabulary, fuzzy_threshold)
    species = _mention_species(documents, mentions, definitions, grounder)
    merged: dict[str, Entity] = {}
    result = Resolution()
    for mention in mentions:
        if known and mention.doc_id not in known:
            log.debug("mention of unknown document %s", mention.doc_id)
        in_document = species.get(mention.doc_id)
        mention, grounding = _resolve_one(mention, definitions.get(mention.doc_id, {}), grounder,
                                          in_document.context(mention) if in_document is not None else DEFAULT_CONTEXT)
        if grounding.concept is None:
            unresolved = replace(mention, curie="", method="", score=0.0)
            result.unresolved.append(unresolved)
            result.reasons[unresolved] = grounding.reason
            result.by_method["unresolved"] += 1
            continue
        concept = grounding.concept
        entity = merged.setdefault(concept.curie, Entity(concept))
        entity.mentions.append(replace(mention, curie=concept.curie, method=grounding.method, score=grounding.score))
        result.by_method[grounding.method] += 1
    for entity in merged.values():
        entity.mentions.sort(key=lambda m: (m.doc_id, m.start, m.end))
    result.entities = sorted(merged.values(), key=lambda e: (e.concept.category, e.concept.label.casefold(), e.curie))
    result.unresolved.sort(key=lambda m: (m.doc_id, m.start, m.end))
    log.info("resolved %d of %d mentions into %d entities (%s)", len(mentions) - len(result.unresolved),
             len(mentions), len(result.entities), dict(result.by_method))
    return result
