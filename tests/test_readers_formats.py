"""The formats people download, as they are: the Kaggle-style arxiv_data.csv, columns found by
meaning, BibTeX, OpenAlex works, Semantic Scholar papers, and any of them in a .gz or a .zip.

The fixtures (tests/fixtures, their sources in its README) are real papers' metadata in each
format's own layout; the bad inputs are made here from them.
"""

from __future__ import annotations

import gzip
import json
import re
import zipfile
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from ingest.readers import (
    ColumnNames,
    InputError,
    InputNote,
    ReadResult,
    named_columns,
    read_paths,
)
from tests.support import run_cli

FIXTURES = Path(__file__).parent / "fixtures"
KAGGLE = FIXTURES / "arxiv_data.csv"
ZOTERO = FIXTURES / "zotero.bib"
OPENALEX = FIXTURES / "openalex-works.jsonl"
SEMANTIC_SCHOLAR = FIXTURES / "semantic-scholar-papers.jsonl"

ABSTRACT = "We propose a method for graphs and show that it beats the baselines on three benchmarks."


def _papers(*paths, **options) -> dict:
    return {paper.title: paper for paper in read_paths(list(paths), **options).papers}


def _error(paths, **options) -> str:
    with pytest.raises(InputError) as caught:
        read_paths(paths, **options)
    return str(caught.value)


def _problems(result: ReadResult) -> list[str]:
    return [str(p) for p in result.problems if not isinstance(p, InputNote)]


def _notes(result: ReadResult) -> list[str]:
    return [str(p) for p in result.problems if isinstance(p, InputNote)]


# -- the Kaggle-style CSV and columns found by meaning -------------------------------------------


def test_the_kaggle_arxiv_csv_reads_with_no_flag_and_says_which_columns_it_guessed():
    result = read_paths([KAGGLE])
    tent, aft, gpt4 = result.papers
    assert tent.title == "Tent: Fully Test-time Adaptation by Entropy Minimization"
    assert tent.abstract.startswith("A model must adapt itself to generalize to new and different data during testing.")
    assert "\n" not in tent.abstract and "  " not in tent.abstract  # the summaries' hard line breaks are gone
    assert tent.categories == ["Domain_Adaptation"]  # "['Domain_Adaptation']" in the cell: a list
    assert [p.sources[0].line for p in result.papers] == [2, 14, 27]  # each row's first line
    assert (aft.title, gpt4.title) == ("An Attention Free Transformer", "Instruction Tuning with GPT-4")
    assert _problems(result) == []
    assert _notes(result) == [f"{KAGGLE}: columns guessed: title = titles, abstract = summaries, categories = terms"]


@pytest.mark.parametrize(
    "header",
    [
        "title,abstract",
        "Title,Abstract",
        "TITLES,SUMMARIES",
        "Paper Title,Summary",
        "title,Abstract Note",  # Zotero's CSV export
        "paper_title,abstract_text",
    ],
)
def test_title_and_abstract_columns_are_found_by_their_names_plurals_and_cases(tmp_path, header):
    path = tmp_path / "papers.csv"
    path.write_text(f'{header}\nGraph Things,"{ABSTRACT}"\n')
    (paper,) = read_paths([path]).papers
    assert (paper.title, paper.abstract) == ("Graph Things", ABSTRACT)


