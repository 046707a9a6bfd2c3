"""How each gold corpus names types and writes identifiers, so our predictions can be scored in its terms.

Every corpus has its own type names (``Chemical`` vs ``ChemicalEntity``), its own ID space (``D007649`` vs
``MESH:D007649``, ``627`` vs ``NCBIGene:627``) and its own way of packing several IDs into one field. A
``CorpusProfile`` holds those conventions; ``detect_corpus`` picks one from the gold types a file contains.
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.errors import InputError

log = logging.getLogger(__name__)

# Gold values meaning "no concept": BC5CDR writes -1, BioRED writes -.
_NO_ID = frozenset({"", "-", "-1"})
# GNormPlus writes non-human genes as "50929(Tax:10090)"; the Gene ID alone is already unique.
_TAX_SUFFIX = re.compile(r"\(tax:\d+\)$", re.IGNORECASE)
_MESH_DESCRIPTOR = re.compile(r"^D\d{6,9}$")


@dataclass(frozen=True)
class CorpusProfile:
    """The conventions of one gold corpus.

    ``types`` maps each raw gold type we score onto the type name results are reported under (the corpus's
    own name; NCBI Disease's four subtypes collapse to ``Disease``). ``excluded`` lists raw types we do not
    predict. ``categories`` maps kg categories onto scored types. ``prefixes`` maps a CURIE prefix onto the
    text the corpus puts before the local ID (``""`` to drop the prefix). ``composite`` separators split a
    gold ID field into separate concepts; ``alternative`` separators give interchangeable IDs of one concept.
    """

    name: str
    title: str
    types: dict[str, str]
    categories: dict[str, str]
    prefixes: dict[str, str]
    excluded: tuple[str, ...] = ()
    composite: str = ""
    alternative: str = ""
    no_id: str = "-"
    mesh: bool = False  # gold IDs are MeSH UIs, so MeSH history applies
    hints: tuple[str, ...] = field(default=())  # lowercase file-name fragments naming this corpus
    learned_subtypes: bool = False  # written types come from kg.evaluation.subtypes (NCBI Disease's four)
    strains_as_species: bool = False  # a strain is written with its species' ID (kg.evaluation.strains)
    type_prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a type's only ID spaces, if narrower

    @property
    def scored_types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.types.values()))

    def known_types(self) -> frozenset[str]:
        return frozenset(self.types) | frozenset(self.excluded)

    def scoring_type(self, raw_type: str) -> str | None:
        """The reported type of a gold annotation, or None when the type is not scored."""
        return self.types.get(raw_type)

    def type_for(self, category: str) -> str | None:
        """The corpus type a kg category is scored as, or None when the corpus has no such type."""
        return self.categories.get(category)

    def to_corpus_id(self, curie: str, type_: str = "") -> str:
        """Our CURIE in the corpus's ID space (``MESH:D007649`` -> ``D007649``), or "" where the corpus cannot
        express it (a MeSH organism in LINNAEUS, whose species are NCBI Taxonomy IDs): the mention is then written
        without an ID, as an annotator of that corpus would leave a span no ID of its space fits. With the
        corpus ``type_`` it is written as, that type's own ID spaces apply (BioRED's organisms are NCBI Taxonomy
        IDs only, though its diseases are MeSH)."""
        if not curie:
            return ""
        prefix, sep, local = curie.partition(":")
        if not sep:
            return curie
        allowed = self.type_prefixes.get(type_)
        if allowed is not None and prefix.lower() not in {p.lower() for p in allowed}:
            return ""
        for known, written in self.prefixes.items():
            if prefix.lower() == known.lower():
                return f"{written}{local}"
        return ""

    def normalise_gold_id(self, identifier: str) -> str:
        return _TAX_SUFFIX.sub("", identifier.strip())

    def gold_concepts(self, field_value: str) -> list[frozenset[str]]:
        """Split a gold ID field into concepts, each a set of interchangeable IDs; "-1"/"-" give none."""
        parts = [field_value.strip()]
        for sep in self.composite:
            parts = [p for part in parts for p in part.split(sep)]
        concepts = []
        for part in parts:
            alternatives = [part]
            for sep in self.alternative:
                alternatives = [a for alt in alternatives for a in alt.split(sep)]
            ids = frozenset(self.normalise_gold_id(a) for a in alternatives) - _NO_ID
            if ids:
                concepts.append(ids)
        return concepts


_MESH_PREFIX = {"MESH": ""}
_DISEASE = {"disease": "Disease", "phenotype": "Disease"}

PROFILES: dict[str, CorpusProfile] = {
    p.name: p
    for p in (
        CorpusProfile(
            "bc5cdr", "BioCreative V CDR",
            types={"Chemical": "Chemical", "Disease": "Disease"},
            categories={"chemical": "Chemical", **_DISEASE},
            prefixes=_MESH_PREFIX, composite="|", no_id="-1", mesh=True, hints=("cdr", "bc5")),
        CorpusProfile(
            "ncbi_disease", "NCBI Disease",
            types={t: "Disease" for t in ("SpecificDisease", "DiseaseClass", "Modifier", "CompositeMention")},
            categories=dict(_DISEASE),
            prefixes={"MESH": "", "OMIM": "OMIM:"}, composite="+", alternative="|", mesh=True,
            hints=("ncbi",), learned_subtypes=True),
        CorpusProfile(
            "biored", "BioRED",
            types={"GeneOrGeneProduct": "GeneOrGeneProduct", "DiseaseOrPhenotypicFeature": "DiseaseOrPhenotypicFeature",
                   "ChemicalEntity": "ChemicalEntity", "OrganismTaxon": "OrganismTaxon"},
            categories={"chemical": "ChemicalEntity", "disease": "DiseaseOrPhenotypicFeature",
                        "phenotype": "DiseaseOrPhenotypicFeature", "gene": "GeneOrGeneProduct",
                        "complex": "GeneOrGeneProduct", "organism": "OrganismTaxon"},
            prefixes={"MESH": "", "OMIM": "OMIM:", "NCBIGene": "", "NCBITaxon": ""},
            excluded=("SequenceVariant", "CellLine"), composite=",", mesh=True, hints=("biored",),
            # every gene and organism ID of its training split is an NCBI Gene / NCBI Taxonomy number
            type_prefixes={"GeneOrGeneProduct": ("NCBIGene",), "OrganismTaxon": ("NCBITaxon",)}),
        CorpusProfile(
            "gnormplus", "GNormPlus",
            types={"Gene": "Gene"}, categories={"gene": "Gene", "complex": "Gene"},
            prefixes={"NCBIGene": ""}, excluded=("FamilyName", "DomainMotif"), composite=",;",
            hints=("gnormplus",)),
        CorpusProfile(
            "nlm_gene", "NLM-Gene",
            types={"Gene": "Gene"}, categories={"gene": "Gene", "complex": "Gene"},
            prefixes={"NCBIGene": ""},
            excluded=("FamilyName", "Cell", "DomainMotif", "ChromosomeLocation"), composite=",;",
            hints=("nlmgene", "nlm_gene", "nlm-gene")),
        CorpusProfile(
            "linnaeus", "LINNAEUS",
            types={"Species": "Species"}, categories={"organism": "Species"},
            prefixes={"NCBITaxon": ""}, composite=",;|", hints=("linnaeus",)),
        CorpusProfile(
            "s800", "Species-800",
            types={"Species": "Species"}, categories={"organism": "Species"},
            prefixes={"NCBITaxon": ""}, composite=",;|", hints=("species", "s800"), strains_as_species=True),
    )
}


def profile_from_path(path: str) -> CorpusProfile | None:
    """The one profile whose file-name hints occur in ``path`` (folders included), or None."""
    lowered = str(path).lower()
    named = [p for p in PROFILES.values() if any(h in lowered for h in p.hints)]
    return named[0] if len(named) == 1 else None


def detect_corpus(gold_types: Iterable[str], source: str = "") -> CorpusProfile:
    """Pick the profile whose types cover every gold type present; the file name breaks ties.

    Several corpora share a type set (LINNAEUS and S800 both write ``Species``); the most specific profile
    wins unless ``source`` names one of the candidates.
    """
    present = {t for t in gold_types if t}
    if not present:
        raise InputError("the file has no gold annotations, so there is nothing to evaluate against; "
                         "pass a PubTator file with annotation lines")
    candidates = [p for p in PROFILES.values() if present <= p.known_types()]
    if not candidates:
        known = sorted({t for p in PROFILES.values() for t in p.known_types()})
        raise InputError(f"gold types {sorted(present)} match no known corpus; expected types among {known}")
    name = source.lower().rsplit("/", 1)[-1]
    named = [p for p in candidates if any(h in name for h in p.hints)]
    pool = named or candidates
    chosen = min(pool, key=lambda p: (len(p.known_types() - present), list(PROFILES).index(p.name)))
    log.info("gold types %s: scoring as %s", sorted(present), chosen.title)
    return chosen


@functools.cache
def mesh_descriptors() -> frozenset[str]:
    """Every MeSH 2026 descriptor UI (from ``kg.vocabulary.mesh``), to spot gold IDs that are no longer descriptors.

    Returns an empty set, with a warning, when the descriptor list is not installed: scoring still works,
    only the obsolete-ID report is lost.
    """
    from kg.errors import VocabularyError
    from kg.vocabulary.mesh import mesh_descriptors as _descriptors

    try:
        return frozenset(_descriptors())
    except VocabularyError as exc:
        log.warning("obsolete gold IDs cannot be reported: %s", exc)
        return frozenset()


def is_obsolete_mesh(identifier: str, descriptors: frozenset[str]) -> bool:
    """True for a descriptor-shaped UI (``D…``) that MeSH 2026 no longer has.

    Supplementary concept records (``C…``) are not in the descriptor list and so cannot be checked here.
    """
    return bool(descriptors) and bool(_MESH_DESCRIPTOR.match(identifier)) and identifier not in descriptors
