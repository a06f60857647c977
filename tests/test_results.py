"""The results table: whose number it is, on what, of what kind; leaderboards; the store
and the command line; and the evaluation against annotated abstracts."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from analysis.results import (
    DEFAULT_ANNOTATIONS,
    REAL_CORPUS,
    AnnotatedAbstract,
    AnnotatedResult,
    PredictedRow,
    leaderboard,
    leaderboard_choices,
    read_result_annotations,
    score_results,
    stored_results,
)
from graph_schema.errors import InputFileError
from ingest.claims import _DATASET_WORDS, extract_claims, find_numbers, results_table
from ingest.concept_layer import sync_concept_layer
from ingest.readers import make_record
from ingest.records import Extraction, SourceRef
from ingest.resolution.known_names import known_forms
from ingest.resolution.names import DATASET_WORDS, LEADING_WORDS
from ingest.resolve import resolve
from ingest.serialize import extraction_to_json
from ingest.writer import write_extractions, write_papers
from tests.support import REPO, run_cli, split_sentences, typed_mentions


def rows_of(abstract: str, spans: list[tuple[str, str]], title: str = "") -> list[tuple]:
    mentions = typed_mentions(abstract, spans)
    resolution = resolve([("p1", abstract, mentions)], {"p1": title})
    claims = extract_claims(abstract, split_sentences(abstract), mentions)
    rows = results_table([("p1", claims)], resolution, {"p1": title})
    return [(r.method, r.dataset, r.value, r.unit, r.relative, r.baseline) for r in rows]


def test_x_outperforms_y_by_n_is_xs_relative_number_with_y_as_baseline():
    abstract = (
        "We propose KiteNet, an attention block. KiteNet outperforms SENet-50 by 1.93% top-1 accuracy on ImageNet."
    )
    spans = [("KiteNet", "Method"), ("KiteNet", "Method"), ("SENet-50", "Method"), ("ImageNet", "Material")]
    assert rows_of(abstract, spans) == [("KiteNet", "ImageNet", 1.93, "%", True, "SENet-50")]


def test_an_improvement_by_n_percent_is_relative_not_a_score():
    abstract = "We present RiverSeg. RiverSeg improves mean IoU on Cityscapes by 10%."
    rows = rows_of(abstract, [("RiverSeg", "Method"), ("RiverSeg", "Method"), ("Cityscapes", "Material")])
    assert rows == [("RiverSeg", "Cityscapes", 10.0, "%", True, None)]


def test_our_method_is_the_method_the_title_names():
    abstract = "We study tracking. Our method reaches 0.64 success rate on LaSOT."
    spans = [("Our method", "Generic"), ("LaSOT", "Material")]
    assert rows_of(abstract, spans, title="TRAX: tracking with relations") == []  # TRAX is never mentioned
    abstract = "We propose TRAX for tracking. Our method reaches 0.64 success rate on LaSOT."
    spans = [("TRAX", "Method"), ("Our method", "Generic"), ("LaSOT", "Material")]
    assert rows_of(abstract, spans, title="TRAX: tracking with relations") == [
        ("TRAX", "LaSOT", 0.64, None, False, None)
    ]


def test_a_well_known_method_the_title_builds_on_is_not_the_papers_own():
    abstract = "We propose Mask-aware Fine-tuning (MAFT) of CLIP. With MAFT, mIoU reaches 50.4% on COCO."
    spans = [("Mask-aware Fine-tuning (MAFT)", "Method"), ("CLIP", "Method"), ("MAFT", "Method"), ("COCO", "Material")]
    title = "Learning Mask-aware CLIP Representations for Zero-Shot Segmentation"
    assert [row[0] for row in rows_of(abstract, spans, title=title)] == ["Mask-aware Fine-tuning"]
    # A method the gazetteer does not know is taken from the title as before.
    abstract = abstract.replace("CLIP", "ZORBA")
    spans = [("Mask-aware Fine-tuning (MAFT)", "Method"), ("ZORBA", "Method"), ("MAFT", "Method"), ("COCO", "Material")]
    assert [row[0] for row in rows_of(abstract, spans, title=title.replace("CLIP", "ZORBA"))] == ["ZORBA"]


def test_a_number_the_sentence_gives_to_another_method_is_that_methods():
    abstract = "We propose LumaCLIP. LumaCLIP achieves 73.4% zero-shot accuracy on ImageNet (against CLIP's 72.7%)."
    spans = [("LumaCLIP", "Method"), ("LumaCLIP", "Method"), ("ImageNet", "Material"), ("CLIP", "Method")]
    assert rows_of(abstract, spans) == [
        ("LumaCLIP", "ImageNet", 73.4, "%", False, None),
        ("CLIP", "ImageNet", 72.7, "%", False, None),
    ]
    abstract = "We propose MVX. MVX reaches 72.9% top-1 accuracy, compared to 52.3% achieved by ViT-S."
    assert rows_of(abstract, [("MVX", "Method"), ("MVX", "Method"), ("ViT-S", "Method")]) == [
        ("MVX", None, 72.9, "%", False, None),
        ("ViT-S", None, 52.3, "%", False, None),
    ]


def test_a_backbone_after_with_is_not_the_subject():
    abstract = "We propose InQ. Our InQ with ResNet-50 backbone achieves 43.2 AP on COCO."
    spans = [("InQ", "Method"), ("InQ", "Method"), ("ResNet-50", "Method"), ("COCO", "Material")]
    assert rows_of(abstract, spans) == [("InQ", "COCO", 43.2, None, False, None)]


def test_a_model_is_never_in_the_dataset_column():
    abstract = "We propose Conformo. Conformo gains 3.7 mAP over ResNet-101."
    spans = [("Conformo", "Method"), ("Conformo", "Method"), ("ResNet-101", "Method")]
    assert rows_of(abstract, spans) == [("Conformo", None, 3.7, None, True, "ResNet-101")]


def test_numbers_pair_with_datasets_in_order():
    abstract = "We propose AVX. AVX reaches WER of 2.3% and 1.8% on LRS2 and LRS3."
    spans = [("AVX", "Method"), ("AVX", "Method"), ("LRS2", "Material"), ("LRS3", "Material")]
    assert [(r[1], r[2]) for r in rows_of(abstract, spans)] == [("LRS2", 2.3), ("LRS3", 1.8)]
    abstract = "We propose EEA. On ChestX and PadChest, EEA achieved an AUC of 83.7% and 88.7%, respectively."
    spans = [("EEA", "Method"), ("ChestX", "Material"), ("PadChest", "Material"), ("EEA", "Method")]
    assert [(r[1], r[2]) for r in rows_of(abstract, spans)] == [("ChestX", 83.7), ("PadChest", 88.7)]


def test_a_sentence_that_goes_on_about_the_one_before_takes_its_dataset():
    abstract = (
        "We propose SipNet. On COCO, our SipNet outperforms single-stage methods. "
        "SipNet obtains an absolute gain of 1.0% over TensorMask."
    )
    spans = [("SipNet", "Method"), ("COCO", "Material"), ("SipNet", "Method"), ("single-stage methods", "Method")]
    spans += [("SipNet", "Method"), ("TensorMask", "Method")]
    assert rows_of(abstract, spans) == [("SipNet", "COCO", 1.0, "%", True, "TensorMask")]
    # Not where the sentence names data of its own, the one before two datasets, or a sentence comes between.
    own_data = abstract.replace("over TensorMask", "on a web search benchmark")
    spans_own = [*spans[:-1], ("web search benchmark", "Generic")]
    assert rows_of(own_data, spans_own) == [("SipNet", None, 1.0, "%", True, None)]
    two = abstract.replace("On COCO,", "On COCO and LVIS,")
    assert rows_of(two, [*spans[:2], ("LVIS", "Material"), *spans[2:]])[0][1] is None
    apart = abstract.replace(" SipNet obtains", " It runs fast. SipNet obtains")
    assert rows_of(apart, spans)[0][1] is None


def test_a_dataset_after_while_and_a_gerund_is_the_numbers():
    abstract = "We propose EffVIS. EffVIS needs 15x fewer epochs while achieving top accuracy on YouTube-VIS."
    spans = [("EffVIS", "Method"), ("EffVIS", "Method"), ("YouTube-VIS", "Material")]
    assert [row[:3] for row in rows_of(abstract, spans)] == [("EffVIS", "YouTube-VIS", 15.0)]
    other = "We propose EffVIS. EffVIS needs 15x fewer epochs on LVIS, while MaskNet is best on YouTube-VIS."
    spans = [("EffVIS", "Method"), ("EffVIS", "Method"), ("LVIS", "Material"), ("MaskNet", "Method")]
    spans.append(("YouTube-VIS", "Material"))
    assert [row[:3] for row in rows_of(other, spans)] == [("EffVIS", "LVIS", 15.0)]
    apart = "We propose EffVIS. EffVIS needs 15x fewer epochs, while MaskNet is best on YouTube-VIS."
    spans = [("EffVIS", "Method"), ("EffVIS", "Method"), ("MaskNet", "Method"), ("YouTube-VIS", "Material")]
    assert [row[:3] for row in rows_of(apart, spans)] == [("EffVIS", None, 15.0)]  # another's clause


def test_a_generic_word_in_a_datasets_name_names_no_dataset():
    abstract = (
        "We propose TidyNet and test it on a benchmark (MuJoCo). "
        "TidyNet achieves 91.2% accuracy on unseen objects in our benchmark dataset."
    )
    spans = [("TidyNet", "Method"), ("benchmark (MuJoCo)", "Material")]
    spans += [("TidyNet", "Method"), ("accuracy", "Metric"), ("our benchmark dataset", "Generic")]
    assert rows_of(abstract, spans) == [("TidyNet", None, 91.2, "%", False, None)]


def test_a_dataset_the_abstract_names_is_found_where_its_mention_was_missed():
    """A Dataset concept's name, acronym or a part of its "Long Form (LF)" name, written as a
    name in a result sentence where the extractor found no mention of it, is the row's dataset;
    a dataset the corpus has no concept for, or a plain word, is not."""
    abstract = (
        "We propose AVX and test it on the Lip Reading Sentences 3 (LRS3) datasets and LRS2. "
        "AVX reaches WER of 2.3% and 1.8% on LRS2 and LRS3 test sets. "
        "AVX reaches WER of 1.5% on LRS4 and 1.2% on the las set."
    )
    spans = [
        ("AVX", "Method"),
        ("Lip Reading Sentences 3 (LRS3) datasets", "Material"),
        ("LRS2", "Material"),
        ("AVX", "Method"),
        ("LRS2", "Material"),  # the extractor missed the LRS3 after it
        ("AVX", "Method"),
    ]
    assert [(r[1], r[2]) for r in rows_of(abstract, spans)] == [
        ("LRS2", 2.3),
        ("Lip Reading Sentences 3 (LRS3)", 1.8),
        (None, 1.5),  # LRS4 is no concept of the corpus
        (None, 1.2),
    ]


def test_a_dataset_is_found_by_any_form_the_known_names_give_it():
    """ "MS-COCO" is a known form of COCO: a task mention that opens with it ("MS-COCO object
    detection task") and a word written without a mention both name the corpus's COCO; the
    evaluator takes the known forms as the concept's ("AIME24" is "AIME 2024")."""
    abstract = (
        "We propose RMX and train it on COCO. "
        "RMX gets +1.4 AP gain on MS-COCO object detection task. "
        "RMX reaches 40.2 AP on MS-COCO."
    )
    spans = [("RMX", "Method"), ("COCO", "Material"), ("RMX", "Method"), ("MS-COCO object detection task", "Task")]
    spans += [("RMX", "Method")]
    assert [(r[1], r[2]) for r in rows_of(abstract, spans)] == [("COCO", 1.4), ("COCO", 40.2)]
    assert {"AIME 2024", "AIME24"} <= set(known_forms("aime2024"))
    assert known_forms("no such dataset") == ()


def test_the_table_drops_the_generic_words_the_resolution_drops_around_a_dataset_name():
    """One list of the words around a dataset's name (``names.LEADING_WORDS``,
    ``names.DATASET_WORDS``): the table's lookups drop each of them, as written."""
    for phrase in LEADING_WORDS:
        assert _DATASET_WORDS.sub("", f"the {' '.join(phrase)} Cityscapes") == "Cityscapes"
    for phrase in DATASET_WORDS:
        assert _DATASET_WORDS.sub("", f"Cityscapes {' '.join(phrase)}") == "Cityscapes"
        plural = "-".join(phrase)[:-2] + "ora" if phrase[-1] == "corpus" else "-".join(phrase) + "s"
        assert _DATASET_WORDS.sub("", f"Cityscapes {plural}") == "Cityscapes"
    assert _DATASET_WORDS.sub("", "the Penn Treebank corpora") == "Penn Treebank"


def test_a_method_the_abstract_names_owns_its_number_where_its_mention_was_missed():
    """ "CLIP's 72.7%" is CLIP's though the extractor found no mention of CLIP there; a known
    name at the end of a longer one ("Custom GPT") is not the method it names."""
    abstract = (
        "We propose SAIL and compare it with CLIP and GPT. "
        "SAIL achieves 73.4% accuracy on ImageNet (against CLIP's 72.7%). "
        'The "Custom GPT" showed 3.0% accuracy.'
    )
    spans = [("SAIL", "Method"), ("CLIP", "Method"), ("GPT", "Method"), ("SAIL", "Method"), ("ImageNet", "Material")]
    assert [(r[0], r[1], r[2]) for r in rows_of(abstract, spans)] == [
        ("SAIL", "ImageNet", 73.4),
        ("CLIP", "ImageNet", 72.7),
        ("SAIL", "ImageNet", 3.0),  # the paper's own, as it names no method the corpus knows; the dataset before
    ]


def test_a_generic_mention_that_names_a_dataset_is_the_rows_dataset_not_the_papers_method():
    """The extractor types "the CALVIN ABC benchmark" Generic, as it does "our method": the one
    names a dataset, the other the paper's own method."""
    abstract = "We propose FLOWER. Our method achieves a new SoTA of 4.53 on the CALVIN ABC benchmark."
    spans = [("FLOWER", "Method"), ("Our method", "Generic"), ("SoTA", "Generic"), ("CALVIN ABC benchmark", "Generic")]
    assert rows_of(abstract, spans, title="FLOWER: Flow Policies") == [
        ("FLOWER", "CALVIN ABC", 4.53, None, False, None)
    ]


def test_numbers_before_the_paper_says_what_it_proposes_are_other_works():
    abstract = (
        "Pruning methods can reduce parameter counts by over 90%. "
        "We propose LotNet. LotNet reduces parameters by 40% on CIFAR-10."
    )
    spans = [("Pruning methods", "Method"), ("LotNet", "Method"), ("LotNet", "Method"), ("CIFAR-10", "Material")]
    assert rows_of(abstract, spans) == [("LotNet", "CIFAR-10", 40.0, "%", True, None)]


def test_a_generic_subject_owns_no_number():
    abstract = "We propose DeepWave. A standard CNN reaches 81.0% accuracy on SVHN."
    spans = [("DeepWave", "Method"), ("CNN", "Method"), ("SVHN", "Material")]
    mentions = typed_mentions(abstract, spans)
    resolution = resolve([("p1", abstract, mentions)])
    resolution.concepts[resolution.concept_of[("p1", mentions[1])]].generic = True
    claims = extract_claims(abstract, split_sentences(abstract), mentions)
    assert results_table([("p1", claims)], resolution) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It cuts traffic by 87-95% and speeds training by 1.6-2.1x.", [(95.0, "%", True), (2.1, "×", True)]),
        ("With only 10% of the labels it reaches 90.1% accuracy.", [(90.1, "%", False)]),
        ("Thresholds of 30 mmHg for SBP and 15 mmHg for DBP gave 71.3% accuracy.", [(71.3, "%", False)]),
        ("It improves accuracy by up to 7.76% and 8.74% respectively.", [(7.76, "%", True), (8.74, "%", True)]),
        ("The gains range from 7% to 26% on novel classes.", [(26.0, "%", True)]),
        # a range after a verb of change: the change's amount ("by"), or said to be a range
        ("Our work reduces CPU-GPU traffic by 87-95% on graphs.", [(95.0, "%", True)]),
        ("The improvement gains range from 7% to 26% on novel classes.", [(26.0, "%", True)]),
        ("It improves the mAP from 0.60 to 0.82 on osteoclasts.", [(0.6, None, False), (0.82, None, False)]),
        ("It reaches 48.4\\% speedup and $4.1$ points over the baseline.", [(48.4, "%", True), (4.1, "points", True)]),
        ("PIM achieves 41$-$137$\\times$ speedup over GPUs.", [(137.0, "×", True)]),
        ("It runs at 40 FPS with 23.1 ms latency and 444M FLOPs.", [(40.0, "FPS", False), (23.1, "ms", False)]),
        ("It gains 7.5% mAP on a single 4090 GPU, trained on 8 GPUs.", [(7.5, "%", True)]),
        ("It needs less than 1GB GPU memory.", [(1.0, "GB", False)]),
        ("It needs 6times fewer parameters than AmoebaNet.", [(6.0, "×", True)]),
        # a number that names its own metric takes no unit that measures something else
        ("SparseInst achieves 40 FPS and 37.9 AP on COCO.", [(40.0, "FPS", False), (37.9, None, False)]),
        ("We get 32.1 dB PSNR and 0.91 SSIM.", [(32.1, "dB", False), (0.91, None, False)]),
        ("It reaches 85.3% and 97.1 top-5 accuracy.", [(85.3, "%", False), (97.1, "%", False)]),
    ],
)
def test_numbers_units_ranges_and_settings(text, expected):
    assert [(n.value, n.unit, n.relative) for n in find_numbers(text)] == expected


