"""The named-dataset rule, measured on gold annotations.

SciERC's Material covers data in general ("images", "graph-structured data",
"audiobooks") as well as named datasets and benchmarks ("CIFAR-10",
"ImageNet", "Penn Treebank").  Resolution keeps a Dataset only where the corpus
writes it as a name (``ingest.resolution.names.names_a_dataset``, weighed in
``ingest.resolution.decisions``).  ``material_scores`` measures that rule on
gold annotations.
"""

from __future__ import annotations

from collections.abc import Iterator

from ingest.normalize import compact_key, concept_key
from ingest.resolution.names import names_a_dataset
from models.extractor.scierc import Document, evaluate

__all__ = ["MATERIAL", "material_scores", "names_a_dataset"]

MATERIAL = "Material"


def _material_spans(document: Document) -> Iterator[tuple[int, int, str, bool]]:
    tokens = [token for sentence in document.sentences for token in sentence]
    first_tokens = set(document.sentence_starts())
    for sentence in document.ner:
        for start, end, entity_type in sentence:
            if entity_type == MATERIAL:
                yield start, end, " ".join(tokens[start : end + 1]), start in first_tokens


def material_scores(gold: list[Document], predicted: list[Document]) -> dict:
    """Material P/R/F1 of ``predicted`` against ``gold``, as predicted and after the
    named-dataset rule (with the predicted documents as the corpus), and what the rule dropped."""
    spans_of = [list(_material_spans(document)) for document in predicted]
    named_keys = {
        compact_key(concept_key(text))
        for spans in spans_of
        for _, _, text, first in spans
        if names_a_dataset(text, first)
    }
    kept, dropped = [], []
    for document, spans in zip(predicted, spans_of):
        named = {(s, e) for s, e, text, _ in spans if compact_key(concept_key(text)) in named_keys}
        dropped.extend(text for s, e, text, _ in spans if (s, e) not in named)
        ner = [[(s, e, t) for s, e, t in sentence if t != MATERIAL or (s, e) in named] for sentence in document.ner]
        kept.append(Document(document.doc_key, document.sentences, ner, document.relations))
    return {
        "as_predicted": evaluate(gold, predicted)["entities"]["per_type"][MATERIAL],
        "named_datasets_only": evaluate(gold, kept)["entities"]["per_type"][MATERIAL],
        "dropped": sorted(set(dropped)),
    }
