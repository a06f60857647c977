import re

import pytest

from graph_schema.schema import Label
from ingest.normalize import compact_key, concept_id, concept_key, display_name, normalize_title, paper_id


def test_normalize_title_folds_case_width_punctuation_and_spaces():
    assert normalize_title("  RP-DNN:  A Tweet-Level\tModel… ") == "rp dnn a tweet level model"
    assert normalize_title("ＧＡＴ　Networks") == "gat networks"  # NFKC: full-width letters and space


def test_paper_id_is_stable_across_spellings_of_one_title():
    assert paper_id("Attention Is All You Need") == paper_id("attention is all you need!")
    assert paper_id("Attention Is All You Need") != paper_id("Attention Is Not All You Need")
    assert re.fullmatch(r"p-[0-9a-f]{16}", paper_id("Attention Is All You Need"))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Graph Attention Networks", "graph attention network"),
        ("graph neural networks", "graph neural network"),
        ("Graph-Neural_Network", "graph neural network"),
        ("graph\u2013neural  network", "graph neural network"),
        ("mixtures of experts", "mixture of experts"),  # the head, not the last word
        ("queries", "query"),
        ("approaches", "approach"),
        ("hypotheses", "hypothesis"),
        ("KV caches", "kv cache"),
        ("GATs", "gat"),
        ("Bi-LSTMs", "bi lstm"),
        ("F1 scores", "f1 score"),
    ],
)
def test_concept_key_merges_case_hyphen_and_plural_variants(name, key):
    assert concept_key(name) == key


@pytest.mark.parametrize(
    "name",
    [
        "analysis",
        "loss",
        "class",
        "bias",
        "gaussian process",
        "time series",
        "data",
        "naive bayes",
        "k means",
        "robotics",
        "corpus",
    ],
)
def test_concept_key_leaves_singular_words_that_end_like_plurals(name):
    assert concept_key(name) == name


def test_gaussian_processes_become_gaussian_process():
    assert concept_key("Gaussian Processes") == "gaussian process"


@pytest.mark.parametrize(("name", "key"), [("MovieLens", "movielens"), ("ATIS", "atis"), ("ResNet-50", "resnet 50")])
def test_concept_key_leaves_names_that_are_not_plain_words(name, key):
    assert concept_key(name) == key


# fmt: off
@pytest.mark.parametrize(
    ("name", "key"),
    [("the Transformer", "transformer"), ("our models", "model"), ("this framework", "framework"),
     ('"BERT",', "bert"), ("(GATs)", "gat"), ("ImageNet.", "imagenet")],
)
# fmt: on
def test_concept_key_drops_determiners_and_surrounding_punctuation(name, key):
    assert concept_key(name) == key


def test_display_name_keeps_case_number_and_hyphens():
    assert display_name(" the Graph-Attention Networks, ") == "Graph-Attention Networks"


def test_compact_key_matches_spellings_with_and_without_a_space():
    assert compact_key(concept_key("pre-training")) == compact_key(concept_key("pretraining"))
    assert compact_key(concept_key("data set")) == compact_key(concept_key("dataset"))


def test_concept_id_is_label_and_key():
    assert concept_id(Label.METHOD, "graph neural network") == "method:graph neural network"
    assert concept_id("Dataset", "imagenet") == "dataset:imagenet"
