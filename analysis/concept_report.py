"""A report on resolved concepts, for the issue note: no store needed.

from analysis.concept_report import print_concept_report
print_concept_report(resolve(papers, titles))
"""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from graph_schema.schema import CONCEPT_LABELS, Label
from ingest.records import Concept, Resolution
from ingest.resolve import least_sure_merges

TOP_LABELS = (Label.METHOD, Label.TASK, Label.DATASET, Label.METRIC)


def mentions_and_concepts_by_label(resolution: Resolution) -> dict[str, tuple[int, int]]:
    """Label -> (mentions resolved to it, concepts of it)."""
    label_of = {concept.id: concept.label for concept in resolution.concepts.values()}
    mentions = Counter(label_of[concept_id] for concept_id in resolution.concept_of.values())
    concepts = Counter(concept.label for concept in resolution.concepts.values())
    return {str(label): (mentions[label], concepts[label]) for label in CONCEPT_LABELS}


def most_mentioned(resolution: Resolution, label: Label, n: int = 30) -> list[Concept]:
    of_label = [concept for concept in resolution.concepts.values() if concept.label == label]
    return sorted(of_label, key=lambda concept: (-concept.mention_count, concept.name))[:n]


def print_concept_report(
    resolution: Resolution, console: Console | None = None, top: int = 30, unsure: int = 10
) -> None:
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
        for column in ("mentions", "name", "acronym", "aliases"):
            table.add_column(column)
        for concept in most_mentioned(resolution, label, top):
            aliases = ", ".join(concept.aliases)
            table.add_row(str(concept.mention_count), concept.name, concept.acronym or "", aliases)
        console.print(table)

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
