"""The store layer against the real ArcadeDB Bolt server of the test session."""

from __future__ import annotations

import json

import pytest

from graph_schema import arcadedb_server
from graph_schema.query_console import QueryRefused, QueryTimeout, check_read_only, run_read_query
from graph_schema.schema import Label, Rel
from ingest.pipeline import ingest_paths
from tests.support import CORPUS


def test_server_reports_neo4j_compatibility_and_holds_its_lock(store, server_settings):
    assert "Neo4j/5" in store.server_agent()
    current = arcadedb_server.status(server_settings)
    assert current.running and current.pid
    # A second server on the same data directory must refuse to start.
    code = arcadedb_server.serve(server_settings.home, arcadedb_server.free_port(), server_settings.database)
    assert code == 3


def test_uniqueness_constraint_is_enforced(store):
    store.write(f"CREATE (:{Label.METHOD} {{id: 'method:x', name: 'x'}})")
    with pytest.raises(Exception, match="(?i)duplicat|constraint|already exists"):
        store.write(f"CREATE (:{Label.METHOD} {{id: 'method:x', name: 'y'}})")


def test_write_rows_batches_and_merges(store):
    rows = [{"id": f"n{i}", "name": f"name {i}"} for i in range(2500)]
    query = f"UNWIND $rows AS row MERGE (m:{Label.METHOD} {{id: row.id}}) SET m.name = row.name"
    assert store.write_rows(query, rows, batch_size=1000) == 2500
    store.write_rows(query, rows, batch_size=700)
    assert store.counts().nodes[Label.METHOD.value] == 2500
    pages = list(
        store.read_pages(
            f"MATCH (m:{Label.METHOD}) RETURN m.id AS id ORDER BY id SKIP $skip LIMIT $limit", page_size=1000
        )
    )
    assert [len(p) for p in pages] == [1000, 1000, 500]


def test_ingest_twice_changes_no_count(store):
    first = ingest_paths(store, [CORPUS], extract=False)
    counts = store.counts()
    assert first.papers_new == 286 and counts.nodes["Paper"] == 286 and counts.nodes["Source"] == 4
    assert counts.relationships[Rel.LISTED_IN.value] == 343
    second = ingest_paths(store, [CORPUS], extract=False)
    assert (second.papers_new, second.papers_updated, second.papers_unchanged) == (0, 0, 286)
    assert store.counts() == counts


def test_an_updated_abstract_is_updated_not_duplicated(store, tmp_path):
    listing = tmp_path / "one.txt"
    listing.write_text("A Title\nWe present a method and show it beats prior work on benchmarks.\n")
    ingest_paths(store, [listing], extract=False)
    listing.write_text("A Title\nWe present a better method and show it beats prior work on benchmarks.\n")
    summary = ingest_paths(store, [listing], extract=False)
    assert summary.papers_updated == 1 and store.counts().nodes["Paper"] == 1
    assert "better" in store.read(f"MATCH (p:{Label.PAPER}) RETURN p.abstract AS a")[0]["a"]


def test_reingest_into_an_emptied_store_takes_extractions_from_the_cache(store, tmp_path, monkeypatch):
    import ingest.extract

    listing = tmp_path / "one.txt"
    listing.write_text("A Title\nWe propose a graph neural network for link prediction on citation graphs.\n")
    first = ingest_paths(store, [listing])
    counts = store.counts()
    assert first.papers_extracted == 1 and counts.relationships[Rel.MENTIONS.value] > 0

    def no_model(*args):
        raise AssertionError("the model was loaded although every extraction was cached")

    monkeypatch.setattr(ingest.extract, "_load_model", no_model)
    store.wipe()
    second = ingest_paths(store, [listing])
    assert second.papers_extracted == 1 and store.counts() == counts


def test_bad_input_leaves_the_store_untouched(corpus_store, tmp_path):
    from ingest.readers import InputError

    before = corpus_store.counts()
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    with pytest.raises(InputError):
        ingest_paths(corpus_store, [tmp_path / "bad.jsonl"])
    assert corpus_store.counts() == before


def test_fulltext_search_finds_papers(corpus_store):
    from graph_schema.dialect import fulltext_search_query

    query, index = fulltext_search_query(corpus_store.kind, Label.PAPER, "search_text")
    rows = corpus_store.read(query + " LIMIT 5", index=index, text="hypernetworks")
    assert rows and any("hypernetwork" in r["node"]["title"].lower() for r in rows)


# -- the read-only console -------------------------------------------------------

WRITES = [
    "CREATE (n:Paper {id: 'x'})",
    "MATCH (n) DETACH DELETE n",
    "MATCH (p:Paper) SET p.title = 'x'",
    "MERGE (n:Method {id: 'm'})",
    "MATCH (p) REMOVE p.title",
    "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "DROP CONSTRAINT paper_id_unique",
    "match (n) foreach (x in [1] | create (:X))",
]


