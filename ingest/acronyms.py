"""Acronym definitions in text: "Long Form (LF)" and "LF (Long Form)".

The algorithm of Schwartz and Hearst (2003), "A simple algorithm for
identifying abbreviation definitions in biomedical text": a short form is a
parenthesised (or parenthesising) word of 2 to 10 characters with a letter in
it; its long form is the shortest run of the preceding words in which the short
form's characters appear in order, the first one starting a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARENTHESIS = re.compile(r"\(([^()]+)\)")
# Where the words before a parenthesis stop belonging to its long form.
_CLAUSE_BREAK = re.compile(r"[!?;:()\[\]]|\.\s")
_MAX_SHORT_FORM_CHARS = 10


@dataclass(frozen=True)
class AcronymDefinition:
    short: str  # as written: "GATs"
    long: str  # as written: "Graph Attention Networks"
    start: int  # character span of the whole definition in the text
    end: int


def find_acronym_definitions(text: str) -> list[AcronymDefinition]:
    definitions = []
    for parenthesis in _PARENTHESIS.finditer(text):
        inside = re.split(r"[;,]", parenthesis.group(1))[0].strip()
        before = text[: parenthesis.start()]
        clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(before)), default=0)
        words_before = list(re.finditer(r"\S+", before[clause_start:]))
        if not words_before:
            continue
        if _is_short_form(inside):
            window = words_before[-min(len(inside) + 5, 2 * len(inside)) :]
            candidate_start = clause_start + window[0].start()
            candidate = text[candidate_start : clause_start + window[-1].end()]
            long_form = _best_long_form(inside, candidate)
            if long_form:
                start = candidate_start + len(candidate) - len(long_form)
                definitions.append(AcronymDefinition(inside, long_form, start, parenthesis.end()))
        elif _is_short_form(words_before[-1].group()) and len(inside.split()) >= 2:
            short = words_before[-1].group()
            if _best_long_form(short, inside) == inside:
                start = clause_start + words_before[-1].start()
                definitions.append(AcronymDefinition(short, inside, start, parenthesis.end()))
    return definitions


def _is_short_form(candidate: str) -> bool:
    return (
        2 <= len(candidate) <= _MAX_SHORT_FORM_CHARS
        and len(candidate.split()) <= 2
        and candidate[0].isalnum()
        and any(c.isupper() for c in candidate)  # keeps out "(i)", "(e.g.)", "(ours)"
    )


def _best_long_form(short: str, candidate: str) -> str | None:
    """Schwartz-Hearst: match the short form's characters right to left in the candidate."""
    s, c = len(short) - 1, len(candidate) - 1
    while s >= 0:
        char = short[s].casefold()
        if not char.isalnum():
            s -= 1
            continue
        # The short form's first character has to start a word of the long form.
        while c >= 0 and (candidate[c].casefold() != char or (s == 0 and c > 0 and candidate[c - 1].isalnum())):
            c -= 1
        if c < 0:
            return None
        s -= 1
        c -= 1
    long_form = candidate[candidate.rfind(" ", 0, c + 1) + 1 :]
    if len(long_form) <= len(short) or short.casefold() in long_form.casefold().split():
        return None
    return long_form
