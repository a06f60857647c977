"""The Streamlit app's pages, rendered by AppTest against the real store.

The pages are tested on the sample corpus with a concept layer made by
``GazetteerExtractor``, a word-list stand-in for the trained extractor, so
that what the pages must show (concepts, relations, claims, results) is known
and does not change when the model is retrained.
"""

from __future__ import annotations

import io
import json
import zipfile

import networkx as nx
import pytest
from streamlit.testing.v1 import AppTest

from analysis import exports
from analysis.details import MentionSpan
from analysis.search import lucene_queries, search
from analysis.subgraph import find_node, neighbourhood
from graph_schema.schema import CONCEPT_RELATIONS, Label, Rel
from ingest.readers import InputError
from tests.support import CONTINUAL_LEARNING_PAPER, REPO, GazetteerExtractor
from ui.abstract_view import non_overlapping
from ui.uploads import ingest_listing_files, save_uploads

APP = str(REPO / "ui" / "app.py")


def open_page(page: str | None = None, **query_params: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        app.switch_page(f"pages/{page}.py")
        app.query_params.update(query_params)
        app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def paper_id_titled(store, title_start: str) -> str:
    return store.read(f"MATCH (p:{Label.PAPER}) WHERE p.title STARTS WITH $t RETURN p.id AS id", t=title_start)[0]["id"]


# -- Overview ------------------------------------------------------------------------


def test_overview_shows_corpus_statistics(concept_store):
    app = open_page()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Papers"] == "286"
    assert "ArcadeDB" in app.caption[0].value
    headers = [h.value for h in app.subheader]
    assert {"Nodes per label", "Relationships per type", "Top concepts", "Sources", "Extractor quality"} <= set(headers)
    assert not any("No concepts yet" in i.value for i in app.info)


def test_overview_says_when_the_extractor_is_not_trained(concept_store, monkeypatch, tmp_path):
    monkeypatch.setattr("ui.models_status.ARTIFACT_DIR", tmp_path / "absent")
    app = open_page()
    assert any("not trained yet" in i.value for i in app.info)


# -- search and Explore ------------------------------------------------------------------


def test_user_text_never_reaches_lucene_as_syntax():
    assert lucene_queries('mixture-of-experts (a) "x" OR NOT') == [
        '"mixture of experts a x OR NOT"',
        "mixture~1 AND experts~1",
    ]
    assert lucene_queries("(+-)") == []


def test_search_ranks_an_exact_concept_first_and_survives_typos(concept_store):
    assert search(concept_store, "ImageNet")[0].name == "ImageNet"
    assert search(concept_store, "transfomer")[0].name == "transformer"
    assert search(concept_store, "mixture-of-experts")[0].label == Label.METHOD
    titles = [hit.name for hit in search(concept_store, "continual learning", labels=(Label.PAPER,))]
    assert titles[0].startswith(CONTINUAL_LEARNING_PAPER)


def test_explore_search_finds_a_paper_and_draws_its_neighbourhood(concept_store):
    app = open_page("explore")
    app.text_input[0].set_value("continual learning").run()
    options = app.selectbox[0].options
    assert any(CONTINUAL_LEARNING_PAPER in option for option in options)
    graph_page = app.get("iframe")[0].proto.srcdoc
    assert "vis.Network" in graph_page and "continual learning" in graph_page


def test_explore_centres_on_a_node_from_the_address(concept_store):
    app = open_page("explore", label=Label.METRIC, id="metric:accuracy")
    graph_page = app.get("iframe")[0].proto.srcdoc
    assert "accuracy" in graph_page and "cdn.jsdelivr.net" not in graph_page
    assert "Open a node of this graph" in [s.label for s in app.selectbox]


def test_neighbourhood_respects_hops_labels_and_the_node_limit(concept_store):
    centre = find_node(concept_store, "metric:accuracy")
    one_hop = neighbourhood(concept_store, centre, hops=1, node_limit=1000)
    papers = concept_store.read(
        f"MATCH (p:{Label.PAPER})-[:{Rel.MENTIONS}]->(:{Label.METRIC} {{id: 'metric:accuracy'}}) RETURN count(DISTINCT p) AS n"
    )[0]["n"]
    assert sum(1 for _, d in one_hop.nodes(data=True) if d["label"] == Label.PAPER) == papers
    limited = neighbourhood(concept_store, centre, hops=2, node_limit=40)
    assert limited.number_of_nodes() == 40
    only_papers = neighbourhood(
        concept_store, centre, hops=2, node_limit=1000, labels=[Label.PAPER], rel_types=[Rel.MENTIONS]
    )
    assert {d["label"] for _, d in only_papers.nodes(data=True)} == {Label.METRIC, Label.PAPER}


def test_neighbourhood_hides_extracted_links_below_a_confidence(concept_store):
    # The stand-in extractor gives every mention 0.9 and every concept relation 0.8.
    centre = find_node(concept_store, "metric:accuracy")

    def types(minimum: float) -> set[str]:
        graph = neighbourhood(concept_store, centre, hops=2, node_limit=1000, min_confidence=minimum)
        return {data["type"] for *_, data in graph.edges(data=True)}

    concept_relations = {str(rel) for rel in CONCEPT_RELATIONS}
    assert Rel.MENTIONS in types(0.0) and types(0.0) & concept_relations
    assert Rel.MENTIONS in types(0.85) and not types(0.85) & concept_relations
    assert not types(0.95) & {Rel.MENTIONS, *concept_relations}


def test_explore_takes_a_confidence_cut_off_from_the_address(concept_store):
    everything = open_page("explore", label=Label.METRIC, id="metric:accuracy").get("iframe")[0].proto.srcdoc
    assert "MENTIONS (confidence 0.90)" in everything
    confident = open_page("explore", label=Label.METRIC, id="metric:accuracy", confidence="0.95")
    assert "MENTIONS (confidence" not in confident.get("iframe")[0].proto.srcdoc
    assert confident.slider[2].value == 0.95
    for nonsense in ("nan", "high"):
        assert (
            open_page("explore", label=Label.METRIC, id="metric:accuracy", confidence=nonsense).slider[2].value == 0.0
        )


# -- Paper and Concept ---------------------------------------------------------------


def test_paper_page_highlights_extracted_spans(concept_store):
    paper_id = paper_id_titled(concept_store, CONTINUAL_LEARNING_PAPER)
    app = open_page("paper", id=paper_id)
    assert app.title[0].value.startswith(CONTINUAL_LEARNING_PAPER)
    abstract = app.get("html")[0].proto.body
    assert "An obstacle to artificial general intelligence" in abstract
    # The stand-in finds 9 mentions in this abstract, of 3 concepts.
    assert abstract.count('<mark class="entity"') == 9 and "Task</span>" in abstract
    assert [s.value for s in app.subheader] == ["Abstract", "Concepts (3)", "Claims (2)", "Similar papers", "Listed in"]


def test_paper_page_for_an_unknown_id_says_so(concept_store):
    app = open_page("paper", id="p-nothing")
    assert "No paper has the id" in app.error[0].value


def test_overlapping_mentions_keep_the_longer():
    long = MentionSpan(0, 20, "graph neural network", Label.METHOD, "m1", "GNN", 0.9)
    inner = MentionSpan(6, 20, "neural network", Label.METHOD, "m2", "NN", 0.9)
    after = MentionSpan(21, 30, "benchmark", Label.DATASET, "d1", "b", 0.9)
    assert non_overlapping([inner, after, long]) == [long, after]


def test_concept_page_shows_papers_relations_claims_and_results(concept_store):
    app = open_page("concept", id="dataset:imagenet")
    assert app.title[0].value == "ImageNet"
    headers = [s.value for s in app.subheader]
    assert headers == [
        "Aliases", "Merge reasons", "Papers (24)", "Related concepts (1)", "Claims (28)", "Results", "Predicted links",
    ]  # fmt: skip
    assert any("no predicted links" in c.value.lower() for c in app.caption)


def test_concept_page_shows_merge_reasons(concept_store):
    app = open_page("concept", id="method:transformer")
    assert "transformers" in app.dataframe[0].value["alias"].tolist()
    assert "plural" in app.dataframe[1].value["reason"][0]


# -- Cypher console ----------------------------------------------------------------------


def run_in_console(cypher: str) -> AppTest:
    app = open_page("console")
    app.text_area(key="cypher").set_value(cypher)
    app.button[0].click().run()
    assert not app.exception
    return app


def test_console_refuses_a_writing_query(concept_store):
    before = concept_store.counts()
    app = run_in_console(f"CREATE (p:{Label.PAPER} {{id: 'written'}}) RETURN p")
    assert "Refused" in app.error[0].value and "CREATE" in app.error[0].value
    assert concept_store.counts() == before


def test_console_shows_rows_and_a_graph(concept_store):
    app = run_in_console(f"MATCH (m:{Label.METHOD})-[r:{Rel.USED_FOR}]->(t:{Label.TASK}) RETURN m, r, t LIMIT 5")
    assert app.success[0].value.startswith("5 row(s)")
    assert len(app.dataframe[0].value) == 5
    assert app.tabs[1].label.startswith("Graph (") and "vis.Network" in app.get("iframe")[0].proto.srcdoc


def test_console_reports_errors_and_the_row_cap_readably(concept_store):
    app = run_in_console("MATCH (n RETURN n")
    assert app.error[0].value.startswith("The store rejected the query")
    app = open_page("console")
    app.text_area(key="cypher").set_value(f"MATCH (p:{Label.PAPER}) RETURN p.title")
    app.number_input[1].set_value(3)
    app.button[0].click().run()
    assert "row cap of 3" in app.warning[0].value


# -- Link prediction ----------------------------------------------------------------------


def test_link_prediction_page_says_when_nothing_is_predicted_yet(concept_store):
    app = open_page("link_prediction")
    assert any("No predicted links" in i.value for i in app.info)


@pytest.mark.slow
def test_link_prediction_page_evaluates_gnns_against_baselines(concept_store):
    app = open_page("link_prediction")
    app.number_input[0].set_value(2)  # epochs: enough to show the table, not to learn
    app.number_input[1].set_value(10)
    app.number_input[2].set_value(2)
    app.selectbox[0].set_value("Hashed word counts (fast)")
    app.button[0].click().run(timeout=300)
    assert not app.exception, [e.message for e in app.exception]
    assert [m.value for m in app.markdown if m.value.startswith("**Against")] == [
        "**Against random negatives**",
        "**Against hard negatives**",
    ]
    table = app.dataframe[0].value
    assert {"GraphSAGE + dot", "Adamic-Adar", "DeepWalk"} <= set(table["model"])
    assert table["auc"].between(0, 1).all()
    predicted = concept_store.read(f"MATCH ()-[r:{Rel.PREDICTED_LINK}]->() RETURN count(r) AS n")[0]["n"]
    assert predicted > 0
    reopened = open_page("link_prediction")
    assert not any("No predicted links" in i.value for i in reopened.info)
    from analysis.linkpred.predictions import clear_predictions

    clear_predictions(concept_store)


# -- Data: export and ingest (these change the store, so they come last) ---------------------


def test_export_formats_keep_every_node_and_relationship(concept_store):
    graph = exports.whole_graph(concept_store)
    counts = concept_store.counts()
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (counts.total_nodes, counts.total_relationships)
    from_graphml = nx.read_graphml(io.BytesIO(exports.to_graphml(graph)))
    from_gexf = nx.read_gexf(io.BytesIO(exports.to_gexf(graph)))
    for read_back in (from_graphml, from_gexf):
        assert (read_back.number_of_nodes(), read_back.number_of_edges()) == (
            counts.total_nodes,
            counts.total_relationships,
        )
    paper = next(data for _, data in from_graphml.nodes(data=True) if data["_labels"] == Label.PAPER)
    assert isinstance(json.loads(paper["authors"]), list)
    with zipfile.ZipFile(io.BytesIO(exports.to_csv_zip(graph))) as archive:
        assert sorted(archive.namelist()) == ["nodes.csv", "relationships.csv"]
    assert len(json.loads(exports.to_json(graph))["nodes"]) == counts.total_nodes


def test_export_of_a_drawn_subgraph_has_its_nodes_with_all_properties(concept_store):
    drawn = neighbourhood(concept_store, find_node(concept_store, "metric:accuracy"), hops=1)
    exported = exports.subgraph_with_properties(concept_store, drawn)
    assert set(exported.nodes) == set(drawn.nodes) and exported.number_of_edges() == drawn.number_of_edges()
    assert all("abstract" in data for _, data in exported.nodes(data=True) if data["_labels"] == Label.PAPER)


def test_uploads_keep_their_names_but_never_their_folders(tmp_path):
    paths = save_uploads([("../../escape.jsonl", b"{}"), ("listing.csv", b"title,abstract")], tmp_path)
    assert paths == [tmp_path / "escape.jsonl", tmp_path / "listing.csv"]


def test_data_page_ingest_adds_papers_and_reports_problems(concept_store, tmp_path):
    listing = tmp_path / "new.jsonl"
    listing.write_text(
        json.dumps(
            {
                "title": "A transformer for ImageNet",
                "abstract": "We train a transformer and reach 91.2% accuracy on ImageNet.",
            }
        )
        + "\nnot json\n"
    )
    stages = []
    summary = ingest_listing_files(
        concept_store, [listing], lambda stage, done=None, total=None: stages.append(stage), GazetteerExtractor()
    )
    assert summary.papers_new == 1 and summary.papers_extracted == 1
    assert {"read", "write", "extract"} <= set(stages)
    assert any("JSON" in str(problem) for problem in summary.problems)
    new_paper = search(concept_store, "A transformer for ImageNet", labels=(Label.PAPER,))[0]
    assert new_paper.name == "A transformer for ImageNet"


def test_data_page_ingest_refuses_an_unreadable_file_like_the_cli(concept_store, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        ingest_listing_files(concept_store, [empty], lambda *args: None)


def test_data_page_offers_the_current_subgraph_for_export(concept_store):
    app = open_page("explore", label=Label.METRIC, id="metric:accuracy")
    app.switch_page("pages/data.py").run()
    assert any("current subgraph" in option for option in app.radio[0].options)
    assert app.selectbox[0].options == list(exports.FORMATS)


def test_overview_on_an_empty_graph_says_so(store):
    app = open_page()
    assert any("graph is empty" in i.value for i in app.info)
