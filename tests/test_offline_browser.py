"""No request leaves the machine: the app, served as ``papergraph ui`` serves it, driven in
headless Chromium that refuses every request to a host other than the loopback one.

Every page is visited on an empty graph and on the sample corpus, with a paper and a concept
opened, Explore's graph drawn (its start and a node from the address) and the Cypher console's
graph view shown.  A request off the machine, or any request that failed, fails the test.
Needs Debian's chromium at /usr/bin/chromium (Playwright drives it; never ``playwright install``).
"""

from __future__ import annotations

import subprocess
import time
from urllib.parse import urlparse

import pytest

from graph_schema import arcadedb_server
from graph_schema.schema import Label, Rel
from tests.support import ARTIFACTS, REPO, holds_gazetteer_corpus, load_corpus_with_gazetteer
from tests.test_browser import RENDERED, SERVER_START_TIMEOUT_S, wait_until_healthy
from ui.cli.app import app_command

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Every page of ui/pages, by its address (the Overview is the app's default, at the root).
PAGES = ["" if path.stem == "overview" else path.stem for path in sorted((REPO / "ui" / "pages").glob("*.py"))]
QUIET_S = 1.0  # a page has settled when nothing has loaded for this long
QUIET_WAIT_S = 20.0


class RecordingPage:
    """A Chromium page that lets only loopback requests through and records every other, and every failure."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.set_default_timeout(30_000)
        self.off_machine: list[str] = []
        self.failed: list[str] = []
        self.pending: set = set()
        self.page.route("**/*", self._route)
        self.page.on("request", lambda request: self.pending.add(request))
        self.page.on("requestfinished", lambda request: self.pending.discard(request))
        self.page.on("requestfailed", self._failed)

    def _failed(self, request) -> None:
        self.pending.discard(request)
        if request.url not in self.off_machine:
            self.failed.append(f"{request.url}: {request.failure}")

    def _route(self, route) -> None:
        if urlparse(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.off_machine.append(route.request.url)
            route.abort()

    def open(self, url: str, graph: bool = False) -> None:
        self.page.goto(url)
        self.page.wait_for_selector(RENDERED)
        self.page.wait_for_selector("h1")
        if graph:
            self.drawn()
        self.settle()

    def drawn(self) -> None:
        self.page.frame_locator("iframe").first.locator("body[data-drawn]").wait_for(state="attached")

    def settle(self) -> None:
        """Until nothing has been loading for a while (icons, fonts, the code of a page's widgets and
        charts), so that no request is cut off by the next page's."""
        self.page.wait_for_load_state("networkidle")
        quiet_since = time.monotonic()
        deadline = quiet_since + QUIET_WAIT_S
        while time.monotonic() - quiet_since < QUIET_S and time.monotonic() < deadline:
            self.page.wait_for_timeout(50)
            if self.pending:
                quiet_since = time.monotonic()
        assert not self.pending, f"still loading after {QUIET_WAIT_S} s: {[r.url for r in self.pending]}"
        errors = self.page.locator('[data-testid="stException"]')
        assert errors.count() == 0, errors.first.inner_text()


@pytest.fixture(scope="module")
def app_url(session_store):
    """The app as ``papergraph ui`` runs it (``ui.cli.app.app_command``), on the session's store."""
    port = arcadedb_server.free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "streamlit-offline.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(app_command(port, "127.0.0.1"), cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_until_healthy(server, url, SERVER_START_TIMEOUT_S, log_path)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def visit_every_page(page: RecordingPage, app_url: str, store) -> list[str]:
    """Every page, and on a graph with papers a paper, a concept, Explore's graph and the console's; what was opened."""
    opened = []
    for path in PAGES:
        page.open(app_url + path, graph=path == "explore" and holds_gazetteer_corpus(store))
        opened.append(path or "overview")
    if not holds_gazetteer_corpus(store):
        return opened
    paper_id = store.read(f"MATCH (p:{Label.PAPER})-[:{Rel.MENTIONS}]->() RETURN p.id AS id LIMIT 1")[0]["id"]
    page.open(app_url + f"paper?id={paper_id}")
    page.open(app_url + "concept?id=dataset:imagenet")
    page.open(app_url + f"explore?label={Label.DATASET}&id=dataset:imagenet", graph=True)
    page.open(app_url + "console")
    page.page.get_by_role("textbox", name="Cypher", exact=True).fill(
        f"MATCH (p:{Label.PAPER})-[r:{Rel.MENTIONS}]->(c) RETURN p, r, c LIMIT 20"
    )
    page.page.get_by_role("button", name="Run").click()
    page.page.get_by_text("20 row(s) in").wait_for()
    page.page.get_by_role("tab", name="Graph").click()
    page.drawn()
    page.settle()
    return [*opened, "paper", "concept", "explore's graph", "the console's graph"]


def test_no_page_asks_a_server_off_the_machine_on_an_empty_graph(browser, app_url, store):
    page = RecordingPage(browser)
    opened = visit_every_page(page, app_url, store)
    assert len(opened) == len(PAGES)
    assert page.off_machine == [], f"requests off the machine: {page.off_machine}"
    assert page.failed == [], f"failed requests: {page.failed}"
    page.page.close()


def test_no_page_asks_a_server_off_the_machine_on_the_sample_corpus(browser, app_url, session_store):
    if not holds_gazetteer_corpus(session_store):
        load_corpus_with_gazetteer(session_store)
    page = RecordingPage(browser)
    opened = visit_every_page(page, app_url, session_store)
    assert "the console's graph" in opened
    assert page.off_machine == [], f"requests off the machine: {page.off_machine}"
    assert page.failed == [], f"failed requests: {page.failed}"
    # The tab's icon is the app's own, inlined: no address to fetch it from.
    icon = page.page.locator("link[rel='shortcut icon']").get_attribute("href")
    assert icon.startswith("data:image/svg+xml"), icon
    page.page.close()
