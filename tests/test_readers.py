"""The readers: the real sample corpus, JSONL, CSV, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.readers import InputError, read_paths
from tests.support import CORPUS

NOISE = ("subscribe", "daily papers", "by ak and the research community", "byak", "get trending papers")


@pytest.fixture(scope="module")
def corpus():
    return read_paths([CORPUS])


def test_sample_corpus_has_exactly_286_distinct_papers(corpus):
    assert len(corpus.papers) == 286
    assert len({p.id for p in corpus.papers}) == 286
    assert corpus.listings == 343  # repeated titles across the four files
    assert corpus.problems == []


def test_no_noise_line_is_stored_as_a_title(corpus):
    for paper in corpus.papers:
        title = paper.title.casefold()
        assert not any(title.startswith(noise) for noise in NOISE), paper.title
        assert title != "new"
        assert len(paper.abstract) > 200, paper.title


def test_subscribe_glued_to_the_first_title_is_removed(corpus):
    titles = {p.title for p in corpus.papers}
    assert "Statistical mechanics of continual learning: variational principle and mean-field potential" in titles


def test_every_paper_records_its_file_and_title_line(corpus):
    first = next(p for p in corpus.papers if p.title == "Automated Audio Captioning with Recurrent Neural Networks")
    lines = (CORPUS / Path(first.sources[0].path).name).read_text().splitlines()
    assert lines[first.sources[0].line - 1] == first.title
    repeated = [p for p in corpus.papers if len(p.sources) > 1]
    assert repeated, "the sample corpus lists some papers in several files"


def test_code_urls_are_kept(corpus):
    dla = next(p for p in corpus.papers if p.title == "Deep Layer Aggregation")
    assert dla.code_urls == ["https://github.com/ucbdrive/dla"]
    assert sum(bool(p.code_urls) for p in corpus.papers) >= 60


def test_jsonl_and_csv_with_optional_fields(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps(
            {
                "id": "2401.00001",
                "title": "A Paper",
                "abstract": "We study things. Code: https://github.com/x/y.",
                "authors": ["A. B", "C. D"],
                "date": "2024-01-01",
            }
        )
        + "\n"
    )
    (tmp_path / "b.csv").write_text(
        'Title,Abstract,URL\n"Another Paper","An abstract, with a comma.",https://example.org/p\n'
    )
    result = read_paths([tmp_path])
    by_title = {p.title: p for p in result.papers}
    assert by_title["A Paper"].external_id == "2401.00001"
    assert by_title["A Paper"].authors == ["A. B", "C. D"]
    assert by_title["A Paper"].code_urls == ["https://github.com/x/y"]
    assert by_title["Another Paper"].url == "https://example.org/p"
    assert by_title["Another Paper"].abstract == "An abstract, with a comma."


def test_a_title_listed_twice_is_one_paper_with_both_sources(tmp_path):
    abstract = "We propose a method for graphs. It works well on many benchmarks and beats baselines."
    (tmp_path / "one.txt").write_text(f"Graph Things\n{abstract}\n")
    (tmp_path / "two.jsonl").write_text(json.dumps({"title": "graph  things", "abstract": abstract}) + "\n")
    result = read_paths([tmp_path / "one.txt", tmp_path / "two.jsonl"])
    assert len(result.papers) == 1
    assert sorted(Path(s.path).name for s in result.papers[0].sources) == ["one.txt", "two.jsonl"]


# -- bad input ------------------------------------------------------------------


def _error(paths) -> InputError:
    with pytest.raises(InputError) as caught:
        read_paths(paths)
    return caught.value


def test_missing_path(tmp_path):
    error = _error([tmp_path / "nope.txt"])
    assert "nope.txt" in str(error) and "no such file" in str(error)


def test_empty_file_and_empty_folder(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    assert "empty.txt: file is empty" in str(_error([tmp_path / "empty.txt"]))
    (tmp_path / "void").mkdir()
    assert "holds no listing files" in str(_error([tmp_path / "void"]))


def test_binary_file(tmp_path):
    (tmp_path / "blob.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    assert "binary" in str(_error([tmp_path / "blob.txt"]))


def test_non_utf8_names_the_line(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("A Title\nAn abstract that is fine.\nCaf\xe9 title\n".encode("latin-1"))
    error = _error([tmp_path / "latin1.txt"])
    assert error.line == 3 and "not valid UTF-8" in str(error) and "latin1.txt:3" in str(error)


def test_title_with_no_abstract_is_reported_and_the_rest_read(tmp_path):
    abstract = "We present a new method and show that it outperforms prior work on three benchmarks."
    (tmp_path / "gap.txt").write_text(f"Lonely Title\nGood Title\n{abstract}\n")
    result = read_paths([tmp_path / "gap.txt"])
    assert [p.title for p in result.papers] == ["Good Title"]
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'gap.txt'}:1: title with no abstract skipped: 'Lonely Title'"
    ]


def test_a_10_mb_single_line(tmp_path):
    (tmp_path / "huge.txt").write_text("x" * 10_000_000)
    error = _error([tmp_path / "huge.txt"])
    assert "huge.txt" in str(error) and "no papers could be read" in str(error)
    abstract = "We present a new method and show that it outperforms prior work on three benchmarks."
    (tmp_path / "mixed.txt").write_text(f"Title\n{abstract}\n" + "y" * 10_000_000 + "\n")
    result = read_paths([tmp_path / "mixed.txt"])
    assert len(result.papers) == 1
    assert "mixed.txt:3: line of 10,000,000 characters skipped" in str(result.problems[0])


def test_jsonl_line_that_is_not_json(tmp_path):
    good = json.dumps({"title": "T", "abstract": "An abstract."})
    (tmp_path / "bad.jsonl").write_text(f"{good}\n{{not json\n")
    result = read_paths([tmp_path / "bad.jsonl"])
    assert len(result.papers) == 1
    assert str(result.problems[0]).startswith(f"{tmp_path / 'bad.jsonl'}:2: not JSON")
    (tmp_path / "worse.jsonl").write_text("{oops\n")
    assert "worse.jsonl" in str(_error([tmp_path / "worse.jsonl"]))


def test_csv_without_the_needed_columns(tmp_path):
    (tmp_path / "cols.csv").write_text("name,summary\nx,y\n")
    error = _error([tmp_path / "cols.csv"])
    assert "cols.csv:1" in str(error) and "title, abstract" in str(error) and "found: name, summary" in str(error)


def test_one_bad_file_among_good_ones_is_a_problem_not_a_failure(tmp_path):
    (tmp_path / "good.txt").write_text("Title\nWe present a method and show that it beats prior work on benchmarks.\n")
    (tmp_path / "empty.txt").write_text("")
    result = read_paths([tmp_path])
    assert len(result.papers) == 1
    assert any("empty.txt: file is empty" in str(p) for p in result.problems)
