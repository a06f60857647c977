"""Which predicted links are written, and with what score: calibration, candidates, selection, explanations,
and the relational encoder (``models.linkpred.calibration``, ``models.linkpred.candidates``,
``analysis.linkpred.explanations``, ``models.linkpred.gnn``)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from analysis.graph_reader import GraphSnapshot
from analysis.linkpred.exclusions import broader_keys, concept_core
from analysis.linkpred.explanations import LinkExplainer
from graph_schema.schema import Label, Rel
from models.linkpred.calibration import (
    UNCALIBRATED,
    Calibration,
    PlattScaling,
    best_f1_threshold,
    fit_platt,
    reliability,
)
from models.linkpred.candidates import (
    BELOW_THRESHOLD,
    EXCLUDED_END,
    NOT_NEW,
    OVER_LIMIT,
    SAME_NAME,
    UNREACHABLE,
    Candidates,
    DropCounts,
    NodeFilter,
    candidate_pairs,
    score_candidates,
    select_links,
)
from models.linkpred.gnn import HETERO, RELATIONAL, LinkPredictor, ModelConfig, relation_group
from models.linkpred.runs import find_run, save_run
from models.linkpred.split import LinkGraph, split_hetero_edges, with_reverse_edges
from models.linkpred.synthetic import paper_concept_graph

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PAPER, METHOD, TASK = Label.PAPER.value, Label.METHOD.value, Label.TASK.value
METHOD_TASK = (METHOD, Rel.USED_FOR.value, TASK)
MENTIONS_METHOD = (PAPER, Rel.MENTIONS.value, METHOD)
MENTIONS_TASK = (PAPER, Rel.MENTIONS.value, TASK)


# --- calibration ---------------------------------------------------------------


def test_platt_scaling_matches_observed_rates_and_keeps_every_distinct_logit_distinct():
    rng = np.random.default_rng(0)
    # One link against 50 non-links, logits scaled far beyond what a sigmoid should read as-is.
    positives = rng.normal(6.0, 4.0, size=400)
    negatives = rng.normal(-6.0, 4.0, size=400 * 50)
    scaling = fit_platt(positives, negatives)
    fresh_pos, fresh_neg = rng.normal(6.0, 4.0, size=400), rng.normal(-6.0, 4.0, size=400 * 50)
    calibrated = reliability(scaling.probability(fresh_pos), scaling.probability(fresh_neg))
    raw = reliability(UNCALIBRATED.probability(fresh_pos), UNCALIBRATED.probability(fresh_neg))
    assert calibrated["ece"] < 0.01 and calibrated["ece"] < raw["ece"] / 3
    assert calibrated["brier"] < raw["brier"]
    logits = np.sort(rng.normal(6.0, 1.0, size=100))
    probabilities = scaling.probability(logits)
    assert (np.diff(probabilities) > 0).all()  # strictly increasing: the ranking is kept, no ties
    assert len(np.unique(np.round(probabilities, 3))) > len(np.unique(np.round(UNCALIBRATED.probability(logits), 3)))
    assert 0.0 < scaling.best_f1 < 1.0


def test_calibration_without_enough_pairs_is_the_plain_sigmoid_and_survives_a_round_trip():
    assert fit_platt([1.0], [0.0, -1.0]) == UNCALIBRATED
    calibration = Calibration({METHOD_TASK: PlattScaling(0.5, -2.0, 0.3)})
    again = Calibration.from_json(calibration.as_json())
    assert again == calibration and again.scaling(METHOD_TASK).best_f1 == 0.3
    assert again.probability(MENTIONS_METHOD, [0.0]).tolist() == [0.5]  # a type without a scaling
    assert Calibration.from_json(None).by_edge_type == {}


def test_the_threshold_is_where_f1_is_highest():
    labels = np.array([1, 1, 0, 1, 0, 0, 0, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1, 0.05])
    # At >= 0.6: precision 3/4, recall 1, F1 6/7; at >= 0.8: precision 1, recall 2/3, F1 0.8.
    assert best_f1_threshold(scores, labels) == 0.6


# --- candidates and selection ------------------------------------------------------


def hand_graph() -> LinkGraph:
    """Papers 0-2, methods 0-3, tasks 0-2.

    paper 0 mentions method 0, task 0;  paper 1 mentions method 0, method 1, task 1;
    paper 2 mentions method 2;          method 0 is USED_FOR task 0.     method 3 and task 2: isolated.
    """
    forward = {
        MENTIONS_METHOD: np.array([[0, 0], [1, 0], [1, 1], [2, 2]]),
        MENTIONS_TASK: np.array([[0, 0], [1, 1]]),
        METHOD_TASK: np.array([[0, 0]]),
    }
    return LinkGraph({PAPER: 3, METHOD: 4, TASK: 3}, with_reverse_edges(forward))


def blocks(graph, edge_type, node_filter=None, counts=None):
    found = [
        pair
        for src, dst in candidate_pairs(graph, edge_type, node_filter, pairs_per_block=5, counts=counts)
        for pair in zip(src.tolist(), dst.tolist())
    ]
    return sorted(found)


def test_candidates_are_the_pairs_within_three_facts_that_no_fact_joins():
    graph = hand_graph()
    counts = DropCounts()
    # method 0 - task 0 is joined; method 0 reaches task 1 through paper 1 (2 hops); method 1 reaches
    # task 1 (2 hops) and task 0 through paper 1, method 0 (3 hops).  Methods 2 and 3 reach no task.
    assert blocks(graph, METHOD_TASK, counts=counts) == [(0, 1), (1, 0), (1, 1)]
    assert counts.dropped[NOT_NEW] == 1
    assert counts.dropped[UNREACHABLE] == 4 * 3 - 1 - 3


def test_candidates_leave_out_excluded_ends_and_pairs_of_one_name():
    graph = hand_graph()
    counts = DropCounts()
    node_filter = NodeFilter.of(
        {METHOD: np.array([True, False, True, True])},  # method 1 is generic
        # Method 0 is also known as "kws", task 1's acronym: one concept.
        {
            METHOD: [{"asr", "kws"}, {"x"}, set(), set()],
            TASK: [{"keyword spotting"}, {"kws", "keyword spotting"}, set()],
        },
    )
    assert blocks(graph, METHOD_TASK, node_filter, counts) == []
    assert counts.dropped[EXCLUDED_END] == 2 and counts.dropped[SAME_NAME] == 1


def test_selection_keeps_the_best_above_the_threshold_and_at_most_k_per_node_on_either_side():
    # Source 0 likes targets 0-3, and everyone likes target 0.
    src = np.array([0, 0, 0, 0, 1, 2, 3])
    dst = np.array([0, 1, 2, 3, 0, 0, 0])
    score = np.array([0.95, 0.9, 0.8, 0.1, 0.99, 0.97, 0.96])
    candidates = Candidates(METHOD_TASK, src, dst, score, score)
    counts = DropCounts()
    chosen = select_links(candidates, threshold=0.5, per_node=2, counts=counts)
    picked = [(int(src[i]), int(dst[i])) for i in chosen]
    # Best first: (1,0) 0.99 and (2,0) 0.97 fill target 0; (3,0) and (0,0) find it full; source 0 keeps 0.9, 0.8.
    assert picked == [(1, 0), (2, 0), (0, 1), (0, 2)]
    assert counts.dropped[BELOW_THRESHOLD] == 1 and counts.dropped[OVER_LIMIT] == 2 and counts.written == 4


def test_scoring_keeps_a_bounded_number_of_candidates_per_source_and_counts_every_pair():
    graph = hand_graph()
    counts = DropCounts()
    candidates = score_candidates(
        graph,
        METHOD_TASK,
        lambda src, dst: (10 * src + dst).astype(float),
        lambda logits: logits / 100,
        per_node=1,
        counts=counts,
    )
    assert counts.scored == 3 and len(candidates.src) == 3  # 4 kept per source at most: nothing cut here
    assert candidates.score.tolist() == pytest.approx(candidates.logit / 100)
    chosen = select_links(candidates, threshold=0.0, per_node=1, counts=counts)
    # Task 1 is the best of method 1 (0.11) and of method 0 (0.01); method 1 takes it, method 0 is left out.
    assert [(int(candidates.src[i]), int(candidates.dst[i])) for i in chosen] == [(1, 1)]
    total = counts.written + sum(counts.dropped[reason] for reason in (BELOW_THRESHOLD, OVER_LIMIT))
    assert total == counts.scored


def test_one_concept_is_one_name_less_the_words_that_say_what_kind_of_thing_it_is():
    assert concept_core("imitation learning method") == concept_core("imitation learning") == "imitation learning"
    assert concept_core("medical image segmentation models") == "medical image segmentation"
    assert concept_core("model") == "model" and concept_core("graph neural network") == "graph neural network"
    assert concept_core("keyword spotting systems") == "keyword spotting"


def test_a_concept_whose_name_ends_with_anothers_is_a_kind_of_it_and_never_linked_to_it():
    assert broader_keys({"unsupervised domain adaptation", "uda"}) == {"domain adaptation"}
    assert broader_keys({"sign language"}) == set()  # "language" alone: no kind of "language models"
    assert broader_keys({"mamba"}) == set() and broader_keys(set()) == set()
    names = {
        METHOD: [{"unsupervised domain adaptation", "uda"}, {"test time adaptation"}, {"mamba"}, set()],
        TASK: [{"domain adaptation"}, {"adaptation transfer"}, {"language modeling"}],
    }
    node_filter = NodeFilter.of(
        {}, names, {node_type: [broader_keys(k) for k in keys] for node_type, keys in names.items()}
    )
    src, dst = np.array([0, 1, 1, 0, 2, 3]), np.array([0, 0, 1, 2, 2, 0])
    # Method 0 is a kind of task 0; method 1 only shares a last word with it, and siblings are not one.
    assert node_filter.one_concept(METHOD_TASK, src, dst).tolist() == [True, False, False, False, False, False]
    assert node_filter.one_concept((TASK, "rev", METHOD), dst, src).tolist()[0]  # either way round
    siblings = NodeFilter.of({}, {METHOD: names[METHOD]}, {METHOD: [broader_keys(k) for k in names[METHOD]]})
    assert not siblings.one_concept((METHOD, "r", METHOD), np.array([0]), np.array([1])).any()
    # A paper's title is not a name: a paper titled "Domain adaptation" may still be linked to method 0.
    with_papers = NodeFilter.of(
        {}, {PAPER: [{"domain adaptation"}], METHOD: names[METHOD]}, {METHOD: [broader_keys(k) for k in names[METHOD]]}
    )
    assert not with_papers.one_concept((PAPER, "MENTIONS", METHOD), np.array([0]), np.array([0])).any()


# --- explanations in words ------------------------------------------------------------


def test_an_explanation_names_the_shared_papers_and_spells_out_a_longer_path():
    nodes = {
        ("Paper", "p1"): {"name": "QLoRA: efficient finetuning of quantized LLMs"},
        ("Paper", "p2"): {"name": "LoRA for reasoning"},
        ("Method", "lora"): {"name": "LoRA"},
        ("Method", "ft"): {"name": "fine-tuning"},
        ("Task", "it"): {"name": "instruction tuning"},
        ("Task", "rs"): {"name": "reasoning"},
    }
    edges = [
        (("Paper", "p1"), "MENTIONS", ("Method", "lora")),
        (("Paper", "p1"), "MENTIONS", ("Task", "it")),
        (("Paper", "p2"), "MENTIONS", ("Method", "lora")),
        (("Paper", "p2"), "MENTIONS", ("Method", "ft")),
        (("Method", "ft"), "USED_FOR", ("Task", "rs")),
    ]
    explainer = LinkExplainer(GraphSnapshot(nodes, edges))
    shared = explainer.explain_one(("Method", "lora"), ("Task", "it"))
    assert shared["shared_neighbour_count"] == 1
    assert shared["text"] == (
        "LoRA and instruction tuning are both mentioned in 1 paper: “QLoRA: efficient finetuning of quantized LLMs”."
    )
    far = explainer.explain_one(("Method", "lora"), ("Task", "rs"))
    assert far["shared_neighbour_count"] == 0 and len(far["paths"][0]["nodes"]) == 4
    assert far["text"] == "“LoRA for reasoning” mentions LoRA and fine-tuning; fine-tuning is used for reasoning."
    assert far["paths"][0]["relationships"] == ["MENTIONS", "MENTIONS", "USED_FOR"]
    alone = explainer.explain_one(("Method", "lora"), ("Task", "nowhere"))
    assert "share no neighbour" in alone["text"] and alone["paths"] == []


# --- the relational encoder ----------------------------------------------------------


def test_relation_groups_keep_targets_apart_and_merge_the_rest_by_node_types():
    targets = {METHOD_TASK}
    assert relation_group(METHOD_TASK, targets) == "Method__USED_FOR__Task"
    assert relation_group((TASK, "rev_USED_FOR", METHOD), targets) == "Task__rev_USED_FOR__Method"
    assert relation_group((METHOD, "CONJUNCTION", TASK), targets) == relation_group((METHOD, "PART_OF", TASK), targets)
    assert relation_group((TASK, "rev_CONJUNCTION", METHOD), targets) == "Task__related__Method"


def test_the_relational_encoder_has_fewer_modules_than_one_per_edge_type_and_gives_every_node_an_embedding():
    data = paper_concept_graph(120, seed=0)
    targets = [(PAPER, Rel.MENTIONS.value, METHOD), METHOD_TASK]
    split = split_hetero_edges(data, targets, seed=0)
    graph = split.graph
    relational = LinkPredictor(graph, split.target_edge_types, ModelConfig(encoder=RELATIONAL))
    z = relational.encode(graph)
    assert {node_type: tuple(h.shape) for node_type, h in z.items()} == {
        node_type: (count, 64) for node_type, count in graph.num_nodes.items()
    }
    assert all(torch.isfinite(h).all() for h in z.values())
    hetero = LinkPredictor(graph, split.target_edge_types, ModelConfig(encoder=HETERO))
    assert sum(p.numel() for p in relational.encoder.parameters()) < sum(p.numel() for p in hetero.encoder.parameters())


def test_a_run_saved_before_the_relational_encoder_loads_with_to_hetero(tmp_path):
    data = paper_concept_graph(60, seed=0)
    split = split_hetero_edges(data, [METHOD_TASK], seed=0)
    model = LinkPredictor(split.graph, split.target_edge_types, ModelConfig(encoder=HETERO))
    run = save_run(model, split.graph, {"model": "old", "text_features": "none"}, {}, directory=tmp_path)
    config = run.config | {"model_config": {k: v for k, v in run.config["model_config"].items() if k != "encoder"}}
    (run.directory / "config.json").write_text(json.dumps(config))
    loaded, _ = find_run(directory=tmp_path).load_model(split.graph)
    assert loaded.config.encoder == HETERO
    assert find_run(directory=tmp_path).calibration.by_edge_type == {}  # saved before calibration: plain sigmoid
