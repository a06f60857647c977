"""Read the edge-list and node-feature files that ``papergraph linkpred evaluate`` takes.

Both formats are plain text, one record per line, fields separated by
commas and/or whitespace; blank lines and lines starting with ``#`` are
ignored.

* Edge list: ``SRC DST``: two node ids (any tokens without commas or spaces).
  Edges are undirected; repeats and self-loops are dropped.
* Features: ``ID X1 X2 ... Xd``: a node id, then ``d`` numbers, the same
  ``d`` on every line.  Nodes of the edge list without a line get zeros;
  lines for nodes not in the edge list are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from graph_schema.errors import InputFileError

_SEPARATORS = re.compile(r"[,\s]+")


class LinkFileError(InputFileError):
    """A problem in an edge-list or features file."""


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LinkFileError(path, f"cannot read: {error}") from error
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, [field for field in _SEPARATORS.split(stripped) if field]


def read_edge_list(path: Path | str) -> tuple[np.ndarray, list[str]]:
    """``(edges (E, 2) int64 indices, node ids in index order)``."""
    path = Path(path)
    index: dict[str, int] = {}
    edges: list[tuple[int, int]] = []
    for number, fields in _records(path):
        if len(fields) != 2:
            raise LinkFileError(path, f"expected two node ids, found {len(fields)} field(s)", number)
        edges.append((index.setdefault(fields[0], len(index)), index.setdefault(fields[1], len(index))))
    if not edges:
        raise LinkFileError(path, "no edges")
    return np.array(edges, dtype=np.int64), list(index)


def read_features(path: Path | str, node_ids: list[str]) -> tuple[np.ndarray, int]:
    """``(features (len(node_ids), d) float32, number of nodes without a line)``."""
    path = Path(path)
    position = {node_id: i for i, node_id in enumerate(node_ids)}
    rows: dict[int, np.ndarray] = {}
    width = None
    for number, fields in _records(path):
        if len(fields) < 2:
            raise LinkFileError(path, "expected a node id and at least one number", number)
        try:
            values = np.array([float(value) for value in fields[1:]], dtype=np.float32)
        except ValueError:
            raise LinkFileError(path, "feature values must be numbers", number) from None
        if not np.isfinite(values).all():
            raise LinkFileError(path, "feature values must be finite", number)
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise LinkFileError(path, f"expected {width} numbers as on the first line, found {len(values)}", number)
        node = position.get(fields[0])
        if node is None:
            continue
        if node in rows:
            raise LinkFileError(path, f"second line for node {fields[0]!r}", number)
        rows[node] = values
    if width is None:
        raise LinkFileError(path, "no feature lines")
    features = np.zeros((len(node_ids), width), dtype=np.float32)
    for node, values in rows.items():
        features[node] = values
    return features, len(node_ids) - len(rows)


def write_edge_list(path: Path | str, edges: np.ndarray) -> None:
    """Write integer edges in the edge-list format (node ids are the integers)."""
    Path(path).write_text("".join(f"{src} {dst}\n" for src, dst in np.asarray(edges)), encoding="utf-8")


def write_features(path: Path | str, features: np.ndarray) -> None:
    """Write features in the features format, row ``i`` as node id ``i``."""
    Path(path).write_text(
        "".join(
            f"{node} {' '.join(f'{value:.6g}' for value in row)}\n" for node, row in enumerate(np.asarray(features))
        ),
        encoding="utf-8",
    )
