"""Entity resolution: ground NER mentions to vocabulary concepts and merge them into entities."""
from __future__ import annotations

from kg.resolve.long_forms import long_form_concept
from kg.resolve.phrases import Phrase, frequent_phrases
from kg.resolve.resolver import DEFAULT_FUZZY_THRESHOLD, Resolution, resolve

__all__ = ["DEFAULT_FUZZY_THRESHOLD", "Phrase", "Resolution", "frequent_phrases", "long_form_concept", "resolve"]
