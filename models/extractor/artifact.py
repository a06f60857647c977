"""The extractor's artifact: one folder with the trainable weights and a manifest.

``ARTIFACT_DIR`` is the committed artifact.  Its ``manifest.json`` records the
version (``CODE_VERSION`` + a hash of the weights), the training data's hash,
dev metrics and the date; ``read_manifest`` reads it without loading torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from graph_schema.errors import PapergraphError

if TYPE_CHECKING:
    from models.extractor.network import SpanRelationModel

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
MANIFEST_FILE = "manifest.json"
WEIGHTS_FILE = "model.safetensors"
# The part of an artifact's version before "+weights hash".  Bump it whenever
# features or decoding change what a given set of weights extracts: stored and
# cached extractions are keyed by the version.
CODE_VERSION = "1.1.0"


class ExtractorNotTrained(PapergraphError):
    pass


class ArtifactError(PapergraphError):
    pass


def read_manifest(directory: Path | str = ARTIFACT_DIR) -> dict | None:
    """The manifest (version, training data, dev metrics) of the artifact in
    ``directory``, or None when there is none.  Cheap: it loads no model."""
    try:
        return json.loads((Path(directory) / MANIFEST_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return None


def save_artifact(model: SpanRelationModel, directory, manifest: dict) -> None:
    """Write the trainable weights (fp16) and the manifest, which carries the config."""
    import torch
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights = {k: v.detach().to(torch.float16).contiguous() for k, v in model.trainable_state_dict().items()}
    save_file(weights, str(directory / WEIGHTS_FILE))
    manifest = {**manifest, "config": model.config.to_dict()}
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")


def load_artifact(directory) -> tuple[SpanRelationModel, dict]:
    """Model (fp32, eval mode) and manifest from an artifact directory."""
    from safetensors.torch import load_file

    from models.extractor.network import FROZEN_PARAMETER, ExtractorConfig, SpanRelationModel

    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest is None:
        raise ExtractorNotTrained(
            f"{directory}: no readable {MANIFEST_FILE}; train one with `papergraph train-extractor`"
        )
    model = SpanRelationModel(ExtractorConfig(**manifest["config"]))
    weights = {k: v.float() for k, v in load_file(str(directory / WEIGHTS_FILE)).items()}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if unexpected or set(missing) != {FROZEN_PARAMETER}:
        raise ArtifactError(f"{directory}: weights do not fit the model (missing {missing}, unexpected {unexpected})")
    model.eval()
    return model, manifest
