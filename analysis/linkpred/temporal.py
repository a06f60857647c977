"""Checked against the future: learn from the papers up to a year, rank the links first written after it.

Held-out links of one graph say little about whether a predicted link is one that papers
later write.  Here the store's dated papers are cut at the end of ``until``:

* the *past graph* holds the papers dated up to then, what they mention, and every concept
  relation some past paper wrote (a relation's ``papers`` property says which papers wrote it);
* the *future links* are the relations of a target type (methods used for tasks, methods
  evaluated on datasets) that a paper dated after ``until`` and up to ``horizon`` first wrote,
  between two concepts the past graph already has and no past fact joins.  Links to concepts
  that did not exist yet, and pairs already joined, are counted and left out.

A run is trained on the past graph as ``papergraph linkpred train`` trains one (its own
validation links, early stopping and calibration), and then it and every baseline rank each
future link against the same random and hard negatives (pairs joined neither in the past nor in
the future), message passing over the whole past graph, through the one evaluator.  Finally the
run predicts links from the past graph as ``papergraph linkpred predict`` would (a few per node,
above the threshold) and we count how many of them were written later; Adamic-Adar, given the
same per-node limit and as many links, is counted next to it.

The result is saved as ``$PAPERGRAPH_HOME/linkpred-temporal.json`` for the app to show.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis.graph_reader import GraphSnapshot, read_graph
from analysis.linkpred import DEFAULT_THRESHOLD, DEFAULT_TOP_K
from analysis.linkpred.exclusions import read_node_filter
from analysis.linkpred.scoring import PredictedLink, best_new_links
from analysis.linkpred.store_graph import (
    CONCEPT_TARGETS,
    DEFAULT_TARGETS,
    StoreGraph,
    build_store_graph,
    edge_type_name,
)
from analysis.linkpred.text_features import MINILM, text_encoder
from analysis.linkpred.training import NotEnoughLinks, fit_on_graph
from graph_schema.errors import PapergraphError
from graph_schema.progress import Progress, no_progress
from graph_schema.schema import CONCEPT_LABELS, CONCEPT_RELATIONS, Label, Rel
from graph_schema.settings import create_home, papergraph_home
from graph_schema.store import Store
from models.linkpred import DEFAULT_NEGATIVES
from models.linkpred.candidates import DropCounts, NodeFilter
from models.linkpred.comparison import mean_over_edge_types
from models.linkpred.heuristics import ADAMIC_ADAR, heuristic_scorer
from models.linkpred.split import EdgeType, LinkSplit, canonical_pairs, is_undirected, split_hetero_edges
from models.linkpred.train import link_predictor_scorer

RESULT_FILE = "linkpred-temporal.json"
DEFAULT_HORIZON_YEARS = 2
TEMPORAL_TARGETS: tuple[EdgeType, ...] = CONCEPT_TARGETS
SCORE_BINS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
# The predictions counted against the future: the run's as written, then (like Adamic-Adar's) without a threshold.
MODEL = "model"
MODEL_WITHOUT_THRESHOLD = "model, no threshold"


class NoTemporalSplit(PapergraphError):
    """The store's dates do not allow this cut: no dated papers, none on one side, or a horizon not after it."""


@dataclass
class DatedGraph:
    """The store's graph with the year each paper was written and each concept relation was first written."""

    snapshot: GraphSnapshot
    paper_years: dict[str, int]  # paper id -> year (papers without a date are absent)
    first_written: dict[tuple, int] = field(default_factory=dict)  # (source, rel, target) -> earliest year


def paper_year(year, date) -> int | None:
    """A paper's year from its ``year`` property or the first four digits of its ``date``."""
    if isinstance(year, int):
        return year
    text = str(date or year or "")[:4]
    return int(text) if text.isdigit() else None


