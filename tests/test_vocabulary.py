"""The curated vocabularies, the MeSH 2026 layer and the index that stacks them."""
from __future__ import annotations

import re
import time
from collections import defaultdict
from pathlib import Path

import pytest

from kg.concept import Concept
from kg.errors import VocabularyError
from kg.vocabulary import Vocabulary, load_vocabulary, normalise, singular
from kg.vocabulary import mesh as mesh_module
from kg.vocabulary.curated import (
    COLUMNS,
    load_curated,
    load_sources,
    ontologies_dir,
    read_curated_file,
)
from kg.vocabulary.mesh import mesh_category, mesh_descriptors, mesh_qualifiers, text_order

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
HEADER = "\t".join(COLUMNS) + "\n"


def shared_file(relative: str) -> Path:
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="module")
def curated() -> tuple[Concept, ...]:
    return load_curated()


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(("curated", "mesh"))  # the in-memory layers; the broad one is tested on a fixture


# --- normalise / singular ------------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ("γ-aminobutyric acid", "gamma aminobutyric acid"),
    ("gamma-Aminobutyric Acid", "gamma aminobutyric acid"),
    ("Spravato®", "spravato"),
    ("Spravato™ nasal spray", "spravato nasal spray"),
    ("NMDA-R", "nmda r"),
    ("N‐methyl–D‐aspartate", "n methyl d aspartate"),  # U+2010 hyphens and an en dash
    ("Receptors, N-Methyl-D-Aspartate", "receptors n methyl d aspartate"),
    ("alcohol/substance use.", "alcohol substance use"),
    ("  treatment-resistant\n depression; ", "treatment resistant depression"),
    ("TNF-α", "tnf alpha"),
    ("µ-opioid receptor", "mu opioid receptor"),
    ("(S)-ketamine", "(s) ketamine"),
])
def test_normalise(text, key):
    assert normalise(text) == key


@pytest.mark.parametrize("text, expected", [
    ("receptors", "receptor"), ("NMDA receptors", "NMDA receptor"), ("disorders", "disorder"),
    ("rats", "rat"), ("SUDs", "SUD"), ("therapies", "therapy"), ("abscesses", "abscess"),
    ("headaches", "headache"), ("carcinomas", "carcinoma"), ("kidneys", "kidney"),
    ("analysis", "analysis"), ("virus", "virus"), ("glucose", "glucose"), ("stress", "stress"),
    ("diabetes", "diabetes"), ("species", "species"), ("nucleus accumbens", "nucleus accumbens"),
    ("gas", "gas"), ("mice", "mice"),
])
def test_singular(text, expected):
    assert singular(text) == expected


# --- MeSH 2026 -----------------------------------------------------------------------------------

def test_mesh_descriptors_are_the_plain_descriptor_rows():
    started = time.perf_counter()
    descriptors = mesh_descriptors()
    elapsed = time.perf_counter() - started
    assert len(descriptors) == 30532  # the plain descriptor count identifiers.md gives for MeSH 2026
    assert all(re.fullmatch(r"D\d+", ui) for ui in descriptors)
    assert descriptors["D007649"] == "Ketamine"
    assert descriptors["D016194"] == "Receptors, N-Methyl-D-Aspartate"  # a quoted CSV field
    assert not any("/" in label and label.endswith("adverse effects") for label in descriptors.values())
    assert elapsed < 6  # about 1.1 s with the qualifier rows on the reference machine; generous for CI


def test_missing_mesh_package_and_cache_says_how_to_fetch(monkeypatch, tmp_path):
    from kg.cache import Cache

    monkeypatch.setattr(mesh_module, "_PACKAGE", "kg_no_such_mesh_package")
    with pytest.raises(VocabularyError, match="run `kg vocab build` once online"):
        mesh_module.mesh_csv_path(Cache(tmp_path, offline=True))


def test_a_cached_mesh_wheel_must_match_its_pinned_checksum(monkeypatch, tmp_path):
    from kg.cache import Cache

    monkeypatch.setattr(mesh_module, "_PACKAGE", "kg_no_such_mesh_package")
    name, version = mesh_module.MESH_WHEEL
    (tmp_path / f"{name.replace('-', '_')}-{version}-py3-none-any.whl").write_bytes(b"not the wheel")
    with pytest.raises(VocabularyError, match="pinned sha256"):
        mesh_module.mesh_csv_path(Cache(tmp_path, offline=True))


