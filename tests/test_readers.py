"""The readers: the real sample corpus, JSONL, CSV, arXiv metadata, and every kind of bad input
(the other formats, and columns found by meaning: tests/test_readers_formats.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from bench.make_scale_corpus import corpus_sentences, write_corpus
from graph_schema.schema import Label
from ingest.pipeline import ingest_paths
from ingest.readers import InputError, ReadResult, iter_records, read_paths
from ingest.writer import paper_content_hash
from tests.support import CORPUS, run_cli

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


def _error(paths, **options) -> InputError:
    with pytest.raises(InputError) as caught:
        read_paths(paths, **options)
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
    error = str(_error([tmp_path / "cols.csv"]))
    assert "cols.csv:1: lacks the column(s) title (name them with --title-column); found: name, summary" in error
    (tmp_path / "none.csv").write_text("name,notes\nx,y\n")
    assert "lacks the column(s) title, abstract (name them with --title-column, --abstract-column)" in str(
        _error([tmp_path / "none.csv"])
    )


def test_one_bad_file_among_good_ones_is_a_problem_not_a_failure(tmp_path):
    (tmp_path / "good.txt").write_text("Title\nWe present a method and show that it beats prior work on benchmarks.\n")
    (tmp_path / "empty.txt").write_text("")
    result = read_paths([tmp_path])
    assert len(result.papers) == 1
    assert any("empty.txt: file is empty" in str(p) for p in result.problems)


# -- arXiv metadata (arxiv-metadata-oai-snapshot.json) ---------------------------------

ARXIV = [
    {
        "id": "0704.0001",
        "submitter": "Pavel Nadolsky",
        "authors": "C. Bal\\'azs, E. L. Berger (1), P. M. Nadolsky ((1) ANL, (2) SMU), and C.-P. Yuan",
        "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies",
        "journal-ref": "Phys.Rev.D76:013009,2007",
        "doi": "10.1103/PhysRevD.76.013009",
        "categories": "hep-ph",
        "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\npresented for the "
        "production of massive photon pairs at hadron colliders.\n",
        "versions": [
            {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
            {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
        ],
        "update_date": "2008-11-13",
    },
    {
        "id": "2106.09685",
        "authors": "Edward J. Hu and Yelong Shen and Phillip Wallis",
        "title": "LoRA: Low-Rank Adaptation of Large Language Models",
        "categories": "cs.CL cs.AI cs.LG",
        "abstract": "We propose Low-Rank Adaptation (LoRA), which freezes the pretrained model weights.",
        "versions": [],
        "update_date": "2021-10-18",
    },
    {
        "id": "math/0406593",
        "authors": "A. Author",
        "title": "An Old-Style Identifier",
        "categories": "math.AG stat.ML",
        "abstract": "An abstract of a paper with an old-style arXiv identifier.",
        "versions": [{"version": "v1", "created": "not a date"}],
        "update_date": "2004-06-29",
    },
]


def _arxiv_file(path: Path, records: list[dict] = ARXIV) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


@pytest.mark.parametrize("name", ["arxiv-metadata-oai-snapshot.json", "arxiv.jsonl", "arxiv.txt"])
def test_arxiv_metadata_is_detected_by_its_fields_whatever_the_file_is_called(tmp_path, name):
    result = read_paths([_arxiv_file(tmp_path / name)])
    assert [p.arxiv_id for p in result.papers] == ["0704.0001", "2106.09685", "math/0406593"]
    assert result.problems == []


def test_arxiv_fields(tmp_path):
    papers = {p.arxiv_id: p for p in read_paths([_arxiv_file(tmp_path / "a.json")]).papers}
    diphoton, lora, old = papers["0704.0001"], papers["2106.09685"], papers["math/0406593"]
    assert diphoton.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert diphoton.abstract.startswith(
        "A fully differential calculation in perturbative quantum chromodynamics is pre"
    )
    assert diphoton.abstract.endswith("hadron colliders.")
    assert (diphoton.date, diphoton.year) == ("2007-04-02", 2007)  # the first version, not update_date
    assert (lora.date, lora.year) == ("2021-10-18", 2021)  # no versions: update_date
    assert (old.date, old.year) == ("2004-06-29", 2004)  # a version date that does not parse: update_date
    assert diphoton.categories == ["hep-ph"] and lora.categories == ["cs.CL", "cs.AI", "cs.LG"]
    assert diphoton.authors == ["C. Bal\\'azs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert lora.authors == ["Edward J. Hu", "Yelong Shen", "Phillip Wallis"]
    assert lora.url == "https://arxiv.org/abs/2106.09685" and lora.external_id == "2106.09685"
    assert old.url == "https://arxiv.org/abs/math/0406593"


def test_a_paper_listed_in_a_daily_page_and_in_arxiv_metadata_is_one_paper(tmp_path):
    """Paper ids come from the normalised title, whatever the source's own id."""
    daily = tmp_path / "daily.txt"
    daily.write_text(f"LoRA: Low-rank adaptation of large language models\n{'We adapt large models cheaply. ' * 3}\n")
    result = read_paths([daily, _arxiv_file(tmp_path / "arxiv.jsonl")])
    lora = [p for p in result.papers if "LoRA" in p.title]
    assert len(lora) == 1 and len(result.papers) == 3
    assert lora[0].arxiv_id == "2106.09685" and lora[0].year == 2021 and lora[0].categories[0] == "cs.CL"
    assert sorted(Path(s.path).name for s in lora[0].sources) == ["arxiv.jsonl", "daily.txt"]


