"""spaCy components of kg's pipelines, registered with ``@Language.factory`` on import.

``kg_glossary`` finds ``SF: long form`` glossaries, ``kg_dictionary_ner`` tags every vocabulary
name and every short form the text defines, ``kg_scispacy_ner`` runs scispacy's trained NER
models and maps their labels onto kg's categories. The configs in ``pipelines/`` name them.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import PipelineError
from kg.nlp.dictionary import (
    DEFAULT_STOP_WORDS,
    DictionaryMatcher,
    Match,
    bridge_inline_short_forms,
    dictionary_matcher,
    fold,
    select_longest,
)
from kg.nlp.glossary import doc_definitions, find_glossary, long_form_agrees, short_form_key, short_form_spans
from kg.nlp.precision import before_greek, compound_tail, is_method_term
from kg.vocabulary.index import HUMAN
from kg.vocabulary.normalise import GREEK_NAMES
from kg.vocabulary.protocols import SurfaceLookup

__all__ = ["GlossaryDetector", "DictionaryNER", "ScispacyNER", "DEFAULT_LABEL_MAP", "definition_matches",
           "defined_reading"]

log = logging.getLogger(__name__)

# scispacy model labels -> kg categories (en_ner_bc5cdr_md, en_ner_bionlp13cg_md, en_ner_craft_md, ...).
DEFAULT_LABEL_MAP = {
    "CHEMICAL": "chemical", "SIMPLE_CHEMICAL": "chemical", "CHEBI": "chemical", "AMINO_ACID": "chemical",
    "DISEASE": "disease", "CANCER": "disease", "PATHOLOGICAL_FORMATION": "phenotype",
    "GENE_OR_GENE_PRODUCT": "gene", "GGP": "gene",
    "ORGANISM": "organism", "TAXON": "organism", "SPECIES": "organism",
    "ORGAN": "anatomy", "TISSUE": "anatomy", "ORGANISM_SUBDIVISION": "anatomy",
    "ANATOMICAL_SYSTEM": "anatomy", "MULTI_TISSUE_STRUCTURE": "anatomy", "DEVELOPING_ANATOMICAL_STRUCTURE": "anatomy",
    "IMMATERIAL_ANATOMICAL_ENTITY": "anatomy", "ORGANISM_SUBSTANCE": "anatomy", "UBERON": "anatomy",
    "CELL": "cell", "CELLULAR_COMPONENT": "anatomy", "CL": "cell", "CELL_TYPE": "cell", "CELL_LINE": "cell",
    "GO": "process", "SO": "gene", "PROTEIN": "gene", "DNA": "gene", "RNA": "gene",
}


def _register_extensions() -> None:
    if not Doc.has_extension("kg_glossary"):
        Doc.set_extension("kg_glossary", default=None)
    for name, default in (("kg_long_form", ""), ("kg_candidates", ())):
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


@Language.factory("kg_glossary")
class GlossaryDetector:
    """Adds ``SF: long form`` glossary entries to ``doc._.kg_glossary`` as :class:`Definition` objects."""

    def __init__(self, nlp: Language, name: str) -> None:
        _register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_glossary = find_glossary(doc.text)
        return doc


def definition_matches(text: str, definitions, matcher: SurfaceLookup) -> list[Match]:
    """Matches for every use of a short form defined in the text, carrying the long form's concepts.

    A short form whose long form is no vocabulary name still yields a match (with no concepts) so the
    document's own definition overrides a dictionary reading of the same letters.
    """
    longs: dict[str, str] = {}
    for definition in definitions:
        longs.setdefault(short_form_key(definition.short), definition.long)
    readings = {key: defined_reading(key, long, matcher) for key, long in longs.items()}
    return [Match(start, end, *readings[key]) for start, end, key in short_form_spans(text, longs)]


def defined_reading(short: str, long: str, matcher) -> tuple[tuple, str]:
    """``(concepts, long form)`` a short form defined as ``long`` stands for.

    The long form's own concepts when the vocabulary names it; else the short form's dictionary reading
    if the long form agrees with it (:func:`~kg.nlp.glossary.long_form_agrees`, no long form kept, as the
    resolver could not ground it); else no concepts, so the definition hides the dictionary reading.
    """
    concepts = matcher.lookup(long)
    if concepts:
        return concepts, long
    own = tuple(c for c in matcher.lookup(short) if long_form_agrees(long, c))
    return (own, "") if own else ((), long)


def _vocabulary():
    from kg.vocabulary import load_vocabulary

    return load_vocabulary()


@Language.factory(
    "kg_dictionary_ner",
    default_config={"include_concepts": False, "stop_words": list(DEFAULT_STOP_WORDS), "min_length": 2,
                    "overwrite_ents": True, "learned_stoplist": True, "conventions": "auto"},
)
class DictionaryNER:
    """Sets ``doc.ents`` from vocabulary names (label = category, ``kb_id_`` = CURIE).

    The vocabulary is read on first use (``load_vocabulary()``) unless :meth:`set_vocabulary` gave
    one; the automaton is built once per process. With ``overwrite_ents`` false it only adds names
    that do not overlap entities set by an earlier component, and links those that match a name.

    ``conventions`` says whose terms the NER reads in. ``"corpus"``: the training corpora's annotation
    conventions apply (the learnt stop-list drops its forms everywhere, genera and higher taxa are no
    mentions), as scoring and ``kg annotate`` need. ``"reader"``: what a reader of the document expects (the
    stop-list spares the document's own subjects, ``Doc.user_data["kg_subjects"]``; genera are kept; a short
    token needs support, :func:`~kg.nlp.precision.needs_support`). ``"auto"`` (the default): ``"corpus"`` when
    the vocabulary answers in a corpus's terms (:meth:`~kg.vocabulary.Vocabulary.in_corpus_terms`), else
    ``"reader"``.
    """

    def __init__(self, nlp: Language, name: str, include_concepts: bool, stop_words: Sequence[str],
                 min_length: int, overwrite_ents: bool, learned_stoplist: bool = True,
                 conventions: str = "auto") -> None:
        _register_extensions()
        if conventions not in CONVENTIONS:
            raise PipelineError(f"kg_dictionary_ner: conventions must be one of {', '.join(CONVENTIONS)}, "
                                f"not {conventions!r}")
        self.conventions = conventions
        self.learned_stoplist = learned_stoplist
        self._exempt: frozenset[str] | None = None
        self.include_concepts = include_concepts
        self.stop_words = tuple(stop_words)
        self.min_length = min_length
        self.overwrite_ents = overwrite_ents
        self._vocabulary = None

    @property
    def corpus_terms(self) -> bool:
        """Whether the corpora's annotation conventions apply (see the class docstring)."""
        if self.conventions != "auto":
            return self.conventions == "corpus"
        return not getattr(self.vocabulary, "current_headings", True)

    def set_vocabulary(self, vocabulary) -> None:
        self._vocabulary = vocabulary
        self._exempt = None

    @property
    def vocabulary(self):
        """The vocabulary the NER reads (``load_vocabulary()`` unless :meth:`set_vocabulary` gave one)."""
        if self._vocabulary is None:
            self._vocabulary = _vocabulary()
        return self._vocabulary

    @property
    def matcher(self) -> DictionaryMatcher:
        if self._vocabulary is None:
            self._vocabulary = _vocabulary()
        return dictionary_matcher(self._vocabulary, include_concepts=self.include_concepts,
                                  stop_words=self.stop_words, min_length=self.min_length)

    @property
    def broad_matchers(self) -> list:
        """Matchers of the vocabulary's lazy layers (the broad index), after the in-memory names."""
        from kg.nlp.broad import broad_matcher

        if self._vocabulary is None:
            self._vocabulary = _vocabulary()
        lazy = getattr(self._vocabulary, "lazy_layers", ())
        higher_taxa = not self.corpus_terms
        return [broad_matcher(layer, self.stop_words, higher_taxa=higher_taxa) for _name, layer in lazy]

    def _curated(self) -> frozenset[str]:
        """Primary CURIEs of the curated layer: they outrank the broad index and escape the stop-list."""
        if self._exempt is None:
            if self._vocabulary is None:
                self._vocabulary = _vocabulary()
            curies = getattr(self._vocabulary, "layer_curies", None)
            self._exempt = curies("curated") if curies else frozenset()
        return self._exempt

    def lookup(self, phrase: str) -> tuple:
        """Concepts named exactly ``phrase``: curated names, then the broad index, then MeSH-only names."""
        found = self.matcher.lookup(phrase)
        if found and found[0].curie in self._curated():
            return found
        for broad in self.broad_matchers:
            hit = broad.lookup(phrase)
            if hit:
                return hit
        return found

    def candidates(self, text: str, subjects: frozenset[str] = frozenset()) -> list[Match]:
        """Every dictionary hit in ``text``, in precedence order so that ties go to curated names, then
        the broad index, then MeSH-only names; names the training corpora mostly leave unannotated
        (``ontologies/ner/stoplist.tsv``) are dropped, curated ones only on strong evidence, except (in a
        reader's terms) the document's own ``subjects`` (:func:`~kg.nlp.precision.subject_forms`)."""
        curated = self._curated()
        corpus = self.corpus_terms
        # one-word MeSH-only names of an inferred category ("radiotherapy") only where the document makes them
        # its subjects, and never in a corpus's terms (they were no names there)
        # names of a reader's terms only (MeSH headings of no kg category, "Quality of Life") never in a corpus's
        own = [m for m in self.matcher.candidates(text)
               if not (m.generic or m.reader) or (not corpus and (m.reader or _written_key(text, m) in subjects)
                                                  and not is_method_term(m.concepts[0])
                                                  and not (m.generic and compound_tail(text, m.start)))]
        found = [m for m in own if m.concepts and m.concepts[0].curie in curated]
        # in a reader's terms a heading in the plural written as such names the class ("estrogen receptors" are
        # "Receptors, Estrogen", not the one gene a singular name pluralised would give)
        classes = [] if corpus else [m for m in own if m not in found and _plural_name(text, m)]
        found.extend(classes)
        # In a reader's terms a MeSH 2026 heading of the very words outranks an older reading of them under another
        # name ("smoking" is Smoking, not the Smoke corpora lumped it under; "inpatients" is Inpatients, not the
        # humans a corpus tagged): the heading where the document makes it a mention, else nothing.
        spans = {} if corpus else {(m.start, m.end): m for m in self.matcher.candidates(text) if m.concepts}
        for broad in self.broad_matchers:
            found.extend(m for m in broad.candidates(text) if self._concept_name(text, m, subjects)
                         and not _older_reading(text, m, spans.get((m.start, m.end)), curated)
                         and (corpus or not _common_word(text, m, subjects, curated)))
        found.extend(m for m in own if not (m.concepts and m.concepts[0].curie in curated) and m not in classes)
        if corpus:
            found = self._drop_higher_taxa(text, found, curated)
        if not self.learned_stoplist:
            return found
        from kg.nlp.precision import learned_stoplist, strong_stoplist

        stop, strong = learned_stoplist(), strong_stoplist()
        if not stop:
            return found
        kept, stopped = [], []
        for match in found:
            if match.concepts:
                key = (" ".join(fold(text[match.start:match.end]).split()), match.concepts[0].category)
                if key not in stop and key[1] == "organism" and key[0].endswith("s"):
                    # the plural of a stopped common name ("permits" for the fish "permit"); measured on
                    # organisms only: for chemicals and diseases it cost BioRED more than it gained BC5CDR
                    key = (key[0][:-1], key[1]) if (key[0][:-1], key[1]) in stop else key
                if key in stop and (match.concepts[0].curie not in curated or key in strong) \
                        and (corpus or key[0] not in subjects):
                    stopped.append((match.start, match.end))
                    continue
            kept.append(match)
        # a name inside a stopped one is no mention either: "pigs" of "guinea pigs" is no Sus scrofa
        return [m for m in kept if not any(s <= m.start and m.end <= e and (s, e) != (m.start, m.end)
                                           for s, e in stopped)]

    def _concept_name(self, text: str, match: Match, subjects: frozenset[str]) -> bool:
        """Whether a broad-index hit may be a mention: a name of a kg category always; a name of no category
        ("Medication Adherence", "Body Weight") in a reader's terms only, one word only as the document's subject."""
        if self.include_concepts or not match.concepts or match.concepts[0].category != "concept":
            return True
        if self.corpus_terms or is_method_term(match.concepts[0]):
            return False
        key = _written_key(text, match)
        return " " in key or key in subjects

    def _drop_higher_taxa(self, text: str, found: list[Match], curated: frozenset[str]) -> list[Match]:
        """Organism names that resolve to a genus or higher taxon (:func:`~kg.nlp.precision.is_higher_taxon`)
        are no mentions: MeSH lists "Fusarium" as an organism heading, the broad index "actinobacteria"."""
        from kg.nlp.precision import is_higher_taxon

        lookup = getattr(self._vocabulary, "lookup", None)
        if lookup is None or not getattr(self._vocabulary, "lazy_layers", ()):
            return found
        kept = []
        for match in found:
            concept = match.concepts[0] if match.concepts else None
            if concept is not None and concept.category == "organism" and concept.curie not in curated:
                resolved = next((c for c in lookup(text[match.start:match.end]) if c.category == "organism"), concept)
                if is_higher_taxon(resolved) or is_higher_taxon(concept):
                    continue
            kept.append(match)
        return kept

    def __call__(self, doc: Doc) -> Doc:
        matcher = self.matcher
        text = doc.text  # spaCy rebuilds Doc.text from its tokens on every access
        defined = definition_matches(text, doc_definitions(doc), self)
        if not self.corpus_terms:  # "risk ratio (RR)" defines a statistic of the results, no subject
            defined = [m for m in defined if not (m.concepts and is_method_term(m.concepts[0]))]
        subjects = doc.user_data.get("kg_subjects", frozenset())

        def find(part: str) -> list[Match]:
            return self.candidates(part, subjects)

        # A document's own definition comes first, so it wins a tie with a dictionary reading.
        bridged = bridge_inline_short_forms(text, find)
        found = [*find(text), *bridged]
        # "IFN" of "IFN-γ": the name goes on past the match, and the part alone names another gene
        found = [m for m in found if not (m.concepts and m.concepts[0].category == "gene" and m.long_form == ""
                                          and before_greek(text, m.end))]
        if not self.corpus_terms:
            lower_words = doc.user_data.get("kg_lower_words", frozenset())
            mesh_spans = {(m.start, m.end) for m in self.matcher.candidates(text)
                          if any(c.category == "organism" for c in m.concepts)}
            found = [m for m in found if self._supported(text, m, lower_words, (m.start, m.end) in mesh_spans)]
        matches = select_longest([*defined, *found])
        kept = [] if self.overwrite_ents else [self._link(ent, matcher) for ent in doc.ents]
        spans: list[Span] = []
        for match in matches:
            if not match.concepts:
                continue
            concept = match.concepts[0]
            span = doc.char_span(match.start, match.end, label=concept.category, kb_id=concept.curie,
                                 alignment_mode="expand")
            if span is None or any(span.start < k.end and k.start < span.end for k in kept + spans):
                continue
            if not self.corpus_terms and _glued(text, span.start_char, span.end_char, match):
                continue  # "OSF" inside a DOI, "Pinto" inside "González‐Pinto": the token is another word
            span._.kg_long_form = match.long_form
            span._.kg_candidates = tuple(c.curie for c in match.concepts)
            spans.append(span)
        doc.ents = sorted(kept + spans, key=lambda s: s.start)
        return doc

    @staticmethod
    def _supported(text: str, match: Match, lower_words: frozenset[str] = frozenset(),
                   from_mesh: bool = False) -> bool:
        """In a reader's terms: no figure/table label, no word of an idiom or author's name, a genus only as a
        name, and a short or word-like token only with a category cue nearby or a reading the training corpora
        confirm (definitions never come here). ``lower_words``: the words the document writes in lower case."""
        from kg.nlp.precision import (
            in_idiom,
            in_instrument_name,
            is_label,
            is_person_name,
            part_of_code,
            read_as_verb,
        )

        start, end = match.start, match.end
        if is_label(text, start, end) or is_person_name(text, start, end):
            return False
        if part_of_code(text, start, end) or read_as_verb(text, start, end) or in_instrument_name(text, start, end):
            return False  # "MDA" of the cell line "MDA-MB-231"; "fits the view"; "Depression" of a named inventory
        written = text[start:end]
        if (match.concepts and match.concepts[0].category in _COMPOUND_CATEGORIES and written[:1].islower()
                and " " not in written and compound_tail(text, start)):
            return False  # "dystonic" of "ego-dystonic", "traumatic" of "post-traumatic": the compound is the word
        # every rule says no on its own, so the idiom search (the costliest) runs only on what the others keep
        return DictionaryNER._name_as_written(text, match, lower_words, from_mesh) and not in_idiom(text, start, end)

    @staticmethod
    def _name_as_written(text: str, match: Match, lower_words: frozenset[str], from_mesh: bool) -> bool:
        """The rules of :meth:`_supported` that look at the written name and its concept, not at the phrase."""
        from kg.nlp.precision import (
            acronym_as_word,
            confirmed_pairs,
            glued_to_code,
            has_cue,
            is_acronym,
            is_higher_taxon,
            needs_support,
        )

        start, end = match.start, match.end
        concept = match.concepts[0]
        written = text[start:end]
        if is_acronym(written):  # only capitals can spell another name than the word (acronym_as_word)
            key = " ".join(fold(written).split())
            forms = [form for c in match.concepts for form in (c.label, *c.synonyms)
                     if _folded_name(form) in (key, key[:-1], key + "s", key + "es")]
            if forms and all(acronym_as_word(form, written) for form in forms):
                return False  # "PET" is no pet: capitals name another thing than the word they spell
        if concept.category == "organism" and is_higher_taxon(concept):
            # a genus or higher taxon only the broad index names: written as a name, never as a common word
            # elsewhere in the document ("Bias", "Meta", "This"), and with a cue or a MeSH heading of its own
            if written.casefold() in lower_words:
                return False
            return has_cue(text, start, end, "organism") or from_mesh
        if concept.prefix == "NCBIGene" and _ACRONYM_PLURAL_RE.match(written) and written[:-1] != concept.label:
            return False  # "MMPs", "TCRs": a family, not the one member a corpus mapped the plural to
        if concept.prefix == "NCBIGene" and _CLASS_PLURAL_RE.match(written):
            return False  # "inflammatory cytokines": a class in lower-case words, not the member a corpus tagged
        if not needs_support(written, concept):
            return True
        if glued_to_code(text, start, end):
            return False
        # a cue says a gene is meant, not which: an alias of three characters or fewer ("D1" of LMOD1 in "D1 and D2
        # receptors") is that gene only as its own symbol or as the corpora read it
        if has_cue(text, start, end, concept.category) and (written == concept.label or len(written) > 3):
            return True
        pairs = confirmed_pairs()
        # the corpora spell Greek letters out: "TNF-α" is confirmed by their "TNF-alpha"
        spellings = {written, _GREEK_LETTER_RE.sub(lambda m: GREEK_NAMES[m.group()], written)}
        spellings |= {form[:-1] for form in spellings if form.endswith("s")}
        return any((form, c.curie) in pairs for c in match.concepts for form in spellings)

    @staticmethod
    def _link(ent: Span, matcher: DictionaryMatcher) -> Span:
        if ent.kb_id_:
            return ent
        concepts = matcher.lookup(ent.text)
        if not concepts:
            return ent
        linked = Span(ent.doc, ent.start, ent.end, label=ent.label_, kb_id=concepts[0].curie)
        linked._.kg_candidates = tuple(c.curie for c in concepts)
        return linked


