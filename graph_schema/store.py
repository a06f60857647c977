"""The store connection: every database access in papergraph goes through here.

Reads and writes use the official ``neo4j`` driver over Bolt with
parameterized Cypher.  Writes are ``UNWIND $rows`` batches, each in its own
explicit transaction (``driver.execute_query``), which measured 5–7 times
faster than auto-commit writes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl

from graph_schema import arcadedb_server, dialect
from graph_schema.errors import PapergraphError
from graph_schema.schema import CORPUS_STATE, Label
from graph_schema.settings import StoreSettings, settings_from_env

DEFAULT_BATCH_SIZE = 1000


DELETE_BATCH = 5000


def running_in_background() -> bool:
    """Whether this process runs at a lower priority than normal (``nice``; ``papergraph ui``
    starts its refreshes so)."""
    return hasattr(os, "nice") and os.nice(0) > 0


def leave_the_store_free(seconds: float) -> None:
    time.sleep(seconds)


class StoreUnavailable(PapergraphError):
    pass


def batched(rows: Sequence[Any] | Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class GraphCounts:
    nodes: dict[str, int]
    relationships: dict[str, int]

    @property
    def total_nodes(self) -> int:
        return sum(self.nodes.values())

    @property
    def total_relationships(self) -> int:
        return sum(self.relationships.values())


class Store:
    """A connected store.  Open with ``Store.open()``; close when done (or use ``with``)."""

    def __init__(self, settings: StoreSettings, driver: neo4j.Driver):
        self.settings = settings
        self.driver = driver

    @classmethod
    def open(cls, settings: StoreSettings | None = None, start_server: bool = True) -> Store:
        settings = settings or settings_from_env()
        uri = settings.uri
        if settings.managed:
            if start_server:
                uri = arcadedb_server.ensure_running(settings)
            else:
                current = arcadedb_server.status(settings)
                if not current.running:
                    raise StoreUnavailable(
                        "the papergraph store is not running; start it with `papergraph store start`"
                    )
                uri = current.uri
        driver = GraphDatabase.driver(uri, auth=(settings.user, settings.password))
        try:
            driver.verify_connectivity()
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.AuthError, OSError) as error:
            driver.close()
            raise StoreUnavailable(f"cannot reach the store at {uri}: {error}") from error
        return cls(settings, driver)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.driver.close()

    @property
    def kind(self) -> str:
        return self.settings.kind

    @property
    def database(self) -> str:
        return self.settings.database

    def server_agent(self) -> str:
        return self.driver.get_server_info().agent

    # -- reading -----------------------------------------------------------

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """Turn a store that stopped answering (killed, restarted, unreachable) into one readable error."""
        try:
            yield
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired) as error:
            raise StoreUnavailable(
                f"the store at {self.settings.uri} stopped answering ({error}). What was committed before is kept; "
                "run the same command again once the store is back (`papergraph store start`)"
            ) from error

    def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return [record.data() for record in self.read_records(query, **params)]

    def read_records(self, query: str, **params: Any) -> list[neo4j.Record]:
        """Like ``read`` but keeps nodes and relationships as driver objects."""
        with self._answering():
            records, _, _ = self.driver.execute_query(
                query, params, database_=self.database, routing_=RoutingControl.READ
            )
        return records

    def read_pages(self, query: str, page_size: int = 5000, **params: Any) -> Iterator[list[dict[str, Any]]]:
        """Read a large result in pages: ``query`` must order its rows and end
        with ``SKIP $skip LIMIT $limit``."""
        skip = 0
        while True:
            page = self.read(query, skip=skip, limit=page_size, **params)
            if page:
                yield page
            if len(page) < page_size:
                return
            skip += page_size

    def read_ids(self, label: str, where: str = "", **params: Any) -> list[str]:
        """The ids of the nodes of ``label`` (those ``where`` holds for ``n``, if given), sorted as
        the store sorts strings (by code point): one query of one column."""
        condition = f" WHERE {where}" if where else ""
        return sorted(row["id"] for row in self.read(f"MATCH (n:{label}){condition} RETURN n.id AS id", **params))

    def read_pages_by_id(
        self, label: str, returned: str, page_size: int = 5000, where: str = "", **params: Any
    ) -> Iterator[list[dict[str, Any]]]:
        """The nodes ``n`` of ``label`` (those ``where`` holds for, if given) in pages of
        ``page_size`` in id order, each page's nodes passed on to ``returned`` (the rest of the
        query, returning each node's ``id``; one row per node).

        The ids come first (``read_ids``); each page then finds its nodes by the unique, indexed
        id, so a page costs the same wherever it lies.  A keyset page (``WHERE n.id > $after ORDER
        BY n.id LIMIT``) made the store scan and sort the rest of the label each time: at 106,000
        papers the first page took 1.6 s and the last 0.17 s, where a page of look-ups takes 0.4 s
        with each node's facts (the ids, 3.6 s).  Nodes written after the ids were read are not in
        the pages; ``where`` is asked again of each page's.

        A process at lower priority (``running_in_background``) waits after each page as long
        as the store took to answer it: its niceness lowers only its own share of the CPU, and
        the store would otherwise answer its reads of the whole graph on a core of its own
        beside the app, whose pages wait for the same two cores."""
        condition = f"WHERE {where} " if where else ""
        query = f"UNWIND $ids AS key MATCH (n:{label} {{id: key}}) {condition}WITH n {returned} ORDER BY id"
        pausing = running_in_background()
        asked = time.perf_counter()
        ids = self.read_ids(label, where, **params)
        for first in range(0, len(ids), page_size):
            if pausing and first:
                leave_the_store_free(time.perf_counter() - asked)
            asked = time.perf_counter()
            page = self.read(query, ids=ids[first : first + page_size], **params)
            if page:
                yield page

    # -- writing -----------------------------------------------------------

    def write(self, query: str, **params: Any) -> None:
        """One write statement in one explicit transaction."""
        with self._answering():
            self.driver.execute_query(query, params, database_=self.database, routing_=RoutingControl.WRITE)

    def write_rows(self, query: str, rows: Iterable[dict[str, Any]], batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Run ``query`` (which starts ``UNWIND $rows AS row``) over ``rows`` in
        batches, one transaction per batch.  Returns the number of rows."""
        written = 0
        for batch in batched(rows, batch_size):
            with self._answering():
                self.driver.execute_query(
                    query, {"rows": batch}, database_=self.database, routing_=RoutingControl.WRITE
                )
            written += len(batch)
        return written

    def write_together(self, statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Run several write statements in ONE transaction: all of them commit, or none.
        For changes that readers must never see half done."""

        def run_all(tx: neo4j.ManagedTransaction) -> None:
            for query, params in statements:
                tx.run(query, params).consume()

        with self._answering(), self.driver.session(database=self.database) as session:
            session.execute_write(run_all)

    def ensure_schema(self) -> None:
        for statement in dialect.schema_statements(self.kind):
            self.write(statement)

    def delete_in_batches(self, match: str, delete: str, batch_size: int = DELETE_BATCH, **params: Any) -> int:
        """Run ``{match} WITH * LIMIT n {delete}`` until ``match`` matches nothing;
        each batch is its own transaction, so no delete ever holds the whole
        graph in one.  Returns how many matches were deleted."""
        deleted = 0
        while remaining := self.read(f"{match} RETURN count(*) AS n", **params)[0]["n"]:
            self.write(f"{match} WITH * LIMIT $limit {delete}", limit=batch_size, **params)
            deleted += min(remaining, batch_size)
        return deleted

    def wipe(self) -> None:
        """Delete every node and relationship, in batches (schema stays)."""
        self.delete_in_batches("MATCH (n)", "DETACH DELETE n", batch_size=10_000)

    # -- summaries ---------------------------------------------------------

    def counts(self) -> GraphCounts:
        nodes = {label.value: 0 for label in Label}
        for row in self.read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n"):
            if row["label"] != CORPUS_STATE:  # bookkeeping, not the graph
                nodes[row["label"]] = row["n"]
        relationships = {
            row["type"]: row["n"] for row in self.read("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")
        }
        return GraphCounts(nodes=nodes, relationships=dict(sorted(relationships.items())))
