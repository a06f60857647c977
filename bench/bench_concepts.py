"""Concept quality on real abstracts: what a reader of the graph meets.

    .venv/bin/python bench/real_corpus.py PATH_TO_arxivjsdata   # once: builds bench/corpora/real-ml-2020s.jsonl
    .venv/bin/python bench/bench_concepts.py [--corpus FILE] [--home DIR] [--extractions-from HOME]

Ingests the corpus (3,143 real arXiv ML abstracts of the 2020s, see
``bench/real_corpus.py``) with ``papergraph ingest`` into a managed store of
its own (``--home``, default a new folder in /tmp; ``--extractions-from`` copies
another home's extraction cache first, so that the model does not run again),
then reads the graph as the app shows it and reports:

- **datasets written two ways**: Dataset concepts whose names are one name
  once case, punctuation, spacing and a generic word ("dataset", "benchmark",
  ...) are set aside: by a normalisation of this benchmark's own, not the
  resolver's;
- **well-known models typed Dataset**, and well-known datasets typed Method:
  names in the gazetteer (``ingest/known_names``) or of a model family
  (ResNet, VGG, ...) under the other label;
- **names under two labels**: the share of distinct names (this benchmark's
  normalisation) that are nodes under two or more labels;
- **generic parts first**: which of the concepts that the Overview's top lists and
  Explore's "start here" show first are generic parts of ML writing
  ("classifier", "model", "neural networks", ...: a fixed reference list);
- per label: concepts, the share mentioned once, generic concepts.

Writes ``bench/results/concepts.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_scale import cpu_kind  # noqa: E402
from bench.real_corpus import DEFAULT_OUT  # noqa: E402
from graph_schema import arcadedb_server  # noqa: E402
from graph_schema.schema import CONCEPT_LABELS, GENERIC, Label  # noqa: E402
from graph_schema.settings import settings_from_env  # noqa: E402
from graph_schema.store import Store  # noqa: E402

RESULT = REPO / "bench" / "results" / "concepts.json"
FIRST_SHOWN = 25
# Generic parts of ML writing, as the concept-quality issue lists them and their like: a fixed
# reference for this benchmark, kept apart from the resolver's own lexicon.
REFERENCE_GENERIC = frozenset(
    {
        *"classifier generator encoder decoder discriminator model framework method approach network algorithm".split(),
        *"architecture system module baseline backbone learning training inference optimization".split(),
        *"classifiers generators encoders decoders discriminators models frameworks methods approaches".split(),
        *"networks algorithms architectures systems modules baselines backbones".split(),
        "neural network",
        "neural networks",
        "deep neural network",
        "deep neural networks",
        "deep learning",
        "machine learning",
        "deep learning model",
        "deep learning models",
        "neural network model",
        "neural network models",
        "artificial intelligence",
    }
)
_GENERIC_DATA_WORDS = (
    "dataset",
    "datasets",
    "data set",
    "data sets",
    "benchmark",
    "benchmarks",
    "challenge",
    "corpus",
    "database",
    "test set",
    "testset",
    "test dev",
    "testdev",
    "splits",
    "split",
)
_MODEL_FAMILIES = re.compile(  # a family's name, alone or with a version or size: "resnet50", "vgg16", "gpt4"
    r"^(resnet|resnext|vgg|densenet|efficientnet|mobilenet|shufflenet|alexnet|googlenet|inception|xception|"
    r"squeezenet|vit|deit|swin|convnext|yolo|unet|bert|roberta|gpt|llama|t5|clip|wav2vec)"
    r"(?:[a-z]?\d[0-9a-z]*|v\d[0-9a-z]*)?$"
)


def normalised(name: str) -> str:
    """This benchmark's own normalisation: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9+]", "", name.casefold())


def without_data_words(name: str) -> str:
    text = name.casefold()
    for word in sorted(_GENERIC_DATA_WORDS, key=len, reverse=True):
        text = re.sub(rf"[\s-]+{re.escape(word)}\b", "", text)
    return normalised(text)


def _known(file_name: str) -> set[str]:
    path = REPO / "ingest" / "known_names" / file_name
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        found.update(normalised(form) for form in [fields[0], *(fields[1].split("|") if len(fields) > 1 else [])])
    return found - {""}


