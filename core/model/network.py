"""The design document's network: 784 pixels -> 10 ReLU units -> 10 softmax outputs, in numpy.

Everything here is a pure function of numpy arrays, written in the document's symbols and
orientation (Z1 = W1ᵀx + b1 with W1 of shape 784x10), so it can be read beside the document:
the parameters, their initialisation, the forward pass, the two losses and the three gradient
rules for the output layer (the document's, the exact mean-squared-error one and the
cross-entropy one), then backpropagation for one sample.

It ends with sgd_step, one sample of the document's gradient descent: the forward pass, the
backward pass with the chosen rule, and P ← P − α·dP for W1, b1, W2 and b2. It is the only code
that changes the weights; the trainer (core/training/trainer.py) calls it for every sample.

Left out on purpose: the loop over the data, its schedule and its history (core/training/trainer.py), the
finite-difference check (core/model/gradient_check.py), minibatches, momentum and regularisation (the
document has none) and any notion of a dataset (the caller passes arrays).
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

INPUTS = 784
CLASSES = 10
PARAMETER_NAMES = ("W1", "b1", "W2", "b2")
INITIALISATIONS = ("uniform", "he")


@dataclass
class Parameters:
    """W1 (784, h), b1 (h,), W2 (h, 10), b2 (10,); the network computes Z1 = W1ᵀx + b1."""

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray

    @property
    def hidden(self) -> int:
        """h, the number of hidden units (columns of W1)."""
        return self.W1.shape[1]

    def copy(self) -> "Parameters":
        """A deep copy: changing it never changes these parameters."""
        return Parameters(*(array.copy() for array in self.as_tuple()))

    def as_tuple(self) -> tuple:
        """(W1, b1, W2, b2), the document's order."""
        return (self.W1, self.b1, self.W2, self.b2)

    def flatten(self) -> np.ndarray:
        """All parameters as one float64 vector: W1 row by row, then b1, W2, b2."""
        return np.concatenate([array.ravel() for array in self.as_tuple()]).astype(np.float64)

    @classmethod
    def unflatten(cls, vector, hidden) -> "Parameters":
        """The inverse of flatten() for a network with `hidden` hidden units."""
        vector = np.asarray(vector, dtype=np.float64)
        shapes = parameter_shapes(hidden)
        sizes = [int(np.prod(shape)) for shape in shapes]
        if vector.shape != (sum(sizes),):
            raise ValueError(f"expected a vector of {sum(sizes)} values for hidden={hidden}, got shape {vector.shape}")
        pieces = np.split(vector, np.cumsum(sizes)[:-1])
        return cls(*(piece.reshape(shape).copy() for piece, shape in zip(pieces, shapes)))

    def all_finite(self) -> bool:
        """True when no parameter is inf or nan."""
        return all(np.isfinite(array).all() for array in self.as_tuple())


def parameter_shapes(hidden) -> tuple:
    """The shapes of W1, b1, W2, b2 for h hidden units."""
    return ((INPUTS, hidden), (hidden,), (hidden, CLASSES), (CLASSES,))


def init_parameters(hidden=10, init="uniform", seed=0) -> Parameters:
    """'uniform': every parameter ~ U[-0.5, 0.5) (the document's rand - 0.5); 'he': W ~ N(0, 2/fan_in), b = 0."""
    rng = np.random.default_rng(seed)
    shapes = parameter_shapes(hidden)
    if init == "uniform":
        return Parameters(*(rng.random(shape) - 0.5 for shape in shapes))
    if init == "he":
        (w1, b1, w2, b2) = shapes
        return Parameters(
            W1=rng.normal(0.0, np.sqrt(2.0 / INPUTS), w1),
            b1=np.zeros(b1),
            W2=rng.normal(0.0, np.sqrt(2.0 / hidden), w2),
            b2=np.zeros(b2),
        )
    raise ValueError(f"unknown initialisation {init!r}; choose one of {INITIALISATIONS}")


def pixels(images) -> np.ndarray:
    """x = p / 255: uint8 images (..., 28, 28) or (..., 784) to float64 vectors (..., 784) in [0, 1]."""
    images = np.asarray(images)
    return images.reshape(*images.shape[:-2], INPUTS) / 255.0 if images.shape[-2:] == (28, 28) else images / 255.0


def relu(z):
    """ReLU(z) = max(0, z)."""
    return np.maximum(z, 0.0)


def relu_derivative(z):
    """ReLU'(z) = 1[z > 0]: 1 where z > 0, 0 elsewhere (taken as 0 at z = 0, like the document)."""
    return np.heaviside(z, 0.0)


def softmax(z):
    """A2_k = exp(Z2_k − max Z2) / Σ_j exp(Z2_j − max Z2), along the last axis."""
    exponentials = np.exp(z - z.max(axis=-1, keepdims=True))
    exponentials /= exponentials.sum(axis=-1, keepdims=True)
    return exponentials


class Forward(NamedTuple):
    """The values of one forward pass, named as in the document."""

    Z1: np.ndarray
    A1: np.ndarray
    Z2: np.ndarray
    A2: np.ndarray


