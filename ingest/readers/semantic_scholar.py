"""Semantic Scholar papers, one JSON object a line, as its Graph API (``paperId``,
``externalIds``, ``publicationDate``, ``fieldsOfStudy``) and its datasets (the same fields
in lower case, ``corpusid``) give them: title, abstract, ``publicationDate`` (else
``year``), the authors' names, the fields of study as categories, and the DOI and arXiv
id of ``externalIds``.  Papers without an abstract are counted and skipped."""

from __future__ import annotations

from collections.abc import Mapping

from ingest.readers.common import FileReport
from ingest.readers.fields import arxiv_url, authors_of, categories_of, doi_of, doi_url
from ingest.records import PaperRecord, SourceRef


def is_semantic_scholar_paper(fields: Mapping[str, object]) -> bool:
    """Whether a JSON object (keys lower-cased) is a Semantic Scholar paper."""
    return "paperid" in fields or "externalids" in fields or "corpusid" in fields


def _lower_keys(value: object) -> dict[str, object]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def semantic_scholar_record(fields: Mapping[str, object], ref: SourceRef, report: FileReport) -> PaperRecord | None:
    ids = _lower_keys(fields.get("externalids"))
    authors = fields.get("authors")
    if isinstance(authors, list):
        authors = [name for a in authors if (name := a.get("name") if isinstance(a, Mapping) else a)]
    categories = categories_of(fields.get("fieldsofstudy")) or list(
        dict.fromkeys(c for c in (_lower_keys(f).get("category") for f in fields.get("s2fieldsofstudy") or []) if c)
    )
    doi = doi_of(ids.get("doi"))
    arxiv_id = str(ids.get("arxiv") or "").strip() or None
    paper_id = fields.get("paperid") or (f"CorpusId:{fields['corpusid']}" if fields.get("corpusid") else None)
    date = fields.get("publicationdate") or fields.get("year")
    return report.checked_record(
        str(fields.get("title") or ""),
        str(fields.get("abstract") or ""),
        ref,
        counted_as="papers",
        authors=authors_of(authors),
        date=str(date) if date else None,
        url=arxiv_url(arxiv_id) or str(fields.get("url") or "") or doi_url(doi),
        external_id=str(paper_id) if paper_id else None,
        categories=[str(c) for c in categories],
        arxiv_id=arxiv_id,
    )