def measure(store: Store) -> dict:
    from analysis.details import most_connected_concepts
    from analysis.stats import corpus_stats

    concepts = store.read(
        f"""MATCH (c) WHERE c:Method OR c:Task OR c:Dataset OR c:Metric
        RETURN labels(c)[0] AS label, c.id AS id, c.name AS name, c.mention_count AS mentions,
               c.paper_count AS papers, c.{GENERIC} AS generic"""
    )
    by_label: dict[str, list[dict]] = defaultdict(list)
    for concept in concepts:
        by_label[concept["label"]].append(concept)

    datasets = by_label[str(Label.DATASET)]
    forms: dict[str, list[str]] = defaultdict(list)
    for concept in datasets:
        forms[without_data_words(concept["name"])].append(concept["name"])
    written_two_ways = sorted(sorted(names) for names in forms.values() if len(names) > 1)

    known_methods, known_datasets = _known("methods.tsv"), _known("datasets.tsv")
    models_as_datasets = sorted(
        c["name"]
        for c in datasets
        if normalised(c["name"]) in known_methods or _MODEL_FAMILIES.match(normalised(c["name"]))
    )
    datasets_as_methods = sorted(
        c["name"] for c in by_label[str(Label.METHOD)] if normalised(c["name"]) in known_datasets - known_methods
    )

    labels_of_name: dict[str, set[str]] = defaultdict(set)
    for concept in concepts:
        labels_of_name[normalised(concept["name"])].add(concept["label"])
    two_labels = sorted(name for name, labels in labels_of_name.items() if len(labels) > 1)

    overview = corpus_stats(store, top=FIRST_SHOWN).top_concepts
    start_here = most_connected_concepts(store, limit=FIRST_SHOWN)
    first_shown = {
        **{f"overview {label}": [row["name"] for row in rows] for label, rows in overview.items()},
        "explore start here": [row["name"] for row in start_here],
    }
    generic_first = {
        where: [name for name in names if " ".join(name.casefold().replace("-", " ").split()) in REFERENCE_GENERIC]
        for where, names in first_shown.items()
    }

    per_label = {}
    for label in CONCEPT_LABELS:
        rows = by_label[str(label)]
        once = sum(1 for c in rows if (c["mentions"] or 0) == 1)
        per_label[str(label)] = {
            "concepts": len(rows),
            "mentioned_once_share": round(once / len(rows), 3) if rows else None,
            "generic": sum(1 for c in rows if c["generic"]),
        }
    return {
        "datasets_written_two_ways": len(written_two_ways),
        "datasets_written_two_ways_examples": written_two_ways[:30],
        "well_known_models_typed_dataset": len(models_as_datasets),
        "well_known_models_typed_dataset_examples": models_as_datasets[:30],
        "well_known_datasets_typed_method": len(datasets_as_methods),
        "well_known_datasets_typed_method_examples": datasets_as_methods[:30],
        "names": len(labels_of_name),
        "names_under_two_labels": len(two_labels),
        "names_under_two_labels_share": round(len(two_labels) / len(labels_of_name), 4) if labels_of_name else 0.0,
        "names_under_two_labels_examples": two_labels[:30],
        "generic_parts_first_shown": sum(len(names) for names in generic_first.values()),
        "generic_parts_first_shown_where": {where: names for where, names in generic_first.items() if names},
        "first_shown": first_shown,
        "per_label": per_label,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--home", type=Path, help="the PAPERGRAPH_HOME to ingest into (default: a new one in /tmp)")
    parser.add_argument("--extractions-from", type=Path, help="a home whose extraction cache to copy in first")
    parser.add_argument("--no-ingest", action="store_true", help="measure the store in --home as it is")
    args = parser.parse_args()
    if not args.corpus.is_file():
        raise SystemExit(f"{args.corpus} is missing: build it with bench/real_corpus.py (see its docstring)")
    home = args.home or Path(tempfile.mkdtemp(prefix="papergraph-concepts-"))
    home.mkdir(parents=True, exist_ok=True)
    if args.extractions_from and not (home / "cache").exists():
        shutil.copytree(args.extractions_from / "cache", home / "cache")
    os.environ["PAPERGRAPH_HOME"] = str(home)
    os.environ.setdefault("PAPERGRAPH_BOLT_PORT", str(arcadedb_server.free_port()))
    env = dict(os.environ)
    ingest_seconds = None
    if not args.no_ingest:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ui.cli", "ingest", str(args.corpus)], cwd=REPO, env=env, check=True)
        ingest_seconds = round(time.perf_counter() - started, 1)
    settings = settings_from_env()
    with Store.open(settings) as store:
        figures = measure(store)
    if not args.home:
        arcadedb_server.stop(settings)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    result = {
        "command": "bench/bench_concepts.py " + " ".join(sys.argv[1:]),
        "commit": commit.strip(),
        "cpu": cpu_kind(),
        "corpus": str(args.corpus.name),
        "ingest_seconds": ingest_seconds,
        **figures,
    }
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    summary = {k: v for k, v in result.items() if not k.endswith(("examples", "first_shown", "where"))}
    print(json.dumps(summary, indent=2))
    print(f"written to {RESULT}")


if __name__ == "__main__":
    main()
