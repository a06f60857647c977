"""Read-only Cypher for people: the CLI's ``papergraph query`` and the app's console.

A user's query is kept read-only three ways: it is refused before it runs if
it contains a writing clause or a procedure outside a small allow-list; it
runs in a READ session; and its transaction is always rolled back.  A time
limit and a row cap keep any query from hanging the caller.  Neo4j enforces
the time limit on the server too; ArcadeDB ignores the Bolt transaction
timeout, so there the client stops waiting and reports it.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j.graph import Node, Path, Relationship
from neo4j.time import Date, DateTime, Duration, Time

from graph_schema.errors import PapergraphError
from graph_schema.store import Store

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ROW_CAP = 1000

_WRITING_CLAUSES = ("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH", "LOAD", "ALTER", "RENAME", "GRANT", "DENY", "REVOKE", "START", "STOP", "TERMINATE")  # fmt: skip
READ_PROCEDURES = {
    "db.labels",
    "db.relationshiptypes",
    "db.propertykeys",
    "db.schema.visualization",
    "db.schema.nodetypeproperties",
    "db.schema.reltypeproperties",
    "db.index.fulltext.querynodes",
    "db.index.fulltext.queryrelationships",
    "dbms.components",
}
_STRING_OR_COMMENT = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_PROCEDURE_CALL = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)\s*\(", re.I)
_SUBQUERY_IN_TRANSACTIONS = re.compile(r"\bIN\s+TRANSACTIONS\b", re.I)


class QueryRefused(PapergraphError):
    """The query would write, or calls a procedure that is not known to be read-only."""


class QueryTimeout(PapergraphError):
    pass


class QueryFailed(PapergraphError):
    """The store rejected the query; the message is the store's, without a traceback."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]]  # plain values: JSON-ready
    records: list[neo4j.Record] = field(repr=False)  # driver objects, for drawing graphs
    truncated: bool
    row_cap: int
    seconds: float


def check_read_only(cypher: str) -> None:
    """Raise ``QueryRefused`` if ``cypher`` could write."""
    code = _STRING_OR_COMMENT.sub(" ", cypher)
    words = set(re.findall(r"[A-Za-z_]\w*", code.upper()))
    writing = sorted(w for w in _WRITING_CLAUSES if w in words)
    if writing:
        raise QueryRefused(
            f"read-only console: {', '.join(writing)} is not allowed; the query would write or change the store"
        )
    if _SUBQUERY_IN_TRANSACTIONS.search(code):
        raise QueryRefused("read-only console: CALL { } IN TRANSACTIONS is not allowed")
    for procedure in _PROCEDURE_CALL.findall(code):
        if procedure.lower() not in READ_PROCEDURES:
            allowed = ", ".join(sorted(READ_PROCEDURES))
            raise QueryRefused(f"read-only console: procedure {procedure} is not allowed (allowed: {allowed})")


def plain_value(value: Any) -> Any:
    """A driver value as JSON-ready Python: nodes and relationships become maps."""
    if isinstance(value, Node):
        return {
            "_id": value.element_id,
            "_labels": sorted(value.labels),
            **{k: plain_value(v) for k, v in value.items()},
        }
    if isinstance(value, Relationship):
        return {
            "_id": value.element_id,
            "_type": value.type,
            "_start": value.start_node.element_id if value.start_node else None,
            "_end": value.end_node.element_id if value.end_node else None,
            **{k: plain_value(v) for k, v in value.items()},
        }
    if isinstance(value, Path):
        return {
            "nodes": [plain_value(n) for n in value.nodes],
            "relationships": [plain_value(r) for r in value.relationships],
        }
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, DateTime | Date | Time | dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Duration):
        return str(value)
    return value


def run_read_query(
    store: Store,
    cypher: str,
    params: dict[str, Any] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
) -> QueryResult:
    """Run a user's query read-only, within ``timeout_s`` and at most ``row_cap`` rows."""
    if not cypher.strip():
        raise QueryRefused("the query is empty")
    check_read_only(cypher)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            with store.driver.session(database=store.database, default_access_mode=neo4j.READ_ACCESS) as session:
                tx = session.begin_transaction(timeout=timeout_s)
                try:
                    result = tx.run(cypher, params or {})
                    records = []
                    for record in result:
                        if len(records) == row_cap:
                            outcome["truncated"] = True
                            break
                        records.append(record)
                    outcome["columns"] = list(result.keys())
                    outcome["records"] = records
                finally:
                    tx.rollback()  # read-only, whatever the query did
        except neo4j.exceptions.Neo4jError as error:
            outcome["error"] = error
        except Exception as error:  # the driver's own errors: connection lost, ...
            outcome["error"] = error

    started = time.perf_counter()
    # A daemon thread, so a runaway query never keeps the caller from exiting.
    worker = threading.Thread(target=work, name="papergraph-read-query", daemon=True)
    worker.start()
    worker.join(timeout_s)
    seconds = time.perf_counter() - started
    if worker.is_alive():
        raise QueryTimeout(f"the query took longer than the time limit of {timeout_s:g} s and was abandoned")
    if "error" in outcome:
        raise QueryFailed(_readable_error(outcome["error"]))
    records = outcome["records"]
    return QueryResult(
        columns=outcome["columns"],
        rows=[{k: plain_value(v) for k, v in record.items()} for record in records],
        records=records,
        truncated=outcome.get("truncated", False),
        row_cap=row_cap,
        seconds=seconds,
    )


def _readable_error(error: Exception) -> str:
    if isinstance(error, neo4j.exceptions.Neo4jError):
        message = error.message or str(error)
        if error.code and "TransactionTimedOut" in error.code:
            return "the query took longer than the time limit and was stopped by the store"
        return message.strip()
    return f"{type(error).__name__}: {error}"
