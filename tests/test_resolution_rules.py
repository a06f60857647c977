"""The rules that make one real-world concept one node under the right label, exact-valued:
name forms that merge and those that never do, typing by the gazetteer and by usage,
the one-label policy, specificity, dominant acronyms, and the same concepts whatever
order and parts papers arrive in."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from ingest.resolution.names import is_name_word, names_a_kind_of_data, read_name
from ingest.resolution.readings import KIND_OF_DATA, acronym_keys, definitions_of, read_paper
from ingest.resolution.specificity import specificity_of
from ingest.resolution.state import ResolutionState
from ingest.resolve import NOT_A_NAMED_DATASET, resolution_of_state, resolve
from tests.test_resolve import paper


def one_paper_per_mention(*typed: tuple[str, str], context: str = "We use {}.", prefix: str = "p") -> list:
    """One paper per (text, SciERC type), each a sentence around the mention."""
    return [
        paper(f"{prefix}{index}", context.format(text), (text, scierc_type))
        for index, (text, scierc_type) in enumerate(typed)
    ]


def concepts_of(resolution) -> dict[str, dict[str, int]]:
    return {concept.id: concept.aliases for concept in resolution.concepts.values()}


# ---- dataset name forms ---------------------------------------------------------------


def test_dataset_forms_that_differ_by_a_generic_word_or_punctuation_are_one_concept():
    typed = [
        ("ImageNet", "Material"),
        ("ImageNet dataset", "Material"),
        ("ImageNet challenge", "Material"),
        ("ImageNet-1K", "Material"),
        ("ImageNet1K", "Material"),
        ("CIFAR-10", "Material"),
        ("CIFAR-10 dataset", "Material"),
        ("Cifar-10 test set", "Material"),
        ("Cityscapes", "Material"),
        ("Cityscapes benchmark", "Material"),
        ("Youtube-VOS Challenge 2022", "Material"),
        ("YouTube-VOS 2022", "Material"),
        ("ScanNetv2", "Material"),
        ("ScanNetv2 hidden test set", "Material"),
    ]
    resolution = resolve(one_paper_per_mention(*typed))
    assert concepts_of(resolution) == {
        "dataset:imagenet": {"ImageNet": 1, "ImageNet challenge": 1, "ImageNet dataset": 1},
        "dataset:imagenet 1k": {"ImageNet-1K": 1, "ImageNet1K": 1},
        "dataset:cifar 10": {"CIFAR-10": 1, "CIFAR-10 dataset": 1, "Cifar-10 test set": 1},
        "dataset:cityscape": {"Cityscapes": 1, "Cityscapes benchmark": 1},
        "dataset:youtube vos 2022": {"Youtube-VOS Challenge 2022": 1, "YouTube-VOS 2022": 1},
        "dataset:scannetv2": {"ScanNetv2": 1, "ScanNetv2 hidden test set": 1},
    }
    imagenet = resolution.concepts["dataset:imagenet"]
    assert imagenet.name == "ImageNet"
    assert {(r["from"], r["to"], r["reason"]) for r in imagenet.merge_reasons} == {
        ("ImageNet dataset", "ImageNet", "generic words 'dataset'"),
        ("ImageNet challenge", "ImageNet", "generic words 'challenge'"),
    }


def test_names_never_merge_across_a_number_or_a_version():
    typed = [
        ("CIFAR-10", "Material"),
        ("CIFAR-100", "Material"),
        ("ImageNet-1K", "Material"),
        ("ImageNet-21K", "Material"),
        ("ImageNet", "Material"),
        ("VOC2007", "Material"),
        ("VOC2012", "Material"),
        ("ResNet-50", "Method"),
        ("ResNet-101", "Method"),
        ("GPT-3", "Method"),
        ("GPT-4", "Method"),
    ]
    resolution = resolve(one_paper_per_mention(*typed))
    assert sorted(c.name for c in resolution.concepts.values()) == sorted(text for text, _ in typed)


def test_a_generic_word_stays_where_what_is_left_is_no_name():
    assert read_name("real-world datasets").group == "realworlddataset"
    assert read_name("image dataset").dropped_words == ""
    # A model word goes only after a name with a digit or an inner capital.
    assert (read_name("ResNet-50 backbone").group, read_name("BERT model").group) == ("resnet50", "bert")
    assert read_name("Segmentation Model").dropped_words == ""


def test_a_word_before_a_name_that_says_what_kind_of_thing_it_is_goes():
    typed = [
        ("permuted MNIST", "Material"),
        ("benchmark permuted MNIST dataset", "Material"),
        ("AIME24", "Material"),
        ("competition-level AIME24", "Material"),
        ("Transformer", "Method"),
        ("standard Transformer", "Method"),
        ("vanilla Transformer", "Method"),
    ]
    resolution = resolve(one_paper_per_mention(*typed))
    assert concepts_of(resolution) == {
        "dataset:permuted mnist": {"permuted MNIST": 1, "benchmark permuted MNIST dataset": 1},
        "dataset:aime 2024": {"AIME24": 1, "competition-level AIME24": 1},  # the gazetteer's key
        "method:transformer": {"Transformer": 1, "standard Transformer": 1, "vanilla Transformer": 1},
    }
    assert {(r["from"], r["reason"]) for r in resolution.concepts["dataset:permuted mnist"].merge_reasons} == {
        ("benchmark permuted MNIST dataset", "generic words 'benchmark … dataset'")
    }
    # Only in lower case, and only before what is written as a name.
    assert [read_name(text).display for text in (
        "Large-Scale Visual Recognition Challenge", "benchmark datasets", "standard deviation", "public datasets",
    )] == ["Large-Scale Visual Recognition", "benchmark datasets", "standard deviation", "public datasets"]  # fmt: skip


def test_tasks_after_a_tasks_name_go_and_other_tasks_stay():
    assert [read_name(text).name_key for text in (
        "medical image segmentation tasks", "question answering tasks", "reasoning tasks", "NLP tasks",
        "downstream tasks", "vision tasks", "multi-task learning",
    )] == [
        "medical image segmentation", "question answering", "reasoning", "nlp",
        "downstream task", "vision task", "multi task learning",
    ]  # fmt: skip
    resolution = resolve(
        one_paper_per_mention(("medical image segmentation", "Task"), ("medical image segmentation tasks", "Task"))
    )
    assert concepts_of(resolution) == {
        "task:medical image segmentation": {"medical image segmentation": 1, "medical image segmentation tasks": 1}
    }


def test_letters_before_a_word_make_another_name_not_a_spelling():
    typed = [("medical image segmentation", "Task"), ("biomedical image segmentation", "Task")]
    typed += [("medical images segmentation", "Task")]
    resolution = resolve(one_paper_per_mention(*typed))
    assert concepts_of(resolution) == {
        "task:medical image segmentation": {"medical image segmentation": 1, "medical images segmentation": 1},
        "task:biomedical image segmentation": {"biomedical image segmentation": 1},
    }


def test_a_plus_is_part_of_a_name():
    assert read_name("PointNet++").group != read_name("PointNet").group


# ---- labels --------------------------------------------------------------------------------


def test_the_gazetteer_types_well_known_models_and_datasets_and_joins_their_aliases():
    typed = [
        ("AlexNet", "Material"),
        ("VGG16", "Material"),
        ("CUHK03", "Method"),
        ("MS COCO", "Material"),
        ("Microsoft COCO dataset", "Material"),
        ("COCO", "Method"),
        ("ResNet-200", "Material"),  # a variant of a known name
    ]
    resolution = resolve(one_paper_per_mention(*typed))
    assert {concept.id for concept in resolution.concepts.values()} == {
        "method:alexnet",
        "method:vgg 16",
        "dataset:cuhk03",
        "dataset:coco",
        "method:resnet 200",
    }
    coco = resolution.concepts["dataset:coco"]
    assert coco.aliases == {"COCO": 1, "MS COCO": 1, "Microsoft COCO dataset": 1}
    assert coco.name == "COCO"
    assert any(r["reason"].startswith("known name") for r in coco.merge_reasons)


def test_usage_across_papers_types_a_name_the_gazetteer_does_not_know():
    as_model = one_paper_per_mention(("FooNetX", "Material"), ("FooNetX", "Material"), context="A {} backbone helps.")
    as_model += one_paper_per_mention(("FooNetX", "Method"), context="Ours outperforms {} clearly.", prefix="o")
    as_data = one_paper_per_mention(
        ("BarSetQ", "Method"), ("BarSetQ", "Method"), context="Models trained on {} win.", prefix="t"
    )
    as_data += one_paper_per_mention(("BarSetQ", "Material"), context="Models are evaluated on {}.", prefix="e")
    as_data += one_paper_per_mention(("BarSetQ", "Method"), context="We report {} results.", prefix="r")
    resolution = resolve(as_model + as_data)
    assert {concept.id: concept.mention_count for concept in resolution.concepts.values()} == {
        "method:foonetx": 3,  # votes: 2 Dataset, 1 Method; used 3 times as a model
        "dataset:barsetq": 4,  # votes: 1 Dataset, 3 Method; used 3 times as data
    }
    [usage] = [r for r in resolution.concepts["dataset:barsetq"].merge_reasons if r["reason"] == "usage"]
    assert usage["from"] == "method:barsetq" and usage["score"] == 25.0


def test_a_code_host_is_no_dataset_however_it_is_written():
    typed = [("GitHub", "Material")] * 3 + [("GitHub repositories", "Material"), ("GitLab", "Material")]
    resolution = resolve(one_paper_per_mention(*typed, context="The code is available on {}."))
    assert resolution.concepts == {}
    assert resolution.dropped == {NOT_A_NAMED_DATASET: 5}


def test_a_dataset_must_be_written_as_a_name_in_most_of_its_writings():
    typed = [("natural language", "Material")] * 3 + [("Natural Language", "Material")]
    resolution = resolve(one_paper_per_mention(*typed, context="Inputs in {} are read."))
    assert resolution.concepts == {}
    assert resolution.dropped == {NOT_A_NAMED_DATASET: 4}


@pytest.mark.parametrize(
    "text, is_data",
    [
        ("natural images", True),
        ("multivariate time series", True),
        ("remote sensing images", True),
        ("MRI and CT scans", True),
        ("photoplethysmogram (PPG) signals", True),
        ("LiDAR point clouds", True),
        ("segmentation of medical images", False),
        ("segmenting medical images", False),
        ("labelling data", False),
        ("text-to-image", False),
        ("data augmentation", False),
        ("time series forecasting", False),
        ("video prediction", False),
    ],
)
def test_what_a_kind_of_data_is_called(text, is_data):
    assert names_a_kind_of_data(text) is is_data


def test_a_task_or_method_that_is_a_kind_of_data_is_dropped_and_counted():
    typed = [("natural images", "Task"), ("multivariate time series", "Method"), ("ECG signals", "Task")]
    typed += [("segmentation of natural images", "Task"), ("Open Images", "Task")]  # a task; a known dataset
    resolution = resolve(one_paper_per_mention(*typed, context="We study {} here."))
    assert sorted(c.id for c in resolution.concepts.values()) == [
        "dataset:open image",
        "task:segmentation of natural images",
    ]
    assert resolution.dropped == {KIND_OF_DATA: 3}


def test_letters_added_at_one_end_are_another_name_not_a_spelling():
    resolution = resolve(one_paper_per_mention(("Transformer", "Method"), ("iTransformer", "Method")))
    assert sorted(c.name for c in resolution.concepts.values()) == ["Transformer", "iTransformer"]


# ---- acronyms ------------------------------------------------------------------------------


def test_an_acronym_defined_mostly_one_way_expands_to_it():
    papers = [
        paper(f"d{i}", "Artificial intelligence (AI) helps.", ("Artificial intelligence", "Task")) for i in range(9)
    ]
    papers.append(paper("other", "Association implantation (AI) is a method.", ("Association implantation", "Method")))
    papers.append(paper("bare", "AI is everywhere.", ("AI", "Task")))
    resolution = resolve(papers)
    [bare] = [m for m in papers[-1][2]]
    assert resolution.concept_of[("bare", bare)] == "task:artificial intelligence"
    assert resolution.ambiguous_acronyms == {}


def test_an_acronym_with_a_model_word_goes_to_its_long_form_and_one_with_a_dataset_word_stays_whole():
    papers = [
        paper(
            "defines",
            "Vision-language-action models (VLAs) act.",
            ("Vision-language-action models", "Method"),
            ("VLAs", "Method"),
        ),
        paper("model-word", "VLA models act well.", ("VLA models", "Method")),
        paper("dataset-word", "VLA benchmarks are few.", ("VLA benchmarks", "Material")),
    ]
    resolution = resolve(papers)
    assert concepts_of(resolution) == {
        "method:vision language action model": {"Vision-language-action models": 1, "VLAs": 1, "VLA models": 1},
        "dataset:vla benchmark": {"VLA benchmarks": 1},
    }


def test_a_known_acronym_with_a_model_word_keeps_its_known_name():
    papers = [
        paper(
            "a",
            "Contrastive Language-Image Pre-training (CLIP) is used.",
            ("Contrastive Language-Image Pre-training", "Method"),
            ("CLIP", "Method"),
        ),
        paper("b", "A CLIP model works.", ("CLIP model", "Method")),
        paper("c", "CLIP works.", ("CLIP", "Method")),
    ]
    assert {c.id: (c.name, c.aliases) for c in resolve(papers).concepts.values()} == {
        "method:clip": ("CLIP", {"CLIP": 2, "CLIP model": 1, "Contrastive Language-Image Pre-training": 1})
    }


def test_long_forms_that_differ_by_a_model_word_are_one_definition():
    papers = [
        paper("a", "Vision Language Action (VLA) agents act.", ("Vision Language Action", "Method")),
        paper("b", "Vision-Language-Action Models (VLAs) act.", ("Vision-Language-Action Models", "Method")),
        paper("bare", "A VLA acts.", ("VLA", "Method")),
    ]
    resolution = resolve(papers)
    assert resolution.ambiguous_acronyms == {}
    [bare] = papers[-1][2]
    assert resolution.concept_of[("bare", bare)] == "method:vision language action"
    # and the two long forms, each its paper's own acronym's, are one concept
    assert concepts_of(resolution) == {
        "method:vision language action": {"Vision Language Action": 1, "Vision-Language-Action Models": 1, "VLA": 1}
    }
    [concept] = resolution.concepts.values()
    assert ("vision language action", "vision language action model", "one acronym's long forms") in {
        (r["from"], r["to"], r["reason"]) for r in concept.merge_reasons
    }


def test_long_forms_that_differ_by_a_linking_word_or_a_word_ending_are_one_definition():
    papers = [
        paper(
            "with",
            "Reinforcement learning with verifiable rewards (RLVR) trains models.",
            ("Reinforcement learning with verifiable rewards", "Method"),
        ),
        paper(
            "from",
            "Reinforcement Learning from Verifiable Rewards (RLVR) helps.",
            ("Reinforcement Learning from Verifiable Rewards", "Method"),
        ),
        paper(
            "verified",
            "Reinforcement learning with verified rewards (RLVR) works.",
            ("Reinforcement learning with verified rewards", "Method"),
        ),
        paper("bare", "We apply RLVR.", ("RLVR", "Method")),
        paper("hyphen", "A Variational Auto-Encoder (VAE) helps.", ("Variational Auto-Encoder", "Method")),
        paper("closed", "A Variational Autoencoder (VAE) helps.", ("Variational Autoencoder", "Method")),
    ]
    resolution = resolve(papers)
    assert resolution.ambiguous_acronyms == {}
    assert concepts_of(resolution) == {
        "method:variational auto encoder": {"Variational Auto-Encoder": 1, "Variational Autoencoder": 1},
        "method:reinforcement learning from verifiable rewards": {
            "Reinforcement learning with verifiable rewards": 1,
            "Reinforcement Learning from Verifiable Rewards": 1,
            "Reinforcement learning with verified rewards": 1,
            "RLVR": 1,
        },
    }


def test_a_change_to_the_state_s_own_rules_is_a_new_rules_version(tmp_path, monkeypatch):
    """Which long forms are one definition, and when an acronym is dominant, are rules of the
    state module itself: a store resolved by the old ones is resolved again."""
    from pathlib import Path

    from ingest.resolution import state

    assert state._rules_version() == state.RULES_VERSION
    changed = tmp_path / "state.py"
    changed.write_bytes(Path(state.__file__).read_bytes() + b"\n# another rule\n")
    monkeypatch.setattr(state, "__file__", str(changed))
    assert state._rules_version() != state.RULES_VERSION


def test_long_forms_of_one_acronym_that_differ_in_a_word_s_stem_stay_apart():
    papers = [
        paper("a", "Contrastive learning (CL) helps.", ("Contrastive learning", "Method")),
        paper("b", "Continual learning (CL) helps.", ("Continual learning", "Task")),
        paper("c", "Test-time adaptation (TTA) helps.", ("Test-time adaptation", "Method")),
        paper("d", "Test-time augmentation (TTA) helps.", ("Test-time augmentation", "Method")),
    ]
    resolution = resolve(papers)
    assert resolution.ambiguous_acronyms == {
        "CL": ["Continual learning", "Contrastive learning"],
        "TTA": ["Test-time adaptation", "Test-time augmentation"],
    }
    assert sorted(concepts_of(resolution)) == [
        "method:contrastive learning",
        "method:test time adaptation",
        "method:test time augmentation",
        "task:continual learning",
    ]


# ---- specificity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "written", "generic"),
    [
        ("classifier", {"classifier": 3}, True),
        ("neural networks", {"neural networks": 5}, True),
        ("deep learning", {"deep learning": 4, "DL": 2}, True),
        ("deep neural networks", {"deep neural networks": 1, "DNNs": 6}, True),  # an acronym says nothing
        ("deep neural networks", {"deep neural networks": 1, "DNN models": 3}, True),  # nor with a model word
        ("machine learning", {"machine learning": 2}, True),
        ("computer vision", {"computer vision": 2}, True),
        ("ImageNet", {"ImageNet": 4}, False),
        ("LoRA", {"LoRA": 2}, False),
        ("object detection", {"object detection": 9}, False),
        ("graph neural networks", {"graph neural networks": 3}, False),
        ("Mamba", {"Mamba": 3}, False),
        ("evaluation metrics", {"evaluation metrics": 2}, True),
        ("computational overhead", {"computational overhead": 2}, True),
        ("inference time", {"inference time": 2}, True),
        ("computer vision tasks", {"computer vision tasks": 2}, True),
        ("vision tasks", {"vision tasks": 2}, True),
        # A field is generic however it is written, its acronym's long form too.
        ("artificial general intelligence", {"Artificial General Intelligence (AGI)": 19, "AGI": 144}, True),
        ("mathematics", {"mathematics": 3}, True),
    ],
)
def test_specificity_tells_named_things_from_generic_parts(name, written, generic):
    acronyms = frozenset({"DL", "DNN"})
    assert specificity_of(name, Counter(written), False, acronyms).generic is generic


def test_specificity_scores_are_exact():
    assert specificity_of("graph neural networks", Counter({"graph neural networks": 1}), False).score == 0.667
    assert specificity_of("object detection", Counter({"object detection": 1}), False).score == 0.75
    assert specificity_of("encoder", Counter({"encoder": 1}), False).score == 0.0
    assert specificity_of("anything", Counter({"anything": 1}), True).score == 1.0


def test_generic_concepts_are_marked_in_the_resolution():
    resolution = resolve(one_paper_per_mention(("classifier", "Method"), ("LoRA", "Method")))
    assert {c.name: c.generic for c in resolution.concepts.values()} == {"classifier": True, "LoRA": False}


# ---- order and parts -----------------------------------------------------------------------

ABSTRACTS = [
    (
        "Graph Attention Networks (GATs) beat GCN on Cora.",
        [("Graph Attention Networks", "Method"), ("GCN", "Method"), ("Cora", "Material")],
    ),
    (
        "A GAT is trained on the Cora dataset and CiteSeer.",
        [("GAT", "Method"), ("Cora dataset", "Material"), ("CiteSeer", "Material")],
    ),
    ("We train on ImageNet with a ResNet-50 backbone.", [("ImageNet", "Material"), ("ResNet-50", "Method")]),
    ("The ImageNet challenge and ImageNet-1K.", [("ImageNet challenge", "Material"), ("ImageNet-1K", "Material")]),
    (
        "Transfer learning helps image classification.",
        [("Transfer learning", "Method"), ("image classification", "Task")],
    ),
    ("transfer learning is a task here.", [("transfer learning", "Task")]),
    ("text summarization and text summarisation.", [("text summarization", "Task"), ("text summarisation", "Task")]),
    ("A graph convolutional network (GCN) is used.", [("graph convolutional network", "Method")]),
    ("Our method, GNNX, is new. Our method wins.", [("GNNX", "Method"), ("Our method", "Generic")]),
    ("A classifier and a LoRA adapter.", [("classifier", "Method"), ("LoRA", "Method")]),
    # Read again when a later part defines the acronym its "VLA models" uses.
    ("VLA models act well.", [("VLA models", "Method")]),
    ("Vision-language-action models (VLAs) act.", [("Vision-language-action models", "Method"), ("VLAs", "Method")]),
    ("Vision language action (VLA) agents.", [("Vision language action", "Method"), ("VLA", "Method")]),
]
PAPERS = [paper(f"p{i}", abstract, *typed) for i, (abstract, typed) in enumerate(ABSTRACTS)]


def resolved_in_parts(parts: list[list]) -> dict:
    state = ResolutionState(":memory:")
    for part in parts:
        with state.transaction():
            changed = state.set_definitions({pid: definitions_of(abstract) for pid, abstract, _ in part})
            again = [p for p in PAPERS if p[0] in state.papers_using(changed) and p not in part]
            todo = part + again
            expansions = state.expansions(acronym_keys(m.text for _, _, mentions in todo for m in mentions))
            state.replace_papers(
                [read_paper(pid, "", abstract, mentions, (), [], expansions) for pid, abstract, mentions in todo]
            )
            state.decide()
    resolution = resolution_of_state(state, {pid: mentions for pid, _, mentions in PAPERS})
    return {
        "concepts": {
            c.id: (c.name, c.label, c.aliases, c.acronym, c.merge_reasons, c.generic)
            for c in resolution.concepts.values()
        },
        "concept_of": {(pid, m.text, m.start): c for (pid, m), c in resolution.concept_of.items()},
    }


@pytest.mark.parametrize("seed", range(8))
def test_papers_in_any_order_and_parts_resolve_as_all_at_once(seed):
    at_once = resolved_in_parts([list(PAPERS)])
    shuffled = list(PAPERS)
    generator = random.Random(seed)
    generator.shuffle(shuffled)
    cuts = sorted(generator.sample(range(1, len(shuffled)), generator.randint(1, 4)))
    parts = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(shuffled)])]
    assert resolved_in_parts(parts) == at_once


def test_resolve_is_the_state_at_once():
    assert resolve(PAPERS).concepts == resolve(list(reversed(PAPERS))).concepts


def test_a_name_typed_with_no_label_joins_what_the_corpus_makes_of_it():
    papers = one_paper_per_mention(("Cityscapes", "Material"), ("Cityscapes", "Material"), context="Tests on {}.")
    papers += one_paper_per_mention(("Cityscapes", "OtherScientificTerm"), context="Tests on {}.", prefix="ost")
    papers += one_paper_per_mention(("FooBarNet", "OtherScientificTerm"), context="A {} here.", prefix="alone")
    papers += one_paper_per_mention(("the PSOB dataset", "Generic"), context="We use {}.", prefix="generic")
    resolution = resolve(papers)
    assert {c.id: c.mention_count for c in resolution.concepts.values()} == {
        "dataset:cityscape": 3,
        "dataset:psob": 1,
    }
    assert resolution.dropped == {"OtherScientificTerm": 1}


def test_a_number_that_qualifies_is_no_name():
    assert [is_name_word(w) for w in ("1-shot", "8-bit", "10-fold", "GPT-4", "ResNet", "YOLOv5")] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
