"""Resolution's corpus-wide state, kept in SQLite so that an ingest re-decides only what it touches.

What the state holds, per paper: its occurrences (``readings.Occurrence``), its
relation evidence, the acronyms it defines and the short keys it uses bare;
and, derived from those: each short key's expansion, each group's label and
concept, the spelling variants between groups, and each concept as written.

Adding or replacing papers (``replace_papers``) marks the groups they touch
(before and after) as dirty; ``decide`` re-decides the dirty groups and the
concepts they belong to, and says what changed (``Changes``): the concepts to
write and to delete, the papers whose layer must be rewritten, the relations
to recompute.  Every decision is a function of the tables, and every choice
between equals is broken by the text, so papers added in any order and in any
parts give the state of one run over all of them.

The file is ``$PAPERGRAPH_HOME/state/resolution-<store>.sqlite``; its rows
change only inside ``transaction()``, so a process killed at any moment leaves
it as it was before the sync or as the sync left it.  It carries the version of
the rules (``RULES_VERSION``, the claim rules among them): other rules start a new, empty state.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import snowballstemmer
from rapidfuzz import fuzz, process

from graph_schema.schema import Label
from ingest import acronyms, claims, mention_splits, normalize
from ingest.records import Concept
from ingest.resolution import decisions, known_names, names, readings, specificity, usage
from ingest.resolution.decisions import FUZZY_MIN_KEY_LENGTH, FUZZY_MIN_RATIO, GroupDecision, GroupTally
from ingest.resolution.readings import ACRONYM, SELF_REFERENCE, UNTYPED, Expansion, PaperReading

BLOCK_AFFIX = 4  # characters of a name key's start (or end) that a spelling variant shares with it
NOT_A_NAMED_DATASET = decisions.NOT_NAMED
# An acronym defined two ways still expands where one long form has this share of its definitions
# (and at least this many): 57 papers define "AI" as "artificial intelligence", one as "association implantation".
DOMINANT_SHARE = 0.9
DOMINANT_MIN_DEFINITIONS = 5
# Words two definitions of one acronym may differ by and still spell one name ("Vision-and-Language
# Pre-training", "Vision-Language Pre-training"): articles, "and", and the prepositions that only
# link, not those that turn the meaning ("without", "against", "between").
_LINKING_WORDS = frozenset("a an the and of for on in with to from over via by under at into per".split())
_STEMMER = snowballstemmer.stemmer("english")


def _rules_version() -> str:
    """The version of the rules a state and the layers written from it were made by.  The claim
    rules count too: they say where a paper states what it proposes, which resolution reads,
    and the results table each layer carries, so that new rules rewrite every paper's layer; so
    does the split of dataset lists (``ingest.mention_splits``), which makes the mentions read."""
    digest = hashlib.sha256(b"resolution-state-1")
    for module in (
        acronyms,
        normalize,
        decisions,
        names,
        readings,
        specificity,
        usage,
        known_names,
        claims,
        mention_splits,
    ):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())  # this module's own rules: long forms, dominant acronyms
    digest.update(known_names.fingerprint().encode())
    return digest.hexdigest()[:16]


RULES_VERSION = _rules_version()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS papers (paper TEXT PRIMARY KEY, proposed INTEGER, dropped TEXT);
CREATE TABLE IF NOT EXISTS definitions (
    paper TEXT, short_key TEXT, short_form TEXT, long_key TEXT, long_group TEXT, long_display TEXT);
CREATE INDEX IF NOT EXISTS definitions_paper ON definitions (paper);
CREATE INDEX IF NOT EXISTS definitions_short ON definitions (short_key);
CREATE INDEX IF NOT EXISTS definitions_long ON definitions (long_group);
CREATE TABLE IF NOT EXISTS expansions (short_key TEXT PRIMARY KEY, long_key TEXT, grp TEXT, name_key TEXT);
CREATE TABLE IF NOT EXISTS ambiguous (short_key TEXT PRIMARY KEY, shown TEXT, long_forms TEXT);
CREATE TABLE IF NOT EXISTS bare_keys (paper TEXT, key TEXT);
CREATE INDEX IF NOT EXISTS bare_keys_paper ON bare_keys (paper);
CREATE INDEX IF NOT EXISTS bare_keys_key ON bare_keys (key);
CREATE TABLE IF NOT EXISTS occurrences (
    paper TEXT, mention INTEGER, grp TEXT, vote TEXT, name_key TEXT, display TEXT, written TEXT,
    short_form TEXT, reason TEXT, named INTEGER, cue TEXT, dropped_words TEXT);
CREATE INDEX IF NOT EXISTS occurrences_paper ON occurrences (paper);
CREATE INDEX IF NOT EXISTS occurrences_group ON occurrences (grp);
CREATE TABLE IF NOT EXISTS evidence (paper TEXT, head TEXT, rel TEXT, tail TEXT, sentence INTEGER, confidence REAL);
CREATE INDEX IF NOT EXISTS evidence_paper ON evidence (paper);
CREATE INDEX IF NOT EXISTS evidence_head ON evidence (head);
CREATE INDEX IF NOT EXISTS evidence_tail ON evidence (tail);
CREATE TABLE IF NOT EXISTS groups (
    grp TEXT PRIMARY KEY, label TEXT, concept TEXT, name_key TEXT, prefix TEXT, suffix TEXT, decision TEXT);
CREATE INDEX IF NOT EXISTS groups_concept ON groups (concept);
CREATE INDEX IF NOT EXISTS groups_prefix ON groups (prefix);
CREATE INDEX IF NOT EXISTS groups_suffix ON groups (suffix);
CREATE TABLE IF NOT EXISTS variants (a TEXT, b TEXT, score REAL, PRIMARY KEY (a, b));
CREATE INDEX IF NOT EXISTS variants_b ON variants (b);
CREATE TABLE IF NOT EXISTS long_forms (a TEXT, b TEXT, short_key TEXT, PRIMARY KEY (a, b, short_key));
CREATE INDEX IF NOT EXISTS long_forms_b ON long_forms (b);
CREATE INDEX IF NOT EXISTS long_forms_short ON long_forms (short_key);
CREATE TABLE IF NOT EXISTS concepts (id TEXT PRIMARY KEY, label TEXT, papers INTEGER, concept TEXT);
CREATE TABLE IF NOT EXISTS pending (kind TEXT, id TEXT, PRIMARY KEY (kind, id));
"""
_CHUNK = 500  # ids per IN (...) list


