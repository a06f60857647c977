"""What the app says about papergraph's trained models: present or not, and how good."""

from __future__ import annotations

from models.extractor.artifact import ARTIFACT_DIR, MANIFEST_FILE, read_manifest

EXTRACTOR_MANIFEST = ARTIFACT_DIR / MANIFEST_FILE


def extractor_manifest() -> dict | None:
    """The trained extractor's manifest, or None when it is not trained yet."""
    return read_manifest(ARTIFACT_DIR)


def extractor_quality(manifest: dict) -> list[dict]:
    """Precision, recall and F1 on the dev set: micro, then per type, for entities and relations."""
    rows = []
    for task, scores in manifest.get("dev_metrics", {}).items():
        if not isinstance(scores, dict):
            continue
        for name, values in [("all (micro)", scores.get("micro", {})), *scores.get("per_type", {}).items()]:
            rows.append(
                {"task": task, "type": name, **{k: values.get(k) for k in ("p", "r", "f1", "gold", "predicted")}}
            )
    return rows
