"""A report on resolved concepts: counts, the most-mentioned, the least-sure merges,
how each name got its one label, and which concepts are generic.

``papergraph concept-report`` prints it for the store's resolution (``ingest.concept_layer.
stored_resolution``); ``print_concept_report(resolve(papers, titles))`` for papers in memory.
"""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from graph_schema.schema import CONCEPT_LABELS, Label
from ingest.records import Concept, Resolution
from ingest.resolve import least_sure_merges

TOP_LABELS = (Label.METHOD, Label.TASK, Label.DATASET, Label.METRIC)
_RULES = {
    "one label given": "every mention had the same label",
    "majority-label": "mentions under several labels: the majority's",
    "usage": "mentions under several labels: decided by usage ('trained on X', 'X backbone')",
    "known name": "a known dataset or model (ingest/known_names)",
}


def mentions_and_concepts_by_label(resolution: Resolution) -> dict[str, tuple[int, int]]:
    """Label -> (mentions resolved to it, concepts of it)."""
    mentions: Counter[str] = Counter()
    for concept in resolution.concepts.values():
        mentions[concept.label] += concept.mention_count  # written mentions: self-references are not counted
    concepts = Counter(concept.label for concept in resolution.concepts.values())
    return {str(label): (mentions[label], concepts[label]) for label in CONCEPT_LABELS}


def most_mentioned(resolution: Resolution, label: Label, n: int = 30) -> list[Concept]:
    of_label = [concept for concept in resolution.concepts.values() if concept.label == label]
    return sorted(of_label, key=lambda concept: (-concept.mention_count, concept.name))[:n]


def print_concept_report(
    resolution: Resolution,
    console: Console | None = None,
    top: int = 30,
    unsure: int = 10,
    label_decisions: dict[str, int] | None = None,
) -> None:
    """``label_decisions``: how many names each rule gave their one label (``ResolutionState.label_decisions``)."""
    console = console or Console()
    counts = Table(title="Mentions -> concepts")
    for column in ("label", "mentions", "concepts", "mentions per concept"):
        counts.add_column(column)
    for label, (mentions, concepts) in mentions_and_concepts_by_label(resolution).items():
        counts.add_row(label, str(mentions), str(concepts), f"{mentions / concepts:.2f}" if concepts else "-")
    for scierc_type, dropped in sorted(resolution.dropped.items()):
        counts.add_row(f"dropped {scierc_type}", str(dropped), "-", "-")
    console.print(counts)

    for label in TOP_LABELS:
        table = Table(title=f"{top} most-mentioned {label}s")
        for column in ("mentions", "name", "acronym", "specificity", "aliases"):
            table.add_column(column)
        for concept in most_mentioned(resolution, label, top):
            aliases = ", ".join(concept.aliases)
            specificity = f"{concept.specificity:.2f}" + (" generic" if concept.generic else "")
            table.add_row(str(concept.mention_count), concept.name, concept.acronym or "", specificity, aliases)
        console.print(table)

    if label_decisions:
        decided = Table(title="One name, one label: how each name got its label")
        for column in ("rule", "names"):
            decided.add_column(column)
        for rule, n in sorted(label_decisions.items(), key=lambda item: -item[1]):
            decided.add_row(_RULES.get(rule, rule), f"{n:,}")
        console.print(decided)
    generic = Counter(concept.label for concept in resolution.concepts.values() if concept.generic)
    if generic:
        console.print(
            "generic concepts (kept and searchable, never leading a list): "
            + ", ".join(f"{generic[label]:,} {label}" for label in TOP_LABELS if generic[label])
        )

    merges = Table(title=f"{unsure} least-sure merges")
    for column in ("score", "reason", "from", "to", "concept"):
        merges.add_column(column)
    for merge in least_sure_merges(resolution, unsure):
        score = "-" if merge["score"] is None else f"{merge['score']:.1f}"
        merges.add_row(score, merge["reason"], merge["from"], merge["to"], merge["concept"] or "")
    console.print(merges)

    if resolution.ambiguous_acronyms:
        kept_apart = Table(title="Acronyms defined two or more ways (their bare uses are kept apart)")
        for column in ("acronym", "long forms"):
            kept_apart.add_column(column)
        for short, longs in sorted(resolution.ambiguous_acronyms.items()):
            kept_apart.add_row(short, " | ".join(longs))
        console.print(kept_apart)
