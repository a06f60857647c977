"""Generated graphs with known structure, for tests, benchmarks and reports.

Nothing here downloads data: every graph is drawn from a seeded generator.
"""

from __future__ import annotations

import random

import numpy as np
import torch
from torch_geometric.data import HeteroData


def citation_like_graph(
    num_nodes: int,
    *,
    num_blocks: int = 7,
    mean_references: float = 2.0,
    same_block_probability: float = 0.85,
    copy_probability: float = 0.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """A growing citation graph with topics: returns ``(edges (E, 2), block of each node)``.

    Papers arrive one at a time and cite earlier ones.  A reference is either
    copied from the references and citers of a paper already cited (which
    closes triangles, as real bibliographies do) or drawn from earlier papers
    of the same topic with probability ``same_block_probability``, in
    proportion to their degree (preferential attachment gives the heavy-tailed
    degrees of citation networks).  With the defaults, 2,700 nodes give about
    5,400 edges, like Cora.
    """
    rand = random.Random(seed)
    block = np.array([rand.randrange(num_blocks) for _ in range(num_nodes)])
    # Each node appears once per edge end plus once, so a uniform draw from
    # a block's list is proportional to degree + 1.
    attachment_pool: list[list[int]] = [[] for _ in range(num_blocks)]
    neighbours: list[list[int]] = [[] for _ in range(num_nodes)]
    edges: list[tuple[int, int]] = []
    for paper in range(num_nodes):
        wanted = min(paper, 1 + _poisson(rand, mean_references - 1.0))
        references: list[int] = []
        for _attempt in range(4 * wanted):
            if len(references) == wanted:
                break
            cited = _draw_reference(
                rand,
                references,
                neighbours,
                attachment_pool,
                block[paper],
                num_blocks,
                paper,
                same_block_probability,
                copy_probability,
            )
            if cited is not None and cited != paper and cited not in references:
                references.append(cited)
        for cited in references:
            edges.append((paper, cited))
            neighbours[paper].append(cited)
            neighbours[cited].append(paper)
            attachment_pool[block[cited]].append(cited)
        attachment_pool[block[paper]].append(paper)
    return np.array(edges, dtype=np.int64).reshape(-1, 2), block


def _draw_reference(
    rand,
    references,
    neighbours,
    attachment_pool,
    own_block,
    num_blocks,
    paper,
    same_block_probability,
    copy_probability,
) -> int | None:
    if references and rand.random() < copy_probability:
        seen_through = neighbours[rand.choice(references)]
        return rand.choice(seen_through) if seen_through else None
    topic = own_block if rand.random() < same_block_probability else rand.randrange(num_blocks)
    pool = attachment_pool[topic]
    return rand.choice(pool) if pool else rand.randrange(paper)


def _poisson(rand: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means used here.
    limit, count, product = np.exp(-mean), 0, rand.random()
    while product > limit:
        count += 1
        product *= rand.random()
    return count


def block_features(block: np.ndarray, *, dim: int = 32, signal: float = 1.0, seed: int = 0) -> np.ndarray:
    """Noisy node features correlated with the blocks: a per-block centre plus unit Gaussian noise.

    ``signal`` is the length of each centre, so 0 gives pure noise.
    """
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((int(block.max()) + 1, dim))
    centres *= signal / np.linalg.norm(centres, axis=1, keepdims=True)
    return (centres[block] + rng.standard_normal((len(block), dim)) / np.sqrt(dim)).astype(np.float32)


def paper_concept_graph(
    num_papers: int,
    *,
    num_methods: int = 60,
    num_tasks: int = 20,
    num_datasets: int = 30,
    num_topics: int = 5,
    same_topic_probability: float = 0.85,
    feature_dim: int = 16,
    seed: int = 0,
) -> HeteroData:
    """A papergraph-shaped ``HeteroData`` with topics, without reverse edge types.

    Each paper mentions one or two methods, tasks and datasets, mostly of its
    own topic and favouring popular ones (Zipf weights).  A method is
    ``USED_FOR`` a task and ``EVALUATED_ON`` a dataset with probability 1/2
    for each paper that mentions both.  Papers carry noisy topic features.
    """
    from graph_schema.schema import Label, Rel

    rng = np.random.default_rng(seed)
    concept_counts = {Label.METHOD: num_methods, Label.TASK: num_tasks, Label.DATASET: num_datasets}
    paper_topic = rng.integers(num_topics, size=num_papers)
    concept_topic = {label: rng.integers(num_topics, size=count) for label, count in concept_counts.items()}
    popularity = {label: 1.0 / np.arange(1, count + 1) for label, count in concept_counts.items()}
    mentions: dict[Label, list[tuple[int, int]]] = {label: [] for label in concept_counts}
    for paper in range(num_papers):
        for label in concept_counts:
            topic = paper_topic[paper] if rng.random() < same_topic_probability else rng.integers(num_topics)
            weights = popularity[label] * (concept_topic[label] == topic) + 1e-9
            for concept in rng.choice(len(weights), size=rng.integers(1, 3), p=weights / weights.sum()):
                mentions[label].append((paper, int(concept)))
    data = HeteroData()
    data[Label.PAPER].x = torch.as_tensor(block_features(paper_topic, dim=feature_dim, seed=seed))
    for label, count in concept_counts.items():
        data[label].num_nodes = count
        data[Label.PAPER, Rel.MENTIONS, label].edge_index = torch.as_tensor(np.array(mentions[label]).T)
    for relation, label in ((Rel.USED_FOR, Label.TASK), (Rel.EVALUATED_ON, Label.DATASET)):
        data[Label.METHOD, relation, label].edge_index = torch.as_tensor(
            _co_mentioned(mentions[Label.METHOD], mentions[label], num_papers, rng).T
        )
    return data


def _co_mentioned(
    first: list[tuple[int, int]], second: list[tuple[int, int]], num_papers: int, rng: np.random.Generator
) -> np.ndarray:
    by_paper: list[list[int]] = [[] for _ in range(num_papers)]
    for paper, concept in second:
        by_paper[paper].append(concept)
    pairs = {(a, b) for paper, a in first for b in by_paper[paper] if rng.random() < 0.5}
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def dated_paper_concept_corpus(
    num_papers: int,
    *,
    first_year: int = 2019,
    last_year: int = 2024,
    num_methods: int = 40,
    num_tasks: int = 15,
    num_datasets: int = 15,
    num_topics: int = 4,
    same_topic_probability: float = 0.9,
    seed: int = 0,
) -> dict:
    """A dated corpus of papers and concepts with topics, for checks against the future.

    Papers are spread evenly over ``first_year``..``last_year`` (in order).  Each mentions one to
    three methods, one or two tasks and one dataset, mostly of its own topic and favouring
    popular ones; each method it mentions is ``USED_FOR`` each task and ``EVALUATED_ON`` each
    dataset it mentions with probability 1/2.  So a method and a task of one topic, both known
    early, are likely to be linked by some later paper: what a link predictor should see coming.

    Returns ``{"years": [year of each paper], "mentions": {label: [(paper, concept)]},
    "relations": {(label, rel, label): [(head, tail, paper)]}}``.
    """
    from graph_schema.schema import Label, Rel

    rng = np.random.default_rng(seed)
    years = np.linspace(first_year, last_year + 1, num_papers, endpoint=False).astype(int).tolist()
    counts = {Label.METHOD: num_methods, Label.TASK: num_tasks, Label.DATASET: num_datasets}
    per_paper = {Label.METHOD: (1, 4), Label.TASK: (1, 3), Label.DATASET: (1, 2)}
    topic_of = {label: rng.integers(num_topics, size=count) for label, count in counts.items()}
    popularity = {label: 1.0 / np.arange(1, count + 1) ** 0.7 for label, count in counts.items()}
    mentions: dict[str, list[tuple[int, int]]] = {label.value: [] for label in counts}
    relations: dict[tuple[str, str, str], list[tuple[int, int, int]]] = {
        (Label.METHOD.value, Rel.USED_FOR.value, Label.TASK.value): [],
        (Label.METHOD.value, Rel.EVALUATED_ON.value, Label.DATASET.value): [],
    }
    for paper in range(num_papers):
        topic = rng.integers(num_topics)
        chosen = {}
        for label, count in counts.items():
            own = rng.random() < same_topic_probability
            weights = popularity[label] * ((topic_of[label] == topic) if own else 1.0) + 1e-9
            size = min(int(rng.integers(*per_paper[label])), count)
            chosen[label] = rng.choice(count, size=size, replace=False, p=weights / weights.sum()).tolist()
            mentions[label.value] += [(paper, concept) for concept in chosen[label]]
        for (head, _rel, tail), found in relations.items():
            found += [
                (method, other, paper)
                for method in chosen[Label(head)]
                for other in chosen[Label(tail)]
                if rng.random() < 0.5
            ]
    return {"years": years, "mentions": mentions, "relations": relations}
