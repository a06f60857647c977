"""Rebuild the real corpus that the concept-quality figures are measured on.

The corpus: every paper of the 2020s in the public repository
``doosik71/arxivjsdata`` at commit ``8b047d9`` (one JSON file per arXiv paper:
title, authors, year, arXiv URL, abstract; 4,251 files in 77 topic folders of
2020s machine learning, "Instance_Segmentation" to "Mixture_of_Experts").  The
abstracts are arXiv's own: arXiv's metadata, abstracts included, is released
under CC0 1.0.  The repository itself states no licence, so its files are not
committed here; this script rebuilds the same JSON lines file from a copy of
the repository and checks it against the checksum below.

    python bench/real_corpus.py PATH_TO_A_CHECKOUT_OR_GIT_DIR [--out FILE]

A git directory (as ``fetch`` brings it) is read at the pinned commit with
``git archive``; a folder is read as it is.  Papers are kept when their year is
2020 or later; one paper listed under several topics is one line, its topics
joined; the 40 reserved sample-corpus papers and every sample-corpus paper are
left out (by normalised title).  Each line holds ``id`` (the arXiv id without
version), ``title``, ``abstract`` (line breaks undone), ``authors``, ``date``
(``YYYY-MM``, the month of the first version, from the arXiv id), ``url`` and
``categories`` (the repository's topic folders).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.normalize import normalize_title  # noqa: E402
from ingest.readers import read_paths  # noqa: E402

SOURCE_REPOSITORY = "doosik71/arxivjsdata"
SOURCE_COMMIT = "8b047d9"
LICENCE = (
    "arXiv metadata (titles, abstracts): CC0 1.0; the repository states no licence, so its files are not committed"
)
FIRST_YEAR = 2020
EXPECTED_SHA256 = "880e6edc01a464f45851ffe4fcfe226e658b9d0f5590d6972c8cd36770bdad22"
DEFAULT_OUT = Path(__file__).resolve().parent / "corpora" / "real-ml-2020s.jsonl"
ROOT = Path(__file__).resolve().parents[1]
RESERVED = ROOT.parent / "shared" / "data" / "reserved_for_evaluation.tsv"
SAMPLE_CORPUS = ROOT / "data" / "corpus"

_ARXIV_ID = re.compile(r"abs/(\d{4})\.(\d{4,5})(?:v\d+)?$")


def _json_files(source: Path) -> list[tuple[str, bytes]]:
    if (source / "HEAD").is_file() and (source / "objects").is_dir():  # a bare git directory
        archive = subprocess.run(
            ["git", "--git-dir", str(source), "archive", SOURCE_COMMIT], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            return [
                (member.name, tar.extractfile(member).read())
                for member in tar.getmembers()
                if member.isfile() and member.name.endswith(".json") and "/" in member.name
            ]
    return [(str(path.relative_to(source)), path.read_bytes()) for path in sorted(source.glob("*/*.json"))]


def _left_out_titles() -> set[str]:
    titles = set()
    if RESERVED.is_file():
        for line in RESERVED.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and "\t" in line:
                titles.add(normalize_title(line.split("\t", 1)[1]))
    titles |= {normalize_title(paper.title) for paper in read_paths([SAMPLE_CORPUS]).papers}
    return titles


def build(source: Path) -> list[dict]:
    left_out = _left_out_titles()
    papers: dict[str, dict] = {}
    for name, data in _json_files(source):
        fields = json.loads(data)
        found = _ARXIV_ID.search(fields.get("url", ""))
        if not found or int(fields.get("year") or 0) < FIRST_YEAR:
            continue
        title = " ".join(fields["title"].split())
        if normalize_title(title) in left_out:
            continue
        arxiv_id = f"{found.group(1)}.{found.group(2)}"
        topic = name.split("/")[0]
        if arxiv_id in papers:
            papers[arxiv_id]["categories"] = sorted({*papers[arxiv_id]["categories"], topic})
            continue
        papers[arxiv_id] = {
            "id": arxiv_id,
            "title": title,
            "abstract": " ".join(fields["abstract"].split()),
            "authors": [a.strip() for a in fields.get("authors", "").split(",") if a.strip()],
            "date": f"20{found.group(1)[:2]}-{found.group(1)[2:]}",
            "url": f"https://arxiv.org/abs/{arxiv_id}",
            "categories": [topic],
        }
    return [papers[key] for key in sorted(papers)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a checkout or git directory of doosik71/arxivjsdata")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    papers = build(args.source)
    text = "".join(json.dumps(paper, ensure_ascii=False, sort_keys=True) + "\n" for paper in papers)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    years: dict[str, int] = {}
    for paper in papers:
        years[paper["date"][:4]] = years.get(paper["date"][:4], 0) + 1
    print(f"{len(papers):,} papers -> {args.out}; sha256 {digest}; by year {dict(sorted(years.items()))}")
    if digest != EXPECTED_SHA256:
        print(f"warning: the checksum differs from the pinned one ({EXPECTED_SHA256})", file=sys.stderr)


if __name__ == "__main__":
    main()
