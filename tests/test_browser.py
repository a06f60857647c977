"""The app end to end: ``streamlit run`` against the session's store, driven in headless Chromium.

Screenshots go to ``test-artifacts/``.  Needs Debian's chromium at
/usr/bin/chromium (Playwright drives it; never ``playwright install``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analysis.details import concept_list, most_connected_concepts
from graph_schema import arcadedb_server
from graph_schema.schema import Label, Rel
from ingest.pipeline import ingest_paths
from tests.support import (
    ARTIFACTS,
    CONTINUAL_LEARNING_PAPER,
    REPO,
    GazetteerExtractor,
    holds_gazetteer_corpus,
    load_corpus_with_gazetteer,
)

pytestmark = pytest.mark.browser

# Each page's address -> how its heading starts, and the browser tab's title.
PAGES = {
    "": ("papergraph", "Overview · papergraph"),
    "explore": ("Explore", "Explore · papergraph"),
    "trends": ("Trends", "Trends · papergraph"),
    "paper": ("Papers", "Paper · papergraph"),
    "concept": ("Concepts", "Concept · papergraph"),
    "console": ("Cypher console", "Cypher console · papergraph"),
    "link_prediction": ("Link prediction", "Link prediction · papergraph"),
    "data": ("Data", "Data · papergraph"),
}
RENDERED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SERVER_START_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def browser_store(session_store):
    if not holds_gazetteer_corpus(session_store):
        load_corpus_with_gazetteer(session_store)
    return session_store


@contextmanager
def running_app(log_name: str) -> Iterator[str]:
    """``streamlit run ui/app.py`` on a free port, as long as the block runs; its address."""
    port = arcadedb_server.free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "ui" / "app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        "--server.enableStaticServing", "true",  # as papergraph ui serves it
    ]  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / log_name).open("w")
    server = subprocess.Popen(command, cwd=REPO, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    wait_until_healthy(server, url, SERVER_START_TIMEOUT_S, ARTIFACTS / log_name)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def wait_until_healthy(server: subprocess.Popen, url: str, timeout_s: float, log_path: Path) -> None:
    """Until the Streamlit server at ``url`` says it is healthy; the test fails if it never does."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"streamlit did not start; see {log_path}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def app_url(browser_store):
    with running_app("streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def page(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    # The first render after a start can come out blank: open the app once first.
    open_app(page, app_url)
    yield page
    page.close()


def open_app(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(RENDERED)
    page.wait_for_selector("h1")


def shoot(page, name: str) -> None:
    page.wait_for_timeout(300)  # let charts and fonts settle
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)


def assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens(page, app_url, path):
    heading, tab_title = PAGES[path]
    open_app(page, app_url + path)
    assert page.locator("h1").first.inner_text().startswith(heading)
    expect(page).to_have_title(tab_title)
    assert_no_exception(page)
    shoot(page, path or "overview")


def test_a_first_visit_to_a_page_shows_the_app_without_deploy_button_or_developer_menu(browser, browser_store):
    """The first address a just-started app is asked for is a page's (a bookmark, a link).
    Streamlit then runs that page on its own unless the app sees to it (ui.navigation)."""
    with running_app("streamlit-first-visit.log") as url:
        fresh = browser.new_page(viewport={"width": 1400, "height": 1000})
        fresh.set_default_timeout(30_000)
        open_app(fresh, url + "concept?id=dataset:imagenet")
        expect(fresh).to_have_title("Concept · papergraph")  # set by ui/app.py
        navigation = fresh.locator('[data-testid="stSidebarNav"]')
        expect(navigation).to_contain_text("Trends")  # the app's pages, not the files of ui/pages
        expect(navigation).not_to_contain_text("link prediction")
        assert fresh.locator("h1").first.inner_text() == "ImageNet"
        assert fresh.get_by_role("button", name="Deploy").count() == 0
        assert fresh.locator('[data-testid="stMainMenu"]').count() == 0
        fresh.close()


def test_the_graph_loads_its_library_from_the_app_not_inline(browser, app_url):
    """vis-network comes from the app's own static files, which the browser caches, rather than
    travelling inline with every drawing; the graph still draws, where the app laid it out."""
    fresh = browser.new_page(viewport={"width": 1400, "height": 1000})  # a context of its own: nothing cached
    fresh.set_default_timeout(30_000)
    with fresh.expect_response(lambda response: response.url.endswith("/app/static/vis-network.min.js")) as loaded:
        open_app(fresh, app_url + f"explore?label={Label.DATASET}&id=dataset:imagenet")
        fresh.frame_locator("iframe").first.locator("body[data-drawn]").wait_for(state="attached")
    assert loaded.value.status == 200 and "javascript" in loaded.value.headers["content-type"]
    drawing = fresh.locator("iframe").first.get_attribute("srcdoc")
    assert 'src="/app/static/vis-network.min.js"' in drawing and len(drawing) < 100_000
    graph = next(frame for frame in fresh.frames if frame != fresh.main_frame)
    moved = graph.evaluate(  # laid out by the app: no node moves (getPositions rounds to whole units)
        """() => { const placed = network.getPositions();
                   return nodes.get().filter(n => Math.hypot(placed[n.id].x - n.x, placed[n.id].y - n.y) > 1.5).length; }"""
    )
    assert moved == 0 and graph.evaluate("() => nodes.length") > 10
    fresh.close()


def test_explore_opens_on_the_most_connected_concepts(page, app_url, browser_store):
    first, second = most_connected_concepts(browser_store, limit=2)
    open_app(page, app_url + "explore")
    page.get_by_text(f"1 hop(s) around {first['name']} ({first['label']})").wait_for()
    page.frame_locator("iframe").first.locator("body[data-drawn]").wait_for(state="attached")
    assert page.get_by_text("Start here: the most connected concepts").count() == 1
    shoot(page, "explore-start-here")
    page.get_by_role("radio", name=f"{second['name']} · ").click()
    page.get_by_text(f"1 hop(s) around {second['name']} ({second['label']})").wait_for()
    assert_no_exception(page)


def open_first_row(page) -> None:
    """Select the first row of the page's first table (the check box left of it)."""
    table = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    page.mouse.click(table["x"] + 16, table["y"] + 35 + 16)  # below the 35-pixel header row


@pytest.mark.parametrize(
    ("listing", "shown", "first_title"),
    [
        ("paper", "Papers 1–100 of 286.", "A Benchmark Study on Calibration"),  # newest first; undated by title
        ("concept", None, None),  # the concept in most papers, as analysis.details lists them
    ],
)
def test_a_list_opens_its_first_row(page, app_url, browser_store, listing, shown, first_title):
    if listing == "concept":
        concepts = concept_list(browser_store)
        shown = f"Concepts 1–{min(concepts.total, 100)} of {concepts.total}."
        first_title = concepts.rows[0]["name"]
    open_app(page, app_url + listing)
    page.get_by_text(shown).wait_for()
    shoot(page, f"{listing}-list")
    open_first_row(page)
    page.wait_for_url(f"**/{listing}?id=*")
    page.wait_for_selector(RENDERED)
    expect(page.locator("h1").first).to_have_text(first_title)
    assert_no_exception(page)


def test_search_for_a_concept_shows_its_graph(page, app_url):
    open_app(page, app_url + "explore")
    page.get_by_label("Search papers and concepts").fill("ImageNet")
    page.keyboard.press("Enter")
    page.get_by_text("1 hop(s) around ImageNet (Dataset)").wait_for()
    graph = page.frame_locator("iframe").first
    graph.locator("body[data-drawn]").wait_for(state="attached")
    assert graph.locator("canvas").count() == 1
    assert_no_exception(page)
    shoot(page, "explore-imagenet")


def test_double_clicking_a_concept_in_the_graph_opens_its_page(page, app_url):
    open_app(page, app_url + f"explore?label={Label.DATASET}&id=dataset:imagenet")
    page.frame_locator("iframe").first.locator("body[data-drawn]").wait_for(state="attached")
    graph = next(frame for frame in page.frames if frame != page.main_frame)
    x, y = graph.evaluate(
        """caption => {
            const id = nodes.getIds().find(id => nodes.get(id).label === caption);
            const point = network.canvasToDOM(network.getPositions([id])[id]);
            return [point.x, point.y];
        }""",
        "ImageNet",
    )
    canvas = page.frame_locator("iframe").first.locator("canvas").bounding_box()
    with page.context.expect_page() as opened:
        page.mouse.dblclick(canvas["x"] + x, canvas["y"] + y)
    concept_page = opened.value
    concept_page.wait_for_selector(RENDERED)
    assert concept_page.locator("h1").first.inner_text() == "ImageNet"
    concept_page.close()


def test_a_paper_shows_its_highlighted_abstract(page, app_url, browser_store):
    paper_id = browser_store.read(
        f"MATCH (p:{Label.PAPER}) WHERE p.title STARTS WITH $t RETURN p.id AS id", t=CONTINUAL_LEARNING_PAPER
    )[0]["id"]
    open_app(page, app_url + f"paper?id={paper_id}")
    assert page.locator("mark.entity").count() >= 5
    shoot(page, "paper")


def run_query(page, app_url, cypher: str) -> None:
    open_app(page, app_url + "console")
    page.get_by_role("textbox", name="Cypher", exact=True).fill(cypher)
    page.get_by_role("button", name="Run").click()


def test_a_cypher_query_shows_rows(page, app_url):
    run_query(page, app_url, f"MATCH (p:{Label.PAPER})-[r:{Rel.MENTIONS}]->(c) RETURN p, r, c LIMIT 7")
    page.get_by_text("7 row(s) in").wait_for()
    # Streamlit draws a page's elements as they come: the tabs may follow the caption.
    page.get_by_role("tab", name="Graph").wait_for()
    assert page.get_by_role("tab", name="Graph").count() == 1
    assert_no_exception(page)
    shoot(page, "console-rows")


def test_a_writing_query_is_refused(page, app_url, browser_store):
    before = browser_store.counts()
    run_query(page, app_url, f"MATCH (p:{Label.PAPER}) DETACH DELETE p")
    page.get_by_text("Refused: read-only console").wait_for()
    assert browser_store.counts() == before
    shoot(page, "console-refused")


def test_trends_says_when_there_are_no_dates_and_draws_dated_papers(page, app_url, browser_store, tmp_path):
    open_app(page, app_url + "trends")
    page.get_by_text("This corpus has no dates").wait_for()
    # Six dated papers beside the sample's 286 undated ones: the transformer falls, diffusion models rise.
    dated = [
        ("2023-03-01", "transformer and ImageNet"), ("2023-05-01", "transformer"), ("2023-09-01", "transformer and accuracy"),
        ("2024-02-01", "diffusion models and ImageNet"), ("2024-04-01", "diffusion models"), ("2024-06-01", "transformer and diffusion models"),
    ]  # fmt: skip
    listing = tmp_path / "dated.jsonl"
    listing.write_text(
        "".join(
            json.dumps({"title": f"Dated study {index}", "abstract": f"We look at {words}.", "date": date}) + "\n"
            for index, (date, words) in enumerate(dated)
        )
    )
    ingest_paths(browser_store, [listing], extractor=GazetteerExtractor())
    open_app(page, app_url + "trends")
    page.get_by_text("6 of 292 papers have a year to count by (2023 to 2024)").wait_for()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(5, timeout=30_000)  # each appears once Vega has loaded and drawn it
    for index in range(5):
        charts.nth(index).scroll_into_view_if_needed()
        charts.nth(index).locator("canvas, svg").first.wait_for()
    rising = page.locator('[data-testid="stDataFrame"]').first
    expect(rising).to_contain_text("diffusion models")
    assert_no_exception(page)
    shoot(page, "trends")


def test_an_uploaded_file_is_ingested(page, app_url, browser_store, tmp_path):
    listing = tmp_path / "uploaded-listing.jsonl"
    title = "Browser-uploaded paper on graph transformers"
    listing.write_text(json.dumps({"title": title, "abstract": "We study a transformer over graphs."}) + "\n")
    open_app(page, app_url + "data")
    page.locator('input[type="file"]').set_input_files(str(listing))
    ingest = page.get_by_role("button", name="Ingest")
    expect(ingest).to_be_enabled()  # once the upload has reached the server
    ingest.click()
    page.get_by_text("Ingested 1 file(s), 1 listing(s)").wait_for(timeout=120_000)
    assert_no_exception(page)
    shoot(page, "data-ingested")
    assert browser_store.read(f"MATCH (p:{Label.PAPER} {{title: $t}}) RETURN count(p) AS n", t=title)[0]["n"] == 1
