"""Names a corpus annotates inside a longer mention, learnt from its training split, added to its output.

BC5CDR's annotators tag the chemical that opens an enzyme's, receptor's or channel's name: "dopamine" in "dopamine
receptor", "creatine" in "creatine phosphokinase", "calcium" in "calcium channel" (53 of 66 such gene mentions
in its training split). kg reads the whole name as one gene or complex, as a reader does, and keeps it so in the
graph; only in that corpus's terms is the nested name written too. BioRED never nests (0 of 202): what each corpus
does is learnt from its TRAINING split by ``python -m kg.evaluation.conventions`` (with the forms it leaves
unannotated) and shipped as ``ontologies/evaluation/nesting.tsv``, keyed by the longer mention's category and last
word, so "receptor" and "aminotransferase" are learnt apart from "hydrochloride" (a salt's name is not nested).
"""
from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kg.paths import ontologies_dir

if TYPE_CHECKING:  # pragma: no cover
    from kg.concept import Mention
    from kg.document import Document
    from kg.evaluation.corpus_types import CorpusProfile

__all__ = ["NESTING_FILE", "Nesting", "add_nested", "learn_nesting", "load_nesting", "nested_names", "write_nesting"]

log = logging.getLogger(__name__)

NESTING_FILE = ontologies_dir() / "evaluation" / "nesting.tsv"
MAX_WORDS = 3  # a nested name is at most this many of the longer mention's first words
MIN_FOUND = 3  # fewer occurrences of a (category, last word) say nothing about the guidelines
MIN_SHARE = 0.5  # the nested name is annotated at least this often
_COLUMNS = ("corpus", "outer_category", "last_word", "category", "found", "annotated")
_WORD_RE = re.compile(r"\S+")

# corpus -> {(outer category, last word, nested category)}
Nesting = Mapping[str, frozenset[tuple[str, str, str]]]


def nested_names(mention: Mention, vocabulary, categories: Iterable[str]) -> Iterator[tuple[str, Mention]]:
    """``(last word of mention, nested mention)``: the longest run of ``mention``'s first words (fewer than all,
    at most :data:`MAX_WORDS`) that ``vocabulary`` names as a concept of one of ``categories``."""
    words = list(_WORD_RE.finditer(mention.text))
    if len(words) < 2:
        return
    wanted = frozenset(categories)
    for k in range(min(MAX_WORDS, len(words) - 1), 0, -1):
        end = words[k - 1].end()
        name = mention.text[:end]
        found = [c for c in vocabulary.lookup(name) if c.category in wanted]
        if found:
            nested = replace(mention, end=mention.start + end, text=name, category=found[0].category,
                             curie=found[0].curie, method="nested", reading="")
            yield words[-1].group().casefold(), nested
            return


def learn_nesting(documents: Iterable[Document], mentions: Iterable[Mention], profile: CorpusProfile,
                  vocabulary, *, min_found: int = MIN_FOUND,
                  min_share: float = MIN_SHARE) -> list[tuple[str, str, str, int, int]]:
    """(outer category, last word, nested category, found, annotated) for each kind of longer mention whose
    nested name the corpus annotates (an exact-span gold annotation of its scored type) at least ``min_share``
    of the time."""
    documents = list(documents)
    gold = {(d.id, g.span.start, g.span.end, profile.scoring_type(g.type)) for d in documents for g in d.gold}
    doc_ids = {d.id for d in documents}
    categories = [c for c in profile.categories if profile.type_for(c) is not None]
    found: Counter = Counter()
    annotated: Counter = Counter()
    seen: set[tuple[str, int, int]] = set()
    for m in mentions:
        if m.doc_id not in doc_ids or (m.doc_id, m.start, m.end) in seen:
            continue
        seen.add((m.doc_id, m.start, m.end))
        for last, nested in nested_names(m, vocabulary, categories):
            key = (m.category, last, nested.category)
            found[key] += 1
            annotated[key] += (m.doc_id, nested.start, nested.end, profile.type_for(nested.category)) in gold
    return sorted((*key, n, annotated[key]) for key, n in found.items()
                  if n >= min_found and annotated[key] >= min_share * n)


def add_nested(mentions: Iterable[Mention], profile: CorpusProfile | None, vocabulary,
               nesting: Nesting | None = None) -> list[Mention]:
    """``mentions`` and, in ``profile``'s corpus's terms, the nested names its annotators tag within them."""
    mentions = list(mentions)
    if profile is None:
        return mentions
    kinds = (nesting if nesting is not None else load_nesting()).get(profile.name, frozenset())
    if not kinds:
        return mentions
    categories = {category for _outer, _last, category in kinds}
    have = {(m.doc_id, m.start, m.end) for m in mentions}
    added = []
    for m in mentions:
        for last, nested in nested_names(m, vocabulary, categories):
            if (m.category, last, nested.category) in kinds and (nested.doc_id, nested.start, nested.end) not in have:
                have.add((nested.doc_id, nested.start, nested.end))
                added.append(nested)
    log.info("%s nesting: added %d nested names to %d predicted mentions", profile.name, len(added), len(mentions))
    return mentions + added


@functools.cache
def _load(path: Path) -> dict[str, frozenset[tuple[str, str, str]]]:
    from kg.evaluation.conventions import corpus_table

    if not path.is_file():
        log.warning("no corpus nesting table at %s; run `python -m kg.evaluation.conventions` to learn it", path)
        return {}
    return corpus_table(path, _COLUMNS, 3)  # type: ignore[return-value]


def load_nesting(path: str | Path | None = None) -> dict[str, frozenset[tuple[str, str, str]]]:
    """corpus name -> {(outer category, last word, nested category)} it annotates nested (cached per file)."""
    return _load(Path(path) if path is not None else NESTING_FILE)


def write_nesting(rows: Mapping[str, list[tuple[str, str, str, int, int]]], path: str | Path,
                  header: Iterable[str] = ()) -> int:
    """Write ``corpus -> rows`` as the nesting TSV (``#`` header lines first); returns the row count."""
    from kg.atomic import atomic_write_text

    lines = [f"# {h}" for h in header] + ["\t".join(_COLUMNS)]
    lines += ["\t".join((corpus, outer, last, category, str(n), str(a))) for corpus in sorted(rows)
              for outer, last, category, n, a in rows[corpus]]
    atomic_write_text(Path(path), "\n".join(lines) + "\n")
    _load.cache_clear()
    return sum(len(r) for r in rows.values())