@pytest.mark.parametrize("cypher", WRITES)
def test_writing_queries_are_refused(cypher):
    with pytest.raises(QueryRefused):
        check_read_only(cypher)


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (p:Paper) WHERE p.title CONTAINS 'CREATE' RETURN p",  # keyword inside a string
        "MATCH (p:Paper) WHERE p.title STARTS WITH 'Graph' RETURN p.title // DELETE everything",
        "CALL db.labels() YIELD label RETURN label",
        "MATCH (d:Dataset) RETURN d.created_at",
    ],
)
def test_reading_queries_pass(cypher):
    check_read_only(cypher)


def test_console_returns_rows_and_caps_them(corpus_store):
    result = run_read_query(corpus_store, "MATCH (p:Paper) RETURN p.title AS title ORDER BY title", row_cap=10)
    assert len(result.rows) == 10 and result.truncated and result.columns == ["title"]
    json.dumps(result.rows)
    full = run_read_query(corpus_store, "MATCH (p:Paper) RETURN count(p) AS n")
    assert full.rows == [{"n": 286}] and not full.truncated


def test_console_nodes_become_plain_maps(corpus_store):
    result = run_read_query(corpus_store, "MATCH (p:Paper)-[r:LISTED_IN]->(s:Source) RETURN p, r, s LIMIT 1")
    row = result.rows[0]
    assert row["p"]["_labels"] == ["Paper"] and row["r"]["_type"] == "LISTED_IN" and "name" in row["s"]


def test_console_time_limit(corpus_store):
    # About 5 s of work on ArcadeDB, which keeps running it after the client gives up.
    slow = "UNWIND range(1, 6000000) AS i WITH i WHERE i % 7 = 99 RETURN count(i) AS n"
    with pytest.raises(QueryTimeout, match="time limit of 1 s"):
        run_read_query(corpus_store, slow, timeout_s=1)


def test_a_file_read_again_writes_its_links_only_when_they_would_differ(store, tmp_path):
    records = [
        {"id": f"2101.0000{i}", "title": f"Paper {i}", "abstract": f"Abstract {i}.", "categories": category}
        for i, category in enumerate(["cs.LG", "hep-ph", "cs.LG stat.ML"])
    ]
    path = tmp_path / "arxiv.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))

    def listed() -> int:
        return store.counts().relationships.get(Rel.LISTED_IN.value, 0)

    ingest_paths(store, [path], extract=False, categories=["cs.LG"])
    assert listed() == 2
    ingest_paths(store, [path], extract=False)  # the same file, other rows: every paper it gives is listed
    assert listed() == 3
    store.write(f"MATCH (:{Label.PAPER} {{id: $id}})-[r:{Rel.LISTED_IN}]->() DELETE r", id=records_paper_id(store))
    ingest_paths(store, [path], extract=False)  # nothing differs from what was written: nothing is written
    assert listed() == 2


def records_paper_id(store) -> str:
    return store.read(f"MATCH (p:{Label.PAPER}) RETURN p.id AS id ORDER BY id LIMIT 1")[0]["id"]


def test_a_process_at_lower_priority_pauses_after_each_page_it_reads(store, monkeypatch):
    """A background job's store reads leave the store free half the time, page by page: after
    each full page it waits as long as the store took to answer it, and never after the last."""
    import subprocess
    import sys

    from graph_schema import store as store_module

    store.write_rows(
        f"UNWIND $rows AS row CREATE (:{Label.PAPER} {{id: row.id}})", [{"id": f"p-{i:03d}"} for i in range(25)]
    )
    pauses: list[float] = []
    monkeypatch.setattr(store_module, "leave_the_store_free", pauses.append)

    monkeypatch.setattr(store_module, "running_in_background", lambda: False)
    assert sum(len(page) for page in store.read_pages_by_id(Label.PAPER, "RETURN n.id AS id", page_size=10)) == 25
    assert pauses == []

    monkeypatch.setattr(store_module, "running_in_background", lambda: True)
    pages = list(store.read_pages_by_id(Label.PAPER, "RETURN n.id AS id", page_size=10))
    assert [len(page) for page in pages] == [10, 10, 5]
    assert len(pauses) == 2 and all(0 < pause < 30 for pause in pauses)

    def background_in(niceness: int) -> str:
        code = "from graph_schema.store import running_in_background as r; print(r())"
        command = (
            ["nice", "-n", str(niceness), sys.executable, "-c", code] if niceness else [sys.executable, "-c", code]
        )
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    assert background_in(0) == "False"
    assert background_in(10) == "True"
