"""LaTeX that abstracts keep, read as plain text (ingest.readers.latex), and the readers applying it."""

from __future__ import annotations

import json

import pytest

from ingest.readers import read_paths
from ingest.readers.latex import plain_latex


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("we introduce the \\textbf{\\textit{image transformer}}, which", "we introduce the image transformer, which"),
        ("SILEM (\\textbf{S}keletal \\textbf{I}mitation \\textbf{L}earning)", "SILEM (Skeletal Imitation Learning)"),
        ("named \\emph{Source HypOthesis Transfer} (SHOT)", "named Source HypOthesis Transfer (SHOT)"),
        ("a {\\em simple} and {\\bf fast} method", "a simple and fast method"),
        ("Code: \\url{https://github.com/x/y}.", "Code: https://github.com/x/y."),
        ("at \\href{https://github.com/x/AROMA}{AROMA}.", "at AROMA (https://github.com/x/AROMA)."),
        ("at \\href{https://x.io}{https://x.io}", "at https://x.io"),
        ("Code address: \\href{https://x.io/v}", "Code address: https://x.io/v"),
        ("an extension of FedHealth \\cite{chen2020fedhealth} to", "an extension of FedHealth to"),
        ("physics-informed neural network~(PINN) and Eq.~3", "physics-informed neural network (PINN) and Eq. 3"),
        ("a few of these (~5) improve, by ~10%", "a few of these (~5) improve, by ~10%"),
        ("improves by 48.4\\% on H\\&M, see FM\\_ZSL", "improves by 48.4% on H&M, see FM_ZSL"),
        ("benchmarks, \\ie, YouTube-VIS and \\eg~OVIS", "benchmarks, i.e., YouTube-VIS and e.g. OVIS"),
        ("a $K$-dimensional output, $20\\%$ fewer, p-value$<$0.01", "a K-dimensional output, 20% fewer, p-value<0.01"),
        ("a $2.1\\times \\sim 6.0\\times$ speedup, $O(n^2)$ time", "a 2.1× ~ 6.0× speedup, O(n^2) time"),
        ("rules $\\mathcal{R}$ in Tokenizer\\,$+$\\,Mamba", "rules R in Tokenizer + Mamba"),
        ("won the 1\\textsuperscript{st} place", "won the 1st place"),
        ("the \\textcolor{red}{MobileSAM} demo", "the MobileSAM demo"),
    ],
)
def test_latex_markup_is_written_as_it_prints(written, plain):
    assert plain_latex(written) == plain


@pytest.mark.parametrize(
    "kept",
    [
        "a bound of $e^{O(T)} \\left(\\varepsilon_0\\right)$ for",  # a formula with commands that have no plain form
        "we propose {\\ours}, built on \\framework",  # the authors' own macros
        "plain text, with 3.2% and a ~ between spaces",
    ],
)
def test_what_has_no_plain_form_is_left_as_written(kept):
    assert plain_latex(kept) == kept


def test_a_link_in_braces_ends_at_the_brace(tmp_path):
    abstract = "All resources are available on {https://github.com/x/Track-Anything}. We hope it helps."
    (tmp_path / "a.jsonl").write_text(json.dumps({"title": "Track Things", "abstract": abstract}) + "\n")
    [paper] = read_paths([tmp_path]).papers
    assert paper.code_urls == ["https://github.com/x/Track-Anything"]


def test_a_reader_gives_the_abstract_as_it_prints_and_its_code_link_without_a_brace(tmp_path):
    abstract = "We propose \\textbf{DBGroup}, a two-stage method. Code: \\url{https://github.com/x/dbgroup}."
    title = "DBGroup: $f$-Grouping for Things"
    (tmp_path / "a.jsonl").write_text(json.dumps({"title": title, "abstract": abstract}) + "\n")
    [paper] = read_paths([tmp_path]).papers
    assert paper.abstract == "We propose DBGroup, a two-stage method. Code: https://github.com/x/dbgroup."
    assert paper.code_urls == ["https://github.com/x/dbgroup"]
    assert paper.title == title  # the paper's id comes from its title as written
