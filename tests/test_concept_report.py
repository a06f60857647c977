import io

from rich.console import Console

from analysis.concept_report import mentions_and_concepts_by_label, most_mentioned, print_concept_report
from graph_schema.schema import Label
from ingest.records import Mention
from ingest.resolve import resolve

ABSTRACT = "BERT and BERT and GPT-2 on SQuAD; text summarization, text summarisation; the margin."
TYPED = [
    ("BERT", "Method"),
    ("BERT", "Method"),
    ("GPT-2", "Method"),
    ("SQuAD", "Material"),
    ("text summarization", "Task"),
    ("text summarisation", "Task"),
    ("margin", "OtherScientificTerm"),
]


def resolved():
    mentions, position = [], 0
    for text, scierc_type in TYPED:
        start = ABSTRACT.index(text, position)
        mentions.append(Mention(0, start, start + len(text), text, scierc_type, 0.9))
        position = start + len(text)
    return resolve([("p1", ABSTRACT, mentions)])


def test_counts_and_the_most_mentioned():
    resolution = resolved()
    assert mentions_and_concepts_by_label(resolution) == {
        "Method": (3, 2),
        "Task": (2, 1),
        "Dataset": (1, 1),
        "Metric": (0, 0),
    }
    assert [c.name for c in most_mentioned(resolution, Label.METHOD)] == ["BERT", "GPT-2"]


def test_the_report_prints_every_part():
    out = io.StringIO()
    print_concept_report(resolved(), Console(file=out, width=200))
    text = out.getvalue()
    for part in (
        "Mentions -> concepts",
        "dropped OtherScientificTerm",
        "most-mentioned Methods",
        "most-mentioned Datasets",
        "most-mentioned Metrics",
        "least-sure merges",
        "fuzzy 94.4",
    ):
        assert part in text
