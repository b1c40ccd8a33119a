"""core/model/metrics.py against hand-computed cases and a plain counting loop."""

import numpy as np
import pytest

from core.model.metrics import accuracy, confusion_matrix, misclassified, per_class_accuracy


def test_accuracy_by_hand():
    assert accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    assert accuracy([], []) == 0.0
    with pytest.raises(ValueError):
        accuracy([1, 2], [1])


def test_confusion_matrix_by_hand():
    labels = [0, 0, 1, 2, 2, 2]
    predictions = [0, 1, 1, 2, 0, 2]
    cm = confusion_matrix(labels, predictions, classes=3)
    np.testing.assert_array_equal(cm, [[1, 1, 0],
                                       [0, 1, 0],
                                       [1, 0, 2]])
    np.testing.assert_allclose(per_class_accuracy(cm), [0.5, 1.0, 2 / 3])


def test_confusion_matrix_against_a_counting_loop():
    rng = np.random.default_rng(0)
    labels, predictions = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    expected = np.zeros((10, 10), dtype=int)
    for t, p in zip(labels, predictions):
        expected[t, p] += 1
    cm = confusion_matrix(labels, predictions)
    np.testing.assert_array_equal(cm, expected)
    assert cm.sum() == 500 and np.trace(cm) == (labels == predictions).sum()
    recall = [expected[c, c] / expected[c].sum() for c in range(10)]
    np.testing.assert_allclose(per_class_accuracy(cm), recall)


def test_per_class_accuracy_of_an_absent_class_is_nan():
    result = per_class_accuracy(confusion_matrix([0, 0], [0, 1], classes=2))
    assert result[0] == 0.5 and np.isnan(result[1])


def test_misclassified_most_confident_first_and_filtered():
    labels = np.array([3, 3, 5, 5, 7, 1])
    predictions = np.array([3, 5, 3, 5, 1, 7])
    probabilities = np.full((6, 10), 0.01)
    probabilities[np.arange(6), predictions] = [0.9, 0.6, 0.8, 0.95, 0.7, 0.5]
    np.testing.assert_array_equal(misclassified(labels, predictions, probabilities), [2, 4, 1, 5])
    np.testing.assert_array_equal(misclassified(labels, predictions, probabilities, true=3), [1])
    np.testing.assert_array_equal(misclassified(labels, predictions, probabilities, predicted=3), [2])
    np.testing.assert_array_equal(misclassified(labels, predictions, probabilities, true=7, predicted=1), [4])
    assert len(misclassified(labels, predictions, probabilities, true=3, predicted=3)) == 0
