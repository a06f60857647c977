"""Link prediction through the store: store -> HeteroData, training runs, predicted links, similarity."""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pytest
from click.testing import CliRunner

from analysis.graph_reader import GraphSnapshot, read_graph
from analysis.linkpred.predictions import (
    PREDICTED_LINK_PROPERTIES,
    clear_predictions,
    predict_links,
    read_predicted_links,
)
from analysis.linkpred.shown_run import newest_run_with_links, record_shown_run, shown_run
from analysis.linkpred.similarity import similar_nodes
from analysis.linkpred.store_graph import DEFAULT_TARGETS, edge_type_name, read_store_graph, sample_of_papers
from analysis.linkpred.text_features import HASHING, HashingEncoder
from analysis.linkpred.training import train_run
from analysis.search import EXACT, FUZZY
from graph_schema.schema import GENERIC, Label, Rel
from models.extractor.artifact import read_manifest
from models.linkpred.candidates import BELOW_THRESHOLD, EXCLUDED_END, OVER_LIMIT, SAME_NAME
from models.linkpred.comparison import GNN_DECODERS
from models.linkpred.negatives import HARD, RANDOM
from models.linkpred.runs import find_run, list_runs
from models.linkpred.split import REVERSE_PREFIX, split_hetero_edges
from models.linkpred.synthetic import paper_concept_graph
from ui.cli import cli

PAPER_METHOD = (Label.PAPER.value, Rel.MENTIONS.value, Label.METHOD.value)
METHOD_TASK = (Label.METHOD.value, Rel.USED_FOR.value, Label.TASK.value)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def write_graph(store, nodes: dict[str, list[dict]], edges: list[tuple[str, str, str, str, str]]) -> None:
    """``nodes``: label -> [{"id", and "title"/"abstract" or "name"}]; ``edges``: (label, id, rel, label, id),
    each CREATEd, so repeated facts become parallel relationships as repeated mentions do."""
    for label, rows in nodes.items():
        store.write_rows(f"UNWIND $rows AS row MERGE (n:{Label(label)} {{id: row.id}}) SET n += row", rows)
    by_shape = defaultdict(list)
    for a_label, a, rel, b_label, b in edges:
        by_shape[(a_label, rel, b_label)].append({"a": a, "b": b})
    for (a_label, rel, b_label), rows in by_shape.items():
        store.write_rows(
            f"""UNWIND $rows AS row
            MATCH (a:{Label(a_label)} {{id: row.a}}), (b:{Label(b_label)} {{id: row.b}})
            CREATE (a)-[:{Rel(rel)}]->(b)""",
            rows,
        )


def write_synthetic_graph(store, num_papers: int = 100, seed: int = 0) -> None:
    """A papergraph-shaped graph with topics (``paper_concept_graph``), written as extracted facts."""
    data = paper_concept_graph(num_papers, seed=seed)

    def node_id(label: str, index: int) -> str:
        return f"{label.lower()}-{index}"

    nodes = {
        Label.PAPER: [
            {"id": node_id(Label.PAPER, i), "title": f"Paper {i}", "abstract": "An abstract."}
            for i in range(num_papers)
        ]
    }
    for label in (Label.METHOD, Label.TASK, Label.DATASET):
        nodes[label] = [{"id": node_id(label, i), "name": f"{label.lower()} {i}"} for i in range(data[label].num_nodes)]
    edges = [
        (src, node_id(src, i), rel, dst, node_id(dst, j))
        for src, rel, dst in data.edge_types
        for i, j in data[src, rel, dst].edge_index.T.tolist()
    ]
    write_graph(store, nodes, edges)


def extracted_relationship_counts(store) -> dict[str, int]:
    counts = store.counts().relationships
    return {rel: n for rel, n in counts.items() if rel != Rel.PREDICTED_LINK}


def predicted_links(store, run_id: str | None = None) -> list[dict]:
    return store.read(
        f"""MATCH (a)-[r:{Rel.PREDICTED_LINK}]->(b) WHERE $run IS NULL OR r.run_id = $run
        RETURN a.id AS a, b.id AS b, properties(r) AS props""",
        run=run_id,
    )


# --- store -> HeteroData ------------------------------------------------------


