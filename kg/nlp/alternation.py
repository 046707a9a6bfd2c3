"""Finding any of a set of words, the longest that fits first: with a trie-shaped regular expression or ``str.find``.

Python's ``re`` tries the branches of ``word1|word2|...`` one after another at every position, so an alternation
of hundreds of names (the stop-list's forms, a document's readings) costs hundreds of comparisons per word of text.
Sharing prefixes (``c(?:ell(?:s|)|ortex)``) makes the engine follow one path per position. At every node the longer
continuations come before the word that ends there, and two branches of a node never match the same character, so
a search finds what the longest-first alternation finds, with any lookaround or suffix that follows the group.
Words searched only once (a document's own readings) are better found with ``str.find`` (:func:`whole_word_uses`)
than compiled at all.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["longest_first", "whole_word_uses"]

_END = ""
_DEEPEST = 300  # longer words fall back to the plain alternation (the trie would nest too deep for re)


def longest_first(words: Iterable[str], *, space: str | None = None) -> str:
    """A pattern matching like ``"|".join(map(re.escape, sorted(words, key=len, reverse=True)))``; with ``space``,
    each space of a word is written as that pattern instead (``r"\\s+"``: any run of whitespace), as
    ``re.escape(word).replace("\\\\ ", space)`` would (a word holding other whitespace gets the plain alternation).
    Case-sensitive patterns only: ignoring case, two branches could match one character. Matches nothing when
    ``words`` is empty."""
    words = [word for word in words if word]
    if not words:
        return "(?!)"
    if max(map(len, words)) > _DEEPEST or (  # the trie's nesting follows the words' length
            space is not None and any(c.isspace() and c != " " for word in words for c in word)):
        escaped = (re.escape(word) for word in sorted(set(words), key=len, reverse=True))
        return "(?:" + "|".join(e.replace("\\ ", space) if space is not None else e for e in escaped) + ")"
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = None
    return _pattern(trie, space)


def _pattern(node: dict, space: str | None) -> str:
    branches = [(space if space is not None and char == " " else re.escape(char)) + _pattern(child, space)
                for char, child in node.items() if char != _END]
    if _END in node:
        branches.append("")  # the word ending here, after every longer one
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def whole_word_uses(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` where one of ``words`` stands with no ASCII letter or digit on either side, chosen as a
    search for ``(?<![0-9A-Za-z])(?:word|...)(?![0-9A-Za-z])`` (longest first) chooses them: leftmost first, the
    longest word at a start, none overlapping. ``str.find`` does the search: for a set of words used once (a
    document's own readings), compiling the alternation cost more than searching with it."""
    found = []
    size = len(text)
    for word in words:
        if not word:
            continue
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            if (at == 0 or text[at - 1] not in _ASCII_ALNUM) and (end == size or text[end] not in _ASCII_ALNUM):
                found.append((at, -len(word), end))
            at = text.find(word, at + 1)
    found.sort()
    spans, position = [], 0
    for start, _longest_first, end in found:
        if start >= position:
            spans.append((start, end))
            position = end
    return spans