def test_the_other_fields_are_found_by_meaning_and_a_blank_cell_falls_back_to_the_next_column(tmp_path):
    path = tmp_path / "zotero-like.csv"
    path.write_text(
        "Key,Title,Author,Publication Year,Date,DOI,Manual Tags,Abstract Note\n"
        f'K1,First Paper,"Peng, Baolin; Li, Chunyuan",2023,2023-04-06,10.48550/arXiv.2304.03277,GPT; LLM,"{ABSTRACT}"\n'
        f"K2,Second Paper,\"['A. Author', 'B. Author']\",2021,,,cs.LG stat.ML,\"{ABSTRACT} Two.\"\n"
    )
    result = read_paths([path])
    first, second = result.papers
    assert first.authors == ["Baolin Peng", "Chunyuan Li"]  # Zotero's "Last, First; Last, First"
    assert (first.date, first.year) == ("2023-04-06", 2023)
    assert (second.date, second.year) == ("2021", 2021)  # Date blank: Publication Year
    assert first.url == "https://doi.org/10.48550/arXiv.2304.03277" and first.external_id == "10.48550/arXiv.2304.03277"
    assert first.categories == ["GPT", "LLM"] and second.categories == ["cs.LG", "stat.ML"]
    assert second.authors == ["A. Author", "B. Author"]
    assert _notes(result) == [
        f"{path}: columns guessed: abstract = Abstract Note, authors = Author, categories = Manual Tags"
    ]


def test_tsv_and_semicolon_separated_csv(tmp_path):
    (tmp_path / "a.tsv").write_text(f"titles\tsummaries\nTab Paper\t{ABSTRACT}\n")
    (tmp_path / "b.csv").write_text(f"Title;Abstract;Year\nSemicolon Paper;{ABSTRACT};2022\n")
    papers = _papers(tmp_path)
    assert papers["Tab Paper"].abstract == ABSTRACT
    assert papers["Semicolon Paper"].year == 2022


