from graph_schema.schema import Label
from ingest.acronyms import find_acronym_definitions
from ingest.named_datasets import names_a_dataset
from ingest.records import Mention
from ingest.resolve import NOT_A_NAMED_DATASET, least_sure_merges, resolve


def mentions_in(abstract: str, *typed: tuple[str, str]) -> list[Mention]:
    """Mentions of each (text, SciERC type), found left to right in the abstract."""
    mentions, position = [], 0
    for text, scierc_type in typed:
        start = abstract.index(text, position)
        mentions.append(Mention(0, start, start + len(text), text, scierc_type, 0.9))
        position = start + len(text)
    return mentions


def paper(paper_id: str, abstract: str, *typed: tuple[str, str]):
    return paper_id, abstract, mentions_in(abstract, *typed)


def names_by_id(resolution) -> dict[str, str]:
    return {concept.id: concept.name for concept in resolution.concepts.values()}


def test_acronym_definitions_both_ways_and_parentheses_that_are_not_definitions():
    text = (
        "We use Graph Attention Networks (GATs) and GCN (graph convolutional network) on input images (ii), "
        "as before (e.g., BERT) and in (Devlin et al., 2019)."
    )
    found = [(d.short, d.long, text[d.start : d.end]) for d in find_acronym_definitions(text)]
    assert found == [
        ("GATs", "Graph Attention Networks", "Graph Attention Networks (GATs)"),
        ("GCN", "graph convolutional network", "GCN (graph convolutional network)"),
    ]


def test_acronym_definition_and_a_later_bare_use_elsewhere_make_one_concept():
    resolution = resolve(
        [
            paper(
                "p1",
                "We use Graph Attention Networks (GATs) for node classification.",
                ("Graph Attention Networks", "Method"),
                ("GATs", "Method"),
                ("node classification", "Task"),
            ),
            paper("p2", "GAT is strong on citation graphs.", ("GAT", "Method")),
        ]
    )
    gat = resolution.concepts["method:graph attention network"]
    assert gat.aliases == {"Graph Attention Networks": 1, "GATs": 1, "GAT": 1}
    assert gat.name == "Graph Attention Networks"
    assert gat.acronym == "GAT"
    assert {(r["from"], r["reason"]) for r in gat.merge_reasons} >= {("GATs", "acronym"), ("GAT", "acronym")}
    assert [c.id for c in resolution.concepts.values() if c.label == Label.METHOD] == [gat.id]
    [bare_gat] = mentions_in("GAT is strong on citation graphs.", ("GAT", "Method"))
    assert resolution.concept_of[("p2", bare_gat)] == gat.id


def test_a_mention_that_is_a_whole_definition_resolves_to_its_long_form():
    resolution = resolve(
        [
            paper("p1", "We use Graph Attention Networks (GATs) here.", ("Graph Attention Networks (GATs)", "Method")),
        ]
    )
    gat = resolution.concepts["method:graph attention network"]
    assert (gat.name, gat.acronym) == ("Graph Attention Networks", "GAT")
    assert gat.aliases == {"Graph Attention Networks (GATs)": 1}


def test_an_acronym_defined_two_ways_keeps_its_bare_uses_apart():
    resolution = resolve(
        [
            paper(
                "p1",
                "A quantized attention network (QAN) makes images.",
                ("quantized attention network", "Method"),
            ),
            paper("p2", "A query alignment network (QAN) aligns graphs.", ("query alignment network", "Method")),
            paper("p3", "We train a QAN.", ("QAN", "Method")),
        ]
    )
    assert resolution.ambiguous_acronyms == {"QAN": ["quantized attention network", "query alignment network"]}
    assert "method:qan" in resolution.concepts
    qan = resolution.concepts["method:quantized attention network"]
    assert qan.aliases == {"quantized attention network": 1}
    assert least_sure_merges(resolution) == []  # kept apart: nothing merged


def test_a_paper_s_own_definition_wins_over_an_ambiguous_acronym():
    resolution = resolve(
        [
            paper(
                "p1",
                "A generative adversarial network (GAN) makes images. The GAN is big.",
                ("generative adversarial network", "Method"),
                ("GAN", "Method"),
            ),
            paper("p2", "A graph alignment network (GAN) aligns graphs.", ("graph alignment network", "Method")),
        ]
    )
    assert resolution.concepts["method:generative adversarial network"].aliases == {
        "generative adversarial network": 1,
        "GAN": 1,
    }
    assert "method:gan" not in resolution.concepts


