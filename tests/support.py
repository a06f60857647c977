"""What several test modules share: paths, the CLI runner, ``../shared`` data, and the
stand-in extractor.

``GazetteerExtractor`` is a word-list stand-in for the trained extractor: the
concept layer it makes on the sample corpus is known and does not change
when the model is retrained, so tests can check exact values.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from analysis.aggregates import COUNTS, EXPLORE_START, TRENDS
from graph_schema.corpus_state import GENERATION
from graph_schema.schema import CORPUS_STATE, Label
from ingest.extract import split_abstract
from ingest.pipeline import ingest_paths
from ingest.records import ConceptRelation, Extraction, Mention, Sentence

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "corpus"
SHARED = REPO.parent / "shared"
ARTIFACTS = REPO / "test-artifacts"


def run_cli(*args: str, check: bool = False, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed ``papergraph`` command against the session's server."""
    command = [sys.executable, "-m", "ui.cli", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO, env=os.environ.copy())
    if check and result.returncode != 0:
        raise AssertionError(f"papergraph {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the project's ../shared data), which is absent here")
    return path


# SciERC type -> surface forms the stand-in extractor finds.
GAZETTEER = {
    "Method": (
        "large language models",
        "LLMs",
        "LLM",
        "transformer",
        "transformers",
        "diffusion models",
        "diffusion model",
        "Mixture-of-Experts",
        "MoE",
        "LoRA",
        "reinforcement learning",
        "retrieval-augmented generation",
        "RAG",
        "attention",
        "neural networks",
        "stochastic gradient descent",
        "fine-tuning",
        "agents",
    ),
    "Task": (
        "continual learning",
        "image generation",
        "question answering",
        "reasoning",
        "segmentation",
        "speech recognition",
        "retrieval",
        "code generation",
    ),
    # "benchmarks" is found as a Material, as the real model does, and resolution drops it: not a named dataset.
    "Material": ("ImageNet", "COCO", "MMLU", "benchmarks"),
    "Metric": ("accuracy", "FID", "latency", "perplexity"),
}
# Which SciERC relation two types in one sentence stand in, head type first.
RELATION_OF_TYPES = {
    ("Method", "Task"): "USED-FOR",
    ("Material", "Method"): "EVALUATE-FOR",
    ("Metric", "Method"): "EVALUATE-FOR",
    ("Method", "Method"): "COMPARE",
    ("Task", "Task"): "CONJUNCTION",
}


@cache
def _gazetteer_pattern() -> re.Pattern:
    forms = sorted((form for forms in GAZETTEER.values() for form in forms), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(form) for form in forms) + r")\b")


def _type_of(form: str) -> str:
    return next(type_ for type_, forms in GAZETTEER.items() if form in forms)


class GazetteerExtractor:
    """Finds the gazetteer's words; relates the mentions of each sentence."""

    version = "gazetteer-test"

    def extract_many(self, abstracts: list[str]) -> list[Extraction]:
        results = []
        for abstract in abstracts:
            sentences = [sentence for sentence, _ in split_abstract(abstract)]
            mentions, relations = [], []
            for sentence in sentences:
                found = [
                    Mention(
                        sentence.index,
                        sentence.start + m.start(),
                        sentence.start + m.end(),
                        m.group(),
                        _type_of(m.group()),
                        0.9,
                    )
                    for m in _gazetteer_pattern().finditer(sentence.text)
                ]
                mentions += found
                for head in found:
                    for tail in found:
                        relation = RELATION_OF_TYPES.get((head.type, tail.type))
                        if relation and head.start < tail.start:
                            relations.append(ConceptRelation(head, tail, relation, 0.8))
            results.append(Extraction(sentences, mentions, relations))
        return results


def load_corpus_with_gazetteer(store) -> None:
    """Wipe ``store`` and ingest the sample corpus, extracting with the stand-in."""
    store.wipe()
    ingest_paths(store, [CORPUS], extractor=GazetteerExtractor())


def holds_gazetteer_corpus(store) -> bool:
    row = store.read(
        f"MATCH (p:{Label.PAPER}) RETURN count(p) AS papers, "
        "sum(CASE WHEN p.extractor_version = $version THEN 1 ELSE 0 END) AS extracted",
        version=GazetteerExtractor.version,
    )[0]
    return row["papers"] == row["extracted"] == 286


CONTINUAL_LEARNING_PAPER = "Statistical mechanics of continual learning"


def graph_dump(store) -> dict[str, list]:
    """Every node and relationship with all its properties, in an order that
    does not depend on how or when they were written: for comparing two stores.  Of the
    bookkeeping nodes (``graph_schema.corpus_state``), the corpus totals and Trends' lists only: the others, and
    the generations, count what ran and who looked rather than what was written."""
    nodes = [
        row
        for row in store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
        if CORPUS_STATE not in row["labels"] or row["props"].get("id") in (COUNTS, TRENDS, EXPLORE_START)
    ]
    for row in nodes:
        if CORPUS_STATE in row["labels"]:
            row["props"].pop(GENERATION, None)
    relationships = store.read(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props"
    )

    def key(row: dict) -> str:
        return json.dumps(row, sort_keys=True, default=str)

    return {
        "nodes": sorted(({"labels": sorted(row["labels"]), "props": row["props"]} for row in nodes), key=key),
        "relationships": sorted(relationships, key=key),
    }


def graph_difference(a: dict[str, list], b: dict[str, list], limit: int = 5) -> list[str]:
    """What differs between two ``graph_dump``s, a line per node or relationship, for assertion messages."""

    def keyed(dump: dict[str, list]) -> dict[tuple, dict]:
        found = {("node", tuple(n["labels"]), n["props"].get("id")): n["props"] for n in dump["nodes"]}
        found.update({("rel", r["type"], r["a"], r["b"]): r["props"] for r in dump["relationships"]})
        return found

    left, right = keyed(a), keyed(b)
    lines = []
    for key in sorted(set(left) | set(right), key=str):
        x, y = left.get(key), right.get(key)
        if x == y:
            continue
        if x is None or y is None:
            lines.append(f"{key}: only in the {'second' if x is None else 'first'}")
        else:
            changed = {p: (x.get(p), y.get(p)) for p in sorted(set(x) | set(y)) if x.get(p) != y.get(p)}
            lines.append(f"{key}: {json.dumps(changed, default=str)[:600]}")
    return lines[:limit] + ([f"... {len(lines) - limit} more"] if len(lines) > limit else [])


def split_sentences(abstract: str) -> list[Sentence]:
    """Sentences ending in ". " or at the end: enough for the tests' fixed abstracts."""
    spans = re.finditer(r"\S.*?[.!?](?=\s|$)", abstract)
    return [Sentence(i, m.start(), m.end(), m.group()) for i, m in enumerate(spans)]


def typed_mentions(abstract: str, typed: list[tuple[str, str]]) -> list[Mention]:
    """Mentions of ``typed`` (text, SciERC type), found in order, each of confidence 0.9."""
    found, position = [], 0
    for text, scierc_type in typed:
        start = abstract.index(text, position)
        sentence = sum(s.end <= start for s in split_sentences(abstract))
        found.append(Mention(sentence, start, start + len(text), text, scierc_type, 0.9))
        position = start + len(text)
    return found


# Debian's Chromium, driven by Playwright (never `playwright install`).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