def test_a_speed_or_a_time_is_its_units_measure_whatever_metric_is_named_beside_it():
    abstract = "We propose SparseInst. SparseInst achieves 40 FPS and 37.9 AP on COCO, with 23 ms latency."
    spans = [("SparseInst", "Method"), ("SparseInst", "Method"), ("AP", "Metric"), ("COCO", "Material")]
    mentions = typed_mentions(abstract, spans)
    claims = extract_claims(abstract, split_sentences(abstract), mentions)
    # on the claim's numbers, as the Claim node stores them, and so on the rows
    assert [number.metric for claim in claims for number in claim.numbers] == ["FPS", "AP", "latency"]
    rows = results_table([("p1", claims)], resolve([("p1", abstract, mentions)]))
    assert [(r.value, r.unit, r.metric) for r in rows] == [
        (40.0, "FPS", "FPS"),
        (37.9, None, "AP"),
        (23.0, "ms", "latency"),
    ]


def test_rows_carry_their_sentence_and_the_numbers_span():
    abstract = "We propose KiteNet. KiteNet achieves 91.4 F1 on SQuAD."
    mentions = typed_mentions(abstract, [("KiteNet", "Method"), ("KiteNet", "Method"), ("SQuAD", "Material")])
    claims = extract_claims(abstract, split_sentences(abstract), mentions)
    [row] = results_table([("p1", claims)], resolve([("p1", abstract, mentions)]))
    assert abstract[row.start : row.end] == "91.4" and row.sentence == 1 and row.metric == "F1"


