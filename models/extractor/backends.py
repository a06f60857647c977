"""How the extractor's encoder runs: its inference backends.

- ``torch`` (default): PyTorch, the encoder in bfloat16 where the CPU does
  bfloat16 natively (``models.runtime.native_bf16``), else in float32;
- ``torch-fp32``: PyTorch, float32 throughout;
- ``onnx-fp32``: the encoder exported to ONNX and run by ONNX Runtime in float32;
- ``onnx-int8``: that export with its weights quantized to int8 (dynamic
  quantization: activations are quantized batch by batch as they come).

Only the encoder changes: the span and relation heads are small and always
run in PyTorch float32.  A backend other than the default finds slightly
different things, so its extractions carry their own version (the
artifact's, then ``+`` and the backend's name) and stored or cached
extractions never mix backends.

The ONNX files are derived from the artifact, never committed: the first use
exports them from the loaded model into
``$PAPERGRAPH_HOME/cache/onnx/<artifact version>/`` (under a lock, through a
temporary file renamed into place, so an export killed halfway leaves no half
file), and later uses load them from there.  Nothing is downloaded.

$PAPERGRAPH_EXTRACTOR_BACKEND names the backend for every extractor that is not
given one (ingest from the command line or the app, eval-extract).  Torch and
ONNX Runtime are imported inside the functions: the command line names the
backends without loading either.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from graph_schema.errors import PapergraphError
from graph_schema.settings import papergraph_home

if TYPE_CHECKING:
    import torch

    from models.extractor.network import SpanRelationModel

TORCH = "torch"
TORCH_FP32 = "torch-fp32"
ONNX_FP32 = "onnx-fp32"
ONNX_INT8 = "onnx-int8"
BACKENDS = (TORCH, TORCH_FP32, ONNX_FP32, ONNX_INT8)
DEFAULT_BACKEND = TORCH
BACKEND_VARIABLE = "PAPERGRAPH_EXTRACTOR_BACKEND"

ONNX_CACHE = Path("cache") / "onnx"
# Bump when the export itself changes (inputs, opset, quantization settings): the file name keys it.
EXPORT_FORMAT = "v1"
OPSET = 17

Encoder = Callable[["torch.Tensor", "torch.Tensor"], "torch.Tensor"]


class ExtractorBackendError(PapergraphError):
    """An unknown backend name, or an ONNX export or session that failed."""


def choose_backend(name: str | None = None) -> str:
    """``name``, else $PAPERGRAPH_EXTRACTOR_BACKEND, else the default; an unknown name raises."""
    chosen = name or os.environ.get(BACKEND_VARIABLE) or DEFAULT_BACKEND
    if chosen not in BACKENDS:
        where = f"${BACKEND_VARIABLE}" if not name else "the extractor backend"
        raise ExtractorBackendError(
            f"{where} is {chosen!r}: not an extractor backend; choose from {', '.join(BACKENDS)}"
        )
    return chosen


def backend_version(artifact_version: str, backend: str) -> str:
    """The version extractions by ``backend`` are stored under: the artifact's own for the default."""
    return artifact_version if backend == DEFAULT_BACKEND else f"{artifact_version}+{backend}"


def torch_bf16(backend: str) -> bool | None:
    """``predict``'s ``bf16`` for a torch backend: None (where native) for the default, else off."""
    return None if backend == TORCH else False


def encoder_precision(backend: str) -> str:
    """What the encoder computes in, in words."""
    from models.runtime import encoder_precision as torch_default_precision

    return {
        TORCH: torch_default_precision(),
        TORCH_FP32: "float32",
        ONNX_FP32: "float32 (ONNX Runtime)",
        ONNX_INT8: "int8 weights (ONNX Runtime, dynamic quantization)",
    }[backend]


def backend_encoder(model: SpanRelationModel, artifact_version: str, backend: str) -> Encoder | None:
    """The encoder ``decoding.predict`` runs for ``backend`` in place of the
    model's own: an ONNX Runtime session for the ONNX backends (exported first
    if not cached), None for the torch ones."""
    if backend in (TORCH, TORCH_FP32):
        return None
    return OnnxEncoder(onnx_encoder_file(model, artifact_version, backend))


