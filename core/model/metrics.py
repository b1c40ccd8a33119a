"""Test-set metrics for the Evaluate screen: accuracy, the confusion matrix, per-class accuracy, and
the misclassified images ranked by how confident the network was.

They take predictions and labels as arrays and know nothing of the network that made them.
"""

import numpy as np


SHOWN_DIGITS = 2  # decimals of a percentage as the screens show it (locales.percent)


def shown_percent(fraction: float, digits: int = SHOWN_DIGITS) -> float:
    """The percentage a screen shows for `fraction` (0.89984 → 89.98), rounded as Python's ".2%" rounds.

    A task compares its threshold with this number, not with the unrounded fraction, so a learner
    never reads "90.00%" beside "not yet" (nor "89.99%" beside "done").
    """
    return float(format(float(fraction), f".{digits}%")[:-1])


def accuracy(predictions, labels) -> float:
    """The fraction of predictions equal to their label (0.0 for no samples)."""
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    if predictions.shape != labels.shape:
        raise ValueError(f"predictions {predictions.shape} and labels {labels.shape} differ in shape")
    return float((predictions == labels).mean()) if labels.size else 0.0


def confusion_matrix(labels, predictions, classes=10) -> np.ndarray:
    """cm[t, p] = how many samples of true class t were predicted as p (rows true, columns predicted)."""
    labels = np.asarray(labels, dtype=np.int64)
    predictions = np.asarray(predictions, dtype=np.int64)
    counts = np.bincount(labels * classes + predictions, minlength=classes * classes)
    return counts.reshape(classes, classes)


def per_class_accuracy(cm) -> np.ndarray:
    """Recall of each true class, cm[t, t] / Σ_p cm[t, p]; nan for a class with no samples."""
    cm = np.asarray(cm, dtype=np.float64)
    totals = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(cm) / totals, np.nan)


def misclassified(labels, predictions, probabilities, true=None, predicted=None) -> np.ndarray:
    """Indices of the wrong predictions (optionally of one true and/or predicted class), most confident first.

    Confidence is the probability the network gave its (wrong) prediction; ties keep index order.
    """
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    wrong = labels != predictions
    if true is not None:
        wrong &= labels == true
    if predicted is not None:
        wrong &= predictions == predicted
    indices = np.flatnonzero(wrong)
    confidence = np.asarray(probabilities)[indices, predictions[indices]]
    return indices[np.argsort(-confidence, kind="stable")]
