"""App benchmarks in headless Chromium, in a throw-away PAPERGRAPH_HOME.

    .venv/bin/python bench/bench_ui.py [--repeats 2] [--dated-papers 100000] [--skip-sample]

* every page's first visit: a fresh browser load of the page, from the request until the script
  has finished and the page is drawn (Explore: until its graph is laid out), first visit in a
  freshly started app (after one load of the Overview) and the median of the visits after it.
  The Paper and Concept pages are measured with an ``?id=`` (the paper with most mentions, the
  concept in most papers) and without (their lists), Explore with that concept in the address
  and without (its start).  Each load is split where the time goes: the browser starting the
  app's page (request until its websocket opens), the script (until the server's last message
  of the run) and drawing (until drawn);
* each in two states: ``idle`` (the app alone, as ``papergraph ui`` serves it) and ``busy``
  (``papergraph ui --refresh-links`` on a graph whose statistics are outdated, so that the graph
  statistics and then the link refresh run beside the app, at their lower priority); every load
  records how many of those background jobs were running;
* on the sample corpus, ingested with the trained extractor when there is one, else with the
  tests' word-list stand-in (``tests.support.GazetteerExtractor``); with ``--dated-papers N``
  also on a synthetic dated graph of N papers written straight to the store (2019-2024, 5,000
  concepts mentioned with Zipf frequencies, about 10 a paper, a third of them twice), its
  per-period counts then made as an ingest makes them (``analysis.aggregates``, timed);
* on the sample corpus, a 500-node neighbourhood on Explore (request until vis-network has
  drawn it, and how long a drag then takes to draw), and each page's script alone (AppTest).

Every request the browser makes off the machine is refused and counted (``requests_off_machine``).
Writes ``bench/results/ui.json``.  Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # No host but the loopback one resolves: a request off the machine fails at once, in the browser.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]  # fmt: skip
RENDERED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Checked at every animation frame: Playwright's own waits poll at up to 500 ms.
DRAWN = """([rendered, graph]) => {
    if (!document.querySelector(rendered) || !document.querySelector("h1")) return false;
    if (!graph) return true;
    const frame = document.querySelector("iframe");
    return !!(frame && frame.contentDocument && frame.contentDocument.body
              && frame.contentDocument.body.hasAttribute("data-drawn"));
}"""
GRAPH_NODES = 500
DATED_CONCEPTS = 5000
DATED_YEARS = range(2019, 2025)
MENTIONS_PER_PAPER = 10
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
BACKGROUND_WAIT_S = 120  # for a background job of `papergraph ui` to start


def load_sample_corpus(store) -> str:
    """Ingest data/corpus as `papergraph ingest` does; returns which extractor made the concept layer."""
    from ui.ingest_job import ingest_and_update_statistics
    from ui.models_status import extractor_manifest

    manifest = extractor_manifest()
    if manifest is not None:
        ingest_and_update_statistics(store, [REPO / "data" / "corpus"])
        return f"trained extractor {manifest.get('version')}"
    from tests.support import GazetteerExtractor

    store.wipe()
    ingest_and_update_statistics(store, [REPO / "data" / "corpus"], extractor=GazetteerExtractor())
    return f"word-list stand-in ({GazetteerExtractor.version}); no trained extractor yet"


def load_dated_graph(store, papers: int, seed: int = 0) -> dict[str, int]:
    """Replace the store's graph with a synthetic dated one (see the module's docstring)."""
    from graph_schema.schema import CONCEPT_LABELS, Label, Rel

    rng = random.Random(seed)
    store.wipe()
    concepts = [(CONCEPT_LABELS[i % len(CONCEPT_LABELS)], f"concept-{i}") for i in range(DATED_CONCEPTS)]
    weights = [1 / (rank + 1) for rank in range(DATED_CONCEPTS)]
    years = list(DATED_YEARS)
    paper_rows, mentions = [], {label: [] for label in CONCEPT_LABELS}
    paper_count: dict[str, int] = {}
    mention_count: dict[str, int] = {}
    for index in range(papers):
        year = years[index * len(years) // papers]
        paper_id = f"p-bench-{index}"
        paper_rows.append(
            {
                "id": paper_id,
                "title": f"Synthetic paper {index}",
                "abstract": "A synthetic abstract. " * 40,
                "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "year": year,
            }
        )
        for concept in set(rng.choices(range(DATED_CONCEPTS), weights=weights, k=MENTIONS_PER_PAPER)):
            label, concept_id = concepts[concept]
            times = 2 if rng.random() < 1 / 3 else 1
            mentions[label] += [{"paper": paper_id, "concept": concept_id}] * times
            paper_count[concept_id] = paper_count.get(concept_id, 0) + 1
            mention_count[concept_id] = mention_count.get(concept_id, 0) + times
    store.write_rows(
        f"""UNWIND $rows AS row CREATE (p:{Label.PAPER} {{id: row.id}})
        SET p.title = row.title, p.abstract = row.abstract, p.date = row.date, p.year = row.year""",
        paper_rows,
    )
    for label in CONCEPT_LABELS:
        store.write_rows(
            f"""UNWIND $rows AS row CREATE (c:{label} {{id: row.id}})
            SET c.name = row.id, c.paper_count = row.papers, c.mention_count = row.mentions""",
            [
                {
                    "id": concept_id,
                    "papers": paper_count.get(concept_id, 0),
                    "mentions": mention_count.get(concept_id, 0),
                }
                for of_label, concept_id in concepts
                if of_label == label
            ],
        )
        store.write_rows(
            f"""UNWIND $rows AS row MATCH (p:{Label.PAPER} {{id: row.paper}}) MATCH (c:{label} {{id: row.concept}})
            CREATE (p)-[:{Rel.MENTIONS} {{confidence: 0.9}}]->(c)""",
            mentions[label],
        )
    counts = store.counts()
    return {"papers": papers, "nodes": counts.total_nodes, "relationships": counts.total_relationships}


def pages_to_visit(store) -> dict[str, tuple[str, dict[str, str]]]:
    """Each measured page -> (its address, its query parameters)."""
    from analysis.details import concept_list
    from graph_schema.schema import Label, Rel

    hub = concept_list(store, limit=1).rows[0]
    paper = store.read(
        f"""MATCH (c:{hub["label"]} {{id: $id}})<-[:{Rel.MENTIONS}]-(p:{Label.PAPER})
        WITH DISTINCT p LIMIT 2000
        RETURN p.id AS id, COUNT {{ (p)-[:{Rel.MENTIONS}]->() }} AS n ORDER BY n DESC, id LIMIT 1""",
        id=hub["id"],
    )[0]
    pages = {
        "overview": ("", {}),
        "explore": ("explore", {"label": hub["label"], "id": hub["id"]}),
        "explore_start": ("explore", {}),
        "trends": ("trends", {}),
        "paper": ("paper", {"id": paper["id"]}),
        "paper_list": ("paper", {}),
        "concept": ("concept", {"id": hub["id"]}),
        "concept_list": ("concept", {}),
        "console": ("console", {}),
        "link_prediction": ("link_prediction", {}),
        "data": ("data", {}),
    }
    if (REPO / "ui" / "pages" / "results.py").exists():
        pages["results"] = ("results", {})
    return pages


def wait_for_health(app: subprocess.Popen, port: int, log_path: Path) -> None:
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            if app.poll() is not None:
                break
            time.sleep(0.3)
    app.kill()
    raise SystemExit(f"the app did not start; see {log_path}")


def start_app(port: int, log_path: Path, busy: bool) -> subprocess.Popen:
    """Idle: the app's Streamlit server as ``papergraph ui`` runs it, alone.  Busy: ``papergraph ui
    --refresh-links`` itself, with its background jobs."""
    from ui.cli.app import app_command

    command = (
        [sys.executable, "-m", "ui.cli", "ui", "--port", str(port), "--refresh-links"]
        if busy
        else app_command(port, "127.0.0.1")
    )
    app = subprocess.Popen(
        command, cwd=REPO, env=os.environ.copy(), stdout=log_path.open("w"), stderr=subprocess.STDOUT
    )
    wait_for_health(app, port, log_path)
    return app


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[-1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def background_jobs(app: subprocess.Popen, busy: bool) -> list[str]:
    """The background jobs of ``papergraph ui`` running now (its children beside Streamlit)."""
    if not busy:
        return []
    jobs = []
    for child in children_of(app.pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [part.decode() for part in command if part]
        if "streamlit" not in words:
            jobs.append(" ".join(words[2:4]))
    return jobs


def stop_app(app: subprocess.Popen) -> None:
    app.send_signal(signal.SIGTERM)
    try:
        app.wait(timeout=30)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait()


class Browser:
    """A Chromium page that times page loads and records every request off the machine (which
    ``CHROMIUM_FLAGS`` make fail; intercepting every request in Playwright would slow each load)."""

    def __init__(self, chromium):
        self.page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        self.off_machine: list[str] = []
        self.frames: list[float] = []
        self.opened: list[float] = []
        self.page.on("request", self._request)
        self.page.on("websocket", self._websocket)

    def _request(self, request) -> None:
        if urlparse(request.url).scheme in ("http", "https", "ws", "wss") and (
            urlparse(request.url).hostname not in LOOPBACK
        ):
            self.off_machine.append(request.url)

    def _websocket(self, socket) -> None:
        self.opened.append(time.perf_counter())
        socket.on("framereceived", lambda _: self.frames.append(time.perf_counter()))

    def load(self, url: str, graph: bool) -> dict[str, float]:
        """Load ``url`` until drawn: seconds in all, and where they went."""
        self.frames.clear()
        self.opened.clear()
        started = time.perf_counter()
        self.page.goto(url)
        self.page.wait_for_function(DRAWN, arg=[RENDERED, graph], polling="raf", timeout=120_000)
        drawn = time.perf_counter()
        opened = self.opened[0] if self.opened else started
        last_message = max(self.frames, default=opened)
        return {
            "s": round(drawn - started, 3),
            "browser_start_s": round(opened - started, 3),
            "script_s": round(last_message - opened, 3),
            "draw_s": round(drawn - last_message, 3),
        }

    def drag_seconds(self) -> float:
        """A drag across the graph, until the browser has drawn the next frame."""
        frame = self.page.frame_locator("iframe").first
        box = frame.locator("canvas").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        started = time.perf_counter()
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(x + 120, y + 60, steps=6)
        self.page.mouse.up()
        self.page.frames[-1].evaluate(
            "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        return time.perf_counter() - started


def address(base: str, path: str, params: dict[str, str]) -> str:
    return base + path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def outdate_statistics(store) -> None:
    """Make the graph statistics outdated, as an ingest of new papers would: `papergraph ui` then
    computes them in the background, and refreshes the predicted links after them."""
    from analysis.graph_stats import STATS_FINGERPRINT
    from graph_schema.corpus_state import mark_written
    from graph_schema.schema import Label

    store.write(f"MATCH (p:{Label.PAPER}) WITH p LIMIT 1 SET p.{STATS_FINGERPRINT} = 'an earlier graph'")
    mark_written(store)


def measure_pages(chromium, pages: dict, repeats: int, busy: bool, store) -> dict:
    """A freshly started app (idle or busy), each page's first visit and the median of ``repeats`` more."""
    from graph_schema import arcadedb_server

    if busy:
        outdate_statistics(store)
    port = arcadedb_server.free_port()
    log = Path(os.environ["PAPERGRAPH_HOME"]) / f"streamlit-{'busy' if busy else 'idle'}.log"
    app = start_app(port, log, busy)
    try:
        if busy:
            deadline = time.monotonic() + BACKGROUND_WAIT_S
            while not background_jobs(app, busy) and time.monotonic() < deadline:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{port}/"
        browser = Browser(chromium)
        result: dict[str, object] = {
            "load_average_at_start": round(os.getloadavg()[0], 2),
            "app_first_load": browser.load(base, graph=False),
        }
        loads = {}
        for name, (path, params) in pages.items():
            visits = []
            for _ in range(repeats + 1):
                jobs = background_jobs(app, busy)
                timing = browser.load(address(base, path, params), graph=name.startswith("explore"))
                visits.append({**timing, "background_jobs": sorted(set(jobs) | set(background_jobs(app, busy)))})
            loads[name] = {
                "first_s": visits[0]["s"],
                "median_s": round(statistics.median(v["s"] for v in visits[1:]), 3) if repeats else None,
                "first": visits[0],
                "background_jobs_seen": sorted({job for visit in visits for job in visit["background_jobs"]}),
            }
        result["page_load"] = loads
        result["slowest_first_visit"] = max(loads, key=lambda name: loads[name]["first_s"])
        result["requests_off_machine"] = browser.off_machine
        browser.page.close()
        return result
    finally:
        stop_app(app)


