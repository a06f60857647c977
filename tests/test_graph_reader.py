"""``analysis.graph_reader.read_graph`` reads, in pages, exactly what one plain query per label and per
relationship type reads: the same nodes with the same name and text, the same edges, in the same order."""

from __future__ import annotations

from analysis.graph_reader import DEFAULT_LABELS, DEFAULT_RELATIONS, GraphSnapshot, read_graph, undirected_graph
from graph_schema.schema import Label, Rel


def _plain_read(store, labels=DEFAULT_LABELS, relations=DEFAULT_RELATIONS) -> GraphSnapshot:
    """What read_graph is meant to give, read the straightforward way: one unpaged query per label and
    per relationship type, in the order the store gives (nodes by id; edges by source id, target id,
    then elementId: the order read_graph has always had)."""
    snapshot = GraphSnapshot()
    for label in labels:
        name = "n.title" if label == Label.PAPER else "n.name"
        text = "n.title + ' ' + n.abstract" if label == Label.PAPER else "n.name"
        for row in store.read(f"MATCH (n:{label}) RETURN n.id AS id, {name} AS name, {text} AS text ORDER BY n.id"):
            snapshot.nodes[(label.value, row["id"])] = {"name": row["name"], "text": row["text"]}
    wanted = {label.value for label in labels}
    for rel in relations:
        rows = store.read(
            f"""MATCH (a)-[r:{rel}]->(b) RETURN labels(a)[0] AS a_label, a.id AS a, labels(b)[0] AS b_label, b.id AS b
            ORDER BY a, b, elementId(r)"""
        )
        snapshot.edges += [
            ((row["a_label"], row["a"]), rel.value, (row["b_label"], row["b"]))
            for row in rows
            if row["a_label"] in wanted and row["b_label"] in wanted
        ]
    return snapshot


def _assert_same(read: GraphSnapshot, expected: GraphSnapshot) -> None:
    assert list(read.nodes.items()) == list(expected.nodes.items())  # keys, order, name and text
    assert read.edges == expected.edges
    graph, expected_graph = undirected_graph(read), undirected_graph(expected)
    assert list(graph.edges(data=True)) == list(expected_graph.edges(data=True))  # weights, types, order
    assert all(list(graph.adj[node]) == list(expected_graph.adj[node]) for node in expected_graph)


def test_read_graph_gives_what_one_plain_query_per_label_and_type_gives(concept_store):
    expected = _plain_read(concept_store)
    mentions = sum(rel == Rel.MENTIONS for _, rel, _ in expected.edges)
    assert len(expected.nodes) > 300 and mentions > 500 and len(expected.edges) > mentions  # concept relations too
    _assert_same(read_graph(concept_store), expected)
    _assert_same(read_graph(concept_store, page_size=7), expected)  # dozens of pages per label


def _create(store, label: Label, rows: list[dict]) -> None:
    store.write_rows(f"UNWIND $rows AS row CREATE (n:{label}) SET n = row", rows)


def _link(store, source: Label, rel: Rel, target: Label, pairs: list[tuple[str, str]]) -> None:
    store.write_rows(
        f"UNWIND $rows AS row MATCH (a:{source} {{id: row.a}}), (b:{target} {{id: row.b}}) CREATE (a)-[:{rel}]->(b)",
        [{"a": a, "b": b} for a, b in pairs],
    )


def test_read_graph_keeps_the_stores_order_for_any_ids_and_page_boundary(store):
    """Ids beyond ASCII (an astral character, a private-use one), one id under two labels (so edges tie
    on their ids and elementId decides), repeated facts, a self-loop, a node without facts, targets
    outside the labels read, and a label exactly one page long."""
    shared, astral, private = "shared", "\U0001d431former", "\ue000net"
    _create(
        store, Label.PAPER, [{"id": i, "title": f"Title {i}", "abstract": "An abstract."} for i in ("p2", "P1", "é")]
    )
    _create(store, Label.METHOD, [{"id": i, "name": f"method {i}"} for i in (shared, astral, private, "Zeta", "ZETA")])
    _create(
        store, Label.TASK, [{"id": i, "name": f"task {i}"} for i in (shared, "α-task")]
    )  # page_size 2: one full page
    _create(store, Label.METRIC, [{"id": "lonely", "name": "lonely"}])
    _create(store, Label.CLAIM, [{"id": "c1"}])
    _link(store, Label.PAPER, Rel.MENTIONS, Label.TASK, [("P1", shared), ("é", "α-task"), ("p2", shared)])
    _link(
        store, Label.PAPER, Rel.MENTIONS, Label.METHOD, [("P1", shared), ("p2", astral), ("p2", astral), ("é", private)]
    )
    _link(store, Label.PAPER, Rel.MENTIONS, Label.CLAIM, [("P1", "c1")])
    _link(store, Label.TASK, Rel.USED_FOR, Label.METHOD, [(shared, shared), ("α-task", "Zeta")])
    _link(store, Label.METHOD, Rel.USED_FOR, Label.TASK, [(shared, shared), (astral, "α-task"), (private, shared)])
    _link(store, Label.METHOD, Rel.USED_FOR, Label.METHOD, [("ZETA", "ZETA"), ("Zeta", astral), (private, "ZETA")])
    _link(store, Label.METHOD, Rel.COMPARED_WITH, Label.METHOD, [(astral, private), (private, astral)])
    _link(store, Label.CLAIM, Rel.ABOUT, Label.METHOD, [("c1", shared)])

    expected = _plain_read(store)
    assert len(expected.nodes) == 11 and len(expected.edges) == 17
    for page_size in (1, 2, 3, 5000):
        _assert_same(read_graph(store, page_size=page_size), expected)
    chosen = {"labels": (Label.TASK, Label.METHOD, Label.CLAIM), "relations": (Rel.ABOUT, Rel.USED_FOR, Rel.MENTIONS)}
    _assert_same(read_graph(store, page_size=2, **chosen), _plain_read(store, **chosen))
