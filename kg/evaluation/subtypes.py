"""NCBI Disease's four mention types, predicted so that written annotations can carry them.

kg predicts one disease category; the NCBI Disease corpus splits disease mentions into SpecificDisease,
DiseaseClass, Modifier (a disease name modifying a noun: "VHL gene", "ataxia patients") and
CompositeMention. Scorers that compare types exactly need the corpus's own names, so ``kg annotate``
writes the subtype a table learnt from the TRAINING split predicts: Modifier when the next word is one
that follows Modifier mentions almost always, else the form's majority type, else SpecificDisease (the
most frequent). ``python -m kg.evaluation.subtypes`` relearns the table.
"""
from __future__ import annotations

import csv
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from kg.paths import ontologies_dir

TABLE = ontologies_dir() / "evaluation" / "ncbi_disease_subtypes.tsv"
DEFAULT = "SpecificDisease"
MIN_COUNT = 5
MIN_SHARE = 0.8


def next_word(text: str, end: int) -> str:
    """The case-folded word after a mention (punctuation stripped), or "" at a clause end."""
    after = text[end:end + 40]
    if not after[:1].isspace():
        return ""
    words = after.split()
    return words[0].strip(".,;:()[]").casefold() if words else ""


def learn(training_file: Path) -> list[tuple[str, str, str, int]]:
    """Rows (kind, key, type, count): 'next' rows for Modifier cues, 'form' rows for majority types."""
    from kg.ingest import read_paths

    by_next: dict[str, Counter] = defaultdict(Counter)
    by_form: dict[str, Counter] = defaultdict(Counter)
    for doc in read_paths([training_file]):
        for gold in doc.gold:
            by_next[next_word(doc.text, gold.span.end)][gold.type] += 1
            by_form[" ".join(gold.text.casefold().split())][gold.type] += 1
    rows = []
    for word, counts in sorted(by_next.items()):
        total = sum(counts.values())
        if word and total >= MIN_COUNT and counts["Modifier"] / total >= MIN_SHARE:
            rows.append(("next", word, "Modifier", total))
    for form, counts in sorted(by_form.items()):
        kind, n = counts.most_common(1)[0]
        if kind != DEFAULT:
            rows.append(("form", form, kind, n))
    return rows


@lru_cache(maxsize=1)
def _table() -> tuple[frozenset[str], dict[str, str]]:
    cues, forms = set(), {}
    if TABLE.is_file():
        with open(TABLE, encoding="utf-8") as fh:
            for row in csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t"):
                if len(row) >= 3 and row[0] == "next":
                    cues.add(row[1])
                elif len(row) >= 3 and row[0] == "form":
                    forms[row[1]] = row[2]
    return frozenset(cues), forms


def subtype(text: str, start: int, end: int) -> str:
    """The NCBI Disease type for the mention ``text[start:end]``."""
    cues, forms = _table()
    if next_word(text, end) in cues:
        return "Modifier"
    return forms.get(" ".join(text[start:end].casefold().split()), DEFAULT)


def main() -> None:
    from kg.atomic import atomic_write_text
    from kg.vocabulary.sources.corpora import shared_dir

    source = shared_dir() / "eval" / "ncbi_disease" / "NCBItrainset_corpus.txt"
    rows = learn(source)
    header = ("# NCBI Disease mention types learnt from the corpus's training split only "
              f"({source.name}) by `python -m kg.evaluation.subtypes`.\n"
              f"# next: a following word after which >= {MIN_SHARE:.0%} of >= {MIN_COUNT} mentions are Modifier;"
              f" form: a mention text whose majority type is not {DEFAULT}.\n")
    body = "".join(f"{kind}\t{key}\t{kind_type}\t{n}\n" for kind, key, kind_type, n in rows)
    atomic_write_text(TABLE, header + "kind\tkey\ttype\tcount\n" + body)
    print(f"wrote {len(rows)} rows to {TABLE}")


if __name__ == "__main__":
    main()
