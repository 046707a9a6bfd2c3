"""The dictionary matcher's names compiled beside the compiled vocabulary: mapped on every run, built once.

Building :class:`~kg.nlp.dictionary.DictionaryMatcher` (every surface form's written variants and an Aho-Corasick
automaton over some 60,000 keys) took 0.6 s a run. When the vocabulary answers from a compiled copy
(:mod:`kg.vocabulary.compiled`), the matcher's table is written once into ``<copy>/names-<digest>/``: the keys in a
MARISA trie, each key's entries (form, concept position, flags) as one record. Matching walks the trie from every
start of a word (the only hits the matcher keeps) and yields the hits in the automaton's order (by end, longest
first), so the matcher finds exactly what it found with the automaton. The digest covers the matcher's settings
and code; the vocabulary's own is in the copy's folder name.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import VocabularyError

if TYPE_CHECKING:  # pragma: no cover
    from kg.concept import Concept
    from kg.nlp.dictionary import DictionaryMatcher, _Entry

__all__ = ["CompiledNames", "names_folder", "open_names", "save_names"]

log = logging.getLogger(__name__)

_META = "meta.json"
_FIELD, _ITEM = "\x1f", "\x1e"
_FLAGS = ("case_sensitive", "generic", "reader")
_CODE = ("kg.nlp.dictionary", "kg.nlp.precision", "kg.nlp.compiled", "kg.vocabulary.mesh", "kg.vocabulary.normalise")


def names_folder(vocabulary_folder: Path, *, include_concepts: bool, stop_words: frozenset[str],
                 min_length: int) -> Path:
    """Where the names of a matcher with these settings over the compiled vocabulary in ``vocabulary_folder`` go."""
    from kg.vocabulary.compiled import code_digest

    digest = code_digest(_CODE)
    digest.update(json.dumps([include_concepts, sorted(stop_words), min_length]).encode())
    return vocabulary_folder / f"names-{digest.hexdigest()[:24]}"


class CompiledNames:
    """A matcher's table and automaton read from a names folder: ``get`` answers like the table (entries decoded
    on first use), ``iter`` like the automaton (over text folded by :func:`~kg.nlp.dictionary.fold`)."""

    def __init__(self, folder: Path, concepts: Sequence[Concept]) -> None:
        from kg.vocabulary.packed import Keyed

        try:
            meta = json.loads((folder / _META).read_text(encoding="utf-8"))
            self._longest = int(meta["longest"])
            first, generic = str(meta["first"]), list(meta["generic"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VocabularyError(f"cannot read the compiled names {folder} ({exc}); delete the folder") from exc
        self._keyed = Keyed(folder, "names")
        if meta.get("keys") != len(self._keyed):
            raise VocabularyError(f"{folder} is incomplete; delete the folder")
        self.generic_keys = frozenset(generic)
        self._concepts = concepts
        self._entries: dict[str, list[_Entry]] = {}
        # where a key may start: not after a letter or digit (the text's and the folded text's agree on which
        # characters are letters and digits), on a character some key starts with
        self._starts = re.compile(r"(?<![^\W_])[" + "".join(map(re.escape, first)) + "]") if first else None

    def __len__(self) -> int:
        return len(self._keyed)

    def get(self, key: str, default: Sequence[_Entry] = ()) -> Sequence[_Entry]:
        entries = self._entries.get(key)
        if entries is None:
            record = self._keyed.get(key)
            if record is None:
                return default
            entries = self._entries[key] = [self._entry(item) for item in record.decode("utf-8").split(_ITEM)]
        return entries

    def _entry(self, item: str) -> _Entry:
        from kg.nlp.dictionary import _Entry

        form, position, flags = item.split(_FIELD)
        bits = int(flags)
        return _Entry(form, self._concepts[int(position)], *(bool(bits & (1 << i)) for i in range(len(_FLAGS))))

    def iter(self, folded: str) -> list[tuple[int, str]]:
        """``(index of the last character, key)`` of every key that starts a word of ``folded``, ordered as
        pyahocorasick's ``Automaton.iter`` orders them: by end, and at one end the longest first."""
        if self._starts is None:
            return []
        prefixes = self._keyed.trie.prefixes
        longest = self._longest
        hits = []
        for word in self._starts.finditer(folded):
            start = word.start()
            for key in prefixes(folded[start:start + longest]):
                hits.append((start + len(key) - 1, start, key))
        hits.sort()
        return [(last, key) for last, _start, key in hits]


def open_names(folder: Path, concepts: Sequence[Concept]) -> CompiledNames | None:
    """The compiled names in ``folder``, or ``None`` when there are none (a damaged folder is removed)."""
    import shutil

    if not (folder / _META).is_file():
        return None
    try:
        return CompiledNames(folder, concepts)
    except VocabularyError as exc:
        log.warning("%s; compiling the names again", exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None


def save_names(matcher: DictionaryMatcher, concepts: Sequence[Concept], folder: Path) -> bool:
    """Write ``matcher``'s table (its entries name concepts of ``concepts``, by identity) into ``folder``; False
    when it cannot be written (the matcher then stays in memory only)."""
    from kg.vocabulary.compiled import FORMAT_VERSION, publish
    from kg.vocabulary.packed import Keyed

    table = matcher._table
    if not isinstance(table, dict):
        return False
    position = {id(concept): i for i, concept in enumerate(concepts)}
    records: dict[str, bytes] = {}
    for key, entries in table.items():
        items = []
        for entry in entries:
            where = position.get(id(entry.concept))
            if where is None or concepts[where] != entry.concept or _FIELD in entry.form or _ITEM in entry.form:
                log.info("the dictionary names are not compiled (%r cannot be stored)", entry.form)
                return False
            bits = sum(1 << i for i, flag in enumerate(_FLAGS) if getattr(entry, flag))
            items.append(f"{entry.form}{_FIELD}{where}{_FIELD}{bits}")
        records[key] = _ITEM.join(items).encode("utf-8")
    meta = {"format_version": FORMAT_VERSION, "keys": len(records), "longest": max(map(len, records), default=0),
            "first": "".join(sorted({key[0] for key in records if key})), "generic": sorted(matcher.generic_keys)}

    def write(tmp: Path) -> None:
        Keyed.write(tmp, "names", records)
        (tmp / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    return publish(folder, write)
