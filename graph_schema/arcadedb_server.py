"""The ArcadeDB Bolt server that papergraph manages as its zero-setup store.

ArcadeDB lets only one process own a data directory, so exactly one server
process owns ``$PAPERGRAPH_HOME/arcadedb``; it holds an exclusive lock on
``server.lock`` for its whole life and records its pid and ports in
``server.json``.  Every other process (CLI, app, tests) talks to it over Bolt.

The server runs in ArcadeDB's production mode with Bolt as its only protocol.
ArcadeDB always starts its HTTP server too; it listens on a free loopback port
and asks for the same root password as Bolt.

``python -m graph_schema.arcadedb_server serve`` is that server process;
``start``/``stop``/``status`` below manage it from the outside.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from graph_schema.errors import PapergraphError
from graph_schema.file_locks import is_locked
from graph_schema.settings import EXTERNAL_STORE_VARIABLES, StoreSettings, create_home, managed_password

START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
KILL_TIMEOUT_S = 10.0

# Jars of the wheel that hold server plugins papergraph does not use.  They are
# left off the JVM's class path because MCP registers itself on the HTTP port
# whatever ``server.plugins`` says.
UNUSED_PLUGIN_JARS = ("arcadedb-mcp-", "arcadedb-postgresw-", "arcadedb-redisw-")


class ServerError(PapergraphError):
    pass


@dataclass(frozen=True)
class ServerFiles:
    home: Path

    @property
    def data_dir(self) -> Path:
        return self.home / "arcadedb"

    @property
    def lock(self) -> Path:
        return self.home / "server.lock"

    @property
    def state(self) -> Path:
        return self.home / "server.json"

    @property
    def log(self) -> Path:
        return self.home / "server.log"


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None = None
    bolt_port: int | None = None
    http_port: int | None = None
    database: str | None = None
    started: float | None = None

    @property
    def uri(self) -> str | None:
        return f"bolt://127.0.0.1:{self.bolt_port}" if self.bolt_port else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_temporary_home(prefix: str) -> Path:
    """Point this process (and the processes it starts) at a new, empty managed
    store on a free port, whatever NEO4J_* said: for tests and benchmarks."""
    for name in EXTERNAL_STORE_VARIABLES:
        os.environ.pop(name, None)
    home = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["PAPERGRAPH_HOME"] = str(home)
    os.environ["PAPERGRAPH_BOLT_PORT"] = str(free_port())
    return home


def port_accepts(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def status(settings: StoreSettings) -> ServerStatus:
    files = ServerFiles(settings.home)
    if not is_locked(files.lock) or not files.state.exists():
        return ServerStatus(running=False)
    try:
        state = json.loads(files.state.read_text())
    except (OSError, json.JSONDecodeError):
        return ServerStatus(running=False)
    return ServerStatus(
        running=port_accepts(state["bolt_port"]),
        pid=state["pid"],
        bolt_port=state["bolt_port"],
        http_port=state.get("http_port"),
        database=state["database"],
        started=state["started"],
    )


def start(settings: StoreSettings) -> ServerStatus:
    """Start the server for ``settings.home`` unless it already runs; wait until Bolt answers."""
    current = status(settings)
    if current.running:
        return current
    files = ServerFiles(settings.home)
    create_home(files.home)
    bolt_port = int(settings.uri.rsplit(":", 1)[1])
    if port_accepts(bolt_port):
        raise ServerError(
            f"port {bolt_port} is already in use by another program; "
            "set PAPERGRAPH_BOLT_PORT to a free port, or NEO4J_URI to use that server"
        )
    command = [
        sys.executable, "-m", "graph_schema.arcadedb_server", "serve",
        "--home", str(files.home), "--bolt-port", str(bolt_port), "--database", settings.database,
    ]  # fmt: skip
    with open(files.log, "ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=files.home,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            # Lost a race with another starter: that one's server is fine.
            current = status(settings)
            if current.running:
                return current
            raise ServerError(f"the ArcadeDB server exited during start-up; see {files.log}:\n{_log_tail(files.log)}")
        current = status(settings)
        if current.running:
            return current
        time.sleep(0.2)
    process.terminate()
    raise ServerError(f"the ArcadeDB server did not answer within {START_TIMEOUT_S:.0f} s; see {files.log}")


def stop(settings: StoreSettings) -> bool:
    """Stop the server if it runs, and wait until its process is gone.  Returns whether one was running.

    A server that has not exited ``STOP_TIMEOUT_S`` after SIGTERM is killed, and
    a line on stderr says so.
    """
    pid = status(settings).pid
    if pid is None:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    if _wait_until_gone(pid, STOP_TIMEOUT_S):
        return True
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    print(
        f"papergraph: the ArcadeDB server (pid {pid}) did not exit within {STOP_TIMEOUT_S:.0f} s; killed it",
        file=sys.stderr,
    )
    if not _wait_until_gone(pid, KILL_TIMEOUT_S):
        raise ServerError(f"the ArcadeDB server (pid {pid}) was killed but did not exit within {KILL_TIMEOUT_S:.0f} s")
    return True


def _wait_until_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while _process_runs(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _process_runs(pid: int) -> bool:
    """Whether ``pid`` is a process that has not exited.

    An exited process stays a zombie until its parent waits for it.  A server
    this process started is its child: it is reaped here.  One whose parent is
    another process that does not wait for it has exited all the same.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    exited = _is_zombie(pid)
    try:
        reaped = os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:  # not a child of this process
        return not exited
    return not reaped


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state is the first field after the command name, which is in parentheses.
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


