"""Score a built review against what a reader expects: the gold concepts found, the entities a reader strikes out,
the studies, and the citation markers linked to the reference list.

The public corpora measure mentions in abstracts; a review's graph is judged as its reader would judge it. A gold
list (``benchmarks/reviews/gold/<review>.tsv``) names the concepts the review is about, each with identifiers
verified in a source here (alternatives joined by ``|``; any one found counts). A judgement list
(``benchmarks/reviews/judged/<review>.tsv``) records, per entity the graph has held, whether a reader keeps it
(``ok``) or strikes it out (``junk``), so precision is counted on judged entities and new ones are reported as
unjudged rather than guessed.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError

__all__ = ["GoldConcept", "ReviewScore", "read_gold", "read_judgements", "score_review", "render_scores"]

VERDICTS = ("ok", "junk")


@dataclass(frozen=True)
class GoldConcept:
    """A concept a reader of the review expects; ``alternatives`` empty when no vocabulary here holds it."""

    alternatives: tuple[str, ...]
    label: str
    category: str
    verified_in: str = ""
    note: str = ""


@dataclass(frozen=True)
class ReviewScore:
    """One review's row of the table, with the lists behind each count."""

    review: str
    found: tuple[GoldConcept, ...]
    missed: tuple[GoldConcept, ...]
    not_in_vocabulary: tuple[GoldConcept, ...]
    entities: int
    junk: tuple[tuple[str, str], ...]  # (curie, label) judged junk
    judged: int
    unjudged: tuple[tuple[str, str], ...]  # entities neither in the gold list nor judged
    studies: int
    markers: int
    linked: int
    references: int
    publications: int
    conforms: bool
    facts: Mapping[str, int] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        gold = len(self.found) + len(self.missed)
        return len(self.found) / gold if gold else 0.0

    @property
    def junk_rate(self) -> float:
        """Share of judged entities a reader strikes out."""
        return len(self.junk) / self.judged if self.judged else 0.0


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    except FileNotFoundError:
        raise InputError(f"{path}: no such gold file; write one (see benchmarks/reviews/README.md)") from None
    return list(csv.DictReader(lines, delimiter="\t"))


def read_gold(path: str | Path) -> list[GoldConcept]:
    """The gold concepts of one review (``curie label category verified_in note``)."""
    path = Path(path)
    gold = []
    for n, row in enumerate(_rows(path), 2):
        if not row.get("label") or not row.get("category"):
            raise InputError(f"{path}: row {n} needs a label and a category; fix the row")
        ids = tuple(i.strip() for i in (row.get("curie") or "").split("|") if i.strip())
        verified, note = row.get("verified_in") or "", row.get("note") or ""
        gold.append(GoldConcept(ids, row["label"], row["category"], verified, note))
    return gold


def read_judgements(path: str | Path) -> dict[str, str]:
    """``curie -> ok | junk`` for the entities a reader has judged (an absent file judges nothing)."""
    path = Path(path)
    if not path.is_file():
        return {}
    verdicts = {}
    for n, row in enumerate(_rows(path), 2):
        verdict = (row.get("verdict") or "").strip()
        if verdict not in VERDICTS:
            raise InputError(f"{path}: row {n} has verdict {verdict!r}; write one of {', '.join(VERDICTS)}")
        verdicts[row["curie"]] = verdict
    return verdicts


def score_review(review: str, entity_rows: Iterable[Sequence[object]], gold: Sequence[GoldConcept],
                 judgements: Mapping[str, str], *, facts: Mapping[str, int], markers: int, linked: int,
                 references: int, conforms: bool) -> ReviewScore:
    """Score one built review; ``entity_rows`` are ``kg entities`` rows (id, label, category, xrefs, mentions)."""
    entities: dict[str, str] = {}
    known: set[str] = set()
    for curie, label, _category, xrefs, *_ in entity_rows:
        entities[str(curie)] = str(label)
        known.add(str(curie))
        known.update(x for x in str(xrefs or "").split("|") if x)
    with_ids = [g for g in gold if g.alternatives]
    found = tuple(g for g in with_ids if any(a in known for a in g.alternatives))
    missed = tuple(g for g in with_ids if g not in found)
    expected = {a for g in gold for a in g.alternatives}
    junk = tuple((c, entities[c]) for c in sorted(entities) if judgements.get(c) == "junk")
    judged = sum(1 for c in entities if c in judgements)
    unjudged = tuple((c, entities[c]) for c in sorted(entities) if c not in judgements and c not in expected)
    return ReviewScore(
        review=review, found=found, missed=missed, not_in_vocabulary=tuple(g for g in gold if not g.alternatives),
        entities=len(entities), junk=junk, judged=judged, unjudged=unjudged, studies=facts.get("studies", 0),
        markers=markers, linked=linked, references=references, publications=facts.get("publications", 0),
        conforms=conforms, facts=dict(facts),
    )


def render_scores(scores: Sequence[ReviewScore], *, details: bool = False) -> str:
    """The one table of ``make eval-reviews``; ``details`` adds the missed, junk and unjudged lists."""
    head = (f"{'review':<46}{'gold found':>12}{'recall':>8}{'no vocab':>9}{'entities':>9}{'junk/judged':>12}"
            f"{'unjudged':>9}{'studies':>8}{'citations linked':>17}{'unmatched':>10}{'refs':>6}{'SHACL':>7}")
    lines = [head]
    for s in scores:
        gold = len(s.found) + len(s.missed)
        lines.append(
            f"{s.review[:45]:<46}{f'{len(s.found)}/{gold}':>12}{s.recall:>8.0%}{len(s.not_in_vocabulary):>9}"
            f"{s.entities:>9}{f'{len(s.junk)}/{s.judged}':>12}{len(s.unjudged):>9}{s.studies:>8}"
            f"{f'{s.linked}/{s.markers}':>17}{s.markers - s.linked:>10}{s.references:>6}"
            f"{'ok' if s.conforms else 'FAIL':>7}")
    if details:
        for s in scores:
            lines.append(f"\n{s.review}")
            lines.append("  missed:   " + "; ".join(f"{g.label} ({'|'.join(g.alternatives)})" for g in s.missed))
            lines.append("  junk:     " + "; ".join(f"{label} ({c})" for c, label in s.junk))
            lines.append("  unjudged: " + "; ".join(f"{label} ({c})" for c, label in s.unjudged))
    return "\n".join(lines)