def test_store_graph_round_trip_collapses_parallel_facts_and_has_no_reverse_edges(store):
    papers = [{"id": f"p{i}", "title": f"Paper {i}", "abstract": "Text."} for i in range(3)]
    write_graph(
        store,
        {
            Label.PAPER: papers,
            Label.METHOD: [{"id": f"m{i}", "name": f"method {i}"} for i in range(3)],
            Label.TASK: [{"id": f"t{i}", "name": f"task {i}"} for i in range(2)],
            Label.DATASET: [{"id": "d0", "name": "dataset 0"}],
        },
        [
            ("Paper", "p0", "MENTIONS", "Method", "m0"),
            ("Paper", "p0", "MENTIONS", "Method", "m0"),  # two sentences
            ("Paper", "p1", "MENTIONS", "Method", "m0"),
            ("Paper", "p1", "MENTIONS", "Method", "m1"),
            ("Paper", "p2", "MENTIONS", "Method", "m2"),
            ("Paper", "p0", "MENTIONS", "Task", "t0"),
            ("Paper", "p2", "MENTIONS", "Dataset", "d0"),
            ("Method", "m0", "USED_FOR", "Task", "t0"),
            ("Method", "m1", "USED_FOR", "Task", "t1"),
            ("Method", "m0", "CONJUNCTION", "Task", "t0"),  # parallel to a target link: dropped
            ("Task", "t0", "USED_FOR", "Method", "m0"),  # the same pair the other way round: dropped
            ("Task", "t1", "USED_FOR", "Method", "m2"),  # a pair no target link joins: kept
            ("Method", "m0", "COMPARED_WITH", "Method", "m1"),
            ("Method", "m1", "COMPARED_WITH", "Method", "m0"),
            ("Method", "m2", "EVALUATED_ON", "Dataset", "d0"),
        ],
    )
    graph = read_store_graph(store, min_target_links=1)
    data = graph.data
    assert {t: data[t].num_nodes for t in ("Paper", "Method", "Task", "Dataset")} == {
        "Paper": 3,
        "Method": 3,
        "Task": 2,
        "Dataset": 1,
    }
    counts = {edge_type: data[edge_type].edge_index.shape[1] for edge_type in data.edge_types}
    assert counts == {
        PAPER_METHOD: 4,
        ("Paper", "MENTIONS", "Task"): 1,
        ("Paper", "MENTIONS", "Dataset"): 1,
        METHOD_TASK: 2,
        ("Task", "USED_FOR", "Method"): 1,
        ("Method", "COMPARED_WITH", "Method"): 1,
        ("Method", "EVALUATED_ON", "Dataset"): 1,
    }
    assert not any(rel.startswith(REVERSE_PREFIX) for _, rel, _ in data.edge_types)
    assert graph.target_edge_types == list(DEFAULT_TARGETS)
    assert graph.dropped_parallels == {("Method", "CONJUNCTION", "Task"): 1, ("Task", "USED_FOR", "Method"): 1}
    task_to_method = {
        (graph.node_keys["Task"][t][1], graph.node_keys["Method"][m][1])
        for t, m in graph.pairs(("Task", "USED_FOR", "Method")).tolist()
    }
    assert task_to_method == {("t1", "m2")}
    assert "x" not in data["Paper"]
    with_text = read_store_graph(store, encoder=HashingEncoder(dims=32), min_target_links=1)
    assert with_text.data["Paper"].x.shape == (3, 32) and with_text.data["Method"].x.shape == (3, 32)
    assert read_store_graph(store).too_small_targets[PAPER_METHOD] == 4  # below the default minimum: context


