import pytest

from ingest.claims import extract_claims, find_numbers, results_table
from ingest.records import ClaimNumber
from ingest.resolve import resolve
from tests.support import split_sentences, typed_mentions


def claim_of(sentence: str, typed: list[tuple[str, str]] = ()):
    claims = extract_claims(sentence, split_sentences(sentence), typed_mentions(sentence, list(typed)))
    return claims[0] if claims else None


def values(numbers: list[ClaimNumber]) -> list[tuple]:
    return [(n.value, n.unit, n.metric) for n in numbers]


@pytest.mark.parametrize(
    "sentence",
    [
        "We propose NetLLM, an adaptation framework.",
        "In this paper, we further introduce a new loss.",
        "This paper presents a parser for tweets.",
        "A variational learning setting is thus proposed.",
        "Our method builds on message passing.",
        "To address these challenges, we leverage listening histories and introduce 2T-HGNN, a recommender.",
    ],
)
def test_contribution_sentences(sentence):
    assert claim_of(sentence).kind == "contribution"


def test_new_claim_rules_are_new_resolution_rules(tmp_path, monkeypatch):
    """The claim rules say where a paper states what it proposes, and make each layer's
    results: a change to them is a new rules version, which rewrites every paper's layer."""
    from pathlib import Path

    from ingest import claims
    from ingest.resolution import state

    assert state._rules_version() == state.RULES_VERSION
    changed = tmp_path / "claims.py"
    changed.write_bytes(Path(claims.__file__).read_bytes() + b"\n# another rule\n")
    monkeypatch.setattr(claims, "__file__", str(changed))
    assert state._rules_version() != state.RULES_VERSION


@pytest.mark.parametrize(
    "sentence",
    [
        "We find that depth matters more than width.",
        "Experimental results on three tasks show that it helps.",
        "We empirically observe a phase transition.",
    ],
)
def test_finding_sentences(sentence):
    assert claim_of(sentence).kind == "finding"


@pytest.mark.parametrize(
    "sentence",
    ["Graph data is everywhere.", "Many methods compare models on 12 benchmarks.", "We train for 100 epochs in 2023."],
)
def test_sentences_that_claim_nothing(sentence):
    assert claim_of(sentence) is None


def test_outperforms_by_a_percentage_is_a_result_with_a_relative_number():
    claim = claim_of("Our method outperforms the baseline by 3.2% on ImageNet.")
    assert claim.kind == "result"
    assert [(n.value, n.unit, n.metric, n.relative) for n in claim.numbers] == [(3.2, "%", None, True)]


def test_a_number_stated_in_a_metric():
    claim = claim_of("It achieves 91.4 F1 on SQuAD.")
    assert claim.kind == "result"
    assert values(claim.numbers) == [(91.4, None, "F1")]  # in the metric's own scale: no unit


def test_a_number_of_a_metric_that_is_a_change_is_relative():
    metric = "relative Word Error Rate (WER) reduction"
    claim = claim_of(f"It achieves a 14.4% {metric} on AISHELL-1.", [(metric, "Metric")])
    assert [(n.value, n.metric, n.relative) for n in claim.numbers] == [(14.4, metric, True)]
    claim = claim_of("It achieves a 3.1% mean relative error on AISHELL-1.", [("mean relative error", "Metric")])
    assert [(n.value, n.metric, n.relative) for n in claim.numbers] == [(3.1, "mean relative error", False)]


def test_a_speed_up():
    claim = claim_of("Inference is sped up by 7x with 3x3 kernels.")
    assert claim.kind == "result"
    assert values(claim.numbers) == [(7.0, "×", None)]


