"""Extraction throughput against quality: abstracts/s and SciERC dev F1 per way of running the extractor.

    .venv/bin/python bench/bench_extract_frontier.py [--repeats 2] [--limit N] [--points torch-fp32,onnx-int8]

Points (``--points`` picks some by name):

- ``torch-bf16``: the default backend (``torch``) where the CPU does bfloat16
  natively; left out elsewhere, where ``torch`` is float32 and so is the next point;
- ``torch-fp32``: PyTorch in float32;
- ``2x1``: 2 worker processes of 1 thread each (``ingest.process_pool``), default backend;
- ``onnx-fp32`` and ``onnx-int8``: the encoder in ONNX Runtime (``models.extractor.backends``).

Throughput is on the abstracts of ``data/corpus`` (or its first ``--limit``),
fed as ingest feeds an extractor (groups of ``EXTRACTION_GROUP``, or the
extractor's ``preferred_batch_size``), best of ``--repeats`` passes after a
warm-up.  Loading the model, exporting the ONNX encoder (only when it is not
cached under ``$PAPERGRAPH_HOME``) and starting the worker processes are
reported apart.  Quality is strict entity and relation micro F1 on
``../shared/data/scierc/dev.json`` (skipped, with a message, when absent);
the process pool runs its backend's model, so it shows that backend's F1.

The rule for the default is marked: the fastest point within 1 entity-F1 of
the best.  Also timed: the link-prediction text embeddings
(``analysis.linkpred.text_features.MiniLMEncoder``, without its cache) on the
same papers' title and abstract at a few batch sizes.

Prints a table and writes ``bench/results/extract_frontier.json``.  Run
nothing else meanwhile: on 2 cores anything beside it measures nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
SCIERC_DEV = REPO.parent / "shared" / "data" / "scierc" / "dev.json"
sys.path.insert(0, str(REPO))

from bench.bench_scale import cpu_kind  # noqa: E402
from ingest.extract import EXTRACTION_GROUP, MentionExtractor  # noqa: E402
from models.extractor import backends  # noqa: E402

DEFAULT_RULE_F1_MARGIN = 1.0
EMBEDDING_BATCHES = (16, 32, 64)


@dataclass(frozen=True)
class Point:
    name: str
    backend: str
    processes: int = 1  # 1: in this process, on torch's thread count


POINTS = (
    Point("torch-bf16", backends.TORCH),
    Point("torch-fp32", backends.TORCH_FP32),
    Point("2x1", backends.DEFAULT_BACKEND, processes=2),
    Point("onnx-fp32", backends.ONNX_FP32),
    Point("onnx-int8", backends.ONNX_INT8),
)


def corpus_papers(corpus: Path, limit: int | None) -> list:
    from ingest.readers import read_paths

    papers = [paper for paper in read_paths([corpus]).papers if paper.abstract]
    return papers[:limit] if limit else papers


def extract_all(extractor, abstracts: list[str]) -> float:
    """Seconds to extract ``abstracts`` in the calls ``ingest.pipeline.extract_papers`` makes."""
    size = getattr(extractor, "preferred_batch_size", None) or EXTRACTION_GROUP
    started = time.perf_counter()
    for start in range(0, len(abstracts), size):
        extractor.extract_many(abstracts[start : start + size])
    return time.perf_counter() - started


def best_of(repeats: int, run) -> float:
    return min(run() for _ in range(repeats))


def dev_scores(backend: str, documents) -> dict:
    from models.extractor.decoding import predictions_to_documents
    from models.extractor.scierc import evaluate

    predictions = MentionExtractor.load(backend=backend).predict_documents(documents)
    metrics = evaluate(documents, predictions_to_documents(documents, predictions))
    return {kind: metrics[kind]["micro"]["f1"] for kind in ("entities", "relations")}


def measure_in_process(point: Point, abstracts: list[str], repeats: int) -> dict:
    import torch

    export_seconds = None
    if point.backend in (backends.ONNX_FP32, backends.ONNX_INT8):
        loaded = MentionExtractor.load(backend=backends.TORCH_FP32)  # the model, loaded already
        if not backends.onnx_encoder_path(loaded.artifact_version, point.backend).exists():
            started = time.perf_counter()
            backends.onnx_encoder_file(loaded.model, loaded.artifact_version, point.backend)
            export_seconds = time.perf_counter() - started
    started = time.perf_counter()
    extractor = MentionExtractor.load(backend=point.backend)  # an ONNX Runtime session, for ONNX
    session_seconds = time.perf_counter() - started if extractor.encoder is not None else None
    extractor.extract_many(abstracts[:EXTRACTION_GROUP])  # warm-up
    return {
        "threads": torch.get_num_threads(),
        "export_seconds": None if export_seconds is None else round(export_seconds, 2),
        "session_seconds": None if session_seconds is None else round(session_seconds, 2),
        "seconds": best_of(repeats, lambda: extract_all(extractor, abstracts)),
    }


def measure_pool(point: Point, abstracts: list[str], repeats: int) -> dict:
    from ingest.process_pool import ProcessPoolExtractor

    with ProcessPoolExtractor(point.processes, backend=point.backend) as pool:
        started = time.perf_counter()
        # One group per worker: each starts and loads its model.
        pool.extract_many(abstracts[: point.processes * EXTRACTION_GROUP])
        startup = time.perf_counter() - started
        seconds = best_of(repeats, lambda: extract_all(pool, abstracts))
    return {
        "threads": 1,
        "startup_seconds": round(startup, 2),
        "startup_includes_abstracts": min(len(abstracts), point.processes * EXTRACTION_GROUP),
        "seconds": seconds,
    }


def mark_default_rule(rows: list[dict]) -> str | None:
    """The fastest point within ``DEFAULT_RULE_F1_MARGIN`` entity F1 of the best; None without F1."""
    scored = [row for row in rows if row.get("entity_f1") is not None]
    if not scored:
        return None
    best = max(row["entity_f1"] for row in scored)
    eligible = [row for row in scored if row["entity_f1"] >= best - DEFAULT_RULE_F1_MARGIN]
    chosen = max(eligible, key=lambda row: row["abstracts_per_s"])
    for row in rows:
        row["default_rule"] = row is chosen
    return chosen["point"]


def embedding_throughput(texts: list[str], batch_sizes: tuple[int, ...], repeats: int) -> dict:
    """Texts/s of the link-prediction MiniLM encoder at each batch size, without its cache."""
    from analysis.linkpred import text_features

    with tempfile.TemporaryDirectory() as scratch:
        encoder = text_features.MiniLMEncoder(text_features.EmbeddingCache(Path(scratch) / "embeddings.sqlite"))
        started = time.perf_counter()
        encoder._model_encode(texts[:1])  # loads the model; the cache is bypassed below
        load = time.perf_counter() - started
        shipped = text_features.MINILM_BATCH
        rows = []
        try:
            for batch in batch_sizes:
                text_features.MINILM_BATCH = batch
                seconds = best_of(repeats, lambda: _timed(encoder._model_encode, texts))
                rows.append({"batch_size": batch, "texts_per_s": round(len(texts) / seconds, 1)})
        finally:
            text_features.MINILM_BATCH = shipped
    return {"texts": len(texts), "shipped_batch_size": shipped, "model_load_seconds": round(load, 2), "batches": rows}


def _timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def print_table(rows: list[dict], embeddings: dict | None, abstracts: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"Extraction frontier: {abstracts} abstracts; {cpu_kind()}",
        caption="setup s: the ONNX Runtime session (+ the export, when not cached); "
        "for 2x1 both workers' start with their first group",
    )
    for column in ("point", "backend", "procs x threads", "abstracts/s", "setup s", "entity F1", "relation F1"):
        table.add_column(column, justify="left" if column in ("point", "backend") else "right")
    table.add_column("default rule")
    for row in rows:
        setup = row.get("startup_seconds", row.get("session_seconds"))
        if row.get("export_seconds") is not None:
            setup = f"{setup} + {row['export_seconds']}"
        table.add_row(
            row["point"],
            row["backend"],
            f"{row['processes']} x {row['threads']}",
            f"{row['abstracts_per_s']:.1f}",
            "—" if setup is None else str(setup),
            "—" if row["entity_f1"] is None else f"{row['entity_f1']:.2f}",
            "—" if row["relation_f1"] is None else f"{row['relation_f1']:.2f}",
            "✓" if row.get("default_rule") else "",
        )
    console = Console(width=max(Console().width, 110))
    console.print(table)
    console.print(f"default rule: the fastest point within {DEFAULT_RULE_F1_MARGIN} entity F1 of the best")
    if embeddings:
        shown = ", ".join(f"batch {b['batch_size']}: {b['texts_per_s']}/s" for b in embeddings["batches"])
        console.print(
            f"link-prediction text embeddings (MiniLM, {embeddings['texts']} title + abstract texts, "
            f"shipped batch {embeddings['shipped_batch_size']}): {shown}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "corpus")
    parser.add_argument("--scierc-dev", type=Path, default=SCIERC_DEV)
    parser.add_argument("--repeats", type=int, default=2, help="timed passes per point; the best is reported")
    parser.add_argument("--limit", type=int, default=None, help="only the first N abstracts (a smoke run)")
    parser.add_argument("--points", default=None, help=f"comma-separated, of {', '.join(p.name for p in POINTS)}")
    parser.add_argument("--no-embeddings", action="store_true", help="leave out the text-embedding timings")
    parser.add_argument("--out", type=Path, default=RESULTS / "extract_frontier.json")
    args = parser.parse_args()

    from models.runtime import native_bf16

    wanted = set(args.points.split(",")) if args.points else {p.name for p in POINTS}
    unknown = wanted - {p.name for p in POINTS}
    if unknown:
        raise SystemExit(f"unknown points {sorted(unknown)}; choose from {', '.join(p.name for p in POINTS)}")
    points = [p for p in POINTS if p.name in wanted]
    if not native_bf16():
        print("torch-bf16 left out: this CPU has no native bfloat16, so torch runs in float32 (= torch-fp32)")
        points = [p for p in points if p.name != "torch-bf16"]

    papers = corpus_papers(args.corpus, args.limit)
    abstracts = [paper.abstract for paper in papers]
    documents = None
    if args.scierc_dev.is_file():
        from models.extractor.scierc import read_documents

        documents = read_documents(args.scierc_dev)
    else:
        print(f"F1 left out: no SciERC dev set at {args.scierc_dev} (the project's ../shared data)")

    started = time.perf_counter()
    MentionExtractor.load(backend=backends.TORCH_FP32)  # the model every point shares, with its libraries
    model_load_seconds = time.perf_counter() - started
    scores: dict[str, dict] = {}
    rows = []
    for point in points:
        print(f"{point.name}: {len(abstracts)} abstracts x {args.repeats} ...", flush=True)
        measure = measure_pool if point.processes > 1 else measure_in_process
        measured = measure(point, abstracts, args.repeats)
        if documents is not None and point.backend not in scores:
            scores[point.backend] = dev_scores(point.backend, documents)
        score = scores.get(point.backend, {})
        seconds = measured.pop("seconds")
        rows.append(
            {
                "point": point.name,
                "backend": point.backend,
                "processes": point.processes,
                **measured,
                "seconds": round(seconds, 2),
                "abstracts_per_s": round(len(abstracts) / seconds, 2),
                "entity_f1": score.get("entities"),
                "relation_f1": score.get("relations"),
                "extractor_version": MentionExtractor(backend=point.backend).version,
            }
        )
    chosen = mark_default_rule(rows)
    embeddings = None
    if not args.no_embeddings:
        print(f"text embeddings: {len(papers)} texts x {args.repeats} per batch size ...", flush=True)
        texts = [f"{paper.title} {paper.abstract}" for paper in papers]
        embeddings = embedding_throughput(texts, EMBEDDING_BATCHES, args.repeats)

    summary = {
        "cpu": cpu_kind(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "abstracts": len(abstracts),
        "corpus": str(args.corpus),
        "repeats": args.repeats,
        "model_load_seconds": round(model_load_seconds, 2),
        "extraction_group": EXTRACTION_GROUP,
        "scierc_dev": str(args.scierc_dev) if documents is not None else None,
        "default_rule": f"fastest point within {DEFAULT_RULE_F1_MARGIN} entity F1 of the best",
        "default_rule_pick": chosen,
        "points": rows,
        "text_embeddings": embeddings,
    }
    print_table(rows, embeddings, len(abstracts))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