def test_named_columns_take_the_place_of_the_guess(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text(f'headline,body,title\nThe Real Title,"{ABSTRACT}",not a title\n')
    names = ColumnNames(title="Headline", abstract="body")
    (paper,) = read_paths([path], columns=names).papers
    assert (paper.title, paper.abstract) == ("The Real Title", ABSTRACT)
    with named_columns(names):  # as the command line's flags reach the readers
        assert [p.title for p in read_paths([path]).papers] == ["The Real Title"]
    assert "lacks the column(s) abstract" in _error([path])  # outside the block: guessed again
    error = _error([path], columns=ColumnNames(title="heading"))
    assert error == f"{path}:1: has no column --title-column 'heading'; found: headline, body, title"


def test_named_and_guessed_keys_in_json_lines(tmp_path):
    path = tmp_path / "hf-export.jsonl"
    rows = [{"titles": "Json Paper", "summaries": ABSTRACT, "terms": ["cs.CL"]}, {"titles": "No Summary", "x": 1}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = read_paths([path])
    assert [(p.title, p.categories) for p in result.papers] == [("Json Paper", ["cs.CL"])]
    assert _problems(result) == [f"{path}:2: title with no abstract skipped: 'No Summary'"]
    assert _notes(result) == [f"{path}: columns guessed: title = titles, abstract = summaries, categories = terms"]
    assert f"{path}:1: has no key named by --abstract-column 'body'" in _error(
        [path], columns=ColumnNames(abstract="body")
    )


# -- BibTeX --------------------------------------------------------------------------------------------


def test_a_zotero_bibtex_export_reads_with_latex_decoded():
    result = read_paths([ZOTERO])
    papers = {p.title: p for p in result.papers}
    assert sorted(papers) == [
        "Active Imitation Learning with Noisy Guidance",
        "Instruction Tuning with GPT-4",
        "The Multi-Agent Programming Contest: A résumé",  # {A} r{\'e}sum{\'e}
    ]
    active = papers["Active Imitation Learning with Noisy Guidance"]
    assert active.authors == ["Kianté Brantley", "Amr Sharaf", "Hal Daumé"]  # Daum{\'e}, Hal
    assert papers["The Multi-Agent Programming Contest: A résumé"].authors[1] == "Jürgen Dix"
    assert (active.date, active.year) == ("2020-05", 2020)  # year and month = may
    assert active.arxiv_id == "2005.12801" and active.external_id == "10.48550/arXiv.2005.12801"
    assert active.url == "http://arxiv.org/abs/2005.12801"
    assert active.categories == ["Imitation Learning"]
    assert active.abstract.startswith("Imitation learning algorithms provide state-of-the-art results")
    assert [p.sources[0].line for p in result.papers] == [1, 14, 27]
    # Energy-Based Models for Continual Learning has no abstract in the export: counted, not listed.
    assert _problems(result) == [f"{ZOTERO}: 1 entry without an abstract skipped (the first at line 40)"]


def test_a_bibtex_entry_that_does_not_parse_is_named_by_its_line_and_the_rest_is_read(tmp_path):
    path = tmp_path / "broken.bib"
    good = ZOTERO.read_text().split("\n\n")
    path.write_text(f"{good[0]}\n@article{{broken, title = {{Unclosed\n\n{good[1]}")
    result = read_paths([path])
    assert [p.title for p in result.papers] == [
        "Instruction Tuning with GPT-4",
        "Active Imitation Learning with Noisy Guidance",
    ]
    (problem,) = _problems(result)
    assert problem.startswith(f"{path}:13: entry that could not be parsed skipped: Unexpected block start")


def test_bibtex_is_known_by_its_first_line_whatever_the_file_is_called(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(ZOTERO.read_text())
    assert len(read_paths([path]).papers) == 3
    (tmp_path / "empty.bib").write_text("% nothing but a comment\n")
    assert "empty.bib: holds no BibTeX entry" in _error([tmp_path / "empty.bib"])
    (tmp_path / "cut.bib").write_text("@article{x, title = {Broken\n")
    assert _error([tmp_path / "cut.bib"]).endswith(
        "cut.bib:1: no entry could be parsed: Unexpectedly reached end of file."
    )


# -- OpenAlex and Semantic Scholar --------------------------------------------------------------


def test_openalex_works_have_their_abstract_rebuilt_from_the_inverted_index():
    result = read_paths([OPENALEX])
    llava, gwil = result.papers
    assert llava.title == "LLaVA-Plus: Learning to Use Tools for Creating Multimodal Agents"
    assert llava.abstract.startswith("LLaVA-Plus is a general-purpose multimodal assistant that expands the")
    assert llava.abstract.endswith("significantly improving tool use performance and enabling new scenarios.")
    assert (llava.date, llava.year) == ("2023-11-01", 2023)
    assert llava.authors[:2] == ["Shilong Liu", "Hao Cheng"] and len(llava.authors) == 13
    assert llava.categories == ["VLM"]  # topics
    assert gwil.categories == ["Imitation Learning"]  # no topics: the concepts
    assert (llava.arxiv_id, llava.external_id) == ("2311.05437", "W0000000001")
    assert llava.url == "https://arxiv.org/abs/2311.05437"
    assert _problems(result) == [f"{OPENALEX}: 1 work without an abstract skipped (the first at line 3)"]


def test_an_api_page_of_works_saved_as_one_json_document(tmp_path):
    """What `curl 'https://api.openalex.org/works?search=...' > works.json` saves."""
    page = {
        "meta": {"count": 3, "page": 1},
        "results": [json.loads(line) for line in OPENALEX.read_text().splitlines()],
    }
    path = tmp_path / "works.json"
    path.write_text(json.dumps(page, indent=2))
    result = read_paths([path])
    assert [(p.arxiv_id, p.sources[0].line) for p in result.papers] == [("2311.05437", 7), ("2110.03684", 435)]
    assert _problems(result) == [f"{path}: 1 work without an abstract skipped (the first at line 806)"]


def test_semantic_scholar_papers_in_the_api_and_the_dataset_layouts(tmp_path):
    result = read_paths([SEMANTIC_SCHOLAR])
    llava, vae = result.papers
    assert vae.title == "Weakly Augmented Variational Autoencoder in Time Series Anomaly Detection"
    assert vae.authors[0] == "Zhangkai Wu" and (vae.date, vae.year) == ("2024-01-01", 2024)
    assert (vae.arxiv_id, vae.categories) == ("2401.03341", ["Computer Science"])
    assert vae.external_id == "0000000000000000000000000000000000000002"
    assert _problems(result) == [f"{SEMANTIC_SCHOLAR}: 1 paper without an abstract skipped (the first at line 3)"]

    dataset = tmp_path / "papers-part0.jsonl"  # the bulk datasets write the keys in lower case
    row = {
        "corpusid": 7,
        "externalids": {"DOI": "10.18653/v1/N18-3011", "ArXiv": None},
        "title": "A Dataset Paper",
        "abstract": ABSTRACT,
        "authors": [{"authorId": "1", "name": "A. Author"}],
        "year": 2020,
        "publicationdate": None,
        "s2fieldsofstudy": [{"category": "Computer Science", "source": "s2-fos-model"}],
    }
    dataset.write_text(json.dumps(row) + "\n")
    (paper,) = read_paths([dataset]).papers
    assert (paper.external_id, paper.url, paper.year, paper.arxiv_id) == (
        "CorpusId:7",
        "https://doi.org/10.18653/v1/N18-3011",
        2020,
        None,
    )
    assert paper.categories == ["Computer Science"]


# -- one paper from two formats ------------------------------------------------------------------


def test_the_same_paper_from_two_formats_is_one_paper():
    result = read_paths([FIXTURES])
    by_title = {p.title: p for p in result.papers}
    assert len(result.papers) == len(by_title) == 8
    gpt4 = by_title["Instruction Tuning with GPT-4"]  # in the Kaggle CSV and in the Zotero export
    assert sorted(Path(s.path).name for s in gpt4.sources) == ["arxiv_data.csv", "zotero.bib"]
    assert gpt4.arxiv_id == "2304.03277" and gpt4.authors[0] == "Baolin Peng"  # filled in from the BibTeX entry
    llava = by_title["LLaVA-Plus: Learning to Use Tools for Creating Multimodal Agents"]
    assert sorted(Path(s.path).name for s in llava.sources) == ["openalex-works.jsonl", "semantic-scholar-papers.jsonl"]
    assert not any("different abstract" in p for p in _problems(result))


# -- compressed files ------------------------------------------------------------------------------


def _gzip(source: Path, target: Path) -> Path:
    target.write_bytes(gzip.compress(source.read_bytes()))
    return target


def test_gz_and_zip_listings_read_as_the_files_inside(tmp_path):
    csv_gz = _gzip(KAGGLE, tmp_path / "arxiv_data.csv.gz")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(ZOTERO, "library/zotero.bib")
        zipped.write(OPENALEX, "works.jsonl")
        zipped.writestr("README.md", "not a listing")
    result = read_paths([csv_gz, archive])
    assert len(result.papers) == 3 + 3 + 2 - 1  # the GPT-4 paper is in the CSV and the BibTeX file
    gpt4 = next(p for p in result.papers if p.title == "Instruction Tuning with GPT-4")
    assert sorted((Path(s.path).name, s.line) for s in gpt4.sources) == [("arxiv_data.csv.gz", 27), ("export.zip", 1)]
    assert f"{archive}/library/zotero.bib: 1 entry without an abstract skipped (the first at line 40)" in _problems(
        result
    )
    assert _notes(result) == [f"{csv_gz}: columns guessed: title = titles, abstract = summaries, categories = terms"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arxiv_data.csv.gz", "export.zip"]  # nothing unpacked


def test_a_folder_reads_compressed_listings_but_not_other_archives(tmp_path):
    _gzip(KAGGLE, tmp_path / "arxiv_data.csv.gz")
    (tmp_path / "weights.tar.gz").write_bytes(gzip.compress(b"\x00" * 100))
    assert len(read_paths([tmp_path]).papers) == 3


# -- bad input: one line naming the file (and the line where it can), nothing written -------------


def _truncated_gz(tmp_path: Path) -> Path:
    data = gzip.compress(OPENALEX.read_bytes())
    path = tmp_path / "works.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Per format, a bad file and what its one line says."""
    (tmp_path / "no-title.csv").write_text("name,summaries\nx,an abstract\n")
    (tmp_path / "library.bib").write_text("<html><body>Not found</body></html>\n")
    page = {"meta": {"count": 3}, "results": [json.loads(line) for line in OPENALEX.read_text().splitlines()]}
    (tmp_path / "works.json").write_text(json.dumps(page, indent=2)[:-500])  # a download cut short
    (tmp_path / "papers.jsonl").write_text(SEMANTIC_SCHOLAR.read_text().splitlines()[2] + "\n")
    (tmp_path / "fake.zip").write_text("this is no zip")
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as zipped:
        zipped.writestr("notes.md", "no listing here")
    return {
        "csv": (tmp_path / "no-title.csv", "no-title.csv:1: lacks the column(s) title (name them with --title-column)"),
        "bibtex": (tmp_path / "library.bib", "library.bib: holds no BibTeX entry"),
        "openalex": (tmp_path / "works.json", "works.json:843: is not valid JSON: Expecting property name"),
        "semantic scholar": (tmp_path / "papers.jsonl", "papers.jsonl: no papers could be read"),
        "gz": (_truncated_gz(tmp_path), "works.jsonl.gz: compressed data is damaged or cut short"),
        "zip": (tmp_path / "fake.zip", "fake.zip: is not a zip archive, or a damaged one"),
        "zip of nothing": (tmp_path / "empty.zip", "empty.zip: zip archive holds no listing file"),
    }


def test_each_bad_input_gets_one_clear_line(tmp_path):
    for kind, (path, says) in _bad_inputs(tmp_path).items():
        error = _error([path])
        assert says in error and "\n" not in error, (kind, error)


def test_a_bad_file_writes_nothing(store, tmp_path):
    ingest_paths(store, [KAGGLE], extract=False)
    counts = store.counts()
    for kind, (path, says) in _bad_inputs(tmp_path).items():
        with pytest.raises(InputError, match=re.escape(says.split(": ", 1)[1])):
            ingest_paths(store, [path], extract=False)
        assert store.counts() == counts, kind


# -- into the store, and the command line -----------------------------------------------------------


def test_every_fixture_ingests_and_a_second_ingest_changes_nothing(store):
    first = ingest_paths(store, [FIXTURES], extract=False)
    assert (first.files, first.papers_new) == (4, 8)
    again = ingest_paths(store, [FIXTURES], extract=False)
    assert (again.papers_new, again.papers_updated, again.papers_unchanged) == (0, 0, 8)
    assert (again.nodes_added, again.relationships_added) == (0, 0)


def test_cli_ingest_of_the_kaggle_csv_says_which_columns_it_guessed(store):
    result = run_cli("ingest", "--quiet", "--no-extract", str(KAGGLE))
    assert result.returncode == 0, result.stderr
    last_lines = result.stdout.strip().splitlines()
    assert "3 paper(s)" in last_lines[0] and "3 new" in last_lines[0]
    assert f"{KAGGLE}: columns guessed: title = titles, abstract = summaries, categories = terms" in last_lines[1]
    assert "warning" not in result.stderr


def test_cli_ingest_takes_column_flags(store, tmp_path):
    path = tmp_path / "own.csv"
    path.write_text(f'headline,body\nA Flagged Paper,"{ABSTRACT}"\n')
    result = run_cli(
        "ingest", "--quiet", "--no-extract", "--title-column", "headline", "--abstract-column", "body", str(path)
    )
    assert result.returncode == 0, result.stderr
    assert "1 new" in result.stdout and "columns guessed" not in result.stdout
    wrong = run_cli("ingest", "--quiet", "--no-extract", "--title-column", "heading", str(path))
    assert wrong.returncode != 0
    assert wrong.stderr.strip().splitlines()[-1] == (
        f"Error: {path}:1: has no column --title-column 'heading'; found: headline, body"
    )
