"""Why two nodes may be linked: their shared neighbours and shortest paths in the store's graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice

import networkx as nx

from analysis.graph_reader import GraphSnapshot, undirected_graph
from analysis.linkpred.scoring import PredictedLink
from analysis.linkpred.store_graph import NodeKey, StoreGraph

SHARED_NEIGHBOURS_SHOWN = 5
PATHS_SHOWN = 3
PATH_CUTOFF = 4  # hops; longer paths explain nothing


class LinkExplainer:
    """Why two nodes may be linked, read off the store's graph (all facts, undirected).

    An explanation is ``{"shared_neighbours": [node, ...], "shared_neighbour_count": n,
    "paths": [{"nodes": [node, ...], "relationships": [type, ...]}, ...]}`` with each node
    ``{"label", "name"}``.  Shared neighbours come rarest first (lowest degree: a
    shared niche concept says more than a shared hub, as in Adamic-Adar), at most
    ``SHARED_NEIGHBOURS_SHOWN``; paths are up to ``PATHS_SHOWN`` shortest ones within
    ``PATH_CUTOFF`` hops, with ``relationships[i]`` joining ``nodes[i]`` and
    ``nodes[i + 1]`` (``A|B`` where several facts join them).
    """

    def __init__(self, snapshot: GraphSnapshot):
        self.graph = undirected_graph(snapshot)
        self.names = {key: props["name"] or key[1] for key, props in snapshot.nodes.items()}

    def explain(self, source: NodeKey, targets: list[NodeKey]) -> list[dict]:
        """Explanations for ``(source, target)`` for each of ``targets``; one breadth-first search in all."""
        predecessors = nx.predecessor(self.graph, source, cutoff=PATH_CUTOFF) if source in self.graph else {}
        source_neighbours = set(self.graph[source]) if source in self.graph else set()
        explanations = []
        for target in targets:
            shared = source_neighbours & set(self.graph[target]) if target in self.graph else set()
            shown = sorted(shared, key=lambda node: (self.graph.degree(node), self.names.get(node, ""), node))
            explanations.append(
                {
                    "shared_neighbours": [self._node(node) for node in shown[:SHARED_NEIGHBOURS_SHOWN]],
                    "shared_neighbour_count": len(shared),
                    "paths": [
                        self._path(path) for path in islice(shortest_paths(predecessors, source, target), PATHS_SHOWN)
                    ],
                }
            )
        return explanations

    def _node(self, key: NodeKey) -> dict:
        return {"label": key[0], "name": self.names.get(key, key[1])}

    def _path(self, path: list[NodeKey]) -> dict:
        return {
            "nodes": [self._node(node) for node in path],
            "relationships": ["|".join(sorted(self.graph[a][b]["types"])) for a, b in zip(path, path[1:])],
        }


def shortest_paths(predecessors: dict, source, target) -> Iterator[list]:
    """Shortest paths from ``source`` to ``target``, lazily, given ``nx.predecessor(graph, source)``."""
    if target not in predecessors or target == source:
        return
    stack = [[target]]
    while stack:
        path = stack.pop()
        if path[-1] == source:
            yield path[::-1]
            continue
        for previous in sorted(predecessors[path[-1]], reverse=True):
            stack.append([*path, previous])


def explain_links(explainer: LinkExplainer, graph: StoreGraph, links: list[PredictedLink]) -> list[dict]:
    """One explanation per link, in order; one search per distinct source node."""
    by_source: dict[NodeKey, list[int]] = defaultdict(list)
    for position, link in enumerate(links):
        by_source[graph.node_keys[link.edge_type[0]][link.source]].append(position)
    explanations: list[dict] = [{}] * len(links)
    for source, positions in by_source.items():
        targets = [graph.node_keys[links[p].edge_type[2]][links[p].target] for p in positions]
        for position, explanation in zip(positions, explainer.explain(source, targets)):
            explanations[position] = explanation
    return explanations
