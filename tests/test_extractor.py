"""The learned extractor: SciERC I/O and scoring, tokenisation, the committed
artifact, the CLI commands and a one-step training smoke run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from ingest.extract import MentionExtractor, split_abstract
from ingest.records import Extraction
from models.extractor.artifact import CODE_VERSION, read_manifest
from models.extractor.decoding import (
    PredictedEntity,
    PredictedRelation,
    Prediction,
    predict,
    predictions_to_documents,
    select_relations,
)
from models.extractor.inputs import SpanTensors, candidate_spans, make_chunks, word_pieces
from models.extractor.network import ExtractorConfig, load_tokenizer, max_pool
from models.extractor.scierc import Document, SciercFormatError, evaluate, read_documents, write_documents
from ui.cli import cli

REPO = Path(__file__).resolve().parent.parent
SCIERC_DEV = REPO.parent / "shared" / "data" / "scierc" / "dev.json"
needs_artifact = pytest.mark.skipif(read_manifest() is None, reason="no committed extractor artifact")
needs_scierc = pytest.mark.skipif(not SCIERC_DEV.is_file(), reason=f"SciERC dev set not found at {SCIERC_DEV}")

FIXTURE = [
    {
        "doc_key": "fixture-1",
        "sentences": [
            ["We", "propose", "a", "convolutional", "neural", "network", "for", "image", "classification", "."],
            ["It", "is", "evaluated", "on", "ImageNet", "with", "accuracy", "."],
        ],
        "ner": [
            [[3, 5, "Method"], [7, 8, "Task"]],
            [[14, 14, "Material"], [16, 16, "Metric"]],
        ],
        "relations": [
            [[3, 5, 7, 8, "USED-FOR"]],
            [[14, 14, 3, 5, "EVALUATE-FOR"], [16, 16, 3, 5, "EVALUATE-FOR"]],
        ],
    },
    {
        "doc_key": "fixture-2",
        "sentences": [["Parsing", "and", "tagging", "use", "a", "log-linear", "model", "."]],
        "ner": [[[0, 0, "Task"], [2, 2, "Task"], [5, 6, "Method"]]],
        "relations": [[[0, 0, 2, 2, "CONJUNCTION"], [5, 6, 0, 0, "USED-FOR"]]],
    },
    {
        "doc_key": "fixture-3",
        "sentences": [["This", "method", "-LRB-", "SVM", "-RRB-", "outperforms", "baselines", "."]],
        "ner": [[[1, 1, "Generic"], [3, 3, "Method"], [6, 6, "Generic"]]],
        "relations": [[[1, 1, 6, 6, "COMPARE"]]],
    },
]


def write_fixture(path: Path, with_gold: bool = True) -> Path:
    with path.open("w") as out:
        for doc in FIXTURE:
            raw = {"doc_key": doc["doc_key"], "sentences": doc["sentences"]}
            out.write(json.dumps(doc if with_gold else raw) + "\n")
    return path


# ---------------------------------------------------------------- SciERC I/O and scoring


def test_gold_scored_against_itself_is_perfect(tmp_path):
    documents = read_documents(write_fixture(tmp_path / "gold.json"))
    metrics = evaluate(documents, documents)
    for part in ("entities", "relations", "relations_strict"):
        assert metrics[part]["micro"]["f1"] == 100.0
    assert metrics["entities"]["micro"]["gold"] == 10
    assert metrics["relations"]["micro"]["gold"] == 6


def test_scoring_is_strict_on_span_type_and_direction(tmp_path):
    gold = read_documents(write_fixture(tmp_path / "gold.json"))
    predicted = [
        Document(d.doc_key, d.sentences, [list(s) for s in d.ner], [list(s) for s in d.relations]) for d in gold
    ]
    predicted[0].ner[0] = [(3, 5, "Method"), (7, 8, "Method")]  # wrong type for the Task
    predicted[0].ner[1] = [(14, 14, "Material"), (15, 16, "Metric")]  # wrong span for the Metric
    predicted[1].relations[0] = [(2, 2, 0, 0, "CONJUNCTION"), (5, 6, 0, 0, "USED-FOR")]  # reversed
    metrics = evaluate(gold, predicted)
    entities = metrics["entities"]
    assert (entities["micro"]["gold"], entities["micro"]["predicted"]) == (10, 10)
    assert entities["micro"]["f1"] == 80.0
    assert entities["per_type"]["Task"] == {"p": 100.0, "r": 66.67, "f1": 80.0, "gold": 3, "predicted": 2}
    assert metrics["relations"]["per_type"]["CONJUNCTION"]["f1"] == 0.0
    assert metrics["relations"]["micro"]["f1"] == 83.33
    # Rel+ also needs both argument entities right: the relations on the
    # mistyped Task and on the mis-spanned Metric fail too.
    assert metrics["relations_strict"]["micro"]["f1"] == 50.0


def test_bad_lines_are_named_by_file_and_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(FIXTURE[0]) + "\n\n{not json\n")
    with pytest.raises(SciercFormatError, match=r"bad\.json:3: not valid JSON"):
        read_documents(path)
    with pytest.raises(SciercFormatError, match="no such file"):
        read_documents(tmp_path / "missing.json")


def test_predictions_below_a_confidence_are_left_out():
    document = Document(**FIXTURE[1])
    head, tail = PredictedEntity(0, 0, 0, "Task", 0.9), PredictedEntity(0, 5, 6, "Method", 0.6)
    prediction = Prediction([head, tail], [PredictedRelation(0, tail, head, "USED-FOR", 0.8)])
    everything = predictions_to_documents([document], [prediction])[0]
    assert everything.ner == [[(0, 0, "Task"), (5, 6, "Method")]] and everything.relations == [
        [(5, 6, 0, 0, "USED-FOR")]
    ]
    confident = predictions_to_documents([document], [prediction], min_confidence=0.85)[0]
    assert confident.ner == [[(0, 0, "Task")]] and confident.relations == [[]]


def test_raw_documents_round_trip(tmp_path):
    path = write_fixture(tmp_path / "raw.json", with_gold=False)
    documents = read_documents(path)
    assert [d.ner for d in documents] == [[[], []], [[]], [[]]]
    write_documents(tmp_path / "copy.json", documents)
    copied = [json.loads(line)["sentences"] for line in (tmp_path / "copy.json").open()]
    assert copied == [d["sentences"] for d in FIXTURE]


def test_symmetric_relations_keep_one_direction_in_reading_order():
    config = ExtractorConfig()
    conjunction = 1 + config.relation_types.index("CONJUNCTION")
    compare = 1 + config.relation_types.index("COMPARE")
    used_for = 1 + config.relation_types.index("USED-FOR")
    probabilities = torch.zeros((5, 1 + len(config.relation_types)))
    probabilities[0, conjunction], probabilities[1, conjunction] = 0.8, 0.9  # (0,1) and (1,0)
    probabilities[2, used_for], probabilities[3, used_for] = 0.7, 0.6  # directed: both kept
    probabilities[4, compare] = 0.75  # only (3,1) predicted: written (1,3)
    keys = [(0, 0, 1), (0, 1, 0), (0, 0, 2), (0, 2, 0), (0, 3, 1)]
    relations = select_relations(keys, probabilities, config)
    assert sorted(r[:4] for r in relations) == [
        (0, 0, 1, "CONJUNCTION"),
        (0, 0, 2, "USED-FOR"),
        (0, 1, 3, "COMPARE"),
        (0, 2, 0, "USED-FOR"),
    ]
    assert {r[3]: r[4] for r in relations}["CONJUNCTION"] == pytest.approx(0.9)  # the better direction's score


def test_a_pair_more_likely_related_than_not_gets_its_likeliest_type():
    config = ExtractorConfig()
    used_for = 1 + config.relation_types.index("USED-FOR")
    part_of = 1 + config.relation_types.index("PART-OF")
    probabilities = torch.zeros((2, 1 + len(config.relation_types)))
    probabilities[0, [0, used_for, part_of]] = torch.tensor([0.4, 0.35, 0.25])  # "none" is the argmax
    probabilities[1, [0, used_for]] = torch.tensor([0.6, 0.4])
    relations = select_relations([(0, 0, 1), (0, 1, 2)], probabilities, config)
    assert [r[:4] for r in relations] == [(0, 0, 1, "USED-FOR")]
    assert relations[0][4] == pytest.approx(0.35)


def test_max_pool_matches_a_plain_max_over_each_range():
    generator = torch.Generator().manual_seed(0)
    hidden = torch.randn(2, 40, 5, generator=generator)
    rows = [(c, a, b, 0) for c in range(2) for a in range(0, 40, 3) for b in range(a - 2, 40, 5)]
    pooled = max_pool(hidden, SpanTensors.build(rows))
    expected = torch.stack([hidden[c, a : b + 1].max(0).values if b >= a else torch.zeros(5) for c, a, b, _ in rows])
    assert torch.equal(pooled, expected)


@needs_artifact
def test_the_entity_head_taken_apart_at_prediction_scores_what_the_whole_head_scores():
    model = MentionExtractor.load().model
    generator = torch.Generator().manual_seed(0)
    hidden = torch.randn(3, 40, model.encoder.config.hidden_size, generator=generator)
    first = torch.randint(0, 36, (500,), generator=generator)
    last = (first + torch.randint(0, 6, (500,), generator=generator)).clamp(max=39)
    spans = SpanTensors(torch.randint(0, 3, (500,), generator=generator), first, last, last - first + 1)
    with torch.no_grad():
        whole = model.entity_head(model.span_representations(hidden, spans))
        assert not model.training
        taken_apart = model.entity_logits(hidden, spans)
    assert taken_apart.shape == whole.shape == (500, 1 + len(model.config.entity_types))
    torch.testing.assert_close(taken_apart, whole, rtol=1e-5, atol=1e-4)


def test_word_pieces_match_tokenising_each_word_alone():
    tokenizer = load_tokenizer()
    words = ["Graph", "attention", "networks", "(", "GATs", ")", "naïve", "state-of-the-art", "91.4", "%",
             "\u0007", "\u200b", "a" * 150, "日本語", "ResNet-50"]  # fmt: skip
    alone = [tokenizer.word_pieces([w])[0] or [tokenizer.unk_token_id] for w in words]
    assert word_pieces(tokenizer, words) == alone
    assert word_pieces(tokenizer, []) == []


def test_long_documents_are_split_into_chunks_of_whole_sentences():
    tokenizer = load_tokenizer()
    sentence = ["word"] * 30 + ["."]
    document = Document("long", [list(sentence) for _ in range(12)])
    chunks = make_chunks([document], tokenizer, max_wordpieces=128)
    assert len(chunks) == 3
    assert [s for c in chunks for s in c.sentences] == list(range(12))
    assert all(len(c.input_ids) <= 128 for c in chunks)
    assert sum(len(c.token_wordpieces) for c in chunks) == 12 * 31
    spans = candidate_spans(chunks[0], document, max_width=8)
    assert len(spans) == 4 * sum(min(8, 31 - start) for start in range(31))


# ---------------------------------------------------------------- tokenisation


def test_split_abstract_follows_scierc_tokenisation():
    text = (
        "We propose a state-of-the-art network (CNN), e.g. ResNet-50, as in Smith et al. 2019.  "
        "It reaches 91.4% accuracy; code is at https://github.com/a/b.git.\nSee Fig. 3."
    )
    sentences = split_abstract(text)
    assert len(sentences) == 3
    tokens = [[t.text for t in toks] for _, toks in sentences]
    assert tokens[0][:6] == ["We", "propose", "a", "state-of-the-art", "network", "("]
    assert {"e.g.", "ResNet-50", "al."} <= set(tokens[0])
    assert {"91.4", "%", "https://github.com/a/b.git"} <= set(tokens[1])
    assert tokens[2] == ["See", "Fig.", "3", "."]
    for sentence, toks in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert all(text[t.start : t.end] == t.text for t in toks)


# ---------------------------------------------------------------- committed artifact


@needs_artifact
def test_artifact_extracts_expected_mentions_stably():
    model = MentionExtractor.load()
    assert MentionExtractor.load() is model  # loaded once per process
    assert model.version == read_manifest()["version"]
    abstract = (
        "We propose a convolutional neural network for image classification on ImageNet . "
        "Our method outperforms support vector machines in accuracy ."
    )
    first, second = model.extract(abstract), model.extract(abstract)
    assert first == second
    sentences, mentions, relations = first.sentences, first.mentions, first.relations
    assert [s.index for s in sentences] == [0, 1]
    for mention in mentions:
        assert abstract[mention.start : mention.end] == mention.text
        assert sentences[mention.sentence].start <= mention.start < mention.end <= sentences[mention.sentence].end
        assert 0.0 < mention.confidence <= 1.0
    typed = {(m.text, m.type) for m in mentions}
    assert any(t == "Method" and "neural network" in text for text, t in typed), typed
    assert ("ImageNet", "Material") in typed, typed
    assert any(t in ("Task", "OtherScientificTerm") and "classification" in text for text, t in typed), typed
    assert ("accuracy", "Metric") in typed, typed
    assert relations, "expected at least one relation"
    for relation in relations:
        assert relation.head in mentions and relation.tail in mentions and relation.head != relation.tail


@needs_artifact
def test_extract_many_matches_extract_and_handles_empty_text():
    model = MentionExtractor.load()
    abstracts = ["We use BERT for question answering .", "", "Dropout regularises deep networks ."]
    many = model.extract_many(abstracts, batch_size=2)
    assert many[1] == Extraction([], [], [])
    assert many[0] == model.extract(abstracts[0])
    assert many[2] == model.extract(abstracts[2])


@needs_artifact
@pytest.mark.parametrize(
    "abstract, expected",
    [
        ("A convolutional neural network is used for image classification .",
         ("convolutional neural network", "USED-FOR", "image classification")),
        ("We use BERT for question answering .", ("BERT", "USED-FOR", "question answering")),
        ("We evaluate our method on ImageNet in terms of top-1 accuracy .",
         ("top-1 accuracy", "EVALUATE-FOR", "our method")),
        ("We propose a graph attention network for node classification and evaluate it on Cora .",
         ("graph attention network", "USED-FOR", "node classification")),
    ],
)  # fmt: skip
def test_artifact_finds_known_relations(abstract, expected):
    relations = MentionExtractor.load().extract(abstract).relations
    found = {(r.head.text, r.type, r.tail.text) for r in relations}
    assert expected in found, found


@needs_artifact
def test_bfloat16_encoder_finds_what_float32_finds():
    """bf16 is only a speed-up: on fixed sentences it must find (nearly) the
    same typed spans as float32, with confidences in range."""
    model = MentionExtractor.load()
    documents = [Document(doc["doc_key"], doc["sentences"]) for doc in FIXTURE]
    spans = {}
    for bf16 in (False, True):
        predictions = predict(model.model, model.tokenizer, documents, bf16=bf16)
        spans[bf16] = {(d, e.start, e.end, e.type) for d, p in enumerate(predictions) for e in p.entities}
        assert all(0.0 < e.score <= 1.0 for p in predictions for e in p.entities)
    assert spans[False], "float32 found nothing"
    overlap = len(spans[False] & spans[True]) / len(spans[False] | spans[True])
    assert overlap >= 0.9, (spans[False], spans[True])


@needs_artifact
def test_extract_command_writes_one_line_per_document(tmp_path):
    source = write_fixture(tmp_path / "raw.json", with_gold=False)
    out = tmp_path / "pred.json"
    result = CliRunner().invoke(cli, ["extract", "--scierc", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.open()]
    assert [d["doc_key"] for d in lines] == [d["doc_key"] for d in FIXTURE]
    for doc, line in zip(FIXTURE, lines):
        assert line["sentences"] == doc["sentences"]
        assert len(line["ner"]) == len(line["relations"]) == len(doc["sentences"])


@needs_artifact
def test_eval_extract_command_reports_json(tmp_path):
    source = write_fixture(tmp_path / "gold.json")
    result = CliRunner().invoke(cli, ["eval-extract", str(source), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["docs"] == 3 and summary["seconds"] >= 0
    assert summary["encoder_precision"] in ("bfloat16", "float32")
    by_confidence = summary["by_confidence"]
    assert [row["min_confidence"] for row in by_confidence] == sorted(row["min_confidence"] for row in by_confidence)
    for kind in ("entities", "relations"):
        kept = [summary[kind]["micro"]["predicted"]] + [row[kind]["predicted"] for row in by_confidence]
        assert kept == sorted(kept, reverse=True), kind  # a higher cut-off never keeps more
    assert set(summary["entities"]["per_type"]) == set(ExtractorConfig().entity_types)
    assert summary["entities"]["micro"]["gold"] == 10 and summary["entities"]["micro"]["f1"] > 30
    assert "micro" in summary["relations"]


def test_commands_reject_bad_input_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(FIXTURE[1]) + "\n[1, 2\n")
    result = CliRunner().invoke(cli, ["eval-extract", str(bad)])
    assert result.exit_code != 0
    assert f"{bad}:2: not valid JSON" in result.output
    result = CliRunner().invoke(
        cli, ["extract", "--scierc", str(tmp_path / "none.json"), "--out", str(tmp_path / "o.json")]
    )
    assert result.exit_code != 0 and "none.json: no such file" in result.output


@needs_artifact
@needs_scierc
def test_artifact_scores_well_on_part_of_scierc_dev(tmp_path):
    subset = tmp_path / "dev10.json"
    subset.write_text("".join(SCIERC_DEV.read_text().splitlines(keepends=True)[:10]))
    result = CliRunner().invoke(cli, ["eval-extract", str(subset), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["entities"]["micro"]["f1"] > 50
    assert summary["relations"]["micro"]["f1"] > 20


# ---------------------------------------------------------------- training


def test_one_step_training_writes_a_loadable_artifact(tmp_path):
    from models.extractor.train import TrainingSettings, train

    data = write_fixture(tmp_path / "tiny.json")
    settings = TrainingSettings(epochs=1, max_steps=1, batch_size=3, evaluate_every_epoch=False)
    manifest = train(data, data, tmp_path / "artifact", settings)
    assert manifest["version"].startswith(CODE_VERSION + "+")
    assert [source["documents"] for source in manifest["training_data"]] == [3]
    assert set(manifest["dev_metrics"]["entities"]["per_type"]) == set(ExtractorConfig().entity_types)
    loaded = MentionExtractor.load(tmp_path / "artifact")
    assert loaded.version == manifest["version"]
    loaded.extract("A tiny model .")  # runs end to end


def test_training_refuses_a_paper_held_out_for_evaluation(tmp_path):
    from models.extractor.train import ReservedPaperError, refuse_reserved

    reserved = tmp_path / "reserved.tsv"
    reserved.write_text("# id\ttitle\np-held-out\tA held-out paper\n")
    documents = read_documents(write_fixture(tmp_path / "tiny.json"))
    refuse_reserved(documents, "tiny.json", reserved)  # none of them is held out
    documents[1].doc_key = "p-held-out"
    with pytest.raises(ReservedPaperError, match=r"tiny.json: 1 document\(s\) are papers held out .*p-held-out"):
        refuse_reserved(documents, "tiny.json", reserved)


def test_training_twice_gives_the_same_weights(tmp_path):
    """Same data, seed and command: the same artifact, bit for bit.  Without
    deterministic kernels, four steps over this input already differ."""
    from models.extractor.train import TrainingSettings, train

    lines = write_fixture(tmp_path / "tiny.json").read_text().splitlines()
    data = tmp_path / "repeated.json"
    data.write_text("\n".join(lines * 8) + "\n")
    settings = TrainingSettings(epochs=1, max_steps=4, batch_size=3, evaluate_every_epoch=False)
    versions = [train(data, data, tmp_path / f"run{run}", settings)["version"] for run in (1, 2)]
    assert versions[0] == versions[1]
    assert torch.are_deterministic_algorithms_enabled() is False  # switched on for training only


def test_folds_depend_on_the_doc_key_not_the_order():
    from models.extractor.crossval import split_folds

    documents = [Document(f"doc-{i}", [["x"]]) for i in range(30)]
    folds = split_folds(documents, 3)
    assert sorted(d.doc_key for fold in folds for d in fold) == sorted(d.doc_key for d in documents)
    assert all(folds)  # 30 keys over 3 folds: none empty
    reversed_folds = split_folds(documents[::-1], 3)
    assert [{d.doc_key for d in fold} for fold in folds] == [{d.doc_key for d in fold} for fold in reversed_folds]


def test_cross_validation_scores_each_fold_with_a_model_that_never_saw_it(tmp_path, monkeypatch):
    from models.extractor import crossval
    from models.extractor.train import TrainingSettings

    scierc = write_fixture(tmp_path / "scierc.json")
    indomain = tmp_path / "indomain.json"
    indomain.write_text("".join(json.dumps({**doc, "doc_key": f"in-{i}"}) + "\n" for i, doc in enumerate(FIXTURE * 2)))
    trained_on = []
    real_fit = crossval.fit

    def recording_fit(documents, *args, **kwargs):
        trained_on.append([d.doc_key for d in documents])
        return real_fit(documents, *args, **kwargs)

    monkeypatch.setattr(crossval, "fit", recording_fit)
    settings = TrainingSettings(epochs=1, max_steps=1, batch_size=3, evaluate_every_epoch=False)
    results = crossval.cross_validate(scierc, indomain, scierc, folds=2, settings=settings)
    folds = crossval.split_folds(read_documents(indomain), 2)
    assert [r.documents for r in results] == [len(fold) for fold in folds] and all(folds)
    for result, seen, other in zip(results, trained_on, reversed(folds)):
        assert seen == ["fixture-1", "fixture-2", "fixture-3", *(d.doc_key for d in other)]
        assert result.before is None and result.after["docs"] == result.documents
    summary = crossval.summarize(results, "after")
    assert set(summary) >= {"entity_f1", "relation_f1", "Material_f1"}
    assert crossval.summarize(results, "before") == {}


def test_folds_trained_in_parallel_processes_match_folds_trained_in_turn(tmp_path):
    from models.extractor import crossval
    from models.extractor.train import TrainingSettings

    scierc = write_fixture(tmp_path / "scierc.json")
    indomain = tmp_path / "indomain.json"
    indomain.write_text("".join(json.dumps({**doc, "doc_key": f"in-{i}"}) + "\n" for i, doc in enumerate(FIXTURE * 2)))
    # A high head learning rate so that four steps already predict entities: equal predictions then say something.
    settings = TrainingSettings(
        epochs=1, max_steps=4, batch_size=3, evaluate_every_epoch=False, threads=1, head_lr=0.01, warmup_fraction=0.0
    )
    in_turn = crossval.cross_validate(scierc, indomain, scierc, folds=2, settings=settings)
    parallel = crossval.cross_validate(scierc, indomain, scierc, folds=2, settings=settings, jobs=2)
    assert sum(r.dev_after["entities"]["micro"]["predicted"] for r in in_turn) > 0
    assert [r.predicted for r in parallel] == [r.predicted for r in in_turn]
    assert [r.dev_after for r in parallel] == [r.dev_after for r in in_turn]


def test_the_plain_torch_encoder_and_tokenizer_compute_what_transformers_computes():
    from transformers import AutoTokenizer, BertModel

    from models.extractor.minilm import MiniLMEncoder, base_model_path

    path = str(base_model_path())
    theirs = BertModel.from_pretrained(path, add_pooling_layer=False).eval()
    ours = MiniLMEncoder.from_pretrained().eval()
    assert ours.state_dict().keys() <= theirs.state_dict().keys()
    words = ["Graph", "Attention", "Networks", "(GATs)", "reach", "91.4%", "on", "Cora", "—", "naïvely", "\x07"]
    encoding = AutoTokenizer.from_pretrained(path)(words, is_split_into_words=True, add_special_tokens=False)
    assert load_tokenizer().word_pieces(words) == (encoding["input_ids"], encoding.word_ids())
    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 2023, 102, 0, 0, 0]])
    for bf16 in (False, True):
        for rows in (ids, ids[:1]):  # padded, and with nothing padded
            mask = (rows != 0).long()
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                expected = theirs(input_ids=rows, attention_mask=mask).last_hidden_state
                assert torch.equal(ours(rows, mask), expected)


def test_loading_the_extractor_never_imports_transformers():
    import subprocess
    import sys

    code = "import sys; from ingest.extract import MentionExtractor; MentionExtractor.load(); print('transformers' in sys.modules)"
    ran = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "False"
