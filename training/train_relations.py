"""Train the learned relation extractor's models (``models/relations/{bc5cdr,biored}.json``) on CPU.

The pipeline (NER + resolution, as ``kg build`` runs it) reads each training split; every candidate entity pair
(:mod:`kg.extract.pairs`) whose corpus IDs form a gold relation is a positive. Two pair heads are trained, one on the
pair's features and one (``prior``) on those and the two concepts' identities. Each head is a logistic regression
(scikit-learn); its regularisation and the pair head's threshold are chosen by 5-fold cross-validation over
documents of the training split only, so the development splits stay unseen until `make eval`. The weights are
written as JSON (:mod:`kg.extract.relation_model` applies them without scikit-learn).

    python training/train_relations.py [--corpus bc5cdr|biored] [--limit N] [--heads prior]
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SPLITS = {"bc5cdr": "bc5cdr/CDR_TrainingSet.PubTator.txt", "biored": "biored/Train.PubTator"}
PAIR_TYPES = {"bc5cdr": {"chemical|disease"},
              "biored": {"chemical|disease", "chemical|gene", "chemical|chemical", "disease|gene", "gene|gene"}}
MIN_COUNT = 2  # a feature seen in fewer training pairs gets no weight
C_GRID = (0.03, 0.1, 0.3, 1.0)

log = logging.getLogger("train_relations")


def training_pairs(corpus: str, limit: int | None):
    """(features, type, novelty, document) for every candidate pair of the training split; the number of gold
    relations and of documents."""
    from kg.evaluation import detect_corpus, predict_resolution
    from kg.extract.context import build_context, mentions_by_document
    from kg.extract.pairs import candidate_pairs
    from kg.ingest import read_paths
    from kg.nlp import load_pipeline
    from kg.settings import Settings
    from kg.vocabulary import load_vocabulary

    path = Settings.from_env().shared_dir / "eval" / SPLITS[corpus]
    documents = [d for d in read_paths([path]) if d.format == "pubtator"][:limit]
    profile = detect_corpus({g.type for d in documents for g in d.gold}, path.name)
    vocabulary = load_vocabulary().in_corpus_terms()
    nlp = load_pipeline("dictionary", vocabulary=vocabulary)
    resolution = predict_resolution(documents, nlp, vocabulary, progress=True)
    by_doc = mentions_by_document(resolution.entities)
    rows, reached, total = [], 0, 0
    for doc in documents:
        gold = {frozenset((g.id1, g.id2)): (g.type, g.novelty) for g in doc.gold_relations}
        total += len(gold)
        for pair in candidate_pairs(build_context(doc, by_doc.get(doc.id, []))):
            if pair.types not in PAIR_TYPES[corpus]:
                continue
            key = frozenset((profile.to_corpus_id(pair.a), profile.to_corpus_id(pair.b)))
            type_, novelty = gold.get(key, ("", ""))
            reached += bool(type_)
            rows.append((pair.features, type_, novelty, doc.id, pair.with_concepts))
    log.info("%s: %d documents, %d candidate pairs, %d of %d gold relations among them (%.0f%%)", corpus,
             len(documents), len(rows), reached, total, 100 * reached / max(total, 1))
    return rows, total, len(documents)


def _vectorise(feature_lists):
    from sklearn.feature_extraction import DictVectorizer

    counts = Counter(f for fs in feature_lists for f in set(fs))
    kept = [{f: 1 for f in fs if counts[f] >= MIN_COUNT} for fs in feature_lists]
    vec = DictVectorizer()
    return vec, vec.fit_transform(kept)


def _best_f1_threshold(p: np.ndarray, y: np.ndarray, missed: int) -> tuple[float, float]:
    """The probability threshold with the best pair F1 (gold pairs no candidate reaches count as misses)."""
    best = (0.0, 0.5)
    for t in np.arange(0.1, 0.9, 0.02):
        pred = p >= t
        tp = int((pred & y).sum())
        fp, fn = int((pred & ~y).sum()), int((~pred & y).sum()) + missed
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        best = max(best, (f1, float(round(t, 2))))
    return best


def _cv_accuracy(X, y, groups, C: float) -> float:
    from sklearn.model_selection import GroupKFold

    right = 0
    for train_idx, test_idx in GroupKFold(n_splits=5).split(X, y, groups):
        right += int((_fit(X[train_idx], y[train_idx], C).predict(X[test_idx]) == y[test_idx]).sum())
    return right / len(y)


def _fit(X, y, C: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=3000, class_weight=None).fit(X, y)


def _head(model, vec, labels: list[str], threshold: float = 0.5):
    from kg.extract.relation_model import Head

    names = vec.get_feature_names_out()
    classes = list(model.classes_)
    coef = model.coef_
    if coef.shape[0] == 1:  # binary: the weight row of the second class; the first class scores 0
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        bias = [0.0, float(model.intercept_[0])]
    else:
        bias = [float(b) for b in model.intercept_]
    order = [classes.index(label) for label in labels]
    weights = {}
    for j, name in enumerate(names):
        row = [round(float(coef[i, j]), 4) for i in order]
        if any(abs(w) >= 1e-3 for w in row):
            weights[str(name)] = tuple(row)
    return Head(tuple(labels), weights, tuple(round(bias[i], 4) for i in order), threshold)


def _pair_head(corpus: str, name: str, features, y, groups, missed: int, positive: str):
    """A pair head over ``features``, its regularisation and threshold cross-validated over documents (no fold
    sees its own documents' pairs); the head, its C and threshold."""
    from sklearn.model_selection import GroupKFold

    vec, X = _vectorise(features)
    best = (-1.0, 0.0, 0.5)
    for C in C_GRID:
        p = np.zeros(len(y))
        for train_idx, test_idx in GroupKFold(n_splits=5).split(X, y, groups):
            p[test_idx] = _fit(X[train_idx], y[train_idx], C).predict_proba(X[test_idx])[:, 1]
        f1, t = _best_f1_threshold(p, y, missed)
        log.info("%s %s head C=%g: cross-validated pair F1 %.3f at threshold %.2f", corpus, name, C, f1, t)
        best = max(best, (f1, C, t))
    _, C, threshold = best
    return _head(_fit(X, np.where(y, positive, "none"), C), vec, ["none", positive], threshold), C, threshold


HEADS = ("pair", "prior", "type", "novelty")
PRIOR_CORPORA = frozenset({"bc5cdr"})  # BioRED's prior head scored within 0.002 of its pair head in cross-validation


def train(corpus: str, limit: int | None, heads: frozenset[str] = frozenset(HEADS)) -> Path:
    """Train ``heads`` of ``corpus``'s model; a head not named is kept from the shipped model file, so adding a head
    leaves the others (and what was calibrated on them, such as the reviews' probability floor) as they were."""
    from dataclasses import replace

    from kg.extract.relation_model import RelationModel, label_kinds
    from kg.paths import models_dir

    out = models_dir() / "relations" / f"{corpus}.json"
    shipped = RelationModel.load(out) if out.is_file() and heads != frozenset(HEADS) else None
    rows, gold_total, n_docs = training_pairs(corpus, limit)
    features = [r[0] for r in rows]
    y = np.array([bool(r[1]) for r in rows])
    groups = [r[3] for r in rows]
    missed = gold_total - int(y.sum())
    positive = "CID" if corpus == "bc5cdr" else "related"  # CID is the one label; BioRED's type head names it
    about = f"{SPLITS[corpus]} ({n_docs} documents)"
    if shipped is None or "pair" in heads:
        pair, C, threshold = _pair_head(corpus, "pair", features, y, groups, missed, positive)
        model = RelationModel(corpus, frozenset(PAIR_TYPES[corpus]), pair,
                              trained_on=f"{about}, C={C}, threshold={threshold}")
    else:
        model, C = shipped, float(shipped.trained_on.partition("C=")[2].split(",")[0] or 0.1)
    if "prior" in heads and corpus in PRIOR_CORPORA:
        prior, prior_c, prior_t = _pair_head(corpus, "prior", [r[4] for r in rows], y, groups, missed, positive)
        model = replace(model, prior=prior, trained_on=f"{model.trained_on}; prior head C={prior_c}, "
                                                        f"threshold={prior_t}")
    if corpus == "biored" and ("type" in heads or "novelty" in heads or shipped is None):
        kinds = {label for (name, label) in label_kinds() if name == corpus}
        pos = [i for i, r in enumerate(rows) if r[1] in kinds]
        tvec, TX = _vectorise([features[i] for i in pos])
        labels_t = [rows[i][1] for i in pos]
        pos_n = [i for i, r in enumerate(rows) if r[2]]
        nvec, NX = _vectorise([features[i] for i in pos_n])
        labels_n = [rows[i][2] for i in pos_n]
        model = replace(model, type=_head(_fit(TX, labels_t, C), tvec, sorted(set(labels_t))),
                        novelty=_head(_fit(NX, labels_n, C), nvec, ["No", "Novel"]))
        log.info("%s type head: %s; novelty head: %s", corpus, dict(Counter(labels_t)), dict(Counter(labels_n)))
        for name, M, labels, idx in (("type", TX, labels_t, pos), ("novelty", NX, labels_n, pos_n)):
            log.info("%s %s head: cross-validated accuracy %.3f (majority label %.3f)", corpus, name,
                     _cv_accuracy(M, np.array(labels), [groups[i] for i in idx], C),
                     Counter(labels).most_common(1)[0][1] / len(labels))
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    log.info("wrote %s (%d pair-head features)", out, len(model.pair.weights))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(SPLITS), action="append")
    parser.add_argument("--limit", type=int, default=None, help="only the first N training documents")
    parser.add_argument("--heads", default=",".join(HEADS),
                        help="comma-separated heads to train (default all); the others are kept from the shipped file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    heads = frozenset(h.strip() for h in args.heads.split(",") if h.strip())
    if not heads <= set(HEADS):
        parser.error(f"--heads: choose among {', '.join(HEADS)}")
    for corpus in args.corpus or sorted(SPLITS):
        train(corpus, args.limit, heads)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
