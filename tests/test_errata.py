"""core/model/errata.py against independent computations, and the Errata screen in AppTest."""

import numpy as np
import pytest

from core.model import errata

from core.model import network
from tests.app_session import fresh_app, trained_app, trainer_of


@pytest.fixture
def sample():
    """A2 and Z2 of a real-ish output: a seeded network on a seeded input (no MNIST needed for the maths)."""
    rng = np.random.default_rng(7)
    params = network.init_parameters(seed=3)
    x = rng.random(network.INPUTS)
    fwd = network.forward(params, x)
    return fwd.Z2, fwd.A2


def test_jacobian_matches_finite_differences_of_the_softmax(sample):
    Z2, A2 = sample
    eps = 1e-6
    numeric = np.empty((10, 10))
    for j in range(10):
        step = np.zeros(10)
        step[j] = eps
        numeric[:, j] = (network.softmax(Z2 + step) - network.softmax(Z2 - step)) / (2 * eps)
    J = errata.softmax_jacobian(A2)
    np.testing.assert_allclose(J, numeric, atol=1e-9)
    assert np.all(np.diag(J) > 0) and np.all(J[~np.eye(10, dtype=bool)] < 0)
    np.testing.assert_allclose(J.sum(axis=0), 0, atol=1e-15)


def test_jacobian_times_the_document_rule_is_the_exact_mse_gradient(sample):
    _, A2 = sample
    for label in range(10):
        y = network.one_hot(label)
        exact = errata.softmax_jacobian(A2) @ network.dZ2_document(A2, y)
        np.testing.assert_allclose(exact, network.dZ2_mse(A2, y), atol=1e-15)
        rules = errata.dZ2_by_rule(A2, label)
        np.testing.assert_allclose(rules["document"], 2 * rules["cross-entropy"])


def test_output_relu_mask_zeroes_exactly_the_non_positive_Z2():
    Z2 = np.array([-2.0, 0.0, 0.5, 1e-12, -1e-12, 3.0, -0.1, 0.2, 0.0, 7.0])
    np.testing.assert_array_equal(errata.output_relu_mask(Z2), [0, 0, 1, 1, 0, 1, 0, 1, 0, 1])
    A2 = network.softmax(Z2)
    masked = errata.equation_4_dZ2(A2, Z2, 5)
    np.testing.assert_array_equal(masked == 0, Z2 <= 0)
    assert masked[5] == pytest.approx(2 * (A2[5] - 1))


def test_document_target_puts_mu_at_mu():
    assert errata.document_target(0).sum() == 0  # for μ = 0 the document's target is all zeros
    np.testing.assert_array_equal(errata.document_target(1), network.one_hot(1))
    seven = errata.document_target(7)
    assert seven[7] == 7 and np.count_nonzero(seven) == 1
    A2 = np.full(10, 0.1)
    assert errata.squared_error(A2, seven) == pytest.approx(0.09 + 6.9 ** 2)


def test_the_literal_softmax_listing_raises_and_the_fix_is_the_softmax(sample):
    Z2, A2 = sample
    result, error = errata.listing_softmax(Z2)
    assert result is None and error.startswith("NameError") and "A_out_prob" in error
    fixed, error = errata.listing_softmax(Z2, errata.fixed_softmax_listing())
    assert error is None
    np.testing.assert_allclose(fixed, A2, rtol=1e-15)


def test_per_sample_decay_reaches_zero_where_float64_underflows():
    # 0.01·2^−n falls below the smallest subnormal 2^−1074 near n = 1074 + log2(0.01) ≈ 1067.4; the
    # repeated rounding of subnormals decides the exact sample within one or two of it.
    n = errata.samples_until_zero(0.01, 0.5)
    assert 1074 + np.log2(0.01) - 1 <= n <= 1075 + np.log2(0.01) + 2
    assert errata.decayed_per_sample(0.01, 0.5, n) == 0.0
    assert errata.decayed_per_sample(0.01, 0.5, n - 1) > 0.0
    assert errata.decayed_per_sample(0.01, 0.5, 10) == pytest.approx(0.01 / 1024)
    assert errata.samples_until_zero(0.01, 1.0) is None


ERRATA_HEADERS = ("1 ·", "2 ·", "3 ·", "4 ·", "5 ·")


def assert_all_five_errata(app):
    assert not app.exception, [error.value for error in app.exception]
    headers = [header.value for header in app.subheader]
    assert all(any(header.startswith(number) for header in headers) for number in ERRATA_HEADERS)
    text = " ".join(block.value for block in app.markdown)
    assert "NameError" in text and "A_out_prob" in text
    n = errata.samples_until_zero(trainer_of(app).settings.learning_rate, trainer_of(app).settings.decay_factor)
    assert f"0 after {n:,} samples" in text
    check = next(frame.value for frame in app.dataframe if "verdict" in frame.value.columns)
    assert check["verdict"].tolist() == ["does not match", "matches"]  # 1 × MSE, then 2 × cross-entropy


def test_errata_screen_from_a_fresh_session_uses_the_next_sample():
    app = fresh_app()
    app.switch_page("pages/errata.py").run()
    assert_all_five_errata(app)
    assert "next training image, #0 (label 5)" in " ".join(info.value for info in app.info)


def test_errata_screen_after_training_uses_the_last_sample():
    app = trained_app(10)
    app.switch_page("pages/errata.py").run()
    assert_all_five_errata(app)
    trainer = trainer_of(app)
    record = trainer.last_record
    assert f"training image #{record.index:,} (label {record.label}), the last one trained" in app.info[0].value
    zeroed = int((trainer.params.W2.T @ network.relu(record.x @ trainer.params.W1 + trainer.params.b1)
                  + trainer.params.b2 <= 0).sum())
    assert app.metric[0].value == f"{zeroed} of 10"