@pytest.mark.parametrize("heading, text", [
    ("Cholangitis, Sclerosing", "Sclerosing Cholangitis"),
    ("Receptors, N-Methyl-D-Aspartate", "N-Methyl-D-Aspartate Receptors"),
    ("Depressive Disorder, Treatment-Resistant", "Treatment-Resistant Depressive Disorder"),
    ("Leukemia, Myeloid, Acute", "Acute Myeloid Leukemia"),
    ("Ketamine", ""),
    ("1,2-Dihydroxybenzene-3,5-Disulfonic Acid Disodium Salt", ""),
])
def test_text_order(heading, text):
    assert text_order(heading) == text


@pytest.mark.parametrize("heading, category", [
    ("Rats, Wistar", "organism"), ("Mice, Inbred C57BL", "organism"), ("Escherichia coli", "organism"),
    ("Arabidopsis", "organism"), ("Receptors, AMPA", "gene"), ("Nerve Tissue Proteins", "gene"),
    ("Depressive Disorder, Treatment-Resistant", "disease"), ("Cholangitis, Sclerosing", "disease"),
    ("Hepatitis", "disease"), ("Anxiety", "disease"), ("Ketamine", "chemical"), ("Lithium Carbonate", "chemical"),
    ("Hippocampus", "anatomy"), ("Liver", "anatomy"), ("GABAergic Neurons", "cell"), ("Fibroblasts", "cell"),
    ("Psychotherapy", "intervention"), ("Administration, Intranasal", "intervention"),
    ("Craving", "process"), ("Tumor Escape", "process"), ("Socioeconomic Factors", "concept"),
    ("Psychological Distress", "concept"),
])
def test_mesh_category_from_heading_and_qualifiers(heading, category):
    ui = {label: ui for ui, label in mesh_descriptors().items()}[heading]
    assert mesh_category(heading, mesh_qualifiers(ui)) == category


def test_mesh_category_without_qualifiers_reads_the_head_noun():
    assert mesh_category("Breast Neoplasms") == "disease"
    assert mesh_category("Glioma") == "disease"
    assert mesh_category("Receptors, Dopamine D2") == "gene"
    assert mesh_category("Ketamine") == "concept"


# --- curated files -------------------------------------------------------------------------------

def test_curated_sources_are_known_keys(curated):
    sources = load_sources()
    assert {"S1", "S8", "P1", "P11", "F", "MESH2026"} <= set(sources)
    for concept in curated:
        assert concept.sources and set(concept.sources) <= set(sources), concept.curie


def test_curated_mesh_descriptors_exist_and_labels_match(curated):
    descriptors = mesh_descriptors()
    checked = 0
    for concept in curated:
        for curie in (concept.curie, *concept.xrefs):
            ui = curie.removeprefix("MESH:")
            if not curie.startswith("MESH:D"):
                continue
            assert ui in descriptors, f"{curie} ({concept.label}) is not a MeSH 2026 descriptor"
            checked += 1
            if curie == concept.curie:
                names = {normalise(n) for n in (concept.label, *concept.synonyms)}
                assert normalise(descriptors[ui]) in names, f"{curie}: MeSH heading {descriptors[ui]!r} not named"
    assert checked >= 40


def test_curated_ids_come_from_identifiers_md_or_mesh(curated):
    lines = shared_file("docs/identifiers.md").read_text(encoding="utf-8").splitlines()
    descriptors = mesh_descriptors()
    for concept in curated:
        for curie in (concept.curie, *concept.xrefs):
            prefix, local = curie.split(":", 1)
            if prefix == "MESH" and local in descriptors:
                continue
            forms = {curie, local, f"{prefix}_{local}"}
            pattern = re.compile("|".join(rf"(?<![\w.]){re.escape(f)}(?!\w)" for f in forms))
            seen = [line for line in lines if pattern.search(line)]
            assert seen, f"{curie} ({concept.label}) is not in identifiers.md nor MeSH 2026"
            assert any("unverified" not in line.casefold() for line in seen), f"{curie} is only unverified"


def test_esketamine_row(curated):
    esketamine = next(c for c in curated if c.label == "esketamine")
    assert esketamine.curie == "MESH:C000629870"
    assert set(esketamine.xrefs) == {"DRUGBANK:DB11823", "PUBCHEM.COMPOUND:182137"}
    assert {"Spravato", "S-ketamine", "(S)-ketamine"} <= set(esketamine.synonyms)


