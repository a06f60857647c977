"""Calibrated link probabilities: a model's logits turned into scores a person can threshold.

A GNN's raw logits rank pairs but say nothing in themselves: on the store's graph the
sigmoid of the best hundred Method-to-Task logits was 1.000 for every one of them.  Platt
scaling (a logistic regression on the logit, i.e. a temperature and a bias) is fitted per
target edge type on the *validation* links, each against ``CALIBRATION_NEGATIVES``
non-links of its source (half of them nearby, half at random; see ``negatives.py``).  The
calibrated score of a pair is then what it reads as: among validation pairs scored like it,
that share were real links, each real link competing with ``CALIBRATION_NEGATIVES``
alternatives.  Platt scaling is strictly increasing, so it keeps the model's ranking and
every distinct logit gives a distinct score (isotonic regression would make steps, and
ties); ``reliability`` checks it on the test links.  A target type with fewer than
``MIN_CALIBRATION_LINKS`` validation links gets the scaling fitted on every type's together.

Each scaling also records ``best_f1``, the calibrated score at which the F1 of telling the
validation links from their negatives is highest: for a person choosing a threshold of their
own (``papergraph linkpred predict --threshold``), next to the default of 0.5.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve

from models.linkpred.split import EdgeType, LinkSplit

CALIBRATION_NEGATIVES = 50  # per validation link: half hard, half random
MIN_CALIBRATION_LINKS = 10  # validation links a type needs for a scaling of its own
_EDGE_TYPE_SEPARATOR = "|"


@dataclass(frozen=True)
class PlattScaling:
    """``probability = sigmoid(slope * logit + intercept)`` within the logits seen in validation
    (``lowest`` to ``highest``); ``best_f1``: the probability at which validation F1 is highest.

    Beyond the validation logits the line is not extrapolated: a logit ``d`` past the highest
    counts as ``highest + log(1 + d)`` (and likewise below the lowest).  The NCN decoder's logit
    grows with every shared neighbour, so a pair with more shared papers than any validation
    link got a score of 1.000 from the straight line, as did the next hundred; growing slowly
    there keeps them ranked without claiming a certainty that no validation pair supports."""

    slope: float = 1.0
    intercept: float = 0.0
    best_f1: float = 0.5
    lowest: float = -np.inf
    highest: float = np.inf

    def probability(self, logits) -> np.ndarray:
        logits = np.asarray(logits, dtype=np.float64)
        above = np.maximum(logits - self.highest, 0.0)
        below = np.maximum(self.lowest - logits, 0.0)
        bounded = np.clip(logits, self.lowest, self.highest) + np.log1p(above) - np.log1p(below)
        return expit(self.slope * bounded + self.intercept)


UNCALIBRATED = PlattScaling()


def fit_platt(pos_logits, neg_logits) -> PlattScaling:
    """Platt scaling of the logits of positives against negatives (as many of each as given).

    With too few pairs to fit (fewer than two of either class) it is the plain sigmoid."""
    pos_logits = np.asarray(pos_logits, dtype=np.float64).reshape(-1)
    neg_logits = np.asarray(neg_logits, dtype=np.float64).reshape(-1)
    if len(pos_logits) < 2 or len(neg_logits) < 2:
        return UNCALIBRATED
    logits = np.concatenate([pos_logits, neg_logits])[:, None]
    labels = np.concatenate([np.ones(len(pos_logits)), np.zeros(len(neg_logits))])
    # A weak ridge keeps a perfectly separating model from an infinite slope.
    regression = LogisticRegression(C=100.0).fit(logits, labels)
    slope = float(regression.coef_[0, 0])
    if slope <= 0:  # a model no better than chance on validation: keep its order, claim nothing
        slope = 1e-3
    scaling = PlattScaling(
        slope, float(regression.intercept_[0]), lowest=float(logits.min()), highest=float(logits.max())
    )
    return dataclasses.replace(scaling, best_f1=best_f1_threshold(scaling.probability(logits[:, 0]), labels))


def best_f1_threshold(probability: np.ndarray, labels: np.ndarray) -> float:
    """The score at or above which calling pairs links gives the highest F1 (the lowest such score on ties)."""
    precision, recall, thresholds = precision_recall_curve(labels, probability)
    f1 = np.divide(
        2 * precision * recall, precision + recall, out=np.zeros_like(precision), where=precision + recall > 0
    )
    return float(thresholds[int(np.argmax(f1[:-1]))]) if len(thresholds) else 0.5


@dataclass
class Calibration:
    """One ``PlattScaling`` per target edge type; types without one get the plain sigmoid."""

    by_edge_type: dict[EdgeType, PlattScaling] = field(default_factory=dict)

    def scaling(self, edge_type: EdgeType) -> PlattScaling:
        return self.by_edge_type.get(tuple(edge_type), UNCALIBRATED)

    def probability(self, edge_type: EdgeType, logits) -> np.ndarray:
        return self.scaling(edge_type).probability(logits)

    def as_json(self) -> dict:
        return {
            _EDGE_TYPE_SEPARATOR.join(edge_type): dataclasses.asdict(scaling)
            for edge_type, scaling in self.by_edge_type.items()
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Calibration:
        return cls(
            {tuple(key.split(_EDGE_TYPE_SEPARATOR)): PlattScaling(**value) for key, value in (data or {}).items()}
        )


def reliability(pos_prob, neg_prob, bins: int = 10) -> dict[str, float]:
    """How well probabilities match outcomes: the Brier score and the expected calibration error
    (the mean gap between predicted and observed rates over equal-width bins, weighted by pairs)."""
    prob = np.concatenate([np.asarray(pos_prob, np.float64).reshape(-1), np.asarray(neg_prob, np.float64).reshape(-1)])
    outcome = np.concatenate([np.ones(np.size(pos_prob)), np.zeros(np.size(neg_prob))])
    which = np.minimum((prob * bins).astype(np.int64), bins - 1)
    gap = 0.0
    for bin_index in range(bins):
        inside = which == bin_index
        if inside.any():
            gap += inside.sum() * abs(prob[inside].mean() - outcome[inside].mean())
    return {"brier": float(np.mean((prob - outcome) ** 2)), "ece": float(gap / len(prob))}


def calibration_pairs(split: LinkSplit, positives_by_type: dict, count: int, rng: np.random.Generator) -> dict:
    """``{edge_type: (positives, negatives)}``: each positive against ``count`` negatives of its
    source, half hard and half random (``negatives.evaluation_negatives``)."""
    from models.linkpred.negatives import evaluation_negatives

    pairs = {}
    for edge_type, positives in positives_by_type.items():
        if len(positives):
            by_regime = evaluation_negatives(split, edge_type, positives, max(count // 2, 1), rng)
            pairs[edge_type] = (positives, np.concatenate(list(by_regime.values()), axis=1))
    return pairs


def pair_logits(scorer, name: str, edge_type: EdgeType, positives: np.ndarray, negatives: np.ndarray):
    """``(positive logits (P,), negative logits (P * K,))`` of a scorer for the evaluator's pairs."""
    sources = positives[:, 0]
    pos = scorer(edge_type, sources, positives[:, 1])[name]
    neg = scorer(edge_type, np.repeat(sources, negatives.shape[1]), negatives.reshape(-1))[name]
    return pos, neg


