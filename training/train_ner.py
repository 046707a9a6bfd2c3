"""Train kg's small statistical NER (chemical, disease, gene, organism) on the TRAINING splits of the gold corpora.

Corpora annotate different types: BC5CDR tags chemicals and diseases but leaves genes untagged, GNormPlus
tags only genes, and so on. Teaching the model that an untagged gene in BC5CDR is "outside" would cost it
recall, so tokens the dictionary reads as a type the corpus does not annotate (and gold spans of types we
do not learn, such as GNormPlus "FamilyName") are marked *missing*: the model gets no gradient there.
Development splits (BC5CDR dev, NCBI Disease dev, BioRED dev) only pick the best checkpoint; training-only
corpora lose their held-out fifth (``is_heldout``).

    .venv/bin/python training/train_ner.py [--out models/ner] [--max-steps N] [--seed 0]
"""
from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.vocabulary.sources.corpora import is_heldout, shared_dir  # noqa: E402

log = logging.getLogger("train_ner")

# Gold type -> model label; types absent here are not learnt (their spans become missing, not outside).
LABELS = {
    "Chemical": "CHEMICAL", "ChemicalEntity": "CHEMICAL",
    "Disease": "DISEASE", "DiseaseOrPhenotypicFeature": "DISEASE", "SpecificDisease": "DISEASE",
    "DiseaseClass": "DISEASE", "Modifier": "DISEASE", "CompositeMention": "DISEASE",
    "Gene": "GENE", "GeneOrGeneProduct": "GENE",
    "Species": "ORGANISM", "OrganismTaxon": "ORGANISM",
}
CATEGORY = {"CHEMICAL": "chemical", "DISEASE": "disease", "GENE": "gene", "ORGANISM": "organism"}

# (file under <shared>/eval, labels the corpus annotates, held-out fifth removed?)
TRAIN = [
    ("bc5cdr/CDR_TrainingSet.PubTator.txt", {"CHEMICAL", "DISEASE"}, False),
    ("ncbi_disease/NCBItrainset_corpus.txt", {"DISEASE"}, False),
    ("biored/Train.PubTator", {"CHEMICAL", "DISEASE", "GENE", "ORGANISM"}, False),
    ("gnormplus/GNormPlus_Train.PubTator", {"GENE"}, True),
    ("nlm_gene/NLMgene_Train.PubTator", {"GENE"}, True),
    ("linnaeus/Linnaeus_Train.PubTator", {"ORGANISM"}, True),
    ("s800/SPECIES_Train.PubTator", {"ORGANISM"}, True),
]
DEV = [
    ("bc5cdr/CDR_DevelopmentSet.PubTator.txt", {"CHEMICAL", "DISEASE"}, False),
    ("ncbi_disease/NCBIdevelopset_corpus.txt", {"DISEASE"}, False),
    ("biored/Dev.PubTator", {"CHEMICAL", "DISEASE", "GENE", "ORGANISM"}, False),
]
# Full texts (LINNAEUS) are mostly sentences without any name: keep one in UNTAGGED_KEEP of those.
LONG_DOCUMENT = 5000
UNTAGGED_KEEP = 4

CONFIG = """
[paths]
train = null
dev = null

[system]
gpu_allocator = null
seed = 0

[nlp]
lang = "en"
pipeline = ["tok2vec","ner"]
batch_size = 256

[nlp.tokenizer]
@tokenizers = "spacy.Tokenizer.v1"

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 96
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [5000,2000,2500,1000]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 4
window_size = 1
maxout_pieces = 3

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = 96
upstream = "*"

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${paths.train}
gold_preproc = true
max_length = 0
limit = 0

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${paths.dev}
gold_preproc = true
max_length = 0
limit = 0

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${system.seed}
dropout = 0.1
accumulate_gradient = 1
patience = 3000
max_epochs = 0
max_steps = 8000
eval_frequency = 400

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
learn_rate = 0.001
L2 = 0.01
grad_clip = 1.0

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0
"""


def _tokenizer_pipeline():
    """kg's dictionary pipeline: its tokenizer and sentencizer (so training tokens are the tokens the hybrid
    pipeline will feed the model) and its dictionary NER (to find names of types a corpus leaves untagged)."""
    from kg.nlp import load_pipeline
    from kg.nlp.components import DictionaryNER

    nlp = load_pipeline("dictionary")
    dictionary = next(c for _n, c in nlp.pipeline if isinstance(c, DictionaryNER))
    return nlp, dictionary


def _overlaps(start: int, end: int, spans) -> bool:
    return any(start < e and s < end for s, e in spans)


