"""Predicted links in the store: write a run's best new links with explanations, or clear them.

* ``predict_links``: with a run's model, passing messages over the whole
  current graph, give every node of each target type its ``top_k`` best new
  partners (``analysis.linkpred.scoring``), in both directions of the type;
  explain each (``analysis.linkpred.explanations``); and write them as
  ``PREDICTED_LINK`` relationships (``PREDICTED_LINK_PROPERTIES``).
* ``clear_predictions``: delete one run's predicted links, or all.

Predicted links are the only relationships written here; extracted facts are
never touched.  Writing is idempotent per run: each link is MERGEd on its two
nodes and ``run_id``, and a run's links that a new prediction no longer
yields are deleted, so the store holds exactly the latest prediction of each run.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from analysis.linkpred import DEFAULT_TOP_K
from analysis.linkpred.explanations import LinkExplainer, explain_links
from analysis.linkpred.scoring import PredictedLink, load_run, top_new_links
from analysis.linkpred.store_graph import edge_type_name
from graph_schema.progress import Progress, no_progress
from graph_schema.schema import Label, Rel
from graph_schema.store import Store
from models.linkpred.runs import Run, utc_timestamp
from models.linkpred.train import link_predictor_scorer

# What every PREDICTED_LINK carries; ``explanation`` is a JSON string (see ``LinkExplainer``).
PREDICTED_LINK_PROPERTIES = ("score", "model", "run_id", "created", "target_type", "explanation")


@dataclass
class PredictionSummary:
    run_id: str
    model: str
    written: dict[str, int] = field(default_factory=dict)  # target type -> links
    removed: int = 0  # the run's earlier links that this prediction no longer yields
    scored_pairs: int = 0
    scoring_seconds: float = 0.0  # encoding the graph once and scoring every candidate pair
    explaining_seconds: float = 0.0
    writing_seconds: float = 0.0
    seconds: float = 0.0  # all of it, reading the graph and loading the model included

    @property
    def total_written(self) -> int:
        return sum(self.written.values())

    @property
    def pairs_per_second(self) -> float:
        return self.scored_pairs / self.scoring_seconds if self.scoring_seconds else 0.0


def predict_links(
    store: Store, run: Run, top_k: int = DEFAULT_TOP_K, progress: Progress = no_progress
) -> PredictionSummary:
    started = time.perf_counter()
    progress(f"loading run {run.run_id} and reading the graph")
    loaded = load_run(store, run)
    summary = PredictionSummary(run.run_id, run.model_name)
    scoring_started = time.perf_counter()
    scorer = link_predictor_scorer(loaded.model, loaded.message_passing, run.model_name)
    links: list[PredictedLink] = []
    for edge_type in run.target_edge_types:
        found, scored = top_new_links(scorer, run.model_name, loaded.full_graph, edge_type, top_k)
        links += found
        summary.scored_pairs += scored
    summary.scoring_seconds = time.perf_counter() - scoring_started
    progress(
        f"scored {summary.scored_pairs:,} pairs in {summary.scoring_seconds:.1f} s; explaining {len(links):,} links"
    )
    explaining_started = time.perf_counter()
    explanations = explain_links(LinkExplainer(loaded.graph.snapshot), loaded.graph, links)
    summary.explaining_seconds = time.perf_counter() - explaining_started
    created = utc_timestamp()
    rows_by_labels: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for link, explanation in zip(links, explanations):
        src_type, _, dst_type = link.edge_type
        rows_by_labels[(src_type, dst_type)].append(
            {
                "a": loaded.graph.node_keys[src_type][link.source][1],
                "b": loaded.graph.node_keys[dst_type][link.target][1],
                "score": link.score,
                "model": run.model_name,
                "run_id": run.run_id,
                "created": created,
                "target_type": edge_type_name(link.edge_type),
                "explanation": json.dumps(explanation),
            }
        )
    summary.written = dict(Counter(edge_type_name(link.edge_type) for link in links))
    progress(f"writing {len(links):,} predicted links")
    writing_started = time.perf_counter()
    for (src_label, dst_label), rows in rows_by_labels.items():
        store.write_rows(_merge_predicted_links(src_label, dst_label), rows)
    summary.removed = _delete_predicted_links(
        store, "r.run_id = $run AND r.created <> $created", run=run.run_id, created=created
    )
    summary.writing_seconds = time.perf_counter() - writing_started
    summary.seconds = time.perf_counter() - started
    return summary


def _merge_predicted_links(src_label: str, dst_label: str) -> str:
    return f"""UNWIND $rows AS row
        MATCH (a:{Label(src_label)} {{id: row.a}}), (b:{Label(dst_label)} {{id: row.b}})
        MERGE (a)-[r:{Rel.PREDICTED_LINK} {{run_id: row.run_id}}]->(b)
        SET r.score = row.score, r.model = row.model, r.created = row.created,
            r.target_type = row.target_type, r.explanation = row.explanation"""


def clear_predictions(store: Store, run_id: str | None = None) -> int:
    """Delete the predicted links of one run (or of every run); returns how many."""
    if run_id is None:
        return _delete_predicted_links(store, "true")
    return _delete_predicted_links(store, "r.run_id = $run", run=run_id)


def _delete_predicted_links(store: Store, condition: str, **params) -> int:
    return store.delete_in_batches(f"MATCH ()-[r:{Rel.PREDICTED_LINK}]->() WHERE {condition}", "DELETE r", **params)