class OnnxEncoder:
    """The exported encoder in an ONNX Runtime session on as many threads as torch uses:
    (input_ids, attention_mask) -> float32 last hidden state, as torch tensors."""

    def __init__(self, path: Path):
        import onnxruntime
        import torch

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no notes on the graph's rewrites
        try:
            self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # ONNX Runtime raises classes of its own, unrelated to any base
            raise ExtractorBackendError(
                f"ONNX Runtime cannot load {path}: {error}; delete it and it will be exported again"
            ) from error
        self.path = path

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        import torch

        (hidden,) = self.session.run(
            ["last_hidden_state"], {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()}
        )
        return torch.from_numpy(hidden)


def onnx_encoder_file(model: SpanRelationModel, artifact_version: str, backend: str) -> Path:
    """The ONNX file of ``model``'s encoder for ``backend``, exported (and
    quantized) now unless an earlier use left it in the cache."""
    path = onnx_encoder_path(artifact_version, backend)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Two processes starting at once (the workers of a process pool) export once: the second waits, then loads.
    with open(path.parent / ".export.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            fp32_path = onnx_encoder_path(artifact_version, ONNX_FP32)
            if not fp32_path.exists():
                _write_atomically(fp32_path, lambda temporary: export_encoder(model, temporary))
            if backend == ONNX_INT8:
                _write_atomically(path, lambda temporary: quantize_encoder(fp32_path, temporary))
    return path


def onnx_encoder_path(artifact_version: str, backend: str) -> Path:
    safe_version = "".join(c if c.isalnum() or c in "._-+" else "_" for c in artifact_version)
    precision = {ONNX_FP32: "fp32", ONNX_INT8: "int8"}[backend]
    return papergraph_home() / ONNX_CACHE / safe_version / f"encoder-{EXPORT_FORMAT}-{precision}.onnx"


def export_encoder(model: SpanRelationModel, path: Path) -> None:
    """``model``'s encoder as ONNX: (input_ids, attention_mask) -> last_hidden_state,
    batch and sequence length free."""
    import torch

    class EncoderOnly(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            return self.encoder(input_ids, attention_mask)

    # Traced on a padded batch, so the graph keeps the attention mask (a mask of
    # all ones may be optimised away by the library while tracing).
    input_ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 2023, 102, 0, 0, 0]])
    attention_mask = (input_ids != 0).long()
    dynamic = {0: "batch", 1: "sequence"}
    with warnings.catch_warnings(), torch.no_grad(), torch.autocast("cpu", enabled=False):
        # The TorchScript exporter: its data-dependent branches (all in the
        # attention mask's set-up) are constant for an encoder, and it needs no onnxscript.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            EncoderOnly(model.encoder).eval(),
            (input_ids, attention_mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "last_hidden_state": dynamic},
            opset_version=OPSET,
            dynamo=False,
        )


def quantize_encoder(fp32_path: Path, path: Path) -> None:
    """Int8 weights for the fp32 export's matrix products, per output channel
    (per tensor cost 1.6 more entity F1 on SciERC dev); activations are
    quantized at run time."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory(prefix="papergraph-quantize-") as scratch:
        prepared = Path(scratch) / "prepared.onnx"
        # Shape inference and graph clean-up first, as ONNX Runtime advises.  Its symbolic
        # shape inference cannot follow the attention mask's set-up, so that step is left out.
        quant_pre_process(fp32_path, prepared, skip_symbolic_shape=True)
        quantize_dynamic(prepared, path, weight_type=QuantType.QInt8, per_channel=True)


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Have ``write`` fill a temporary file beside ``path``, then rename it into place."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    os.close(descriptor)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except Exception as error:
        raise ExtractorBackendError(f"exporting the extractor's encoder to {path} failed: {error}") from error
    finally:
        Path(temporary).unlink(missing_ok=True)