def forward(params, x) -> Forward:
    """Z1 = W1ᵀx + b1; A1 = ReLU(Z1); Z2 = W2ᵀA1 + b2; A2 = softmax(Z2)."""
    # x.dot(W1) is W1ᵀx for one sample (784,), and one row per sample for a batch (n, 784).
    Z1 = x.dot(params.W1) + params.b1
    A1 = relu(Z1)
    Z2 = A1.dot(params.W2) + params.b2
    return Forward(Z1, A1, Z2, softmax(Z2))


def predict(params, x):
    """The predicted digit argmax_k A2_k: an int for one sample, an int array for a batch."""
    predictions = forward(params, x).A2.argmax(axis=-1)
    return int(predictions) if predictions.ndim == 0 else predictions


def one_hot(label, classes=CLASSES) -> np.ndarray:
    """y_i = 1 for i = label, 0 otherwise (erratum 3: the document writes μ instead of 1)."""
    y = np.zeros(classes)
    y[label] = 1.0
    return y


def _targets(A2, label):
    """y for one label (10,) or a batch of labels (n, 10), matching A2."""
    label = np.asarray(label)
    return one_hot(int(label)) if label.ndim == 0 else np.eye(A2.shape[-1])[label]


def mse_loss(A2, label):
    """L = Σ_k (A2_k − y_k)²: a float for one sample, one value per row for a batch."""
    loss = ((A2 - _targets(A2, label)) ** 2).sum(axis=-1)
    return float(loss) if np.ndim(loss) == 0 else loss


def cross_entropy_loss(A2, label):
    """L = −log A2_label (A2 clipped at the smallest positive float, so a certain mistake is large, not inf)."""
    label = np.asarray(label)
    if label.ndim == 0:
        return float(-np.log(max(A2[int(label)], np.finfo(np.float64).tiny)))
    chosen = A2[np.arange(len(label)), label]
    return -np.log(np.maximum(chosen, np.finfo(np.float64).tiny))


LOSSES = {"mse": mse_loss, "cross-entropy": cross_entropy_loss}


def dZ2_document(A2, y):
    """dZ2 = 2(A2 − y): the document's rule (erratum 1: it is 2× the cross-entropy gradient, not MSE's)."""
    return 2.0 * (A2 - y)


def dZ2_mse(A2, y):
    """dZ2 = J·2(A2 − y) with the softmax Jacobian J = diag(A2) − A2·A2ᵀ: the exact gradient of Σ(A2 − y)²."""
    # J·g = A2 ⊙ g − A2 (A2·g) without building J; J is symmetric, so Jᵀ·g = J·g.
    g = 2.0 * (A2 - y)
    return A2 * (g - (A2 * g).sum(axis=-1, keepdims=True))


def dZ2_cross_entropy(A2, y):
    """dZ2 = A2 − y: the exact gradient of −log A2_label through the softmax."""
    return A2 - y


GRADIENT_RULES = {"document": dZ2_document, "mse": dZ2_mse, "cross-entropy": dZ2_cross_entropy}


class Gradients(NamedTuple):
    """dL/dP for each parameter P, named as in the document."""

    dW1: np.ndarray
    db1: np.ndarray
    dW2: np.ndarray
    db2: np.ndarray


def hidden_error(W2, dZ2, Z1):
    """dA1 = W2·dZ2; dZ1 = dA1 ⊙ 1[Z1 > 0]: the output error carried back through W2 and the ReLU."""
    return W2.dot(dZ2) * relu_derivative(Z1)


def backward(params, x, fwd, label, rule="document") -> Gradients:
    """dZ2 = rule(A2, y); dW2 = A1·dZ2ᵀ; db2 = dZ2; dA1 = W2·dZ2; dZ1 = dA1 ⊙ 1[Z1>0]; dW1 = x·dZ1ᵀ; db1 = dZ1."""
    dZ2 = GRADIENT_RULES[rule](fwd.A2, one_hot(label))
    dZ1 = hidden_error(params.W2, dZ2, fwd.Z1)
    # Each dW is a column times a row, x·dZ1ᵀ and A1·dZ2ᵀ, as the document writes it; np.dot of the
    # (n, 1) and (1, m) arrays hands the product to BLAS, where np.outer's broadcasting does not.
    dW1 = np.dot(x[:, None], dZ1[None, :])
    dW2 = np.dot(fwd.A1[:, None], dZ2[None, :])
    return Gradients(dW1=dW1, db1=dZ1, dW2=dW2, db2=dZ2)


def sgd_step(params, x, label, alpha, rule="document") -> tuple[Forward, Gradients]:
    """One sample of gradient descent, in place: P ← P − α·dP for W1, b1, W2, b2; returns the forward values and dP."""
    fwd = forward(params, x)
    gradients = backward(params, x, fwd, label, rule)
    params.W1 -= alpha * gradients.dW1
    params.b1 -= alpha * gradients.db1
    params.W2 -= alpha * gradients.dW2
    params.b2 -= alpha * gradients.db2
    return fwd, gradients