def ensure_running(settings: StoreSettings) -> str:
    """The Bolt URI of the managed server, starting it if needed."""
    return start(settings).uri


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _start_jvm_without_unused_plugins() -> None:
    """Start the JVM as ``arcadedb_embedded`` would, less the jars in ``UNUSED_PLUGIN_JARS``."""
    import jpype
    from arcadedb_embedded import jvm

    if jpype.isJVMStarted():
        return
    all_jars = sorted(Path(jvm.get_jar_path()).glob("*.jar"))
    jars = [str(jar) for jar in all_jars if not jar.name.startswith(UNUSED_PLUGIN_JARS)]
    # The flags arcadedb_embedded's own start_jvm() would pass (a private helper; the wheel is pinned).
    jvm_args = jvm._build_jvm_args(heap_size="4g", disable_xml_limits=True, jvm_args=None)
    jpype.startJVM(jvm.get_bundled_jre_lib_path(), *jvm_args, classpath=jars, interrupt=False)


def serve(home: Path, bolt_port: int, database: str) -> int:
    """Run the server in this process until SIGTERM or SIGINT.

    Once it has run the server, the process must end with ``os._exit``, as
    ``main`` does: see there why.
    """
    files = ServerFiles(home)
    create_home(home)
    lock_handle = open(files.lock, "a+")
    try:
        fcntl.flock(lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"another papergraph ArcadeDB server already owns {home}", file=sys.stderr)
        return 3

    _start_jvm_without_unused_plugins()
    from arcadedb_embedded.server import ArcadeDBServer

    from graph_schema.dialect import arcadedb_server_sql

    http_port = free_port()
    server = ArcadeDBServer(
        root_path=str(files.data_dir),
        root_password=managed_password(home),
        config={
            "host": "127.0.0.1",
            "http_port": http_port,
            "mode": "production",
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": bolt_port,
            "bolt_defaultDatabase": database,
            # The store is papergraph's own: Cypher may not read the file system or the network.
            "opencypher_loadCsv_allowFileUrls": False,
            "opencypher_loadCsv_allowRemoteUrls": False,
        },
    )
    server.start()
    db = server.create_database(database)
    for statement in arcadedb_server_sql():
        db.command("sql", statement)

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    state = {"pid": os.getpid(), "bolt_port": bolt_port, "http_port": http_port, "database": database}
    files.state.write_text(json.dumps({**state, "started": time.time()}))
    print(f"papergraph: ArcadeDB Bolt server on 127.0.0.1:{bolt_port}, database '{database}'", flush=True)
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        files.state.unlink(missing_ok=True)
        server.stop()
        fcntl.flock(lock_handle, fcntl.LOCK_UN)
        lock_handle.close()
    return 0


def main(argv: list[str] | None = None) -> NoReturn:
    parser = argparse.ArgumentParser(prog="python -m graph_schema.arcadedb_server")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_parser = sub.add_parser("serve", help="run the server in the foreground")
    serve_parser.add_argument("--home", type=Path, required=True)
    serve_parser.add_argument("--bolt-port", type=int, required=True)
    serve_parser.add_argument("--database", required=True)
    args = parser.parse_args(argv)
    try:
        code = serve(args.home, args.bolt_port, args.database)
    except BaseException:
        traceback.print_exc()
        code = 1
    # After ArcadeDB has stopped, the thread of every Bolt connection that a
    # client still holds open lives on; they are not daemon threads, so a normal
    # exit would wait in the JVM's shutdown for every such client to hang up.
    # The data is closed and the lock released by now: end the process at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
