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
    digest = hashlib.sha256(FINGERPRINT_VERSION)
    for label in DEFAULT_LABELS:
        content = (
            f"[n.title, n.content_hash, n.extractor_version, n.{LAYER_HASH}]"
            if label == Label.PAPER
            else f"[n.name, n.{LAYER_HASH}]"
        )
        for page in store.read_pages_by_id(label, f"RETURN n.id AS id, {content} AS content"):
            for row in page:
                digest.update(json.dumps([label.value, row["id"], row["content"]]).encode())
    # One pass over every type's facts (a query per type took as long each, 1.3 s at 100k papers
    # for types with a few hundred facts), counted per type in DEFAULT_RELATIONS' order.
    types = "|".join(rel.value for rel in DEFAULT_RELATIONS)
    counts: dict[str, list[list]] = defaultdict(list)
    for row in store.read(
        f"MATCH (a)-[r:{types}]->(b) RETURN type(r) AS rel, labels(a)[0] AS a, labels(b)[0] AS b, count(r) AS n"
    ):
        counts[row["rel"]].append([row["a"], row["b"], row["n"]])
    for rel in DEFAULT_RELATIONS:
        digest.update(json.dumps([rel.value, sorted(counts[rel.value])]).encode())
    return digest.hexdigest()[:32]
