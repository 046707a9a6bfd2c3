"""Ingest: read reviews, PubTator files and folders into ``Document``s (stdlib only, so ``import kg`` stays light)."""
from __future__ import annotations

from kg.ingest.pubtator import parse_pubtator, read_pubtator
from kg.ingest.reader import read_paths
from kg.ingest.review import parse_review, read_review

__all__ = ["parse_pubtator", "parse_review", "read_paths", "read_pubtator", "read_review"]
