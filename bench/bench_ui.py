"""App benchmarks in headless Chromium, on the sample corpus in a throw-away PAPERGRAPH_HOME.

    .venv/bin/python bench/bench_ui.py [--repeats 3] [--dated-papers 10000]

* every page's first render: a fresh browser load of the page, from the
  request until the script has finished and the page is drawn (Explore:
  until its graph is laid out), first visit in a freshly started app and the
  median of further visits; also the page script alone (AppTest).  The
  Paper and Concept pages are measured with an ``?id=`` and without (their
  lists), Explore with a centre in the address and without (its start);
* a 500-node neighbourhood on Explore: from the request until vis-network
  has stabilised and drawn it, and how long a drag then takes to draw;
* with ``--dated-papers N``: a synthetic dated graph of N papers (2019-2024,
  5,000 concepts mentioned with Zipf frequencies, about 10 a paper, a third of
  them twice) replaces the sample corpus, and the page scripts of Trends,
  Explore and the lists run on it, each first and then again.

The corpus is ingested with the trained extractor when there is one, else
with the tests' word-list stand-in (``tests.support.GazetteerExtractor``).
Writes ``bench/results/ui.json``.  Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
RENDERED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
GRAPH_NODES = 500
DATED_CONCEPTS = 5000
DATED_YEARS = range(2019, 2025)
MENTIONS_PER_PAPER = 10


def load_sample_corpus(store) -> str:
    """Ingest data/corpus; returns which extractor made the concept layer."""
    from ingest.pipeline import ingest_paths
    from ui.models_status import extractor_manifest

    manifest = extractor_manifest()
    if manifest is not None:
        ingest_paths(store, [REPO / "data" / "corpus"])
        return f"trained extractor {manifest.get('version')}"
    from tests.support import GazetteerExtractor, load_corpus_with_gazetteer

    load_corpus_with_gazetteer(store)
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
        SET p.title = row.title, p.abstract = row.abstract, p.date = row.date""",
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


def start_app(port: int, log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "ui" / "app.py"), "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    app = subprocess.Popen(
        command, cwd=REPO, env=os.environ.copy(), stdout=log_path.open("w"), stderr=subprocess.STDOUT
    )
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return app
        except OSError:
            time.sleep(0.3)
    app.kill()
    raise SystemExit(f"the app did not start; see {log_path}")


def timed_load(page, url: str, graph: bool) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(RENDERED, timeout=60_000)
    page.wait_for_selector("h1", timeout=60_000)
    if graph:
        page.frame_locator("iframe").first.locator("body[data-drawn]").wait_for(state="attached", timeout=60_000)
    return time.perf_counter() - started


def drag_seconds(page) -> float:
    """A drag across the graph, until the browser has drawn the next frame."""
    frame = page.frame_locator("iframe").first
    box = frame.locator("canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    started = time.perf_counter()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 60, steps=6)
    page.mouse.up()
    page.frames[-1].evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return time.perf_counter() - started


def page_script_seconds(page_paths: dict[str, str], runs: int = 1) -> dict[str, float | list[float]]:
    """Each page's script alone (AppTest, no browser): its first run in this process and, with
    ``runs`` above 1, the runs after it.  A page that fails stops the benchmark."""
    from streamlit.testing.v1 import AppTest

    seconds = {}
    for name, (path, params) in page_paths.items():
        times = []
        for _ in range(runs):
            app = AppTest.from_file(str(REPO / "ui" / "app.py"), default_timeout=120).run()
            if path:
                app.switch_page(path)
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
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dated-papers", type=int, default=0, help="then time Trends on a synthetic dated graph")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs {CHROMIUM} (apt-get install chromium)")

    from graph_schema import arcadedb_server

    arcadedb_server.use_temporary_home("papergraph-bench-ui-")
    from playwright.sync_api import sync_playwright

    from graph_schema.schema import Label, Rel
    from graph_schema.settings import settings_from_env
    from graph_schema.store import Store

    settings = settings_from_env()
    arcadedb_server.start(settings)
    app = None
    try:
        with Store.open(settings) as store:
            store.ensure_schema()
            extraction = load_sample_corpus(store)
            counts = store.counts()
            hub = store.read(
                f"""MATCH (p:{Label.PAPER})-[m]->(c) WHERE NOT c:{Label.SOURCE} AND NOT c:{Label.CLAIM}
                RETURN labels(c)[0] AS label, c.id AS id, count(m) AS n ORDER BY n DESC LIMIT 1"""
            )[0]
            paper = store.read(
                f"MATCH (p:{Label.PAPER})-[m]->() RETURN p.id AS id, count(m) AS n ORDER BY n DESC LIMIT 1"
            )[0]
        centre = f"label={hub['label']}&id={hub['id']}"
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
        port = arcadedb_server.free_port()
        app = start_app(port, Path(os.environ["PAPERGRAPH_HOME"]) / "streamlit.log")
        base = f"http://127.0.0.1:{port}/"
        results: dict[str, object] = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start",
            "store": "ArcadeDB (managed)",
            "graph": {"nodes": counts.total_nodes, "relationships": counts.total_relationships},
            "concepts_from": extraction,
            "browser": "Debian chromium, headless, via Playwright",
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            results["app_first_load_s"] = round(timed_load(page, base, graph=False), 2)
            page_loads = {}
            for name, (path, params) in pages.items():
                url = base + path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
                times = [timed_load(page, url, graph=name.startswith("explore")) for _ in range(args.repeats + 1)]
                page_loads[name] = {"first_s": round(times[0], 2), "median_s": round(statistics.median(times[1:]), 2)}
            results["page_load"] = page_loads

            every_label = ",".join(label.value for label in Label)
            every_type = ",".join(rel.value for rel in Rel)
            big = f"{base}explore?{centre}&hops=3&limit={GRAPH_NODES}&labels={every_label}&rels={every_type}"
            drawn = [timed_load(page, big, graph=True) for _ in range(args.repeats)]
            summary = page.get_by_text("hop(s) around").first.inner_text()
            results["graph_500"] = {
                "drawn": summary.split(":")[1].split("●")[0].strip(),
                "request_to_drawn_s": [round(t, 2) for t in drawn],
                "median_s": round(statistics.median(drawn), 2),
                "drag_redraw_s": round(drag_seconds(page), 3),
            }
            browser.close()
        results["page_script_first_run_s"] = page_script_seconds(
            {name: (f"pages/{path}.py" if path else "", params) for name, (path, params) in pages.items()}
        )
        if args.dated_papers:
            with Store.open(settings) as store:
                started = time.perf_counter()
                graph = load_dated_graph(store, args.dated_papers)
                graph["built_s"] = round(time.perf_counter() - started, 1)
            results["dated_graph"] = graph
            dated_pages = {
                name: (f"pages/{pages[name][0]}.py", {})
                for name in ("trends", "explore_start", "paper_list", "concept_list")
            }
            results["dated_graph_page_script_s"] = page_script_seconds(dated_pages, runs=1 + args.repeats)
    finally:
        if app is not None:
            app.terminate()
            app.wait(timeout=10)
        arcadedb_server.stop(settings)
        shutil.rmtree(settings.home, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ui.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
