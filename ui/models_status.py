"""What the app says about papergraph's trained models: present or not, and how good."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.extract import DEFAULT_MODEL_DIR

# models.extractor.model.MANIFEST_FILE; not imported from there, as that module loads torch.
EXTRACTOR_MANIFEST = DEFAULT_MODEL_DIR / "manifest.json"


def extractor_manifest(path: Path | None = None) -> dict | None:
    """The trained extractor's manifest, or None when it is not trained yet."""
    try:
        return json.loads((path or EXTRACTOR_MANIFEST).read_text())
    except (OSError, json.JSONDecodeError):
        return None


def extractor_quality(manifest: dict) -> list[dict]:
    """Precision, recall and F1 on the dev set: micro, then per type, for entities and relations."""
    rows = []
    for task, scores in manifest.get("dev_metrics", {}).items():
        if not isinstance(scores, dict):
            continue
        for name, values in [("all (micro)", scores.get("micro", {})), *scores.get("per_type", {}).items()]:
            rows.append({"task": task, "type": name, **{k: values.get(k) for k in ("p", "r", "f1", "gold", "predicted")}})
    return rows