@dataclass
class Changes:
    """What a ``decide`` changed, for the writer."""

    concepts: set[str] = field(default_factory=set)  # concepts to (re)write
    deleted_concepts: set[str] = field(default_factory=set)
    papers: set[str] = field(default_factory=set)  # papers whose layer must be rewritten
    relation_concepts: set[str] = field(default_factory=set)  # every relation of these, old ids included
    relation_pairs: set[tuple[str, str, str]] = field(default_factory=set)  # (head concept, rel, tail concept)

    @property
    def empty(self) -> bool:
        return not (
            self.concepts or self.deleted_concepts or self.papers or self.relation_concepts or self.relation_pairs
        )


class ResolutionState:
    """The state in one SQLite file (or ``":memory:"``)."""

    def __init__(self, path: Path | str):
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        if self._meta("rules") != RULES_VERSION:
            self.reset()
        self._dirty_groups: set[str] = set()
        self._dirty_acronyms: set[str] = set()  # short keys whose definitions changed
        self._dirty_evidence: set[tuple[str, str, str]] = set()
        self._read_papers: set[str] = set()

    def close(self) -> None:
        self.db.close()

    # -- the file -------------------------------------------------------------------------

    @property
    def stamp(self) -> str:
        """What papers read into a state of these rules carry in the store: the rules' version,
        the same for every state of them, so that equal corpora give equal graphs."""
        return RULES_VERSION

    def reset(self) -> None:
        """Forget everything: a new, empty state."""
        with self.transaction():
            for (table,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                self.db.execute(f"DELETE FROM {table}")
            self._set_meta("rules", RULES_VERSION)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def paper_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM papers").fetchone()[0]

    def holds(self, paper_ids: Iterable[str]) -> set[str]:
        """Those of ``paper_ids`` that the state has read."""
        found = set()
        for chunk in _chunks(sorted(set(paper_ids))):
            rows = self.db.execute(f"SELECT paper FROM papers WHERE paper IN ({_marks(chunk)})", chunk)
            found.update(row[0] for row in rows)
        return found

    # -- acronyms -------------------------------------------------------------------------

    def set_definitions(self, definitions_by_paper: Mapping[str, Sequence[readings.Definition]]) -> set[str]:
        """Replace these papers' acronym definitions; the short keys whose expansion changed."""
        touched = set()
        for chunk in _chunks(list(definitions_by_paper)):
            rows = self.db.execute(
                f"SELECT DISTINCT short_key FROM definitions WHERE paper IN ({_marks(chunk)})", chunk
            ).fetchall()
            touched.update(row[0] for row in rows)
            self.db.execute(f"DELETE FROM definitions WHERE paper IN ({_marks(chunk)})", chunk)
        rows = [
            (paper, d.short_key, d.short_form, d.long_key, d.long_group, d.long_display)
            for paper, found in definitions_by_paper.items()
            for d in found
        ]
        self.db.executemany("INSERT INTO definitions VALUES (?, ?, ?, ?, ?, ?)", rows)
        touched.update(row[1] for row in rows)
        self._dirty_acronyms |= touched
        return {short for short in touched if self._update_expansion(short)}

    def _update_expansion(self, short_key: str) -> bool:
        """Work out one short key's expansion again; whether it changed."""
        rows = self.db.execute(
            "SELECT long_key, long_group, long_display, short_form FROM definitions WHERE short_key = ?",
            (short_key,),
        ).fetchall()
        before = (
            self.db.execute(
                "SELECT long_key, grp, name_key FROM expansions WHERE short_key = ?", (short_key,)
            ).fetchone(),
            self.db.execute("SELECT long_forms FROM ambiguous WHERE short_key = ?", (short_key,)).fetchone(),
        )
        self.db.execute("DELETE FROM expansions WHERE short_key = ?", (short_key,))
        self.db.execute("DELETE FROM ambiguous WHERE short_key = ?", (short_key,))
        if rows:
            long_keys = Counter(row[0] for row in rows)
            clusters = _spelling_clusters(sorted(long_keys))
            sizes = sorted((sum(long_keys[key] for key in cluster), cluster[0]) for cluster in clusters)
            dominant = sizes[-1][0] >= DOMINANT_MIN_DEFINITIONS and sizes[-1][0] >= DOMINANT_SHARE * long_keys.total()
            if len(clusters) == 1 or dominant:
                cluster = next(c for c in clusters if c[0] == sizes[-1][1])
                long_key = min(cluster, key=lambda key: (-long_keys[key], key))
                group, display = next((row[1], row[2]) for row in sorted(rows) if row[0] == long_key)
                name_key = names.read_name(display).name_key
                self.db.execute("INSERT INTO expansions VALUES (?, ?, ?, ?)", (short_key, long_key, group, name_key))
            else:
                shown = min(row[3] for row in rows)
                displays = {row[0]: min(r[2] for r in rows if r[0] == row[0]) for row in rows}
                long_forms = sorted(displays[cluster[0]] for cluster in clusters)
                self.db.execute("INSERT INTO ambiguous VALUES (?, ?, ?)", (short_key, shown, json.dumps(long_forms)))
        after = (
            self.db.execute(
                "SELECT long_key, grp, name_key FROM expansions WHERE short_key = ?", (short_key,)
            ).fetchone(),
            self.db.execute("SELECT long_forms FROM ambiguous WHERE short_key = ?", (short_key,)).fetchone(),
        )
        return before != after

    def expansions(self, keys: Iterable[str]) -> dict[str, Expansion]:
        """The corpus-wide expansion of each of ``keys`` that is an unambiguous acronym."""
        found = {}
        for chunk in _chunks(sorted(set(keys))):
            for short, long_key, group, name_key in self.db.execute(
                f"SELECT short_key, long_key, grp, name_key FROM expansions WHERE short_key IN ({_marks(chunk)})", chunk
            ):
                found[short] = Expansion(long_key, group, name_key)
        return found

    def papers_using(self, short_keys: Iterable[str]) -> set[str]:
        """The papers that use one of ``short_keys`` bare (without defining it)."""
        found = set()
        for chunk in _chunks(sorted(set(short_keys))):
            rows = self.db.execute(f"SELECT DISTINCT paper FROM bare_keys WHERE key IN ({_marks(chunk)})", chunk)
            found.update(row[0] for row in rows)
        return found

    def ambiguous_acronyms(self) -> dict[str, list[str]]:
        return {shown: json.loads(forms) for shown, forms in self.db.execute("SELECT shown, long_forms FROM ambiguous")}

    # -- papers ---------------------------------------------------------------------------

    def replace_papers(self, paper_readings: Sequence[PaperReading]) -> None:
        """Put these papers' readings in place of what the state held for them."""
        self.remove_papers([reading.paper_id for reading in paper_readings])
        self.db.executemany(
            "INSERT INTO papers VALUES (?, ?, ?)",
            [(r.paper_id, r.proposed, json.dumps(dict(sorted(r.dropped.items())))) for r in paper_readings],
        )
        self.db.executemany(
            "INSERT INTO bare_keys VALUES (?, ?)",
            [(r.paper_id, key) for r in paper_readings for key in sorted(r.bare_keys)],
        )
        occurrences = [
            (
                r.paper_id,
                o.mention,
                o.group,
                str(o.vote),
                o.name_key,
                o.display,
                o.written,
                o.short_form,
                o.reason,
                int(o.named),
                o.cue,
                o.dropped_words,
            )
            for r in paper_readings
            for o in r.occurrences
        ]
        self.db.executemany("INSERT INTO occurrences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", occurrences)
        evidence = [
            (r.paper_id, e.head, str(e.rel), e.tail, e.sentence, e.confidence)
            for r in paper_readings
            for e in r.evidence
        ]
        self.db.executemany("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?)", evidence)
        self._dirty_groups.update(row[2] for row in occurrences)
        self._dirty_evidence.update((row[1], row[2], row[3]) for row in evidence)
        self._read_papers.update(r.paper_id for r in paper_readings)

    def remove_papers(self, paper_ids: Sequence[str]) -> None:
        for chunk in _chunks(list(paper_ids)):
            marks = _marks(chunk)
            self._dirty_groups.update(
                row[0]
                for row in self.db.execute(f"SELECT DISTINCT grp FROM occurrences WHERE paper IN ({marks})", chunk)
            )
            self._dirty_evidence.update(
                self.db.execute(f"SELECT DISTINCT head, rel, tail FROM evidence WHERE paper IN ({marks})", chunk)
            )
            for table in ("papers", "bare_keys", "occurrences", "evidence"):
                self.db.execute(f"DELETE FROM {table} WHERE paper IN ({marks})", chunk)
        self._read_papers.update(paper_ids)

    # -- decisions ------------------------------------------------------------------------

    def decide(self) -> Changes:
        """Re-decide the dirty groups and their concepts; what changed."""
        changes = Changes(papers=set(self._read_papers))
        dirty = self._dirty_groups
        old_concepts = self._concepts_of(dirty)
        affected = set(dirty) | self._groups_of(set(old_concepts.values()))
        tallies = self.tallies(affected)
        for group in sorted(dirty):
            self._decide_group(group, tallies.get(group))
        joined = self._join_long_forms(self._dirty_acronyms | self._acronyms_of(dirty))
        old_concepts |= self._concepts_of(joined - set(old_concepts))
        affected |= joined | self._groups_of(set(old_concepts.values()))
        tallies.update(self.tallies(affected - set(tallies)))
        new_members = self._components(affected)
        all_members = {group for members in new_members for group in members}
        before = self._concepts_of(all_members) | old_concepts
        old_names = self._names(set(before.values()))
        tallies.update(self.tallies(all_members - set(tallies)))
        assigned: dict[str, str] = {}
        renamed: set[str] = set()
        for members in new_members:
            concept = self._assemble(members, tallies)
            assigned.update((group, concept.id) for group in members)
            changes.concepts.add(concept.id)
            if old_names.get(concept.id, concept.name) != concept.name:
                renamed.update(members)  # a paper's layer (its results) names its concepts
        self.db.executemany("UPDATE groups SET concept = ? WHERE grp = ?", [(c, g) for g, c in assigned.items()])
        for group in (set(before) | all_members) - set(assigned):  # dropped or gone
            self.db.execute("UPDATE groups SET concept = NULL WHERE grp = ?", (group,))
        old_ids = {concept for concept in before.values() if concept}
        live = self._live_concepts(old_ids)
        changes.deleted_concepts = old_ids - live - changes.concepts
        for chunk in _chunks(sorted(changes.deleted_concepts)):
            self.db.execute(f"DELETE FROM concepts WHERE id IN ({_marks(chunk)})", chunk)
        moved = {group for group in set(before) | set(assigned) if before.get(group) != assigned.get(group)}
        changes.papers |= self._papers_of_groups(moved | renamed)
        changes.relation_concepts = {c for g in moved for c in (before.get(g), assigned.get(g)) if c}
        concept_of = self._concepts_of({g for triple in self._dirty_evidence for g in (triple[0], triple[2])})
        for head, rel, tail in self._dirty_evidence:
            if concept_of.get(head) and concept_of.get(tail) and concept_of[head] != concept_of[tail]:
                changes.relation_pairs.add((concept_of[head], rel, concept_of[tail]))
        self._dirty_groups, self._dirty_evidence, self._read_papers = set(), set(), set()
        self._dirty_acronyms = set()
        return changes

    def _acronyms_of(self, groups: set[str]) -> set[str]:
        """The short keys that some definition expands to one of ``groups``."""
        found: set[str] = set()
        for chunk in _chunks(sorted(groups)):
            rows = self.db.execute(
                f"SELECT DISTINCT short_key FROM definitions WHERE long_group IN ({_marks(chunk)})", chunk
            )
            found.update(row[0] for row in rows)
        return found

    def _join_long_forms(self, short_keys: set[str]) -> set[str]:
        """Join again, for each of ``short_keys``, the groups of its long forms that spell one name
        but for a model word after it ("vision language action", "vision language action model"):
        written apart, each paper's own definition sends its acronym to its own.  Returns the
        groups joined or parted."""
        touched: set[str] = set()
        for short_key in sorted(short_keys):
            touched.update(
                group
                for row in self.db.execute("SELECT a, b FROM long_forms WHERE short_key = ?", (short_key,))
                for group in row
            )
            self.db.execute("DELETE FROM long_forms WHERE short_key = ?", (short_key,))
            spelled: dict[tuple[int, str], list[str]] = {}
            for group, name_key in self.db.execute(
                "SELECT DISTINCT d.long_group, g.name_key FROM definitions d JOIN groups g ON g.grp = d.long_group "
                "WHERE d.short_key = ? ORDER BY d.long_group",
                (short_key,),
            ):
                for which, key in enumerate(_long_form_keys(name_key)):
                    spelled.setdefault((which, key), []).append(group)
            rows = sorted({(a, b, short_key) for groups in spelled.values() for a, b in zip(groups, groups[1:])})
            self.db.executemany("INSERT INTO long_forms VALUES (?, ?, ?)", rows)
            touched.update(group for row in rows for group in row[:2])
        return touched

    def tallies(self, groups: Iterable[str]) -> dict[str, GroupTally]:
        """Every occurrence of each of ``groups``, counted."""
        found: dict[str, GroupTally] = {}
        for chunk in _chunks(sorted(set(groups))):
            rows = self.db.execute(
                "SELECT grp, vote, name_key, display, written, short_form, reason, named, cue, dropped_words, "
                f"count(*) FROM occurrences WHERE grp IN ({_marks(chunk)}) "
                "GROUP BY grp, vote, name_key, display, written, short_form, reason, named, cue, dropped_words",
                chunk,
            )
            for group, vote, name_key, display, written, short_form, reason, named, cue, dropped_words, n in rows:
                tally = found.setdefault(group, GroupTally(group))
                if vote.startswith(UNTYPED):
                    tally.untyped[vote[len(UNTYPED) :]] += n
                else:
                    tally.votes[Label(vote)] += n
                tally.name_keys[name_key] += n
                if cue:
                    tally.cues[cue] += n
                if reason == SELF_REFERENCE:
                    tally.self_references[written] += n
                    continue
                tally.writings += n
                tally.named += n * named
                tally.written[written] += n
                if display:
                    tally.displays[display] += n
                if short_form:
                    tally.short_forms[short_form] += n
                if reason == ACRONYM:
                    tally.acronym_uses[(written, name_key)] += n
                if dropped_words:
                    tally.generic_words[(written, display or written, dropped_words)] += n
        return found

    def _decide_group(self, group: str, tally: GroupTally | None) -> None:
        """A dirty group's label, and its spelling variants where its name key changed."""
        row = self.db.execute("SELECT name_key FROM groups WHERE grp = ?", (group,)).fetchone()
        if tally is None:  # no occurrence left
            self.db.execute("DELETE FROM groups WHERE grp = ?", (group,))
            self.db.execute("DELETE FROM variants WHERE a = ? OR b = ?", (group, group))
            return
        decision = decisions.decide_label(tally, known_names.known_name(group))
        name_key = tally.name_key
        self.db.execute(
            "INSERT INTO groups VALUES (?, ?, NULL, ?, ?, ?, ?) ON CONFLICT (grp) DO UPDATE SET "
            "label = excluded.label, name_key = excluded.name_key, prefix = excluded.prefix, "
            "suffix = excluded.suffix, decision = excluded.decision",
            (
                group,
                decision.label and str(decision.label),
                name_key,
                name_key[:BLOCK_AFFIX],
                name_key[-BLOCK_AFFIX:],
                json.dumps([decision.reason, decision.share]),
            ),
        )
        if row is None or row[0] != name_key:
            self._find_variants(group, name_key)

    def _find_variants(self, group: str, name_key: str) -> None:
        """The groups whose name keys spell the same concept as ``name_key``: compared only within
        blocks of keys that share their first or last ``BLOCK_AFFIX`` characters.  At a ratio of 92
        two keys differ by one or two characters, so a variant is missed only when its differences
        touch both ends of the key."""
        self.db.execute("DELETE FROM variants WHERE a = ? OR b = ?", (group, group))
        if len(name_key) < FUZZY_MIN_KEY_LENGTH:
            return
        longest = len(name_key) * (200 - FUZZY_MIN_RATIO) / FUZZY_MIN_RATIO
        shortest = len(name_key) * FUZZY_MIN_RATIO / (200 - FUZZY_MIN_RATIO)
        candidates = dict(
            self.db.execute(
                "SELECT name_key, grp FROM groups WHERE (prefix = ? OR suffix = ?) AND grp <> ? "
                "AND length(name_key) BETWEEN ? AND ?",
                (name_key[:BLOCK_AFFIX], name_key[-BLOCK_AFFIX:], group, shortest, longest),
            ).fetchall()
        )
        close = process.extract(name_key, list(candidates), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO, limit=None)
        rows = []
        for other_key, _, _ in close:
            score = decisions.is_spelling_variant(name_key, other_key)
            if score is not None:
                a, b = sorted((group, candidates[other_key]))
                rows.append((a, b, score))
        self.db.executemany("INSERT OR REPLACE INTO variants VALUES (?, ?, ?)", rows)

    def _components(self, seeds: set[str]) -> list[list[str]]:
        """The concepts (groups of one label joined by spelling variants) that ``seeds`` belong to."""
        labels = self._labels(seeds)
        seen: set[str] = set()
        components = []
        for seed in sorted(seeds):
            if seed in seen or not labels.get(seed):
                continue
            members, frontier = {seed}, [seed]
            while frontier:
                group = frontier.pop()
                neighbours = [
                    row[0]
                    for row in self.db.execute(
                        "SELECT b FROM variants WHERE a = ? UNION SELECT a FROM variants WHERE b = ? "
                        "UNION SELECT b FROM long_forms WHERE a = ? UNION SELECT a FROM long_forms WHERE b = ?",
                        (group, group, group, group),
                    )
                ]
                labels.update(self._labels(set(neighbours) - labels.keys()))
                for neighbour in neighbours:
                    if neighbour not in members and labels.get(neighbour) == labels[seed]:
                        members.add(neighbour)
                        frontier.append(neighbour)
            seen |= members
            components.append(sorted(members))
        return components

    def _assemble(self, members: list[str], tallies: Mapping[str, GroupTally]) -> Concept:
        decided = []
        for group in members:
            label, decision = self.db.execute("SELECT label, decision FROM groups WHERE grp = ?", (group,)).fetchone()
            reason, share = json.loads(decision)
            decided.append(
                GroupDecision(
                    tallies[group], decisions.LabelDecision(Label(label), reason, share), known_names.known_name(group)
                )
            )
        marks = _marks(members)
        defined = Counter(
            dict(
                self.db.execute(
                    f"SELECT short_form, count(*) FROM definitions WHERE long_group IN ({marks}) GROUP BY short_form",
                    members,
                ).fetchall()
            )
        )
        name_key_of = {group: tallies[group].name_key for group in members}
        variants = [
            (name_key_of[a], name_key_of[b], score)
            for a, b, score in self.db.execute(
                f"SELECT a, b, score FROM variants WHERE a IN ({marks}) AND b IN ({marks})", members + members
            )
        ]
        long_forms = [
            (name_key_of[a], name_key_of[b])
            for a, b in self.db.execute(
                f"SELECT DISTINCT a, b FROM long_forms WHERE a IN ({marks}) AND b IN ({marks})", members + members
            )
        ]
        concept = decisions.assemble_concept(decided, variants, defined, long_forms)
        papers = self.db.execute(
            f"SELECT count(DISTINCT paper) FROM occurrences WHERE grp IN ({marks})", members
        ).fetchone()[0]
        self.db.execute(
            "INSERT OR REPLACE INTO concepts VALUES (?, ?, ?, ?)",
            (concept.id, str(concept.label), papers, json.dumps(_concept_json(concept))),
        )
        return concept

    # -- reading what is decided -----------------------------------------------------------

    def concept_rows(self, ids: Iterable[str]) -> dict[str, tuple[Concept, int]]:
        """Each concept of ``ids`` that exists, with its number of papers."""
        found = {}
        for chunk in _chunks(sorted(set(ids))):
            for concept_id, papers, data in self.db.execute(
                f"SELECT id, papers, concept FROM concepts WHERE id IN ({_marks(chunk)})", chunk
            ):
                found[concept_id] = (_concept_from_json(json.loads(data)), papers)
        return found

    def all_concept_ids(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM concepts ORDER BY id")]

    def concepts_of_papers(self, paper_ids: Sequence[str]) -> dict[str, dict[int, str]]:
        """paper id -> mention index -> concept id, for the mentions that resolve to a concept."""
        found: dict[str, dict[int, str]] = defaultdict(dict)
        for chunk in _chunks(list(paper_ids)):
            for paper, mention, concept in self.db.execute(
                "SELECT o.paper, o.mention, g.concept FROM occurrences o JOIN groups g ON g.grp = o.grp "
                f"WHERE o.paper IN ({_marks(chunk)}) AND g.concept IS NOT NULL",
                chunk,
            ):
                found[paper][mention] = concept
        return found

    def proposed(self, paper_ids: Sequence[str]) -> dict[str, int]:
        found = {}
        for chunk in _chunks(list(paper_ids)):
            rows = self.db.execute(
                f"SELECT paper, proposed FROM papers WHERE paper IN ({_marks(chunk)}) AND proposed IS NOT NULL", chunk
            )
            found.update(dict(rows.fetchall()))
        return found

    def relation_rows(
        self, concepts: Iterable[str] = (), pairs: Iterable[tuple[str, str, str]] = ()
    ) -> dict[tuple[str, str, str], dict]:
        """The relations of ``concepts`` (every one with them at either end) and of ``pairs``
        ((head, rel, tail) concept ids): (head, rel, tail) -> papers, evidence, confidence."""
        support: dict[tuple[str, str, str], dict] = {}

        def add(rows: Iterable[tuple]) -> None:
            for paper, head, rel, tail, sentence, confidence in rows:
                if head is None or tail is None or head == tail:
                    continue
                row = support.setdefault((head, rel, tail), {"papers": set(), "evidence": [], "confidence": 0.0})
                row["papers"].add(paper)
                row["evidence"].append((paper, sentence))
                row["confidence"] = max(row["confidence"], confidence)

        select = (
            "SELECT e.paper, gh.concept, e.rel, gt.concept, e.sentence, e.confidence FROM evidence e "
            "JOIN groups gh ON gh.grp = e.head JOIN groups gt ON gt.grp = e.tail "
        )
        for chunk in _chunks(sorted(set(concepts))):
            marks = _marks(chunk)
            add(self.db.execute(select + f"WHERE gh.concept IN ({marks})", chunk))
            add(
                self.db.execute(
                    select + f"WHERE gt.concept IN ({marks}) AND gh.concept NOT IN ({marks})", chunk + chunk
                )
            )
        wanted = set(pairs) - set(support)
        by_head: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        for pair in wanted:
            by_head[pair[0]].add(pair)
        for chunk in _chunks(sorted(by_head)):
            rows = self.db.execute(select + f"WHERE gh.concept IN ({_marks(chunk)})", chunk).fetchall()
            add(row for row in rows if (row[1], row[2], row[3]) in wanted)
        rows = {}
        for key, row in support.items():
            evidence = sorted(row["evidence"])
            rows[key] = {
                "papers": sorted(row["papers"]),
                "evidence": [f"{paper}:{sentence}" for paper, sentence in evidence],
                "confidence": row["confidence"],
            }
        return rows

    def totals(self) -> dict:
        """Papers, mentions resolved, concepts per label and relations, in the whole state."""
        mentions = self.db.execute(
            "SELECT count(*) FROM occurrences o JOIN groups g ON g.grp = o.grp WHERE g.concept IS NOT NULL"
        ).fetchone()[0]
        relations = self.db.execute(
            "SELECT count(*) FROM (SELECT DISTINCT gh.concept, e.rel, gt.concept FROM evidence e "
            "JOIN groups gh ON gh.grp = e.head JOIN groups gt ON gt.grp = e.tail "
            "WHERE gh.concept IS NOT NULL AND gt.concept IS NOT NULL AND gh.concept <> gt.concept)"
        ).fetchone()[0]
        concepts = dict(
            self.db.execute("SELECT label, count(*) FROM concepts GROUP BY label ORDER BY label").fetchall()
        )
        return {"papers": self.paper_count(), "mentions": mentions, "concepts": concepts, "relations": relations}

    def dropped(self) -> dict[str, int]:
        """Mentions left out of the graph: by SciERC type, and those of names no label was left for."""
        counts: Counter[str] = Counter()
        for (data,) in self.db.execute("SELECT dropped FROM papers"):
            counts.update(json.loads(data))
        for vote, n in self.db.execute(
            "SELECT o.vote, count(*) FROM occurrences o JOIN groups g ON g.grp = o.grp WHERE g.label IS NULL "
            "GROUP BY o.vote"
        ):
            counts[vote[len(UNTYPED) :] if vote.startswith(UNTYPED) else NOT_A_NAMED_DATASET] += n
        return dict(sorted(counts.items()))

    def label_decisions(self) -> dict[str, int]:
        """How many names each rule decided, for the concept report."""
        counts: Counter[str] = Counter()
        for label, decision in self.db.execute("SELECT label, decision FROM groups"):
            reason = json.loads(decision)[0]
            counts[f"left out: {reason}" if label is None else reason or "one label given"] += 1
        return dict(sorted(counts.items()))

    # -- the write set of a sync -----------------------------------------------------------

    def add_pending(self, changes: Changes) -> None:
        rows = [("concept", c) for c in changes.concepts]
        rows += [("deleted", c) for c in changes.deleted_concepts]
        rows += [("paper", p) for p in changes.papers]
        rows += [("relations", c) for c in changes.relation_concepts]
        rows += [("pair", json.dumps(pair)) for pair in changes.relation_pairs]
        self.db.executemany("INSERT OR IGNORE INTO pending VALUES (?, ?)", rows)

    def pending(self) -> Changes:
        changes = Changes()
        for kind, value in self.db.execute("SELECT kind, id FROM pending"):
            if kind == "pair":
                changes.relation_pairs.add(tuple(json.loads(value)))
            else:
                {
                    "concept": changes.concepts,
                    "deleted": changes.deleted_concepts,
                    "paper": changes.papers,
                    "relations": changes.relation_concepts,
                }[kind].add(value)
        return changes

    def clear_pending(self) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM pending")

    # -- helpers ----------------------------------------------------------------------------

    def _concepts_of(self, groups: Iterable[str]) -> dict[str, str]:
        found = {}
        for chunk in _chunks(sorted(set(groups))):
            rows = self.db.execute(
                f"SELECT grp, concept FROM groups WHERE grp IN ({_marks(chunk)}) AND concept IS NOT NULL", chunk
            )
            found.update(dict(rows.fetchall()))
        return found

    def _groups_of(self, concepts: set[str]) -> set[str]:
        found = set()
        for chunk in _chunks(sorted(concepts)):
            rows = self.db.execute(f"SELECT grp FROM groups WHERE concept IN ({_marks(chunk)})", chunk)
            found.update(row[0] for row in rows)
        return found

    def _labels(self, groups: set[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for chunk in _chunks(sorted(groups)):
            rows = self.db.execute(f"SELECT grp, label FROM groups WHERE grp IN ({_marks(chunk)})", chunk)
            found.update(dict(rows.fetchall()))
        return found

    def _names(self, concepts: set[str]) -> dict[str, str]:
        return {concept_id: concept.name for concept_id, (concept, _) in self.concept_rows(concepts).items()}

    def _live_concepts(self, concepts: set[str]) -> set[str]:
        found = set()
        for chunk in _chunks(sorted(concepts)):
            rows = self.db.execute(f"SELECT DISTINCT concept FROM groups WHERE concept IN ({_marks(chunk)})", chunk)
            found.update(row[0] for row in rows)
        return found

    def _papers_of_groups(self, groups: set[str]) -> set[str]:
        found = set()
        for chunk in _chunks(sorted(groups)):
            rows = self.db.execute(f"SELECT DISTINCT paper FROM occurrences WHERE grp IN ({_marks(chunk)})", chunk)
            found.update(row[0] for row in rows)
        return found


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _marks(values: Sequence) -> str:
    return ", ".join("?" * len(values))


def _spelling_clusters(keys: list[str]) -> list[list[str]]:
    """Long forms that spell one name: the same compact key, or spelling variants."""
    clusters: list[list[str]] = []
    for key in keys:
        home = next(
            (c for c in clusters if any(_same_spelling(key, member) for member in c)),
            None,
        )
        if home is None:
            clusters.append([key])
        else:
            home.append(key)
    return clusters


def _long_form_keys(key: str) -> tuple[str, str, str]:
    """What two long forms of one acronym that spell one name share, any of three keys:

    - the compact key: the words run together ("Variational Auto-Encoder", "Variational
      Autoencoder"), and the same without a model word after the name ("Vision Language Action",
      "Vision-Language-Action Models"; "multi-modal", "multimodal large language models");
    - the stem key: the stems of the words (Snowball's English stemmer) run together, without a
      model word after them or a linking word between them: "Reinforcement Learning with
      Verifiable Rewards", "... from Verifiable Rewards" and "... with Verified Rewards";
      "Standard" and "Standardized Operating Procedures".

    Long forms that differ in a word's stem share none of them: "contrastive"/"continual learning",
    "test-time adaptation"/"augmentation"."""
    name = normalize.compact_parts(names.without_model_word(key))
    stems = _STEMMER.stemWords([word for word in name if word not in _LINKING_WORDS])
    return normalize.compact_name(key), "".join(name), "".join(stems) or "".join(name)


def _same_spelling(a: str, b: str) -> bool:
    """Two long forms of one acronym that spell one name (``_long_form_keys``), or spelling variants."""
    return any(x == y for x, y in zip(_long_form_keys(a), _long_form_keys(b))) or (
        decisions.is_spelling_variant(names.without_model_word(a), names.without_model_word(b)) is not None
    )


def _concept_json(concept: Concept) -> dict:
    return {
        "id": concept.id,
        "label": str(concept.label),
        "name": concept.name,
        "key": concept.key,
        "aliases": list(concept.aliases.items()),
        "acronym": concept.acronym,
        "merge_reasons": concept.merge_reasons,
        "specificity": concept.specificity,
        "generic": concept.generic,
    }


def _concept_from_json(data: dict) -> Concept:
    return Concept(
        data["id"],
        Label(data["label"]),
        data["name"],
        data["key"],
        dict(data["aliases"]),
        data["acronym"],
        data["merge_reasons"],
        data["specificity"],
        data["generic"],
    )
