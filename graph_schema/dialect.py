"""The one small place for Cypher that differs between ArcadeDB and Neo4j 5.

Everything else in papergraph writes Cypher both stores run unchanged.  What
differs, as measured (see ../shared/FACTS.md):

* full-text indexes: Neo4j creates them in Cypher (``CREATE FULLTEXT INDEX``);
  ArcadeDB cannot, so its managed server creates them in ArcadeDB SQL at
  start-up, and the Cypher procedure that queries one names it ``Label[prop]``;
* transaction time limits: Neo4j enforces the Bolt transaction timeout on the
  server; ArcadeDB ignores it, so the client enforces it as well
  (``graph_schema.query_console``).
"""

from __future__ import annotations

from graph_schema.schema import FULLTEXT_INDEXES, LOOKUP_INDEXES, UNIQUE_IDS, Index, Label
from graph_schema.settings import ARCADEDB


def _constraint_name(index: Index) -> str:
    return f"{str(index.label).lower()}_{index.prop}_unique"


def _index_name(index: Index) -> str:
    return f"{str(index.label).lower()}_{index.prop}"


def fulltext_index_name(kind: str, label: Label, prop: str) -> str:
    if kind == ARCADEDB:
        return f"{label.value}[{prop}]"
    return f"{label.value.lower()}_{prop}_fulltext"


def schema_statements(kind: str) -> list[str]:
    """Cypher that creates papergraph's constraints and indexes, idempotently."""
    statements = [
        f"CREATE CONSTRAINT {_constraint_name(i)} IF NOT EXISTS FOR (n:{i.label}) REQUIRE n.{i.prop} IS UNIQUE"
        for i in UNIQUE_IDS
    ]
    statements += [
        f"CREATE INDEX {_index_name(i)} IF NOT EXISTS FOR (n:{i.label.value}) ON (n.{i.prop})" for i in LOOKUP_INDEXES
    ]
    if kind != ARCADEDB:
        statements += [
            f"CREATE FULLTEXT INDEX {fulltext_index_name(kind, i.label, i.prop)} IF NOT EXISTS "
            f"FOR (n:{i.label.value}) ON EACH [n.{i.prop}]"
            for i in FULLTEXT_INDEXES
        ]
    return statements


def arcadedb_server_sql() -> list[str]:
    """ArcadeDB SQL the managed server runs at start-up: the full-text indexes
    that its Cypher cannot create.  Each is idempotent."""
    statements: list[str] = []
    for label in {i.label for i in FULLTEXT_INDEXES}:
        statements.append(f"CREATE VERTEX TYPE {label.value} IF NOT EXISTS")
    for i in FULLTEXT_INDEXES:
        statements.append(f"CREATE PROPERTY {i.label.value}.{i.prop} IF NOT EXISTS STRING")
        statements.append(f"CREATE INDEX IF NOT EXISTS ON {i.label.value} ({i.prop}) FULL_TEXT")
    return statements


def fulltext_search_query(kind: str, label: Label, prop: str) -> tuple[str, str]:
    """A read query returning ``node, score`` for ``$text`` over one
    full-text index, and the index name to pass as ``$index``."""
    query = "CALL db.index.fulltext.queryNodes($index, $text) YIELD node, score RETURN node, score"
    return query, fulltext_index_name(kind, label, prop)