def convert(path: Path, annotated: set[str], drop_heldout: bool, nlp, dictionary) -> list:
    """spaCy Docs (one per sentence) for one PubTator file, gold labels set and unknown regions missing."""
    from kg.ingest.pubtator import read_pubtator

    labelled = {"CHEMICAL", "DISEASE", "GENE", "ORGANISM"}
    sentencizer = nlp.get_pipe("sentencizer")
    out = []
    counts = {"documents": 0, "entities": 0, "missing": 0, "misaligned": 0}
    for document in read_pubtator(path):
        if drop_heldout and is_heldout(document.pmid or document.id):
            continue
        counts["documents"] += 1
        doc = sentencizer(nlp.make_doc(document.text))
        gold, unknown = [], []
        for annotation in sorted(document.gold, key=lambda a: (-(a.span.end - a.span.start), a.span.start)):
            start, end = annotation.span.start, annotation.span.end
            label = LABELS.get(annotation.type)
            if label is None:
                unknown.append((start, end))
                continue
            if _overlaps(start, end, [(s.start_char, s.end_char) for s in gold]):
                continue  # nested or repeated annotation: the longest one is kept
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:
                counts["misaligned"] += 1
                unknown.append((start, end))
            else:
                gold.append(span)
        gold_chars = [(s.start_char, s.end_char) for s in gold]
        for match in dictionary.candidates(document.text):
            category = match.concepts[0].category if match.concepts else ""
            label = next((k for k, v in CATEGORY.items() if v == category), None)
            if label and label not in annotated and not _overlaps(match.start, match.end, gold_chars):
                unknown.append((match.start, match.end))
        taken = {i for g in gold for i in range(g.start, g.end)}
        blank = set()
        for start, end in unknown:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                blank.update(i for i in range(span.start, span.end) if i not in taken)
        missing = [doc[i:i + 1] for i in sorted(blank)]
        counts["entities"] += len(gold)
        counts["missing"] += len(missing)
        doc.set_ents(gold, missing=missing, default="outside")
        long = len(document.text) > LONG_DOCUMENT
        for number, sent in enumerate(doc.sents):
            if long and not sent.ents and number % UNTAGGED_KEEP:
                continue
            out.append(sent.as_doc())
    unseen = labelled - annotated
    log.info("%s: %s (untagged %s marked missing)", path.name, counts, ",".join(sorted(unseen)) or "none")
    return out


def build_docbins(work: Path, shared: Path) -> tuple[Path, Path]:
    from spacy.tokens import DocBin

    nlp, dictionary = _tokenizer_pipeline()
    paths = {}
    for name, specs in (("train", TRAIN), ("dev", DEV)):
        docs = []
        for relative, annotated, drop in specs:
            path = shared / "eval" / relative
            if not path.is_file():
                log.warning("%s is missing; skipped", path)
                continue
            docs.extend(convert(path, annotated, drop, nlp, dictionary))
        paths[name] = work / f"{name}.spacy"
        DocBin(docs=docs).to_disk(paths[name])
        log.info("%s: %d sentences -> %s", name, len(docs), paths[name])
    return paths["train"], paths["dev"]


def _forget_paths(config_path: Path) -> None:
    """The shipped config must not carry this machine's DocBin paths."""
    from spacy.util import load_config

    config = load_config(config_path, interpolate=False)
    for key in ("train", "dev"):
        config["paths"][key] = None
    config.to_disk(config_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "models" / "ner", help="where the trained model goes")
    parser.add_argument("--work", type=Path, default=None, help="keep DocBins and checkpoints here")
    parser.add_argument("--max-steps", type=int, default=8000)
    parser.add_argument("--eval-frequency", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reuse", action="store_true", help="reuse the DocBins already in --work")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    shared = shared_dir()
    if not (shared / "eval").is_dir():
        log.error("no gold corpora at %s/eval; set KG_SHARED_DIR", shared)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-ner-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train, dev = work / "train.spacy", work / "dev.spacy"
    if not (args.reuse and train.is_file() and dev.is_file()):
        train, dev = build_docbins(work, shared)
    base, config = work / "base.cfg", work / "config.cfg"
    base.write_text(CONFIG, encoding="utf-8")

    from spacy.cli.init_config import fill_config

    fill_config(config, base, silent=True)  # spaCy's defaults for every setting CONFIG leaves out

    from spacy.cli.train import train as spacy_train

    spacy_train(config, work / "output", overrides={
        "paths.train": str(train), "paths.dev": str(dev), "system.seed": args.seed,
        "training.max_steps": args.max_steps, "training.eval_frequency": args.eval_frequency,
    })
    best = work / "output" / "model-best"
    readme = args.out / "README.md"
    kept = readme.read_text(encoding="utf-8") if readme.is_file() else None
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(best, args.out)
    _forget_paths(args.out / "config.cfg")
    if kept is not None:
        readme.write_text(kept, encoding="utf-8")
    log.info("model saved to %s after %.0f s", args.out, time.time() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
