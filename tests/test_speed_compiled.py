"""Issue 14, part 1 (speed on one core): the compiled vocabulary and NER names answer exactly as the in-memory
ones, stale or damaged copies are never read, and each shortcut of the NER finds what the slow way found."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
REVIEW = SHARED / "corpus" / "esketamine_review.txt"
REVIEWS = SHARED / "corpus" / "reviews"
BC5CDR_DEV = SHARED / "eval" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"

pytestmark = pytest.mark.skipif(not REVIEW.is_file(), reason="../shared (sample review, eval corpora) is absent")
LAYERS = ("curated", "mesh")


def _texts(*paths: Path) -> list[str]:
    from kg.ingest import read_paths
    from kg.nlp.pipeline import document_blocks

    return [d.text[b.span.start:b.span.end] for d in read_paths(list(paths)) for b in document_blocks(d)]


@pytest.fixture
def vocab_dir(tmp_path, monkeypatch):
    """An empty vocab dir of this test's own, with load_vocabulary's cache cleared before and after."""
    from kg.vocabulary.index import _load_vocabulary

    monkeypatch.setenv("KG_VOCAB_DIR", str(tmp_path / "vocab"))
    _load_vocabulary.cache_clear()
    yield tmp_path / "vocab"
    _load_vocabulary.cache_clear()


@pytest.fixture(scope="module")
def in_memory():
    """The curated and MeSH layers merged in memory, as every run did before they were compiled."""
    from kg.vocabulary.index import LAYERS as LOADERS
    from kg.vocabulary.index import Vocabulary

    vocabulary = Vocabulary((name, LOADERS[name]()) for name in LAYERS)
    len(vocabulary)
    return vocabulary


def test_the_compiled_vocabulary_answers_as_the_in_memory_one(vocab_dir, in_memory):
    from kg.vocabulary import load_vocabulary
    from kg.vocabulary.index import _load_vocabulary

    first = load_vocabulary(LAYERS)  # compiles the copy
    assert first.compiled_copy is not None and first.compiled_copy.folder.parent.parent == vocab_dir
    _load_vocabulary.cache_clear()
    compiled = load_vocabulary(LAYERS)  # a later run: opens it
    assert compiled.compiled_copy is not None and compiled is not first
    assert len(compiled) == len(in_memory) > 30_000
    assert list(compiled.terms()) == list(in_memory.terms())
    assert compiled.layer_curies("curated") == in_memory.layer_curies("curated")
    words = set(re.findall(r"[A-Za-z][\w-]+(?: [a-z][\w-]+)?", REVIEW.read_text(encoding="utf-8")))
    for text in sorted(words) + ["NMDA receptors", "Ketamine", "depressive disorders", "no such name"]:
        assert compiled.lookup(text) == in_memory.lookup(text), text
    for concept in list(in_memory)[::50]:
        for curie in (concept.curie, *concept.xrefs):
            assert compiled.get(curie) == in_memory.get(curie), curie
    assert compiled.get("MESH:D999999999") is None


def test_a_second_run_reads_no_mesh_csv(vocab_dir, monkeypatch):
    from kg.vocabulary import load_vocabulary, mesh
    from kg.vocabulary.index import _load_vocabulary

    load_vocabulary(LAYERS)
    _load_vocabulary.cache_clear()
    monkeypatch.setattr(mesh, "mesh_concepts", lambda: pytest.fail("the MeSH list was parsed again"))
    vocabulary = load_vocabulary(LAYERS)
    assert vocabulary.lookup("ketamine")[0].curie == "MESH:D007649"
    assert mesh.display_label("MESH:D007649", "Ketamine", ("MESH2026",)) == "Ketamine"


def test_an_edited_input_compiles_a_new_copy_and_old_ones_are_pruned(vocab_dir, monkeypatch, tmp_path):
    from kg.vocabulary import compiled
    from kg.vocabulary.index import LAZY_LAYERS

    curated = tmp_path / "curated.tsv"
    curated.write_text("id\tlabel\n", encoding="utf-8")
    monkeypatch.setattr(compiled, "_curated_inputs", lambda: [curated])
    before = compiled.compiled_folder(LAYERS, LAZY_LAYERS)
    curated.write_text("id\tlabel\nMESH:D1\tX\n", encoding="utf-8")
    after = compiled.compiled_folder(LAYERS, LAZY_LAYERS)
    assert before != after and before.parent == after.parent == vocab_dir / "compiled"
    assert compiled.compiled_folder(("curated", "broad", "mesh"), LAZY_LAYERS) != after  # ranks differ
    kind = after.name.rsplit("-", 1)[0]
    assert kind == "curated+mesh"
    other = compiled.compiled_folder(("curated",), LAZY_LAYERS)
    assert compiled.publish(other, lambda tmp: (tmp / "meta.json").write_text("{}"))
    for n in range(compiled.KEEP + 2):  # copies of other digests beyond KEEP go, the newest stay
        assert compiled.publish(after.parent / f"{kind}-{n:024x}", lambda tmp: (tmp / "meta.json").write_text("{}"))
    assert len([p for p in after.parent.iterdir() if p.name.startswith(f"{kind}-")]) == compiled.KEEP
    assert other.is_dir()  # another set of layers keeps its own copies


def test_a_damaged_copy_is_dropped_and_compiled_again(vocab_dir, in_memory):
    from kg.vocabulary import load_vocabulary
    from kg.vocabulary.index import _load_vocabulary

    folder = load_vocabulary(LAYERS).compiled_copy.folder
    records = folder / "concepts.bin"
    records.write_bytes(records.read_bytes()[:-100])  # truncated
    _load_vocabulary.cache_clear()
    vocabulary = load_vocabulary(LAYERS)
    assert vocabulary.compiled_copy is not None  # built in memory and compiled afresh
    assert records.stat().st_size > 100 and list(vocabulary) == list(in_memory)


def test_the_fuzzy_names_are_kept_beside_the_compiled_copy_and_answer_as_built(vocab_dir, in_memory):
    from kg.resolve.fuzzy import FuzzyIndex, _names_by_category, _tables
    from kg.vocabulary import load_vocabulary

    vocabulary = load_vocabulary(LAYERS)
    built = _tables(in_memory)
    assert _names_by_category(vocabulary) == built  # written now ...
    [folder] = vocab_dir.glob("compiled/fuzzy-*")
    assert _names_by_category(vocabulary) == built  # ... and read back
    (folder / "names.json").write_text("{not json", encoding="utf-8")
    assert _names_by_category(vocabulary) == built  # a damaged copy is made again
    cached, fresh = FuzzyIndex(vocabulary), FuzzyIndex(in_memory)
    for text, category in (("esketamin", "chemical"), ("receptor NMDA", "gene"), ("depresion", "disease")):
        assert cached.best(text, category, 0.8) == fresh.best(text, category, 0.8) is not None, text


def test_an_unwritable_vocab_dir_keeps_the_vocabulary_in_memory(monkeypatch, tmp_path, in_memory):
    from kg.nlp.dictionary import dictionary_matcher
    from kg.vocabulary import load_vocabulary
    from kg.vocabulary.index import _load_vocabulary

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("KG_VOCAB_DIR", str(blocker / "vocab"))  # no folder can be made under a file
    _load_vocabulary.cache_clear()
    try:
        vocabulary = load_vocabulary(LAYERS)
        assert vocabulary.compiled_copy is None
        assert vocabulary.lookup("ketamine") == in_memory.lookup("ketamine")
        assert dictionary_matcher(vocabulary).candidates("ketamine and esketamine")
    finally:
        _load_vocabulary.cache_clear()


def test_compiled_names_match_as_the_automaton(vocab_dir, in_memory):
    from kg.nlp.compiled import CompiledNames
    from kg.nlp.dictionary import DictionaryMatcher, dictionary_matcher
    from kg.vocabulary import load_vocabulary
    from kg.vocabulary.index import _load_vocabulary

    dictionary_matcher(load_vocabulary(LAYERS))  # writes the names
    _load_vocabulary.cache_clear()
    compiled = dictionary_matcher(load_vocabulary(LAYERS))
    assert isinstance(compiled._table, CompiledNames)
    automaton = DictionaryMatcher(in_memory.terms(), vouched=in_memory.layer_curies("curated"))
    assert len(compiled) == len(automaton) and compiled.generic_keys == automaton.generic_keys
    texts = _texts(REVIEW, *sorted(REVIEWS.glob("*.xml")), *sorted(REVIEWS.glob("*.md")))
    texts.append("(+)-Ketamine, α-synuclein and γ-aminobutyric acid (GABA)-ergic Krüppel-like factor 9")
    assert sum(len(automaton.candidates(t)) for t in texts) > 1000
    for text in texts:
        assert compiled.candidates(text) == automaton.candidates(text), text[:60]
    for phrase in ("NMDA receptor", "esketamine", "Major Depressive Disorder", "nothing here"):
        assert compiled.lookup(phrase) == automaton.lookup(phrase)


def _in_idiom_by_search(text: str, start: int, end: int) -> bool:
    from kg.nlp.precision import _idioms

    return any(hit.start() <= start and end <= hit.end() for pattern in _idioms()
               for hit in pattern.finditer(text, max(0, start - 40), min(len(text), end + 40)))


def test_the_idiom_shortcut_decides_as_the_search():
    from kg.nlp.precision import in_idiom

    texts = _texts(REVIEW) + ["On the other hand, the face validity of head-to-head trials was first-hand.",
                              "At hand: hands-on work; in the face of it, BACK and FORTH, go back."]
    checked = found = 0
    for text in texts:
        words = list(re.finditer(r"[^\s-]+", text))
        for word, after in zip(words, words[1:] + words[-1:]):
            for start, end in ((word.start(), word.end()), (word.start(), after.end()),
                               (word.start() + 1, word.end())):
                expected = _in_idiom_by_search(text, start, end)
                assert in_idiom(text, start, end) == expected, text[start:end]
                checked, found = checked + 1, found + expected
    assert checked > 9000 and found >= 8


def test_select_longest_chooses_as_the_pairwise_comparison(nlp):
    from kg.nlp.dictionary import Match, select_longest

    def pairwise(matches):
        taken = []
        for _, m in sorted(enumerate(matches), key=lambda im: (-(im[1].end - im[1].start), im[1].start, im[0])):
            if all(m.end <= t.start or m.start >= t.end for t in taken):
                taken.append(m)
        return sorted(taken, key=lambda m: m.start)

    ner = nlp.get_pipe("kg_dictionary_ner")
    for text in _texts(REVIEW):
        found = ner.candidates(text)
        assert select_longest(found) == pairwise(found)
    odd = [Match(3, 3, ()), Match(0, 5, ()), Match(2, 4, ()), Match(5, 9, ())]  # an empty span takes the slow way
    assert select_longest(odd) == pairwise(odd)


def test_trie_alternation_finds_what_the_longest_first_alternation_finds():
    from kg.nlp.alternation import longest_first
    from kg.nlp.dictionary import fold
    from kg.nlp.precision import stoplist_forms

    forms = sorted(stoplist_forms()) + ["cell", "cells", "cell line", "major depressive disorder", "a.b", "(x)"]
    flat = re.compile(r"(?<![^\W_])(" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in
                                                  sorted(set(forms), key=len, reverse=True)) + r")(?:e?s)?(?![^\W_])")
    trie = re.compile(r"(?<![^\W_])(" + longest_first(forms, space=r"\s+") + r")(?:e?s)?(?![^\W_])")
    hits = 0
    for text in [fold(t) for t in _texts(REVIEW, *sorted(REVIEWS.glob("*.md")))] + ["cells line cell  lines (x)s"]:
        expected = [(m.span(), m.group(1)) for m in flat.finditer(text)]
        assert [(m.span(), m.group(1)) for m in trie.finditer(text)] == expected
        hits += len(expected)
    assert hits > 100
    assert re.fullmatch(longest_first([]), "") is None


def test_fold_by_table_equals_fold_by_character():
    from kg.nlp.dictionary import _fold_char, fold

    for path in sorted(REVIEWS.glob("*.md")) + [REVIEW]:
        text = path.read_text(encoding="utf-8") + " Ⅸ ǅ İ ß ﬁ \u00a0\u2028 é"
        assert fold(text) == "".join(map(_fold_char, text))


def test_annotating_twice_gives_the_same_mentions(nlp):
    """scispacy keeps a definition's uses in a set of spans hashed by their Doc; the NER orders them by text."""
    from kg.ingest import read_paths
    from kg.nlp import annotate

    documents = read_paths([BC5CDR_DEV])[:60]
    first = annotate(documents, nlp)
    assert annotate(documents, nlp) == first == annotate(documents, nlp)
    assert any(m.long_form for m in first)


def test_whole_word_uses_are_those_the_documents_alternation_finds():
    import random

    from kg.ingest import read_paths
    from kg.nlp.alternation import whole_word_uses

    def search(text, forms):
        ordered = sorted(forms, key=len, reverse=True)
        pattern = re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(map(re.escape, ordered)) + r")(?![0-9A-Za-z])")
        return [m.span() for m in pattern.finditer(text)]

    rng = random.Random(14)
    documents = read_paths([REVIEW, *sorted(REVIEWS.glob("*.xml"))[:1]])
    for document in documents:
        words = re.findall(r"\S+(?: \S+)?", document.text)
        for _ in range(100):
            forms = sorted({w for w in rng.sample(words, 30) if len(w) >= 3})
            assert whole_word_uses(document.text, forms) == search(document.text, forms)
    for text, forms in (("aaaa aaa", ["aaa", "aaaa"]), ("ab-abc abcd", ["abc", "ab-abc", "bcd"]),
                        ("x.y.z x.y", ["x.y", "y.z", "x.y.z"])):
        assert whole_word_uses(text, forms) == search(text, forms)
