"""Link prediction: leak-free splits, the shared evaluator, heuristics, GNN training, the CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest
import torch
from click.testing import CliRunner

from graph_schema.schema import Label, Rel
from models.linkpred.comparison import GNN_DECODERS
from models.linkpred.evaluator import METRICS, evaluate_link_scores, evaluate_scorer, positive_ranks
from models.linkpred.files import write_edge_list, write_features
from models.linkpred.heuristics import (
    ADAMIC_ADAR,
    COMMON_NEIGHBOURS,
    PREFERENTIAL_ATTACHMENT,
    RESOURCE_ALLOCATION,
    neighbourhood_scores,
)
from models.linkpred.negatives import HARD, RANDOM, evaluation_negatives, links_of_type
from models.linkpred.split import LINK, reverse_edge_type, split_edges, split_hetero_edges
from models.linkpred.synthetic import block_features, citation_like_graph, paper_concept_graph
from models.linkpred.train import (
    TrainConfig,
    fit_link_predictor,
    link_predictor_scorer,
    score_pairs,
    train_link_predictor,
)
from ui.cli import cli

HETERO_TARGETS = [
    (Label.PAPER, Rel.MENTIONS, Label.METHOD),
    (Label.METHOD, Rel.USED_FOR, Label.TASK),
    (Label.METHOD, Rel.EVALUATED_ON, Label.DATASET),
]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def pair_set(edge_index: torch.Tensor) -> set[tuple[int, int]]:
    return set(map(tuple, edge_index.T.tolist()))


# --- split -----------------------------------------------------------------


def test_homogeneous_split_is_disjoint_sized_and_leaks_nothing():
    edges, _ = citation_like_graph(500, seed=3)
    split = split_edges(edges, 500, seed=7)
    train, val, test = (
        set(map(tuple, np.sort(part[LINK], axis=1).tolist())) for part in (split.train, split.val, split.test)
    )
    assert not (train & val or train & test or val & test)
    total = len(train) + len(val) + len(test)
    assert total == len({tuple(sorted(edge)) for edge in edges.tolist()})
    assert abs(len(test) - 0.10 * total) <= 1 and abs(len(val) - 0.05 * total) <= 1
    message_passing = pair_set(split.graph.edges[LINK])
    for u, v in np.concatenate([split.val[LINK], split.test[LINK]]).tolist():
        assert (u, v) not in message_passing and (v, u) not in message_passing
    assert message_passing == {(u, v) for u, v in train} | {(v, u) for u, v in train}
    held_out = {tuple(sorted(pair)) for pair in np.concatenate([split.val[LINK], split.test[LINK]]).tolist()}
    assert not any(split.graph.adjacency[u, v] for u, v in held_out)
    again = split_edges(edges, 500, seed=7)
    assert np.array_equal(again.test[LINK], split.test[LINK])


def test_hetero_split_removes_held_out_links_and_their_reverses():
    data = paper_concept_graph(300, seed=1)
    split = split_hetero_edges(data, HETERO_TARGETS, seed=2)
    edges = split.graph.edges
    for edge_type in HETERO_TARGETS:
        forward, backward = pair_set(edges[edge_type]), pair_set(edges[reverse_edge_type(edge_type)])
        assert backward == {(v, u) for u, v in forward}
        held_out = np.concatenate([split.val[edge_type], split.test[edge_type]])
        assert len(split.test[edge_type]) > 0
        for u, v in held_out.tolist():
            assert (u, v) not in forward and (v, u) not in backward
        assert len(forward) == len(split.train[edge_type])
    context = (Label.PAPER, Rel.MENTIONS, Label.TASK)
    assert pair_set(edges[context]) == pair_set(data[context].edge_index)
    assert split.features[Label.PAPER].shape == (300, 16)


def test_hetero_split_refuses_reverse_edge_types():
    data = paper_concept_graph(50, seed=1)
    data[Label.TASK, "rev_USED_FOR", Label.METHOD].edge_index = torch.zeros(2, 0, dtype=torch.long)
    with pytest.raises(ValueError, match="reverse"):
        split_hetero_edges(data, HETERO_TARGETS)


# --- evaluator -------------------------------------------------------------


def test_metrics_on_a_hand_made_example():
    pos = np.array([0.9, 0.4])
    neg = np.array([[0.8, 0.1, 0.95], [0.5, 0.4, 0.2]])
    metrics = evaluate_link_scores(pos, neg)
    # 0.9 beats 5 of the 6 negatives; 0.4 beats 2, ties 1: (5 + 2.5) / 12.
    assert metrics["auc"] == pytest.approx(0.625)
    # Negatives weigh 1/3.  Cut at 0.9: precision 1 / (1 + 1/3) = 0.75, recall 1/2;
    # cut at 0.4: precision 2 / (2 + 4/3) = 0.6, recall 1.
    assert metrics["ap"] == pytest.approx(0.5 * 0.75 + 0.5 * 0.6)
    # Ranks: 0.9 is below 0.95 -> 2; 0.4 is below 0.5 and tied with 0.4 -> 2.5.
    assert positive_ranks(pos, neg).tolist() == [2.0, 2.5]
    assert metrics["mrr"] == pytest.approx((1 / 2 + 1 / 2.5) / 2)
    assert metrics["hits@10"] == 1.0 and metrics["hits@50"] == 1.0


def test_hits_at_k_counts_ranks_among_each_positives_own_negatives():
    neg = np.tile(np.r_[np.full(10, 0.9), 0.5, 0.5, np.zeros(48)], (2, 1))  # 60 negatives each
    pos = np.array([0.5, 1.0])  # ranks 1 + 10 + 2/2 = 12, and 1
    metrics = evaluate_link_scores(pos, neg)
    assert metrics["hits@10"] == 0.5 and metrics["hits@50"] == 1.0
    assert metrics["mrr"] == pytest.approx((1 / 12 + 1) / 2)


def test_constant_scores_rank_in_the_middle():
    metrics = evaluate_link_scores(np.zeros(4), np.zeros((4, 99)))
    assert metrics["auc"] == 0.5 and metrics["mrr"] == pytest.approx(1 / 50.5)
    assert metrics["hits@50"] == 0.0  # rank 50.5


# --- heuristics and negatives ---------------------------------------------


def tiny_graph():
    #   0 - 1 - 3 - 4     degrees: 0:2 1:3 2:3 3:3 4:1
    #    \ /\  /
    #     2 ---
    edges = np.array([[0, 1], [0, 2], [1, 2], [1, 3], [2, 3], [3, 4]])
    return split_edges(edges, 5, val_fraction=0, test_fraction=0).graph


def test_heuristics_on_a_hand_made_graph():
    scores = neighbourhood_scores(tiny_graph(), np.array([0, 1, 0]), np.array([3, 4, 4]))
    assert scores[COMMON_NEIGHBOURS].tolist() == [2, 1, 0]
    assert scores[ADAMIC_ADAR] == pytest.approx([2 / math.log(3), 1 / math.log(3), 0])
    assert scores[RESOURCE_ALLOCATION] == pytest.approx([2 / 3, 1 / 3, 0])
    assert scores[PREFERENTIAL_ATTACHMENT].tolist() == [6, 3, 2]


def test_heuristics_agree_with_networkx():
    edges, _ = citation_like_graph(300, seed=5)
    graph = split_edges(edges, 300, val_fraction=0, test_fraction=0).graph
    nx_graph = nx.Graph(edges.tolist())
    rng = np.random.default_rng(0)
    pairs = [tuple(pair) for pair in rng.integers(300, size=(200, 2)).tolist() if pair[0] != pair[1]]
    scores = neighbourhood_scores(graph, *np.array(pairs).T)
    for name, reference in (
        (ADAMIC_ADAR, nx.adamic_adar_index),
        (RESOURCE_ALLOCATION, nx.resource_allocation_index),
        (PREFERENTIAL_ATTACHMENT, nx.preferential_attachment),
    ):
        assert scores[name] == pytest.approx([value for _, _, value in reference(nx_graph, pairs)])


def test_negatives_are_never_links_and_hard_ones_are_near():
    edges, _ = citation_like_graph(400, seed=2)
    split = split_edges(edges, 400, seed=0)
    positives = split.test[LINK]
    negatives = evaluation_negatives(split, LINK, positives, 30, np.random.default_rng(0))
    known = links_of_type(split.known_pairs(LINK), LINK, split.num_nodes)
    adjacency = split.graph.adjacency
    two_hops = ((adjacency @ adjacency + adjacency) > 0).toarray()
    for regime in (RANDOM, HARD):
        sources = np.repeat(positives[:, 0], 30)
        chosen = negatives[regime].reshape(-1)
        assert negatives[regime].shape == (len(positives), 30)
        assert not known.contains(sources, chosen).any() and not (sources == chosen).any()
    near = two_hops[np.repeat(positives[:, 0], 30), negatives[HARD].reshape(-1)].mean()
    far = two_hops[np.repeat(positives[:, 0], 30), negatives[RANDOM].reshape(-1)].mean()
    assert near > 0.3 and near > 5 * far


# --- GNN -------------------------------------------------------------------


def test_gnn_clearly_beats_random_on_a_planted_partition():
    sizes = [100] * 4
    # About 95% of edges fall inside a block; block identity alone caps AUC near 0.85.
    probabilities = np.full((4, 4), 0.001) + np.eye(4) * 0.05
    sbm = nx.stochastic_block_model(sizes, probabilities.tolist(), seed=0)
    blocks = np.repeat(np.arange(4), 100)
    features = torch.as_tensor(block_features(blocks, signal=1.0, seed=0))
    split = split_edges(np.array(sbm.edges()), 400, features=features, seed=0)
    model, history = fit_link_predictor(split, TrainConfig(max_epochs=200, patience=50), seed=0)
    negatives = evaluation_negatives(split, LINK, split.test[LINK], 50, np.random.default_rng(1))
    scorer = link_predictor_scorer(model, split.graph, "gnn")
    random_regime = evaluate_scorer(scorer, LINK, split.test[LINK], negatives[RANDOM])["gnn"]
    assert history.best_val_auc > 0.75
    assert random_regime["auc"] > 0.8 and random_regime["mrr"] > 0.15  # a random scorer: 0.5 and about 0.08


def test_hetero_training_learns_every_target_type_and_scores_pairs():
    data = paper_concept_graph(400, seed=0)
    model, result = train_link_predictor(
        data, HETERO_TARGETS, config=TrainConfig(max_epochs=40), seed=0, num_negatives=20
    )
    for edge_type in HETERO_TARGETS:
        assert result["test"][edge_type][RANDOM]["auc"] > 0.7
    graph = result["split"].graph
    scores = score_pairs(model, graph, HETERO_TARGETS[1], [0, 1, 2], [3, 4, 5])
    assert scores.shape == (3,) and np.isfinite(scores).all()


# --- CLI -------------------------------------------------------------------


def test_cli_evaluate_json_end_to_end(tmp_path):
    edges, blocks = citation_like_graph(300, seed=4)
    write_edge_list(tmp_path / "graph.edges", edges)
    write_features(tmp_path / "graph.features", block_features(blocks, seed=4))
    result = CliRunner().invoke(
        cli,
        [
            "linkpred",
            "evaluate",
            "--edges",
            str(tmp_path / "graph.edges"),
            "--features",
            str(tmp_path / "graph.features"),
            "--json",
            "--epochs",
            "15",
            "--negatives",
            "20",
            "--seed",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]
    assert all(set(row) == {"model", "kind", *METRICS, "negatives"} for row in rows)
    assert {row["negatives"] for row in rows} == {"random", "hard"}
    models = {(row["model"], row["kind"]) for row in rows}
    assert {name for name, kind in models if kind == "gnn"} == set(GNN_DECODERS)
    assert {kind for _, kind in models} == {"gnn", "heuristic", "embedding"}
    assert len(rows) == 2 * len(models)
    assert all(0.0 <= row[metric] <= 1.0 for row in rows for metric in METRICS)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("a b\nb c\nc d e\n", ":3: expected two node ids, found 3"),
        ("# only a comment\n\n", ": no edges"),
    ],
)
def test_cli_names_the_file_and_line_of_a_bad_edge_list(tmp_path, content, problem):
    path = tmp_path / "bad.edges"
    path.write_text(content)
    result = CliRunner().invoke(cli, ["linkpred", "evaluate", "--edges", str(path)])
    assert result.exit_code != 0
    assert f"{path}{problem}" in result.output
    assert "Traceback" not in result.output


def test_cli_rejects_ragged_features(tmp_path):
    edges = tmp_path / "graph.edges"
    write_edge_list(edges, citation_like_graph(100, seed=0)[0])
    features = tmp_path / "graph.features"
    features.write_text("0 1.0 2.0\n1, 3.0, 4.0\n2 5.0\n")
    result = CliRunner().invoke(cli, ["linkpred", "evaluate", "--edges", str(edges), "--features", str(features)])
    assert result.exit_code != 0
    assert f"{features}:3: expected 2 numbers" in result.output


def test_the_command_line_loads_without_torch():
    # `papergraph --help` took 5.5 s when the linkpred commands imported torch at module level.
    check = "import sys, ui.cli; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", check], check=True, capture_output=True)
