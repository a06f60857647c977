"""Why two nodes may be linked: their shared neighbours and shortest paths in the store's graph,
as data and in words.

``LinkExplainer.explain`` gives, per link, ``{"shared_neighbours": [node, ...],
"shared_neighbour_count": n, "paths": [{"nodes": [node, ...], "relationships": [type, ...]}, ...],
"text": "..."}`` with each node ``{"label", "name"}``.  Shared neighbours come rarest first
(lowest degree: a shared niche concept says more than a shared hub, as in Adamic-Adar), at most
``SHARED_NEIGHBOURS_SHOWN``; paths are up to ``PATHS_SHOWN`` shortest ones within ``PATH_CUTOFF``
hops, with ``relationships[i]`` joining ``nodes[i]`` and ``nodes[i + 1]`` (``A|B`` where several
facts join them).  ``text`` says the same in sentences, naming papers by title and concepts by
name, e.g. *LoRA and instruction tuning are both mentioned in 3 papers: “QLoRA: …”, … .
“Paper A” mentions LoRA and fine-tuning; fine-tuning is used for instruction tuning.*
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice

from analysis.graph_reader import GraphSnapshot
from analysis.linkpred.store_graph import NodeKey, StoreGraph
from graph_schema.schema import Label, Rel

SHARED_NEIGHBOURS_SHOWN = 5
PATHS_SHOWN = 3
PATH_CUTOFF = 3  # hops: predicted links join nodes this close (``models.linkpred.candidates``)
PATHS_IN_WORDS = 2  # three-hop paths the text spells out where the ends share no neighbour
TITLE_SHOWN = 80  # characters of a paper's title in the text

# How a fact reads with its source as the subject, and its target as the object.
VERBS = {
    Rel.MENTIONS: "mentions",
    Rel.USED_FOR: "is used for",
    Rel.EVALUATED_ON: "is evaluated on",
    Rel.COMPARED_WITH: "is compared with",
    Rel.PART_OF: "is part of",
    Rel.HYPONYM_OF: "is a kind of",
    Rel.FEATURE_OF: "is a feature of",
    Rel.CONJUNCTION: "is used together with",
}
LABEL_WORDS = {label.value: label.value.lower() for label in Label}


class LinkExplainer:
    """Why two nodes may be linked, read off the store's graph: every fact, undirected for
    neighbours and paths, with each fact's direction kept for the words."""

    def __init__(self, snapshot: GraphSnapshot):
        self.names = {key: props["name"] or key[1] for key, props in snapshot.nodes.items()}
        self.facts: dict[tuple[NodeKey, NodeKey], set[str]] = defaultdict(set)
        self.neighbours: dict[NodeKey, set[NodeKey]] = defaultdict(set)
        for source, rel, target in snapshot.edges:
            if source != target:
                self.facts[(source, target)].add(rel)
                self.neighbours[source].add(target)
                self.neighbours[target].add(source)

    def degree(self, node: NodeKey) -> int:
        return len(self.neighbours.get(node, ()))

    def explain_one(self, source: NodeKey, target: NodeKey) -> dict:
        shared = self.neighbours.get(source, set()) & self.neighbours.get(target, set())
        shown = self._rarest_first(shared)
        paths = list(islice(self.shortest_paths(source, target, shown), PATHS_SHOWN))
        return {
            "shared_neighbours": [self._node(node) for node in shown[:SHARED_NEIGHBOURS_SHOWN]],
            "shared_neighbour_count": len(shared),
            "paths": [self._path(path) for path in paths],
            "text": self.in_words(source, target, shown, paths),
        }

    def shortest_paths(self, source: NodeKey, target: NodeKey, shared: list[NodeKey]) -> Iterator[list[NodeKey]]:
        """Shortest paths of two or three hops, through the rarest nodes first (``PATH_CUTOFF``)."""
        if shared:
            for middle in shared:
                yield [source, middle, target]
            return
        target_neighbours = self.neighbours.get(target, set())
        for first in self._rarest_first(self.neighbours.get(source, set()) - {target}):
            for second in self._rarest_first((self.neighbours[first] & target_neighbours) - {source}):
                yield [source, first, second, target]

    def _rarest_first(self, nodes) -> list[NodeKey]:
        return sorted(nodes, key=lambda node: (self.degree(node), self.names.get(node, ""), node))

    def _node(self, key: NodeKey) -> dict:
        return {"label": key[0], "name": self.names.get(key, key[1])}

    def _path(self, path: list[NodeKey]) -> dict:
        return {
            "nodes": [self._node(node) for node in path],
            "relationships": [
                "|".join(sorted(self.facts.get((a, b), set()) | self.facts.get((b, a), set())))
                for a, b in zip(path, path[1:])
            ],
        }

    # -- in words -------------------------------------------------------------------------

    def in_words(self, source: NodeKey, target: NodeKey, shared: list[NodeKey], paths: list[list[NodeKey]]) -> str:
        """A few sentences: what the two ends share, then the longer paths between them."""
        ends = f"{self.display(source)} and {self.display(target)}"
        sentences = []
        papers = [node for node in shared if node[0] == Label.PAPER.value]
        concepts = [node for node in shared if node[0] != Label.PAPER.value]
        if papers:
            sentences.append(
                f"{ends} are both mentioned in {_count(len(papers), 'paper')}: "
                + _listing([self.display(node) for node in papers[:SHARED_NEIGHBOURS_SHOWN]], len(papers))
                + "."
            )
        if concepts:
            shown = [f"the {LABEL_WORDS.get(node[0], node[0])} {self.display(node)}" for node in concepts]
            lead = "Both" if papers else f"{ends} are both"
            sentences.append(f"{lead} linked to {_listing(shown[:SHARED_NEIGHBOURS_SHOWN], len(concepts), 'concept')}.")
        for path in [path for path in paths if len(path) > 3][:PATHS_IN_WORDS]:
            sentences.append(_capitalised(self.path_in_words(path)) + ".")
        if not sentences:
            sentences.append(
                f"{ends} share no neighbour and no path of {PATH_CUTOFF} facts: "
                "the score rests on their text and the wider graph."
            )
        return " ".join(sentences)

    def path_in_words(self, path: list[NodeKey]) -> str:
        """``“Paper A” mentions LoRA and fine-tuning; fine-tuning is used for instruction tuning``."""
        clauses: list[tuple[NodeKey, str, list[NodeKey]]] = []
        for a, b in zip(path, path[1:]):
            forward, backward = self.facts.get((a, b), set()), self.facts.get((b, a), set())
            subject, rel, obj = (a, _first(forward), b) if forward else (b, _first(backward), a)
            verb = VERBS.get(rel, rel.lower().replace("_", " "))
            if clauses and clauses[-1][0] == subject and clauses[-1][1] == verb:
                clauses[-1][2].append(obj)
            else:
                clauses.append((subject, verb, [obj]))
        return "; ".join(
            f"{self.display(subject)} {verb} {_listing([self.display(node) for node in objects], len(objects))}"
            for subject, verb, objects in clauses
        )

    def display(self, key: NodeKey) -> str:
        name = self.names.get(key, key[1])
        if key[0] == Label.PAPER.value:
            short = name if len(name) <= TITLE_SHOWN else name[: TITLE_SHOWN - 1].rstrip() + "…"
            return f"“{short}”"
        return name


def _first(rels: set[str]) -> str:
    order = list(VERBS)
    return min(rels, key=lambda rel: (order.index(rel) if rel in order else len(order), rel))


def _count(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _listing(items: list[str], total: int, noun: str = "") -> str:
    """``a, b and c``; with ``and N more`` (``N more <noun>s``) when ``total`` exceeds what is shown."""
    more = total - len(items)
    if more > 0:
        return ", ".join(items) + f" and {more:,} more" + (f" {noun}{'' if more == 1 else 's'}" if noun else "")
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def explain_links(explainer: LinkExplainer, graph: StoreGraph, links: list) -> list[dict]:
    """One explanation per link (anything with ``edge_type``, ``source`` and ``target`` local ids), in order."""
    return [
        explainer.explain_one(
            graph.node_keys[link.edge_type[0]][link.source], graph.node_keys[link.edge_type[2]][link.target]
        )
        for link in links
    ]