# ---- leaderboards ----------------------------------------------------------------------


def board_row(method: str, value: float, metric: str = "top-1 accuracy", unit: str | None = "%", relative=False):
    return {
        "method": method, "method_id": f"method:{method.lower()}", "dataset": "ImageNet", "dataset_id": "dataset:imagenet",
        "metric": metric, "value": value, "unit": unit, "relative": relative, "paper": f"{method} paper", "sentence": "s",
    }  # fmt: skip


def test_a_leaderboard_ranks_each_methods_best_absolute_score():
    rows = [
        board_row("A", 80.1),
        board_row("B", 82.0),
        board_row("A", 81.5),
        board_row("C", 3.0, relative=True),  # a gain, not a score
        board_row("D", 0.79, unit=None),  # another scale: another board
        board_row("E", 79.0, metric="Top-1 accuracies"),  # the same metric, written otherwise
        board_row("F", 80.5, unit=None),  # "a top-1 accuracy of 80.5": in % where others say %
    ]
    [top, other] = leaderboard(rows, "ImageNet", "top-1 accuracy")
    assert [(r["method"], r["value"]) for r in top.rows] == [("B", 82.0), ("A", 81.5), ("F", 80.5), ("E", 79.0)]
    assert not top.lower_is_better and top.unit == "%"
    assert [r["method"] for r in other.rows] == ["D"]
    assert leaderboard_choices(rows) == [
        {"dataset": "ImageNet", "dataset_id": "dataset:imagenet", "metric": "top-1 accuracy", "methods": 5}
    ]
    # With no score in %, a unitless one stays on a board of its own unit.
    [alone] = leaderboard(
        [board_row("F", 80.5, unit=None), board_row("G", 81.0, unit=None)], "ImageNet", "top-1 accuracy"
    )
    assert alone.unit is None and [r["method"] for r in alone.rows] == ["G", "F"]


