"""Inline content of JATS elements as one line of text, with the positions of its bibliography ``<xref>``s.

Whitespace is collapsed as a browser would, elements that are blocks of their own (figures, tables, lists inside a
paragraph) are set aside for the caller, and notes and metadata are never rendered.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

#: Elements that sit inside a paragraph but are blocks of their own (rendered after the paragraph).
_BLOCK_TAGS = {"fig", "fig-group", "table-wrap", "table-wrap-group", "list", "def-list", "disp-quote", "boxed-text",
               "statement", "supplementary-material", "p"}
#: Elements whose text is never part of the reading (notes, labels of footnotes, metadata inside content).
_SKIPPED_TAGS = {"fn", "fn-group", "table-wrap-foot", "author-notes", "permissions", "funding-group", "ack",
                 "notes", "alt-text", "long-desc", "object-id", "graphic", "media", "inline-graphic",
                 "sub-article", "response", "kwd-group", "processing-meta", "attrib"}
#: Elements whose text is glued to what precedes it in the XML but reads as a separate token.
_SPACED_TAGS = {"pub-id", "ext-link", "uri", "comment", "break"}
_NO_SPACE_BEFORE = set(",.;:)]")


def local_name(tag: object) -> str:
    """``{namespace}name`` -> ``name`` (NLM articles from OAI-PMH carry a default namespace)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass
class Inline:
    """Rendered inline content: whitespace collapsed, with the bibliography ``<xref>``s found in it."""

    text: str = ""
    xrefs: list[tuple[int, int, tuple[str, ...], str]] = field(default_factory=list)  # start, end, rids, text
    deferred: list[ET.Element] = field(default_factory=list)

    def emit(self, s: str) -> None:
        s = re.sub(r"\s+", " ", s)
        if s.startswith(" ") and (not self.text or self.text.endswith(" ")):
            s = s[1:]
        if s[:1] in _NO_SPACE_BEFORE and self.text.endswith(" "):
            self.text = self.text[:-1]  # "McIntyre\n</string-name>, " reads "McIntyre, "
        self.text += s

    def stripped(self) -> Inline:
        lead = len(self.text) - len(self.text.lstrip())
        text = self.text.strip()
        xrefs = [(max(0, s - lead), min(len(text), e - lead), rids, t) for s, e, rids, t in self.xrefs]
        return Inline(text, [x for x in xrefs if x[0] < x[1]], self.deferred)

    def append(self, other: Inline, sep: str = " ") -> None:
        if not other.text:
            return
        if self.text:
            self.text += sep
        base = len(self.text)
        self.text += other.text
        self.xrefs.extend((s + base, e + base, rids, t) for s, e, rids, t in other.xrefs)
        self.deferred.extend(other.deferred)


def inline(el: ET.Element, *, defer: bool = True) -> Inline:
    """The text of ``el`` and its inline children, whitespace collapsed; block children are set aside."""
    out = Inline()

    def walk(node: ET.Element) -> None:
        if node.text:
            out.emit(node.text)
        for child in node:
            tag = local_name(child.tag)
            if tag in _SKIPPED_TAGS:
                pass
            elif defer and tag in _BLOCK_TAGS:
                out.deferred.append(child)
                out.emit(" ")
            elif tag == "xref" and child.get("ref-type") == "bibr":
                start = len(out.text)
                walk(child)
                rendered = out.text[start:]
                lead = len(rendered) - len(rendered.lstrip())
                end = start + len(rendered.rstrip())
                if start + lead < end:
                    out.xrefs.append((start + lead, end, tuple((child.get("rid") or "").split()), rendered.strip()))
            else:
                if tag in _SPACED_TAGS and out.text[-1:] not in ("", " ", "(", "[", "/"):
                    out.emit(" ")
                walk(child)
                if tag in _SPACED_TAGS:
                    out.emit(" ")
            if child.tail:
                out.emit(child.tail)

    walk(el)
    return out.stripped()


def child(el: ET.Element | None, *names: str) -> ET.Element | None:
    if el is None:
        return None
    for c in el:
        if local_name(c.tag) in names:
            return c
    return None


def children(el: ET.Element, *names: str) -> list[ET.Element]:
    return [c for c in el if local_name(c.tag) in names]


def text_of(el: ET.Element | None) -> str:
    return inline(el, defer=False).text if el is not None else ""