def test_plural_case_and_hyphen_variants_merge_with_counts_and_reasons():
    abstract = "graph neural networks. Graph Neural Network. graph-neural network. graph neural networks."
    resolution = resolve(
        [
            paper(
                "p1",
                abstract,
                ("graph neural networks", "Method"),
                ("Graph Neural Network", "Method"),
                ("graph-neural network", "Method"),
                ("graph neural networks", "Method"),
            ),
        ]
    )
    assert list(resolution.concepts) == ["method:graph neural network"]
    concept = resolution.concepts["method:graph neural network"]
    assert concept.aliases == {"graph neural networks": 2, "Graph Neural Network": 1, "graph-neural network": 1}
    assert concept.name == "graph neural networks"
    spelling_merges = {r["from"] for r in concept.merge_reasons if r["reason"] == "plural/case/hyphen"}
    assert spelling_merges == {"graph neural networks", "graph-neural network"}


def test_versions_and_near_names_stay_apart():
    methods = ("ResNet-50", "ResNet-101", "GPT-3", "GPT-4", "BERT", "BART", "YOLOv3 detector", "YOLOv4 detector")
    tasks = ("machine translation", "machine transliteration", "object detection", "object description")
    abstract = ", ".join(methods + tasks) + ", CIFAR-10 and CIFAR-100."
    typed = [(name, "Method") for name in methods] + [(name, "Task") for name in tasks]
    typed += [("CIFAR-10", "Material"), ("CIFAR-100", "Material")]
    resolution = resolve([paper("p1", abstract, *typed)])
    assert len(resolution.concepts) == 14
    assert all(not concept.merge_reasons for concept in resolution.concepts.values())


def test_spelling_variants_merge_with_their_fuzzy_score():
    abstract = (
        "text summarization and text summarisation; text summarization again; "
        "supervised learning and unsupervised learning."
    )
    resolution = resolve(
        [
            paper(
                "p1",
                abstract,
                ("text summarization", "Task"),
                ("text summarisation", "Task"),
                ("text summarization", "Task"),
                ("supervised learning", "Method"),
                ("unsupervised learning", "Method"),
            ),
        ]
    )
    assert set(names_by_id(resolution)) == {
        "task:text summarization",
        "method:supervised learning",
        "method:unsupervised learning",
    }
    [merge] = resolution.concepts["task:text summarization"].merge_reasons
    assert merge["reason"] == "fuzzy 94.4" and merge["score"] == 94.4
    assert least_sure_merges(resolution) == [{"concept": "task:text summarization", **merge}]


def test_one_name_typed_two_ways_is_one_node_under_the_majority_label():
    typed = [("ImageNet", "Material")] * 3 + [("ImageNet", "Method")] * 2
    resolution = resolve([paper("p1", " ".join(["ImageNet"] * 5), *typed)])
    assert {c.id: c.mention_count for c in resolution.concepts.values()} == {"dataset:imagenet": 5}
    tasks = [("transfer learning", "Task")] * 2 + [("transfer learning", "Method")] * 2
    resolution = resolve([paper("p2", " ".join(["transfer learning"] * 4), *tasks)])
    [concept] = resolution.concepts.values()
    assert concept.id == "method:transfer learning"  # a tie goes to Method
    assert [r for r in concept.merge_reasons if r["reason"] == "majority-label"] == [
        {"from": "task:transfer learning", "to": "method:transfer learning", "reason": "majority-label", "score": 50.0}
    ]


def test_a_strong_majority_label_wins_and_is_recorded():
    abstract = "beam search. Beam search. beam searches. beam search."
    resolution = resolve(
        [
            paper(
                "p1",
                abstract,
                ("beam search", "Method"),
                ("Beam search", "Method"),
                ("beam searches", "Method"),
                ("beam search", "Task"),
            ),
        ]
    )
    assert list(resolution.concepts) == ["method:beam search"]
    merges = [r for r in resolution.concepts["method:beam search"].merge_reasons if r["reason"] == "majority-label"]
    assert merges == [
        {"from": "task:beam search", "to": "method:beam search", "reason": "majority-label", "score": 75.0}
    ]


def test_self_references_resolve_to_the_proposed_method_and_other_generics_are_dropped():
    abstract = (
        "Existing methods are slow. We present NetLLM, an adaptation framework for networking. "
        "Our framework beats these methods on viewport prediction."
    )
    resolution = resolve(
        [
            paper(
                "p1",
                abstract,
                ("Existing methods", "Generic"),
                ("NetLLM", "Method"),
                ("adaptation framework", "Method"),
                ("networking", "Task"),
                ("Our framework", "Generic"),
                ("these methods", "Generic"),
                ("viewport prediction", "Task"),
            ),
        ]
    )
    assert resolution.proposed == {"p1": "method:netllm"}
    netllm = resolution.concepts["method:netllm"]
    assert netllm.aliases == {"NetLLM": 1}
    self_reference = {"from": "Our framework", "to": "netllm", "reason": "self-reference", "score": None}
    assert self_reference in netllm.merge_reasons
    assert resolution.dropped == {"Generic": 2}


