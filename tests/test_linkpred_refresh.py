"""The link-prediction refresh: trains and writes links only when the graph has changed, and
keeps a status file the app shows (``analysis.linkpred.refresh``, ``papergraph linkpred refresh``)."""

from __future__ import annotations

import fcntl
import json
import random
from dataclasses import asdict

import pytest
from click.testing import CliRunner

from analysis.fingerprint import graph_fingerprint
from analysis.linkpred.predictions import clear_predictions
from analysis.linkpred.refresh import (
    CHECKING,
    DONE,
    FAILED,
    LOCK_FILE,
    PREDICTED,
    PREDICTING,
    RUNNING,
    STOPPED,
    TRAINED,
    TRAINING,
    UP_TO_DATE,
    RefreshAlreadyRunning,
    RefreshStatus,
    read_status,
    refresh_predictions,
    status_path,
    write_status,
)
from analysis.linkpred.text_features import NO_TEXT
from analysis.linkpred.training import NotEnoughLinks
from graph_schema.schema import Rel
from graph_schema.settings import papergraph_home
from ingest.pipeline import ingest_paths
from models.linkpred.runs import list_runs
from tests.support import GazetteerExtractor
from ui.cli import cli

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# Few epochs and negatives, no text model: enough to train and predict, in seconds.  So barely trained
# a model scores few pairs above the default threshold: these tests write every candidate the per-node
# limit allows.
QUICK = {"text_features": NO_TEXT, "max_epochs": 2, "num_negatives": 10, "threshold": 0.0}
QUICK_CLI = ["--text-features", NO_TEXT, "--epochs", "2", "--negatives", "10", "--threshold", "0"]

METHODS = ("transformer", "LoRA", "diffusion models", "reinforcement learning", "attention", "neural networks")
TASKS = ("question answering", "image generation", "reasoning", "segmentation", "speech recognition")
DATASETS = ("ImageNet", "COCO", "MMLU")


def write_listing(path, first: int, count: int) -> None:
    """``count`` JSONL papers whose abstracts use the stand-in extractor's words: methods used for tasks,
    evaluated on datasets."""
    rng = random.Random(first)
    rows = []
    for i in range(first, first + count):
        method, other = rng.sample(METHODS, 2)
        task, dataset = rng.choice(TASKS), rng.choice(DATASETS)
        abstract = (
            f"We apply {method} to {task} in study {i}. On {dataset}, {other} is compared with {method}. "
            f"Our results on {dataset} hold for {task}."
        )
        rows.append({"title": f"Study {i}: {method} for {task}", "abstract": abstract})
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


@pytest.fixture
def small_graph(store, tmp_path):
    """40 papers, ingested with the stand-in extractor; the session's refresh status removed."""
    listing = tmp_path / "papers.jsonl"
    write_listing(listing, 0, 40)
    ingest_paths(store, [listing], extractor=GazetteerExtractor())
    status_path().unlink(missing_ok=True)
    yield store
    status_path().unlink(missing_ok=True)
    clear_predictions(store)


def links_by_run(store) -> dict[str, int]:
    rows = store.read(f"MATCH ()-[r:{Rel.PREDICTED_LINK}]->() RETURN r.run_id AS run, count(r) AS n")
    return {row["run"]: row["n"] for row in rows}


def test_refresh_trains_once_then_is_up_to_date_until_the_graph_changes(small_graph, tmp_path):
    store = small_graph
    first = refresh_predictions(store, top_k=1, **QUICK)
    assert first.outcome == TRAINED
    run = first.run
    assert run.config["graph_fingerprint"] == graph_fingerprint(store)
    assert links_by_run(store) == {run.run_id: first.prediction.total_written} and first.prediction.total_written > 0
    runs = len(list_runs())

    again = refresh_predictions(store, top_k=1, **QUICK)
    assert again.outcome == UP_TO_DATE and again.run.run_id == run.run_id and again.prediction is None
    assert len(list_runs()) == runs and links_by_run(store) == {run.run_id: first.prediction.total_written}
    status = read_status()
    assert (status.state, status.outcome, status.run_id) == (DONE, UP_TO_DATE, run.run_id)

    more = tmp_path / "more.jsonl"
    write_listing(more, 40, 3)
    ingest_paths(store, [more], extractor=GazetteerExtractor())
    changed = refresh_predictions(store, top_k=1, **QUICK)
    assert changed.outcome == TRAINED and changed.run.run_id != run.run_id and len(list_runs()) == runs + 1
    # The previous refresh's links made way for the new run's.
    assert changed.removed_stale == first.prediction.total_written
    assert links_by_run(store) == {changed.run.run_id: changed.prediction.total_written}


