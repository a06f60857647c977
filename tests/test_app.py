"""The Streamlit app's pages, rendered by AppTest against the real store."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

APP = str(REPO / "ui" / "app.py")


def test_overview_shows_corpus_statistics(corpus_store):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Papers"] == "286"
    assert "ArcadeDB" in app.caption[0].value
    assert any("Sources" == h.value for h in app.subheader)


def test_overview_on_an_empty_graph_says_so(store):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert any("graph is empty" in i.value for i in app.info)
