"""The check against the future (``analysis.linkpred.temporal``, ``papergraph linkpred evaluate-temporal``):
train on the papers up to a year, rank the links first written after it."""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from analysis.linkpred.store_graph import build_store_graph
from analysis.linkpred.temporal import (
    MODEL,
    MODEL_WITHOUT_THRESHOLD,
    NoTemporalSplit,
    evaluate_temporal,
    future_links,
    past_snapshot,
    read_dated_graph,
    read_result,
    result_path,
    temporal_sentences,
)
from analysis.linkpred.text_features import HASHING
from graph_schema.schema import Label, Rel
from models.linkpred.heuristics import ADAMIC_ADAR
from models.linkpred.negatives import HARD, RANDOM
from models.linkpred.synthetic import dated_paper_concept_corpus
from tests.support import REPO
from ui.cli import cli

pytestmark = pytest.mark.usefixtures("one_torch_thread")

METHOD_TASK = (Label.METHOD.value, Rel.USED_FOR.value, Label.TASK.value)
UNTIL, HORIZON = 2022, 2024
QUICK = {"text_features": HASHING, "max_epochs": 4, "num_negatives": 10}


def node_id(label: str, index: int) -> str:
    return f"{label.lower()}-{index}"


def write_dated_corpus(store, corpus: dict) -> None:
    """Papers dated YYYY-06, their mentions, and each relation once with the papers that wrote it."""
    papers = [
        {"id": node_id(Label.PAPER, i), "title": f"Paper {i}", "abstract": "An abstract.", "date": f"{year}-06"}
        for i, year in enumerate(corpus["years"])
    ]
    store.write_rows(f"UNWIND $rows AS row MERGE (p:{Label.PAPER} {{id: row.id}}) SET p += row", papers)
    for label, pairs in corpus["mentions"].items():
        concepts = sorted({concept for _, concept in pairs})
        store.write_rows(
            f"UNWIND $rows AS row MERGE (c:{Label(label)} {{id: row.id}}) SET c.name = row.name",
            [{"id": node_id(label, c), "name": f"{label.lower()} {c}"} for c in concepts],
        )
        store.write_rows(
            f"""UNWIND $rows AS row MATCH (p:{Label.PAPER} {{id: row.p}}), (c:{Label(label)} {{id: row.c}})
            CREATE (p)-[:{Rel.MENTIONS}]->(c)""",
            [{"p": node_id(Label.PAPER, p), "c": node_id(label, c)} for p, c in pairs],
        )
    for (head, rel, tail), found in corpus["relations"].items():
        papers_of = defaultdict(list)
        for a, b, paper in found:
            papers_of[(a, b)].append(node_id(Label.PAPER, paper))
        store.write_rows(
            f"""UNWIND $rows AS row MATCH (a:{Label(head)} {{id: row.a}}), (b:{Label(tail)} {{id: row.b}})
            CREATE (a)-[:{Rel(rel)} {{papers: row.papers}}]->(b)""",
            [
                {"a": node_id(head, a), "b": node_id(tail, b), "papers": papers}
                for (a, b), papers in sorted(papers_of.items())
            ],
        )


@pytest.fixture
def dated_store(store):
    corpus = dated_paper_concept_corpus(360, seed=0)
    write_dated_corpus(store, corpus)
    yield store, corpus
    result_path().unlink(missing_ok=True)


def expected_future(corpus: dict) -> dict:
    """Method-task pairs first written in 2023-2024, both concepts mentioned by 2022, not joined by 2022."""
    years = corpus["years"]
    known = {
        (label, concept)
        for label, pairs in corpus["mentions"].items()
        for paper, concept in pairs
        if years[paper] <= UNTIL
    }
    first = {}
    for method, task, paper in corpus["relations"][METHOD_TASK]:
        first[(method, task)] = min(first.get((method, task), 9999), years[paper])
    found = {"future": set(), "new_concept": 0}
    for (method, task), year in first.items():
        if UNTIL < year <= HORIZON:
            if (Label.METHOD.value, method) in known and (Label.TASK.value, task) in known:
                found["future"].add((method, task))
            else:
                found["new_concept"] += 1
    return found