CONVENTIONS = ("auto", "corpus", "reader")
# the categories MeSH's one-word headings have only by inference (kg.nlp.dictionary._INFERRED_ONLY) or none
_COMMON_CATEGORIES = frozenset({"intervention", "process", "behaviour", "concept"})
# categories whose one lower-case word ending a hyphenated compound is no name of its own (chemicals and genes write
# prefixes and locants with hyphens: "N-acetylcysteine", "anti-TNF")
_COMPOUND_CATEGORIES = frozenset({"disease", "phenotype", "anatomy", "process", "behaviour", "concept"})
_GREEK_LETTER_RE = re.compile("|".join(GREEK_NAMES))
_ACRONYM_PLURAL_RE = re.compile(r"^[A-Z][A-Z0-9-]*[A-Z0-9]s$")  # "MMPs", "TCRs", "HDACs"
_CLASS_PLURAL_RE = re.compile(r"^[A-Za-z][a-z]+(?:[- ]+[a-z]+)*[- ]+[a-z]+[^su]s$")  # "pro-inflammatory cytokines"


def _plural_name(text: str, match: Match) -> bool:
    """Whether ``match`` is written as a name its first concept has in the plural ("Estrogen Receptors")."""
    key = _written_key(text, match)
    if not match.concepts or not key.endswith("s") or " " not in key:
        return False
    concept = match.concepts[0]
    return any(" ".join(fold(form).split()) == key for form in (concept.label, *concept.synonyms))


