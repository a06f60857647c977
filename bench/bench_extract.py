"""Extraction throughput of the learned extractor on the bundled corpus.

    .venv/bin/python bench/bench_extract.py [--batch-size 16] [--repeats 2]

Times ``MentionExtractor.extract_many`` alone (model load reported apart) on
every abstract under ``data/corpus`` and writes ``bench/results/extract.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"


def corpus_abstracts(corpus: Path) -> list[str]:
    from ingest.readers import read_paths

    return [paper.abstract for paper in read_paths([corpus]).papers if paper.abstract]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "corpus")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=2, help="timed passes; the best is reported")
    args = parser.parse_args()

    import torch

    from ingest.extract import MentionExtractor, split_abstract

    abstracts = corpus_abstracts(args.corpus)
    started = time.perf_counter()
    extractor = MentionExtractor.load()
    load_seconds = time.perf_counter() - started  # includes importing the model's libraries
    from models.runtime import encoder_precision

    extractor.extract(abstracts[0])  # warm-up

    timings = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        results = extractor.extract_many(abstracts, batch_size=args.batch_size)
        timings.append(time.perf_counter() - started)
    seconds = min(timings)
    sentences = sum(len(split_abstract(a)) for a in abstracts)
    summary = {
        "extractor_version": extractor.version,
        "abstracts": len(abstracts),
        "sentences": sentences,
        "mentions": sum(len(found.mentions) for found in results),
        "relations": sum(len(found.relations) for found in results),
        "batch_size": args.batch_size,
        "encoder_precision": encoder_precision(),
        "amx": torch.cpu._is_amx_tile_supported(),  # bfloat16 matrix tiles: the encoder runs faster still
        "seconds": round(seconds, 2),
        "abstracts_per_s": round(len(abstracts) / seconds, 1),
        "sentences_per_s": round(sentences / seconds, 1),
        "load_seconds": round(load_seconds, 2),
        "torch_threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "extract.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
