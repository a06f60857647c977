"""Where the store is: the managed ArcadeDB server, or an external Neo4j.

``NEO4J_URI`` selects an external Neo4j 5 (``NEO4J_USER``, ``NEO4J_PASSWORD``
and ``NEO4J_DATABASE`` go with it).  Without it papergraph uses its own
ArcadeDB Bolt server, whose data lives under ``$PAPERGRAPH_HOME``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ARCADEDB = "arcadedb"
NEO4J = "neo4j"

# Any of these set means an external Neo4j; NEO4J_URI decides.
EXTERNAL_STORE_VARIABLES = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")
DEFAULT_BOLT_PORT = 7687
DEFAULT_DATABASE = "papergraph"
# The managed server's own account; it only ever listens on loopback.
ARCADEDB_USER = "root"
ARCADEDB_PASSWORD = "papergraph-local"


def papergraph_home() -> Path:
    configured = os.environ.get("PAPERGRAPH_HOME")
    home = Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("papergraph"))
    return home.resolve()


@dataclass(frozen=True)
class StoreSettings:
    kind: str  # ARCADEDB or NEO4J
    uri: str
    user: str
    password: str
    database: str
    home: Path | None = None  # only for the managed ArcadeDB server

    @property
    def managed(self) -> bool:
        return self.kind == ARCADEDB

    def describe(self) -> str:
        if self.managed:
            return f"ArcadeDB (managed by papergraph) at {self.uri}, database '{self.database}', data in {self.home}"
        return f"Neo4j at {self.uri}, database '{self.database}'"


def settings_from_env() -> StoreSettings:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        return StoreSettings(
            kind=NEO4J,
            uri=uri,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        )
    home = papergraph_home()
    port = int(os.environ.get("PAPERGRAPH_BOLT_PORT", DEFAULT_BOLT_PORT))
    return StoreSettings(
        kind=ARCADEDB,
        uri=f"bolt://127.0.0.1:{port}",
        user=ARCADEDB_USER,
        password=ARCADEDB_PASSWORD,
        database=os.environ.get("PAPERGRAPH_DATABASE", DEFAULT_DATABASE),
        home=home,
    )