@lru_cache(maxsize=65536)
def _common_word(text: str, match: Match, subjects: frozenset[str], curated: frozenset[str]) -> bool:
    """Whether broad ``match`` is one everyday word (:data:`~kg.nlp.precision.EVERYDAY_DOCUMENTS`: "behavior",
    "growth") naming a MeSH heading of an inferred category that no training pair vouches for, and not one of the
    document's ``subjects``: a mention only where the document makes it one, as the MeSH layer's own such names."""
    from kg.nlp.precision import EVERYDAY_DOCUMENTS, common_word_documents
    from kg.vocabulary.broad import is_trained

    key = _written_key(text, match)
    documents = common_word_documents()
    used = documents.get(key) or (documents.get(key[:-1], 0) if key.endswith("s") else 0)
    if used < EVERYDAY_DOCUMENTS or not match.concepts or key in subjects:
        return False
    if key.endswith("s") and key[:-1] in subjects:
        return False
    concept = match.concepts[0]
    return (concept.prefix == "MESH" and concept.category in _COMMON_CATEGORIES and concept.curie not in curated
            and not is_trained(concept))


def _older_reading(text: str, match: Match, own: Match | None, curated: frozenset[str]) -> bool:
    """Whether broad ``match`` reads words MeSH 2026 names (``own``, the in-memory names' match of the same words, is
    labelled by them) as another concept: an older MeSH reading of another name, a gene member for a gene heading,
    or humans for a group of people."""
    if own is None or not match.concepts or own.concepts[0].curie == match.concepts[0].curie:
        return False  # the same concept (most broad matches): nothing to outrank
    if not _very_name(text, own):
        return False
    from kg.vocabulary import singular
    from kg.vocabulary.mesh import mesh_heading, text_order

    heading, concept = own.concepts[0], match.concepts[0]
    if concept.curie == HUMAN:  # curated as humans are "patients", "participants", not every group of people
        return heading.category == "concept"
    if concept.curie == heading.curie or concept.curie in curated:
        return False
    # a corpus-made concept is labelled by the words its annotators tagged: MeSH's own heading says its name
    names = [concept.label] if concept.prefix != "MESH" else [h for h in (mesh_heading(concept.curie),) if h]
    names += [text_order(name) for name in names]
    written = singular(_written_key(text, match))
    if any(singular(_folded_name(name)) == written for name in names if name):
        return False
    return concept.prefix == "MESH" or (concept.prefix == "NCBIGene" and heading.category == "gene")


