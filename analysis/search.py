"""Search over papers and concepts: the store's full-text index, ranked with rapidfuzz.

Full-text finds words anywhere in a title, an abstract or a concept's aliases;
a user's text is never passed to it raw (Lucene syntax would turn
"mixture-of-experts" into a negation), only its words, as a phrase and, for
typos, as fuzzy terms.  rapidfuzz then ranks every candidate by how well its
name or title matches the text, and also finds names the index misses
(partial words).  Where the full-text index is unavailable, a CONTAINS scan
stands in for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

import neo4j
from rapidfuzz import fuzz, process, utils

from graph_schema.dialect import fulltext_search_query
from graph_schema.schema import CONCEPT_LABELS, SEARCH_TEXT, Label
from graph_schema.store import Store

SEARCHED_LABELS: tuple[Label, ...] = (Label.PAPER, *CONCEPT_LABELS)
FULLTEXT_CANDIDATES = 50
FUZZY_MIN_SCORE = 75
FUZZY_MIN_WORD = 5  # shorter words get no fuzzy term: "LLM~" matches half the corpus
# Weight of the name match against the full-text rank when ranking.
NAME_WEIGHT = 0.7

K = TypeVar("K")

_NAME = "coalesce(n.name, n.title)"
_CONTAINS = f"""MATCH (n:{{label}}) WHERE toLower(n.{SEARCH_TEXT}) CONTAINS $text
    RETURN n.id AS id, {_NAME} AS name, 1.0 AS score LIMIT $limit"""
_NAMES = f"""MATCH (n) WHERE any(label IN labels(n) WHERE label IN $labels)
    RETURN labels(n) AS labels, n.id AS id, {_NAME} AS name, n.aliases AS aliases"""


@dataclass(frozen=True)
class SearchHit:
    label: str
    id: str
    name: str
    score: float  # 0–100


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def lucene_queries(text: str) -> list[str]:
    """Safe Lucene queries for ``text``: its words as a phrase, then its longer words as fuzzy terms."""
    found = words(text)
    if not found:
        return []
    queries = ['"' + " ".join(found) + '"']
    fuzzy = [f"{word}~1" for word in found if len(word) >= FUZZY_MIN_WORD]
    if fuzzy:
        queries.append(" AND ".join(fuzzy))
    return queries


def fulltext_candidates(store: Store, label: Label, text: str) -> dict[str, tuple[str, float]]:
    """``{id: (name, full-text score)}`` for one label; CONTAINS when the index is unavailable."""
    query, index = fulltext_search_query(store.kind, label, SEARCH_TEXT)
    found: dict[str, tuple[str, float]] = {}
    try:
        for lucene in lucene_queries(text):
            for row in store.read(query, index=index, text=lucene)[:FULLTEXT_CANDIDATES]:
                node = row["node"]
                name = node.get("name") or node.get("title") or node.get("id")
                found.setdefault(node["id"], (name, float(row["score"])))
            if found:
                break
    except neo4j.exceptions.Neo4jError:
        rows = store.read(_CONTAINS.format(label=label), text=text.lower(), limit=FULLTEXT_CANDIDATES)
        found = {row["id"]: (row["name"], row["score"]) for row in rows}
    return found


EXACT = "exact"
FUZZY = "fuzzy"


def normalised_name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def match_names(text: str, names: Mapping[K, str], limit: int) -> list[tuple[K, str, float]]:
    """The keys whose name best matches ``text``, best first, as ``(key, EXACT or
    FUZZY, score 0-100)``: names equal to it (case and spacing aside) first,
    then names rapidfuzz scores at least ``FUZZY_MIN_SCORE``.  The one name
    lookup of papergraph: the app's search and ``papergraph similar`` both use it."""
    wanted = normalised_name(text)
    exact = sorted(key for key, name in names.items() if name and normalised_name(name) == wanted)
    found = [(key, EXACT, 100.0) for key in exact[:limit]]
    if len(found) < limit:
        fuzzy = process.extract(
            text,
            names,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=FUZZY_MIN_SCORE,
            limit=limit + len(exact),
        )
        found += [(key, FUZZY, float(score)) for _, score, key in fuzzy if key not in exact][: limit - len(found)]
    return found


def name_match(text: str, names: list[str]) -> float:
    """How well ``text`` matches the best of ``names`` (0–100)."""
    return max((fuzz.WRatio(text, name, processor=utils.default_process) for name in names if name), default=0.0)


def search(store: Store, text: str, labels: tuple[Label, ...] = SEARCHED_LABELS, limit: int = 20) -> list[SearchHit]:
    """Papers and concepts matching ``text``, best first."""
    text = text.strip()
    if not words(text):
        return []
    # Every searchable name, for ranking and for the names full-text misses.
    named = {}
    for row in store.read(_NAMES, labels=list(labels)):
        label = next(label for label in row["labels"] if label in labels)
        named[(label, row["id"])] = [row["name"], *(row["aliases"] or [])]
    candidates: dict[tuple[str, str], float] = {}
    for label in labels:
        hits = fulltext_candidates(store, label, text)
        best = max((score for _, score in hits.values()), default=1.0) or 1.0
        for node_id, (_, score) in hits.items():
            candidates[(label, node_id)] = 100 * score / best
    choices = {key: " | ".join(filter(None, names)) for key, names in named.items()}
    for key, _, _ in match_names(text, choices, limit):
        candidates.setdefault(key, 0.0)
    hits = []
    for (label, node_id), fulltext_score in candidates.items():
        names = named.get((label, node_id), [node_id])
        score = NAME_WEIGHT * name_match(text, names) + (1 - NAME_WEIGHT) * fulltext_score
        hits.append(SearchHit(str(label), node_id, names[0] or node_id, round(score, 1)))
    hits.sort(key=lambda hit: (-hit.score, hit.name))
    return hits[:limit]