def test_a_contribution_with_a_result_is_a_result():
    assert claim_of("We propose X, which outperforms Y by 2.1 points.").kind == "result"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Since 2017, models achieve 85.0% accuracy.", [(85.0, "%", "accuracy")]),
        ("The accuracy of 2021 models was 88.0%.", [(88.0, "%", None)]),
        ("We label 12 events and 2^3 = 8 cases in Section 3.2 for (i) and (ii).", []),
        ("ResNet-50 with top-1 of 76.1 and lr 1e-4 and lambda = 0.5.", [(76.1, None, "top-1")]),
        ("It improves the score to 2,967 points.", [(2967.0, "points", None)]),
        ("An F1 score of 88.5 and an accuracy of 91.2%.", [(88.5, None, "F1 score"), (91.2, "%", "accuracy")]),
        ("Accuracy improved from 80.1% to 85.3%.", [(80.1, "%", "Accuracy"), (85.3, "%", "Accuracy")]),
        (
            "It reaches 97.70% test accuracy and a 9.2 percentage point gain.",
            [(97.7, "%", "accuracy"), (9.2, "points", None)],
        ),
        (
            "Error drops from 5.1%-4.2%, which is 3 times faster.",
            [(5.1, "%", "Error"), (4.2, "%", "Error"), (3.0, "×", None)],
        ),
    ],
)
def test_numbers_that_are_results_and_numbers_that_are_not(text, expected):
    assert values(find_numbers(text)) == expected


def test_numbers_inside_a_mention_are_not_results_and_metric_mentions_name_metrics():
    text = "It gets 71.2 macro score on CIFAR-10."
    mentions = typed_mentions(text, [("macro score", "Metric"), ("CIFAR-10", "Material")])
    assert values(find_numbers(text, 0, mentions)) == [(71.2, None, "macro score")]


def test_a_claim_carries_its_span_and_only_its_own_mentions():
    abstract = "We study GCN on Cora. GAT achieves 83.0% accuracy on Cora."
    typed = [("GCN", "Method"), ("Cora", "Material"), ("GAT", "Method"), ("accuracy", "Metric"), ("Cora", "Material")]
    claims = extract_claims(abstract, split_sentences(abstract), typed_mentions(abstract, typed))
    [claim] = claims
    assert (claim.sentence, claim.start, claim.end) == (1, 22, len(abstract))
    assert claim.text == "GAT achieves 83.0% accuracy on Cora."
    assert [m.text for m in claim.mentions] == ["GAT", "accuracy", "Cora"]
    assert (claim.numbers[0].start, claim.numbers[0].end) == (35, 40)


def test_results_table_rows_are_method_dataset_metric_value():
    abstract = (
        "We propose GAT, a graph attention network. "
        "Our method outperforms GCN by 2.1 points of accuracy on Cora. "
        "GAT achieves 91.4 F1 on PubMed and 79.0 F1 on Citeseer. "
        "GCN gets 70.3% accuracy."
    )
    typed = [
        ("GAT", "Method"),
        ("graph attention network", "Method"),
        ("Our method", "Generic"),
        ("GCN", "Method"),
        ("accuracy", "Metric"),
        ("Cora", "Material"),
        ("GAT", "Method"),
        ("F1", "Metric"),
        ("PubMed", "Material"),
        ("F1", "Metric"),
        ("Citeseer", "Material"),
        ("GCN", "Method"),
        ("accuracy", "Metric"),
    ]
    mentions = typed_mentions(abstract, typed)
    resolution = resolve([("p1", abstract, mentions)])
    claims = extract_claims(abstract, split_sentences(abstract), mentions)
    rows = results_table([("p1", claims)], resolution)
    assert [(r.method, r.dataset, r.metric, r.value, r.unit, r.relative) for r in rows] == [
        ("GAT", "Cora", "accuracy", 2.1, "points", True),  # the subject, not the baseline GCN
        ("GAT", "PubMed", "F1", 91.4, None, False),
        ("GAT", "CiteSeer", "F1", 79.0, None, False),  # the known name, as the gazetteer writes it
        ("GCN", None, "accuracy", 70.3, "%", False),  # the sentence gives it to GCN and names no dataset
    ]
    assert {r.paper_id for r in rows} == {"p1"}
    assert rows[0].method_id == "method:gat" and rows[0].dataset_id == "dataset:cora"
