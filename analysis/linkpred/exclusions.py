"""Which nodes a predicted link may not touch, and which two nodes are one name.

Read from the store for the nodes of a ``StoreGraph`` and handed to
``models.linkpred.candidates`` as a ``NodeFilter``:

* a concept marked generic (``graph_schema.schema.GENERIC``, set by ingest's resolution;
  absent counts as not generic) is never an end of a predicted link: "neural networks" →
  "computer vision" tells a reader nothing;
* two nodes that share a name key are one concept, never linked to each other.  A concept's
  keys are its ``key`` property (else ``ingest.normalize.concept_key`` of its name) and the keys
  of its acronym and aliases, each less any trailing words that only say what kind of thing it
  is (``KIND_WORDS``); a paper's is its title's.  So "transfer learning" the method and the
  task, "medical image segmentation models" and "medical image segmentation", and "KWS" the
  method and "keyword spotting" the task (acronym KWS) are one concept each.  On 3,143 real
  abstracts the plain key alone missed links such as "imitation learning methods" →
  "imitation learning" and "ASR" → "automatic speech recognition";
* a concept whose name ends with another's whole name of two words or more is a kind of it,
  never linked to it: "unsupervised domain adaptation" → "domain adaptation" and "multimodal
  large language models" → "large language models" are true by their names alone
  (``broader_keys``).  Papers are left out of this:
  a title is not a name ("A survey of large language models" → "large language models" is
  a link worth showing where the paper never names them).
"""

from __future__ import annotations

import numpy as np

from analysis.linkpred.store_graph import StoreGraph
from graph_schema.schema import CONCEPT_LABELS, GENERIC, Label
from graph_schema.store import Store
from ingest.normalize import concept_key
from models.linkpred.candidates import NodeFilter

_CONCEPTS = {label.value for label in CONCEPT_LABELS}
# Trailing words that say what kind of thing a name is, as concept_key writes them (singular head).
KIND_WORDS = frozenset(
    "model method algorithm approach technique framework system architecture pipeline task problem".split()
)


def concept_core(key: str) -> str:
    """A name key without its trailing kind words (at least one word stays)."""
    words = key.split()
    while len(words) > 1 and words[-1].removesuffix("s") in KIND_WORDS:
        words.pop()
    return " ".join(words)


def read_node_filter(store: Store, graph: StoreGraph) -> NodeFilter:
    generic: set[tuple[str, str]] = set()
    keys: dict[tuple[str, str], set[str]] = {}
    for label in CONCEPT_LABELS:
        if not graph.node_keys.get(label.value):
            continue
        returned = (
            f"RETURN n.id AS id, coalesce(n.{GENERIC}, false) AS generic, n.key AS key, n.name AS name, "
            "n.acronym AS acronym, n.aliases AS aliases"
        )
        for page in store.read_pages_by_id(label, returned):
            for row in page:
                node = (label.value, row["id"])
                if row["generic"]:
                    generic.add(node)
                keys[node] = concept_keys(row["key"] or concept_key(row["name"] or ""), row["acronym"], row["aliases"])
    broader = {
        node_type: [broader_keys(keys.get(node, set())) for node in nodes]
        for node_type, nodes in graph.node_keys.items()
        if node_type in _CONCEPTS
    }
    names = {
        node_type: [
            keys.get(node)
            or ({concept_core(concept_key(graph.name(node)))} if node_type == Label.PAPER.value else set())
            for node in nodes
        ]
        for node_type, nodes in graph.node_keys.items()
    }
    allowed = {
        node_type: np.array([node not in generic for node in nodes], dtype=bool)
        for node_type, nodes in graph.node_keys.items()
        if node_type in _CONCEPTS
    }
    return NodeFilter.of(allowed, names, broader)


def concept_keys(key: str, acronym: str | None, aliases: list[str] | None) -> set[str]:
    """The keys a concept is known by: its own, its acronym's and its aliases', each less its kind words."""
    forms = [concept_key(form) for form in (acronym, *(aliases or ())) if form]
    return {concept_core(form) for form in (key, *forms) if form}


def broader_keys(keys: set[str]) -> set[str]:
    """What names ending in other words say a concept is a kind of: each key's ends of two words
    or more after its first word, after its second, and so on ("unsupervised domain adaptation":
    "domain adaptation").  A last word alone says too little: "sign language" is no kind of
    "language models" (whose core is "language")."""
    found = set()
    for key in keys:
        words = key.split()
        found.update(" ".join(words[start:]) for start in range(1, len(words) - 1))
    return found - keys


def generic_count(node_filter: NodeFilter) -> int:
    return int(sum((~allowed).sum() for allowed in node_filter.allowed.values()))
