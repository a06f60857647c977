"""Concept resolution over papers held in memory: one node per concept across the corpus.

``resolve`` reads every paper (``ingest.resolution.readings``), puts the
readings in a state of its own (``ingest.resolution.state``, in memory) and
lets it decide every group (``ingest.resolution.decisions``): the same rules,
and the same result, as the concept layer's sync over a store
(``ingest.concept_layer``), which keeps its state on disk and re-decides only
what an ingest touches.  See ``ingest.resolution`` for the stages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ingest.claims import contribution_spans
from ingest.records import ConceptRelation, Mention, Resolution
from ingest.resolution.readings import acronym_keys, definitions_of, read_paper
from ingest.resolution.state import NOT_A_NAMED_DATASET, ResolutionState

__all__ = ["NOT_A_NAMED_DATASET", "least_sure_merges", "resolve", "resolution_of_state"]

PaperMentions = tuple[str, str, Sequence[Mention]]  # paper id, abstract, its mentions


def resolve(
    papers: Iterable[PaperMentions],
    titles: Mapping[str, str] | None = None,
    contributions: Mapping[str, Sequence[tuple[int, int]]] | None = None,
    relations: Mapping[str, Sequence[ConceptRelation]] | None = None,
) -> Resolution:
    """Resolve every paper's mentions to corpus-wide concepts.

    ``titles`` (paper id -> title) lets a "Name: ..." title say what a paper proposes.
    ``contributions`` (paper id -> ``claims.contribution_spans`` of its abstract) saves finding
    them again where they are known (``ingest.paper_analysis``).
    """
    papers = list(papers)
    titles, contributions, relations = titles or {}, contributions or {}, relations or {}
    state = ResolutionState(":memory:")
    with state.transaction():
        state.set_definitions({paper_id: definitions_of(abstract) for paper_id, abstract, _ in papers})
        expansions = state.expansions(acronym_keys(m.text for _, _, mentions in papers for m in mentions))
        state.replace_papers(
            [
                read_paper(
                    paper_id,
                    titles.get(paper_id, ""),
                    abstract,
                    mentions,
                    relations.get(paper_id, ()),
                    contributions[paper_id] if paper_id in contributions else contribution_spans(abstract),
                    expansions,
                )
                for paper_id, abstract, mentions in papers
            ]
        )
        state.decide()
    return resolution_of_state(state, {paper_id: mentions for paper_id, _, mentions in papers})


def resolution_of_state(state: ResolutionState, mentions_of: Mapping[str, Sequence[Mention]]) -> Resolution:
    """The state's concepts, with ``concept_of`` and ``proposed`` for the papers in ``mentions_of``."""
    concepts = {concept_id: concept for concept_id, (concept, _) in state.concept_rows(state.all_concept_ids()).items()}
    paper_ids = sorted(mentions_of)
    concept_of = {
        (paper_id, mentions_of[paper_id][index]): concept_id
        for paper_id, by_mention in state.concepts_of_papers(paper_ids).items()
        for index, concept_id in by_mention.items()
    }
    proposed = {
        paper_id: concept_of[(paper_id, mentions_of[paper_id][index])]
        for paper_id, index in state.proposed(paper_ids).items()
        if (paper_id, mentions_of[paper_id][index]) in concept_of
    }
    return Resolution(concepts, concept_of, proposed, state.ambiguous_acronyms(), state.dropped())


def least_sure_merges(resolution: Resolution, n: int = 10) -> list[dict]:
    """The scored merges (fuzzy spelling, a label decided by a vote), weakest first.  The
    acronyms resolution did not dare to merge are in ``resolution.ambiguous_acronyms``."""
    scored = [
        {"concept": concept.id, **reason}
        for concept in resolution.concepts.values()
        for reason in concept.merge_reasons
        if reason["score"] is not None
    ]
    return sorted(scored, key=lambda merge: (merge["score"], merge["concept"], merge["from"]))[:n]