def read_dated_graph(store: Store) -> DatedGraph:
    snapshot = read_graph(store)
    paper_years = {}
    for page in store.read_pages_by_id(Label.PAPER, "RETURN n.id AS id, n.year AS year, n.date AS date"):
        for row in page:
            year = paper_year(row["year"], row["date"])
            if year is not None:
                paper_years[row["id"]] = year
    types = "|".join(rel.value for rel in CONCEPT_RELATIONS)
    written_by = f"""OPTIONAL MATCH (n)-[r:{types}]->(b)
        RETURN n.id AS id, collect([type(r), labels(b)[0], b.id, r.papers]) AS facts"""
    first_written = {}
    for label in CONCEPT_LABELS:
        for page in store.read_pages_by_id(label, written_by):
            for row in page:
                for rel, target_label, target_id, papers in row["facts"]:
                    years = [paper_years[paper] for paper in papers or () if paper in paper_years]
                    if rel is not None and years:
                        first_written[((label.value, row["id"]), rel, (target_label, target_id))] = min(years)
    return DatedGraph(snapshot, paper_years, first_written)


def past_snapshot(dated: DatedGraph, until: int) -> GraphSnapshot:
    """Papers dated up to ``until``, their mentions, the relations written by then, and the concepts these reach."""
    paper = Label.PAPER.value
    edges = []
    for source, rel, target in dated.snapshot.edges:
        if rel == Rel.MENTIONS.value:
            if source[0] == paper and dated.paper_years.get(source[1], until + 1) <= until:
                edges.append((source, rel, target))
        elif dated.first_written.get((source, rel, target), until + 1) <= until:
            edges.append((source, rel, target))
    kept = {node for edge in edges for node in (edge[0], edge[2])}
    kept |= {(paper, paper_id) for paper_id, year in dated.paper_years.items() if year <= until}
    return GraphSnapshot({key: props for key, props in dated.snapshot.nodes.items() if key in kept}, edges)


@dataclass
class FutureLinks:
    positives: dict[EdgeType, np.ndarray]  # local ids in the past graph, never joined before
    new_concept: dict[EdgeType, int]  # links first written later with an end the past graph lacks
    joined_before: dict[EdgeType, int]  # ... between nodes some past fact already joined


def future_links(dated: DatedGraph, past: StoreGraph, until: int, horizon: int) -> FutureLinks:
    adjacency = past.link_graph().adjacency
    offsets = past.link_graph().offsets
    found: dict[EdgeType, set] = defaultdict(set)
    new_concept: dict[EdgeType, int] = defaultdict(int)
    joined_before: dict[EdgeType, int] = defaultdict(int)
    targets = set(TEMPORAL_TARGETS)
    for (source, rel, target), year in dated.first_written.items():
        edge_type = (source[0], rel, target[0])
        if edge_type not in targets or not until < year <= horizon:
            continue
        if source not in past.index or target not in past.index:
            new_concept[edge_type] += 1
            continue
        src, dst = past.index[source], past.index[target]
        if adjacency[offsets[source[0]] + src, offsets[target[0]] + dst]:
            joined_before[edge_type] += 1
            continue
        found[edge_type].add((src, dst))
    positives = {
        edge_type: canonical_pairs(np.array(sorted(found[edge_type]), dtype=np.int64), is_undirected(edge_type))
        for edge_type in TEMPORAL_TARGETS
        if found[edge_type]
    }
    return FutureLinks(positives, dict(new_concept), dict(joined_before))


def temporal_split(training: LinkSplit, future: dict[EdgeType, np.ndarray]) -> LinkSplit:
    """The past graph whole (every past target link, none held out) with the future links as test links."""
    empty = np.zeros((0, 2), np.int64)
    return LinkSplit(
        num_nodes=dict(training.num_nodes),
        context_edges=dict(training.context_edges),
        train={edge_type: training.known_pairs(edge_type) for edge_type in training.target_edge_types},
        val={edge_type: empty for edge_type in training.target_edge_types},
        test={
            edge_type: future.get(edge_type, empty) for edge_type in training.target_edge_types if edge_type in future
        },
        features=dict(training.features),
    )