def test_a_leaderboard_of_an_error_ranks_the_lowest_first():
    rows = [board_row("A", 5.1, metric="WER"), board_row("B", 4.2, metric="WER")]
    [board] = leaderboard(rows, "dataset:imagenet", "wer")
    assert board.lower_is_better and [r["method"] for r in board.rows] == ["B", "A"]


# ---- the store and the command line -----------------------------------------------------


def store_paper(store, title: str, abstract: str, spans: list[tuple[str, str]]):
    paper = make_record(title, abstract, SourceRef("test.txt", 1))
    write_papers(store, [paper])
    data = extraction_to_json(Extraction(split_sentences(abstract), typed_mentions(abstract, spans), []))
    write_extractions(store, [{"id": paper.id, "extraction": data, "version": "test"}])
    return paper


def two_papers_with_results(store) -> None:
    store_paper(
        store,
        "KiteNet: kites for graphs",
        "We propose KiteNet for node classification. KiteNet reaches 83.5% accuracy on Cora.",
        [("KiteNet", "Method"), ("node classification", "Task"), ("KiteNet", "Method"), ("accuracy", "Metric"),
         ("Cora", "Material")],
    )  # fmt: skip
    store_paper(
        store,
        "RopeNet: ropes for graphs",
        "We propose RopeNet. RopeNet reaches 81.2% accuracy on Cora, outperforming GCN by 2.0%.",
        [("RopeNet", "Method"), ("RopeNet", "Method"), ("accuracy", "Metric"), ("Cora", "Material"), ("GCN", "Method")],
    )
    sync_concept_layer(store)


