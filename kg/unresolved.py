"""``unresolved.tsv``: what a build saw but could not resolve, one row each with its reason and kind, so nothing
central is dropped silently.

Rows are the unresolved mentions (kind ``defined abbreviation``: a use of a short form the document defines, carrying
its long form; or ``other``), then the recurring noun phrases no mention covers (kind ``frequent phrase``,
:func:`kg.resolve.frequent_phrases`, category ``phrase``, their first use). Each document's rows are made with its
shard (:mod:`kg.shards`); the build writes them in document-id order.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.concept import Mention
    from kg.resolve import Phrase

UNRESOLVED_KINDS = ("defined abbreviation", "frequent phrase", "other")
HEADER = "doc_id\tstart\tend\ttext\tcategory\treason\tkind\n"


def unresolved_kind(mention: Mention) -> str:
    return UNRESOLVED_KINDS[0] if mention.long_form else UNRESOLVED_KINDS[2]


def mention_rows(unresolved: Iterable[Mention], reasons: Mapping[Mention, str] | None = None) -> list[str]:
    """One row per unresolved mention (``reasons``: why each stayed unresolved, ``Resolution.reasons``)."""
    reasons = reasons or {}
    return [f"{m.doc_id}\t{m.start}\t{m.end}\t{_cell(m.text)}\t{m.category}\t{_cell(reasons.get(m, ''))}"
            f"\t{unresolved_kind(m)}\n" for m in unresolved]


def phrase_rows(phrases: Iterable[Phrase]) -> list[str]:
    return [f"{p.doc_id}\t{p.start}\t{p.end}\t{_cell(p.text)}\tphrase\t{_cell(p.reason)}\t{UNRESOLVED_KINDS[1]}\n"
            for p in phrases]


def _cell(text: str) -> str:
    """Tabs and line breaks in a cell become spaces, so every row stays one line."""
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
