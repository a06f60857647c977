"""Keep the store's predicted links current: the refresh job, and the status file it keeps.

``refresh_predictions`` compares the graph's fingerprint (``analysis.fingerprint.graph_fingerprint``)
with the one the latest run recorded.  When they differ, or the latest run was trained
with other settings, it trains a new run (``training.train_run``) and writes that run's
few best links (``predictions.predict_links``: at most ``top_k`` per node and target type,
scored at least ``threshold``).  When they match but the store does not hold the links the
last refresh wrote for that run (they were cleared, the store was made again from the same
files, or the last refresh wrote them with another top K or threshold), it only writes
them.  Otherwise the links are up to date and nothing runs.  Links the previous refresh
wrote for an older run are deleted once the new ones are in, so the store holds one
refresh's links (links written by ``papergraph linkpred predict`` stay).

While it works, the job keeps ``$PAPERGRAPH_HOME/linkpred-refresh.json`` current
(``RefreshStatus``; every write replaces the file whole) for the app to show, and holds
``linkpred-refresh.lock``: two refreshes never run at once, and a reader can tell a
running job from one whose process died without a word.

Torch is imported only when a refresh runs: the app reads the status on every page view.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.fingerprint import graph_fingerprint
from analysis.linkpred import DEFAULT_THRESHOLD, DEFAULT_TOP_K
from analysis.linkpred.text_features import MINILM
from graph_schema.errors import PapergraphError
from graph_schema.file_locks import exclusive_job, is_locked
from graph_schema.progress import Progress, no_progress
from graph_schema.schema import Rel
from graph_schema.settings import create_home, papergraph_home
from graph_schema.store import Store
from models.linkpred import DEFAULT_MAX_EPOCHS, DEFAULT_NEGATIVES
from models.linkpred.runs import Run, RunNotFound, find_run, utc_timestamp

if TYPE_CHECKING:
    from analysis.linkpred.predictions import PredictionSummary

STATUS_FILE = "linkpred-refresh.json"
LOCK_FILE = "linkpred-refresh.lock"
STATUS_WRITE_INTERVAL = 1.0  # seconds between writes while a sized stage advances

# The job's states ...
RUNNING, DONE, FAILED, STOPPED = "running", "done", "failed", "stopped"
# ... its stages while it runs ...
CHECKING, TRAINING, PREDICTING = "checking", "training", "predicting"
# ... and what a finished job did.
UP_TO_DATE, TRAINED, PREDICTED = "up to date", "trained", "predicted"


class RefreshAlreadyRunning(PapergraphError):
    pass


@dataclass(frozen=True)
class RefreshStatus:
    """What the status file holds.  Times are ISO 8601 in UTC."""

    state: str  # RUNNING, DONE, FAILED or STOPPED
    stage: str = ""  # CHECKING, TRAINING or PREDICTING: where the job is, or was when it ended
    message: str = ""  # the latest progress line
    done: int | None = None  # how far a stage with a known size has got
    total: int | None = None
    started: str | None = None
    finished: str | None = None
    error: str | None = None  # FAILED or STOPPED: why, for a person to read
    run_id: str | None = None  # the run whose links the job writes (known once it is chosen or trained)
    top_k: int | None = None
    threshold: float | None = None  # set by every refresh; None in status files written before thresholds
    written: int | None = None  # DONE: how many links the run's prediction wrote (none may pass the threshold)
    outcome: str | None = None  # DONE: UP_TO_DATE, TRAINED or PREDICTED

    def elapsed_seconds(self, now: datetime | None = None) -> float:
        """From start to finish, or to ``now`` while it runs."""
        if self.started is None:
            return 0.0
        end = datetime.fromisoformat(self.finished) if self.finished else (now or datetime.now(UTC))
        return max((end - datetime.fromisoformat(self.started)).total_seconds(), 0.0)

    @classmethod
    def from_json(cls, data: dict) -> RefreshStatus:
        return cls(**{field.name: data[field.name] for field in fields(cls) if field.name in data})


def status_path(home: Path | None = None) -> Path:
    return (home or papergraph_home()) / STATUS_FILE


def read_status(home: Path | None = None) -> RefreshStatus | None:
    """The latest refresh's status, or None if no refresh has run in this home.

    A status that says "running" while no process holds the refresh lock was left by a
    job that was killed: it reads as stopped."""
    home = home or papergraph_home()
    try:
        status = RefreshStatus.from_json(json.loads(status_path(home).read_text()))
    except (FileNotFoundError, ValueError, TypeError):  # none yet, or not a status file
        return None
    if status.state == RUNNING and not is_locked(home / LOCK_FILE):
        return replace(status, state=STOPPED, error="the refresh's process ended before it finished")
    return status


def write_status(status: RefreshStatus, home: Path | None = None) -> None:
    """Replace the status file whole: a reader sees the old status or the new one, never half of one."""
    path = status_path(home)
    create_home(path.parent)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        json.dump(asdict(status), handle, indent=2)
    os.replace(handle.name, path)


class StatusFile:
    """The running job's status on disk, fed through the ``Progress`` shape.

    ``progress(message)`` becomes the status's message; ``progress(stage, done, total)``
    its message and count, written at most once a second while the count advances.
    Every call is also passed on to ``echo`` (the command line's display)."""

    def __init__(self, status: RefreshStatus, home: Path | None = None, echo: Progress = no_progress):
        self.status = status
        self.home = home
        self.echo = echo
        self._written_at = 0.0
        self.update()

    def update(self, **changes) -> None:
        self.status = replace(self.status, **changes)
        write_status(self.status, self.home)
        self._written_at = time.monotonic()

    def __call__(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        same_stage = total is not None and self.status.message == stage
        if same_stage and done != total and time.monotonic() - self._written_at < STATUS_WRITE_INTERVAL:
            self.status = replace(self.status, done=done, total=total)  # written with the next update
        else:
            self.update(message=stage, done=done, total=total)
        self.echo(stage, done, total)


@dataclass
class RefreshResult:
    outcome: str  # UP_TO_DATE, TRAINED or PREDICTED
    run: Run
    prediction: PredictionSummary | None  # None when up to date
    removed_stale: int  # links of the previous refresh's run, deleted once the new ones were in
    seconds: float


def refresh_predictions(
    store: Store,
    *,
    top_k: int = DEFAULT_TOP_K,
    threshold: float = DEFAULT_THRESHOLD,
    text_features: str = MINILM,
    max_epochs: int | None = None,
    seed: int = 0,
    num_negatives: int = DEFAULT_NEGATIVES,
    progress: Progress = no_progress,
) -> RefreshResult:
    """Bring the predicted links up to date with the graph; see the module's description.

    Raises ``RefreshAlreadyRunning`` when another refresh holds this home's lock.  Any
    failure (``NotEnoughLinks`` on a graph too small to learn from, among others) is
    recorded in the status file and raised; an interruption (KeyboardInterrupt,
    SystemExit) is recorded as stopped and raised."""
    home = papergraph_home()  # where the runs are, and the status file
    settings = {
        "text_features": text_features,
        "seed": seed,
        "max_epochs": max_epochs or DEFAULT_MAX_EPOCHS,
        "num_negatives": num_negatives,
    }
    with _refresh_lock(home):
        previous = read_status(home)
        status = StatusFile(
            RefreshStatus(
                RUNNING,
                stage=CHECKING,
                message="comparing the graph with the latest run's",
                started=utc_timestamp(),
                top_k=top_k,
                threshold=threshold,
            ),
            home,
            progress,
        )
        try:
            result = _refresh(store, status, previous, settings, top_k, threshold)
        except Exception as error:
            if _caused_by_an_interruption(error):  # a library turned the KeyboardInterrupt into its own error
                status.update(state=STOPPED, finished=utc_timestamp(), error="stopped before it finished")
            else:
                status.update(state=FAILED, finished=utc_timestamp(), error=describe_error(error))
            raise
        except BaseException:
            status.update(state=STOPPED, finished=utc_timestamp(), error="stopped before it finished")
            raise
        status.update(
            state=DONE,
            finished=utc_timestamp(),
            outcome=result.outcome,
            written=result.prediction.total_written if result.prediction else previous.written,
            message=summarise(result),
            done=None,
            total=None,
        )
        return result


def _refresh(
    store: Store,
    status: StatusFile,
    previous: RefreshStatus | None,
    settings: dict,
    top_k: int,
    threshold: float,
) -> RefreshResult:
    started = time.perf_counter()
    fingerprint = graph_fingerprint(store)
    run = _latest_run()
    learned_from_this_graph = run is not None and _learned_from(run, fingerprint, settings)
    if learned_from_this_graph:
        status.update(run_id=run.run_id)
        if _links_are_written(store, run, previous, top_k, threshold):
            return RefreshResult(UP_TO_DATE, run, None, 0, time.perf_counter() - started)
    # Only now: training and scoring load torch and PyG, which take seconds.
    from analysis.linkpred.predictions import clear_predictions, predict_links
    from analysis.linkpred.training import train_run

    if learned_from_this_graph:
        outcome = PREDICTED
    else:
        status.update(stage=TRAINING, message="reading the graph")
        run = train_run(
            store,
            text_features=settings["text_features"],
            max_epochs=settings["max_epochs"],
            seed=settings["seed"],
            num_negatives=settings["num_negatives"],
            progress=status,
        ).run
        status.update(run_id=run.run_id)
        outcome = TRAINED
    status.update(
        stage=PREDICTING,
        message=f"writing at most {top_k} new links per node scored at least {threshold:g}, of run {run.run_id}",
    )
    prediction = predict_links(store, run, top_k, threshold, progress=status)
    removed = 0
    if previous is not None and previous.run_id not in (None, run.run_id):
        removed = clear_predictions(store, previous.run_id)
    return RefreshResult(outcome, run, prediction, removed, time.perf_counter() - started)


def _latest_run() -> Run | None:
    try:
        return find_run()
    except RunNotFound:
        return None


def _learned_from(run: Run, fingerprint: str, settings: dict) -> bool:
    """Whether ``run`` was trained on the graph with this fingerprint, with these settings."""
    config = run.config
    return config.get("graph_fingerprint") == fingerprint and all(
        config.get(name) == value for name, value in settings.items()
    )


def _links_are_written(store: Store, run: Run, previous: RefreshStatus | None, top_k: int, threshold: float) -> bool:
    """Whether the last refresh wrote ``run``'s links with these settings to the end, and the store still holds them."""
    if (
        previous is None
        or previous.state != DONE
        or previous.run_id != run.run_id
        or (previous.top_k, previous.threshold) != (top_k, threshold)
    ):
        return False
    if previous.written == 0:  # nothing passed the threshold: there is nothing to find
        return True
    found = store.read(
        f"MATCH ()-[r:{Rel.PREDICTED_LINK}]->() WHERE r.run_id = $run RETURN r.run_id AS run LIMIT 1", run=run.run_id
    )
    return bool(found)


def summarise(result: RefreshResult) -> str:
    run = result.run
    if result.outcome == UP_TO_DATE:
        return f"up to date: run {run.run_id} ({run.model_name}) learned from this graph, and its links are written"
    done = "trained run" if result.outcome == TRAINED else "wrote the links of run"
    text = f"{done} {run.run_id} ({run.model_name}): {result.prediction.why()}"
    if result.removed_stale:
        text += f"; removed {result.removed_stale:,} links of the previous refresh's run"
    return text


def _caused_by_an_interruption(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, KeyboardInterrupt):
            return True
        error = error.__cause__ or error.__context__
    return False


def describe_error(error: Exception) -> str:
    """One line for a person: papergraph's own errors say what happened; others also say what kind they are."""
    if isinstance(error, PapergraphError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _refresh_lock(home: Path):
    create_home(home)
    return exclusive_job(
        home / LOCK_FILE,
        lambda: RefreshAlreadyRunning(
            f"another link-prediction refresh is running on {home}; the Link prediction page shows how far it has got"
        ),
    )