def test_stored_results_and_the_leaderboard_command(store):
    two_papers_with_results(store)
    rows = stored_results(store, dataset="Cora", metric="accuracy")
    assert {(r["method"], r["value"], r["relative"]) for r in rows} == {
        ("KiteNet", 83.5, False),
        ("RopeNet", 81.2, False),
        ("RopeNet", 2.0, True),
    }
    kite = next(r for r in rows if r["method"] == "KiteNet")
    assert kite["stated"] == "83.5%" and kite["sentence"].startswith("KiteNet reaches")
    result = run_cli("results", "--dataset", "Cora", "--metric", "accuracy", "--format", "json", check=True)
    ranked = json.loads(result.stdout)
    assert [(r["rank"], r["method"], r["value"]) for r in ranked] == [(1, "KiteNet", 83.5), (2, "RopeNet", 81.2)]
    missing = run_cli("results", "--dataset", "MNIST", "--metric", "accuracy")
    assert missing.returncode != 0 and "no absolute scores" in missing.stderr


def test_the_results_page_ranks_methods_and_says_where_scores_come_from(store):
    two_papers_with_results(store)
    app = AppTest.from_file(str(REPO / "ui" / "app.py"), default_timeout=60).run()
    app.switch_page("pages/results.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.title[0].value == "Results"
    assert any("not reproduced" in caption.value for caption in app.caption)
    assert [s.value for s in app.subheader] == ["Cora · accuracy", "All result rows (3)"]
    board = app.dataframe[0].value
    assert board["method"].tolist() == ["KiteNet", "RopeNet"] and board["sentence"][0].startswith("KiteNet")


# ---- evaluation ------------------------------------------------------------------------


def annotated(value: float, start: int, method: str | None = "KiteNet", dataset: str | None = "Cora", relative=False):
    return AnnotatedResult(
        f"{value}", start, start + len(f"{value}"), tuple(filter(None, [method])), tuple(filter(None, [dataset])),
        (), (), value, "%", relative, (),
    )  # fmt: skip


def predicted(value: float, start: int, method="KiteNet", dataset: str | None = "Cora", relative=False):
    return PredictedRow(
        "p1", start, start + len(f"{value}") + 1, method, (method,), dataset, (dataset,) if dataset else (), None, (),
        None, value, "%", relative, None, "s",
    )  # fmt: skip


def test_rows_are_right_only_with_method_dataset_value_and_relative_all_right():
    abstract = "KiteNet gets 83.5% on Cora, 2.0% over GCN, 70.1% on Citeseer and 12.0% on Pubmed."
    gold = [
        annotated(83.5, abstract.index("83.5")),
        annotated(2.0, abstract.index("2.0"), relative=True),
        annotated(70.1, abstract.index("70.1"), dataset="Citeseer"),
        annotated(12.0, abstract.index("12.0"), method=None),  # the abstract does not name whose
    ]
    rows = [
        predicted(83.5, abstract.index("83.5")),  # right
        predicted(2.0, abstract.index("2.0"), relative=False),  # wrong: a gain read as a score
        predicted(12.0, abstract.index("12.0")),  # a row on an unnamed method's number: wrong
        predicted(99.0, 0),  # no annotated number there: wrong
    ]  # 70.1 is missed
    scores = score_results([AnnotatedAbstract("p1", "sample", "t", abstract, "test", gold)], rows)
    assert (scores.rows.right, scores.rows.predicted, scores.rows.gold, scores.unnamed) == (1, 4, 3, 1)
    assert scores.fields["relative"].right == 1 and scores.fields["value"].right == 2
    assert scores.rows_but_dataset.right == 1
    assert {m["why"] for m in scores.mistakes} == {
        "wrong relative",
        "a result of a method the abstract does not name",
        "not an annotated result",
        "missed",
    }


def test_the_shipped_annotations_read_and_leave_out_reserved_papers():
    found = read_result_annotations(DEFAULT_ANNOTATIONS)
    assert not found.changed, found.changed
    sample = [a for a in found.abstracts if a.corpus == "sample"]
    assert len(sample) >= 60 and {a.split for a in sample} == {"tune", "test"}
    assert not {a.key for a in found.abstracts} & found.reserved
    for item in found.abstracts:
        for result in item.results:
            assert re.match(r"[+\-\u2212]?\d", item.abstract[result.start : result.end].lstrip("+-"))
    if REAL_CORPUS.exists():
        assert sum(1 for a in found.abstracts if a.results) >= 100
    else:
        assert found.skipped and all("absent" in message for message in found.skipped)


def test_a_bad_annotation_line_names_its_line(tmp_path):
    line = json.loads(DEFAULT_ANNOTATIONS.read_text().splitlines()[0])
    line["results"] = [{**line["results"][0], "quote": "not in the abstract 123"}]
    path = tmp_path / "results.jsonl"
    path.write_text("\n" + json.dumps(line) + "\n")
    with pytest.raises(InputFileError, match=r"results\.jsonl:2: bad result tuple"):
        read_result_annotations(path)
