"""The in-domain annotations (data/annotations/indomain.json) and their checker
(models/extractor/annotation_check.py)."""

import json
import subprocess
import sys
from functools import cache

import pytest

from ingest.extract import split_abstract
from ingest.normalize import normalize_title
from ingest.readers import read_paths
from models.extractor.annotation_check import check_file, check_lines, read_reserved_ids
from models.extractor.scierc import read_documents
from tests.support import CORPUS, REPO, shared_path

ANNOTATIONS = REPO / "data" / "annotations" / "indomain.json"
GUIDE = REPO / "data" / "annotations" / "GUIDE.md"


@cache
def corpus_papers() -> dict:
    return {paper.id: paper for paper in read_paths([CORPUS]).papers}


def test_the_shipped_annotations_have_no_format_errors_and_150_documents():
    report = check_file(ANNOTATIONS)
    assert report.errors == []
    assert report.documents >= 150
    assert all(report.entities[label] > 0 for label in ("Task", "Method", "Metric", "Material", "Generic"))
    assert all(report.relations[label] > 0 for label in ("USED-FOR", "EVALUATE-FOR", "CONJUNCTION", "COMPARE"))
    assert GUIDE.is_file()


def test_the_shipped_annotations_load_as_scierc_documents_of_corpus_papers_tokenized_by_split_abstract():
    documents = read_documents(ANNOTATIONS)
    papers = corpus_papers()
    assert len({d.doc_key for d in documents}) == len(documents)
    for document in documents:
        assert document.doc_key in papers, f"{document.doc_key} is not a paper of the sample corpus"
        expected = [[token.text for token in tokens] for _, tokens in split_abstract(papers[document.doc_key].abstract)]
        assert document.sentences == expected, f"{document.doc_key}: tokens differ from split_abstract's"


def test_the_shipped_annotations_hold_no_reserved_paper_by_id_or_by_title():
    reserved_file = shared_path("data", "reserved_for_evaluation.tsv")
    reserved_ids = read_reserved_ids(reserved_file)
    reserved_titles = {
        normalize_title(line.split("\t", 1)[1])
        for line in reserved_file.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert len(reserved_ids) == len(reserved_titles) == 40
    papers = corpus_papers()
    keys = [document.doc_key for document in read_documents(ANNOTATIONS)]
    assert not set(keys) & reserved_ids
    assert not {normalize_title(papers[key].title) for key in keys} & reserved_titles
    assert not [error for error in check_file(ANNOTATIONS, reserved_file).errors if error.kind == "reserved"]


# ---- the checker itself --------------------------------------------------------------


def document(doc_key: str, sentences: list[str], ner: list[list], relations: list[list] | None = None) -> str:
    tokens = [sentence.split() for sentence in sentences]
    return json.dumps(
        {
            "doc_key": doc_key,
            "sentences": tokens,
            "ner": ner,
            "relations": relations if relations is not None else [[] for _ in tokens],
            "clusters": [],
        }
    )


GOOD = document(
    "p-good",
    ["We train graph neural networks for link prediction .", "They beat MLPs ."],
    [[[2, 4, "Method"], [6, 7, "Task"]], [[9, 9, "Method"]]],
    [[[2, 4, 6, 7, "USED-FOR"]], []],
)


def test_the_checker_accepts_a_well_formed_document():
    report = check_lines([GOOD])
    assert report.errors == [] and report.flags == []
    assert report.documents == 1 and sum(report.entities.values()) == 3 and report.relations["USED-FOR"] == 1


@pytest.mark.parametrize(
    ("ner", "relations", "message"),
    [
        ([[[2, 9, "Method"]], []], [[], []], "inside the sentence"),  # crosses into the second sentence
        ([[[2, 4, "Method"], [4, 5, "Method"]], []], [[], []], "overlaps"),
        ([[[2, 4, "Model"]], []], [[], []], "unknown type"),
        ([[[2, 4, "Method"]], []], [[[2, 4, 6, 7, "USED-FOR"]], []], "not an entity"),
        ([[[2, 4, "Method"], [6, 7, "Task"]], []], [[[2, 4, 6, 7, "USES"]], []], "unknown type"),
        (
            [[[2, 4, "Method"], [6, 7, "Task"]], []],
            [[[2, 4, 6, 7, "USED-FOR"], [6, 7, 2, 4, "COMPARE"]], []],
            "same pair",
        ),
        (
            [[[2, 4, "Method"]], [[9, 9, "Method"]]],
            [[[2, 4, 9, 9, "COMPARE"]], []],
            "not an entity",
        ),  # across sentences
        ([[[2, 4, "Method"]]], [[], []], "one list per sentence"),
    ],
)
def test_the_checker_reports_a_broken_document(ner, relations, message):
    broken = document(
        "p-broken", ["We train graph neural networks for link prediction .", "They beat MLPs ."], ner, relations
    )
    report = check_lines([GOOD, broken])
    assert report.errors, "a broken document passed"
    assert any(message in error.message and error.kind == "format" for error in report.errors), report.errors


def test_the_checker_reports_bad_json_a_repeated_doc_key_and_a_reserved_paper():
    report = check_lines(["{not json", GOOD, GOOD], reserved_ids={"p-good"})
    kinds = sorted(error.kind for error in report.errors)
    assert kinds == ["format", "format", "reserved", "reserved"]
    assert any("appears twice" in error.message for error in report.errors)


def test_the_checker_flags_a_form_typed_two_ways_and_a_form_left_out():
    other = document(
        "p-other",
        ["Graph neural networks solve link prediction .", "We study graph neural networks ."],
        [[[0, 2, "Task"], [4, 5, "Task"]], []],
    )
    report = check_lines([GOOD, other])
    assert report.errors == []
    conflicts = [flag for flag in report.flags if flag.kind == "type-conflict"]
    assert [flag.where for flag in conflicts] == ['"graph neural networks"']
    assert "Method 1x (p-good:0)" in conflicts[0].message and "Task 1x (p-other:0)" in conflicts[0].message
    left_out = [flag for flag in report.flags if flag.kind == "left-out"]
    assert [flag.where for flag in left_out] == ['"graph neural networks"']
    assert "p-other:1" in left_out[0].message


def test_the_checker_does_not_flag_a_form_nested_in_a_longer_span_or_a_generic_left_out():
    nested = document(
        "p-nested",
        ["Deep graph neural networks help our method ; our method is fast ."],
        [[[0, 3, "Method"], [5, 6, "Generic"]]],
    )
    report = check_lines([GOOD, nested])
    assert report.flags == []


def test_the_checker_flags_a_span_that_starts_with_an_article():
    sloppy = document("p-sloppy", ["We train the transformer ."], [[[2, 3, "Method"]]])
    assert [flag.kind for flag in check_lines([sloppy]).flags] == ["boundary"]


def test_the_checker_command_exits_nonzero_on_a_broken_file_and_zero_on_the_shipped_one(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(GOOD + "\n" + document("p-x", ["A b ."], [[[0, 5, "Task"]]]) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "models.extractor.annotation_check"]
    failed = subprocess.run([*command, str(broken)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert failed.returncode == 1
    assert "[format] p-x:0" in failed.stdout and "errors: 1" in failed.stdout
    passed = subprocess.run([*command, str(ANNOTATIONS)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "errors: 0" in passed.stdout
    missing = subprocess.run([*command, str(tmp_path / "absent.json")], capture_output=True, text=True, cwd=REPO)
    assert missing.returncode == 2 and "no such file" in missing.stderr
