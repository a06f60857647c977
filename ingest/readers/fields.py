"""Field values as sources write them, made into papergraph's: lists of authors and of
categories (from lists, from strings such as arXiv's "A. Author, B. Author (MIT) and
C. Author", or from a list written into one CSV cell: "['cs.CV', 'cs.LG']"), and DOIs."""

from __future__ import annotations

import ast
import json
import re

from ingest.readers.common import clean

# Separators in an authors string outside parentheses: commas, semicolons, "and" (also ", and").
_AUTHOR_SEPARATOR = re.compile(r"\s*(?:[,;]\s*(?:and\s+)?|\band\s+)", re.I)
_AFFILIATION = re.compile(r"\([^()]*\)")
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.I)
# arXiv's own DOIs, which DataCite registers for every paper: 10.48550/arXiv.2304.03277.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)


def listed(value: object) -> list | None:
    """A list written as text into one cell (Python's ``['a', 'b']`` or JSON's ``["a", "b"]``),
    else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    for parse in (json.loads, ast.literal_eval):
        try:
            parsed = parse(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if isinstance(parsed, list | tuple):
            return list(parsed)
    return None


def _without_affiliations(text: str) -> str:
    while True:
        stripped = _AFFILIATION.sub(" ", text)
        if stripped == text:
            return text
        text = stripped


def _first_name_first(name: str) -> str:
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}" if comma and first.strip() and "," not in first else name.strip()


def authors_of(value: object) -> list[str]:
    """A list of names from a list, or from a string: "Last, First; Last, First" (Zotero's
    CSV) split at semicolons, each first name first; else such as arXiv's
    "A. Author, B. Author (MIT) and C. Author", split at commas and "and", affiliations
    in parentheses dropped."""
    value = listed(value) or value
    if isinstance(value, list):
        return [str(a).strip() for a in value if str(a).strip()]
    if isinstance(value, str) and ";" in value:
        return [_first_name_first(name) for name in clean(value).split(";") if name.strip()]
    if isinstance(value, str):
        names = _AUTHOR_SEPARATOR.split(clean(_without_affiliations(value)))
        return [name.strip(" ,;") for name in names if name.strip(" ,;")]
    return []


def categories_of(value: object) -> list[str]:
    """A list, or a list in one cell, or a string: split at commas or semicolons where it has
    them ("Machine learning; Deep learning"), else at spaces (arXiv's "cs.LG stat.ML")."""
    value = listed(value) or value
    if isinstance(value, list):
        return [str(c).strip() for c in value if str(c).strip()]
    if isinstance(value, str):
        separators = r"\s*[,;]\s*" if re.search(r"[,;]", value) else r"\s+"
        return [c.strip() for c in re.split(separators, value.strip()) if c.strip()]
    return []


def doi_of(value: object) -> str | None:
    """A DOI (``10.48550/arXiv.2304.03277``) from itself, ``doi:...`` or its https://doi.org/ URL."""
    match = _DOI.match(str(value or "").strip())
    return match.group(1) if match else None


def doi_url(doi: str | None) -> str | None:
    return f"https://doi.org/{doi}" if doi else None


def arxiv_id_of_doi(doi: str | None) -> str | None:
    """The arXiv id an arXiv DOI names (``10.48550/arXiv.2304.03277`` -> ``2304.03277``)."""
    match = _ARXIV_DOI.match(doi or "")
    return match.group(1) if match else None


def arxiv_url(arxiv_id: str | None) -> str | None:
    return f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None