def test_no_surface_form_names_two_curated_concepts(curated):
    owners: dict[str, set[str]] = defaultdict(set)
    for concept in curated:
        for form in (concept.label, *concept.synonyms):
            owners[normalise(form)].add(concept.curie)
    clashes = {form: ids for form, ids in owners.items() if len(ids) > 1}
    assert not clashes


@pytest.mark.parametrize("short_form", ["ED", "PCA", "MBI", "REMS"])
def test_ambiguous_short_forms_are_not_curated(short_form):
    curated_only = load_vocabulary(("curated",))
    assert curated_only.lookup(short_form) == []


@pytest.mark.parametrize("row, message", [
    ("MESH:D007649\tketamine\tchemical\t\t\tS99", "unknown: S99"),
    ("MESH:D007649\tketamine\tdrug\t\t\tS4", "unknown category"),
    ("MESH:D007649\tketamine\tchemical\t\tCHEMBL:CHEMBL742\tS4", "known prefix"),
    ("MESH:D007649\tketamine\tchemical\t\t\t", "needs sources"),
    ("MESH:D007649\tketamine\tchemical\tS4", "columns"),
])
def test_malformed_rows_are_rejected(tmp_path, row, message):
    path = tmp_path / "bad.tsv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=message):
        read_curated_file(path, load_sources())


def test_a_curated_file_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "latin1.tsv"
    path.write_bytes((HEADER + "MESH:D007649\tketamine\tchemical\t\t\tS4\n").encode()
                     + "MESH:D009020\tmorphine café\tchemical\t\t\tS4\n".encode("latin-1"))
    with pytest.raises(VocabularyError, match=r"latin1\.tsv:3: not UTF-8.*save the file as UTF-8"):
        read_curated_file(path, load_sources())


def test_duplicate_primary_ids_across_files_are_rejected(tmp_path):
    (tmp_path / "sources.tsv").write_text((ontologies_dir() / "sources.tsv").read_text(), encoding="utf-8")
    folder = tmp_path / "vocabulary"
    folder.mkdir()
    row = "MESH:D007649\tketamine\tchemical\t\t\tS4\n"
    for name in ("a.tsv", "b.tsv"):
        (folder / name).write_text(HEADER + row, encoding="utf-8")
    with pytest.raises(VocabularyError, match="curated twice"):
        load_curated(folder)


# --- the index -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, curie", [
    ("Spravato", "MESH:C000629870"),
    ("(S)-ketamine", "MESH:C000629870"),
    ("NMDA receptors", "MESH:D016194"),
    ("N-methyl-D-aspartate receptor", "MESH:D016194"),
    ("GluN2B", "NCBIGene:2904"),
    ("NR2B", "NCBIGene:2904"),
    ("rats", "NCBITaxon:10116"),
    ("Wistar rats", "MESH:D017208"),
    ("patients", "NCBITaxon:9606"),
    ("γ-aminobutyric acid", "MESH:D005680"),
    ("α-amino-3-hydroxy-5-methyl-4-isoxazolepropionic acid", "MESH:D018350"),
    ("SUDs", "MESH:D019966"),
    ("substance-related disorders", "MESH:D019966"),
    ("AMPA receptors", "MESH:D018091"),
    ("cravings", "MESH:D066249"),
    ("increased blood pressure", "MESH:D006973"),
    ("Treatment-Resistant Depressive Disorder", "MESH:D061218"),
    ("Heroin Dependence", "MESH:D006556"),  # MeSH layer only
])
def test_lookup_first_hit(vocabulary, text, curie):
    hits = vocabulary.lookup(text)
    assert hits and hits[0].curie == curie


def test_inverted_and_text_order_headings_meet(vocabulary):
    inverted = vocabulary.lookup("Cholangitis, Sclerosing")
    assert inverted and inverted[0].curie.startswith("MESH:D")
    assert [c.curie for c in vocabulary.lookup("sclerosing cholangitis")] == [inverted[0].curie]


def test_mesh_layer_merges_into_curated(vocabulary):
    curies = [c.curie for c in vocabulary]
    assert len(curies) == len(set(curies))
    assert "MESH:D051381" not in curies  # MeSH "Rats" is an xref of NCBITaxon:10116
    assert vocabulary.get("MESH:D051381").curie == "NCBITaxon:10116"
    assert [c.curie for c in vocabulary.lookup("Rats")] == ["NCBITaxon:10116"]
    nmdar = vocabulary.get("MESH:D016194")
    assert nmdar.category == "complex" and "N-Methyl-D-Aspartate Receptors" in nmdar.synonyms
    assert "MESH2026" in nmdar.sources
    assert vocabulary.get("GO:0017146") is nmdar
    assert vocabulary.get("CHEBI:6121").curie == "MESH:D007649"
    assert vocabulary.get("MESH:D999999999") is None


