"""What makes a Material mention a Dataset: it is written as a name.

SciERC's Material covers data in general ("images", "graph-structured data",
"audiobooks") as well as named datasets and benchmarks ("CIFAR-10",
"ImageNet", "Penn Treebank").  Resolution (``ingest.resolve``) keeps a
Material key as a Dataset only when the corpus writes it as a name at least
once: the corpus's own mentions are the gazetteer.  ``material_scores``
measures that rule on gold annotations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.normalize import compact_key, concept_key
from models.extractor.scierc import Document, evaluate

MATERIAL = "Material"

# Capitalised words that name a kind of data, not a dataset ("3D point clouds", "RGB-D images").
_DATA_KIND_WORDS = frozenset(
    "1d 2d 3d 4d rgb rgb-d rgbd lidar mri fmri ct pet eeg ecg emg x-ray dna rna gps iot uav uavs sar hsi "
    "html json xml sql csv pdf".split()
)


def names_a_dataset(text: str, opens_sentence: bool = False) -> bool:
    """Whether a Material mention is written as a name: a word with a capital
    after its first letter or a digit ("ImageNet", "CIFAR-10", "SQuAD"), or a
    capitalised word that does not open the sentence ("Penn Treebank",
    "Cityscapes").  Words for kinds of data ("3D", "RGB-D", "MRI") do not count."""
    for index, word in enumerate(re.findall(r"[\w-]+", text)):
        if word.casefold() in _DATA_KIND_WORDS:
            continue
        if any(character.isdigit() for character in word) or any(character.isupper() for character in word[1:]):
            return True
        if word[0].isupper() and (index > 0 or not opens_sentence):
            return True
    return False


def opens_sentence(text: str, start: int) -> bool:
    """Whether the character offset ``start`` of ``text`` begins a sentence."""
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?:"


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
