"""GraphSAGE link predictors for homogeneous and heterogeneous graphs.

Everything runs in the heterogeneous form: a homogeneous graph is one node
type and one edge type.  Two encoders (``ModelConfig.encoder``):

* ``relational`` (the default): one GraphSAGE layer per *relation group*
  rather than per edge type.  Each target edge type and its reverse are a
  group of their own; every other edge type joins the group of its two node
  types (all the relations from methods to tasks, say), so the store's 125
  message-passing edge types become about 30 groups.  A node's new state is
  its own state's projection plus the mean, over the groups that reach it,
  of a projection of its neighbours' mean state in that group (one sparse
  product each).  On the 2,000-paper sample of the real corpus an epoch
  took about 15 times less than with ``to_hetero``.
* ``hetero``: ``to_hetero`` turns the plain ``SAGEEncoder`` into one SAGE
  layer per edge type, averaged per destination type (see
  ``ModelConfig.edge_type_aggregation``); runs saved before the relational
  encoder existed use it.

Each node type's input is the sum of a projection of its given features
(if any) and a projection of structural features of the graph being
encoded (see ``NodeInput``); free per-node embeddings are optional and off
by default, because on the citation-like graphs they memorised training
links and lowered test AUC.

Decoders score a pair from the two end embeddings ``z_u`` and ``z_v``:

* ``dot``: ``z_u . z_v``.
* ``mlp``: an MLP on ``z_u * z_v``.
* ``structural``: an MLP on ``z_u * z_v``, the sum of the embeddings of the
  pair's common neighbours (NCN, Wang et al. 2023) and log(1 + x) of the
  four neighbourhood heuristics, so the model can learn what Adamic-Adar
  knows instead of having to beat it from smoothed embeddings alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor, nn
from torch_geometric.nn import SAGEConv, to_hetero

from models.linkpred.heuristics import HEURISTICS, common_neighbour_pairs, scores_from_common_neighbours
from models.linkpred.split import REVERSE_PREFIX, EdgeType, LinkGraph

DECODERS = ("dot", "mlp", "structural")
RELATIONAL, HETERO = "relational", "hetero"
ENCODERS = (RELATIONAL, HETERO)


@dataclass(frozen=True)
class ModelConfig:
    decoder: str = "structural"
    encoder: str = RELATIONAL
    hidden_channels: int = 64
    num_layers: int = 2
    dropout: float = 0.2
    projection_dims: int = 32
    propagation_hops: int = 4
    # Learnable per-node embeddings: True for every node type, None for the
    # types without features, False for none.
    node_embeddings: bool | None = False
    # How a node type combines the messages of its incoming edge types.  The
    # store's graph has some 60 edge types, many with a handful of edges; summed,
    # they swamped each node's own state, and the NCN model's method embeddings
    # collapsed to 14 distinct vectors (test AUC 0.90 against 0.95 with "mean"
    # on the sample corpus).  With one edge type the two are the same.
    edge_type_aggregation: str = "mean"


class SAGEEncoder(nn.Module):
    """Plain GraphSAGE; ``to_hetero`` needs the forward arguments named ``x`` and ``edge_index``."""

    def __init__(self, channels: int, num_layers: int, dropout: float):
        super().__init__()
        self.convs = nn.ModuleList(SAGEConv(channels, channels) for _ in range(num_layers))
        # A module, not F.dropout(training=self.training): to_hetero traces the
        # forward once, which would freeze the training flag.
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        for layer, conv in enumerate(self.convs):
            x = conv(x, edge_index)
            if layer < len(self.convs) - 1:
                x = self.dropout(x.relu())
        return x


def relation_group(edge_type: EdgeType, targets: set[EdgeType]) -> str:
    """The group an edge type passes messages in: a target type (or its reverse) alone, any
    other edge type with every edge type between the same two node types, in that direction."""
    src, rel, dst = edge_type
    reverse = rel.startswith(REVERSE_PREFIX)
    forward = (dst, rel[len(REVERSE_PREFIX) :], src) if reverse else edge_type
    if forward in targets:
        return "__".join(edge_type)
    return f"{src}__related__{dst}"


class RelationalEncoder(nn.Module):
    """GraphSAGE over relation groups (see the module's description); mean aggregation within a
    group, the mean over groups at each node, plus a per-node-type root projection."""

    def __init__(self, graph: LinkGraph, target_edge_types: list[EdgeType], channels: int, num_layers: int, dropout):
        super().__init__()
        self.targets = set(target_edge_types)
        groups = sorted({relation_group(edge_type, self.targets) for edge_type in graph.edges})
        self.layers = nn.ModuleList(
            nn.ModuleDict(
                {
                    **{f"group:{group}": nn.Linear(channels, channels, bias=False) for group in groups},
                    **{f"root:{node_type}": nn.Linear(channels, channels) for node_type in graph.node_types},
                }
            )
            for _ in range(num_layers)
        )
        self.dropout = nn.Dropout(dropout)

    def operators(self, graph: LinkGraph) -> list[tuple[str, str, str, Tensor, Tensor, Tensor, Tensor]]:
        """Per group with edges: ``(group, src type, dst type, src ids, the destinations it reaches,
        each edge's place among them, weights)``; the weights make each destination's messages in
        the group a mean (an edge in several types of the group counts once per type)."""
        by_group: dict[tuple[str, str, str], list[Tensor]] = {}
        for edge_type, edge_index in graph.edges.items():
            if edge_index.shape[1]:
                key = (relation_group(edge_type, self.targets), edge_type[0], edge_type[2])
                by_group.setdefault(key, []).append(edge_index)
        operators = []
        for (group, src, dst), parts in sorted(by_group.items()):
            edge_index = torch.cat(parts, dim=1)
            reached, place = torch.unique(edge_index[1], return_inverse=True)
            weights = 1.0 / torch.bincount(place, minlength=len(reached)).float()[place]
            operators.append((group, src, dst, edge_index[0], reached, place, weights[:, None]))
        return operators

    def forward(self, x: dict[str, Tensor], graph: LinkGraph) -> dict[str, Tensor]:
        operators = self.operators(graph)
        groups_reaching = {node_type: torch.zeros(count, 1) for node_type, count in graph.num_nodes.items()}
        for _group, _src, dst, _sources, reached, _place, _weights in operators:
            groups_reaching[dst][reached] += 1.0
        for depth, layer in enumerate(self.layers):
            messages = {node_type: torch.zeros_like(h) for node_type, h in x.items()}
            for group, src, dst, sources, reached, place, weights in operators:
                # Only the nodes the group reaches: most groups are small, their node types large.
                mean = torch.zeros(len(reached), x[src].shape[1]).index_add_(0, place, x[src][sources] * weights)
                messages[dst] = messages[dst].index_add(0, reached, layer[f"group:{group}"](mean))
            x = {
                node_type: layer[f"root:{node_type}"](h) + messages[node_type] / groups_reaching[node_type].clamp(min=1)
                for node_type, h in x.items()
            }
            if depth < len(self.layers) - 1:
                x = {node_type: self.dropout(h.relu()) for node_type, h in x.items()}
        return x


class NodeInput(nn.Module):
    """Per node type: projected features + projected structural features + optional learnable embedding.

    Structural features are computed on whatever graph is being encoded (the
    masked one in training): log degree and random projections propagated
    1..``hops`` steps (FastRP, Chen et al. 2019).  Nodes whose neighbourhoods
    overlap get correlated vectors, which gives featureless graphs a
    positional signal that, unlike free embeddings, cannot memorise edges.
    """

    def __init__(self, graph: LinkGraph, channels: int, config: ModelConfig, seed: int = 0):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.hops = config.propagation_hops
        self.register_buffer(
            "projection",
            torch.randn(graph.total_nodes, config.projection_dims, generator=generator) / config.projection_dims**0.5,
            persistent=False,
        )
        structural_width = 1 + self.hops * config.projection_dims
        self.feature_projections = nn.ModuleDict(
            {node_type: nn.Linear(x.shape[1], channels) for node_type, x in graph.features.items()}
        )
        self.structural_projections = nn.ModuleDict(
            {node_type: nn.Linear(structural_width, channels) for node_type in graph.node_types}
        )
        self.embeddings = nn.ModuleDict(
            {
                node_type: nn.Embedding(count, channels)
                for node_type, count in graph.num_nodes.items()
                if config.node_embeddings or (config.node_embeddings is None and node_type not in graph.features)
            }
        )
        for embedding in self.embeddings.values():
            nn.init.normal_(embedding.weight, std=0.1)

    def structural_features(self, graph: LinkGraph) -> Tensor:
        degree = graph.degree.astype(np.float32)
        mean_of_neighbours = sp.diags(1.0 / np.maximum(degree, 1.0)) @ graph.adjacency
        columns, h = [np.log1p(degree)[:, None]], self.projection.numpy()
        for _hop in range(self.hops):
            h = mean_of_neighbours @ h
            columns.append(h / np.maximum(np.linalg.norm(h, axis=1, keepdims=True), 1e-12))
        return torch.as_tensor(np.concatenate(columns, axis=1), dtype=torch.float32)

    def forward(self, graph: LinkGraph) -> dict[str, Tensor]:
        structural = self.structural_features(graph)
        inputs = {}
        for node_type in graph.node_types:
            start = graph.offsets[node_type]
            h = self.structural_projections[node_type](structural[start : start + graph.num_nodes[node_type]])
            if node_type in self.feature_projections:
                h = h + self.feature_projections[node_type](graph.features[node_type].float())
            if node_type in self.embeddings:
                h = h + self.embeddings[node_type].weight
            inputs[node_type] = h
        return inputs


class PairDecoder(nn.Module):
    def __init__(self, kind: str, channels: int, dropout: float):
        super().__init__()
        if kind not in DECODERS:
            raise ValueError(f"unknown decoder {kind!r}; choose from {DECODERS}")
        self.kind = kind
        width = {"dot": 0, "mlp": channels, "structural": 2 * channels + len(HEURISTICS)}[kind]
        self.mlp = (
            None
            if kind == "dot"
            else nn.Sequential(nn.Linear(width, channels), nn.ReLU(), nn.Dropout(dropout), nn.Linear(channels, 1))
        )

    def forward(self, z_src: Tensor, z_dst: Tensor, structure: Tensor | None = None) -> Tensor:
        if self.kind == "dot":
            return (z_src * z_dst).sum(dim=1)
        pair = z_src * z_dst
        if self.kind == "structural":
            pair = torch.cat([pair, structure], dim=1)
        return self.mlp(pair).squeeze(1)


class LinkPredictor(nn.Module):
    """Encoder over a ``LinkGraph`` plus one decoder per target edge type; scores are logits."""

    def __init__(self, graph: LinkGraph, target_edge_types: list[EdgeType], config: ModelConfig = ModelConfig()):
        super().__init__()
        self.config = config
        self.target_edge_types = list(target_edge_types)
        channels = config.hidden_channels
        self.node_input = NodeInput(graph, channels, config)
        if config.encoder not in ENCODERS:
            raise ValueError(f"unknown encoder {config.encoder!r}; choose from {ENCODERS}")
        # to_hetero refuses node types that no edge type reaches (e.g. a label with no facts yet).
        self.connected_types = [
            node_type for node_type in graph.node_types if any(edge_type[2] == node_type for edge_type in graph.edges)
        ]
        if config.encoder == RELATIONAL:
            self.encoder = RelationalEncoder(graph, self.target_edge_types, channels, config.num_layers, config.dropout)
        else:
            self.encoder = to_hetero(
                SAGEEncoder(channels, config.num_layers, config.dropout),
                (self.connected_types, list(graph.edges)),
                aggr=config.edge_type_aggregation,
            )
        self.decoders = nn.ModuleDict(
            {
                _key(edge_type): PairDecoder(config.decoder, channels, config.dropout)
                for edge_type in self.target_edge_types
            }
        )

    def encode(self, graph: LinkGraph) -> dict[str, Tensor]:
        inputs = self.node_input(graph)
        if self.config.encoder == RELATIONAL:
            return self.encoder(inputs, graph)
        z = self.encoder({node_type: inputs[node_type] for node_type in self.connected_types}, graph.edges)
        # Node types that receive no messages have no output; give them zeros.
        return {
            node_type: z.get(node_type, torch.zeros(count, self.config.hidden_channels))
            for node_type, count in graph.num_nodes.items()
        }

    def decode(
        self, graph: LinkGraph, z: dict[str, Tensor], edge_type: EdgeType, src: np.ndarray, dst: np.ndarray
    ) -> Tensor:
        src_type, _, dst_type = edge_type
        structure = None
        if self.config.decoder == "structural":
            structure = self._pair_structure(graph, z, graph.global_ids(src_type, src), graph.global_ids(dst_type, dst))
        return self.decoders[_key(edge_type)](
            z[src_type][torch.as_tensor(src)], z[dst_type][torch.as_tensor(dst)], structure
        )

    def _pair_structure(self, graph: LinkGraph, z: dict[str, Tensor], src: np.ndarray, dst: np.ndarray) -> Tensor:
        pair, neighbour = common_neighbour_pairs(graph.adjacency, src, dst)
        neighbourhood = torch.zeros(len(src), self.config.hidden_channels)
        # Type by type, not through one concatenation of every embedding (a copy per call).
        starts = np.array([graph.offsets[node_type] for node_type in graph.node_types])
        type_of = np.searchsorted(starts, neighbour, side="right") - 1
        for position, node_type in enumerate(graph.node_types):
            inside = type_of == position
            if inside.any():
                local = torch.as_tensor(neighbour[inside] - starts[position])
                neighbourhood = neighbourhood.index_add(0, torch.as_tensor(pair[inside]), z[node_type][local])
        heuristics = scores_from_common_neighbours(graph.degree, src, dst, pair, neighbour)
        heuristic_features = torch.log1p(
            torch.as_tensor(np.stack([heuristics[name] for name in HEURISTICS], axis=1), dtype=torch.float32)
        )
        return torch.cat([neighbourhood, heuristic_features], dim=1)


def _key(edge_type: EdgeType) -> str:
    return "__".join(edge_type)
