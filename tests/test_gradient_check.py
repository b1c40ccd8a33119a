"""core/model/gradient_check.py on real MNIST samples: each rule against finite differences of its loss."""

import numpy as np
import pytest

from core.model.gradient_check import gradient_check, relative_error, verdict
from core.model.network import init_parameters, pixels
from locales.words import said

LAYERS = {"W1", "b1", "W2", "b2"}


@pytest.fixture(scope="module")
def samples(mnist):
    """Three real training samples and two networks: the document's initialisation and He's."""
    chosen = [(pixels(mnist.train_images[i]), int(mnist.train_labels[i])) for i in (0, 1, 7)]
    return chosen, [init_parameters(init="uniform", seed=0), init_parameters(init="he", seed=1)]


@pytest.mark.parametrize("rule, loss", [("mse", "mse"), ("cross-entropy", "cross-entropy")])
def test_exact_rules_match_their_loss(samples, rule, loss):
    chosen, networks = samples
    for params in networks:
        for x, label in chosen:
            report = gradient_check(params, x, label, rule, loss)
            assert set(report) == LAYERS
            for name, check in report.items():
                assert check.relative_error < 1e-6, (name, check)
                assert said(verdict(check.relative_error)) == "matches"
                assert check.analytic_norm > 0 and check.numeric_norm > 0


def test_document_rule_does_not_match_the_mse_it_talks_about(samples):  # erratum 1
    chosen, networks = samples
    for params in networks:
        for x, label in chosen:
            for name, check in gradient_check(params, x, label, "document", "mse").items():
                assert check.relative_error > 0.1, (name, check)
                assert said(verdict(check.relative_error)) == "does not match"


def test_document_rule_is_the_gradient_of_twice_the_cross_entropy(samples):  # erratum 1
    chosen, networks = samples
    x, label = chosen[0]
    for params in networks:
        twice = gradient_check(params, x, label, "document", "cross-entropy", scale=2.0)
        once = gradient_check(params, x, label, "document", "cross-entropy")
        for name in LAYERS:
            assert twice[name].relative_error < 1e-6
            assert once[name].relative_error == pytest.approx(1 / 3, rel=1e-4)  # |2n − n| / (|2n| + |n|)


def test_w1_is_sampled_from_inked_pixels(samples):
    chosen, networks = samples
    x, label = chosen[0]
    report = gradient_check(networks[0], x, label, "cross-entropy", "cross-entropy", w1_samples=50)
    assert report["W1"].entries_checked == 50
    assert report["b1"].entries_checked == 10 and report["W2"].entries_checked == 100
    assert report["W1"].numeric_norm > 0  # a blank pixel's row would give exactly 0
    same = gradient_check(networks[0], x, label, "cross-entropy", "cross-entropy", w1_samples=50)
    assert same["W1"] == report["W1"]  # seeded: the same entries each time


def test_relative_error_and_verdict():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == 1.0
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert [said(verdict(error)) for error in (1e-9, 1e-5, 0.2)] == ["matches", "close", "does not match"]
