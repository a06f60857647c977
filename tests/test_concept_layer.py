"""From stored extractions to the concept layer in the real store: resolution,
MENTIONS with provenance, concept relations, claims and results."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from graph_schema.schema import Label, Rel
from ingest import paper_analysis
from ingest.concept_layer import sync_concept_layer
from ingest.paper_analysis import PaperAnalysisCache, analyse
from ingest.readers import make_record, read_paths
from ingest.records import ConceptRelation, Extraction, Mention, Sentence, SourceRef
from ingest.serialize import extraction_from_json, extraction_to_json
from ingest.writer import write_extractions, write_papers
from tests.support import CORPUS, GazetteerExtractor, graph_difference, graph_dump
from ui.ingest_job import ingest_and_update_statistics

GAT_PAPER = (
    "GAT: Graph Attention Networks",
    "We propose Graph Attention Networks (GATs) for node classification. GATs outperform GCN by 3.2% accuracy on Cora.",
)
OTHER_PAPER = ("Attention on citation graphs", "A graph attention network is applied to citation graphs.")


def sentences_of(abstract: str) -> list[Sentence]:
    sentences, start = [], 0
    for index, piece in enumerate(abstract.split(". ")):
        text = piece if piece.endswith(".") else piece + "."
        sentences.append(Sentence(index, start, start + len(text), text))
        start += len(text) + 1
    return sentences


def mention(abstract: str, text: str, type_: str, occurrence: int = 0) -> Mention:
    start = -1
    for _ in range(occurrence + 1):
        start = abstract.index(text, start + 1)
    sentence = next(s.index for s in sentences_of(abstract) if s.start <= start < s.end)
    return Mention(sentence, start, start + len(text), text, type_, 0.9)


def store_extraction(store, title: str, abstract: str, mentions: list[Mention], relations: list[ConceptRelation]):
    paper = make_record(title, abstract, SourceRef("test.txt", 1))
    write_papers(store, [paper])
    data = extraction_to_json(Extraction(sentences_of(abstract), mentions, relations))
    write_extractions(store, [{"id": paper.id, "extraction": data, "version": "test"}])
    return paper


def load_two_papers(store):
    title, abstract = GAT_PAPER
    gat_long = mention(abstract, "Graph Attention Networks", "Method")
    gat_short = mention(abstract, "GATs", "Method")
    gat_later = mention(abstract, "GATs", "Method", occurrence=1)
    task = mention(abstract, "node classification", "Task")
    cora = mention(abstract, "Cora", "Material")
    mentions = [
        gat_long,
        gat_short,
        task,
        gat_later,
        mention(abstract, "GCN", "Method"),
        mention(abstract, "accuracy", "Metric"),
        cora,
    ]
    relations = [
        ConceptRelation(gat_long, task, "USED-FOR", 0.8),
        ConceptRelation(cora, gat_later, "EVALUATE-FOR", 0.7),
    ]
    gat_paper = store_extraction(store, title, abstract, mentions, relations)
    title, abstract = OTHER_PAPER
    other = store_extraction(store, title, abstract, [mention(abstract, "graph attention network", "Method")], [])
    return gat_paper, other


def test_extraction_round_trips_through_json():
    title, abstract = GAT_PAPER
    mentions = [mention(abstract, "GATs", "Method"), mention(abstract, "Cora", "Material")]
    relations = [ConceptRelation(mentions[1], mentions[0], "EVALUATE-FOR", 0.5)]
    data = extraction_to_json(Extraction(sentences_of(abstract), mentions, relations))
    decoded = extraction_from_json(abstract, data)
    assert decoded.mentions == mentions and decoded.relations == relations
    assert decoded.sentences == sentences_of(abstract)


def test_variants_resolve_to_one_concept_with_aliases(store):
    gat_paper, other = load_two_papers(store)
    summary = sync_concept_layer(store)
    assert summary.papers == 2
    methods = store.read(
        f"MATCH (m:{Label.METHOD}) RETURN m.name AS name, m.acronym AS acronym, m.aliases AS aliases, m.paper_count AS papers"
    )
    gat = [m for m in methods if m["acronym"] == "GAT"]
    assert len(gat) == 1, methods
    assert {"Graph Attention Networks", "GATs", "graph attention network"} <= set(gat[0]["aliases"])
    assert gat[0]["papers"] == 2
    mentions = store.read(
        f"MATCH (p:{Label.PAPER} {{id: $id}})-[r:{Rel.MENTIONS}]->(m:{Label.METHOD} {{acronym: 'GAT'}}) "
        "RETURN r.sentence AS sentence, r.start AS start, r.end AS end, r.text AS text ORDER BY start",
        id=gat_paper.id,
    )
    assert [(m["sentence"], m["text"]) for m in mentions] == [(0, "Graph Attention Networks"), (0, "GATs"), (1, "GATs")]
    assert GAT_PAPER[1][mentions[0]["start"] : mentions[0]["end"]] == "Graph Attention Networks"


def test_relations_claims_and_results(store):
    gat_paper, _ = load_two_papers(store)
    sync_concept_layer(store)
    used_for = store.read(
        f"MATCH (m:{Label.METHOD})-[r:{Rel.USED_FOR}]->(t:{Label.TASK}) RETURN m.acronym AS m, t.name AS t, r.papers AS papers"
    )
    assert used_for == [{"m": "GAT", "t": "node classification", "papers": [gat_paper.id]}]
    evaluated = store.read(
        f"MATCH (m:{Label.METHOD})-[:{Rel.EVALUATED_ON}]->(d:{Label.DATASET}) RETURN m.acronym AS m, d.name AS d"
    )
    assert evaluated == [{"m": "GAT", "d": "Cora"}]
    claims = store.read(
        f"MATCH (:{Label.PAPER} {{id: $id}})-[:{Rel.CLAIMS}]->(c:{Label.CLAIM}) RETURN c.kind AS kind, c.values AS values, c.results AS results ORDER BY c.sentence",
        id=gat_paper.id,
    )
    assert [c["kind"] for c in claims] == ["contribution", "result"]
    assert 3.2 in claims[1]["values"]
    about = store.read(f"MATCH (c:{Label.CLAIM})-[:{Rel.ON}]->(d:{Label.DATASET}) RETURN d.name AS d")
    assert {"d": "Cora"} in about


def test_rebuilding_twice_changes_no_count(store):
    load_two_papers(store)
    sync_concept_layer(store)
    first = store.counts()
    sync_concept_layer(store)
    assert store.counts() == first


def test_merge_reasons_are_recorded(store):
    load_two_papers(store)
    sync_concept_layer(store)
    row = store.read(f"MATCH (m:{Label.METHOD} {{acronym: 'GAT'}}) RETURN m.merge_reasons AS reasons")[0]
    reasons = json.loads(row["reasons"])
    assert any(r["reason"] == "acronym" for r in reasons), reasons


def test_a_second_sync_writes_nothing(store):
    load_two_papers(store)
    first = sync_concept_layer(store)
    assert first.papers_written == 2 and first.concepts_written > 0
    again = sync_concept_layer(store)
    assert (again.papers_written, again.concepts_written, again.concepts_deleted) == (0, 0, 0)
    assert (again.relations_written, again.relations_deleted) == (0, 0)


def test_the_corpus_ingested_in_three_parts_is_the_corpus_ingested_at_once(store):
    listings = sorted(CORPUS.glob("*.txt"))
    parts = [listings[:1], listings[1:2], listings[2:]]
    ingest_and_update_statistics(store, listings, extractor=GazetteerExtractor())
    at_once = graph_dump(store)
    store.wipe()
    for part in parts:
        ingest_and_update_statistics(store, part, extractor=GazetteerExtractor())
    assert (dump := graph_dump(store)) == at_once, graph_difference(at_once, dump)


@pytest.mark.parametrize("seed", [3, 11])
def test_the_corpus_ingested_in_random_parts_in_random_order_is_the_corpus_ingested_at_once(store, tmp_path, seed):
    """Resolution re-decides only what each part touches; the graph is still that of one ingest."""
    papers = read_paths([CORPUS]).papers
    generator = random.Random(seed)
    generator.shuffle(papers)
    cuts = sorted(generator.sample(range(1, len(papers)), generator.randint(2, 5)))
    files = []
    for number, (start, end) in enumerate(zip([0, *cuts], [*cuts, len(papers)])):
        path = tmp_path / f"part-{number}.jsonl"
        path.write_text(
            "".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n" for p in papers[start:end])
        )
        files.append(path)
    ingest_and_update_statistics(store, files, extractor=GazetteerExtractor())
    at_once = graph_dump(store)
    store.wipe()
    for path in generator.sample(files, len(files)):
        ingest_and_update_statistics(store, [path], extractor=GazetteerExtractor())
    assert (dump := graph_dump(store)) == at_once, graph_difference(at_once, dump)


def test_adding_papers_writes_their_layer_and_what_they_change_not_the_corpus(store):
    listings = sorted(CORPUS.glob("*.txt"))
    first = ingest_and_update_statistics(store, listings[:3], extractor=GazetteerExtractor()).concept_layer
    added = ingest_and_update_statistics(store, listings, extractor=GazetteerExtractor())
    new_papers = added.papers_new
    assert new_papers > 0
    # Every new paper's layer is written, and a few older papers at most (none here: no acronym defined later).
    assert added.concept_layer.papers_written == new_papers
    assert added.concept_layer.papers_written < first.papers / 2


def test_a_sync_runs_the_rules_only_on_papers_it_has_not_analysed(store, monkeypatch, tmp_path):
    cache_file = tmp_path / "paper-analysis.sqlite"
    monkeypatch.setattr(paper_analysis, "PaperAnalysisCache", lambda: PaperAnalysisCache(cache_file))
    analysed = []

    def counted_analyse(abstract, sentences, mentions):
        analysed.append(abstract)
        return analyse(abstract, sentences, mentions)

    monkeypatch.setattr(paper_analysis, "analyse", counted_analyse)
    load_two_papers(store)
    sync_concept_layer(store)
    assert len(analysed) == 2
    first = graph_dump(store)

    store.wipe()
    load_two_papers(store)
    sync_concept_layer(store)
    assert len(analysed) == 2  # both from the cache, and the same graph
    assert graph_dump(store) == first

    with sqlite3.connect(cache_file) as connection:
        connection.execute("UPDATE analysis SET value = '{' WHERE rowid = 1")  # an entry that cannot be read
    store.wipe()
    load_two_papers(store)
    sync_concept_layer(store)
    assert len(analysed) == 3  # that one paper analysed again
    assert graph_dump(store) == first


def test_an_analysis_read_from_the_cache_is_the_analysis(tmp_path):
    title, abstract = GAT_PAPER
    mentions = [mention(abstract, "GATs", "Method", occurrence=1), mention(abstract, "GCN", "Method")]
    mentions.append(mention(abstract, "Cora", "Material"))
    fresh = analyse(abstract, sentences_of(abstract), mentions)
    assert [claim.kind for claim in fresh.claims] == ["contribution", "result"]
    assert fresh.claims[1].comparisons == [abstract.index("outperform")] and fresh.contributions
    cache = PaperAnalysisCache(tmp_path / "analysis.sqlite")
    cache.put_many({"key": (fresh, mentions)})
    assert cache.get_many({"key": (abstract, mentions), "other": (abstract, mentions)}) == {"key": fresh}
