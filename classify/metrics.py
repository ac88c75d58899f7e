"""The figures training and evaluation report, computed one way: precision, recall and F1 of a topic,
how well its scores read as probabilities, and the macro averages over topics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

CALIBRATION_BINS = 10


def scores_at(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of boolean predictions against boolean truth (0 where undefined)."""
    hits = int((predicted & truth).sum())
    precision = hits / max(int(predicted.sum()), 1)
    recall = hits / max(int(truth.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def calibration(scores: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """How far scores are from being probabilities: Brier score and expected calibration error.

    F1 only says which side of the threshold a score falls; these say whether a score of 0.8 means
    four in five such articles carry the topic, which is what a reader of the scores assumes.
    Brier is the mean squared gap between score and truth; ECE the gap between mean score and
    share of positives in ten equal-width score bins, weighted by how many scores fall in each.
    """
    if not len(scores):
        return {"brier": 0.0, "ece": 0.0}
    outcome = truth.astype(float)
    bins = np.minimum((scores * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    counts = np.bincount(bins, minlength=CALIBRATION_BINS)
    gaps = np.abs(np.bincount(bins, scores, CALIBRATION_BINS) - np.bincount(bins, outcome, CALIBRATION_BINS))
    return {"brier": float(np.mean((scores - outcome) ** 2)), "ece": float(gaps.sum() / counts.sum())}


def topic_figures(scores: np.ndarray, truth: np.ndarray, threshold: float, positives: int, negatives: int
                  ) -> dict[str, Any]:
    """One topic's record: precision, recall and F1 at `threshold`, the threshold, how many positives and
    negatives the data had (training counts articles, not the rows it fits), and the calibration figures."""
    return {**scores_at(scores >= threshold, truth), "threshold": threshold, "positives": positives,
            "negatives": negatives, **calibration(scores, truth)}


def macro(metrics: Mapping[str, Any], topics: Sequence[str], left_out: Sequence[str] = ()) -> dict[str, Any]:
    """`macro_f1` and `macro_brier`: means over `topics` except `left_out`.

    A topic with no positive and no prediction in the data has no F1 to speak of (0/0): counted as 0 it
    would pull macro-F1 down for something the data cannot show, so it is left out, and named in
    `macro_left_out` so the report can say so.
    """
    counted = [topic for topic in topics if topic not in left_out]
    result: dict[str, Any] = {
        f"macro_{name}": float(np.mean([metrics[topic][name] for topic in counted])) if counted else 0.0
        for name in ("f1", "brier")
    }
    if left_out:
        result["macro_left_out"] = list(left_out)
    return result
