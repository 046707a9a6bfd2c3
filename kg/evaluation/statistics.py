"""Score the statistics extractor against hand-annotated sentences (``benchmarks/statistics/gold.tsv``).

Each gold row is one statistic a reader reads in a real sentence of the development corpora or reviews: measure and
value, CI, comparator, and the drug, event/outcome and compared groups of its own clause. The extractor runs on each
sentence's whole document (its abstract or review), as a build would, and only the statistics stated inside the gold
sentences are scored. Fields are scored separately so a fix in one place shows where it helps:

* ``value``: measure and value (a range by its bounds), one-to-one within the sentence;
* ``ci``: the confidence interval's bounds on statistics that have one;
* ``n`` and ``p``: sample sizes, and p-values with their comparator;
* ``drug``, ``outcome``: the link on matched statistics where the gold assesses it (``-`` = the clause names none, so
  any link is a false positive; empty = not assessed); a missed statistic misses its links too;
* ``groups``: the compared groups where the gold names them.

The gold is split by document into a development half (``dev``: tune on it) and a held-out half (``heldout``: never
tuned on); both are reported.
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError

__all__ = ["FIELDS", "GoldStatistic", "FieldScore", "read_gold", "extract_gold_documents", "score", "render_scores"]

FIELDS = ("value", "ci", "n", "p", "drug", "outcome", "groups")
SPLITS = ("dev", "heldout")
UNSCORED = frozenset({"time"})  # time points ("day 8") are not annotated
_COLUMNS = ("source", "document", "split", "sentence", "measure", "value", "ci_low", "ci_high", "comparator", "unit",
            "drug", "outcome", "groups")


@dataclass(frozen=True)
class GoldStatistic:
    """One statistic as a reader reads it; ``source`` is a path under the shared folder (``eval/...``,
    ``corpus/...``), ``document`` the PubTator id or the review's file name."""

    source: str
    document: str
    split: str
    sentence: str
    measure: str
    value: str
    ci_low: str = ""
    ci_high: str = ""
    comparator: str = ""
    unit: str = ""
    drug: str = ""
    outcome: str = ""
    groups: str = ""


@dataclass(frozen=True)
class Found:
    """An extracted statistic as the scorer compares it (texts as written in the document)."""

    measure: str
    value: str
    ci_low: str
    ci_high: str
    range_low: str
    range_high: str
    comparator: str
    drug: str
    outcome: str
    groups: tuple[str, ...]


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def read_gold(path: str | Path) -> list[GoldStatistic]:
    """The gold rows of a statistics TSV (``#`` lines are comments)."""
    path = Path(path)
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    except OSError as exc:
        raise InputError(f"cannot read the statistics gold {path}: {exc.strerror}") from exc
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise InputError(f"{path} is no statistics gold: its header must be {' '.join(_COLUMNS)}")
    out = []
    for i, row in enumerate(reader, start=2):
        if row["split"] not in SPLITS or not row["measure"]:
            raise InputError(f"{path}: row {i} needs a measure and a split of {'/'.join(SPLITS)}")
        out.append(GoldStatistic(**{k: row[k] or "" for k in _COLUMNS}))
    return out


def extract_gold_documents(gold: Sequence[GoldStatistic], shared: Path,
                           pipeline: str = "dictionary") -> dict[str, list[Found]]:
    """Run NER, resolution and extraction on every document the gold sentences come from; the statistics stated
    inside each gold sentence, keyed by sentence."""
    from kg.extract import extract
    from kg.ingest import read_paths
    from kg.nlp import annotate, load_pipeline
    from kg.resolve import long_form_concept, resolve
    from kg.vocabulary import load_vocabulary

    wanted: dict[str, set[str]] = defaultdict(set)
    for g in gold:
        wanted[g.source].add(g.document)
    documents = []
    for source, ids in sorted(wanted.items()):
        path = shared / source
        if not path.is_file():
            raise InputError(f"{path} is missing: the statistics gold needs the shared corpora (KG_SHARED_DIR)")
        docs = read_paths([path])
        documents += docs if len(docs) == 1 else [d for d in docs if d.id in ids]
    nlp, vocabulary = load_pipeline(pipeline), load_vocabulary()
    facts = extract(documents, resolve(documents, annotate(documents, nlp, long_forms=long_form_concept), vocabulary))
    by_doc = defaultdict(list)
    for st in facts.statistics:
        by_doc[st.doc_id].append(st)
    found: dict[str, list[Found]] = {}
    for sentence in dict.fromkeys(g.sentence for g in gold):
        for doc in documents:
            at = doc.text.find(sentence)
            if at < 0:
                continue
            end = at + len(sentence)
            stats = sorted((s for s in by_doc[doc.id] if s.measure not in UNSCORED and _stated_in(s, at, end)),
                           key=lambda s: s.span)
            found[sentence] = [_found(doc.text, s) for s in stats]
            break
        else:
            raise InputError(f"gold sentence not found in its documents: {sentence[:80]!r}")
    return found


def _stated_in(st, start: int, end: int) -> bool:
    """Is the statistic stated in ``text[start:end]``: its own span, or a sentence that restates it (a dose or ratio
    stated again is one statistic with more evidence)?"""
    if start <= st.span[0] and st.span[1] <= end:
        return True
    return any(e.start < end and start < e.end for e in st.more_evidence)


def _found(text: str, st) -> Found:
    spans = {c: text[s:e] for s, e, c in st.evidence.mentions}
    drug = st.drug_text or (spans.get(st.drug, "") if st.drug else "")
    return Found(st.measure, st.value, st.ci_low, st.ci_high, st.range_low, st.range_high, st.comparator, drug,
                 st.event_text, tuple(st.groups))


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _key(measure: str, value: str, lo: str, hi: str) -> tuple:
    if not value:  # a stated range (a range of counts is a range too)
        return ("range", _num(lo), _num(hi))
    return (measure, _num(value))


