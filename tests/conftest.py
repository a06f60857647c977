"""Test-session fixtures: a real ArcadeDB Bolt server on a free loopback port.

The environment is pointed at a throw-away ``PAPERGRAPH_HOME`` before anything
else runs, so no test ever touches a user's own store, and any ``NEO4J_*``
variables are dropped so that the tests always use the server they start.
"""

from __future__ import annotations

import shutil
import sys

import pytest

from graph_schema import arcadedb_server
from graph_schema.settings import settings_from_env
from graph_schema.store import Store
from ingest.pipeline import ingest_paths
from tests.support import CHROMIUM, CHROMIUM_FLAGS, CORPUS, holds_gazetteer_corpus, load_corpus_with_gazetteer

_SESSION_HOME = arcadedb_server.use_temporary_home("papergraph-test-")


@pytest.fixture(scope="session")
def server_settings():
    settings = settings_from_env()
    arcadedb_server.start(settings)
    yield settings
    arcadedb_server.stop(settings)
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def session_store(server_settings):
    store = Store.open(server_settings)
    store.ensure_schema()
    yield store
    store.close()


_loaded = {"corpus": False}  # whether the session store holds exactly the sample corpus


@pytest.fixture
def store(session_store):
    """The session's store, emptied before the test."""
    session_store.wipe()
    _loaded["corpus"] = False
    return session_store


@pytest.fixture
def corpus_store(session_store):
    """The store holding exactly the bundled sample corpus, for tests that
    only read.  It is loaded once and re-loaded only after a test wiped it."""
    if not _loaded["corpus"]:
        session_store.wipe()
        ingest_paths(session_store, [CORPUS])
        _loaded["corpus"] = True
    return session_store


@pytest.fixture
def concept_store(session_store):
    """The sample corpus with the stand-in's concept layer; loaded again only after a test changed the store."""
    if not holds_gazetteer_corpus(session_store):
        load_corpus_with_gazetteer(session_store)
        _loaded["corpus"] = False  # corpus_store must reload its own
    return session_store


@pytest.fixture(scope="module")
def one_torch_thread():
    """Torch on one thread: on a shared two-core machine two threads spend their time waiting on each other."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def main_module_kept():
    """Streamlit's AppTest runs a page as ``__main__`` and leaves it there; a worker process
    started later by "spawn" would run that page again before its work.  Put pytest's back."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module; the test skips where it is absent."""
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
