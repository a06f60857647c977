"""Typed mentions and relations from raw abstracts: the ``Extractor`` interface and its default.

    extractor = MentionExtractor()          # the committed artifact; the model loads on first use
    extraction = extractor.extract(abstract)
    extraction.mentions, extraction.relations

Ingest takes any ``Extractor``: the committed model by default (on the
inference backend named, see ``models.extractor.backends``), a stand-in in
tests, a local process pool (``ingest.process_pool``) or Ray (``ingest.distributed``).  Abstracts are split into
sentences and tokens the way SciERC was (hyphenated words stay whole,
brackets and punctuation are split off, "e.g.", "et al." and decimals stay
whole); offsets are characters into the abstract, end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol

from ingest.records import ConceptRelation, Extraction, Mention, Sentence
from models.extractor.artifact import ARTIFACT_DIR, ArtifactError, ExtractorNotTrained, read_manifest
from models.extractor.backends import backend_encoder, backend_version, choose_backend, torch_bf16

# SciERC's longest sentence has 101 tokens; longer "sentences" (lists, run-ons
# without full stops) are cut into pieces of this many tokens.
MAX_SENTENCE_TOKENS = 100
ABBREVIATIONS = ("al.", "Fig.", "Figs.", "Eq.", "Eqs.", "Sec.", "Tab.", "approx.", "resp.", "cf.", "vs.", "w.r.t.")


# Abstracts per extraction group.  On a CPU with bfloat16 the model's output depends
# slightly on which abstracts are padded together, so every path (local, Ray) groups alike.
EXTRACTION_GROUP = 32
# Encoder inputs per forward pass, sorted by length within a group: 8 pads less than 16 in a
# group of 32 (18.1 against 16.8 abstracts/s on one thread, AVX512-BF16).
PREDICT_BATCH = 8


class Extractor(Protocol):
    """What ingest needs of an extractor.  ``version`` keys stored and cached
    extractions: a different version extracts every paper again.  An extractor
    may also offer ``preferred_batch_size``, the abstracts it wants per
    ``extract_many`` call (a distributed one spreads each call over its workers)."""

    version: str

    def extract_many(self, abstracts: list[str]) -> list[Extraction]: ...


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
    """The trained SciERC span model applied to raw abstracts.

    Constructing one only reads the artifact's manifest (raising
    ``ExtractorNotTrained`` when there is none) and checks ``backend`` (default:
    $PAPERGRAPH_EXTRACTOR_BACKEND, else ``torch``); the model loads on first
    use, once per process and artifact folder, and an ONNX backend's session
    once per process, folder and backend."""

    def __init__(self, directory: str | Path | None = None, backend: str | None = None):
        self.backend = choose_backend(backend)
        self.directory = Path(directory or ARTIFACT_DIR).resolve()
        manifest = read_manifest(self.directory)
        if manifest is None:
            raise ExtractorNotTrained(
                f"the extractor has no trained artifact in {self.directory}; train one with "
                "`papergraph train-extractor`, or ingest with --no-extract"
            )
        self.manifest = manifest
        self.artifact_version: str = manifest.get("version", "unknown")
        self.version: str = backend_version(self.artifact_version, self.backend)

    @classmethod
    def load(cls, directory: str | Path | None = None, backend: str | None = None) -> MentionExtractor:
        """The extractor in ``directory`` (default: the committed artifact) on
        ``backend`` with its model loaded: one per process, folder and backend."""
        return _loaded_extractor(str(Path(directory or ARTIFACT_DIR).resolve()), choose_backend(backend))

    @cached_property
    def model(self):
        return _load_model(str(self.directory))[0]

    @cached_property
    def tokenizer(self):
        return _load_model(str(self.directory))[1]

    @cached_property
    def encoder(self):
        """What runs instead of the model's torch encoder (an ONNX backend's session), or None."""
        return backend_encoder(self.model, self.artifact_version, self.backend)

    def predict_documents(self, documents, batch_size: int = PREDICT_BATCH):
        """Predictions for SciERC documents (``models.extractor.scierc.Document``)."""
        from models.extractor.decoding import predict

        return predict(
            self.model,
            self.tokenizer,
            documents,
            batch_size=batch_size,
            bf16=torch_bf16(self.backend),
            encoder=self.encoder,
        )

    def extract(self, abstract: str) -> Extraction:
        return self.extract_many([abstract])[0]

    def extract_many(self, abstracts: list[str], batch_size: int = PREDICT_BATCH) -> list[Extraction]:
        from models.extractor.scierc import Document

        split = [split_abstract(abstract) for abstract in abstracts]
        documents = [
            Document(str(i), [[t.text for t in tokens] for _, tokens in sentences]) for i, sentences in enumerate(split)
        ]
        predictions = self.predict_documents(documents, batch_size=batch_size)
        results = []
        for abstract, sentences, prediction in zip(abstracts, split, predictions):
            tokens = [token for _, sentence_tokens in sentences for token in sentence_tokens]
            mentions = [_mention(abstract, tokens, entity) for entity in prediction.entities]
            relations = [
                ConceptRelation(
                    _mention(abstract, tokens, r.head), _mention(abstract, tokens, r.tail), r.type, round(r.score, 4)
                )
                for r in prediction.relations
            ]
            results.append(Extraction([s for s, _ in sentences], mentions, relations))
        return results


def _mention(abstract: str, tokens: list[Token], entity) -> Mention:
    """A predicted entity (token offsets) as a mention (character offsets into ``abstract``)."""
    begin, finish = tokens[entity.start].start, tokens[entity.end].end
    return Mention(entity.sentence, begin, finish, abstract[begin:finish], entity.type, round(entity.score, 4))


@lru_cache(maxsize=4)
def _loaded_extractor(directory: str, backend: str) -> MentionExtractor:
    extractor = MentionExtractor(directory, backend)
    extractor.encoder  # noqa: B018 -- load the model (and export its encoder) now, not at the first abstract
    return extractor


@lru_cache(maxsize=4)
def _load_model(directory: str):
    from models.extractor.artifact import load_artifact
    from models.extractor.network import load_tokenizer

    try:
        model, _ = load_artifact(directory)
    except (OSError, ValueError, KeyError) as error:
        raise ArtifactError(f"cannot load the extractor from {directory}: {error}") from error
    return model, load_tokenizer()
