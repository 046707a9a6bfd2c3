"""Abbreviated species names ("M. grisea", "V. cholerae") read through the full binomial of the same document.

Authors write a Latin binomial in full once ("Magnaporthe grisea") and then abbreviate its genus. The
abbreviation is no vocabulary name and is ambiguous on its own (C. elegans, C. albicans, C. difficile),
so it is only tagged when the document itself names an organism whose genus starts with that letter
and whose epithet is the same word; the mention then carries the full name as its long form, which
the resolver grounds like a defined abbreviation. A document may also name only the genus ("Culex species
... C. vishnui, C. annulus"): then a genus word of the text with that initial, joined to the epithet, must be
a name of exactly one organism in the vocabulary.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from kg.concept import Concept, Mention

__all__ = ["abbreviated_binomials", "binomial_key", "genus_binomials"]

# "Genus epithet", optionally followed by more words (strain names): the first two words are the key.
_FULL_RE = re.compile(r"^([A-Z])[a-z]{2,}\.? ([a-z][a-z-]{2,})\b")
# A capitalised word of the text that may be a genus.
_GENUS_RE = re.compile(r"(?<![A-Za-z0-9.-])([A-Z][a-z]{2,})(?![A-Za-z0-9-])")
# "G. epithet" in running text; the epithet is a lower-case word of three or more letters.
_ABBREVIATED_RE = re.compile(r"(?<![A-Za-z0-9.])([A-Z])\. ?([a-z][a-z-]{2,}[a-z])(?![A-Za-z0-9-])")


def binomial_key(name: str) -> tuple[str, str] | None:
    """``(genus initial, epithet)`` of a written binomial ("Vibrio cholerae O395" -> ("V", "cholerae"))."""
    match = _FULL_RE.match(name.strip())
    return (match.group(1), match.group(2)) if match else None


def abbreviated_binomials(text: str, mentions: Iterable[Mention],
                          lookup: Callable[[str], list[Concept]] | None = None) -> list[tuple[int, int, Mention]]:
    """``(start, end, source)`` for each "G. epithet" in ``text`` whose full binomial an organism mention
    ``source`` of the same text names; spans overlapping a mention are skipped, and an abbreviation two
    different binomials of the document could expand is left alone. A strain's name ("Vibrio cholerae O395")
    lends its species, the taxon ``lookup`` names by the binomial alone (without ``lookup``, nothing)."""
    mentions = list(mentions)
    full: dict[tuple[str, str], Mention] = {}
    ambiguous: set[tuple[str, str]] = set()
    for mention in mentions:
        if mention.category != "organism" or not mention.curie:
            continue
        key = binomial_key(mention.text)
        if key is None:
            continue
        if len(mention.text.split()) > 2:
            species = _species_of_strain(mention, lookup)
            if species is None:
                continue
            mention = species
        known = full.setdefault(key, mention)
        if known.curie != mention.curie and known.text.split()[0] != mention.text.split()[0]:
            ambiguous.add(key)
    if not full:
        return []
    taken = [(m.start, m.end) for m in mentions]
    found = []
    for match in _ABBREVIATED_RE.finditer(text):
        key = (match.group(1), match.group(2))
        if key not in full or key in ambiguous:
            continue
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            continue
        found.append((start, end, full[key]))
    return found


def _species_of_strain(mention: Mention, lookup: Callable[[str], list[Concept]] | None) -> Mention | None:
    """``mention`` of "Genus epithet STRAIN" as a mention of the species "Genus epithet", if ``lookup`` names one."""
    binomial = " ".join(mention.text.split()[:2])
    found = {c.curie for c in (lookup(binomial) if lookup else ()) if c.category == "organism"
             and c.curie.startswith("NCBITaxon:")}
    if len(found) != 1:
        return None
    return replace(mention, text=binomial, curie=found.pop(), long_form="", reading="")


def genus_binomials(text: str, mentions: Iterable[Mention],
                    lookup: Callable[[str], list[Concept]]) -> list[tuple[int, int, str, str]]:
    """``(start, end, CURIE, full name)`` for each "G. epithet" of ``text`` outside ``mentions`` that one genus word of
    the text spells out: "Genus epithet" is a name of one organism concept only, through ``lookup`` (a
    vocabulary's), and no other genus word of that initial makes another organism's name."""
    taken = [(m.start, m.end) for m in mentions]
    genera: dict[str, set[str]] = {}
    found = []
    chosen: dict[tuple[str, str], tuple[str, str] | None] = {}
    for match in _ABBREVIATED_RE.finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            continue
        key = (match.group(1), match.group(2))
        if key not in chosen:
            if not genera:
                for word in _GENUS_RE.findall(text):
                    genera.setdefault(word[0], set()).add(word)
            chosen[key] = _one_organism(sorted(genera.get(key[0], ())), key[1], lookup)
        reading = chosen[key]
        if reading is not None:
            found.append((start, end, *reading))
    return found


def _one_organism(genera: list[str], epithet: str,
                  lookup: Callable[[str], list[Concept]]) -> tuple[str, str] | None:
    names: dict[str, str] = {}
    for genus in genera:
        name = f"{genus} {epithet}"
        curies = {c.curie for c in lookup(name) if c.category == "organism"}
        if len(curies) > 1:
            return None
        if curies:
            names[curies.pop()] = name
    return next(iter(names.items())) if len(names) == 1 else None
