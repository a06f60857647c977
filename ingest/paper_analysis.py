"""What the rules find in one paper, kept on disk between syncs.

A sync of the concept layer needs, for every paper, its claims and where it says what it proposes
("we propose", "this paper presents"): spaCy's matcher over every sentence, the costliest part of
a sync (about 40 of 90 s at 11,000 papers).  Both are pure functions of the paper's abstract and
extraction and of the rules' source, so they are kept under a key made of all three: a sync runs
the rules only on papers that are new or changed, and a change to the rules makes every key new.

The file is ``$PAPERGRAPH_HOME/cache/paper-analysis.sqlite``.  Like the extraction cache it is only
a cache: deleting it is always safe, and an entry that cannot be read is computed again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from graph_schema.settings import papergraph_home
from graph_schema.store import batched
from ingest import claims, mention_splits, records
from ingest.claims import contribution_spans, extract_claims
from ingest.records import Claim, ClaimNumber, Mention, Sentence

# The source of the rules and of the records they return: any change to it is a new key.
RULES_VERSION = hashlib.sha256(
    b"".join(Path(module.__file__).read_bytes() for module in (claims, records, mention_splits)) + b"paper-analysis-1"
).hexdigest()[:16]
_SQLITE_VARIABLES = 900  # below SQLite's smallest limit on parameters in one statement


@dataclass(frozen=True)
class PaperAnalysis:
    claims: list[Claim]
    contributions: list[tuple[int, int]]  # character spans of "we propose" and the like


def analyse(abstract: str, sentences: Sequence[Sentence], mentions: Sequence[Mention]) -> PaperAnalysis:
    return PaperAnalysis(extract_claims(abstract, sentences, mentions), contribution_spans(abstract))


def cached_analyses(
    papers: Mapping[str, tuple[str, Sequence[Sentence], Sequence[Mention]]],
) -> dict[str, PaperAnalysis]:
    """The analysis of each key's (abstract, sentences, mentions): from the cache where it is
    there, else made now and kept there."""
    cache = PaperAnalysisCache()
    found = cache.get_many({key: (abstract, mentions) for key, (abstract, _, mentions) in papers.items()})
    new = {
        key: (analyse(abstract, sentences, mentions), mentions)
        for key, (abstract, sentences, mentions) in papers.items()
        if key not in found
    }
    cache.put_many(new)
    return found | {key: analysis for key, (analysis, _) in new.items()}


def analysis_key(abstract: str, extraction_json: str) -> str:
    digest = hashlib.sha256(RULES_VERSION.encode())
    digest.update(abstract.encode())
    digest.update(b"\0")
    digest.update(extraction_json.encode())
    return digest.hexdigest()


class PaperAnalysisCache:
    def __init__(self, path: Path | None = None):
        self.path = path or papergraph_home() / "cache" / "paper-analysis.sqlite"

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=60)
        connection.execute("CREATE TABLE IF NOT EXISTS analysis (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        return connection

    def get_many(self, papers: Mapping[str, tuple[str, Sequence[Mention]]]) -> dict[str, PaperAnalysis]:
        """The stored analyses of the keys of ``papers``, which gives each key's abstract and
        mentions: a claim's text and mentions are kept as positions, not again."""
        found: dict[str, PaperAnalysis] = {}
        try:
            with closing(self._connect()) as connection:
                for chunk in batched(papers, _SQLITE_VARIABLES):
                    marks = ",".join("?" * len(chunk))
                    rows = connection.execute(f"SELECT key, value FROM analysis WHERE key IN ({marks})", chunk)
                    for key, value in rows:
                        analysis = _decoded(value, *papers[key])
                        if analysis is not None:
                            found[key] = analysis
        except sqlite3.Error:
            return found  # an unreadable cache is an empty one
        return found

    def put_many(self, analyses: Mapping[str, tuple[PaperAnalysis, Sequence[Mention]]]) -> None:
        """Keep each key's analysis (with its paper's mentions, to store claims' mentions by position)."""
        if not analyses:
            return
        try:
            with closing(self._connect()) as connection, connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO analysis (key, value) VALUES (?, ?)",
                    [(key, _encoded(analysis, mentions)) for key, (analysis, mentions) in analyses.items()],
                )
        except sqlite3.Error:
            pass  # a cache that cannot be written costs time on the next sync, nothing else


def _encoded(analysis: PaperAnalysis, mentions: Sequence[Mention]) -> str:
    position = {mention: i for i, mention in enumerate(mentions)}
    return json.dumps(
        {
            "claims": [
                {
                    "sentence": claim.sentence,
                    "start": claim.start,
                    "end": claim.end,
                    "kind": claim.kind,
                    "numbers": [asdict(number) for number in claim.numbers],
                    "mentions": [position[mention] for mention in claim.mentions],
                    "comparisons": claim.comparisons,
                }
                for claim in analysis.claims
            ],
            "contributions": analysis.contributions,
        },
        separators=(",", ":"),
    )


def _decoded(value: str, abstract: str, mentions: Sequence[Mention]) -> PaperAnalysis | None:
    try:
        raw = json.loads(value)
        claims_found = [
            Claim(
                claim["sentence"],
                claim["start"],
                claim["end"],
                abstract[claim["start"] : claim["end"]],
                claim["kind"],
                [ClaimNumber(**number) for number in claim["numbers"]],
                [mentions[i] for i in claim["mentions"]],
                claim["comparisons"],
            )
            for claim in raw["claims"]
        ]
        return PaperAnalysis(claims_found, [tuple(span) for span in raw["contributions"]])
    except (ValueError, KeyError, TypeError, IndexError):
        return None
