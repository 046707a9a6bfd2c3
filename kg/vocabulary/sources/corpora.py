"""Surface form -> identifier pairs learnt from the TRAINING splits of the PubTator gold corpora.

Only training text is read. Corpora that have no development split (NLM-Gene, GNormPlus, LINNAEUS,
S800) lose a deterministic fifth of their documents, :func:`is_heldout`, which evaluation code uses
as their development set. A form is kept for an identifier when that identifier takes at least
``MIN_SHARE`` of the form's occurrences (over all corpora), so ambiguous forms stay out.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.cache import Cache
from kg.concept import Concept
from kg.errors import VocabularyError
from kg.settings import SHARED_ENV, Settings
from kg.vocabulary.normalise import normalise
from kg.vocabulary.sources import Input, Source

log = logging.getLogger(__name__)

HELDOUT_MODULUS = 5  # a document is held out when sha256(document id) mod 5 == 0
MIN_SHARE = 0.75
# A one-word organism form one document tags and this many others write untagged is that paper's anaphor.
MIN_UNTAGGED = 2
_TEXT_LINE = re.compile(r"^(\d+)\|[ta]\|(.*)$")
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Corpus:
    name: str
    training: str  # path under <shared>/eval
    has_development: bool  # False: documents for which is_heldout() holds are the development set


CORPORA: dict[str, Corpus] = {c.name: c for c in (
    Corpus("bc5cdr", "bc5cdr/CDR_TrainingSet.PubTator.txt", True),
    Corpus("biored", "biored/Train.PubTator", True),
    Corpus("ncbi_disease", "ncbi_disease/NCBItrainset_corpus.txt", True),
    Corpus("gnormplus", "gnormplus/GNormPlus_Train.PubTator", False),
    Corpus("nlm_gene", "nlm_gene/NLMgene_Train.PubTator", False),
    Corpus("linnaeus", "linnaeus/Linnaeus_Train.PubTator", False),
    Corpus("s800", "s800/SPECIES_Train.PubTator", False),
)}

# Corpus type -> (kg category, how its bare identifiers are prefixed). Types not listed are skipped.
TYPES: dict[str, tuple[str, str]] = {
    "Chemical": ("chemical", "MESH"), "ChemicalEntity": ("chemical", "MESH"),
    "Disease": ("disease", "MESH"), "DiseaseOrPhenotypicFeature": ("disease", "MESH"),
    "SpecificDisease": ("disease", "MESH"), "DiseaseClass": ("disease", "MESH"),
    "Modifier": ("disease", "MESH"),
    "Gene": ("gene", "NCBIGene"), "GeneOrGeneProduct": ("gene", "NCBIGene"),
    "Species": ("organism", "NCBITaxon"), "OrganismTaxon": ("organism", "NCBITaxon"),
}
_BARE = {"MESH": re.compile(r"^[CD]\d+$"), "NCBIGene": re.compile(r"^\d+$"), "NCBITaxon": re.compile(r"^\d+$")}
_PREFIXED = re.compile(r"^(MESH|OMIM):([CD]?\d+)$")


def shared_dir() -> Path:
    """The folder holding the corpora's ``eval/<corpus>/`` training splits (``Settings.shared_dir``)."""
    found = Settings.from_env().shared_dir
    if found is None:
        raise VocabularyError(f"no training corpora configured; set {SHARED_ENV} to the folder that holds "
                              "eval/<corpus>/ (a checkout's Makefile sets it to ../shared)")
    return found