def test_held_out_links_are_not_joined_by_a_parallel_relation_in_message_passing(store):
    rng = np.random.default_rng(0)
    pairs = {(int(m), int(t)) for m, t in rng.integers(30, size=(80, 2))}
    edges = []
    for m, t in sorted(pairs):
        edges.append(("Method", f"m{m}", "USED_FOR", "Task", f"t{t}"))
        edges.append(("Method", f"m{m}", "CONJUNCTION", "Task", f"t{t}"))
        edges.append(("Task", f"t{t}", "USED_FOR", "Method", f"m{m}"))
    edges += [
        ("Method", f"m{m}", "CONJUNCTION", "Task", f"t{(m + 7) % 30}")
        for m in range(30)
        if (m, (m + 7) % 30) not in pairs
    ]
    write_graph(
        store,
        {
            Label.METHOD: [{"id": f"m{i}", "name": f"method {i}"} for i in range(30)],
            Label.TASK: [{"id": f"t{i}", "name": f"task {i}"} for i in range(30)],
        },
        edges,
    )
    graph = read_store_graph(store, targets=[METHOD_TASK])
    split = split_hetero_edges(graph.data, graph.target_edge_types, seed=0)
    held_out = np.concatenate([split.val[METHOD_TASK], split.test[METHOD_TASK]])
    assert len(held_out) >= 10
    message_passing = split.graph
    methods = message_passing.global_ids("Method", held_out[:, 0])
    tasks = message_passing.global_ids("Task", held_out[:, 1])
    assert not np.asarray(message_passing.adjacency[methods, tasks]).any()
    # Conjunctions that no target link parallels stay as context.
    assert graph.pairs(("Method", "CONJUNCTION", "Task")).shape[0] == sum(
        1 for m in range(30) if (m, (m + 7) % 30) not in pairs
    )


# --- training, predicting, clearing ----------------------------------------


@pytest.fixture
def trained(store):
    """The synthetic graph in the store, and a run trained on it."""
    write_synthetic_graph(store)
    return train_run(store, text_features=HASHING, max_epochs=5, num_negatives=10).run


def test_a_training_run_is_saved_with_every_model_and_baseline_scored(trained):
    run = trained
    assert find_run().run_id == run.run_id and (run.directory / "model.pt").is_file()
    assert run.model_name in GNN_DECODERS and run.config["text_features"] == HASHING
    assert {tuple(t) for t in run.target_edge_types} == set(DEFAULT_TARGETS)
    summary = {(row["model"], row["negatives"]) for row in run.metrics["summary"]}
    for model in (
        *GNN_DECODERS,
        "Common Neighbours",
        "Adamic-Adar",
        "Resource Allocation",
        "Preferential Attachment",
        "Feature cosine",
    ):
        assert {(model, RANDOM), (model, HARD)} <= summary
    assert {row["edge_type"] for row in run.metrics["results"]} == {edge_type_name(t) for t in DEFAULT_TARGETS}


def test_predicted_links_carry_scores_and_explanations_and_never_repeat_a_fact(store, trained):
    first = predict_links(store, trained, top_k=2)
    links = predicted_links(store)
    assert len(links) == first.total_written > 0
    assert set(first.written) == {edge_type_name(t) for t in DEFAULT_TARGETS}
    for link in links:
        props = link["props"]
        assert set(PREDICTED_LINK_PROPERTIES) <= set(props)
        assert props["run_id"] == trained.run_id and 0.0 <= props["score"] <= 1.0
        explanation = json.loads(props["explanation"])
        assert set(explanation) == {"shared_neighbours", "shared_neighbour_count", "paths"}
        for path in explanation["paths"]:
            assert len(path["relationships"]) == len(path["nodes"]) - 1 >= 2
        assert props["explanation_text"].endswith(".") and "{" not in props["explanation_text"]
        # A synthetic graph's paper is "Paper 3", its method "method 3": the words name them.
        named = [node["name"] for node in explanation["shared_neighbours"] or explanation["paths"][0]["nodes"][1:-1]]
        assert all(name in props["explanation_text"] for name in named)
    assert (
        store.read(f"""MATCH (a)-[:{Rel.PREDICTED_LINK}]->(b) MATCH (a)-[r]-(b)
        WHERE type(r) <> '{Rel.PREDICTED_LINK}' RETURN count(*) AS n""")[0]["n"]
        == 0
    )


