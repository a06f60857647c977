"""OpenAlex works, one JSON object a line, as its snapshot (``works/*.gz``) and its API give
them: the abstract rebuilt from ``abstract_inverted_index`` (OpenAlex publishes no plain
abstracts), ``publication_date`` (else ``publication_year``), the authors of
``authorships``, the topics (else the concepts) as categories, and the DOI.  Works without
an abstract, some 40 % of OpenAlex, are counted and skipped."""

from __future__ import annotations

from collections.abc import Mapping

from ingest.readers.common import FileReport
from ingest.readers.fields import arxiv_id_of_doi, arxiv_url, doi_of, doi_url
from ingest.records import PaperRecord, SourceRef

_OPENALEX = "https://openalex.org/"


def is_openalex_work(fields: Mapping[str, object]) -> bool:
    """Whether a JSON object (keys lower-cased) is an OpenAlex work."""
    return "abstract_inverted_index" in fields or str(fields.get("id") or "").startswith(_OPENALEX + "W")


def abstract_from_inverted_index(index: object) -> str:
    """The text an inverted index ({word: [positions]}) was made of, words in position order."""
    if not isinstance(index, Mapping):
        return ""
    placed: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions if isinstance(positions, list) else []:
            if isinstance(position, int):
                placed[position] = str(word)
    return " ".join(placed[position] for position in sorted(placed))


def _names(items: object, *path: str) -> list[str]:
    """The strings at ``path`` inside each dict of ``items``, without repeats."""
    names: list[str] = []
    for item in items if isinstance(items, list) else []:
        value = item
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(value, str) and value.strip() and value.strip() not in names:
            names.append(value.strip())
    return names


def openalex_record(fields: Mapping[str, object], ref: SourceRef, report: FileReport) -> PaperRecord | None:
    authorships = fields.get("authorships")
    authors = _names(authorships, "author", "display_name") or _names(authorships, "raw_author_name")
    categories = _names(fields.get("topics"), "display_name") or _names(fields.get("concepts"), "display_name")
    doi = doi_of(fields.get("doi"))
    location = fields.get("primary_location")
    landing = location.get("landing_page_url") if isinstance(location, Mapping) else None
    date = fields.get("publication_date") or fields.get("publication_year")
    arxiv_id = arxiv_id_of_doi(doi)
    return report.checked_record(
        str(fields.get("title") or fields.get("display_name") or ""),
        abstract_from_inverted_index(fields.get("abstract_inverted_index")),
        ref,
        counted_as="works",
        authors=authors,
        date=str(date) if date else None,
        url=arxiv_url(arxiv_id) or doi_url(doi) or (str(landing) if landing else None),
        external_id=str(fields.get("id") or "").removeprefix(_OPENALEX) or None,
        categories=categories,
        arxiv_id=arxiv_id,
    )