def test_a_title_name_says_what_the_paper_proposes():
    abstract = "A tweet model built on DNN layers and RP-DNN features. Our approach detects rumours early."
    resolution = resolve(
        [paper("p1", abstract, ("DNN layers", "Method"), ("RP-DNN", "Method"), ("Our approach", "Generic"))],
        titles={"p1": "RP-DNN: A Tweet level propagation context based deep neural network"},
    )
    assert resolution.proposed == {"p1": "method:rp dnn"}
    assert resolution.concept_of[("p1", mentions_in(abstract, ("Our approach", "Generic"))[0])] == "method:rp dnn"


def test_other_scientific_terms_are_left_out_of_the_graph():
    resolution = resolve([paper("p1", "The loss uses a margin.", ("margin", "OtherScientificTerm"))])
    assert resolution.concepts == {} and resolution.dropped == {"OtherScientificTerm": 1}


def test_least_sure_merges_put_the_weakest_first():
    abstract = "dialog systems; dialogue system; text summarization; text summarisation."
    resolution = resolve(
        [
            paper(
                "p1",
                abstract,
                ("dialog systems", "Task"),
                ("dialogue system", "Task"),
                ("text summarization", "Task"),
                ("text summarisation", "Task"),
            ),
        ]
    )
    assert [m["score"] for m in least_sure_merges(resolution)] == [92.9, 94.4]


def test_a_different_word_is_not_a_spelling_variant():
    resolution = resolve(
        [
            paper("p1", "We study image classification.", ("image classification", "Task")),
            paper("p2", "We study ImageNet classification.", ("ImageNet classification", "Task")),
            paper(
                "p3",
                "A gradient-based optimiser and a gradient based optimizer.",
                ("gradient-based optimiser", "Method"),
                ("gradient based optimizer", "Method"),
            ),
        ]
    )
    tasks = sorted(c.name for c in resolution.concepts.values() if c.label == "Task")
    assert tasks == ["ImageNet classification", "image classification"]
    assert sum(c.label == "Method" for c in resolution.concepts.values()) == 1


def test_names_a_dataset_tells_named_benchmarks_from_data_in_general():
    named = ["CIFAR-10", "ImageNet", "SQuAD", "Penn Treebank", "WikiText-103", "the Cityscapes benchmark"]
    general = [
        "images",
        "graph-structured data",
        "audiobooks",
        "3D point clouds",
        "RGB-D images",
        "real-world datasets",
    ]
    assert [names_a_dataset(text) for text in named] == [True] * len(named)
    assert [names_a_dataset(text) for text in general] == [False] * len(general)
    assert names_a_dataset("Cityscapes", opens_sentence=True) is False  # a capital that only opens a sentence


def test_material_that_the_corpus_never_writes_as_a_name_is_not_a_dataset():
    resolution = resolve(
        [
            paper("p1", "We train on graph-structured data and on ImageNet.", ("graph-structured data", "Material"),
                  ("ImageNet", "Material")),
            paper("p2", "Cityscapes is hard. Results on images.", ("Cityscapes", "Material"), ("images", "Material")),
            paper("p3", "Scores on the Cityscapes benchmark.", ("Cityscapes", "Material")),
        ]
    )  # fmt: skip
    assert sorted(c.name for c in resolution.concepts.values() if c.label == Label.DATASET) == [
        "Cityscapes",
        "ImageNet",
    ]
    # "Cityscapes" opens p2's sentence, but p3 writes it as a name: the corpus's own gazetteer keeps both mentions.
    assert resolution.concepts["dataset:cityscape"].aliases == {"Cityscapes": 2}
    assert resolution.dropped == {NOT_A_NAMED_DATASET: 2}


def test_material_scores_measure_the_named_dataset_rule_on_predictions():
    from ingest.named_datasets import material_scores
    from models.extractor.scierc import Document

    sentences = [["We", "train", "on", "ImageNet", "images", "."], ["Imagenet", "helps", "."]]
    gold = [Document("d", sentences, [[(3, 3, "Material")], [(6, 6, "Material")]])]
    predicted = [Document("d", sentences, [[(3, 3, "Material"), (4, 4, "Material")], [(6, 6, "Material")]])]
    scores = material_scores(gold, predicted)
    assert (scores["as_predicted"]["p"], scores["as_predicted"]["r"]) == (66.67, 100.0)
    # "Imagenet" opens its sentence, but "ImageNet" is written as a name elsewhere: kept; "images" dropped.
    assert (scores["named_datasets_only"]["p"], scores["named_datasets_only"]["r"]) == (100.0, 100.0)
    assert scores["dropped"] == ["images"]
