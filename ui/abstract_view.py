"""An abstract with its extracted mentions highlighted by concept label, drawn by displaCy."""

from __future__ import annotations

from analysis.details import MentionSpan
from ui.graph_view import LABEL_COLOURS


def non_overlapping(mentions: list[MentionSpan]) -> list[MentionSpan]:
    """displaCy draws no overlapping entities: keep the longer of any two that overlap."""
    kept: list[MentionSpan] = []
    for mention in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if all(mention.end <= other.start or mention.start >= other.end for other in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def highlighted_abstract_html(abstract: str, mentions: list[MentionSpan]) -> str:
    from spacy import displacy

    document = {
        "text": abstract,
        "ents": [{"start": m.start, "end": m.end, "label": m.label} for m in non_overlapping(mentions)],
        "title": None,
    }
    options = {"colors": {label.value: colour + "55" for label, colour in LABEL_COLOURS.items()}}
    return displacy.render(document, style="ent", manual=True, options=options, page=False, jupyter=False)