def calibrate(
    scorer, name: str, split: LinkSplit, rng: np.random.Generator, count: int = CALIBRATION_NEGATIVES
) -> Calibration:
    """Platt scaling per target type of ``scorer``'s logits on ``split``'s validation links; types
    with too few of them share the scaling of every type's validation links together."""
    logits = {
        edge_type: pair_logits(scorer, name, edge_type, positives, negatives)
        for edge_type, (positives, negatives) in calibration_pairs(split, split.val, count, rng).items()
    }
    pooled = (
        fit_platt(*(np.concatenate([pair[side] for pair in logits.values()]) for side in (0, 1))) if logits else None
    )
    calibration = Calibration()
    for edge_type in split.target_edge_types:
        if edge_type in logits and len(logits[edge_type][0]) >= MIN_CALIBRATION_LINKS:
            calibration.by_edge_type[edge_type] = fit_platt(*logits[edge_type])
        elif pooled is not None:
            calibration.by_edge_type[edge_type] = pooled
    return calibration


def held_out_reliability(
    scorer,
    name: str,
    calibration: Calibration,
    split: LinkSplit,
    rng: np.random.Generator,
    count: int = CALIBRATION_NEGATIVES,
) -> dict[EdgeType, dict[str, float]]:
    """``reliability`` of the calibrated scores on the test links, drawn as the validation ones were."""
    found = {}
    for edge_type, (positives, negatives) in calibration_pairs(split, split.test, count, rng).items():
        pos, neg = pair_logits(scorer, name, edge_type, positives, negatives)
        found[edge_type] = reliability(calibration.probability(edge_type, pos), calibration.probability(edge_type, neg))
    return found
