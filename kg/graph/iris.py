"""Deterministic IRIs for every node kg mints: the same inputs always give the same IRI.

IRIs are built from stable inputs (document id, character offsets, CURIEs, content hashes), never from
counters or random numbers, so two builds of the same input serialise to the same bytes and no blank node
is ever needed (conventions.md §1.6).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import quote

from kg.graph.prefixes import expand, namespace

log = logging.getLogger(__name__)


@lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """Percent-encode ``text`` so it is safe as one IRI path segment (ids may hold '/', ':' or spaces)."""
    return quote(text, safe="-._~")


def digest(*parts: str, length: int = 16) -> str:
    """A short, stable hex digest of ``parts`` (joined with NUL so ('ab','c') != ('a','bc'))."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:length]


def text_sha256(text: str) -> str:
    """The sha256 of a document's exact text: offsets are only meaningful against that string."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IRIs:
    """Mints the IRIs of one build; ``activity`` is the IRI of the build run (a ``prov:Activity``).

    Passed to extraction hooks (``facts.add_to(dataset, iris)``) so later stages mint compatible IRIs.
    """

    activity: str = ""

    def _ns(self, prefix: str) -> str:
        return namespace(prefix)

    def graph(self, doc_id: str) -> str:
        """The named graph holding one document's annotations."""
        return f"{self._ns('graph')}doc/{slug(doc_id)}"

    def entities_graph(self) -> str:
        """The named graph shared by all entity nodes."""
        return f"{self._ns('graph')}entities"

    def run_graph(self) -> str:
        """The named graph holding the build run's provenance."""
        return f"{self._ns('graph')}run"

    def document(self, doc_id: str) -> str:
        return f"{self._ns('doc')}{slug(doc_id)}"

    def sentence(self, doc_id: str, start: int, end: int) -> str:
        return f"{self._ns('sent')}{slug(doc_id)}/{start}-{end}"

    def annotation(self, doc_id: str, start: int, end: int, curie: str) -> str:
        """One annotation per (span, concept): the CURIE hash keeps two readings of one span apart."""
        return f"{self._ns('anno')}{slug(doc_id)}/{start}-{end}/{digest(curie, length=8)}"

    def target(self, annotation_iri: str) -> str:
        return f"{annotation_iri}/target"

    def position_selector(self, doc_id: str, start: int, end: int) -> str:
        return f"{self._ns('sel')}{slug(doc_id)}/{start}-{end}/position"

    def quote_selector(self, doc_id: str, start: int, end: int) -> str:
        return f"{self._ns('sel')}{slug(doc_id)}/{start}-{end}/quote"

    def entity(self, curie: str) -> str:
        """The expanded CURIE; a CURIE with an unknown prefix gets a project IRI (and a warning)."""
        iri = expand(curie)
        if iri is None:
            _warn_unknown_prefix(curie.split(":", 1)[0])
            iri = f"{self._ns('ent')}{slug(curie)}"
        return iri

    def source(self, key: str) -> str:
        """A vocabulary source named in ``ontologies/sources.tsv`` (or a generated index such as mesh2026)."""
        return f"{self._ns('src')}{slug(key)}"

    def study(self, doc_id: str, key: str) -> str:
        return f"{self._ns('study')}{slug(doc_id)}/{digest(key)}"

    def outcome(self, study_iri: str, index: int) -> str:
        """The ``index``-th outcome clause of a study's finding cell (the row text fixes the order)."""
        return f"{study_iri}/outcome/{index}"

    def citation(self, doc_id: str, start: int, end: int, number: int) -> str:
        """One cited number of the citation marker at ``start``-``end`` ("[13, 14]" is two citations)."""
        return f"{self._ns('kg')}citation/{slug(doc_id)}/{start}-{end}/{number}"

    def edge(self, subject: str, predicate: str, obj: str, doc_id: str = "") -> str:
        """A reified association; the same statement from two documents gets two edges (own provenance)."""
        return f"{self._ns('edge')}{digest(subject, predicate, obj, doc_id)}"

    def stat(self, edge_iri: str, kind: str, value: str = "") -> str:
        return f"{self._ns('stat')}{digest(edge_iri, kind, value)}"

    def publication(self, *, pmid: str = "", doi: str = "", pmcid: str = "", raw: str = "") -> str:
        """A cited work: its PMID, DOI or PMC IRI when known, else a hash of the raw reference text.

        Every part is percent-encoded, so an identifier a reader passed through with a stray ``>`` or U+FFFD still
        makes a valid IRI (kg.ingest.identifiers drops such PMIDs before they get here)."""
        if pmid:
            return f"{namespace('PMID')}{quote(pmid.strip(), safe='')}"
        if doi:
            return f"{namespace('doi')}{quote(doi.strip(), safe='/()._-;:')}"
        if pmcid:
            return f"{namespace('PMC')}{quote(pmcid.strip().upper().removeprefix('PMC'), safe='')}"
        return f"{self._ns('pub')}{digest(' '.join(raw.split()))}"

    def software_agent(self) -> str:
        return f"{self._ns('kg')}software/kg"

    @staticmethod
    def activity_for(text_hashes: list[str], version: str) -> str:
        """The build run's IRI, from the sorted text hashes of its inputs and the kg version."""
        return f"{namespace('act')}build/{digest(version, *sorted(text_hashes))}"

    @staticmethod
    def reading_for(doc_id: str, text_hash: str, version: str) -> str:
        """The IRI of kg's reading of one document (its annotations' and facts' activity): from its id, text hash
        and the kg version only, so the document's graph does not change when other documents are added."""
        return f"{namespace('act')}read/{slug(doc_id)}/{digest(version, text_hash)}"


@cache
def _warn_unknown_prefix(prefix: str) -> None:
    """One warning per unknown prefix and process, not one per CURIE."""
    log.warning("prefix %r is missing from ontologies/prefixes.json; its CURIEs get kg IRIs and stay "
                "biolink:xref literals", prefix)