def test_the_past_holds_only_what_was_written_by_then_and_the_future_only_new_links(dated_store):
    store, corpus = dated_store
    dated = read_dated_graph(store)
    assert len(dated.paper_years) == 360 and set(dated.paper_years.values()) == set(range(2019, 2025))
    past = past_snapshot(dated, UNTIL)
    past_papers = {key for key in past.nodes if key[0] == Label.PAPER.value}
    assert len(past_papers) == sum(1 for year in corpus["years"] if year <= UNTIL)
    assert all(dated.paper_years[source[1]] <= UNTIL for source, rel, _ in past.edges if rel == Rel.MENTIONS.value)
    assert all(dated.first_written[edge] <= UNTIL for edge in past.edges if edge[1] != Rel.MENTIONS.value) and any(
        edge[1] == Rel.USED_FOR.value for edge in past.edges
    )

    graph = build_store_graph(past)
    future = future_links(dated, graph, UNTIL, HORIZON)
    expected = expected_future(corpus)
    found = {
        (int(graph.node_keys["Method"][m][1].split("-")[1]), int(graph.node_keys["Task"][t][1].split("-")[1]))
        for m, t in future.positives[METHOD_TASK].tolist()
    }
    # Both ends known by 2022; concept pairs are joined only by a relation, so none was joined before.
    assert found == expected["future"] and found
    assert future.new_concept.get(METHOD_TASK, 0) == expected["new_concept"]


def test_a_model_trained_on_the_past_ranks_the_future_links_next_to_the_baselines(dated_store):
    store, _ = dated_store
    result = evaluate_temporal(store, until=UNTIL, horizon=HORIZON, seed=0, **QUICK)
    assert result["papers"] == {"past": 240, "future": 120, "undated": 0}
    assert result["future_links"]["Method-USED_FOR->Task"] == len(expected_future(dated_store[1])["future"])
    rows = {(row["model"], row["negatives"], row["edge_type"]) for row in result["results"]}
    for model in (result["chosen_model"], ADAMIC_ADAR, "Common Neighbours", "DeepWalk"):
        assert {(model, HARD, "Method-USED_FOR->Task"), (model, RANDOM, "Method-USED_FOR->Task")} <= rows
    assert all(0.0 <= row[metric] <= 1.0 for row in result["results"] for metric in ("auc", "mrr", "hits@10"))
    # On this corpus a method and a task of one topic get linked: the neighbourhood shows it, better than chance.
    aa_hard = next(
        row
        for row in result["results"]
        if (row["model"], row["negatives"]) == (ADAMIC_ADAR, HARD) and row["edge_type"] == "Method-USED_FOR->Task"
    )
    assert aa_hard["mrr"] > 1.3 * np.log(11) / 11  # a random ranking's MRR against 10 negatives is about 0.22
    predicted = result["predicted"]["by_target_type"]["Method-USED_FOR->Task"]
    for name in (MODEL, MODEL_WITHOUT_THRESHOLD, ADAMIC_ADAR):
        assert 0 <= predicted[name]["appeared"] <= predicted[name]["predicted"]
    assert predicted[MODEL]["predicted"] <= predicted[MODEL_WITHOUT_THRESHOLD]["predicted"]
    assert sum(row["predicted"] for row in predicted[MODEL]["by_score"]) == predicted[MODEL]["predicted"]
    sentence = temporal_sentences(result)[0]
    assert sentence.startswith(f"Method-USED_FOR->Task: of {predicted[MODEL]['predicted']:,} links the model predicted")
    assert (
        "from papers up to 2022" in sentence and f"{predicted[MODEL]['appeared']:,} appeared in 2023–2024" in sentence
    )


def test_cli_evaluate_temporal_saves_the_result_for_the_app_and_refuses_a_cut_without_both_sides(dated_store):
    runner = CliRunner()
    options = ["--text-features", HASHING, "--epochs", "3", "--negatives", "10"]
    result = runner.invoke(cli, ["linkpred", "evaluate-temporal", "--until", "2022", *options, "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    assert read_result() == printed and printed["horizon"] == 2024
    result = runner.invoke(cli, ["linkpred", "evaluate-temporal", "--until", "2030", *options])
    assert result.exit_code != 0 and "papers are dated 2019 to 2024: none in 2031-2032" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(NoTemporalSplit, match="must come after"):
        evaluate_temporal(dated_store[0], until=2022, horizon=2021, **QUICK)

    # The Link prediction page says it in words, under "Checked against the future".
    app = AppTest.from_file(str(REPO / "ui" / "app.py"), default_timeout=120).run()
    app.switch_page("pages/link_prediction.py").run()
    assert not app.exception, [e.message for e in app.exception]
    assert "Checked against the future" in [header.value for header in app.subheader]
    shown = " ".join(markdown.value for markdown in app.markdown)
    assert temporal_sentences(printed)[0] in shown and "from papers up to 2022" in shown
