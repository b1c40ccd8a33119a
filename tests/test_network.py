"""core/model/network.py against hand-computed values, the document's own listings and real MNIST samples."""

import math

import numpy as np
import pytest

from core.model.network import (
    GRADIENT_RULES,
    LOSSES,
    Parameters,
    backward,
    cross_entropy_loss,
    dZ2_cross_entropy,
    dZ2_document,
    dZ2_mse,
    forward,
    init_parameters,
    mse_loss,
    one_hot,
    pixels,
    predict,
    relu,
    relu_derivative,
    softmax,
)


def tiny_network():
    """h = 2 and a 'digit' with two inked pixels, small enough to compute by hand."""
    W1 = np.zeros((784, 2))
    W1[0] = [1.0, -1.0]
    W1[1] = [2.0, 0.5]
    W2 = np.zeros((2, 10))
    W2[0] = 0.1 * np.arange(10)
    W2[1] = 1.0
    b2 = np.zeros(10)
    b2[3] = 0.5
    image = np.zeros((28, 28), dtype=np.uint8)
    image[0, 0], image[0, 1] = 255, 51  # x_0 = 1, x_1 = 0.2
    return Parameters(W1, np.array([0.1, -0.2]), W2, b2), image


def test_forward_matches_hand_computation():
    params, image = tiny_network()
    fwd = forward(params, pixels(image))
    # Z1 = W1ᵀx + b1 = [1·1 + 2·0.2 + 0.1, −1·1 + 0.5·0.2 − 0.2] = [1.5, −1.1]
    np.testing.assert_allclose(fwd.Z1, [1.5, -1.1])
    np.testing.assert_allclose(fwd.A1, [1.5, 0.0])
    # Z2_k = 1.5·0.1k + 0·1 + b2_k
    expected_Z2 = [0.15 * k + (0.5 if k == 3 else 0.0) for k in range(10)]
    np.testing.assert_allclose(fwd.Z2, expected_Z2)
    exponentials = [math.exp(z) for z in expected_Z2]
    np.testing.assert_allclose(fwd.A2, [e / sum(exponentials) for e in exponentials])
    assert predict(params, pixels(image)) == 9  # Z2_9 = 1.35 is the largest


def test_backward_matches_the_documents_listing_on_the_tiny_case():
    params, image = tiny_network()
    x = pixels(image)
    gradients = backward(params, x, forward(params, x), label=3)
    # The document's backProp with column vectors, written out by hand.
    A = x.reshape(784, 1)
    Z_1 = params.W1.T @ A + params.b1.reshape(2, 1)
    A_1 = np.maximum(0, Z_1)
    Z_2 = params.W2.T @ A_1 + params.b2.reshape(10, 1)
    A_2 = np.exp(Z_2 - Z_2.max()) / np.exp(Z_2 - Z_2.max()).sum()
    vector = np.zeros((10, 1))
    vector[3, 0] = 1
    dZ2 = 2 * (A_2 - vector)
    dZ1 = (params.W2 @ dZ2) * (Z_1 > 0)
    np.testing.assert_allclose(gradients.dW2, A_1 @ dZ2.T)
    np.testing.assert_allclose(gradients.db2, dZ2.ravel())
    np.testing.assert_allclose(gradients.dW1, A @ dZ1.T)
    np.testing.assert_allclose(gradients.db1, dZ1.ravel())
    assert np.all(gradients.db1[1] == 0.0)  # unit 1 is inactive (Z1 < 0): no gradient through ReLU


def test_pixels_scales_to_unit_interval_and_flattens():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8).repeat(14, axis=1).repeat(14, axis=2)
    x = pixels(images)
    assert x.shape == (1, 784) and x.dtype == np.float64
    assert x.min() == 0.0 and x.max() == 1.0
    assert pixels(images[0]).shape == (784,)
    np.testing.assert_array_equal(pixels(images.reshape(1, 784)), x)


def test_relu_and_its_derivative():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu_derivative(z), [0.0, 0.0, 1.0])


def test_softmax_sums_to_one_and_is_stable():
    z = np.array([1.0, 2.0, 3.0])
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax(z), e / e.sum())
    big = softmax(np.array([1000.0, 1001.0]))  # exp(1000) overflows without the max shift
    np.testing.assert_allclose(big, [1 / (1 + math.e), math.e / (1 + math.e)])
    batch = softmax(np.array([[0.0, 0.0], [-1e4, 1e4], [5.0, 1.0]]))
    np.testing.assert_allclose(batch.sum(axis=1), 1.0)
    np.testing.assert_allclose(batch[1], [0.0, 1.0])
    assert np.isfinite(batch).all()