def evaluate_temporal(
    store: Store,
    *,
    until: int,
    horizon: int | None = None,
    text_features: str = MINILM,
    max_epochs: int | None = None,
    seed: int = 0,
    num_negatives: int = DEFAULT_NEGATIVES,
    top_k: int = DEFAULT_TOP_K,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress = no_progress,
) -> dict:
    """Train on the past, test on the future; the result (also saved, see ``save_result``)."""
    started = time.perf_counter()
    horizon = until + DEFAULT_HORIZON_YEARS if horizon is None else horizon
    if horizon <= until:
        raise NoTemporalSplit(f"the horizon ({horizon}) must come after the last year of the past ({until})")
    progress("reading the dated graph")
    dated = read_dated_graph(store)
    years = sorted(dated.paper_years.values())
    if not years:
        raise NoTemporalSplit("no paper in the store has a date or year; a temporal check needs dated papers")
    past_papers = sum(1 for year in years if year <= until)
    future_papers = sum(1 for year in years if until < year <= horizon)
    if past_papers == 0 or future_papers == 0:
        missing = f"up to {until}" if not past_papers else f"in {until + 1}-{horizon}"
        raise NoTemporalSplit(f"papers are dated {years[0]} to {years[-1]}: none {missing}")
    past = build_store_graph(past_snapshot(dated, until), encoder=text_encoder(text_features), targets=DEFAULT_TARGETS)
    if not past.target_edge_types:
        raise NotEnoughLinks(f"the papers up to {until} have too few links of any target type to learn from")
    future = future_links(dated, past, until, horizon)
    # Links no prediction may make (to or from a generic concept, between two names of one concept) are not asked for.
    node_filter = read_node_filter(store, past)
    future_targets, excluded = {}, {}
    for edge_type, pairs in future.positives.items():
        if edge_type in past.target_edge_types:
            allowed = _allowed_pairs(node_filter, edge_type, pairs)
            future_targets[edge_type], excluded[edge_type_name(edge_type)] = pairs[allowed], int((~allowed).sum())
    if not future_targets:
        raise NotEnoughLinks(
            f"no {', '.join(edge_type_name(t) for t in TEMPORAL_TARGETS)} link was first written in "
            f"{until + 1}-{horizon} between concepts the papers up to {until} already have"
        )
    progress(
        f"{past_papers:,} papers up to {until}, {future_papers:,} in {until + 1}-{horizon}; future links: "
        + ", ".join(f"{edge_type_name(t)} {len(p):,}" for t, p in future_targets.items())
    )
    training = split_hetero_edges(past.data, past.target_edge_types, test_fraction=0.0, seed=seed)
    evaluation = temporal_split(training, future_targets)
    fitted = fit_on_graph(
        training,
        evaluation=evaluation,
        max_epochs=max_epochs,
        seed=seed,
        num_negatives=num_negatives,
        progress=progress,
    )
    report = fitted.report
    progress("predicting from the past graph")
    predicted = _predicted_then_written(
        fitted, evaluation, future_targets, node_filter, top_k=top_k, threshold=threshold
    )
    result = {
        "until": until,
        "horizon": horizon,
        "papers": {
            "past": past_papers,
            "future": future_papers,
            "undated": sum(1 for key in dated.snapshot.nodes if key[0] == Label.PAPER.value) - len(years),
        },
        "future_links": {edge_type_name(t): int(len(p)) for t, p in future_targets.items()},
        "left_out": {
            "new_concept": {edge_type_name(t): n for t, n in future.new_concept.items()},
            "joined_before": {edge_type_name(t): n for t, n in future.joined_before.items()},
            "generic_or_one_concept": excluded,
        },
        "chosen_model": fitted.chosen,
        "text_features": text_features,
        "seed": seed,
        "num_negatives": num_negatives,
        "summary": [row.as_json() for row in mean_over_edge_types(report.rows)],
        "results": [{"edge_type": edge_type_name(row.edge_type), **row.as_json()} for row in report.rows],
        "training": fitted.training_summary(),
        "predicted": predicted,
        "seconds": round(time.perf_counter() - started, 1),
    }
    return result


def _allowed_pairs(node_filter: NodeFilter, edge_type: EdgeType, pairs: np.ndarray) -> np.ndarray:
    src, dst = pairs[:, 0], pairs[:, 1]
    return node_filter.allowed_ends(edge_type, src, dst) & ~node_filter.one_concept(edge_type, src, dst)