def test_curated_precede_mesh_in_lookup(vocabulary):
    assert [c.curie for c in vocabulary.lookup("patients")][:2] == ["NCBITaxon:9606", "MESH:D010361"]


def test_terms_cover_every_surface_form(vocabulary):
    forms = {}
    for form, concept in vocabulary.terms():
        forms.setdefault(form, concept.curie)
    assert forms["Spravato"] == "MESH:C000629870"
    assert forms["Sclerosing Cholangitis"] == forms["Cholangitis, Sclerosing"]
    assert len(forms) > len(vocabulary) > 30000


def test_extra_layers_sit_between_curated_and_mesh(vocabulary):
    extended = vocabulary.copy()
    extended.add_layer("extra", [
        Concept("CHEBI:27958", "cocaine base", "chemical", synonyms=("benzoylmethylecgonine",),
                xrefs=("MESH:D003042",), sources=("S6",)),
        Concept("EFO:0000001", "Alcohol Drinking", "behaviour", sources=("F",)),
    ])
    assert extended.layer_names == ("curated", "extra", "mesh")
    assert extended.lookup("benzoylmethylecgonine")[0].curie == "MESH:D003042"  # merged, not competing
    assert [c.curie for c in extended.lookup("alcohol drinking")] == ["EFO:0000001", "MESH:D000428"]
    assert len(extended) == len(vocabulary) + 1
    assert vocabulary.lookup("benzoylmethylecgonine") == []  # the shared instance is untouched
    with pytest.raises(VocabularyError, match="already loaded"):
        extended.add_layer("extra", [])


def test_unknown_layer_is_an_error():
    with pytest.raises(VocabularyError, match="choose from"):
        load_vocabulary(("curated", "umls"))


def test_load_vocabulary_is_cached(vocabulary):
    assert load_vocabulary(["curated", "mesh"]) is vocabulary


# --- real text -----------------------------------------------------------------------------------

def _defined_pairs(text: str) -> list[tuple[str, str]]:
    """(short, long) pairs the review defines: "long form (SF)" in prose, "SF: long form" in a legend."""
    pairs = [(m.group(2), m.group(1)) for m in re.finditer(r"([\w\-‐ ]+?) \(([A-Z][A-Za-z0-9\-]*s?)\)", text)]
    pairs += [(m.group(1), m.group(2)) for m in re.finditer(r"([A-Z][A-Z0-9\-]+): ([\w\-‐ ]+?)(?=[;,]|Adapted)", text)]
    return pairs


def test_review_abbreviations_and_long_forms_agree():
    text = shared_file("corpus/esketamine_review.txt").read_text(encoding="utf-8")
    curated_only = load_vocabulary(("curated",))
    agreed = set()
    for short, long in _defined_pairs(text):
        short_hits = {c.curie for c in curated_only.lookup(short)}
        words = long.split()
        long_hits: set[str] = set()
        for size in range(min(len(words), 6), 0, -1):  # the longest tail of the long form that is a term
            long_hits = {c.curie for c in curated_only.lookup(" ".join(words[-size:]))}
            if long_hits:
                break
        if short_hits and long_hits:
            assert short_hits & long_hits, (short, long, short_hits, long_hits)
            agreed.add(short)
    assert {"TRD", "SUDs", "MDD", "AMPA", "BDNF", "GABA", "NMDA-R"} <= agreed


def test_bc5cdr_names_resolve_to_gold_mesh(vocabulary):
    """Exact-name lookup alone finds the gold MeSH ID of most BC5CDR mentions and rarely a wrong one."""
    text = shared_file("eval/bc5cdr/CDR_DevelopmentSet.PubTator.txt").read_text(encoding="utf-8")
    total = right = wrong = 0
    for line in text.splitlines():
        columns = line.split("\t")
        if len(columns) < 6 or not re.fullmatch(r"[CD]\d+", columns[5]):
            continue
        total += 1
        hits = vocabulary.lookup(columns[3])
        if hits:
            gold = "MESH:" + columns[5]
            if hits[0].curie == gold or gold in hits[0].xrefs:
                right += 1
            else:
                wrong += 1
    assert total > 9000
    assert right / total > 0.5  # measured 0.55
    assert wrong / total < 0.05  # measured 0.03 (older C-records since promoted to descriptors, etc.)