def test_each_node_gets_at_most_k_links_per_type_best_first_and_the_scores_rank(store, trained):
    summary = predict_links(store, trained, top_k=2, threshold=0.0)
    links = predicted_links(store)
    per_end = defaultdict(int)
    for link in links:
        for end in ("a", "b"):
            per_end[(link["props"]["target_type"], end, link[end])] += 1
    assert max(per_end.values()) <= 2
    paper_method = [link for link in links if link["props"]["target_type"] == edge_type_name(PAPER_METHOD)]
    assert len({link["a"] for link in paper_method}) > 50  # most papers get one, none gets more than two
    scores = [link["props"]["score"] for link in links]
    assert len({round(score, 3) for score in scores}) > len(scores) / 2
    by_source = defaultdict(list)
    for link in paper_method:
        by_source[link["a"]].append((link["props"]["rank"], link["props"]["score"]))
    for ranked in by_source.values():
        assert [rank for rank, _ in sorted(ranked)] == list(range(1, len(ranked) + 1))
        assert [score for _, score in sorted(ranked)] == sorted((score for _, score in ranked), reverse=True)
    # Every candidate is accounted for: written, or dropped for one reason.
    for counts in summary.counts.values():
        assert counts.written + counts.dropped[BELOW_THRESHOLD] + counts.dropped[OVER_LIMIT] == counts.scored
    assert BELOW_THRESHOLD not in summary.dropped() and summary.dropped()[OVER_LIMIT] > 0


def test_no_predicted_link_touches_a_generic_concept_or_joins_two_nodes_of_one_name(store):
    write_synthetic_graph(store)
    # "transfer learning" as a method and as a task, mentioned by the same 30 papers: the likeliest pair
    # there is, and one concept.  Method 0, the most popular, is marked generic.
    write_graph(
        store,
        {
            Label.METHOD: [{"id": "m-tl", "name": "transfer learning"}],
            Label.TASK: [{"id": "t-tl", "name": "Transfer-learning"}],
        },
        [
            (Label.PAPER, f"paper-{i}", Rel.MENTIONS, label, node)
            for i in range(30)
            for label, node in (("Method", "m-tl"), ("Task", "t-tl"))
        ],
    )
    store.write(f"MATCH (m:{Label.METHOD} {{id: 'method-0'}}) SET m.{GENERIC} = true")
    run = train_run(store, text_features=HASHING, max_epochs=5, num_negatives=10).run
    summary = predict_links(store, run, top_k=3, threshold=0.0)
    links = predicted_links(store, run.run_id)
    assert links and not any("method-0" in (link["a"], link["b"]) for link in links)
    assert ("m-tl", "t-tl") not in {(link["a"], link["b"]) for link in links}
    dropped = summary.dropped()
    assert dropped[SAME_NAME] >= 1 and dropped[EXCLUDED_END] > 0 and summary.generic_nodes == 1
    assert f"{dropped[EXCLUDED_END]:,} {EXCLUDED_END}" in summary.why()


def test_predicting_again_replaces_the_runs_links(store, trained):
    predict_links(store, trained, top_k=2)
    links = predicted_links(store)
    again = predict_links(store, trained, top_k=2)
    links_again = predicted_links(store)
    assert again.total_written == len(links_again) == len(links)
    assert {(link["a"], link["b"]) for link in links_again} == {(link["a"], link["b"]) for link in links}


def test_clearing_a_run_leaves_other_runs_and_extracted_facts(store, trained):
    extracted = extracted_relationship_counts(store)
    written = predict_links(store, trained, top_k=2).total_written
    store.write_rows(
        f"""UNWIND $rows AS row MATCH (a:Paper {{id: row.a}}), (b:Method {{id: row.b}})
        CREATE (a)-[:{Rel.PREDICTED_LINK} {{run_id: 'another-run', score: 0.5}}]->(b)""",
        [{"a": "paper-0", "b": "method-0"}, {"a": "paper-1", "b": "method-1"}],
    )
    assert clear_predictions(store, trained.run_id) == written
    assert [link["props"]["run_id"] for link in predicted_links(store)] == ["another-run"] * 2
    assert extracted_relationship_counts(store) == extracted


