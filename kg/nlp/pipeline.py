"""Load a pipeline from ``pipelines/<name>.cfg`` and run it over documents, block by block.

Blocks (paragraphs, captions, cells) are fed to ``nlp.pipe`` rather than whole documents: the
tokenizer cache makes paragraph-sized texts about 10x faster (docs/benchmarks.md). The NER reads each
block's :mod:`~kg.nlp.reading` (PDF and OCR artefacts undone: "treatment-\\nresistant", "nucleus  accumbens",
``$\\beta$-arrestin``); offsets are mapped back to ``Document.text`` (mentions keep the exact source text and
carry what was read as ``Mention.reading``), short forms defined anywhere in a document are tagged in
all of its blocks, and a form read as one concept anywhere in a document is read so wherever it recurs.
"""
from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kg.concept import Concept, Mention
from kg.document import Block, Document, Span
from kg.errors import KGError, PipelineError
from kg.nlp.reading import Reading, document_words, read
from kg.nlp.sites import site_neoplasms
from kg.nlp.windows import WINDOW, windows
from kg.paths import pipelines_dir

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from kg.vocabulary import Vocabulary

__all__ = ["PIPELINES_DIR", "LongFormGrounder", "available_pipelines", "load_pipeline", "annotate",
           "document_blocks", "document_subjects"]

log = logging.getLogger(__name__)

PIPELINES_DIR = pipelines_dir()
TOKENIZER_CACHE_SIZE = 1_000_000


def available_pipelines() -> list[str]:
    """Names of the pipeline configs shipped in ``pipelines/``."""
    return sorted(p.stem for p in PIPELINES_DIR.glob("*.cfg"))


