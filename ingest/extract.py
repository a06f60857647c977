"""Typed mentions and relations from raw abstracts with the learned extractor.

    extractor = MentionExtractor.load()          # the committed artifact, once per process
    sentences, mentions, relations = extractor.extract(abstract)

Abstracts are split into sentences and tokens the way SciERC was (hyphenated
words stay whole, brackets and punctuation are split off, "e.g.", "et al."
and decimals stay whole); offsets are characters into the abstract, end
exclusive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.records import ConceptRelation, Mention, Sentence

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "extractor" / "artifacts"
MANIFEST_FILE = "manifest.json"
# SciERC's longest sentence has 101 tokens; longer "sentences" (lists, run-ons
# without full stops) are cut into pieces of this many tokens.
MAX_SENTENCE_TOKENS = 100
ABBREVIATIONS = ("al.", "Fig.", "Figs.", "Eq.", "Eqs.", "Sec.", "Tab.", "approx.", "resp.", "cf.", "vs.", "w.r.t.")


class ExtractorNotTrained(RuntimeError):
    pass


def read_manifest(path: Path = DEFAULT_MODEL_DIR / MANIFEST_FILE) -> dict | None:
    """The extractor's manifest (version, training data, dev metrics), or None
    when there is no trained artifact.  Cheap: it loads no model."""
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _sentence_splitter():
    import spacy
    from spacy.lang.char_classes import HYPHENS
    from spacy.symbols import ORTH

    nlp = spacy.blank("en")
    # SciERC keeps hyphenated words whole ("state-of-the-art", "non-rigid").
    infixes = [p for p in nlp.Defaults.infixes if f"(?:{HYPHENS})" not in p]
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    for abbreviation in ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    nlp.add_pipe("sentencizer")
    return nlp


def split_abstract(text: str) -> list[tuple[Sentence, list[Token]]]:
    """Sentences of ``text``, each with its tokens; whitespace is dropped."""
    pieces: list[list[Token]] = []
    for span in _sentence_splitter()(text).sents:
        tokens = [Token(t.text, t.idx, t.idx + len(t.text)) for t in span if not t.is_space]
        for begin in range(0, len(tokens), MAX_SENTENCE_TOKENS):
            pieces.append(tokens[begin : begin + MAX_SENTENCE_TOKENS])
    return [
        (Sentence(index, tokens[0].start, tokens[-1].end, text[tokens[0].start : tokens[-1].end]), tokens)
        for index, tokens in enumerate(p for p in pieces if p)
    ]


class MentionExtractor:
    """The SciERC span model applied to raw abstracts."""

    def __init__(self, model, manifest: dict, tokenizer):
        self.model = model
        self.manifest = manifest
        self.tokenizer = tokenizer
        self.version: str = manifest.get("version", "unknown")

    @classmethod
    def load(cls, path: str | Path | None = None) -> "MentionExtractor":
        """The extractor in ``path`` (default: the committed artifact), loaded once per process."""
        return _load_cached(str(Path(path or DEFAULT_MODEL_DIR).resolve()))

    def predict_documents(self, documents, batch_size: int = 16):
        """Predictions for SciERC documents (``models.extractor.scierc.Document``)."""
        from models.extractor.model import predict

        return predict(self.model, self.tokenizer, documents, batch_size=batch_size)

    def extract(self, abstract: str) -> tuple[list[Sentence], list[Mention], list[ConceptRelation]]:
        return self.extract_many([abstract])[0]

    def extract_many(
        self, abstracts: list[str], batch_size: int = 16
    ) -> list[tuple[list[Sentence], list[Mention], list[ConceptRelation]]]:
        from models.extractor.scierc import Document

        split = [split_abstract(abstract) for abstract in abstracts]
        documents = [
            Document(str(i), [[t.text for t in tokens] for _, tokens in sentences]) for i, sentences in enumerate(split)
        ]
        predictions = self.predict_documents(documents, batch_size=batch_size)
        results = []
        for abstract, sentences, prediction in zip(abstracts, split, predictions):
            tokens = [token for _, sentence_tokens in sentences for token in sentence_tokens]

            def mention(entity) -> Mention:
                sentence, start, end, label, score = entity
                begin, finish = tokens[start].start, tokens[end].end
                return Mention(sentence, begin, finish, abstract[begin:finish], label, round(score, 4))

            mentions = [mention(e) for e in prediction.entities]
            relations = [
                ConceptRelation(mention(head), mention(tail), label, round(score, 4))
                for _, head, tail, label, score in prediction.relations
            ]
            results.append(([s for s, _ in sentences], mentions, relations))
        return results


@lru_cache(maxsize=4)
def _load_cached(directory: str) -> MentionExtractor:
    from models.extractor.model import load_artifact, load_tokenizer

    model, manifest = load_artifact(directory)
    return MentionExtractor(model, manifest, load_tokenizer())