def test_the_links_listed_are_the_latest_runs_each_pair_once(store, trained):
    written = predict_links(store, trained, top_k=2).total_written
    assert {link["run"] for link in read_predicted_links(store, limit=1000)} == {trained.run_id}
    store.write_rows(  # a later run, trained and predicted by hand: its links lie beside the first run's
        f"""UNWIND $rows AS row MATCH (a:Paper {{id: row.a}}), (b:Method {{id: row.b}})
        CREATE (a)-[:{Rel.PREDICTED_LINK} {{run_id: 'later-run', score: 0.5, created: '9999-01-01T00:00:00Z'}}]->(b)""",
        [{"a": "paper-0", "b": "method-0"}, {"a": "paper-1", "b": "method-1"}],
    )
    assert shown_run(store) == trained.run_id  # until the later run has written them all
    assert newest_run_with_links(store) == "later-run"
    record_shown_run(store, "later-run")  # as predict_links does once its links are written
    assert shown_run(store) == "later-run"
    assert [(link["run"], link["source_id"]) for link in read_predicted_links(store)] == [
        ("later-run", "paper-0"),
        ("later-run", "paper-1"),
    ]
    assert len(read_predicted_links(store, limit=1000, run_id=trained.run_id)) == written
    listed = json.loads(CliRunner().invoke(cli, ["linkpred", "links", "--json", "--run", trained.run_id]).output)
    assert {link["run"] for link in listed} == {trained.run_id}
    clear_predictions(store, "later-run")  # the run shown is cleared: the one left is shown
    assert shown_run(store) == trained.run_id
    assert {link["run"] for link in read_predicted_links(store, limit=1000)} == {trained.run_id}
    clear_predictions(store)
    assert shown_run(store) is None and read_predicted_links(store) == []


def test_similar_by_structure_uses_the_runs_embeddings(store, trained):
    by_structure = similar_nodes(store, "method 3", top=3, run=trained, encoder=HashingEncoder()).by_structure
    assert by_structure is not None and len(by_structure.concepts) == 3 and len(by_structure.papers) == 3


def test_cli_predict_runs_and_clear(store):
    write_synthetic_graph(store, num_papers=60, seed=1)
    runner = CliRunner()
    result = runner.invoke(cli, ["linkpred", "train", "--text-features", HASHING, "--epochs", "3", "--negatives", "10"])
    assert result.exit_code == 0, result.output
    assert "calibrated on the validation links; test Brier score" in result.output
    assert "Paper-MENTIONS->Method 0." in result.output
    run = find_run()
    result = runner.invoke(cli, ["linkpred", "predict", "--top", "1", "--threshold", "0", "--run", run.run_id])
    assert result.exit_code == 0, result.output
    written = len(predicted_links(store, run.run_id))
    assert f"wrote {written:,} predicted links" in result.output and "scored below 0 and" in result.output
    assert f"The {min(written, 10)} best predicted links" in result.output and "mention" in result.output
    listed_links = json.loads(runner.invoke(cli, ["linkpred", "links", "--limit", "3", "--json"]).output)
    assert len(listed_links) == 3 and listed_links[0]["score"] >= listed_links[-1]["score"]
    assert all(link["explanation"] and link["run"] == run.run_id for link in listed_links)
    listed = json.loads(runner.invoke(cli, ["linkpred", "runs", "--json"]).output)
    assert run.run_id in [entry["run_id"] for entry in listed] and len(listed) == len(list_runs())
    assert runner.invoke(cli, ["linkpred", "clear"]).exit_code != 0  # neither --run nor --all
    result = runner.invoke(cli, ["linkpred", "clear", "--all"])
    assert result.exit_code == 0 and f"deleted {written:,} predicted links" in result.output
    assert predicted_links(store) == []
    result = runner.invoke(cli, ["linkpred", "predict", "--run", "no-such-run"])
    assert result.exit_code != 0 and "no run 'no-such-run'" in result.output


def test_cli_train_says_when_the_graph_has_too_few_links(store):
    write_synthetic_graph(store, num_papers=3)
    result = CliRunner().invoke(cli, ["linkpred", "train", "--text-features", "none"])
    assert result.exit_code != 0 and "no target edge type has 20 links to learn from" in result.output
    assert "Traceback" not in result.output


# --- similarity -------------------------------------------------------------