def test_one_hot_has_a_one_not_the_label():  # erratum 3
    y = one_hot(7)
    assert y[7] == 1.0 and y.sum() == 1.0 and y.shape == (10,)


def test_losses_by_hand():
    A2 = np.full(10, 0.05)
    A2[2] = 0.55
    # Σ(A2 − y)² with y = e_2: 9·0.05² + 0.45²
    assert mse_loss(A2, 2) == pytest.approx(9 * 0.0025 + 0.2025)
    assert cross_entropy_loss(A2, 2) == pytest.approx(-math.log(0.55))
    assert cross_entropy_loss(np.eye(10)[0], 1) < 1e4  # a certain mistake is large but finite
    batch = np.stack([A2, np.roll(A2, 1)])
    np.testing.assert_allclose(mse_loss(batch, np.array([2, 2])), [mse_loss(A2, 2), mse_loss(batch[1], 2)])
    np.testing.assert_allclose(cross_entropy_loss(batch, np.array([2, 3])), [-math.log(0.55)] * 2)
    assert set(LOSSES) == {"mse", "cross-entropy"}


def test_batch_forward_equals_one_sample_at_a_time():
    params = init_parameters(hidden=5, seed=3)
    X = np.random.default_rng(0).random((4, 784))
    batch = forward(params, X)
    for i, x in enumerate(X):
        for batched, single in zip(batch, forward(params, x)):
            np.testing.assert_allclose(batched[i], single)
    np.testing.assert_array_equal(predict(params, X), [predict(params, x) for x in X])


def test_uniform_initialisation_is_the_documents_rand_minus_half():
    params = init_parameters(hidden=10, init="uniform", seed=4)
    rng = np.random.default_rng(4)
    for array, shape in zip(params.as_tuple(), [(784, 10), (10,), (10, 10), (10,)]):
        np.testing.assert_array_equal(array, rng.random(shape) - 0.5)
        assert array.dtype == np.float64
        assert -0.5 <= array.min() and array.max() < 0.5


def test_he_initialisation():
    params = init_parameters(hidden=64, init="he", seed=0)
    assert params.W1.std() == pytest.approx(math.sqrt(2 / 784), rel=0.05)
    assert params.W2.std() == pytest.approx(math.sqrt(2 / 64), rel=0.1)
    assert not params.b1.any() and not params.b2.any()
    with pytest.raises(ValueError):
        init_parameters(init="zeros")


def test_parameters_copy_flatten_unflatten():
    params = init_parameters(hidden=3, seed=1)
    vector = params.flatten()
    assert vector.shape == (784 * 3 + 3 + 30 + 10,) and vector.dtype == np.float64
    np.testing.assert_array_equal(vector[: 784 * 3], params.W1.ravel())
    np.testing.assert_array_equal(vector[-10:], params.b2)
    back = Parameters.unflatten(vector, hidden=3)
    for a, b in zip(back.as_tuple(), params.as_tuple()):
        np.testing.assert_array_equal(a, b)
    copy = params.copy()
    copy.W1[0, 0] += 1.0
    assert copy.W1[0, 0] != params.W1[0, 0] and params.hidden == 3
    assert params.all_finite()
    copy.b2[0] = np.nan
    assert not copy.all_finite()
    with pytest.raises(ValueError):
        Parameters.unflatten(vector[:-1], hidden=3)


def test_exact_mse_rule_is_the_softmax_jacobian_times_the_mse_derivative():
    a = softmax(np.array([0.3, -1.0, 2.0, 0.0, 0.5, 0.1, -0.4, 1.2, 0.7, -2.0]))
    y = one_hot(4)
    J = np.diag(a) - np.outer(a, a)
    np.testing.assert_allclose(dZ2_mse(a, y), J @ (2 * (a - y)))
    np.testing.assert_allclose(dZ2_cross_entropy(a, y), a - y)
    np.testing.assert_allclose(dZ2_document(a, y), 2 * (a - y))


def test_document_rule_is_twice_the_cross_entropy_gradient_on_mnist(mnist):  # erratum 1
    params = init_parameters(seed=0)
    for i in range(20):
        x, label = pixels(mnist.train_images[i]), int(mnist.train_labels[i])
        fwd = forward(params, x)
        document = backward(params, x, fwd, label, "document")
        cross_entropy = backward(params, x, fwd, label, "cross-entropy")
        for d, c in zip(document, cross_entropy):
            np.testing.assert_allclose(d, 2 * c, rtol=1e-12, atol=1e-15)
