"""Predicted links in the store: write a run's few best new links with explanations, or clear them.

* ``predict_links``: with a run's model, passing messages over the whole current graph,
  score the candidate pairs of each target type (nodes at most three facts apart, joined by
  none, neither a generic concept, not one name; ``analysis.linkpred.exclusions``), turn the
  logits into calibrated scores, and keep those at or above ``threshold``, at most ``per_node``
  per node and target type, best first (``models.linkpred.candidates``).  Each is explained
  (``analysis.linkpred.explanations``) and written as a ``PREDICTED_LINK``
  (``PREDICTED_LINK_PROPERTIES``).  The summary says how many were written and, per reason,
  how many candidate pairs were not.  Once they are written, their run is the one shown
  (``analysis.linkpred.shown_run``).
* ``clear_predictions``: delete one run's predicted links, or all.

Predicted links are the only relationships written here; extracted facts are never touched.
Writing is idempotent per run: each link is MERGEd on its two nodes and ``run_id``, and a run's
links that a new prediction no longer yields are deleted, so the store holds exactly the latest
prediction of each run.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field

from analysis.linkpred import DEFAULT_THRESHOLD, DEFAULT_TOP_K
from analysis.linkpred.exclusions import generic_count, read_node_filter
from analysis.linkpred.explanations import LinkExplainer, explain_links
from analysis.linkpred.scoring import PredictedLink, best_new_links, load_run
from analysis.linkpred.shown_run import newest_run_with_links, record_shown_run, shown_run
from analysis.linkpred.store_graph import edge_type_name
from graph_schema.progress import Progress, no_progress
from graph_schema.schema import Label, Rel
from graph_schema.store import Store
from models.linkpred.candidates import BELOW_THRESHOLD, OVER_LIMIT, REASONS, DropCounts
from models.linkpred.runs import Run, utc_timestamp
from models.linkpred.train import link_predictor_scorer

# What every PREDICTED_LINK carries.  ``score`` is the calibrated probability, ``logit`` the
# model's raw output, ``rank`` the link's place (1 = best) among its source's links of the
# type, ``explanation`` JSON (see ``LinkExplainer``), ``explanation_text`` the same in words.
PREDICTED_LINK_PROPERTIES = (
    "score",
    "logit",
    "rank",
    "model",
    "run_id",
    "created",
    "target_type",
    "explanation",
    "explanation_text",
)


@dataclass
class PredictionSummary:
    run_id: str
    model: str
    per_node: int = DEFAULT_TOP_K
    threshold: float = DEFAULT_THRESHOLD
    written: dict[str, int] = field(default_factory=dict)  # target type -> links
    counts: dict[str, DropCounts] = field(default_factory=dict)  # target type -> why the others were not written
    generic_nodes: int = 0  # concepts marked generic, which no link touches
    removed: int = 0  # the run's earlier links that this prediction no longer yields
    scoring_seconds: float = 0.0  # finding candidates, encoding the graph once and scoring them
    explaining_seconds: float = 0.0
    writing_seconds: float = 0.0
    seconds: float = 0.0  # all of it, reading the graph and loading the model included

    @property
    def total_written(self) -> int:
        return sum(self.written.values())

    @property
    def scored_pairs(self) -> int:
        return sum(counts.scored for counts in self.counts.values())

    @property
    def pairs_per_second(self) -> float:
        return self.scored_pairs / self.scoring_seconds if self.scoring_seconds else 0.0

    def dropped(self) -> dict[str, int]:
        """Candidate pairs not written, by reason, over every target type."""
        total = DropCounts()
        for counts in self.counts.values():
            total.add(counts)
        return {reason: int(total.dropped[reason]) for reason in REASONS if total.dropped[reason]}

    def why(self) -> str:
        """One sentence: what was written, and why not more."""
        dropped = self.dropped()
        scored = f"of {self.scored_pairs:,} scored candidate pairs (nodes at most three facts apart, joined by none)"
        kept = (
            f"{dropped.get(BELOW_THRESHOLD, 0):,} scored below {self.threshold:g} and "
            f"{dropped.get(OVER_LIMIT, 0):,} were beyond {self.per_node} per node"
        )
        excluded = [
            f"{count:,} {reason}" for reason, count in dropped.items() if reason not in (BELOW_THRESHOLD, OVER_LIMIT)
        ]
        text = f"wrote {self.total_written:,} predicted links: {scored}, {kept}"
        if excluded:
            text += "; not scored: " + ", ".join(excluded)
        return text

    def as_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "model": self.model,
            "per_node": self.per_node,
            "threshold": self.threshold,
            "written": self.written,
            "by_target_type": {name: counts.as_json() for name, counts in self.counts.items()},
            "dropped": self.dropped(),
            "generic_nodes": self.generic_nodes,
            "removed": self.removed,
            "seconds": {
                "scoring": round(self.scoring_seconds, 2),
                "explaining": round(self.explaining_seconds, 2),
                "writing": round(self.writing_seconds, 2),
                "total": round(self.seconds, 2),
            },
        }


def predict_links(
    store: Store,
    run: Run,
    top_k: int = DEFAULT_TOP_K,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress = no_progress,
) -> PredictionSummary:
    """``top_k``: the most links per node and target type; ``threshold``: the least calibrated score."""
    started = time.perf_counter()
    progress(f"loading run {run.run_id} and reading the graph")
    loaded = load_run(store, run)
    node_filter = read_node_filter(store, loaded.graph)
    summary = PredictionSummary(
        run.run_id, run.model_name, per_node=top_k, threshold=threshold, generic_nodes=generic_count(node_filter)
    )
    scoring_started = time.perf_counter()
    scorer = link_predictor_scorer(loaded.model, loaded.message_passing, run.model_name)
    links: list[PredictedLink] = []
    for edge_type in run.target_edge_types:
        counts = summary.counts.setdefault(edge_type_name(edge_type), DropCounts())
        found = best_new_links(
            scorer,
            run.model_name,
            loaded.full_graph,
            edge_type,
            loaded.calibration,
            per_node=top_k,
            threshold=threshold,
            node_filter=node_filter,
            counts=counts,
        )
        summary.written[edge_type_name(edge_type)] = len(found)
        links += found
    summary.scoring_seconds = time.perf_counter() - scoring_started
    progress(
        f"scored {summary.scored_pairs:,} pairs in {summary.scoring_seconds:.1f} s; explaining {len(links):,} links"
    )
    explaining_started = time.perf_counter()
    explanations = explain_links(LinkExplainer(loaded.graph.snapshot), loaded.graph, links)
    summary.explaining_seconds = time.perf_counter() - explaining_started
    created = utc_timestamp()
    rows_by_labels: dict[tuple[str, str], list[dict]] = defaultdict(list)
    ranks: dict[tuple, int] = defaultdict(int)
    for link, explanation in zip(links, explanations):
        src_type, _, dst_type = link.edge_type
        ranks[(link.edge_type, link.source)] += 1  # links come best first within each type
        text = explanation.pop("text")
        rows_by_labels[(src_type, dst_type)].append(
            {
                "a": loaded.graph.node_keys[src_type][link.source][1],
                "b": loaded.graph.node_keys[dst_type][link.target][1],
                "score": link.score,
                "logit": link.logit,
                "rank": ranks[(link.edge_type, link.source)],
                "model": run.model_name,
                "run_id": run.run_id,
                "created": created,
                "target_type": edge_type_name(link.edge_type),
                "explanation": json.dumps(explanation),
                "explanation_text": text,
            }
        )
    progress(f"writing {len(links):,} predicted links")
    writing_started = time.perf_counter()
    for (src_label, dst_label), rows in rows_by_labels.items():
        store.write_rows(_merge_predicted_links(src_label, dst_label), rows)
    summary.removed = _delete_predicted_links(
        store, "r.run_id = $run AND r.created <> $created", run=run.run_id, created=created
    )
    record_shown_run(store, run.run_id)
    summary.writing_seconds = time.perf_counter() - writing_started
    summary.seconds = time.perf_counter() - started
    return summary


def _merge_predicted_links(src_label: str, dst_label: str) -> str:
    return f"""UNWIND $rows AS row
        MATCH (a:{Label(src_label)} {{id: row.a}}), (b:{Label(dst_label)} {{id: row.b}})
        MERGE (a)-[r:{Rel.PREDICTED_LINK} {{run_id: row.run_id}}]->(b)
        SET r.score = row.score, r.logit = row.logit, r.rank = row.rank, r.model = row.model,
            r.created = row.created, r.target_type = row.target_type, r.explanation = row.explanation,
            r.explanation_text = row.explanation_text"""


def read_predicted_links(
    store: Store,
    limit: int = 200,
    *,
    target_type: str | None = None,
    run_id: str | None = None,
    min_score: float = 0.0,
) -> list[dict]:
    """The best-scored predicted links of one run (default: the one shown, ``shown_run``), of one
    target type if given, with their explanation in words (``explanation``)."""
    conditions = ["r.score >= $min_score", "r.run_id = $run_id"]
    run_id = run_id or shown_run(store)
    if target_type:
        conditions.append("r.target_type = $target_type")
    return store.read(
        f"""MATCH (a)-[r:{Rel.PREDICTED_LINK}]->(b) WHERE {" AND ".join(conditions)}
        RETURN labels(a)[0] AS source_label, a.id AS source_id, coalesce(a.name, a.title) AS source,
               labels(b)[0] AS target_label, b.id AS target_id, coalesce(b.name, b.title) AS target,
               r.score AS score, r.rank AS rank, r.target_type AS target_type, r.model AS model,
               r.run_id AS run, r.created AS created, r.explanation_text AS explanation
        ORDER BY score DESC, source, target LIMIT $limit""",
        limit=limit,
        target_type=target_type,
        run_id=run_id,
        min_score=min_score,
    )


def clear_predictions(store: Store, run_id: str | None = None) -> int:
    """Delete the predicted links of one run (or of every run); returns how many.  Where they were
    the links shown, the run that wrote the remaining ones last is shown (none, after all)."""
    if run_id is None:
        removed = _delete_predicted_links(store, "true")
        record_shown_run(store, None)
        return removed
    shown = shown_run(store)
    removed = _delete_predicted_links(store, "r.run_id = $run", run=run_id)
    if shown == run_id:
        record_shown_run(store, newest_run_with_links(store))
    return removed


def _delete_predicted_links(store: Store, condition: str, **params) -> int:
    return store.delete_in_batches(f"MATCH ()-[r:{Rel.PREDICTED_LINK}]->() WHERE {condition}", "DELETE r", **params)
