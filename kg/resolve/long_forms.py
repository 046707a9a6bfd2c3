"""Defined long forms that no vocabulary name matches exactly, grounded by the resolver's later stages.

"coronary heart disease (CHD)" or "anaemia (AN)" defines a short form whose long form is a spelling or
word-order variant of a vocabulary name. The dictionary NER only finds exact names, so without this the
definition hides the short form and the long form is no mention at all; here the long form is grounded
by the resolver's spelling variants and fuzzy candidates, and both forms inherit that concept.

The NER pass (:func:`kg.nlp.annotate`) finds the definitions; grounding is resolution's, so the caller hands
:func:`long_form_concept` to it (``annotate(..., long_forms=long_form_concept)``, a
:class:`kg.nlp.LongFormGrounder`) and ``kg.nlp`` never imports ``kg.resolve``.
"""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from kg.concept import Concept
from kg.resolve.resolver import grounder, is_short_form

if TYPE_CHECKING:
    from kg.vocabulary import Vocabulary

__all__ = ["long_form_concept"]

log = logging.getLogger(__name__)

# Long forms grounded only to these categories: the ones the NER tags as entities in running text.
# Organisms are left out: a fuzzy neighbour of a strain name is another strain ("-sensitive" ~ "-resistant").
_CATEGORIES = frozenset({"disease", "chemical", "phenotype"})
# Numbers, single letters and roman numerals tell members of a family apart ("dopamine-2", "factor 1",
# "polymerase I"): a fuzzy candidate must carry the same ones as the long form.
_MARKER_RE = re.compile(r"(?<![A-Za-z])(?:\d+|[A-Za-z]|[IVX]+)(?![A-Za-z])")


def _markers(text: str) -> frozenset[str]:
    return frozenset(m.group().casefold() for m in _MARKER_RE.finditer(text))


def long_form_concept(long: str, vocabulary: Vocabulary | None) -> Concept | None:
    """The concept the resolver grounds ``long`` to by a spelling variant or a fuzzy candidate, if any.

    Exact names are left to the dictionary (it already tried them); a long form that is itself
    abbreviation-like, or grounds outside the entity categories, yields nothing.
    """
    if vocabulary is None or is_short_form(long) or len(long.split()) > 8:
        return None
    grounding = grounder(vocabulary).ground(long, "concept")
    if grounding.concept is None or grounding.method not in ("normalised", "fuzzy"):
        return None
    if grounding.concept.category not in _CATEGORIES:
        return None
    names = (grounding.concept.label, *grounding.concept.synonyms)
    if not any(_markers(name) == _markers(long) for name in names):
        return None
    log.debug("long form %r grounded %s to %s", long, grounding.method, grounding.concept.curie)
    return grounding.concept