def test_refresh_writes_the_links_again_without_training_when_they_are_gone_or_another_top_k_is_asked(small_graph):
    store = small_graph
    run = refresh_predictions(store, top_k=1, **QUICK).run
    runs = len(list_runs())
    clear_predictions(store)
    rewritten = refresh_predictions(store, top_k=1, **QUICK)
    assert rewritten.outcome == PREDICTED and rewritten.run.run_id == run.run_id
    assert links_by_run(store) == {run.run_id: rewritten.prediction.total_written}
    more_per_node = refresh_predictions(store, top_k=3, **QUICK)
    assert (
        more_per_node.outcome == PREDICTED
        and more_per_node.prediction.total_written > rewritten.prediction.total_written
    )
    other_settings = refresh_predictions(store, top_k=3, **{**QUICK, "num_negatives": 11})
    assert other_settings.outcome == TRAINED
    assert len(list_runs()) == runs + 1


def test_a_refresh_whose_links_all_score_below_the_threshold_is_up_to_date_the_next_time(small_graph):
    first = refresh_predictions(small_graph, top_k=1, **{**QUICK, "threshold": 1.0, "seed": 11})
    assert first.outcome == TRAINED and first.prediction.total_written == 0
    assert "scored below 1" in read_status().message and read_status().written == 0
    again = refresh_predictions(small_graph, top_k=1, **{**QUICK, "threshold": 1.0, "seed": 11})
    assert again.outcome == UP_TO_DATE and again.run.run_id == first.run.run_id
    assert read_status().written == 0


def test_the_status_file_goes_from_checking_through_training_and_predicting_to_done(small_graph, monkeypatch):
    written: list[RefreshStatus] = []
    real_write = write_status

    def record(status, home=None):
        written.append(status)
        real_write(status, home)

    monkeypatch.setattr("analysis.linkpred.refresh.write_status", record)
    result = refresh_predictions(small_graph, top_k=1, **QUICK)
    steps = [(status.state, status.stage) for status in written]
    assert list(dict.fromkeys(steps)) == [
        (RUNNING, CHECKING),
        (RUNNING, TRAINING),
        (RUNNING, PREDICTING),
        (DONE, PREDICTING),
    ]
    assert any("training" in status.message for status in written if status.stage == TRAINING)
    on_disk = json.loads(status_path().read_text())
    assert on_disk == asdict(written[-1])
    final = read_status()
    assert final.run_id == result.run.run_id and final.outcome == TRAINED and final.top_k == 1
    assert final.started <= final.finished and final.error is None
    assert "trained run" in final.message
    assert not list(papergraph_home().glob(f".{status_path().name}.*")), "a temporary status file was left behind"


def test_the_status_file_says_why_a_refresh_failed_or_was_stopped(store):
    status_path().unlink(missing_ok=True)
    with pytest.raises(NotEnoughLinks):  # an empty graph has nothing to learn from
        refresh_predictions(store, **QUICK)
    failed = read_status()
    assert (failed.state, failed.stage) == (FAILED, TRAINING)
    assert "no target edge type has 20 links to learn from" in failed.error and failed.finished

    def interrupt(stage, done=None, total=None):
        raise KeyboardInterrupt  # as the command does on SIGTERM

    with pytest.raises(KeyboardInterrupt):
        refresh_predictions(store, progress=interrupt, **QUICK)
    stopped = read_status()
    assert (stopped.state, stopped.stage, stopped.error) == (STOPPED, TRAINING, "stopped before it finished")
    status_path().unlink()


def test_a_running_status_needs_its_process_and_a_second_refresh_waits_for_none(store):
    write_status(RefreshStatus(RUNNING, stage=TRAINING, message="training GraphSAGE + NCN"))
    assert read_status().state == STOPPED  # no process holds the lock: it was killed mid-run
    with open(papergraph_home() / LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a running refresh does
        try:
            assert read_status().state == RUNNING
            with pytest.raises(RefreshAlreadyRunning, match="another link-prediction refresh is running"):
                refresh_predictions(store, **QUICK)
            assert read_status().message == "training GraphSAGE + NCN"  # the running one's status is untouched
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    status_path().unlink()


def test_cli_refresh_says_what_it_did(small_graph):
    runner = CliRunner()
    # Settings no other test trains with: whatever runs the session holds, this refresh trains.
    options = ["--top", "1", *QUICK_CLI, "--seed", "7"]
    result = runner.invoke(cli, ["linkpred", "refresh", *options])
    assert result.exit_code == 0, result.output
    run_id = read_status().run_id
    assert f"link prediction trained run {run_id}" in result.output and "test AUC" in result.output
    result = runner.invoke(cli, ["linkpred", "refresh", *options])
    assert result.exit_code == 0, result.output
    assert f"link prediction up to date: run {run_id}" in result.output