def test_json_lines_with_an_id_that_is_no_arxiv_id_are_not_arxiv(tmp_path):
    record = {"id": "W2741809807", "title": "T", "abstract": "A.", "categories": ["ML"], "date": "2020-05-01"}
    (paper,) = read_paths([_arxiv_file(tmp_path / "other.jsonl", [record])]).papers
    assert paper.arxiv_id is None and paper.external_id == "W2741809807" and paper.url is None
    assert (paper.year, paper.categories) == (2020, ["ML"])


def test_bad_arxiv_lines_are_named_by_file_and_line_and_the_rest_is_read(tmp_path):
    path = tmp_path / "snapshot.json"
    lines = [json.dumps(ARXIV[0]).encode(), b"{not json", json.dumps({**ARXIV[1], "abstract": ""}).encode()]
    lines += ['{"id": "2101.00001", "title": "Caf\xe9"}'.encode("latin-1"), json.dumps(ARXIV[2]).encode()]
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = read_paths([path])
    assert [p.arxiv_id for p in result.papers] == ["0704.0001", "math/0406593"]
    assert [str(p) for p in result.problems] == [
        f"{path}:2: not JSON (Expecting property name enclosed in double quotes) skipped",
        f"{path}:3: title with no abstract skipped: 'LoRA: Low-Rank Adaptation of Large Language Models'",
        f"{path}:4: not valid UTF-8 (byte 0xe9 at offset 34 in the line) skipped",
    ]


def test_one_json_document_is_read_whole_with_each_record_at_its_line(tmp_path):
    (tmp_path / "array.json").write_text(json.dumps(ARXIV, indent=2))
    result = read_paths([tmp_path / "array.json"])
    assert [(p.arxiv_id, p.sources[0].line) for p in result.papers] == [
        ("0704.0001", 2),
        ("2106.09685", 23),
        ("math/0406593", 32),
    ]
    (tmp_path / "cut.json").write_text(json.dumps(ARXIV, indent=2)[:-40])
    error = str(_error([tmp_path / "cut.json"]))
    assert "cut.json:43: is not valid JSON: Expecting ',' delimiter (column 5)" in error


@pytest.mark.parametrize("name", ["big.jsonl", "big.jsonl.gz"])
def test_json_lines_stream_a_line_at_a_time(tmp_path, monkeypatch, name):
    path = _arxiv_file(tmp_path / "big.jsonl", [ARXIV[0], {"no": "title"}, ARXIV[1]])
    if name.endswith(".gz"):  # decompressed as it is read, too
        path = tmp_path / name
        path.write_bytes(gzip.compress((tmp_path / "big.jsonl").read_bytes()))
        (tmp_path / "big.jsonl").unlink()

    def whole_file(*args, **kwargs):
        raise AssertionError("a JSON lines file was read whole")

    monkeypatch.setattr(Path, "read_text", whole_file)
    monkeypatch.setattr(Path, "read_bytes", whole_file)
    monkeypatch.setattr(gzip, "decompress", whole_file)
    read = ReadResult()
    records = iter_records([path], into=read)
    assert next(records).arxiv_id == "0704.0001"
    assert read.problems == [] and read.listings == 1  # line 2 not read yet
    assert [r.arxiv_id for r in records] == ["2106.09685"]
    assert [str(p) for p in read.problems] == [f"{path}:2: record with no title skipped"]


def test_an_over_long_json_line_is_skipped_without_the_rest(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps(ARXIV[0]) + "\n" + "x" * 10_000_000 + "\n" + json.dumps(ARXIV[1]) + "\n")
    result = read_paths([path])
    assert len(result.papers) == 2
    assert [str(p) for p in result.problems] == [f"{path}:2: line of 10,000,000 characters skipped (limit 100,000)"]


def test_the_category_filter_matches_a_prefix_of_any_category(tmp_path):
    path = _arxiv_file(tmp_path / "a.json")
    assert [p.arxiv_id for p in read_paths([path], categories=["cs.LG"]).papers] == ["2106.09685"]
    assert [p.arxiv_id for p in read_paths([path], categories=["stat", "hep"]).papers] == ["0704.0001", "math/0406593"]
    assert len(read_paths([path], categories=["CS"]).papers) == 1
    error = str(_error([path], categories=["q-bio"]))
    assert "no paper in the categories q-bio (3 skipped)" in error


def test_a_paper_without_arxiv_fields_keeps_the_content_hash_it_had(corpus):
    """Stores made before arXiv metadata stay unchanged on a re-ingest."""
    old_fields = ("title", "abstract", "authors", "date", "url", "external_id", "code_urls", "links")
    for paper in corpus.papers[:20]:
        old = json.dumps([getattr(paper, f) for f in old_fields], sort_keys=True)
        assert paper_content_hash(paper) == hashlib.sha1(old.encode()).hexdigest()


