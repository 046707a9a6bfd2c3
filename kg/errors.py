"""A small error hierarchy: every message says what went wrong and what to do."""
from __future__ import annotations


class KGError(Exception):
    """Base class of every error ``kg`` raises on purpose; the CLI prints it as one line, exit 2."""


class InputError(KGError):
    """An input path is missing, empty, binary, not UTF-8, or holds nothing readable."""


class VocabularyError(KGError):
    """A vocabulary file in ``ontologies/`` is malformed or cites an unknown source."""


class DownloadError(KGError):
    """A registry download failed, or is needed while ``KG_OFFLINE=1`` forbids it."""


class PipelineError(KGError):
    """An NLP pipeline config cannot be loaded (for example a pretrained model is not installed)."""


class GraphError(KGError):
    """An output graph directory is missing, incomplete, or fails validation."""


class NonConformingGraphError(GraphError):
    """A build's graph fails the SHACL shapes; OUT is left as it was (``kg build --force`` replaces it anyway)."""


class QueryError(KGError):
    """A named query does not exist or a SPARQL query is malformed."""


class PushError(KGError):
    """A store refused or did not answer ``kg push``; the message carries its own words and what to try."""


class UnresolvedMentionsError(KGError):
    """``kg build --strict`` found mentions no vocabulary concept grounds; OUT is left as it was."""
