"""The one definition of papergraph's graph: labels, relationship types, keys.

Nothing else in papergraph spells a label or a relationship type as a string
literal; it imports them from here.  Constraints and indexes are declared here
as data and created by ``graph_schema.store`` through ``graph_schema.dialect``,
the single place where ArcadeDB's Cypher differs from Neo4j's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Label(StrEnum):
    PAPER = "Paper"
    METHOD = "Method"
    TASK = "Task"
    DATASET = "Dataset"
    METRIC = "Metric"
    CLAIM = "Claim"
    SOURCE = "Source"


# The labels of extracted concepts: what MENTIONS, relations and
# PREDICTED_LINK connect to papers and to each other.
CONCEPT_LABELS: tuple[Label, ...] = (Label.METHOD, Label.TASK, Label.DATASET, Label.METRIC)


class Rel(StrEnum):
    LISTED_IN = "LISTED_IN"  # (:Paper)-[:LISTED_IN {lines}]->(:Source)
    MENTIONS = "MENTIONS"  # (:Paper)-[:MENTIONS {sentence, start, end, text, confidence}]->(concept)
    # Relations between concepts, mapped from SciERC's relation types.
    USED_FOR = "USED_FOR"
    EVALUATED_ON = "EVALUATED_ON"
    COMPARED_WITH = "COMPARED_WITH"
    PART_OF = "PART_OF"
    HYPONYM_OF = "HYPONYM_OF"
    FEATURE_OF = "FEATURE_OF"
    CONJUNCTION = "CONJUNCTION"
    # Claims.
    CLAIMS = "CLAIMS"  # (:Paper)-[:CLAIMS]->(:Claim)
    ABOUT = "ABOUT"  # (:Claim)-[:ABOUT]->(:Method)
    ON = "ON"  # (:Claim)-[:ON]->(:Dataset|:Task)
    MEASURED_BY = "MEASURED_BY"  # (:Claim)-[:MEASURED_BY]->(:Metric)
    # Learned, never mixed with extracted facts.
    PREDICTED_LINK = "PREDICTED_LINK"


CONCEPT_RELATIONS: tuple[Rel, ...] = (
    Rel.USED_FOR,
    Rel.EVALUATED_ON,
    Rel.COMPARED_WITH,
    Rel.PART_OF,
    Rel.HYPONYM_OF,
    Rel.FEATURE_OF,
    Rel.CONJUNCTION,
)

# Concept properties that say how specific a concept is (set by ingest's resolution):
# SPECIFICITY in [0, 1], high for "ImageNet", "LoRA", "object detection", low for "model",
# "classifier", "neural networks"; GENERIC is true below resolution's threshold.  Generic
# concepts stay in the graph and findable, but never lead a list, a "start here" or a
# link-prediction target.
SPECIFICITY = "specificity"
GENERIC = "generic"

# Every node has this property, unique within its label and derived from
# content (see ingest.normalize), so that re-ingesting never duplicates.
ID = "id"


# Bookkeeping nodes (``graph_schema.corpus_state``): what later work has seen of the papers, and
# the corpus totals the pages read.  Not a ``Label``: no page lists them and no export includes them.
CORPUS_STATE = "CorpusState"


@dataclass(frozen=True)
class Index:
    label: Label | str
    prop: str


UNIQUE_IDS: tuple[Index, ...] = (*(Index(label, ID) for label in Label), Index(CORPUS_STATE, ID))

# The period (a year, "2024"; a month, "2024-05") each paper was counted in by analysis.aggregates.
COUNTED_YEAR = "counted_year"
COUNTED_MONTH = "counted_month"

LOOKUP_INDEXES: tuple[Index, ...] = (
    Index(Label.PAPER, "title"),
    Index(Label.PAPER, "year"),  # trends over time
    Index(Label.PAPER, COUNTED_YEAR),  # a period's papers, when its co-mentions are ranked again
    Index(Label.PAPER, COUNTED_MONTH),
    Index(Label.PAPER, "arxiv_id"),
    *(Index(label, "name") for label in CONCEPT_LABELS),
    Index(Label.SOURCE, "name"),
)

# Full-text indexes back the search box.  They cover a property of their own,
# SEARCH_TEXT (a paper's title and abstract; a concept's name and aliases),
# because ArcadeDB allows one index per property and ``title``/``name``
# already carry lookup indexes.
SEARCH_TEXT = "search_text"
FULLTEXT_INDEXES: tuple[Index, ...] = tuple(Index(label, SEARCH_TEXT) for label in (Label.PAPER, *CONCEPT_LABELS))
