"""Trained link-prediction runs on disk, one folder each: ``$PAPERGRAPH_HOME/runs/<run_id>/``.

* ``model.pt``: the chosen GNN's weights (a state dict, a few MB).
* ``config.json``: what rebuilds it: the model's name and ``ModelConfig``,
  the text features, the target edge types and every edge type it passes
  messages over, the seed and the training settings, and the calibration
  of its scores (``calibration.Calibration``).
* ``metrics.json``: the evaluator's rows for every model and baseline,
  training histories, the graph's size, seconds.

Run ids start with the UTC time they were made, so they sort oldest first.
Weights do not depend on node counts (the model has no per-node
parameters), so a run can encode the store's graph after it has grown;
edge types it was not trained on are left out, missing ones are empty.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from graph_schema.errors import PapergraphError
from graph_schema.settings import papergraph_home

if TYPE_CHECKING:
    from models.linkpred.calibration import Calibration
    from models.linkpred.gnn import LinkPredictor
    from models.linkpred.split import EdgeType, LinkGraph

WEIGHTS_FILE = "model.pt"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.json"


class RunNotFound(PapergraphError):
    pass


def runs_directory() -> Path:
    return papergraph_home() / "runs"


@dataclass(frozen=True)
class Run:
    run_id: str
    directory: Path
    config: dict
    metrics: dict

    @property
    def model_name(self) -> str:
        return self.config["model"]

    @property
    def target_edge_types(self) -> list[EdgeType]:
        return [tuple(edge_type) for edge_type in self.config["target_edge_types"]]

    @property
    def calibration(self) -> Calibration:
        """How the run turns logits into scores; a run saved before calibration gets the plain sigmoid."""
        from models.linkpred.calibration import Calibration

        return Calibration.from_json(self.config.get("calibration"))

    @property
    def message_passing_edge_types(self) -> list[EdgeType]:
        return [tuple(edge_type) for edge_type in self.config["message_passing_edge_types"]]

    def load_model(self, graph: LinkGraph) -> tuple[LinkPredictor, LinkGraph]:
        """The trained model and ``graph`` cut to the edge types it knows, ready to encode."""
        import torch

        from models.linkpred.gnn import HETERO, LinkPredictor, ModelConfig

        graph = graph.with_edge_types(self.message_passing_edge_types)
        # Runs saved before the relational encoder have no "encoder": theirs was to_hetero's.
        settings = {"encoder": HETERO, **self.config["model_config"]}
        model = LinkPredictor(graph, self.target_edge_types, ModelConfig(**settings))
        model.load_state_dict(torch.load(self.directory / WEIGHTS_FILE, weights_only=True))
        model.eval()
        return model, graph


def new_run_id() -> str:
    now = time.time()
    return f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime(now))}.{int(now * 1000) % 1000:03d}-{secrets.token_hex(2)}"


def save_run(
    model: LinkPredictor, message_passing: LinkGraph, config: dict, metrics: dict, directory: Path | None = None
) -> Run:
    """Write a new run; ``config`` gets the model's own settings and edge types added."""
    import torch

    run_id = new_run_id()
    run_dir = (directory or runs_directory()) / run_id
    run_dir.mkdir(parents=True)
    config = {
        "run_id": run_id,
        **config,
        "model_config": dataclasses.asdict(model.config),
        "target_edge_types": [list(edge_type) for edge_type in model.target_edge_types],
        "message_passing_edge_types": [list(edge_type) for edge_type in message_passing.edges],
    }
    torch.save(model.state_dict(), run_dir / WEIGHTS_FILE)
    (run_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
    (run_dir / METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n")
    return Run(run_id, run_dir, config, metrics)


def list_runs(directory: Path | None = None) -> list[Run]:
    """Every complete run, oldest first."""
    directory = directory or runs_directory()
    if not directory.is_dir():
        return []
    runs = []
    for run_dir in sorted(path for path in directory.iterdir() if path.is_dir()):
        files = [run_dir / name for name in (WEIGHTS_FILE, CONFIG_FILE, METRICS_FILE)]
        if all(path.is_file() for path in files):
            runs.append(Run(run_dir.name, run_dir, json.loads(files[1].read_text()), json.loads(files[2].read_text())))
    return runs


def find_run(run_id: str | None = None, directory: Path | None = None) -> Run:
    """The run ``run_id``, or the latest one."""
    runs = list_runs(directory)
    if not runs:
        raise RunNotFound("no trained link-prediction run yet; train one with `papergraph linkpred train`")
    if run_id is None:
        return runs[-1]
    for run in runs:
        if run.run_id == run_id:
            return run
    raise RunNotFound(f"no run {run_id!r}; `papergraph linkpred runs` lists them")


def utc_timestamp() -> str:
    # Milliseconds: re-running a prediction tells its links from the last run's by this stamp.
    return datetime.now(UTC).isoformat(timespec="milliseconds")