def _predicted_then_written(
    fitted,
    evaluation: LinkSplit,
    future: dict[EdgeType, np.ndarray],
    node_filter: NodeFilter,
    *,
    top_k: int,
    threshold: float,
) -> dict:
    """How many of the links predicted from the past graph were written later: the chosen GNN with
    the threshold, and the GNN and Adamic-Adar with the same per-node limit and no threshold."""
    graph = evaluation.graph
    scorer = link_predictor_scorer(fitted.model, graph, fitted.chosen)
    adamic_adar = heuristic_scorer(graph)
    rows = {}
    for edge_type, positives in future.items():
        written = {tuple(pair) for pair in positives.tolist()}
        runs = {
            MODEL: (scorer, fitted.chosen, fitted.calibration, threshold),
            MODEL_WITHOUT_THRESHOLD: (scorer, fitted.chosen, fitted.calibration, -np.inf),
            ADAMIC_ADAR: (adamic_adar, ADAMIC_ADAR, RawScores(), -np.inf),
        }
        found = {}
        for name, (score, column, calibration, least) in runs.items():
            counts = DropCounts()
            links = best_new_links(
                score,
                column,
                graph,
                edge_type,
                calibration,
                per_node=top_k,
                threshold=least,
                node_filter=node_filter,
                counts=counts,
            )
            found[name] = _appeared(links, written)
            if name == MODEL:
                found[name]["by_score"] = _appeared_by_score(links, written)
                found[name]["why"] = counts.as_json()
        rows[edge_type_name(edge_type)] = found
    return {"per_node": top_k, "threshold": threshold, "by_target_type": rows}


class RawScores:
    """A heuristic's scores as they are: they only rank, and a sigmoid would tie the large ones."""

    def probability(self, edge_type: EdgeType, scores) -> np.ndarray:
        return np.asarray(scores, dtype=np.float64)


def _appeared(links: list[PredictedLink], written: set) -> dict:
    appeared = sum(1 for link in links if (link.source, link.target) in written)
    return {"predicted": len(links), "appeared": appeared, "share": appeared / len(links) if links else 0.0}


def _appeared_by_score(links: list[PredictedLink], written: set) -> list[dict]:
    rows = []
    for low, high in zip(SCORE_BINS, SCORE_BINS[1:]):
        inside = [link for link in links if low <= link.score < high or (high == 1.0 and link.score == 1.0)]
        if inside:
            rows.append({"from": low, "to": high, **_appeared(inside, written)})
    return rows


def temporal_sentences(result: dict) -> list[str]:
    """One sentence per target type: of the links predicted from the past, how many appeared later."""
    span = f"{result['until'] + 1}–{result['horizon']}"
    sentences = []
    for target_type, found in result["predicted"]["by_target_type"].items():
        model, unthresholded, heuristic = found[MODEL], found[MODEL_WITHOUT_THRESHOLD], found[ADAMIC_ADAR]
        sentences.append(
            f"{target_type}: of {model['predicted']:,} links the model predicted from papers up to {result['until']} "
            f"(score ≥ {result['predicted']['threshold']:g}, at most {result['predicted']['per_node']} per node), "
            f"{model['appeared']:,} appeared in {span} ({model['share']:.1%}); without the threshold "
            f"{unthresholded['appeared']:,} of {unthresholded['predicted']:,} ({unthresholded['share']:.1%}), "
            f"Adamic-Adar {heuristic['appeared']:,} of {heuristic['predicted']:,} ({heuristic['share']:.1%})."
        )
    return sentences


def result_path(home: Path | None = None) -> Path:
    return (home or papergraph_home()) / RESULT_FILE


def save_result(result: dict, home: Path | None = None) -> Path:
    """Replace the saved result whole."""
    path = result_path(home)
    create_home(path.parent)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        json.dump(result, handle, indent=2)
    os.replace(handle.name, path)
    return path


def read_result(home: Path | None = None) -> dict | None:
    try:
        return json.loads(result_path(home).read_text())
    except (FileNotFoundError, ValueError):
        return None
