"""The ``papergraph`` command line, end to end, in a subprocess against the session's server."""

from __future__ import annotations

import csv
import io
import json

from tests.support import CORPUS, run_cli


def test_ingest_query_stats_and_reingest(store):
    first = run_cli("ingest", "--quiet", str(CORPUS), check=True)
    assert "286 paper(s) — 286 new, 0 updated, 0 unchanged" in first.stdout
    counted = run_cli("query", "MATCH (p:Paper) RETURN count(p) AS n", "--format", "json", check=True)
    assert json.loads(counted.stdout) == [{"n": 286}]
    before = run_cli("stats", "--json", check=True)
    again = run_cli("ingest", "--quiet", str(CORPUS), check=True)
    assert "0 new, 0 updated, 286 unchanged" in again.stdout and "(+0)" in again.stdout
    after = run_cli("stats", "--json", check=True)
    assert json.loads(before.stdout) == json.loads(after.stdout)
    stats = json.loads(after.stdout)
    assert stats["papers"] == 286 and stats["nodes"]["Source"] == 4


def test_query_formats_and_parameters(corpus_store):
    as_csv = run_cli("query", "MATCH (s:Source) RETURN s.name AS name ORDER BY name", "--format", "csv", check=True)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["name"][:3] for r in rows] == ["000", "001", "002", "003"]
    table = run_cli(
        "query",
        "MATCH (p:Paper) WHERE p.title = $t RETURN p.title AS title",
        "--param",
        "t=Network In Network",
        check=True,
    )
    assert "Network In Network" in table.stdout
    capped = run_cli("query", "MATCH (p:Paper) RETURN p.id AS id", "--format", "json", "--max-rows", "5", check=True)
    assert len(json.loads(capped.stdout)) == 5 and "row cap of 5" in capped.stderr


def test_query_refuses_writes_with_a_clear_message(corpus_store):
    refused = run_cli("query", "MATCH (p:Paper) DETACH DELETE p")
    assert refused.returncode != 0
    assert "read-only console" in refused.stderr and "Traceback" not in refused.stderr
    assert corpus_store.counts().nodes["Paper"] == 286


def test_query_errors_and_time_limit_are_readable(corpus_store):
    broken = run_cli("query", "MATCH (p:Paper RETURN p")
    assert broken.returncode != 0 and "Error:" in broken.stderr and "Traceback" not in broken.stderr
    slow = run_cli(
        "query", "UNWIND range(1, 6000000) AS i WITH i WHERE i % 7 = 99 RETURN count(i) AS n", "--timeout", "0.5"
    )
    assert slow.returncode != 0 and "time limit of 0.5 s" in slow.stderr


def test_ingest_bad_input_exits_non_zero_and_names_the_file(corpus_store, tmp_path):
    before = corpus_store.counts()
    cases = {
        "missing": (tmp_path / "missing.txt", "no such file"),
        "empty": (tmp_path / "empty.txt", "file is empty"),
        "csv": (tmp_path / "cols.csv", "lacks the column(s)"),
    }
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "cols.csv").write_text("name\nx\n")
    for path, message in cases.values():
        result = run_cli("ingest", "--quiet", str(path))
        assert result.returncode != 0, path
        assert path.name in result.stderr and message in result.stderr and "Traceback" not in result.stderr
    assert corpus_store.counts() == before


def test_partly_bad_input_warns_with_file_and_line(store, tmp_path):
    good = json.dumps({"title": "A Title", "abstract": "An abstract."})
    (tmp_path / "mixed.jsonl").write_text(f"{good}\nnot json\n")
    result = run_cli("ingest", "--quiet", str(tmp_path / "mixed.jsonl"), check=True)
    assert "mixed.jsonl:2: not JSON" in result.stderr and "1 new" in result.stdout


def test_store_status(corpus_store):
    result = run_cli("store", "status", check=True)
    assert "state: running" in result.stdout and "Neo4j/5" in result.stdout and "286" not in result.stderr


def test_ingest_says_in_one_line_when_the_store_cannot_be_reached(monkeypatch):
    from graph_schema.arcadedb_server import free_port

    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")  # nothing listens there
    result = run_cli("ingest", "--quiet", str(CORPUS))
    assert result.returncode != 0
    assert "cannot reach the store" in result.stderr and "Traceback" not in result.stderr, result.stderr