def _norm(text: str) -> str:
    return re.sub(r"[\s‐-‒–—-]+", " ", text.lower()).strip(" ‘’“”\"'()")


def same_text(want: str, got: str) -> bool:
    """Does the extracted text name what the reader wrote? One contains the other, case and dashes aside."""
    a, b = _norm(want), _norm(got)
    return bool(a and b) and (a in b or b in a)


def _same_groups(want: str, got: Sequence[str]) -> bool:
    sides = [w for w in want.split("|") if w]
    return len(got) == len(sides) and all(any(same_text(w, g) for g in got) for w in sides)


def score(gold: Iterable[GoldStatistic], found: dict[str, list[Found]]) -> dict[str, dict[str, FieldScore]]:
    """Scores per split (``dev``, ``heldout``, ``all``) and field (:data:`FIELDS`)."""
    by_sentence: dict[str, list[GoldStatistic]] = defaultdict(list)
    for g in gold:
        by_sentence[g.sentence].append(g)
    scores = {s: {f: FieldScore() for f in FIELDS} for s in (*SPLITS, "all")}
    for sentence, rows in by_sentence.items():
        pool = list(found.get(sentence, []))
        for split in (rows[0].split, "all"):
            _score_sentence(sentence, rows, pool, scores[split])
    return scores


def _score_sentence(sentence: str, rows: list[GoldStatistic], found: list[Found], sc: dict[str, FieldScore]) -> None:
    pool = list(found)
    where = sentence[:70] + ("…" if len(sentence) > 70 else "")
    for g in rows:
        key = _key(g.measure, g.value, g.ci_low, g.ci_high)
        hit = next((f for f in pool if _key(f.measure, f.value, f.range_low, f.range_high) == key), None)
        label = f"{g.measure} {g.value or g.ci_low + '–' + g.ci_high}"
        if hit is None:
            sc["value"].fn += 1
            sc["value"].errors.append(f"missed {label} in {where}")
            for name, want in (("ci", g.value and g.ci_low), ("n", g.measure == "n"), ("p", g.measure == "p"),
                               ("drug", g.drug not in ("", "-")), ("outcome", g.outcome not in ("", "-")),
                               ("groups", g.groups)):
                if want:
                    sc[name].fn += 1
            continue
        pool.remove(hit)
        sc["value"].tp += 1
        if g.measure in ("n", "p"):
            right = g.measure != "p" or (g.comparator or "=") == hit.comparator
            _count(sc[g.measure], right, True, True, f"{label}: comparator {hit.comparator} in {where}")
        if g.value and (g.ci_low or hit.ci_low):
            right = (_num(g.ci_low), _num(g.ci_high)) == (_num(hit.ci_low), _num(hit.ci_high))
            _count(sc["ci"], right, bool(g.ci_low), bool(hit.ci_low),
                   f"{label}: CI {hit.ci_low or '-'}–{hit.ci_high or '-'} for {g.ci_low or '-'}–{g.ci_high or '-'}")
        for name, want, got in (("drug", g.drug, hit.drug), ("outcome", g.outcome, hit.outcome)):
            if not want:
                continue  # not assessed
            right = (want == "-" and not got) or (want != "-" and same_text(want, got))
            _count(sc[name], right, want != "-", bool(got),
                   f"{label}: {name} {got or '-'!r} for {want!r} in {where}")
        if g.groups:
            _count(sc["groups"], _same_groups(g.groups, hit.groups), True, bool(hit.groups),
                   f"{label}: groups {'|'.join(hit.groups) or '-'} for {g.groups} in {where}")
    for f in pool:
        sc["value"].fp += 1
        sc["value"].errors.append(f"spurious {f.measure} {f.value or f.range_low + '–' + f.range_high} in {where}")
        if f.measure in ("n", "p"):
            sc[f.measure].fp += 1
        if f.ci_low:
            sc["ci"].fp += 1


def _count(sc: FieldScore, right: bool, gold_has: bool, found_has: bool, error: str) -> None:
    """One assessed link or field: right (tp), or wrong (fn when the gold has one, fp when the extractor gave one)."""
    if right:
        sc.tp += gold_has or found_has
        return
    sc.fn += gold_has
    sc.fp += found_has
    sc.errors.append(error)


def render_scores(scores: dict[str, dict[str, FieldScore]], counts: dict[str, tuple[int, int]],
                  errors: int = 0) -> str:
    """A table of precision/recall per field for each split; ``counts``: split -> (sentences, statistics);
    ``errors``: how many of each field's errors to list (development half only: the held-out half is not read)."""
    lines = [f"{'field':8} " + "  ".join(f"{s + f' ({counts[s][0]} sent., {counts[s][1]} stats)':>34}"
                                          for s in SPLITS)]
    lines.append(f"{'':8} " + "  ".join(f"{'P':>8} {'R':>6} {'tp/fp/fn':>18}" for _ in SPLITS))
    for name in FIELDS:
        cells = []
        for s in SPLITS:
            f = scores[s][name]
            cells.append(f"{f.precision:>8.3f} {f.recall:>6.3f} {f'{f.tp}/{f.fp}/{f.fn}':>18}")
        lines.append(f"{name:8} " + "  ".join(cells))
    if errors:
        for name in FIELDS:
            for e in scores["dev"][name].errors[:errors]:
                lines.append(f"  dev {name}: {e}")
    return "\n".join(lines) + "\n"
