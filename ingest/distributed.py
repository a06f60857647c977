"""Extraction on a Ray cluster: ``RayExtractor``, an ``ingest.extract.Extractor`` built on Ray Data.

    with RayExtractor() as extractor:                    # a local Ray runtime on this machine's CPUs
        ingest_paths(store, paths, extractor=extractor)
    RayExtractor(address="ray://head:10001")             # or an existing cluster

Only extraction is distributed.  Each Ray worker (an actor of a Ray Data actor
pool, one CPU and one torch thread each) loads the model once and extracts
groups of abstracts; the extractions come back to the driver, which writes
them through the store layer in batches, as a local ingest does.  The workers
import papergraph and load the model from their own installation: on a
cluster, every node needs the same papergraph installed.

Ray is imported only inside the functions below, so that the command line
does not load it unless asked to.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from graph_schema.errors import PapergraphError
from ingest.extract import EXTRACTION_GROUP, MentionExtractor
from ingest.records import Extraction
from ingest.serialize import extraction_from_json, extraction_to_json
from models.extractor.artifact import ArtifactError

# Abstracts travel in groups of EXTRACTION_GROUP, aligned as ingest.pipeline groups
# them for a local extractor: a Ray ingest then stores exactly the extractions a
# local one does.
# How many groups each worker gets per ``extract_many`` call.  Every call runs
# one Ray Data job whose workers load the model afresh (a few seconds), so a
# call holds minutes of work per worker; the driver writes after each call.
TASKS_PER_WORKER_PER_CALL = 16


class RayExtractionError(PapergraphError):
    """Ray is not installed, its cluster cannot be reached, or its workers failed."""


class RayExtractor:
    """The committed extractor (or the one in ``model_dir``), run by ``workers``
    Ray workers (default: one per CPU of the cluster).

    ``address`` None starts a local Ray runtime with this machine's CPUs (or
    joins the one named by ``RAY_ADDRESS``); otherwise it is passed to
    ``ray.init(address=...)``: ``ray://head:10001``, ``head:6379`` or ``auto``.
    Ray is started on the first abstracts to extract, and a runtime this
    object started stops at ``close()`` (or at the end of a ``with`` block).
    A Ray runtime already running in this process is used as it is."""

    def __init__(
        self,
        address: str | None = None,
        model_dir: str | Path | None = None,
        workers: int | None = None,
        backend: str | None = None,
    ):
        if address:
            _check_reachable(address)
        extractor = MentionExtractor(model_dir, backend)  # reads the manifest only; the model loads in the workers
        self.version: str = extractor.version
        self.backend: str = extractor.backend
        self.model_dir = str(extractor.directory) if model_dir is not None else None
        self.address = address
        self.requested_workers = workers
        self._workers: int | None = None
        self._started_ray = False

    @property
    def workers(self) -> int:
        """How many workers extract; connects to Ray."""
        if self._workers is None:
            ray = self._connect()
            cpus = int(ray.cluster_resources().get("CPU", 1))
            self._workers = self.requested_workers or max(1, cpus)
        return self._workers

    @property
    def preferred_batch_size(self) -> int:
        """How many abstracts ``ingest.pipeline.extract_papers`` hands over per call."""
        return EXTRACTION_GROUP * TASKS_PER_WORKER_PER_CALL * self.workers

    def extract_many(self, abstracts: list[str]) -> list[Extraction]:
        if not abstracts:
            return []
        ray = self._connect()
        tasks = [
            {"task": number, "abstracts": abstracts[start : start + EXTRACTION_GROUP]}
            for number, start in enumerate(range(0, len(abstracts), EXTRACTION_GROUP))
        ]
        extracted = ray.data.from_items(tasks, override_num_blocks=len(tasks)).map_batches(
            ExtractionWorker,
            fn_constructor_kwargs={"model_dir": self.model_dir, "version": self.version, "backend": self.backend},
            batch_size=1,
            batch_format="numpy",
            # One group at a time per worker: a worker that starts late still gets its share.
            compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(tasks)), max_tasks_in_flight_per_actor=1),
            num_cpus=1,
        )
        try:
            rows = extracted.take_all()
        except ray.exceptions.RayError as error:
            # Ray's message carries the worker's traceback; its last line says what went wrong.
            lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [type(error).__name__]
            raise RayExtractionError(f"extraction on Ray failed: {lines[-1]}") from error
        # Ray Data may return the groups in any order.
        rows = sorted(rows, key=lambda row: row["task"])
        texts = [text for row in rows for text in row["extractions"]]
        if len(texts) != len(abstracts):
            raise RayExtractionError(
                f"the Ray workers returned {len(texts)} extractions for {len(abstracts)} abstracts"
            )
        return [extraction_from_json(abstract, text) for abstract, text in zip(abstracts, texts)]

    def close(self) -> None:
        """Stop the local Ray runtime if this object started it."""
        if self._started_ray:
            import ray

            ray.shutdown()
            self._started_ray = False
            self._workers = None

    def __enter__(self) -> RayExtractor:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _connect(self):
        """The ``ray`` module, connected: to a runtime already running in this
        process, or to ``address``, or to a new local runtime."""
        try:
            import ray
        except ImportError as error:
            raise RayExtractionError(
                f'Ray is not installed ({error}); install it with pip install "ray[data]"'
            ) from error
        if not ray.is_initialized():
            options = {"include_dashboard": False} if self.address is None else {"address": self.address}
            try:
                ray.init(logging_level=logging.WARNING, **options)
            except (ConnectionError, RuntimeError, ValueError) as error:
                where = f"the Ray cluster at {self.address}" if self.address else "a local Ray runtime"
                raise RayExtractionError(f"cannot start or reach {where}: {error}") from error
            self._started_ray = True
        # papergraph draws its own progress; Ray Data's bars and per-job lines would garble it.
        data_context = ray.data.DataContext.get_current()
        data_context.enable_progress_bars = False
        data_context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        return ray


def _check_reachable(address: str) -> None:
    """Fail at once on a cluster address nothing answers at: ``ray.init``
    retries such an address for minutes."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not (host and port.isdigit()):
        return  # "auto" and the like: ray.init finds the cluster
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
    except OSError as error:
        raise RayExtractionError(f"cannot reach the Ray cluster at {address}: {error}") from error


class ExtractionWorker:
    """One Ray worker: loads the model once, then extracts group after group.

    Its batches hold groups of abstracts (``task``, ``abstracts``) and come
    back as (``task``, ``extractions``), each extraction serialised with
    ``ingest.serialize.extraction_to_json``."""

    def __init__(self, model_dir: str | None, version: str, backend: str):
        from models.runtime import use_torch_threads

        # One worker per CPU: more torch threads would only contend with the other workers.
        use_torch_threads(1)
        self.extractor = MentionExtractor.load(model_dir, backend)
        if self.extractor.version != version:
            raise ArtifactError(
                f"the Ray worker's extractor is version {self.extractor.version}, the driver's {version}: "
                "install the same papergraph on every node"
            )

    def __call__(self, batch: dict) -> dict:
        extractions = [
            [extraction_to_json(e) for e in self.extractor.extract_many([str(a) for a in abstracts])]
            for abstracts in batch["abstracts"]
        ]
        return {"task": batch["task"], "extractions": extractions}
