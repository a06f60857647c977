"""Which run's predicted links the app and ``papergraph linkpred links`` show.

Runs trained and predicted by hand keep their links side by side (``linkpred refresh`` replaces the
previous run's), and listing them all showed each link once per run.  The run shown is the one that
wrote links last: ``predict_links`` records it on a ``corpus_state`` node once its links are all
written, so a page asks one small node rather than every predicted link, and never shows a run
whose links are half written.  A store predicted before that record, or whose shown run was
cleared, shows the run among the stored links that wrote them last.  No torch is imported here.
"""

from __future__ import annotations

from graph_schema.corpus_state import corpus_state, properties_write
from graph_schema.schema import Rel
from graph_schema.store import Store

SHOWN_RUN = "predicted-links"  # the corpus_state part
RUN = "run"


def shown_run(store: Store) -> str | None:
    """The run whose predicted links are shown (None: there are none)."""
    recorded = corpus_state(store).get(SHOWN_RUN)
    return recorded.get(RUN) if recorded is not None else newest_run_with_links(store)


def record_shown_run(store: Store, run_id: str | None) -> None:
    store.write_together([properties_write(SHOWN_RUN, **{RUN: run_id})])


def newest_run_with_links(store: Store) -> str | None:
    """The run among the stored predicted links that wrote them last (every link is read)."""
    rows = store.read(
        f"""MATCH ()-[r:{Rel.PREDICTED_LINK}]->() WITH r.run_id AS run, max(r.created) AS created
        RETURN run ORDER BY created DESC, run DESC LIMIT 1"""
    )
    return rows[0]["run"] if rows else None
