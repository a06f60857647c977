"""How a mention is used in its sentence: as data, or as a model.

One paper's sentence decides nothing: these cues are counted over every
mention of a name across the corpus, and ``ingest.resolution.decisions`` weighs
them against the extractor's labels.

- **Used as data**: a dataset word right after the name ("ImageNet dataset",
  "the LaSOT benchmark", "COCO test-dev"), or a verb of training and testing
  right before it ("trained on ImageNet", "evaluated on Cityscapes",
  "experiments on CIFAR-10", "fine-tuned on SQuAD").
- **Used as a model**: a model word right after the name ("a ResNet-50
  backbone", "the VGG16 architecture", "BERT encoder"), or a verb that makes it
  an actor right before it ("outperforms DenseNet", "fine-tune BERT").
"""

from __future__ import annotations

import re

from ingest.records import Mention

AS_DATA = "data"
AS_MODEL = "model"

_AFTER_DATA = re.compile(
    r"^[\s\"'\u201d)]*(?:\([\w-]+\)\s*)?(?:datasets?|data\s+sets?|benchmarks?|corpus|corpora|database|challenge|"
    r"test[\s-]?(?:set|split|dev)|validation\s+set|training\s+set|splits?)\b",
    re.IGNORECASE,
)
_AFTER_MODEL = re.compile(
    r"^[\s\"'\u201d)]*(?:\([\w-]+\)\s*)?(?:-based\b|architectures?|backbones?|encoders?|decoders?|networks?|models?|"
    r"variants?)\b",
    re.IGNORECASE,
)
_BEFORE_DATA = re.compile(
    r"\b(?:(?:pre-?|re-?)?train(?:ed|ing|s)?|fine-?tun(?:ed|ing|es)|evaluat(?:ed|ing|es|e)|test(?:ed|ing|s)?|"
    r"experiments?|results?|benchmark(?:ed|ing|s)?|performance|accuracy|validat(?:ed|ing|es|e))"
    r"\s+(?:\w+\s+){0,2}?(?:on|over)\s+(?:the\s+|both\s+|several\s+|two\s+|three\s+)?"
    r"(?:[\w-]+\s*(?:,|and)\s*){0,3}$",
    re.IGNORECASE,
)
_BEFORE_MODEL = re.compile(
    r"\b(?:outperform(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beat(?:s|ing)?|fine-?tun(?:e|es|ing)|"
    r"distill(?:s|ed|ing)?|pre-?train(?:s|ing)?|backbones?\s+(?:such\s+as|like)|architectures?\s+(?:such\s+as|like))"
    r"\s+(?:the\s+|a\s+|an\s+)?$",
    re.IGNORECASE,
)
_WINDOW = 80  # characters of context either side


def usage_cue(abstract: str, mention: Mention) -> str | None:
    """``AS_DATA``, ``AS_MODEL`` or None, from the words right around ``mention``."""
    text = mention.text.casefold()
    after = abstract[mention.end : mention.end + _WINDOW]
    before = abstract[max(0, mention.start - _WINDOW) : mention.start]
    if _ends_with(text, _AFTER_DATA) or _AFTER_DATA.match(after):
        return AS_DATA
    if _ends_with(text, _AFTER_MODEL) or _AFTER_MODEL.match(after):
        return AS_MODEL
    if _BEFORE_MODEL.search(before):
        return AS_MODEL
    if _BEFORE_DATA.search(before):
        return AS_DATA
    return None


def _ends_with(text: str, pattern: re.Pattern) -> bool:
    """Whether the mention's own last word is one of the pattern's words ("ImageNet dataset")."""
    words = text.rsplit(None, 2)
    return len(words) > 1 and any(pattern.match(" " + " ".join(words[i:])) for i in range(1, len(words)))