# -- arXiv metadata in the store --------------------------------------------------------


def _papers_in(store) -> dict[str, dict]:
    rows = store.read(f"MATCH (p:{Label.PAPER}) RETURN p {{.*}} AS p")
    return {row["p"]["title"]: row["p"] for row in rows}


def test_ingest_keeps_the_asked_categories_and_writes_arxiv_properties(store, tmp_path):
    daily = tmp_path / "daily.txt"
    daily.write_text(f"A Paper Without Categories\n{'We study a thing and show that it works on benchmarks. ' * 2}\n")
    arxiv = _arxiv_file(tmp_path / "arxiv.json")
    summary = ingest_paths(store, [daily, arxiv], extract=False, categories=["cs.LG", "stat"])
    papers = _papers_in(store)
    assert sorted(p["arxiv_id"] for p in papers.values()) == ["2106.09685", "math/0406593"]
    assert summary.papers_new == 2
    assert sorted(str(p) for p in summary.problems) == [
        f"{arxiv}: 1 paper(s) in other categories skipped by the category filter cs.LG stat",
        f"{daily}: 1 paper(s) with no categories skipped by the category filter cs.LG stat",
    ]
    lora = papers["LoRA: Low-Rank Adaptation of Large Language Models"]
    assert (lora["year"], lora["date"], lora["categories"]) == (2021, "2021-10-18", ["cs.CL", "cs.AI", "cs.LG"])
    assert lora["authors"] == ["Edward J. Hu", "Yelong Shen", "Phillip Wallis"]
    rows = store.read(f"MATCH (p:{Label.PAPER}) WHERE p.year >= $year RETURN p.arxiv_id AS id", year=2010)
    assert [row["id"] for row in rows] == ["2106.09685"]

    everything = ingest_paths(store, [daily, arxiv], extract=False)
    assert (everything.papers_new, everything.papers_unchanged) == (2, 2) and everything.problems == []


def test_arxiv_reingest_changes_nothing_and_a_changed_abstract_updates_its_paper(store, tmp_path):
    arxiv = _arxiv_file(tmp_path / "arxiv.json")
    ingest_paths(store, [arxiv], extract=False)
    counts = store.counts()
    again = ingest_paths(store, [arxiv], extract=False)
    assert (again.papers_new, again.papers_updated, again.papers_unchanged) == (0, 0, 3)
    assert (again.nodes_added, again.relationships_added) == (0, 0) and store.counts() == counts

    _arxiv_file(arxiv, [ARXIV[0], {**ARXIV[1], "abstract": "A new abstract for LoRA."}, ARXIV[2]])
    changed = ingest_paths(store, [arxiv], extract=False)
    assert (changed.papers_new, changed.papers_updated, changed.papers_unchanged) == (0, 1, 2)
    assert _papers_in(store)["LoRA: Low-Rank Adaptation of Large Language Models"]["abstract"] == (
        "A new abstract for LoRA."
    )
    assert store.counts().nodes[Label.PAPER.value] == 3


def test_cli_ingest_takes_categories(store, tmp_path):
    arxiv = _arxiv_file(tmp_path / "arxiv.json")
    result = run_cli("ingest", "--quiet", "--no-extract", "--category", "cs.CL", "--category", "hep-ph", str(arxiv))
    assert result.returncode == 0, result.stderr
    assert "1 paper(s) in other categories skipped by the category filter cs.CL hep-ph" in result.stderr
    assert "2 paper(s)" in result.stdout and "2 new" in result.stdout


# -- the scale corpus generator ------------------------------------------------------------


@pytest.fixture(scope="module")
def sentences():
    return corpus_sentences()


def test_scale_corpus_is_deterministic_arxiv_metadata(tmp_path, sentences):
    first = write_corpus(300, tmp_path / "a.jsonl", seed=1, sentences=sentences)
    write_corpus(300, tmp_path / "b.jsonl", seed=1, sentences=sentences)
    write_corpus(300, tmp_path / "c.jsonl", seed=2, sentences=sentences)
    data = (tmp_path / "a.jsonl").read_bytes()
    assert data == (tmp_path / "b.jsonl").read_bytes() and data != (tmp_path / "c.jsonl").read_bytes()
    assert first["abstracts"] == 300 and data.count(b"\n") == 300
    papers = read_paths([tmp_path / "a.jsonl"]).papers
    assert len(papers) == 300 and all(p.arxiv_id and p.categories for p in papers)
    assert len({p.year for p in papers}) >= 6


def test_scale_corpus_vocabulary_grows_with_n(tmp_path, sentences):
    small = write_corpus(300, tmp_path / "small.jsonl", seed=0, sentences=sentences)
    large = write_corpus(3000, tmp_path / "large.jsonl", seed=0, sentences=sentences)
    for key in ("method_names", "dataset_names", "acronym_definitions", "capitalised_tokens"):
        assert large[key] > 2 * small[key], key
    text = (tmp_path / "large.jsonl").read_text()
    assert text.count(" (") > 1000  # acronym definitions, such as "Sparse Gated Mixer (SGM)"