def graph_500(chromium, pages: dict, repeats: int) -> dict:
    from graph_schema import arcadedb_server
    from graph_schema.schema import Label, Rel

    port = arcadedb_server.free_port()
    app = start_app(port, Path(os.environ["PAPERGRAPH_HOME"]) / "streamlit-graph.log", busy=False)
    try:
        base = f"http://127.0.0.1:{port}/"
        browser = Browser(chromium)
        browser.load(base, graph=False)
        params = {
            **pages["explore"][1],
            "hops": "3",
            "limit": str(GRAPH_NODES),
            "labels": ",".join(label.value for label in Label),
            "rels": ",".join(rel.value for rel in Rel),
        }
        drawn = [browser.load(address(base, "explore", params), graph=True)["s"] for _ in range(repeats)]
        summary = browser.page.get_by_text("hop(s) around").first.inner_text()
        return {
            "drawn": summary.split(":")[1].split("●")[0].strip(),
            "request_to_drawn_s": drawn,
            "median_s": round(statistics.median(drawn), 2),
            "drag_redraw_s": round(browser.drag_seconds(), 3),
        }
    finally:
        stop_app(app)


def page_script_seconds(pages: dict, runs: int = 1) -> dict[str, float | list[float]]:
    """Each page's script alone (AppTest, no browser): its first run in this process and, with
    ``runs`` above 1, the runs after it.  A page that fails stops the benchmark."""
    from streamlit.testing.v1 import AppTest

    seconds = {}
    for name, (path, params) in pages.items():
        times = []
        for _ in range(runs):
            app = AppTest.from_file(str(REPO / "ui" / "app.py"), default_timeout=120).run()
            if path:
                app.switch_page(f"pages/{path}.py")
            app.query_params.update(params)
            started = time.perf_counter()
            app.run()
            times.append(round(time.perf_counter() - started, 3))
            if app.exception or app.error:
                raise SystemExit(f"{name} failed: {[e.value for e in app.exception or app.error]}")
        seconds[name] = times[0] if runs == 1 else times
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--dated-papers", type=int, default=0, help="then every page on a synthetic dated graph")
    parser.add_argument("--skip-sample", action="store_true", help="measure the dated graph only")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs {CHROMIUM} (apt-get install chromium)")

    from graph_schema import arcadedb_server

    arcadedb_server.use_temporary_home("papergraph-bench-ui-")
    from playwright.sync_api import sync_playwright

    from analysis.aggregates import update_aggregates
    from graph_schema.settings import settings_from_env
    from graph_schema.store import Store

    settings = settings_from_env()
    arcadedb_server.start(settings)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start",
        "store": "ArcadeDB (managed)",
        "browser": "Debian chromium, headless, via Playwright",
    }
    try:
        with Store.open(settings) as store, sync_playwright() as playwright:
            store.ensure_schema()
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            if not args.skip_sample:
                results["concepts_from"] = load_sample_corpus(store)
                counts = store.counts()
                results["graph"] = {"nodes": counts.total_nodes, "relationships": counts.total_relationships}
                pages = pages_to_visit(store)
                results["sample"] = {
                    state: measure_pages(chromium, pages, args.repeats, state == "busy", store)
                    for state in ("idle", "busy")
                }
                results["graph_500"] = graph_500(chromium, pages, max(1, args.repeats))
                results["page_script_first_run_s"] = page_script_seconds(pages)
            if args.dated_papers:
                started = time.perf_counter()
                graph = load_dated_graph(store, args.dated_papers)
                graph["built_s"] = round(time.perf_counter() - started, 1)
                counted = update_aggregates(store)
                graph["aggregates_s"] = counted.seconds
                results["dated_graph"] = graph
                pages = pages_to_visit(store)
                results["dated"] = {
                    state: measure_pages(chromium, pages, args.repeats, state == "busy", store)
                    for state in ("idle", "busy")
                }
            chromium.close()
    finally:
        arcadedb_server.stop(settings)
        shutil.rmtree(settings.home, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ui.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
