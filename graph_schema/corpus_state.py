"""Generations: which writes of the store's papers the work that reads them has seen, so that a
page asks one small node, not every paper, whether what it shows is current.

Every ingest raises the ``WRITES`` generation as it starts writing and again when it is done
(``mark_written``).  Work that reads the papers and stores what it found (the per-period counts,
the graph statistics) records, on a node of its own, the generation it started from
(``record_generation``); it is current while that equals ``WRITES``.  A run cut short leaves the
two apart, so never current by mistake: at worst the slow check runs once more.  Whatever writes
papers or their concept layer other than an ingest must call ``mark_written`` too.

The nodes have a label of their own, ``CORPUS_STATE``, which no page lists and no export
includes; each part's node may hold more of what that part keeps (``analysis.aggregates``
keeps the corpus totals on its own).
"""

from __future__ import annotations

from typing import Any

from graph_schema.schema import CORPUS_STATE, ID
from graph_schema.store import Store

WRITES = "writes"  # the ingests' node
GENERATION = "generation"


def mark_written(store: Store) -> None:
    """Raise the writes generation: whatever was recorded before is outdated."""
    store.write(
        f"MERGE (s:{CORPUS_STATE} {{{ID}: $id}}) SET s.{GENERATION} = coalesce(s.{GENERATION}, 0) + 1", id=WRITES
    )


def corpus_state(store: Store) -> dict[str, dict[str, Any]]:
    """Every part's node, as ``{part: its properties}`` (one small read)."""
    rows = store.read(f"MATCH (s:{CORPUS_STATE}) RETURN s.{ID} AS id, properties(s) AS properties")
    return {row["id"]: row["properties"] for row in rows}


def written_generation(state: dict[str, dict[str, Any]]) -> int:
    """The writes generation of ``corpus_state``'s answer; 0 before the first ingest that counts them."""
    return state.get(WRITES, {}).get(GENERATION, 0)


def is_current(state: dict[str, dict[str, Any]], part: str) -> bool:
    """Whether ``part`` recorded the generation the papers are at now."""
    recorded = state.get(part, {}).get(GENERATION)
    return recorded is not None and recorded == written_generation(state)


_RECORD = f"MERGE (s:{CORPUS_STATE} {{{ID}: $part}}) SET s.{GENERATION} = $generation"
_KEEP = f"MERGE (s:{CORPUS_STATE} {{{ID}: $part}}) SET s += $properties"


def generation_write(part: str, generation: int | None) -> tuple[str, dict[str, Any]]:
    """The write (statement, parameters) that records on ``part``'s node that it has seen the
    papers as of ``generation`` (None: as of none, outdated until recorded again);
    ``Store.write_together`` writes it with more in one transaction."""
    return _RECORD, {"part": part, "generation": generation}


def properties_write(part: str, **properties: Any) -> tuple[str, dict[str, Any]]:
    """The write that keeps ``properties`` on ``part``'s node."""
    return _KEEP, {"part": part, "properties": properties}


def record_generation(store: Store, part: str, generation: int | None) -> None:
    store.write_together([generation_write(part, generation)])
