"""The extractor's inference backends (``models.extractor.backends``) and the
local process pool (``ingest.process_pool``): same findings in ONNX fp32 as in
torch fp32, valid ones in int8, a version per backend, the ONNX export cached
and never half-written, and no worker process left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from click.testing import CliRunner

from graph_schema.errors import PapergraphError
from ingest import writer
from ingest.extract import MentionExtractor, split_abstract
from ingest.paper_analysis import PaperAnalysisCache, analyse, analysis_key
from ingest.process_pool import ProcessPoolExtractor
from ingest.readers import read_paths
from ingest.serialize import extraction_from_json, extraction_to_json
from models.extractor import backends
from models.extractor.artifact import read_manifest
from models.extractor.scierc import ENTITY_TYPES
from tests.support import REPO, run_cli
from ui.cli import cli

pytestmark = pytest.mark.skipif(read_manifest() is None, reason="no committed extractor artifact")

ABSTRACTS = [
    "We propose a convolutional neural network for image classification and evaluate it on ImageNet with top-1 "
    "accuracy.",
    "Graph attention networks outperform graph convolutional networks on node classification benchmarks such as "
    "Cora and Citeseer.",
    "A log-linear model is used for part-of-speech tagging and parsing of the Penn Treebank.",
    "We apply reinforcement learning with policy gradients to robot navigation.",
]
# ONNX Runtime and torch sum in different orders: scores agree to float32 rounding, not bit for bit.
SCORE_TOLERANCE = 1e-3


def findings(extraction) -> list[tuple]:
    return [(m.sentence, m.start, m.end, m.type) for m in extraction.mentions]


@pytest.fixture(autouse=True)
def no_backend_from_the_environment(monkeypatch):
    monkeypatch.delenv(backends.BACKEND_VARIABLE, raising=False)


def test_onnx_fp32_finds_what_torch_fp32_finds(one_torch_thread):
    torch_results = MentionExtractor.load(backend="torch-fp32").extract_many(ABSTRACTS)
    onnx_results = MentionExtractor.load(backend="onnx-fp32").extract_many(ABSTRACTS)
    assert sum(len(r.mentions) for r in torch_results) >= 8  # the comparison below compares something
    for torch_result, onnx_result in zip(torch_results, onnx_results):
        assert findings(onnx_result) == findings(torch_result)
        for torch_mention, onnx_mention in zip(torch_result.mentions, onnx_result.mentions):
            assert onnx_mention.confidence == pytest.approx(torch_mention.confidence, abs=SCORE_TOLERANCE)
        assert [(r.head.text, r.tail.text, r.type) for r in onnx_result.relations] == [
            (r.head.text, r.tail.text, r.type) for r in torch_result.relations
        ]


def test_onnx_int8_runs_and_returns_valid_extractions(one_torch_thread):
    extractor = MentionExtractor.load(backend="onnx-int8")
    assert extractor.encoder.path.name.endswith("int8.onnx")
    results = extractor.extract_many(ABSTRACTS)
    assert all(result.mentions for result in results)
    for abstract, result in zip(ABSTRACTS, results):
        for mention in result.mentions:
            assert abstract[mention.start : mention.end] == mention.text
            assert mention.type in ENTITY_TYPES and 0.0 < mention.confidence <= 1.0
        for relation in result.relations:
            assert relation.head in result.mentions and relation.tail in result.mentions
    found = {m.text for result in results for m in result.mentions}
    assert {"ImageNet", "Cora"} <= found


def test_each_backend_has_its_own_version_and_the_default_keeps_the_artifacts(monkeypatch):
    artifact_version = read_manifest()["version"]
    versions = {backend: MentionExtractor(backend=backend).version for backend in backends.BACKENDS}
    assert versions["torch"] == artifact_version == MentionExtractor().version
    assert len(set(versions.values())) == len(backends.BACKENDS)
    assert versions["onnx-int8"] == f"{artifact_version}+onnx-int8"
    monkeypatch.setenv(backends.BACKEND_VARIABLE, "onnx-int8")
    assert MentionExtractor().version == versions["onnx-int8"]
    assert MentionExtractor(backend="torch").version == artifact_version  # a name given wins over the variable


def test_the_default_backend_predicts_exactly_as_predict_does_by_default():
    from models.extractor.decoding import predict
    from models.extractor.scierc import Document

    documents = [Document(str(i), [[t.text for t in s] for _, s in split_abstract(a)]) for i, a in enumerate(ABSTRACTS)]
    extractor = MentionExtractor.load()
    assert extractor.encoder is None
    assert extractor.predict_documents(documents) == predict(extractor.model, extractor.tokenizer, documents)


def test_an_unknown_backend_is_one_clear_papergraph_error(monkeypatch):
    with pytest.raises(PapergraphError, match="'onnx-int4': not an extractor backend; choose from torch, "):
        MentionExtractor(backend="onnx-int4")
    monkeypatch.setenv(backends.BACKEND_VARIABLE, "tensorrt")
    with pytest.raises(backends.ExtractorBackendError, match=r"\$PAPERGRAPH_EXTRACTOR_BACKEND is 'tensorrt'"):
        MentionExtractor()
    refused = CliRunner().invoke(cli, ["eval-extract", "dev.json", "--backend", "onnx-int4"])
    assert refused.exit_code == 2 and "'onnx-int4' is not one of 'torch', 'torch-fp32'" in refused.output


def test_the_onnx_export_is_written_once_atomically_then_reused(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERGRAPH_HOME", str(tmp_path))
    calls = []

    def fake_export(model, path):
        calls.append("export")
        path.write_bytes(b"half")
        if model == "killed":
            raise RuntimeError("killed halfway")
        path.write_bytes(b"fp32 encoder")

    def fake_quantize(fp32_path, path):
        calls.append("quantize")
        path.write_bytes(b"int8 of " + fp32_path.read_bytes())

    monkeypatch.setattr(backends, "export_encoder", fake_export)
    monkeypatch.setattr(backends, "quantize_encoder", fake_quantize)
    with pytest.raises(backends.ExtractorBackendError, match="killed halfway"):
        backends.onnx_encoder_file("killed", "9.9.9+abc", "onnx-int8")
    folder = tmp_path / "cache" / "onnx" / "9.9.9+abc"
    assert [p.name for p in folder.iterdir() if p.name != ".export.lock"] == []  # no half file, no temporary
    calls.clear()

    path = backends.onnx_encoder_file("model", "9.9.9+abc", "onnx-int8")
    assert path.read_bytes() == b"int8 of fp32 encoder" and calls == ["export", "quantize"]
    assert backends.onnx_encoder_file("model", "9.9.9+abc", "onnx-int8") == path
    assert backends.onnx_encoder_file("model", "9.9.9+abc", "onnx-fp32").read_bytes() == b"fp32 encoder"
    assert calls == ["export", "quantize"]  # the second and third uses exported nothing


def test_the_process_pool_returns_results_in_order_and_stops_its_workers(one_torch_thread):
    with ProcessPoolExtractor(processes=2, group_size=1) as pool:
        assert pool.version == MentionExtractor().version
        results = pool.extract_many(ABSTRACTS)
        workers = [psutil.Process(pid) for pid in pool.worker_pids()]
        assert len(workers) == 2
    # Each worker ran groups of one abstract on one thread, as this process does here.
    expected = pool_free_results()
    assert [findings(r) for r in results] == [findings(r) for r in expected]
    assert [r.sentences for r in results] == [r.sentences for r in expected]
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive and not pool.worker_pids()


def test_the_pool_works_ahead_and_leaves_each_papers_claim_analysis_in_the_cache(
    one_torch_thread, tmp_path, monkeypatch
):
    monkeypatch.setenv("PAPERGRAPH_HOME", str(tmp_path))  # the workers' cache, as ingest's
    handed_over = []

    def batches():
        for batch in (ABSTRACTS[:2], ABSTRACTS[2:]):
            handed_over.append(batch)
            yield batch

    with ProcessPoolExtractor(processes=2, group_size=1) as pool:
        stream = pool.extract_batches(batches())
        first = next(stream)
        # The second batch went to the workers before the first came back, so they work on while it is stored.
        assert handed_over == [ABSTRACTS[:2], ABSTRACTS[2:]]
        results = first + [extraction for batch in stream for extraction in batch]
    assert [findings(r) for r in results] == [findings(r) for r in pool_free_results()]

    stored = {abstract: extraction_to_json(result) for abstract, result in zip(ABSTRACTS, results)}
    papers = {}
    for abstract, extraction in stored.items():
        found = extraction_from_json(abstract, extraction)
        papers[analysis_key(abstract, extraction)] = (abstract, found.mentions, found.sentences)
    cached = PaperAnalysisCache(tmp_path / "cache" / "paper-analysis.sqlite").get_many(
        {key: (abstract, mentions) for key, (abstract, mentions, _) in papers.items()}
    )
    assert cached == {
        key: analyse(abstract, sentences, mentions) for key, (abstract, mentions, sentences) in papers.items()
    }
    assert any(analysis.claims for analysis in cached.values())


def pool_free_results():
    return [MentionExtractor.load().extract_many([abstract])[0] for abstract in ABSTRACTS]


POOL_DRIVER = """
import os, signal, sys
from ingest.process_pool import ProcessPoolExtractor
pool = ProcessPoolExtractor(processes=2, group_size=1)
pool.extract_many(["We use BERT for question answering.", "ResNet is trained on ImageNet."])
print(*pool.worker_pids(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_pool_workers_exit_when_papergraph_is_killed(tmp_path):
    errors = tmp_path / "driver.err"
    # Not run(capture_output=True): that waits for every holder of the pipe, orphaned workers included.
    with errors.open("w") as stderr:
        driver = subprocess.Popen(
            [sys.executable, "-c", POOL_DRIVER], cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
        pids = [int(pid) for pid in driver.stdout.readline().split()]
        assert driver.wait(timeout=60) == -signal.SIGKILL, errors.read_text()
        driver.stdout.close()
    assert len(pids) == 2, errors.read_text()
    deadline = time.monotonic() + 10
    while any(psutil.pid_exists(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    survivors = [pid for pid in pids if psutil.pid_exists(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, f"extraction workers outlived their parent: {survivors}"


def test_ingest_and_eval_extract_take_a_backend(store, tmp_path):
    papers = read_paths([REPO / "data" / "corpus"]).papers[:3]
    listing = tmp_path / "papers.jsonl"
    listing.write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n" for p in papers))
    run_cli(
        "ingest", "--quiet", str(listing), "--extractor-backend", "onnx-int8", "--extractor-processes", "2", check=True
    )
    ids = [p.id for p in papers]
    assert writer.papers_to_extract(store, ids, MentionExtractor(backend="onnx-int8").version) == []
    assert sorted(writer.papers_to_extract(store, ids, MentionExtractor().version)) == sorted(ids)

    refused = run_cli("ingest", str(listing), "--no-extract", "--extractor-backend", "onnx-fp32")
    assert refused.returncode == 2 and "not with --no-extract" in refused.stderr

    gold = tmp_path / "gold.json"
    gold.write_text(
        json.dumps(
            {
                "doc_key": "one",
                "sentences": [["We", "evaluate", "BERT", "on", "SQuAD", "."]],
                "ner": [[[2, 2, "Method"], [4, 4, "Material"]]],
                "relations": [[]],
            }
        )
        + "\n"
    )
    scored = CliRunner().invoke(cli, ["eval-extract", str(gold), "--backend", "onnx-int8", "--json"])
    assert scored.exit_code == 0, scored.output
    summary = json.loads(scored.output)
    assert summary["backend"] == "onnx-int8" and summary["model_version"].endswith("+onnx-int8")
    assert summary["encoder_precision"].startswith("int8")


def test_a_large_default_extraction_runs_on_one_process_per_core(store, monkeypatch, tmp_path):
    from ingest import pipeline

    pools = []

    class RecordingPool(ProcessPoolExtractor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(self.processes)

    monkeypatch.setattr(pipeline, "ProcessPoolExtractor", RecordingPool)
    monkeypatch.setattr(pipeline, "POOL_MIN_ABSTRACTS", 3)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    listing = tmp_path / "papers.jsonl"
    listing.write_text(
        "".join(
            json.dumps({"title": p.title, "abstract": p.abstract}) + "\n"
            for p in read_paths([REPO / "data" / "corpus"]).papers[:5]
        )
    )
    pipeline.ingest_paths(store, [listing], extract=False)
    papers = read_paths([listing]).papers
    assert pipeline.extract_papers(store, papers[:2], None, lambda *a: None, 32, use_cache=False) == 2
    assert pools == []  # two abstracts: in this process
    assert pipeline.extract_papers(store, papers, None, lambda *a: None, 32, use_cache=False) == 3
    assert pools == [2]
    ids = [p.id for p in papers]
    assert writer.papers_to_extract(store, ids, MentionExtractor().version) == []  # the default version
