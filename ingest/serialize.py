"""A paper's extraction as JSON, stored on its Paper node.

Keeping the raw extraction in the store lets a later ingest re-resolve the
whole corpus (a new paper may define an acronym that older ones use) without
running the extractor again on papers that did not change.
"""

from __future__ import annotations

import json

from ingest.records import ConceptRelation, Extraction, Mention, Sentence


def extraction_to_json(extraction: Extraction) -> str:
    sentences, mentions, relations = extraction.sentences, extraction.mentions, extraction.relations
    index = {mention: i for i, mention in enumerate(mentions)}
    return json.dumps(
        {
            "sentences": [[s.start, s.end] for s in sentences],
            "mentions": [[m.sentence, m.start, m.end, m.type, m.confidence] for m in mentions],
            "relations": [
                [index[r.head], index[r.tail], r.type, r.confidence]
                for r in relations
                if r.head in index and r.tail in index
            ],
        },
        separators=(",", ":"),
    )


def extraction_from_json(abstract: str, data: str) -> Extraction:
    raw = json.loads(data)
    sentences = [Sentence(i, start, end, abstract[start:end]) for i, (start, end) in enumerate(raw["sentences"])]
    mentions = [
        Mention(sentence, start, end, abstract[start:end], type_, confidence)
        for sentence, start, end, type_, confidence in raw["mentions"]
    ]
    relations = [
        ConceptRelation(mentions[head], mentions[tail], type_, confidence)
        for head, tail, type_, confidence in raw["relations"]
    ]
    return Extraction(sentences, mentions, relations)
