"""NER: spaCy pipelines configured in ``pipelines/`` and the mentions they find in documents.

spaCy is imported only when a pipeline is loaded, so ``import kg.nlp`` stays light.
"""
from __future__ import annotations

from kg.nlp.pipeline import LongFormGrounder, annotate, available_pipelines, load_pipeline

__all__ = ["LongFormGrounder", "annotate", "available_pipelines", "load_pipeline"]
