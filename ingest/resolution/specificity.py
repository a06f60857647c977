"""How specific a concept is: "ImageNet", "LoRA", "object detection" against
"classifier", "model", "framework", "neural networks".

A concept's specificity is the larger of two scores in [0, 1]:

- **written as a name**: the share of its writings with a digit or a capital
  after the first letter ("ImageNet", "ResNet-50", "LoRA", "BERT"), leaving out
  the acronym of a long form the corpus defines, alone or with a generic word
  after it ("DNN", "DNN models" say nothing about "deep neural networks"); a
  known name (the gazetteer) is 1;
- **its words**: 0 when every word of its key is a generic word of ML writing
  (``GENERIC_WORDS``: "neural", "network", "model", "classifier", "deep",
  "learning", "performance", ...) or the key is a whole field
  (``FIELDS``: "machine learning", "computer vision", also with generic words
  around it: "computer vision tasks"); otherwise 0.5 plus half
  the share of its other words: "graph neural networks" is 0.67, "object
  detection" 0.75, "Mamba" 1.

A whole field is 0 whatever its writings: "Artificial General Intelligence (AGI)", written
with its acronym 50 times in 3,143 real abstracts, is as little a method as "machine learning".

A concept under 0.5 is generic: it stays in the graph and in search, but does
not lead the app's lists, "start here" or link-prediction targets.  The score
depends on the concept's own writings only, so it changes only when the
concept does.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.normalize import concept_key
from ingest.resolution.names import is_name_word, read_name

GENERIC_BELOW = 0.5

GENERIC_WORDS = frozenset(
    """
    model method approach technique framework system algorithm architecture network net neural classifier
    regressor encoder decoder generator discriminator detector predictor estimator learner agent module layer
    block component mechanism pipeline scheme strategy solution tool toolkit baseline backbone head branch unit
    function loss objective optimizer procedure process paradigm formulation feature parameter weight structure
    design variant version extension task problem application setting scenario data dataset information
    performance efficiency effectiveness robustness quality speed cost complexity scalability generalization
    generalizability interpretability explainability reliability capability ability behavior behaviour result
    improvement analysis evaluation experiment study training learning inference prediction classification
    detection segmentation recognition generation estimation understanding processing modeling modelling
    computation computing reasoning deep artificial machine intelligence intelligent novel new proposed existing
    simple efficient effective robust large small big general generic standard conventional traditional
    classical classic modern current recent advanced powerful various different multiple several other many
    based driven end state art pre trained pretrained popular common typical strong weak lightweight complex
    high low better best improved unified universal flexible scalable automatic automated computational
    statistical practical real world overall original basic fundamental naive vanilla full single joint
    auxiliary additional prior previous underlying given key main core technology technologies
    adaptability flexibility stability usability applicability transferability versatility feasibility
    downstream upstream tracking retrieval planning forecasting matching search ranking synthesis editing
    adaptation compression metric measure measurement criterion overhead time fairness trustworthiness
    transparency
    """.split()
)
FIELDS = frozenset(
    {
        "machine learning",
        "deep learning",
        "artificial intelligence",
        "computer vision",
        "natural language processing",
        "data mining",
        "data science",
        "pattern recognition",
        "signal processing",
        "image processing",
        "healthcare",
        "robotics",
        "medical imaging",
        "medicine",
        "vision",
        "artificial general intelligence",
        "mathematics",
        "physics",
        "chemistry",
        "biology",
        "neuroscience",
    }
)
_STOPWORDS = frozenset("of for the and with in on to a an via by from or as at into over under".split())
_WORD = re.compile(r"[\w]+")


@dataclass(frozen=True)
class Specificity:
    score: float
    generic: bool


def specificity_of(
    name: str, written: Counter[str], known: bool, acronyms: frozenset[str] = frozenset()
) -> Specificity:
    """The specificity of a concept named ``name``, written as ``written`` (form -> count);
    ``acronyms`` are the short forms the corpus defines for it."""
    if known:
        return Specificity(1.0, False)
    if _is_a_field(name):
        return Specificity(0.0, True)
    score = round(max(_as_a_name(written, acronyms), _by_words(name)), 3)
    return Specificity(score, score < GENERIC_BELOW)


def _as_a_name(written: Counter[str], acronyms: frozenset[str]) -> float:
    forms = Counter(
        {
            form: n
            for form, n in written.items()
            if _singular_form(form) not in acronyms and _singular_form(read_name(form).display) not in acronyms
        }
    )
    if not forms:
        return 0.0
    named = sum(n for form, n in forms.items() if any(is_name_word(word) for word in _WORD.findall(form)))
    return named / forms.total()


def _by_words(name: str) -> float:
    words = _words(name)
    if not words or _is_a_field(name):
        return 0.0
    specific = _specific(words)
    return 0.5 + 0.5 * len(specific) / len(words) if specific else 0.0


def _is_a_field(name: str) -> bool:
    """A field, alone or with generic words around it ("computer vision tasks")."""
    return concept_key(name) in FIELDS or " ".join(_specific(_words(name))) in FIELDS


def _words(name: str) -> list[str]:
    return [word for word in _WORD.findall(concept_key(name).replace("_", " ")) if word not in _STOPWORDS]


def _specific(words: list[str]) -> list[str]:
    return [word for word in words if word not in GENERIC_WORDS and not word.isdigit()]


def generic_words_only(name: str) -> bool:
    """Whether every word of ``name`` is a generic word of ML writing ("a novel framework")."""
    return _by_words(name) == 0.0


def _singular_form(form: str) -> str:
    return form[:-1] if len(form) > 2 and form.endswith("s") and form[:-1].isupper() else form
