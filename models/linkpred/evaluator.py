"""The one evaluator every link predictor and baseline goes through.

Input: ``pos_scores`` of shape ``(P,)`` for the held-out positives ``(u, v)``
and ``neg_scores`` of shape ``(P, K)``: row ``i`` scores the ``K`` negatives
``(u_i, w)`` drawn for positive ``i`` (see ``negatives.py``).  Higher means
more likely a link; only the order of scores matters.

* ``auc``: ROC AUC of all positives against all negatives.
* ``ap``: average precision with each negative weighted ``1/K``, so both
  classes carry equal mass: the 1:1 setting of the GAE literature, using
  every negative.
* ``rank`` of a positive: 1 + the number of its own ``K`` negatives scored
  above it, ties counted half (OGB's mean of optimistic and pessimistic
  ranks, so a constant score ranks in the middle, not first).
* ``hits@k``: the share of positives with rank <= k among their own
  negatives (HeaRT's per-positive ranking, not OGB's shared pool).
* ``mrr``: the mean of 1 / rank.

With ``K`` negatives a random scorer gets auc 0.5, hits@k about k / (K + 1)
and mrr about ln(K + 1) / (K + 1).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

HITS_AT = (10, 50)
METRICS = ("auc", "ap", *(f"hits@{k}" for k in HITS_AT), "mrr")


def positive_ranks(pos_scores: np.ndarray, neg_scores: np.ndarray) -> np.ndarray:
    above = (neg_scores > pos_scores[:, None]).sum(axis=1)
    tied = (neg_scores == pos_scores[:, None]).sum(axis=1)
    return 1.0 + above + 0.5 * tied


def evaluate_link_scores(pos_scores, neg_scores) -> dict[str, float]:
    """``{metric: value}`` for the metrics in ``METRICS``."""
    pos_scores = np.asarray(pos_scores, dtype=np.float64).reshape(-1)
    neg_scores = np.asarray(neg_scores, dtype=np.float64).reshape(len(pos_scores), -1)
    if len(pos_scores) == 0 or neg_scores.shape[1] == 0:
        raise ValueError("need at least one positive and one negative per positive")
    if not (np.isfinite(pos_scores).all() and np.isfinite(neg_scores).all()):
        raise ValueError("scores must be finite")
    num_negatives = neg_scores.shape[1]
    labels = np.concatenate([np.ones(len(pos_scores)), np.zeros(neg_scores.size)])
    scores = np.concatenate([pos_scores, neg_scores.reshape(-1)])
    weights = np.concatenate([np.ones(len(pos_scores)), np.full(neg_scores.size, 1.0 / num_negatives)])
    ranks = positive_ranks(pos_scores, neg_scores)
    metrics = {
        "auc": float(roc_auc_score(labels, scores)),
        "ap": float(average_precision_score(labels, scores, sample_weight=weights)),
    }
    metrics.update({f"hits@{k}": float(np.mean(ranks <= k)) for k in HITS_AT})
    metrics["mrr"] = float(np.mean(1.0 / ranks))
    return metrics


def evaluate_scorer(scorer, edge_type, positives: np.ndarray, negatives: np.ndarray) -> dict[str, dict[str, float]]:
    """Run a scorer ``(edge_type, src, dst) -> {name: scores}`` on held-out ``positives`` ``(P, 2)`` and
    their ``negatives`` ``(P, K)`` (dst ids for each positive's src); ``{name: metrics}``."""
    sources = positives[:, 0]
    pos = scorer(edge_type, sources, positives[:, 1])
    neg = scorer(edge_type, np.repeat(sources, negatives.shape[1]), negatives.reshape(-1))
    return {name: evaluate_link_scores(pos[name], neg[name].reshape(negatives.shape)) for name in pos}
