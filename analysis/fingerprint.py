"""A fingerprint of the graph that analysis reads (``graph_reader``'s labels and relationships).

Graph statistics are stored with it (``graph_stats``), and every link-prediction run
records it (``linkpred.training``); comparing it with the store's tells whether the
graph has changed since.  This module imports no torch: a refresh that finds
nothing changed never loads it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

from analysis.graph_reader import DEFAULT_LABELS, DEFAULT_RELATIONS
from graph_schema.schema import Label
from graph_schema.store import Store
from ingest.writer import LAYER_HASH

FINGERPRINT_VERSION = b"graph-fingerprint-2"  # change it when what goes into the digest changes


def graph_fingerprint(store: Store) -> str:
    """A digest of the graph: every paper and concept (its id, what its text and extraction come
    from, and its concept layer's hash, which changes when its mentions resolve elsewhere) and
    the number of facts of each type between each two labels.

    Cheap next to reading the graph: no abstracts and no single relationship are read.
    Predicted links and node statistics are left out, so writing them changes nothing.
    """
    digest = FingerprintDigest()
    for label in DEFAULT_LABELS:
        for page in store.read_pages_by_id(label, f"RETURN n.id AS id, {FingerprintDigest.returned(label)}"):
            digest.add_nodes(label, page)
    return digest.finish(store)


class FingerprintDigest:
    """``graph_fingerprint``'s digest, fed by whoever reads the nodes' pages, so that a reader of
    the whole graph (``graph_stats.read_statistics_graph``) need not read every label twice.

    Feed it every label of ``DEFAULT_LABELS`` in that order, each label's nodes in id order (as
    ``Store.read_pages_by_id`` gives them), each row holding the node's ``id`` and the columns
    ``returned(label)`` names; ``finish`` then counts the facts and gives the digest."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256(FINGERPRINT_VERSION)

    @staticmethod
    def returned(label: Label) -> str:
        """The columns a page's query returns for the digest, for node ``n`` of ``label``."""
        return ", ".join(f"n.{name} AS {name}" for name in _content_properties(label))

    def add_nodes(self, label: Label, rows: Iterable[dict]) -> None:
        properties = _content_properties(label)
        for row in rows:
            content = [row[name] for name in properties]
            self._digest.update(json.dumps([label.value, row["id"], content]).encode())

    def finish(self, store: Store) -> str:
        # One pass over every type's facts (a query per type took as long each, 1.3 s at 100k
        # papers for types with a few hundred facts), counted per type in DEFAULT_RELATIONS' order.
        types = "|".join(rel.value for rel in DEFAULT_RELATIONS)
        counts: dict[str, list[list]] = defaultdict(list)
        for row in store.read(
            f"MATCH (a)-[r:{types}]->(b) RETURN type(r) AS rel, labels(a)[0] AS a, labels(b)[0] AS b, count(r) AS n"
        ):
            counts[row["rel"]].append([row["a"], row["b"], row["n"]])
        for rel in DEFAULT_RELATIONS:
            self._digest.update(json.dumps([rel.value, sorted(counts[rel.value])]).encode())
        return self._digest.hexdigest()[:32]


def _content_properties(label: Label) -> tuple[str, ...]:
    if label == Label.PAPER:
        return ("title", "content_hash", "extractor_version", LAYER_HASH)
    return ("name", LAYER_HASH)