def is_heldout(document_id: str) -> bool:
    """True for the fifth of documents kept back as development data in training-only corpora."""
    digest = hashlib.sha256(document_id.strip().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % HELDOUT_MODULUS == 0


def heldout_documents(corpus: str, shared: Path | None = None) -> frozenset[str]:
    """Document ids of ``corpus``'s training file held out as development (empty if it has a dev split)."""
    spec = CORPORA[corpus]
    path = (shared or shared_dir()) / "eval" / spec.training
    if spec.has_development or not path.is_file():
        return frozenset()
    with open(path, encoding="utf-8") as fh:
        ids = {line.split("|", 1)[0] for line in fh if re.match(r"^\d+\|[ta]\|", line)}
    return frozenset(i for i in ids if is_heldout(i))


def training_documents(shared: Path | None = None) -> Iterator[tuple[Corpus, list]]:
    """``(corpus, its training documents)`` of every corpus whose training split is present, the held-out
    fifth of the training-only corpora left out (what the training scripts learn from); a missing file is skipped
    with a warning."""
    from kg.ingest import read_paths

    root = (shared or shared_dir()) / "eval"
    for corpus in CORPORA.values():
        path = root / corpus.training
        if not path.is_file():
            log.warning("no training file %s; skipped", path)
            continue
        yield corpus, [d for d in read_paths([path]) if d.format == "pubtator"
                       and (corpus.has_development or not is_heldout(d.id))]


def curie(identifier: str, type_: str) -> str:
    """The CURIE of one corpus identifier, or "" for composites, placeholders and unknown forms."""
    identifier = identifier.strip()
    if type_ not in TYPES:
        return ""
    prefixed = _PREFIXED.match(identifier)
    if prefixed:
        return f"{prefixed.group(1)}:{prefixed.group(2)}"
    prefix = TYPES[type_][1]
    return f"{prefix}:{identifier}" if _BARE[prefix].match(identifier) else ""


def read_pairs(path: Path, *, holdout: bool) -> Iterator[tuple[str, str, str]]:
    """``(surface form, CURIE, category)`` for each usable annotation of a PubTator file."""
    for _document, form, cid, category in document_pairs(path, holdout=holdout):
        yield form, cid, category


def document_pairs(path: Path, *, holdout: bool) -> Iterator[tuple[str, str, str, str]]:
    """``(document id, surface form, CURIE, category)`` for each usable annotation of a PubTator file."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 6 or not cols[1].isdigit() or not cols[2].isdigit():
                continue
            if holdout and is_heldout(cols[0]):
                continue
            cid = curie(cols[5], cols[4])
            if cid:
                yield cols[0], cols[3], cid, TYPES[cols[4]][0]


def document_words(path: Path, *, holdout: bool) -> Iterator[tuple[str, frozenset[str]]]:
    """``(document id, its lower-cased words)`` for each document of a PubTator file (title and abstract)."""
    words: dict[str, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            match = _TEXT_LINE.match(line)
            if match and not (holdout and is_heldout(match.group(1))):
                words[match.group(1)].update(_WORD.findall(match.group(2).lower()))
    for document, found in words.items():
        yield document, frozenset(found)


def anaphors(rows: Iterable[tuple[str, str, str, str]], texts: Iterable[tuple[str, frozenset[str]]],
             min_untagged: int = MIN_UNTAGGED) -> set[tuple[str, str]]:
    """``(form key, CURIE)`` of organisms a single document names by one lower-case word that at least
    ``min_untagged`` other documents of the organism-annotating corpora (``texts``) write untagged: an annotator's
    reading of an anaphor or adjective in that paper ("the virus", "viral", "fungal" tagged as the one species it
    studies), which would tag every other text's "virus" as that species. A rare common name ("rapeseed") stays."""
    documents: dict[tuple[str, str], set[str]] = defaultdict(set)
    words: dict[str, str] = {}
    for document, form, cid, category in rows:
        if category == "organism" and form.isalpha() and form.islower():
            documents[(normalise(form), cid)].add(document)
            words[normalise(form)] = form
    single = {pair: found for pair, found in documents.items() if len(found) == 1}
    if not single:
        return set()
    wanted = {words[key] for key, _cid in single}
    containing: dict[str, set[str]] = defaultdict(set)
    for document, found in texts:
        for word in wanted & found:
            containing[word].add(document)
    return {(key, cid) for (key, cid), tagged in single.items()
            if len(containing[words[key]] - tagged) >= min_untagged}


def select_pairs(pairs: Iterable[tuple[str, str, str, str]], min_share: float = MIN_SHARE) -> Iterator[Concept]:
    """Concepts from ``(form, CURIE, category, corpus)`` rows, keeping forms whose CURIE is dominant."""
    by_key: dict[str, Counter] = defaultdict(Counter)
    forms: dict[tuple[str, str], Counter] = defaultdict(Counter)
    categories: dict[str, Counter] = defaultdict(Counter)
    corpora: dict[str, set[str]] = defaultdict(set)
    for form, cid, category, corpus in pairs:
        key = normalise(form)
        if not key:
            continue
        by_key[key][cid] += 1
        forms[(key, cid)][form] += 1
        categories[cid][category] += 1
        corpora[cid].add(corpus)
    kept: dict[str, Counter] = defaultdict(Counter)
    for key, counts in by_key.items():
        cid, n = counts.most_common(1)[0]
        if n / sum(counts.values()) >= min_share:
            for form, m in forms[(key, cid)].items():
                kept[cid][form] += m
    for cid in sorted(kept):
        ordered = [form for form, _ in kept[cid].most_common()]
        sources = tuple(f"{c}-train" for c in sorted(corpora[cid]))
        yield Concept(cid, ordered[0], categories[cid].most_common(1)[0][0], tuple(ordered[1:]), (), sources)


def fetch(cache: Cache) -> list[Input]:
    try:
        root = shared_dir() / "eval"
    except VocabularyError as exc:
        log.warning("%s; the corpora source adds nothing", exc)
        return []
    inputs = [Input(f"shared/eval/{c.name}", "training", root / c.training, "shared")
              for c in CORPORA.values() if (root / c.training).is_file()]
    if not inputs:
        log.warning("no evaluation corpora under %s; the corpora source adds nothing", root)
    return inputs


def parse(inputs: list[Input]) -> Iterator[Concept]:
    rows, texts = [], []
    for item in inputs:
        corpus = CORPORA[item.package.rsplit("/", 1)[-1]]
        found = [(*row, corpus.name) for row in document_pairs(item.path, holdout=not corpus.has_development)]
        if any(row[3] == "organism" for row in found):  # a corpus that annotates organisms leaves others untagged
            texts += list(document_words(item.path, holdout=not corpus.has_development))
        rows += found
    dropped = anaphors([row[:4] for row in rows], texts)
    return select_pairs((form, cid, category, corpus) for _document, form, cid, category, corpus in rows
                        if (normalise(form), cid) not in dropped)


SOURCE = Source(
    name="corpora",
    description="mention -> identifier pairs of the PubTator training splits (development parts excluded)",
    fetch=fetch,
    parse=parse,
)