def test_similar_finds_the_obviously_nearest_nodes_by_text(store):
    write_graph(
        store,
        {
            Label.PAPER: [
                {
                    "id": "p-gnn",
                    "title": "Graph neural networks for molecular property prediction",
                    "abstract": "We pass messages along the bonds of molecular graphs with a graph neural network.",
                },
                {
                    "id": "p-vision",
                    "title": "Deep residual learning for image recognition",
                    "abstract": "Convolutional networks with skip connections classify images on ImageNet.",
                },
                {
                    "id": "p-speech",
                    "title": "End-to-end speech recognition with recurrent networks",
                    "abstract": "We transcribe spoken audio into text.",
                },
            ],
            Label.METHOD: [
                {"id": "m-gnn", "name": "graph neural network"},
                {"id": "m-gcn", "name": "graph convolutional network"},
                {"id": "m-resnet", "name": "ResNet"},
            ],
            Label.TASK: [
                {"id": "t-images", "name": "image classification"},
                {"id": "t-asr", "name": "speech recognition"},
            ],
        },
        [("Paper", "p-gnn", "MENTIONS", "Method", "m-gnn"), ("Paper", "p-vision", "MENTIONS", "Method", "m-resnet")],
    )
    result = similar_nodes(store, "graph neural network", top=2, run=None)
    assert result.match == EXACT and result.query.id == "m-gnn"
    assert result.by_text.papers[0].id == "p-gnn"
    assert result.by_text.concepts[0].id == "m-gcn"
    assert result.by_structure is None and "no link-prediction run" in result.structure_source

    output = CliRunner().invoke(cli, ["similar", "Grpah neural netwrk", "--top", "1", "--json"])
    assert output.exit_code == 0, output.output
    found = json.loads(output.stdout)
    assert found["match"] == FUZZY and found["query"]["id"] == "m-gnn"
    assert found["by_text"]["concepts"][0]["id"] == "m-gcn"
    missing = CliRunner().invoke(cli, ["similar", "zzzz qqqq"])
    assert missing.exit_code != 0 and "no paper or concept is named like" in missing.output


# --- the sample corpus ------------------------------------------------------


def test_end_to_end_on_the_sample_corpus(corpus_store):
    if read_manifest() is None:
        pytest.skip("extractor artifact not trained yet")
    try:
        run = train_run(corpus_store, text_features=HASHING, max_epochs=10, num_negatives=20).run
        chosen = {row["negatives"]: row for row in run.metrics["summary"] if row["model"] == run.model_name}
        assert chosen[RANDOM]["auc"] > 0.6
        summary = predict_links(corpus_store, run, top_k=1)
        assert summary.total_written == len(predicted_links(corpus_store, run.run_id)) > 0
    finally:
        clear_predictions(corpus_store)  # the corpus store stays exactly the corpus for other tests


# --- training on a sample of papers -------------------------------------------


def test_a_sample_keeps_its_papers_their_concepts_and_the_edges_between_them():
    nodes = {("Paper", f"p{i}"): {"name": f"p{i}"} for i in range(10)}
    nodes |= {("Method", f"m{i}"): {"name": f"m{i}"} for i in range(10)}
    edges = [(("Paper", f"p{i}"), "MENTIONS", ("Method", f"m{i}")) for i in range(10)]
    edges += [(("Method", f"m{i}"), "USED_FOR", ("Method", f"m{(i + 1) % 10}")) for i in range(10)]
    snapshot = GraphSnapshot(nodes, edges)
    sample = sample_of_papers(snapshot, 4, seed=1)
    papers = {key for key in sample.nodes if key[0] == "Paper"}
    assert len(papers) == 4 and sample == sample_of_papers(snapshot, 4, seed=1)
    assert {key for key in sample.nodes if key[0] == "Method"} == {("Method", "m" + key[1][1:]) for key in papers}
    assert all(source in sample.nodes and target in sample.nodes for source, _, target in sample.edges)
    kept_mentions = [edge for edge in edges if edge[0] in papers]
    assert [edge for edge in sample.edges if edge[1] == "MENTIONS"] == kept_mentions
    assert sample_of_papers(snapshot, 10) is snapshot


def test_a_run_trained_on_a_sample_predicts_for_every_paper(store):
    write_synthetic_graph(store)
    run = train_run(store, text_features=HASHING, max_epochs=3, num_negatives=10, max_papers=60).run
    assert (run.metrics["graph"]["papers_in_store"], run.metrics["graph"]["papers_trained_on"]) == (100, 60)
    assert run.metrics["graph"]["nodes"]["Paper"] == 60 and run.config["max_papers"] == 60
    predict_links(store, run, top_k=3, threshold=0.0)
    predicted_papers = {row["a"] for row in predicted_links(store, run.run_id) if row["a"].startswith("paper")}
    seen = {key[1] for key in sample_of_papers(read_graph(store), 60, seed=0).nodes if key[0] == "Paper"}
    assert predicted_papers - seen  # papers the run never saw get predictions too
