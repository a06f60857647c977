"""The Streamlit app's pages, rendered by AppTest against the real store.

The pages are tested on the sample corpus with a concept layer made by
``GazetteerExtractor``, a word-list stand-in for the trained extractor, so
that what the pages must show (concepts, relations, claims, results) is known
and does not change when the model is retrained.  The sample corpus has no
dates; Trends is tested on a small dated corpus written here (``DATED_PAPERS``).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

import neo4j
import networkx as nx
import numpy
import pytest
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from analysis import aggregates, details, exports, trends
from analysis.details import MentionSpan, concept_list, most_connected_concepts, paper_list
from analysis.search import lucene_queries, search
from analysis.stats import corpus_stats
from analysis.subgraph import find_node, neighbourhood
from graph_schema.corpus_state import mark_written
from graph_schema.schema import CONCEPT_LABELS, CONCEPT_RELATIONS, CORPUS_STATE, GENERIC, Label, Rel
from ingest.pipeline import ingest_paths
from ingest.readers import InputError
from tests.support import CONTINUAL_LEARNING_PAPER, REPO, GazetteerExtractor
from ui.abstract_view import non_overlapping
from ui.graph_view import KAMADA_KAWAI_MAX_NODES, NEIGHBOUR_SPACING_PX, graph_html, layout_positions
from ui.uploads import ingest_listing_files, save_uploads

APP = str(REPO / "ui" / "app.py")
UNEXPECTED = "This page stopped on an unexpected error"  # ui/app.py's message for a bug


def open_page(page: str | None = None, **query_params: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        app.switch_page(f"pages/{page}.py")
        app.query_params.update(query_params)
        app.run()
    assert not app.exception, [e.message for e in app.exception]
    assert not any(UNEXPECTED in error.value for error in app.error), [error.value for error in app.error]
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


def test_the_most_connected_concepts_are_those_with_the_most_extracted_links(concept_store):
    # Links: the papers mentioning a concept, and its extracted relations; generic concepts are left out.
    every = concept_store.read(
        f"""MATCH (c:{"|".join(CONCEPT_LABELS)}) WHERE coalesce(c.{GENERIC}, false) = false
        WITH c, COUNT {{ MATCH (c)<-[:{Rel.MENTIONS}]-(p) RETURN DISTINCT p }} AS papers,
             COUNT {{ (c)-[r]-() WHERE type(r) IN $relations }} AS relations
        RETURN c.id AS id, c.name AS name, papers, papers + relations AS links ORDER BY links DESC, name LIMIT 5""",
        relations=list(CONCEPT_RELATIONS),
    )
    found = most_connected_concepts(concept_store, limit=5)
    assert [(row["id"], row["links"], row["papers"]) for row in found] == [
        (row["id"], row["links"], row["papers"]) for row in every
    ]
    assert any(row["links"] > row["papers"] for row in found)  # relations count too
    assert [row["id"] for row in most_connected_concepts(concept_store, rel_types=(Rel.MENTIONS,), limit=2)] == [
        row["id"] for row in concept_list(concept_store, limit=50).rows if row["id"] in _specific(concept_store)
    ][:2]


def test_explore_starts_from_concepts_ranked_at_the_update_that_equal_those_ranked_at_a_visit(
    concept_store, monkeypatch
):
    aggregates.bring_up_to_date(concept_store)
    live = aggregates.most_connected_rows(concept_store)[: aggregates.START_KEPT]
    assert aggregates.stored_start_concepts(concept_store) == live and len(live) == aggregates.START_KEPT
    with monkeypatch.context() as ranking_fails:  # with the defaults, only what the update kept is read
        ranking_fails.setattr(details, "most_connected_rows", lambda *args: pytest.fail("ranked at the visit"))
        assert most_connected_concepts(concept_store, limit=10) == live[:10]
    assert most_connected_concepts(concept_store, limit=aggregates.START_KEPT + 5)[: aggregates.START_KEPT] == live
    mark_written(concept_store)  # as an ingest starting to write: what the update kept is outdated
    try:
        assert aggregates.stored_start_concepts(concept_store) is None
        assert most_connected_concepts(concept_store, limit=10) == live[:10]
    finally:
        aggregates.bring_up_to_date(concept_store)


def _specific(store) -> set[str]:
    rows = store.read(
        f"MATCH (c:{'|'.join(CONCEPT_LABELS)}) WHERE coalesce(c.{GENERIC}, false) = false RETURN c.id AS id"
    )
    return {row["id"] for row in rows}


def test_generic_concepts_never_lead_the_start_or_the_top_lists_but_stay_findable(concept_store):
    leading = most_connected_concepts(concept_store, limit=1)[0]
    concept_store.write(f"MATCH (c {{id: $id}}) SET c.{GENERIC} = true", id=leading["id"])
    mark_written(concept_store)  # as the ingest that marked it would
    try:
        generic = {
            row["name"]
            for row in concept_store.read(
                f"MATCH (c:{'|'.join(CONCEPT_LABELS)}) WHERE c.{GENERIC} = true RETURN c.name AS name"
            )
        }
        assert leading["id"] not in [row["id"] for row in most_connected_concepts(concept_store)]
        top_lists = corpus_stats(concept_store).top_concepts
        assert not generic & {row["name"] for rows in top_lists.values() for row in rows}
        assert leading["id"] in [hit.id for hit in search(concept_store, leading["name"])][:3]
        assert open_page("concept", id=leading["id"]).title[0].value == leading["name"]
    finally:
        concept_store.write(f"MATCH (c {{id: $id}}) REMOVE c.{GENERIC}", id=leading["id"])
        mark_written(concept_store)


def test_explore_opens_on_the_most_connected_concepts_and_draws_the_first(concept_store):
    app = open_page("explore")
    start_here = app.get("button_group")[0]
    top = most_connected_concepts(concept_store, limit=10)
    assert start_here.options == [f"{row['name']} · {row['links']}" for row in top]
    first, second = top[0], top[1]
    assert start_here.value == first["id"]
    assert f"1 hop(s) around {first['name']} ({first['label']})" in app.get("html")[0].proto.body
    assert first["name"] in app.get("iframe")[0].proto.srcdoc
    start_here.set_value(second["id"]).run()
    assert f"1 hop(s) around {second['name']} ({second['label']})" in app.get("html")[0].proto.body


def test_explore_search_narrows_the_default_view(concept_store):
    app = open_page("explore")
    app.text_input[0].set_value("ImageNet").run()
    assert not app.get("button_group")  # no more "start here"
    assert "1 hop(s) around ImageNet (Dataset)" in app.get("html")[0].proto.body


def test_explore_ignores_nonsense_in_the_address(concept_store):
    app = open_page("explore", hops="²", limit="many", labels="Nothing", rels="", confidence="1e999")
    hops, limit, confidence = (slider.value for slider in app.slider)
    assert (hops, limit, confidence) == (1, 150, 1.0)
    first = most_connected_concepts(concept_store, limit=1)[0]
    assert f"1 hop(s) around {first['name']} ({first['label']})" in app.get("html")[0].proto.body


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


def test_the_servers_warm_up_leaves_the_page_template_compiled_for_every_drawing(monkeypatch):
    """``ui.streamlit_server`` draws once before it serves: every later drawing reuses pyvis's
    page template as compiled then, and draws the same page as with a template of its own."""
    from pyvis.network import Network

    from ui import graph_view, warm_up

    graph_view._page_templates.cache_clear()
    warm_up.draw_a_graph()
    compiled = graph_view._page_templates()
    names = {name for _, name in compiled.cache.keys()}
    assert "template.html" in names and any(name.endswith("vis-network.min.js") for name in names)
    graph = large_drawable_graph(30)
    drawn = graph_view.graph_html(graph, library="/app/static")
    assert graph_view._page_templates() is compiled and {name for _, name in compiled.cache.keys()} == names
    monkeypatch.setattr(graph_view, "_page_templates", lambda: Network().templateEnv)
    assert graph_view.graph_html(graph, library="/app/static") == drawn


def large_drawable_graph(nodes: int) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(nx.barabasi_albert_graph(nodes, 2, seed=0))
    for key, data in graph.nodes(data=True):
        data.update(label=Label.PAPER, caption=f"paper {key}", id=f"paper:{key}")
    for *_, data in graph.edges(data=True):
        data["type"] = Rel.MENTIONS
    return graph


@pytest.mark.parametrize("large", [False, True])  # Kamada-Kawai up to 500 nodes, Fruchterman-Reingold above
def test_a_drawing_arrives_laid_out_with_its_nodes_spaced_and_the_browser_physics_off(concept_store, large):
    if large:
        graph, centre = large_drawable_graph(KAMADA_KAWAI_MAX_NODES + 300), 0
    else:
        found = find_node(concept_store, "metric:accuracy")
        graph, centre = neighbourhood(concept_store, found, hops=2, node_limit=150), found.key
        assert graph.number_of_nodes() == 150
    drawing = graph_html(graph, centre=centre)
    options = json.loads(re.search(r"var options = (\{.*?\});\n", drawing).group(1))
    assert options["physics"]["enabled"] is False
    sent = json.loads(re.search(r"nodes = new vis.DataSet\((\[.*?\])\);\n", drawing).group(1))
    positions = {node["id"]: (node["x"], node["y"]) for node in sent}
    assert positions.keys() == set(graph.nodes)
    points = numpy.array(list(positions.values()))
    nearest = numpy.sort(numpy.linalg.norm(points[:, None] - points[None, :], axis=2), axis=1)[:, 1]
    assert abs(numpy.median(nearest) - NEIGHBOUR_SPACING_PX) < 0.1 * NEIGHBOUR_SPACING_PX
    assert (nearest > 0).mean() > 0.99  # no pile of nodes on one spot
    if not large:  # drawn again, it looks the same
        assert {key: (round(x, 1), round(y, 1)) for key, (x, y) in layout_positions(graph).items()} == positions


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


def test_paper_list_sorts_and_pages_every_paper(concept_store):
    titles = [row["title"] for row in concept_store.read(f"MATCH (p:{Label.PAPER}) RETURN p.title AS title")]
    first = paper_list(concept_store, sort="title", descending=False, offset=0, limit=100)
    last = paper_list(concept_store, sort="title", descending=False, offset=200, limit=100)
    assert (first.total, first.pages, len(first.rows), len(last.rows)) == (286, 3, 100, 86)
    assert [row["title"] for row in first.rows + last.rows] == sorted(titles)[:100] + sorted(titles)[200:]
    most = paper_list(concept_store, sort="concepts", descending=True, limit=3).rows
    assert [row["concepts"] for row in most] == [5, 5, 5]  # the most any paper of the sample mentions
    paper_id = paper_id_titled(concept_store, CONTINUAL_LEARNING_PAPER)
    [paper] = paper_list(concept_store, ids=[paper_id]).rows
    assert paper["title"].startswith(CONTINUAL_LEARNING_PAPER) and (paper["date"], paper["concepts"]) == (None, 3)


def test_paper_page_without_an_id_lists_papers(concept_store):
    app = open_page("paper")
    assert app.title[0].value == "Papers"
    table = app.dataframe[0].value
    assert list(table.columns) == ["title", "concepts"]  # no paper of the sample corpus has a date
    assert len(table) == 100 and "Papers 1–100 of 286." in [c.value for c in app.caption]
    app.number_input[0].set_value(3).run()
    assert len(app.dataframe[0].value) == 86 and "Papers 201–286 of 286." in [c.value for c in app.caption]
    app.selectbox[0].set_value("Most concepts").run()
    assert app.dataframe[0].value["concepts"].is_monotonic_decreasing


def test_paper_page_list_searches_titles_and_abstracts(concept_store):
    app = open_page("paper")
    app.text_input[0].set_value("continual learning").run()
    assert app.dataframe[0].value["title"][0].startswith(CONTINUAL_LEARNING_PAPER)
    app.text_input[0].set_value("zzzz qqqq").run()
    assert any("No paper matches" in info.value for info in app.info)


def test_concept_list_sorts_by_papers_and_filters_labels(concept_store):
    every = concept_list(concept_store, limit=1000)
    # 27: "LoRA" defined as "low-rank adaptation" and as "low-rank adapters" is one concept
    assert every.total == 27 and [row["papers"] for row in every.rows] == sorted(
        (row["papers"] for row in every.rows), reverse=True
    )
    assert every.rows[0] == {
        "id": "method:neural network",
        "name": "neural networks",
        "label": Label.METHOD,
        "mentions": 140,
        "papers": 91,
    }
    tasks = concept_list(concept_store, labels=(Label.TASK,), sort="name", descending=False)
    assert tasks.total == 8 and [row["name"] for row in tasks.rows] == sorted(row["name"] for row in tasks.rows)
    assert concept_list(concept_store, labels=()).rows == []


def test_concept_page_without_an_id_lists_concepts(concept_store):
    app = open_page("concept")
    assert app.title[0].value == "Concepts"
    table = app.dataframe[0].value
    assert list(table.columns) == ["label", "name", "mentions", "papers"]
    assert len(table) == 27 and table["name"][0] == "neural networks"
    app.get("button_group")[0].set_value([Label.TASK]).run()
    assert set(app.dataframe[0].value["label"]) == {Label.TASK} and len(app.dataframe[0].value) == 8
    app.text_input[0].set_value("imagenet").run()
    assert any("No concept matches" in info.value for info in app.info)  # a Dataset, and only Tasks are chosen
    app.get("button_group")[0].set_value(list(CONCEPT_LABELS)).run()
    assert app.dataframe[0].value["name"][0] == "ImageNet"


def test_concept_page_offers_its_trend(concept_store):
    app = open_page("concept", id="dataset:imagenet")
    assert [button.label for button in app.button] == ["Show in graph", "Show over time"]


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
        "Aliases", "Merge reasons", "Papers (24)", "Related concepts (1)", "Claims (29)", "Results", "Predicted links",
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


# -- Trends ---------------------------------------------------------------------------------

# A small dated corpus: per year, each paper's concepts (words the stand-in extractor knows), one
# paper a month from January.  The first paper names the transformer twice: a paper counts once.
DATED_PAPERS = {
    2022: ["TIAT", "TI", "TQ", "TQ", "TI", "T", "TA", "TD", "I", "IA"],
    2023: ["TDI", "TDG", "TQ", "TI", "TA", "DG", "DI", "I", "IA", "A"],
    2024: ["TD", "TL", "DG", "DGL", "DI", "DI", "DA", "DL", "I", "IA"],
}
DATED_CONCEPTS = {
    "T": "transformer",
    "D": "diffusion models",
    "I": "ImageNet",
    "A": "accuracy",
    "Q": "question answering",
    "L": "LoRA",
    "G": "image generation",
}
TRANSFORMER, DIFFUSION, LORA = "method:transformer", "method:diffusion model", "method:lora"


def ingest_dated_papers(store, folder, more: list[dict]) -> None:
    records = [
        {
            "title": f"Study {year}-{month}",
            "abstract": "We look at " + " and ".join(DATED_CONCEPTS[code] for code in codes) + ".",
            "date": f"{year}-{month:02d}-15",
        }
        for year, papers in DATED_PAPERS.items()
        for month, codes in enumerate(papers, start=1)
    ]
    listing = folder / "dated.jsonl"
    listing.write_text("".join(json.dumps(record) + "\n" for record in records + more))
    ingest_paths(store, [listing], extractor=GazetteerExtractor())


@pytest.fixture
def dated_store(store, tmp_path):
    """``DATED_PAPERS``, plus a paper dated by its year alone (2023: transformer, LoRA) and one undated (transformer)."""
    more = [
        {"title": "A study dated by its year alone", "abstract": "We look at transformer and LoRA.", "date": "2023"},
        {"title": "An undated study", "abstract": "We look at transformer."},
    ]
    ingest_dated_papers(store, tmp_path, more)
    return store


def test_a_timeline_counts_papers_per_year_or_month_and_leaves_the_undated_out(dated_store):
    by_year = trends.corpus_timeline(dated_store, trends.YEAR)
    assert by_year.totals == {"2022": 10, "2023": 11, "2024": 10}
    assert (by_year.papers, by_year.dated, by_year.undated) == (32, 31, 1)
    by_month = trends.corpus_timeline(dated_store, trends.MONTH)  # the year-only date has no month
    assert (by_month.dated, by_month.undated, len(by_month.periods)) == (30, 2, 30)
    assert by_month.periods[:2] == ["2022-01", "2022-02"] and by_month.periods[-1] == "2024-10"
    assert set(by_month.totals.values()) == {1}
    assert trends.period_start("2024") == date(2024, 1, 1) and trends.period_start("2024-05") == date(2024, 5, 1)


def test_concept_trends_count_papers_and_shares_per_period_zeros_included(dated_store):
    by_year = trends.corpus_timeline(dated_store, trends.YEAR)
    rows = trends.concept_trends(dated_store, by_year, [TRANSFORMER, LORA, "method:unknown"])
    assert [(row.name, row.period, row.papers, row.total) for row in rows] == [
        ("transformer", "2022", 8, 10), ("transformer", "2023", 6, 11), ("transformer", "2024", 2, 10),
        ("LoRA", "2022", 0, 10), ("LoRA", "2023", 1, 11), ("LoRA", "2024", 3, 10),
    ]  # fmt: skip
    assert [round(row.share, 4) for row in rows[:3]] == [0.8, 0.5455, 0.2]
    by_month = trends.corpus_timeline(dated_store, trends.MONTH)
    diffusion = trends.concept_trends(dated_store, by_month, [DIFFUSION])
    assert [row.period for row in diffusion if row.papers] == [
        "2022-08", "2023-01", "2023-02", "2023-06", "2023-07",
        "2024-01", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08",
    ]  # fmt: skip


def test_the_top_concepts_are_those_most_dated_papers_mention(dated_store):
    by_year = trends.corpus_timeline(dated_store, trends.YEAR)
    assert [(row.name, row.papers) for row in trends.top_concepts(dated_store, by_year)] == [
        ("transformer", 16), ("ImageNet", 14), ("diffusion models", 12), ("accuracy", 8),
        ("LoRA", 4), ("image generation", 4), ("question answering", 3),
    ]  # fmt: skip
    # The year-only date has no month: by month, the transformer and LoRA have a dated paper less.
    by_month = trends.corpus_timeline(dated_store, trends.MONTH)
    assert [(row.name, row.papers) for row in trends.top_concepts(dated_store, by_month, limit=2)] == [
        ("transformer", 15), ("ImageNet", 14),
    ]  # fmt: skip
    # A generic concept comes after the others.
    dated_store.write(f"MATCH (c:{Label.METHOD} {{id: $id}}) SET c.{GENERIC} = true", id=TRANSFORMER)
    mark_written(dated_store)  # as an ingest that wrote it would
    assert trends.top_concepts(dated_store, by_year)[-1].name == "transformer"


def test_trends_opens_on_lists_ranked_at_the_update_that_equal_those_ranked_at_a_visit(dated_store, monkeypatch):
    by_year = trends.corpus_timeline(dated_store, trends.YEAR)  # brings the counts up to date
    kept = aggregates.stored_trends_lists(dated_store, trends.YEAR)
    assert kept["top"][:3] == [TRANSFORMER, "dataset:imagenet", DIFFUSION]
    assert (kept["movers"]["totals"], kept["movers"]["recent"], kept["movers"]["min_papers"]) == (
        {"2022": 10, "2023": 11, "2024": 10}, ["2024"], 3,
    )  # fmt: skip
    assert len(kept["movers"]["ids"]) == 7 and DIFFUSION in kept["movers"]["ids"]
    by_month = trends.corpus_timeline(dated_store, trends.MONTH)
    assert aggregates.stored_trends_lists(dated_store, trends.MONTH)["movers"]["recent"] == [
        "2024-08", "2024-09", "2024-10",
    ]  # fmt: skip
    settings = [(by_year, 1, 3, 10), (by_year, 1, 3, 2), (by_year, 2, 3, 10), (by_year, 1, 5, 10), (by_month, 3, 3, 10)]
    from_kept = [
        (
            trends.top_concepts(dated_store, timeline, limit),
            trends.rising_and_falling(dated_store, timeline, recent, least, limit),
        )
        for timeline, recent, least, limit in settings
    ]
    assert [c.name for c in from_kept[0][1].rising] == ["diffusion models", "LoRA", "image generation"]
    with monkeypatch.context() as reading_every_concept_fails:  # with the update's settings, only what it kept is read
        for ranking in ("top_concept_rows", "movers_candidates"):
            reading_every_concept_fails.setattr(
                trends, ranking, lambda *args, ranking=ranking: pytest.fail(f"{ranking} ran")
            )
        assert trends.top_concepts(dated_store, by_year) == from_kept[0][0]
        assert trends.rising_and_falling(dated_store, by_year, 1, 3, 2) == from_kept[1][1]
        assert trends.rising_and_falling(dated_store, by_month, 3, 3, 10) == from_kept[4][1]
    mark_written(dated_store)  # as an ingest starting to write: what the update kept is outdated
    assert aggregates.stored_trends_lists(dated_store, trends.YEAR) is None
    assert [
        (
            trends.top_concepts(dated_store, timeline, limit),
            trends.rising_and_falling(dated_store, timeline, recent, least, limit),
        )
        for timeline, recent, least, limit in settings
    ] == from_kept


def test_rising_and_falling_compare_the_recent_share_with_the_earlier(dated_store):
    by_year = trends.corpus_timeline(dated_store, trends.YEAR)
    movers = trends.rising_and_falling(dated_store, by_year, recent_periods=1, min_papers=3)
    assert (movers.recent, movers.earlier, movers.recent_total, movers.earlier_total) == (
        ["2024"], ["2022", "2023"], 10, 21,
    )  # fmt: skip
    # 2024: 7 of 10 papers mention diffusion models; 2022-2023: 5 of 21.
    assert [(c.name, c.recent_papers, c.earlier_papers, round(c.change, 4)) for c in movers.rising] == [
        ("diffusion models", 7, 5, round(7 / 10 - 5 / 21, 4)),
        ("LoRA", 3, 1, round(3 / 10 - 1 / 21, 4)),
        ("image generation", 2, 2, round(2 / 10 - 2 / 21, 4)),
    ]
    assert [(c.name, c.recent_papers, c.earlier_papers, round(c.change, 4)) for c in movers.falling] == [
        ("transformer", 2, 14, round(2 / 10 - 14 / 21, 4)),
        ("question answering", 0, 3, round(0 - 3 / 21, 4)),
        ("accuracy", 2, 6, round(2 / 10 - 6 / 21, 4)),
        ("ImageNet", 4, 10, round(4 / 10 - 10 / 21, 4)),
    ]
    fewer = trends.rising_and_falling(dated_store, by_year, recent_periods=1, min_papers=5, limit=1)
    assert [c.name for c in fewer.rising + fewer.falling] == ["diffusion models", "transformer"]
    two_years = trends.rising_and_falling(dated_store, by_year, recent_periods=5)  # at most all but the first
    assert (two_years.recent, two_years.earlier) == (["2023", "2024"], ["2022"])
    one_year = trends.Timeline(trends.YEAR, 10, {"2024": 10})
    assert trends.rising_and_falling(dated_store, one_year) is None


def test_rising_and_falling_count_only_the_recent_papers_when_every_paper_is_dated(store, tmp_path):
    ingest_dated_papers(store, tmp_path, [])
    by_year = trends.corpus_timeline(store, trends.YEAR)
    assert by_year.undated == 0
    movers = trends.rising_and_falling(store, by_year)  # the concept layer's counts, and the recent papers'
    assert [(c.name, c.recent_papers, c.earlier_papers) for c in movers.rising] == [
        ("diffusion models", 7, 5), ("LoRA", 3, 0), ("image generation", 2, 2),
    ]  # fmt: skip
    assert [(c.name, round(c.change, 2)) for c in movers.falling] == [
        ("transformer", -0.45), ("question answering", -0.15), ("ImageNet", -0.1), ("accuracy", -0.1),
    ]  # fmt: skip
    counted = trends.Timeline(trends.YEAR, by_year.papers + 1, by_year.totals)  # "one undated": count them all
    assert trends.rising_and_falling(store, counted) == movers
    by_month = trends.corpus_timeline(store, trends.MONTH)
    assert trends.rising_and_falling(store, by_month, recent_periods=12) == trends.rising_and_falling(
        store, trends.Timeline(trends.MONTH, by_month.papers + 1, by_month.totals), recent_periods=12
    )


def test_co_mentions_over_time_rank_the_concepts_in_the_same_papers(dated_store):
    by_year = trends.corpus_timeline(dated_store, trends.YEAR)
    rows = trends.co_mentions_over_time(dated_store, by_year, TRANSFORMER, per_period=5)
    # Equal counts rank by name ("ImageNet" and "LoRA" sort before lower-case names).
    assert [(row.period, row.rank, row.name, row.papers, row.concept_papers) for row in rows] == [
        ("2022", 1, "ImageNet", 3, 8), ("2022", 2, "accuracy", 2, 8), ("2022", 3, "question answering", 2, 8),
        ("2022", 4, "diffusion models", 1, 8),
        ("2023", 1, "ImageNet", 2, 6), ("2023", 2, "diffusion models", 2, 6), ("2023", 3, "LoRA", 1, 6),
        ("2023", 4, "accuracy", 1, 6), ("2023", 5, "image generation", 1, 6),
        ("2024", 1, "LoRA", 1, 2), ("2024", 2, "diffusion models", 1, 2),
    ]  # fmt: skip
    assert rows[0].share == 3 / 8
    assert trends.co_mentions_over_time(dated_store, by_year, "method:unknown") == []


def test_the_stored_co_mentions_of_a_concept_in_many_papers_are_those_counted_from_its_papers(dated_store):
    by_year = trends.corpus_timeline(dated_store, trends.YEAR)
    counted = trends.co_mentions_over_time(dated_store, by_year, TRANSFORMER)
    aggregates.update_aggregates(dated_store, heavy=5)  # nothing to count: only the co-mentions are ranked
    stored = dated_store.read(
        f"MATCH (c:{Label.METHOD} {{id: $id}}) RETURN c.{aggregates.CO_MENTIONS[trends.YEAR]} AS ranked", id=TRANSFORMER
    )[0]["ranked"]
    assert stored is not None  # in 16 dated papers, from 5 on
    assert trends.co_mentions_over_time(dated_store, by_year, TRANSFORMER) == counted
    by_month = trends.corpus_timeline(dated_store, trends.MONTH)
    assert trends.co_mentions_over_time(dated_store, by_month, TRANSFORMER) == trends._counted_co_mentions(
        dated_store, by_month, TRANSFORMER, per_period=5
    )


def _counts(store) -> tuple[list[dict], list[dict]]:
    """Every count ``analysis.aggregates`` stored, on papers and on concepts."""
    papers = store.read(
        f"""MATCH (p:{Label.PAPER}) RETURN p.id AS id, p.{aggregates.COUNTED_PERIOD["year"]} AS year,
        p.{aggregates.COUNTED_PERIOD["month"]} AS month, p.{aggregates.COUNTED_CONCEPTS} AS concepts,
        p.{aggregates.ABSTRACT_WORDS} AS words ORDER BY id"""
    )
    stored = [*aggregates.PAPERS_PER.values(), *aggregates.DATED_PAPERS.values(), *aggregates.CO_MENTIONS.values()]
    concepts = store.read(
        f"MATCH (c:{'|'.join(CONCEPT_LABELS)}) RETURN c.id AS id, "
        + ", ".join(f"c.{name} AS {name}" for name in stored)
        + " ORDER BY id"
    )
    return papers, concepts


def test_counts_made_by_difference_are_those_made_afresh(store, tmp_path):
    ingest_dated_papers(store, tmp_path, [])
    assert aggregates.aggregates_outdated(store)
    first = aggregates.update_aggregates(store, heavy=5)
    assert (first.papers, aggregates.aggregates_outdated(store)) == (30, False)
    assert aggregates.update_aggregates(store, heavy=5).papers == 0
    # Two new papers make LoRA a concept of many papers; one paper is now about something else, in another year.
    later = tmp_path / "later.jsonl"
    later.write_text(
        "".join(
            json.dumps(record) + "\n"
            for record in [
                {"title": "Later study 1", "abstract": "We look at LoRA and ImageNet.", "date": "2025-02-01"},
                {"title": "Later study 2", "abstract": "We look at LoRA.", "date": "2025-03-01"},
                {"title": "Study 2022-1", "abstract": "We look at question answering.", "date": "2025-01-15"},
            ]
        )
    )
    ingest_paths(store, [later], extractor=GazetteerExtractor())
    second = aggregates.update_aggregates(store, heavy=5)
    assert second.papers == 3
    by_difference = _counts(store)
    lora = next(row for row in by_difference[1] if row["id"] == LORA)
    assert json.loads(lora["papers_per_year"]) == {"2024": 3, "2025": 2} and lora["co_mentions_year"]
    transformer = next(row for row in by_difference[1] if row["id"] == TRANSFORMER)
    assert json.loads(transformer["papers_per_year"])["2022"] == 7  # "Study 2022-1" no longer counts here
    totals_by_difference = aggregates.corpus_totals(store)
    assert totals_by_difference.papers == 32
    assert totals_by_difference.papers_per["year"] == {"2022": 9, "2023": 10, "2024": 10, "2025": 3}
    names = ", ".join(
        f"n.{name}"
        for name in [
            aggregates.AGGREGATED_FROM, *aggregates.COUNTED_PERIOD.values(), aggregates.COUNTED_CONCEPTS,
            aggregates.ABSTRACT_WORDS, aggregates.COUNTED_CODE, aggregates.COUNTED_SOURCES,
            aggregates.COUNTED_MENTIONS, *aggregates.PAPERS_PER.values(), *aggregates.DATED_PAPERS.values(),
            *aggregates.CO_MENTIONS.values(),
        ]
    )  # fmt: skip
    store.write(f"MATCH (n) WHERE NOT n:{CORPUS_STATE} REMOVE {names}")
    store.write(f"MATCH (s:{CORPUS_STATE} {{id: $id}}) DELETE s", id=aggregates.COUNTS)
    assert aggregates.update_aggregates(store, heavy=5).papers == 32
    assert _counts(store) == by_difference
    assert aggregates.corpus_totals(store) == totals_by_difference


def test_the_counts_wait_for_a_running_ingest(dated_store, tmp_path):
    from graph_schema.file_locks import exclusive_ingest
    from graph_schema.settings import papergraph_home

    counted = trends.corpus_timeline(dated_store, trends.YEAR)  # counted here: the fixture ingested without
    listing = tmp_path / "more.jsonl"
    listing.write_text(json.dumps({"title": "One more", "abstract": "We look at LoRA.", "date": "2024-12-01"}) + "\n")
    ingest_paths(dated_store, [listing], extractor=GazetteerExtractor())
    with exclusive_ingest(papergraph_home()):  # as an ingest at work holds it
        waiting = trends.corpus_timeline(dated_store, trends.YEAR)
    assert (waiting.totals, waiting.uncounted) == (counted.totals, 1)
    after = trends.corpus_timeline(dated_store, trends.YEAR)
    assert (after.totals["2024"], after.uncounted) == (counted.totals["2024"] + 1, 0)


def test_the_paper_list_sorts_by_the_counted_concepts(concept_store):
    most = paper_list(concept_store, sort="concepts", descending=True, limit=5).rows
    counted = concept_store.read(
        f"""MATCH (p:{Label.PAPER}) OPTIONAL MATCH (p)-[:{Rel.MENTIONS}]->(c)
        WITH p, count(DISTINCT c) AS concepts RETURN concepts ORDER BY concepts DESC LIMIT 5"""
    )
    assert [row["concepts"] for row in most] == [row["concepts"] for row in counted]


def test_trends_page_says_plainly_when_the_corpus_has_no_dates(concept_store):
    app = open_page("trends")
    assert app.title[0].value == "Trends"
    assert "This corpus has no dates: none of its 286 papers" in app.info[0].value
    assert not app.get("vega_lite_chart")


def test_trends_page_draws_the_dated_corpus(dated_store):
    app = open_page("trends", concept=TRANSFORMER)
    assert [s.value for s in app.subheader] == ["Concepts over time", "Rising and falling", "One concept over time"]
    assert app.caption[0].value.startswith(
        "31 of 32 papers have a year to count by (2022 to 2024); the other 1 is left out."
    )
    assert app.multiselect[0].value == [TRANSFORMER, "dataset:imagenet", DIFFUSION, "metric:accuracy", LORA]
    charts = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    assert len(charts) == 5  # papers per year, concepts, rising and falling, the timeline, co-mentions
    tables = {table.key: table.value for table in app.dataframe if table.key}
    assert tables["rising"]["concept"].tolist() == ["diffusion models", "LoRA", "image generation"]
    assert tables["rising"]["change (points)"].tolist() == [46.2, 25.2, 10.5]
    assert tables["falling"]["concept"].tolist() == ["transformer", "question answering", "accuracy", "ImageNet"]
    timeline = app.dataframe[2].value
    assert (timeline["period"].tolist(), timeline["papers"].tolist()) == (["2022", "2023", "2024"], [8, 6, 2])
    assert [(m.label, m.value) for m in app.metric] == [
        ("Dated papers mentioning it", "16"), ("First year", "2022"), ("Largest share (2022)", "80.0%"),
    ]  # fmt: skip
    co_mentions = app.dataframe[3].value
    assert co_mentions["concept"].tolist()[:2] == ["ImageNet", "accuracy"]

    app.get("button_group")[0].set_value(trends.MONTH).run()
    assert app.caption[0].value.startswith("30 of 32 papers have a month to count by (2022-01 to 2024-10)")
    assert len(app.dataframe[2].value) == 30


def test_trends_page_reads_its_address_and_says_what_it_cannot_use(dated_store):
    app = open_page("trends", concept="method:unknown", by="decade")
    assert "No concept has the id 'method:unknown'." in [w.value for w in app.warning]
    assert app.get("button_group")[0].value == trends.YEAR
    assert app.selectbox[0].value == DIFFUSION  # the concept rising most


# -- the app as a whole ------------------------------------------------------------------------


def test_the_app_hides_the_deploy_button_and_the_developer_menu(concept_store):
    open_page()
    assert streamlit_config.get_option("client.toolbarMode") == "minimal"


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (neo4j.exceptions.ServiceUnavailable("connection refused"), "The store did not answer (connection refused)"),
        (KeyError("papers"), f"{UNEXPECTED}: KeyError: 'papers'"),
    ],
)
def test_a_failing_page_shows_a_readable_message(concept_store, monkeypatch, failure, message):
    def fail(*args, **kwargs):
        raise failure

    # The first page: AppTest runs a switched-to page without ui/app.py around it.
    monkeypatch.setattr("analysis.stats.corpus_stats", fail)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert app.error[0].value.startswith(message)
    assert len(app.exception) == (1 if isinstance(failure, KeyError) else 0)  # a bug's traceback, folded away


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


# -- Link prediction: the background refresh (``papergraph ui --refresh-links``) --------------


def test_link_prediction_page_shows_a_running_refresh(store):
    import fcntl
    from datetime import UTC, datetime, timedelta

    from analysis.linkpred.refresh import LOCK_FILE, RUNNING, TRAINING, RefreshStatus, status_path, write_status
    from graph_schema.settings import papergraph_home

    started = (datetime.now(UTC) - timedelta(seconds=95)).isoformat()
    with open(papergraph_home() / LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held, as by a running refresh
        try:
            write_status(RefreshStatus(RUNNING, stage=TRAINING, message="training GraphSAGE + NCN", started=started))
            app = open_page("link_prediction")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            status_path().unlink()
    shown = " ".join(info.value for info in app.info)
    assert "Refreshing predicted links in the background" in shown
    assert "(training, 1 min 3" in shown and "training GraphSAGE + NCN" in shown  # 95 s, and the moment to draw
    assert "No predicted links in the graph yet" in shown and "the refresh above writes them" in shown


def test_link_prediction_page_shows_the_refreshed_links_and_the_runs_metrics(concept_store):
    from analysis.linkpred.predictions import clear_predictions
    from analysis.linkpred.refresh import refresh_predictions, status_path

    status_path().unlink(missing_ok=True)
    try:
        result = refresh_predictions(concept_store, top_k=1, text_features="none", max_epochs=2, num_negatives=10)
        app = open_page("link_prediction")
    finally:
        clear_predictions(concept_store)
        status_path().unlink(missing_ok=True)
    run = result.run
    captions = [caption.value for caption in app.caption]
    assert any(
        "Predicted links refreshed" in caption and f"trained run {run.run_id}" in caption for caption in captions
    )
    assert any(f"Run `{run.run_id}`" in caption and run.model_name in caption for caption in captions)
    assert [m.value for m in app.markdown if m.value.startswith("**Against")] == [
        "**Against random negatives**",
        "**Against hard negatives**",
    ]
    metrics = app.dataframe[0].value
    assert {run.model_name, "Adamic-Adar", "DeepWalk"} <= set(metrics["model"]) and metrics["auc"].between(0, 1).all()
    links = app.dataframe[2].value
    assert set(links["run"]) == {run.run_id} and len(links) == min(200, result.prediction.total_written)
    assert not any("No predicted links" in info.value for info in app.info)
