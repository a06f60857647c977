"""Where the store is: the managed ArcadeDB server, or an external Neo4j.

``NEO4J_URI`` selects an external Neo4j 5 (``NEO4J_USER``, ``NEO4J_PASSWORD``
and ``NEO4J_DATABASE`` go with it).  Without it papergraph uses its own
ArcadeDB Bolt server, whose data lives under ``$PAPERGRAPH_HOME``.

The managed server's root password is made up per home, at first use, and kept
in ``$PAPERGRAPH_HOME/bolt-password`` (mode 0600, in a home of mode 0700): the
server sets it at its first start, and every client reads it from there.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from graph_schema.errors import PapergraphError

ARCADEDB = "arcadedb"
NEO4J = "neo4j"

# Any of these set means an external Neo4j; NEO4J_URI decides.
EXTERNAL_STORE_VARIABLES = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")
DEFAULT_BOLT_PORT = 7687
DEFAULT_DATABASE = "papergraph"
# The managed server's own account; it only ever listens on loopback.
ARCADEDB_USER = "root"
PASSWORD_FILE = "bolt-password"
# Before passwords were made up per home, every home got this one.  ArcadeDB keeps
# the root password it was first started with, so a home whose ArcadeDB already
# has its users file but no password file still answers to this one.
OLD_FIXED_PASSWORD = "papergraph-local"


class SettingsError(PapergraphError):
    pass


def papergraph_home() -> Path:
    configured = os.environ.get("PAPERGRAPH_HOME")
    home = Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("papergraph"))
    return home.resolve()


def create_home(home: Path) -> None:
    """Create ``home`` (readable by its owner only) unless it exists."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)


def managed_password(home: Path) -> str:
    """The managed server's root password for ``home``, made up at first use."""
    path = home / PASSWORD_FILE
    try:
        if not path.exists():
            create_home(home)
            arcadedb_users = home / "arcadedb" / "config" / "server-users.jsonl"
            _write_new_file(path, OLD_FIXED_PASSWORD if arcadedb_users.exists() else secrets.token_urlsafe(24))
        password = path.read_text().strip()
    except OSError as error:
        raise SettingsError(f"cannot read or create the store's password file {path}: {error}") from error
    if not password:
        raise SettingsError(f"the store's password file {path} is empty")
    return password


def _write_new_file(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``, readable by its owner only from the start.

    The text goes into a private temporary file (``mkstemp`` opens it with
    O_CREAT | O_EXCL and mode 0600) that is then linked into place, so no reader
    ever sees the file half-written.  If another process created ``path`` first,
    its text stands and this one is dropped.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text + "\n")
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


@dataclass(frozen=True)
class StoreSettings:
    kind: str  # ARCADEDB or NEO4J
    uri: str
    user: str
    password: str = field(repr=False)
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
        password=managed_password(home),
        database=os.environ.get("PAPERGRAPH_DATABASE", DEFAULT_DATABASE),
        home=home,
    )
