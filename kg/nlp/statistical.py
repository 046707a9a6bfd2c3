"""The statistical NER of the ``hybrid`` pipeline: a small spaCy model trained here, merged with the dictionary.

The dictionary knows identifiers but misses names it has never seen; the model (``models/ner``, trained by
``training/train_ner.py`` on the corpora's training splits) finds names by their shape and context but
knows no identifiers. ``kg_statistical_ner`` runs after ``kg_dictionary_ner``: dictionary entities stay,
model entities that overlap none are added, and each gets its CURIE by the dictionary's own
``lookup`` (in-memory vocabulary, then the broad index), so both paths name concepts the same way.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import PipelineError
from kg.paths import data_root, models_dir

__all__ = ["MODEL_DIR", "DEFAULT_LABEL_MAP", "StatisticalNER", "model_path", "load_model"]

log = logging.getLogger(__name__)

MODEL_DIR = models_dir() / "ner"
# The model's labels (training/train_ner.py) -> kg categories.
DEFAULT_LABEL_MAP = {"CHEMICAL": "chemical", "DISEASE": "disease", "GENE": "gene", "ORGANISM": "organism"}


def model_path(model: str | Path) -> Path:
    """``model`` as a path: absolute as given, else relative to the folder that holds ``models/`` (never the cwd)."""
    path = Path(model).expanduser()
    return path if path.is_absolute() else data_root() / path


_MODELS: dict[Path, Language] = {}


def load_model(model: str | Path = MODEL_DIR) -> Language:
    """The trained spaCy model at ``model``, loaded once per process."""
    import spacy

    path = model_path(model).resolve()
    if path not in _MODELS:
        if not (path / "config.cfg").is_file():
            raise PipelineError(
                f"no trained NER model at {path}; train it with `.venv/bin/python training/train_ner.py` "
                "or use the 'dictionary' pipeline"
            )
        try:
            _MODELS[path] = spacy.load(path)
        except Exception as exc:  # spaCy raises many error types for a damaged or incompatible model
            raise PipelineError(f"cannot load the NER model at {path}: {exc}; retrain it with "
                                "training/train_ner.py") from exc
        log.debug("loaded NER model %s: labels %s", path, getattr(_MODELS[path].get_pipe("ner"), "labels", ()))
    return _MODELS[path]


def _plausible(span: Span) -> bool:
    """Names have letters: the model sometimes tags a lone quote mark or ellipsis in unfamiliar typography."""
    text = span.text
    return len(text) >= 2 and sum(c.isalpha() for c in text) >= 2


def _overlaps(span: Span, others: Iterable[Span]) -> bool:
    return any(span.start < o.end and o.start < span.end for o in others)


@Language.factory(
    "kg_statistical_ner",
    default_config={"model": "models/ner", "label_map": DEFAULT_LABEL_MAP, "require_curie": False,
                    "confirm": [], "relabel": False, "batch_size": 64},
)
class StatisticalNER:
    """Adds the trained model's entities to ``doc.ents`` where the dictionary found nothing.

    Settings: ``require_curie`` keeps only model entities the vocabulary names exactly (otherwise an
    unnamed entity is left to the resolver's normalisation and fuzzy candidates); ``confirm`` lists
    categories whose dictionary entities are kept only when the model also tags an overlapping name (the
    model as a precision filter for ambiguous vocabularies). The model sees the host pipeline's own tokens, so its
    entities are whole tokens of ``doc``. With ``relabel`` a dictionary entity the model tags on the same
    tokens as another of its categories takes the model's reading ("insulin" the gene, not the chemical),
    linked when the vocabulary has a concept of that category under that name, else left to the resolver.
    """

    def __init__(self, nlp: Language, name: str, model: str, label_map: dict[str, str], require_curie: bool,
                 confirm: Sequence[str], batch_size: int, relabel: bool = False) -> None:
        self.nlp = nlp
        self.model = load_model(model)
        self.label_map = {k.upper(): v for k, v in label_map.items()}
        self.require_curie = require_curie
        self.confirm = frozenset(confirm)
        self.relabel = relabel
        self.batch_size = batch_size
        self._vocabulary = None
        self._own_lookup = None

    def set_vocabulary(self, vocabulary) -> None:
        """Used when no dictionary NER precedes this component (load_pipeline(vocabulary=...) calls it)."""
        self._vocabulary = vocabulary
        self._own_lookup = None

    def _lookup(self):
        """The dictionary NER's ``lookup`` of this pipeline, else one over the vocabulary."""
        from kg.nlp.components import DictionaryNER

        for _name, component in self.nlp.pipeline:
            if isinstance(component, DictionaryNER):
                return component.lookup
        if self._own_lookup is None:
            from kg.nlp.dictionary import dictionary_matcher

            if self._vocabulary is None:
                from kg.vocabulary import load_vocabulary

                self._vocabulary = load_vocabulary()
            self._own_lookup = dictionary_matcher(self._vocabulary).lookup
        return self._own_lookup

    def _model_doc(self, doc: Doc) -> Doc:
        return Doc(self.model.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])

    def __call__(self, doc: Doc) -> Doc:
        return self._merge(doc, self.model(self._model_doc(doc)))

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size or self.batch_size):
            predicted = self.model.pipe([self._model_doc(doc) for doc in batch], batch_size=len(batch))
            for doc, prediction in zip(batch, predicted):
                yield self._merge(doc, prediction)

    def _merge(self, doc: Doc, prediction: Doc) -> Doc:
        lookup = self._lookup()
        found = [Span(doc, e.start, e.end, label=self.label_map.get(e.label_.upper(), "concept"))
                 for e in prediction.ents]
        kept = [ent for ent in doc.ents
                if ent.label_ not in self.confirm or _overlaps(ent, found)]
        if self.relabel:
            by_tokens = {(s.start, s.end): s.label_ for s in found}
            kept = [self._relabel(ent, by_tokens.get((ent.start, ent.end)), lookup) for ent in kept]
        added: list[Span] = []
        for span in found:
            if not _plausible(span) or _overlaps(span, kept) or _overlaps(span, added):
                continue
            concepts = lookup(span.text)
            same = [c for c in concepts if c.category == span.label_]
            if not same and self.require_curie:
                continue
            linked = Span(doc, span.start, span.end, label=span.label_, kb_id=same[0].curie if same else "")
            if same and Span.has_extension("kg_candidates"):
                linked._.kg_candidates = tuple(c.curie for c in same)
            added.append(linked)
        doc.ents = sorted(kept + added, key=lambda s: s.start)
        return doc

    def _relabel(self, ent: Span, category: str | None, lookup) -> Span:
        """``ent`` read as the model's ``category`` when that differs: linked when the vocabulary names a
        concept of that category so, otherwise left for the resolver (no wrong-category identifier)."""
        learnt = set(self.label_map.values())
        # Only between the model's own categories: "phenotype" or "complex" readings are finer than the model's.
        if category is None or category == ent.label_ or category not in learnt or ent.label_ not in learnt:
            return ent
        same = [c for c in lookup(ent.text) if c.category == category]
        linked = Span(ent.doc, ent.start, ent.end, label=category, kb_id=same[0].curie if same else "")
        if Span.has_extension("kg_candidates"):
            linked._.kg_candidates = tuple(c.curie for c in same)
        if Span.has_extension("kg_long_form"):
            linked._.kg_long_form = ent._.kg_long_form
        return linked