def _very_name(text: str, match: Match) -> bool:
    """Whether ``match``'s first concept is labelled by the very words matched (singular or plural alike)."""
    from kg.vocabulary import singular

    return singular(_folded_name(match.concepts[0].label)) == singular(_written_key(text, match))


def _folded_name(form: str) -> str:
    """A vocabulary name folded as text is (:func:`_written_key`); the same names recur in every block."""
    return " ".join(fold(form).split())


def _written_key(text: str, match: Match) -> str:
    """The folded text of ``match``, spaces collapsed (as subjects and the stop-list hold forms)."""
    return " ".join(fold(text[match.start:match.end]).split())


def _glued(text: str, start: int, end: int, match: Match) -> bool:
    """Whether the token span ``[start, end)`` widens ``match`` by letters: the match is part of another word."""
    extra = text[start:match.start] + text[match.end:end]
    return any(c.isalpha() for c in extra)


def _load_model(name: str) -> Language:
    import spacy

    if not spacy.util.is_package(name):
        raise PipelineError(
            f"scispacy model {name} is not installed; install it from https://allenai.github.io/scispacy/ "
            "or use the default 'dictionary' pipeline"
        )
    return spacy.load(name, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler"])


@Language.factory("kg_scispacy_ner", default_config={"models": ["en_ner_bc5cdr_md"], "label_map": DEFAULT_LABEL_MAP})
class ScispacyNER:
    """Runs scispacy's trained NER models (``spacy.load``) and copies their entities, labels as categories.

    Models are applied in order; a later model's entity that overlaps an earlier one is dropped.
    Labels missing from ``label_map`` become ``concept``.
    """

    def __init__(self, nlp: Language, name: str, models: Sequence[str], label_map: dict[str, str]) -> None:
        _register_extensions()
        self.models = [(model, _load_model(model)) for model in models]
        self.label_map = {k.upper(): v for k, v in label_map.items()}

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for _name, model in self.models:
            for ent in model(doc.text).ents:
                label = self.label_map.get(ent.label_.upper(), "concept")
                span = doc.char_span(ent.start_char, ent.end_char, label=label, alignment_mode="expand")
                if span is not None and not any(span.start < s.end and s.start < span.end for s in spans):
                    spans.append(span)
        doc.ents = sorted(spans, key=lambda s: s.start)
        return doc