def _config_path(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix == ".cfg" or path.is_file():
        candidate = path
    else:
        candidate = PIPELINES_DIR / f"{name_or_path}.cfg"
    if not candidate.is_file():
        raise PipelineError(
            f"no pipeline config {str(name_or_path)!r}; choose one of {', '.join(available_pipelines())} "
            "or give the path of a spaCy .cfg file"
        )
    return candidate


def load_pipeline(name_or_path: str | Path = "dictionary", *, vocabulary=None,
                  overrides: dict | None = None) -> Language:
    """Build the spaCy pipeline of ``pipelines/<name>.cfg`` (or a .cfg path).

    ``vocabulary`` replaces the default ``load_vocabulary()`` of the dictionary NER;
    ``overrides`` are spaCy config overrides such as ``{"nlp.batch_size": 16}``.
    """
    import scispacy.abbreviation  # noqa: F401  registers "abbreviation_detector"
    import spacy

    import kg.nlp.components  # noqa: F401  registers kg's factories
    import kg.nlp.statistical  # noqa: F401  registers "kg_statistical_ner" (pipelines/hybrid.cfg)

    path = _config_path(name_or_path)
    try:
        config = spacy.util.load_config(path, overrides=overrides or {}, interpolate=False)
        nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    except KGError:
        raise
    except Exception as exc:  # spaCy raises config, registry and catalogue errors of many types
        raise PipelineError(f"cannot load pipeline config {path}: {exc}; fix the config or use 'dictionary'") from exc
    if hasattr(nlp.tokenizer, "max_cache_size"):
        nlp.tokenizer.max_cache_size = TOKENIZER_CACHE_SIZE
    _split_marks(nlp)
    if vocabulary is not None:
        for _name, component in nlp.pipeline:
            if hasattr(component, "set_vocabulary"):
                component.set_vocabulary(vocabulary)
    log.debug("loaded pipeline %s: %s", path.name, nlp.pipe_names)
    return nlp


# Brackets and trailing +/- signs split tokens, so "CD34(+)" and "Sca-1+" hold the tokens "CD34" and "Sca-1"
# and a name can be an entity without swallowing the marker (spaCy entities are whole tokens).
_EXTRA_INFIXES = (r"[()\[\]]", r"(?<=[0-9A-Za-z])[+](?=[^0-9A-Za-z]|$)")


def _split_marks(nlp) -> None:
    from spacy.util import compile_infix_regex

    if not hasattr(nlp.tokenizer, "infix_finditer"):
        return
    infixes = list(nlp.Defaults.infixes or ()) + list(_EXTRA_INFIXES)
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def document_blocks(document: Document) -> list[Block]:
    """The document's blocks, or its non-empty lines when ingest found no structure."""
    if document.blocks:
        return document.blocks
    blocks, offset = [], 0
    for line in document.text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            blocks.append(Block(Span(offset, offset + len(body)), "paragraph"))
        offset += len(line)
    return blocks


def _sentences(doc) -> tuple[list[tuple[int, int]], list[int]]:
    """Character spans of ``doc``'s sentences (the whole text when no sentencizer ran) and their starts, found once
    per doc: spaCy's ``has_annotation`` and ``sents`` walk every token each time they are asked."""
    found = doc.user_data.get("kg_sentences")
    if found is None:
        spans = ([(s.start_char, s.end_char) for s in doc.sents] if doc.has_annotation("SENT_START")
                 else [(0, len(doc.text))])
        found = doc.user_data["kg_sentences"] = (spans, [s for s, _ in spans])
    return found


def _sentence_span(doc, start: int, end: int) -> tuple[int, int]:
    """The sentence of ``doc`` holding characters ``start:end``, grown to the sentence of the last character where
    a boundary cuts the span: the sentencizer leaves an opening bracket with the sentence before ("respectively. ("
    | "R)-alpha-methylhistamine"), and a fact's sentence must hold the whole mention it is derived from."""
    spans, starts = _sentences(doc)
    first = spans[max(0, bisect.bisect_right(starts, start) - 1)]
    last = spans[max(0, bisect.bisect_right(starts, max(start, end - 1)) - 1)]
    return first[0], max(first[1], last[1])


def _sentence_at(doc, block: Block, start: int, end: int, reading: Reading) -> tuple[int, int]:
    """The sentence (:func:`_sentence_span`) of document characters ``start:end``, in document offsets, of ``doc``:
    ``block`` run on ``reading``."""
    base = block.span.start
    at, last = reading.reading_offset(start - base), reading.reading_offset(max(start, end - 1) - base)
    source_start, source_end = reading.source_span(*_sentence_span(doc, at, last + 1))
    return base + source_start, base + source_end


def _read(document: Document, reading: Reading, base: int, start: int, end: int) -> tuple[int, int, str, str]:
    """Document span, source text and reading (``""`` when it is the source text) of a block's reading span."""
    source_start, source_end = reading.source_span(start, end)
    text = document.text[base + source_start:base + source_end]
    said = reading.text[start:end]
    return base + source_start, base + source_end, text, "" if said == text else said


def _block_mentions(document: Document, block: Block, doc, reading: Reading) -> list[Mention]:
    base = block.span.start
    mentions = []
    for ent in doc.ents:
        start, end, text, said = _read(document, reading, base, ent.start_char, ent.end_char)
        if (said or text) != ent.text:  # the NER reads the block's reading: a component changed the text
            raise PipelineError(f"offset mapping broke for {document.id} at {start}: {text!r} != {ent.text!r}; "
                                "a pipeline component must not alter the text it is given")
        sent_start, sent_end = reading.source_span(*_sentence_span(doc, ent.start_char, ent.end_char))
        long_form = ent._.kg_long_form if ent.has_extension("kg_long_form") else ""
        mentions.append(Mention(
            doc_id=document.id, start=start, end=end, text=text, category=ent.label_.lower() or "concept",
            sentence=(base + sent_start, base + sent_end), curie=ent.kb_id_, long_form=long_form, reading=said,
        ))
    return mentions


def dictionary_matcher(nlp):
    """The ``DictionaryMatcher`` (in-memory names) of the pipeline's dictionary NER, or None without one."""
    component = _matcher(nlp)
    return component.matcher if component is not None else None


def _matcher(nlp):
    """The dictionary matcher of the pipeline's dictionary NER, used to look up defined long forms."""
    from kg.nlp.components import DictionaryNER

    for _name, component in nlp.pipeline:
        if isinstance(component, DictionaryNER):
            return component  # its lookup() covers the in-memory names and the broad index
    return None


class LongFormGrounder(Protocol):
    """Grounds a defined long form that no vocabulary name matches exactly, or returns None.

    That is resolution's work (:func:`kg.resolve.long_form_concept`); the caller passes it to :func:`annotate`
    so that the NER stage never imports the resolve stage.
    """

    def __call__(self, long: str, vocabulary: Vocabulary | None, /) -> Concept | None: ...


def _apply_document_definitions(document: Document, blocks: Sequence[Block], block_docs, mentions: list[Mention],
                                matcher, long_forms: LongFormGrounder | None = None,
                                readings: Sequence[Reading] | None = None, *, report: bool = False,
                                hidden: list[tuple[int, int]] | None = None) -> list[Mention]:
    """Tag uses of short forms defined in one block in every block, overriding dictionary readings.

    With ``report`` (a reader's terms), a definition no vocabulary name grounds keeps one mention of its short
    form, carrying the long form, so resolution grounds it or lists it as unresolved: it never vanishes. And a
    shorter name inside a long form never stands in for the definition ("glucose" in "glucose-dependent
    insulinotropic polypeptide (GIP)"): a long form grounded as a whole replaces the names inside it; those
    inside a long form nothing grounds are dropped, and its span is added to ``hidden`` (no later stage reads
    a name there).

    A long form no vocabulary names exactly may still be a spelling or word-order variant of one, found by
    ``long_forms``: then the short form and the long form itself take that concept.
    """
    from kg.nlp.glossary import doc_definitions, short_form_key, short_form_spans

    readings = _as_written(document, blocks) if readings is None else readings
    longs: dict[str, str] = {}
    long_spans: dict[str, list[tuple[int, int, int, str]]] = {}
    short_spans: dict[str, tuple[int, int, int, str]] = {}
    for index, (block, doc) in enumerate(zip(blocks, block_docs)):
        for definition in doc_definitions(doc):
            key = short_form_key(definition.short)
            if longs.setdefault(key, definition.long) == definition.long:
                start, end, _text, said = _read(document, readings[index], block.span.start, *definition.long_span)
                long_spans.setdefault(key, []).append((index, start, end, said))
                short_spans.setdefault(key, (index, *_read(document, readings[index], block.span.start,
                                                           *definition.short_span)[:2], ""))
    if not longs:
        return mentions
    from kg.nlp.components import defined_reading

    defined = {short: (defined_reading(short, long, matcher) if matcher is not None else ((), long))
               for short, long in longs.items()}
    by_span = {(m.start, m.end): m for m in mentions}
    if matcher is not None and long_forms is not None:
        for short, (found, long) in list(defined.items()):
            concept = None if found else long_forms(long, matcher.vocabulary)
            if concept is None:
                continue
            defined[short] = ((concept,), long)
            for index, start, end, said in long_spans.get(short, ()):
                if any(m.start < end and start < m.end for m in by_span.values()):
                    continue
                block, doc, reading = blocks[index], block_docs[index], readings[index]
                by_span[(start, end)] = Mention(document.id, start, end, document.text[start:end], concept.category,
                                                sentence=_sentence_at(doc, block, start, end, reading),
                                                curie=concept.curie, reading=said)
    if report:
        if matcher is not None:
            _read_as_whole(by_span, defined, long_spans, matcher.vocabulary)
        _long_forms_whole(document, blocks, block_docs, readings, by_span, defined, long_spans, short_spans,
                          hidden if hidden is not None else [])
    # A definition no vocabulary grounds is reported, not dropped: one mention of its short form, carrying the
    # long form, which resolution lists as unresolved with its reason (issue 8, part 7).
    for short, (found, long) in defined.items():
        if not report or found or short not in short_spans:
            continue
        index, start, end, _said = short_spans[short]
        if any(m.start < end and start < m.end for m in by_span.values()):
            continue
        block, doc, reading = blocks[index], block_docs[index], readings[index]
        by_span[(start, end)] = Mention(document.id, start, end, document.text[start:end], "concept",
                                        sentence=_sentence_at(doc, block, start, end, reading), long_form=long)
    reported = {(start, end) for short, (found, _long) in defined.items() if report and not found
                and short in short_spans for _index, start, end, _said in (short_spans[short],)}
    for block, doc, reading in zip(blocks, block_docs, readings):
        for start, end, short in short_form_spans(reading.text, longs):
            start, end, _text, said = _read(document, reading, block.span.start, start, end)
            found, long_form = defined[short]
            existing = by_span.get((start, end))
            if existing is not None:
                if found:
                    by_span[(start, end)] = replace(existing, long_form=long_form, curie=found[0].curie,
                                                    category=found[0].category)
                elif (start, end) not in reported:  # defined as something no vocabulary names: not the
                    del by_span[(start, end)]          # dictionary's reading
                continue
            if not found or any(m.start < end and start < m.end for m in by_span.values()):
                continue
            sentence = _sentence_at(doc, block, start, end, reading)
            by_span[(start, end)] = Mention(document.id, start, end, document.text[start:end], found[0].category,
                                            sentence=sentence, curie=found[0].curie, long_form=long_form,
                                            reading=said)
    return sorted(by_span.values(), key=lambda m: (m.start, m.end))


def _read_as_whole(by_span: dict[tuple[int, int], Mention], defined: dict, long_spans: dict, vocabulary) -> None:
    """A definition whose long form the NER read as one concept where it is defined ("Brief Psychiatric Rating
    Scale (BPRS)", read through its reading or a variant) stands for that concept, as does its short form."""
    for short, (found, long) in list(defined.items()):
        if found or vocabulary is None:
            continue
        whole = next((by_span[(start, end)] for _index, start, end, _said in long_spans.get(short, ())
                      if (start, end) in by_span and by_span[(start, end)].curie), None)
        concept = vocabulary.get(whole.curie) if whole is not None else None
        if concept is not None:
            defined[short] = ((concept,), long)


def _long_forms_whole(document: Document, blocks: Sequence[Block], block_docs, readings: Sequence[Reading],
                      by_span: dict[tuple[int, int], Mention], defined: dict, long_spans: dict, short_spans: dict,
                      hidden: list[tuple[int, int]]) -> None:
    """Names inside a defined long form give way to the definition (see :func:`_apply_document_definitions`).

    A name that is itself part of another definition ("serotonin (5-HT) reuptake inhibitors (SRIs)") stays;
    a mention crossing the long form's edge means the long form was read otherwise, and it is left alone.
    """
    own = {(start, end) for spans in long_spans.values() for _index, start, end, _said in spans}
    own |= {(start, end) for _index, start, end, _said in short_spans.values()}
    for short, (found, _long) in defined.items():
        for index, start, end, said in long_spans.get(short, ()):
            if (start, end) in by_span:
                continue
            overlapping = [key for key, m in by_span.items() if m.start < end and start < m.end]
            if any(not (start <= m_start and m_end <= end) for m_start, m_end in overlapping):
                continue
            for key in overlapping:
                if key not in own:
                    del by_span[key]
            if not found:
                hidden.append((start, end))
                continue
            if any(m.start < end and start < m.end for m in by_span.values()):
                continue  # a nested definition stays; the long form is then read through it
            block, doc, reading = blocks[index], block_docs[index], readings[index]
            by_span[(start, end)] = Mention(document.id, start, end, document.text[start:end], found[0].category,
                                            sentence=_sentence_at(doc, block, start, end, reading),
                                            curie=found[0].curie, reading=said)
    # a long form names the same thing where it recurs without its short form ("proteolytic targeting chimera,
    # while ..."): the names inside give way there too, to the definition's concept or to none
    starts = [b.span.start for b in blocks]
    for _short, (found, long) in defined.items():
        if " " not in long.strip():
            continue
        pattern = r"(?<![^\W_])" + r"\s+".join(map(re.escape, long.split())) + r"(?![^\W_])"
        for hit in re.finditer(pattern, document.text, re.IGNORECASE):
            start, end = hit.span()
            overlapping = [key for key, m in by_span.items() if m.start < end and start < m.end]
            if (start, end) in by_span or any(key in own or not (start <= key[0] and key[1] <= end)
                                              for key in overlapping):
                continue
            for key in overlapping:
                del by_span[key]
            index = bisect.bisect_right(starts, start) - 1
            if not found or index < 0 or end > blocks[index].span.end:
                hidden.append((start, end))
                continue
            block, doc, reading = blocks[index], block_docs[index], readings[index]
            by_span[(start, end)] = Mention(document.id, start, end, document.text[start:end], found[0].category,
                                            sentence=_sentence_at(doc, block, start, end, reading),
                                            curie=found[0].curie)


def _expand_binomials(document: Document, blocks: Sequence[Block], block_docs, mentions: list[Mention],
                      readings: Sequence[Reading] | None = None, vocabulary=None) -> list[Mention]:
    """Add "M. grisea" where the document names "Magnaporthe grisea", or "Magnaporthe" and the vocabulary knows
    "Magnaporthe grisea" (see :mod:`kg.nlp.binomials`)."""
    from kg.nlp.binomials import abbreviated_binomials, genus_binomials

    readings = _as_written(document, blocks) if readings is None else readings
    expanded = [(start, end, source.category, source.curie, source.long_form or source.reading or source.text)
                for start, end, source in abbreviated_binomials(document.text, mentions,
                                                                vocabulary.lookup if vocabulary is not None else None)]
    if vocabulary is not None:
        taken = mentions + [Mention(document.id, s, e, "", "organism") for s, e, *_ in expanded]
        expanded += [(start, end, "organism", curie, name)
                     for start, end, curie, name in genus_binomials(document.text, taken, vocabulary.lookup)]
    added = []
    for start, end, category, curie, long_form in sorted(expanded):
        block, doc, reading = next(((b, d, r) for b, d, r in zip(blocks, block_docs, readings)
                                    if b.span.start <= start < b.span.end), (None, None, None))
        if block is None or reading is None or end > block.span.end:
            continue
        sentence = _sentence_at(doc, block, start, end, reading)
        added.append(Mention(document.id, start, end, document.text[start:end], category, sentence=sentence,
                             curie=curie, long_form=long_form))
    if not added:
        return mentions
    return sorted(mentions + added, key=lambda m: (m.start, m.end))


def _propagate_readings(document: Document, blocks: Sequence[Block], block_docs, mentions: list[Mention],
                        block_readings: Sequence[Reading] | None = None, *, vocabulary=None,
                        hidden: Sequence[tuple[int, int]] = ()) -> list[Mention]:
    """Tag every untagged occurrence of a form the document already reads as one concept with that concept.

    A form the dictionary skips in one place (hidden by a definition, cut by a bracket, dropped by the
    stop-list) is still the concept the document names elsewhere. Forms read as different concepts in
    the same document are left alone (the context decided each), and so are forms under three characters, and
    the ``hidden`` spans (defined long forms no name grounds as a whole).
    """
    from bisect import bisect_right

    from kg.nlp.alternation import whole_word_uses
    from kg.nlp.precision import in_instrument_name, part_of_code, read_as_verb

    readings: dict[str, set[tuple[str, str]]] = {}
    sources: dict[str, Mention] = {}
    for m in mentions:
        if m.curie:
            readings.setdefault(m.text, set()).add((m.curie, m.category))
            sources.setdefault(m.text, m)
    forms = sorted((form for form, found in readings.items() if len(found) == 1 and len(form) >= 3
                    and not _needed_support(sources[form], vocabulary)), key=len, reverse=True)
    if not forms:
        return mentions
    block_readings = _as_written(document, blocks) if block_readings is None else block_readings
    taken = bytearray(len(document.text))
    for start, end in [(m.start, m.end) for m in mentions] + list(hidden):
        taken[start:end] = b"\x01" * (end - start)
    starts = [b.span.start for b in blocks]
    added = []
    for start, end in whole_word_uses(document.text, forms):
        index = bisect_right(starts, start) - 1
        if any(taken[start:end]) or index < 0 or end > blocks[index].span.end:
            continue
        block, source, reading = blocks[index], sources[document.text[start:end]], block_readings[index]
        if not _read_as_written(reading, start - block.span.start, end - block.span.start):
            continue  # inside a hyphen break, LaTeX or a ligature: the reading decides, not the written form
        text = document.text
        if vocabulary is not None and (read_as_verb(text, start, end) or part_of_code(text, start, end)
                                       or in_instrument_name(text, start, end)):
            continue  # "fits the view", "MDA-MB-231", "Beck Depression Inventory": the reader rules say no here too
        added.append(replace(source, start=start, end=end,
                             sentence=_sentence_at(block_docs[index], block, start, end, reading)))
    if not added:
        return mentions
    log.debug("%s: %d mentions added by document-level readings", document.id, len(added))
    return sorted(mentions + added, key=lambda m: (m.start, m.end))


def _needed_support(mention: Mention, vocabulary) -> bool:
    """In a reader's terms (``vocabulary`` given), whether ``mention`` is a short token its context supported:
    another use of the same letters has to find its own support (a cue, a definition), so it is not spread."""
    if vocabulary is None or mention.long_form:
        return False
    from kg.nlp.precision import needs_support

    concept = vocabulary.get(mention.curie)
    return concept is not None and needs_support(mention.text, concept)


def _as_written(document: Document, blocks: Sequence[Block]) -> list[Reading]:
    """Blocks read as written (for callers that ran the NER on the blocks' own text)."""
    return [Reading(text, text) for text in (document.text[b.span.start:b.span.end] for b in blocks)]


def _read_as_written(reading: Reading, start: int, end: int) -> bool:
    """True when the block's source span ``[start, end)`` reads as itself."""
    if reading.identity:
        return True
    first, last = reading.reading_offset(start), reading.reading_offset(end - 1) + 1
    return reading.source_span(first, last) == (start, end) and reading.text[first:last] == reading.source[start:end]


_LINE_END_HYPHEN_RE = re.compile("[-\u2010\u00ad][ \t]*\r?\n")


def _block_readings(document: Document, blocks: Sequence[Block], matcher) -> list[Reading]:
    """The reading of each block (:mod:`kg.nlp.reading`); the document's words and the vocabulary decide
    line-end hyphens."""
    words = document_words(document.text) if _LINE_END_HYPHEN_RE.search(document.text) else None
    known = (lambda word: bool(matcher.lookup(word))) if matcher is not None else None
    return [read(document.text[b.span.start:b.span.end], words=words, known=known) for b in blocks]


def document_subjects(document: Document, blocks: Sequence[Block], matcher=None) -> frozenset[str]:
    """Stop-listed forms ``document`` uses as its own subjects (:func:`~kg.nlp.precision.subject_forms`):
    defined, in its title, abstract or headings, or frequent; and the generic names (``Match.generic``) that
    ``matcher`` (a ``DictionaryMatcher``) finds in its title, abstract or headings, or in its body at least
    ``SUBJECT_COUNT`` times when the training abstracts do not use them widely (``common_words``:
    "Therapeutics", "Growth" and "Survival" recur in any text, "Laryngectomy" and "Caregivers" only where they are
    its subject). The NER keeps them in a reader's terms."""
    from kg.nlp.dictionary import fold
    from kg.nlp.precision import SUBJECT_COUNT, common_words, compound_tail, stoplist_forms, subject_forms

    zones = [document.title, *(s.title for s in document.sections)]
    zones += [document.text[b.span.start:b.span.end] for b in blocks if b.kind in ("title", "abstract")]
    zones = [z for z in zones if z]
    subjects = subject_forms(document.text, zones, stoplist_forms())
    if matcher is None:
        return subjects
    keys = matcher.generic_keys
    spans = {" ".join(fold(zone[m.start:m.end]).split()) for zone in zones for m in matcher.candidates(zone)
             if m.generic}
    # or that the body uses again and again, unless any biomedical text does ("growth", "survival": common_words)
    uses = Counter(" ".join(fold(text[start:end]).split()) for block in blocks
                   for text in (document.text[block.span.start:block.span.end],)
                   for start, end in {(m.start, m.end) for m in matcher.candidates(text)
                                      if m.generic and not compound_tail(text, m.start)})
    common = common_words()
    spans |= {span for span, n in uses.items() if n >= SUBJECT_COUNT and span not in common
              and not (span.endswith("s") and span[:-1] in common)}
    # the matcher's key, without the plural "s" it reads on: "mutations" in a heading names "mutation"
    return subjects | {span[:-1] if span not in keys and span[:-1] in keys else span for span in spans}


_LOWER_WORD_RE = re.compile(r"(?<![^\W_])[a-z][a-z]+(?![^\W_])")


def _reader_context(document: Document, blocks: Sequence[Block], matcher) -> dict:
    """What the dictionary NER needs to know of the whole document in a reader's terms: its subjects (spared by
    the stop-list) and the words it writes in lower case (so "Bias" is no genus where the text says "bias")."""
    return {"kg_subjects": document_subjects(document, blocks, matcher),
            "kg_lower_words": frozenset(_LOWER_WORD_RE.findall(document.text))}


def _block_doc(nlp, text: str, context: dict):
    """The text as a spaCy ``Doc`` carrying the document ``context`` for the dictionary NER, or the text itself."""
    if not context:
        return text
    doc = nlp.make_doc(text)
    doc.user_data.update(context)
    return doc


def quiet(docs):
    """Yield from ``nlp.pipe`` without scispacy's "matcher has no patterns" warning (W036) per block."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\[W036\]")
        yield from docs


def annotate(documents: Iterable[Document], nlp: Language, progress: bool = False,
             batch_size: int = 64, *, long_forms: LongFormGrounder | None = None) -> list[Mention]:
    """Run ``nlp`` over every block of ``documents`` (a long one in :mod:`~kg.nlp.windows`); mentions carry document
    offsets and sentences.

    ``long_forms`` grounds defined long forms no name matches exactly (pass :func:`kg.resolve.long_form_concept`,
    as ``kg build``, ``kg annotate`` and ``kg eval`` do); without it such definitions yield no mention.
    """
    from tqdm import tqdm

    documents = list(documents)
    if hasattr(nlp.tokenizer, "max_cache_size"):
        nlp.tokenizer.max_cache_size = max(nlp.tokenizer.max_cache_size, TOKENIZER_CACHE_SIZE)
    matcher = _matcher(nlp)
    limit = min(WINDOW, max(1, nlp.max_length // 3))  # a reading may spell "ﬃ" as "ffi"
    work = [(document, blocks, _block_readings(document, blocks, matcher))
            for document in documents for blocks in (windows(document.text, document_blocks(document), limit),)]
    reader = matcher is not None and not matcher.corpus_terms
    texts = (_block_doc(nlp, reading.text, context)
             for document, blocks, readings in work
             for context in ((_reader_context(document, blocks, matcher.matcher) if reader else {}),)
             for reading in readings)
    docs = quiet(nlp.pipe(texts, batch_size=batch_size))
    mentions: list[Mention] = []
    for document, blocks, readings in tqdm(work, desc="annotate", unit="doc", disable=not progress):
        block_docs = [next(docs) for _ in blocks]
        found: list[Mention] = []
        for block, doc, reading in zip(blocks, block_docs, readings):
            found.extend(_block_mentions(document, block, doc, reading))
        hidden: list[tuple[int, int]] = []
        found = _apply_document_definitions(document, blocks, block_docs, found, matcher, long_forms, readings,
                                            report=reader, hidden=hidden)
        found = _expand_binomials(document, blocks, block_docs, found, readings,
                                  vocabulary=matcher.vocabulary if matcher is not None else None)
        found = _propagate_readings(document, blocks, block_docs, found, readings,
                                    vocabulary=matcher.vocabulary if reader else None, hidden=hidden)
        if reader:  # "malignancies of oral cavity, oropharynx and larynx" lists cancers, not anatomy
            found = site_neoplasms(document.text, found, matcher.vocabulary)
        mentions.extend(found)
    log.info("annotated %d documents: %d mentions", len(documents), len(mentions))
    return mentions
