"""Coordinated dataset spans split into one mention per dataset (``ingest.mention_splits``), and
what the concept layer makes of them in the real store."""

from __future__ import annotations

from graph_schema.schema import Label, Rel
from ingest.concept_layer import sync_concept_layer
from ingest.mention_splits import coordinated_parts, split_coordinated_datasets
from ingest.records import ConceptRelation, Extraction, Mention, Sentence
from tests.test_concept_layer import mention, sentences_of, store_extraction

ABSTRACT = (
    "We propose FooNet for image classification. FooNet is evaluated on the CIFAR-10 and CIFAR-100 datasets. "
    "It also leads on 2D-3D-S, Matterport3D, and ICL-NUIM and on the notably arduous CRAG and ACDC datasets."
)


def parts(text: str, type_: str = "Material") -> list[str]:
    return [part.text for part in coordinated_parts(Mention(0, 10, 10 + len(text), text, type_, 0.9))]


def test_a_list_of_datasets_is_one_mention_per_dataset_with_its_own_span():
    assert parts("CIFAR-10 and CIFAR-100") == ["CIFAR-10", "CIFAR-100"]
    assert parts("2D-3D-S, Matterport3D, and ICL-NUIM RGB-D") == ["2D-3D-S", "Matterport3D", "ICL-NUIM RGB-D"]
    assert parts("LRW, LRS2, LRS3") == ["LRW", "LRS2", "LRS3"]
    assert parts("COCO & Objects365") == ["COCO", "Objects365"]
    # Lower-case words before a name describe it: "arduous CRAG" is CRAG, "the COCO traffic" COCO traffic.
    assert parts("arduous CRAG and ACDC") == ["CRAG", "ACDC"]
    assert parts("KITTI and the COCO traffic") == ["KITTI", "COCO traffic"]
    assert parts("Cityscapes and Pascal Context") == ["Cityscapes", "Pascal Context"]
    assert parts("Ärzte and Über-Net") == ["Ärzte", "Über-Net"]
    split = coordinated_parts(Mention(2, 10, 32, "CIFAR-10 and CIFAR-100", "Material", 0.7))
    assert [(m.sentence, m.start, m.end, m.type, m.confidence) for m in split] == [
        (2, 10, 18, "Material", 0.7),
        (2, 23, 32, "Material", 0.7),
    ]


def test_what_is_not_a_list_of_datasets_stays_one_mention():
    for text in (
        "VOC 2007 and 2012",  # the second part needs the first
        "CIFAR-10 and -100",
        "non-independent and identically distributed (non-IID)",  # brackets
        "images and videos",  # no name in it
        "ImageNet",
        "SQuAD v1.1 and v2.0",
        "English and German Wikipedia",  # one head: "English" alone names no dataset
        "RGB and depth images",
        "clean and noisy Hey Snips",
    ):
        assert parts(text) == [text], text
    assert parts("BERT and RoBERTa", "Method") == ["BERT and RoBERTa"]  # only Material lists split
    assert parts("the CIFAR-10 and CIFAR-100 datasets", "Generic") == ["CIFAR-10", "CIFAR-100 datasets"]  # and these
    assert parts("our model and GPT-4", "Generic") == ["our model and GPT-4"]
    assert parts("VOC 2007 and 2012 datasets", "Generic") == ["VOC 2007 and 2012 datasets"]
    # A capital that opens the sentence says nothing: "Retina" there may be any word.
    retina = Mention(0, 0, 17, "Retina and Nuclei", "Material", 0.9)
    assert len(coordinated_parts(retina)) == 2 and coordinated_parts(retina, opens_sentence=True) == [retina]
    generic = Mention(0, 0, 28, "arduous CRAG and ACDC datasets", "Generic", 0.6)
    assert {part.type for part in coordinated_parts(generic)} == {"Material"}
    assert parts("instance and semantic segmentation", "Task") == ["instance and semantic segmentation"]


def test_relations_of_a_list_hold_for_each_part_and_splitting_twice_changes_nothing():
    method = mention(ABSTRACT, "FooNet", "Method", occurrence=1)
    cifar = mention(ABSTRACT, "CIFAR-10 and CIFAR-100", "Material")
    also_found = mention(ABSTRACT, "CIFAR-100", "Material")  # the extractor found one part on its own too
    extraction = Extraction(
        sentences_of(ABSTRACT),
        [method, cifar, also_found],
        [ConceptRelation(cifar, method, "EVALUATE-FOR", 0.8), ConceptRelation(method, also_found, "COMPARE", 0.5)],
    )
    split = split_coordinated_datasets(extraction)
    assert [m.text for m in split.mentions] == ["FooNet", "CIFAR-10", "CIFAR-100"]
    assert split.mentions[2] is also_found
    assert [(r.head.text, r.tail.text, r.type) for r in split.relations] == [
        ("CIFAR-10", "FooNet", "EVALUATE-FOR"),
        ("CIFAR-100", "FooNet", "EVALUATE-FOR"),
        ("FooNet", "CIFAR-100", "COMPARE"),
    ]
    assert split_coordinated_datasets(split) == split
    plain = Extraction([Sentence(0, 0, 8, "ImageNet")], [Mention(0, 0, 8, "ImageNet", "Material", 1.0)], [])
    assert split_coordinated_datasets(plain) is plain


def test_the_concept_layer_makes_a_dataset_of_each_part(store):
    mentions = [
        mention(ABSTRACT, "FooNet", "Method"),
        mention(ABSTRACT, "image classification", "Task"),
        mention(ABSTRACT, "FooNet", "Method", occurrence=1),
        mention(ABSTRACT, "CIFAR-10 and CIFAR-100", "Material"),
        mention(ABSTRACT, "2D-3D-S, Matterport3D, and ICL-NUIM", "Material"),
        mention(ABSTRACT, "notably arduous CRAG and ACDC datasets", "Generic"),
    ]
    relations = [ConceptRelation(mentions[3], mentions[2], "EVALUATE-FOR", 0.8)]
    paper = store_extraction(store, "FooNet", ABSTRACT, mentions, relations)
    sync_concept_layer(store)
    datasets = store.read(f"MATCH (d:{Label.DATASET}) RETURN d.name AS name ORDER BY name")
    assert [d["name"] for d in datasets] == [
        "2D-3D-S",
        "ACDC",
        "CIFAR-10",
        "CIFAR-100",
        "CRAG",
        "ICL-NUIM",
        "Matterport3D",
    ]
    spans = store.read(
        f"""MATCH (:{Label.PAPER} {{id: $id}})-[r:{Rel.MENTIONS}]->(d:{Label.DATASET} {{name: 'CIFAR-100'}})
        RETURN r.start AS start, r.end AS end, r.text AS text""",
        id=paper.id,
    )
    assert [(ABSTRACT[s["start"] : s["end"]], s["text"]) for s in spans] == [("CIFAR-100", "CIFAR-100")]
    evaluated = store.read(
        f"MATCH (m:{Label.METHOD})-[:{Rel.EVALUATED_ON}]->(d:{Label.DATASET}) RETURN m.name AS m, d.name AS d ORDER BY d"
    )
    assert evaluated == [{"m": "FooNet", "d": "CIFAR-10"}, {"m": "FooNet", "d": "CIFAR-100"}]