def test_a_drug_mesh_lists_only_as_its_salt_is_named_by_the_drug_alone():
    from kg.vocabulary.mesh import _salt_bases, mesh_concepts

    descriptors = mesh_descriptors()
    bases = _salt_bases(descriptors)
    assert bases, "MeSH 2026 files drugs such as sildenafil under their salts"
    for ui, base in bases.items():
        assert descriptors[ui].startswith(base + " ")
        assert not any(h.casefold() == base.casefold() for h in descriptors.values())
    by_ui = {c.curie: c for c in mesh_concepts()}
    salted = [by_ui[f"MESH:{ui}"] for ui in bases if by_ui[f"MESH:{ui}"].category == "chemical"]
    assert salted and all(bases[c.curie[5:]] in c.synonyms for c in salted)
    # Esters and other compounds that share a name with a salt suffix keep only their heading.
    assert not any(descriptors[ui].endswith((" Acetate", " Sulfate", " Bromide")) for ui in bases)


def test_vocabularies_and_the_broad_layer_satisfy_the_protocols(vocabulary):
    from kg.vocabulary import ConceptLookup, LazyLayer
    from kg.vocabulary.broad import BroadLayer

    assert isinstance(vocabulary, ConceptLookup)
    assert not isinstance((), LazyLayer) and not isinstance([], LazyLayer)
    assert all(hasattr(BroadLayer, name) for name in ("lookup_key", "get"))


def test_every_curated_concept_has_a_well_formed_reference(curated):
    """Identifiers are value objects: each primary CURIE parses into a prefix the prefix map knows."""
    from kg.graph.prefixes import prefix_map

    known = set(prefix_map())
    bad = [c.curie for c in curated if c.reference.prefix not in known or not c.reference.identifier]
    assert not bad, bad[:5]


def test_a_mesh_2026_heading_of_the_name_outranks_older_mappings():
    """Issue #8 part 8: older MeSH and corpus mappings lose to the current heading of the very name; a
    supplementary concept of the same name was promoted, so it becomes the heading's xref; curated entries stay."""
    from kg.vocabulary.index import Vocabulary

    older = [Concept("MESH:D015283", "Citalopram", "chemical", synonyms=("escitalopram",), sources=("gilda",)),
             Concept("MESH:C000629749", "tirzepatide", "chemical", sources=("gilda",)),
             Concept("MESH:D001714", "manic", "disease", synonyms=("mania",), sources=("corpus-train",)),
             Concept("NCBITaxon:753251", "Mania", "organism", sources=("taxonomy",))]
    mesh = [Concept("MESH:D000089983", "Escitalopram", "chemical", sources=("MESH2026",)),
            Concept("MESH:D000098860", "Tirzepatide", "chemical", sources=("MESH2026",)),
            Concept("MESH:D000087122", "Mania", "disease", sources=("MESH2026",)),
            Concept("MESH:D003863", "Depression", "disease", sources=("MESH2026",))]
    curated = [Concept("MESH:D003866", "depressive disorder", "disease", synonyms=("depression",), sources=("x",))]
    v = Vocabulary([("curated", curated), ("broad", older), ("mesh", mesh)])
    assert [c.curie for c in v.lookup("escitalopram")] == ["MESH:D000089983", "MESH:D015283"]
    assert [c.curie for c in v.lookup("mania")] == ["MESH:D000087122", "MESH:D001714", "NCBITaxon:753251"]
    (tirzepatide,) = v.lookup("tirzepatide")
    assert tirzepatide.curie == "MESH:D000098860" and "MESH:C000629749" in tirzepatide.xrefs
    assert [c.curie for c in v.lookup("depression")] == ["MESH:D003866", "MESH:D003863"]
    assert [c.curie for c in v.lookup("citalopram")] == ["MESH:D015283"]


def test_in_corpus_terms_answers_as_the_older_corpora_were_annotated():
    from kg.vocabulary.index import Vocabulary

    v = Vocabulary([("broad", [Concept("MESH:D001714", "manic", "disease", synonyms=("mania",))]),
                    ("mesh", [Concept("MESH:D000087122", "Mania", "disease", sources=("MESH2026",))])])
    assert v.lookup("mania")[0].curie == "MESH:D000087122"
    corpus = v.in_corpus_terms()
    assert corpus.lookup("mania")[0].curie == "MESH:D001714" and corpus is v.in_corpus_terms()
    assert v.lookup("mania")[0].curie == "MESH:D000087122"
