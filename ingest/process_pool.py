"""Extraction on a few local processes: ``ProcessPoolExtractor``, an ``ingest.extract.Extractor``.

    with ProcessPoolExtractor(processes=2) as extractor:     # 2 processes x 1 torch thread
        ingest_paths(store, paths, extractor=extractor)

Each worker process loads the model once (on the chosen backend) and runs
torch, and ONNX Runtime, on one thread; the abstracts go out in groups of
``EXTRACTION_GROUP``, aligned as ``ingest.pipeline`` groups them for a local
extractor, and come back in input order.  On a small machine this beats one
process of N threads, whose threads wait on each other in the encoder's
many small operations.

``extract_batches`` keeps the next batch's groups queued while the caller writes
the last one, so the workers never wait on the driver.  Each worker also runs the
claim rules on what it extracted (``ingest.paper_analysis.cached_analyses``), which
the concept layer's sync would otherwise run afterwards on one core.

The workers start at the first abstracts to extract and stop at ``close()``
(or at the end of a ``with`` block); a worker whose parent died (kill -9)
notices within a second and exits, so none outlives papergraph.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

from graph_schema.errors import PapergraphError
from ingest.extract import EXTRACTION_GROUP, MentionExtractor
from ingest.mention_splits import split_coordinated_datasets
from ingest.paper_analysis import analysis_key, cached_analyses
from ingest.records import Extraction
from ingest.serialize import extraction_to_json

# Groups each worker gets per batch: two groups per worker keep both busy when one group is shorter.
GROUPS_PER_WORKER_PER_CALL = 2


class ExtractionWorkerDied(PapergraphError):
    """A worker process ended without answering (killed, or out of memory)."""


class ProcessPoolExtractor:
    """The committed extractor (or the one in ``directory``) on ``backend``
    (default: as ``MentionExtractor``), run by ``processes`` worker processes
    of one thread each.  Its ``version`` is the single-process extractor's."""

    def __init__(
        self,
        processes: int = 2,
        directory: str | Path | None = None,
        backend: str | None = None,
        group_size: int = EXTRACTION_GROUP,
    ):
        extractor = MentionExtractor(directory, backend)  # reads the manifest only; the model loads in the workers
        self.version: str = extractor.version
        self.directory = str(extractor.directory)
        self.backend = extractor.backend
        self.processes = processes
        self.group_size = group_size
        self._pool: ProcessPoolExecutor | None = None

    @property
    def preferred_batch_size(self) -> int:
        """How many abstracts ``ingest.pipeline.extract_papers`` hands over per call."""
        return self.group_size * GROUPS_PER_WORKER_PER_CALL * self.processes

    def extract_many(self, abstracts: list[str]) -> list[Extraction]:
        return [extraction for batch in self.extract_batches([abstracts]) for extraction in batch]

    def extract_batches(self, batches: Iterable[list[str]]) -> Iterator[list[Extraction]]:
        """Each batch's extractions, in order; the next batch is handed to the workers before
        this one is yielded, so they go on while the caller stores it."""
        extract = partial(_extract_group, self.directory, self.backend)
        queued: deque[list[Future]] = deque()
        try:
            for abstracts in batches:
                groups = [
                    abstracts[start : start + self.group_size] for start in range(0, len(abstracts), self.group_size)
                ]
                queued.append([self._started().submit(extract, group) for group in groups])
                if len(queued) > 1:
                    yield _results(queued.popleft())
            while queued:
                yield _results(queued.popleft())
        except BrokenProcessPool as error:
            self.close()
            raise ExtractionWorkerDied(
                f"an extraction worker process died ({error}); run the same command again"
            ) from error
        except BaseException:
            self.close()  # stop the workers at once, not after the groups they hold
            raise

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (none before the first extraction or after ``close``)."""
        return [process.pid for process in self._workers()]

    def close(self) -> None:
        """Stop the worker processes; a later extraction starts new ones."""
        if self._pool is None:
            return
        workers = self._workers()
        pool, self._pool = self._pool, None
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:  # idle or not, they hold nothing to save
            process.terminate()
        for process in workers:
            process.join()
        pool.shutdown(wait=True)

    def __enter__(self) -> ProcessPoolExtractor:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.processes,
                # A fresh interpreter per worker: forking a process that runs torch's threads is unsafe.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return self._pool

    def _workers(self) -> list:
        # concurrent.futures has no public list of its processes before Python 3.14 (terminate_workers).
        return list((self._pool._processes or {}).values()) if self._pool is not None else []


def _start_worker(parent_pid: int) -> None:
    from models.runtime import use_torch_threads

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    use_torch_threads(1)  # before the model loads: an ONNX session takes torch's thread count


def _exit_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)


def _results(futures: list[Future]) -> list[Extraction]:
    return [extraction for future in futures for extraction in future.result()]


def _extract_group(directory: str, backend: str, abstracts: list[str]) -> list[Extraction]:
    # Loaded at the worker's first group, once (and not in the initializer, whose
    # errors would only say that the pool broke).
    extractions = MentionExtractor.load(directory, backend).extract_many(abstracts)
    cached_analyses(  # of the mentions the rules read, under the key of the extraction as stored
        {
            analysis_key(abstract, extraction_to_json(found)): (abstract, split.sentences, split.mentions)
            for abstract, found in zip(abstracts, extractions)
            for split in [split_coordinated_datasets(found)]
        }
    )
    return extractions
