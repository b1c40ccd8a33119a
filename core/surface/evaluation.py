"""The loss at many points of a plane, or at many parameter sets, at once: the loss surface's fast path.

Z1 for a grid row is a combination of three (h, n) products computed once, and the output layer runs
in float32 over chunks of points, reusing two work arrays; loss_grid_pointwise is the plain
reference it is tested against (network.forward at each point).
"""

import numpy as np

from core.model import network

_CHUNK_ELEMENTS = 2**20
_LARGEST_CROSS_ENTROPY = np.float32(-np.log(np.finfo(np.float64).tiny))


# --- evaluation -----------------------------------------------------------------------------------


def loss_grid(plane, X, labels, alphas, betas, loss="mse"):
    """Mean L(θ + α·d1 + β·d2) and accuracy at every grid point: two (len(betas), len(alphas)) arrays.

    Row j is β = betas[j], column i is α = alphas[i] (rows along b, as the browser's surface views read them).
    """
    return PlaneEvaluator(plane, X, labels, loss).grid(alphas, betas)


def loss_grid_pointwise(plane, X, labels, alphas, betas, loss="mse"):
    """The reference for `loss_grid`: one float64 network.forward over X per grid point."""
    labels = np.asarray(labels)
    losses = np.empty((len(betas), len(alphas)))
    accuracies = np.empty_like(losses)
    for row, beta in enumerate(betas):
        for column, alpha in enumerate(alphas):
            A2 = network.forward(plane.at(alpha, beta), X).A2
            losses[row, column] = np.mean(network.LOSSES[loss](A2, labels))
            accuracies[row, column] = np.mean(A2.argmax(axis=1) == labels)
    return losses, accuracies


class PlaneEvaluator:
    """Mean loss and accuracy at points of one plane over one sample set, many points at once.

    Keeps (XW1 + b1)ᵀ, (XD1 + db1)ᵀ, (XD2 + db2)ᵀ as (h, n) arrays, so Z1ᵀ at (α, β) is their
    combination; the second layer varies per point too: W2 + α·E1 + β·E2, b2 + α·e1 + β·e2.
    """

    def __init__(self, plane, X, labels, loss):
        origin, d1, d2 = plane.origin, plane.d1, plane.d2
        self.hidden_base = _float32((X @ origin.W1 + origin.b1).T)
        self.hidden_d1 = _float32((X @ d1.W1 + d1.b1).T)
        self.hidden_d2 = _float32((X @ d2.W1 + d2.b1).T)
        self.W2T = (origin.W2.T, d1.W2.T, d2.W2.T)
        self.b2 = (origin.b2, d1.b2, d2.b2)
        self.output = _OutputLayer(labels, loss, origin.hidden)

    def grid(self, alphas, betas):
        """Mean losses and accuracies, (len(betas), len(alphas)) each, one row of the grid at a time."""
        alphas = np.asarray(alphas, dtype=np.float64)
        losses = np.empty((len(betas), len(alphas)))
        accuracies = np.empty_like(losses)
        for row, beta in enumerate(betas):
            losses[row], accuracies[row] = self.along_alpha(alphas, beta)
        return losses, accuracies

    def along_alpha(self, alphas, beta):
        """Mean losses and accuracies at the points (α, β) for each α in `alphas` (one β)."""
        hidden_row = self.hidden_base + np.float32(beta) * self.hidden_d2
        W2T_row = self.W2T[0] + beta * self.W2T[2]
        b2_row = self.b2[0] + beta * self.b2[2]
        losses = np.empty(len(alphas))
        accuracies = np.empty(len(alphas))
        for start in range(0, len(alphas), self.output.chunk):
            part = slice(start, start + self.output.chunk)
            alpha = alphas[part]
            Z1 = self.output.hidden_buffer(len(alpha))
            np.multiply(_float32(alpha)[:, None, None], self.hidden_d1, out=Z1)
            Z1 += hidden_row
            W2T = _float32(W2T_row + alpha[:, None, None] * self.W2T[1])
            b2 = _float32(b2_row + alpha[:, None] * self.b2[1])
            losses[part], accuracies[part] = self.output.evaluate(Z1, W2T, b2)
        return losses, accuracies

    def at_points(self, alphas, betas):
        """Mean losses and accuracies at the points (alphas[i], betas[i]), in along_alpha's order of operations.

        So the value under a projected trajectory point is the one a grid row through it would give.
        """
        alphas, betas = np.asarray(alphas, dtype=np.float64), np.asarray(betas, dtype=np.float64)
        losses = np.empty(len(alphas))
        accuracies = np.empty(len(alphas))
        for start in range(0, len(alphas), self.output.chunk):
            part = slice(start, start + self.output.chunk)
            alpha, beta = alphas[part], betas[part]
            Z1 = self.output.hidden_buffer(len(alpha))
            np.multiply(_float32(alpha)[:, None, None], self.hidden_d1, out=Z1)
            Z1 += self.hidden_base + _float32(beta)[:, None, None] * self.hidden_d2
            W2T_rows = self.W2T[0] + beta[:, None, None] * self.W2T[2]
            b2_rows = self.b2[0] + beta[:, None] * self.b2[2]
            W2T = _float32(W2T_rows + alpha[:, None, None] * self.W2T[1])
            b2 = _float32(b2_rows + alpha[:, None] * self.b2[1])
            losses[part], accuracies[part] = self.output.evaluate(Z1, W2T, b2)
        return losses, accuracies


class _OutputLayer:
    """From hidden pre-activations Z1ᵀ (points, h, n) to each point's mean loss and accuracy.

    Owns the two work arrays, Z1ᵀ (chunk, h, n) and Z2ᵀ (chunk, 10, n), reused chunk after chunk.
    """

    def __init__(self, labels, loss, hidden):
        labels = np.asarray(labels, dtype=np.intp)
        count = len(labels)
        self.loss = loss
        # Z2ᵀ is (points, 10, n): the label's entry of sample i sits at labels[i]·n + i of a point.
        self.label_index = labels * count + np.arange(count)
        self.not_label = np.ones((network.CLASSES, count), dtype=np.float32)
        self.not_label[labels, np.arange(count)] = 0
        self.chunk = max(1, _CHUNK_ELEMENTS // (max(hidden, network.CLASSES) * count))
        self._Z1 = np.empty((self.chunk, hidden, count), dtype=np.float32)
        self._Z2 = np.empty((self.chunk, network.CLASSES, count), dtype=np.float32)

    def hidden_buffer(self, points):
        """The work array for Z1ᵀ of `points` points (at most one chunk), for the caller to fill."""
        return self._Z1[:points]

    def evaluate(self, Z1, W2T, b2):
        """Mean loss and accuracy per point; Z1 (points, h, n) is overwritten."""
        points, _hidden, count = Z1.shape
        A1 = np.maximum(Z1, np.float32(0), out=Z1)
        Z2 = np.matmul(W2T, A1, out=self._Z2[:points])
        Z2 += b2[:, :, None]
        Z2 -= Z2.max(axis=1, keepdims=True)
        # After subtracting the max, the label's logit is 0 exactly when the label is the argmax.
        label_logit = np.take(Z2.reshape(points, -1), self.label_index, axis=1)
        accuracies = np.count_nonzero(label_logit == 0, axis=1) / count
        exponentials = np.exp(Z2, out=Z2)
        if self.loss == "cross-entropy":
            # −log A2_y = log Σ_k e^(Z2_k − m) − (Z2_y − m); the sum is ≥ 1, so the log is safe.
            # Capped like network.cross_entropy_loss, which clips A2_y at the smallest float64.
            per_sample = np.log(exponentials.sum(axis=1)) - label_logit
            np.minimum(per_sample, _LARGEST_CROSS_ENTROPY, out=per_sample)
        else:
            # Σ_k (A2_k − y_k)² = ((Σ_{k≠y} e_k)² + Σ_{k≠y} e_k²) / s², s = Σ_k e_k: the label's
            # term (1 − A2_y)² is written as (Σ_{k≠y} e_k / s)², which keeps a confident correct
            # prediction's small loss accurate in float32 instead of cancelling 1 − 2A2_y + ....
            exponentials *= self.not_label
            others = exponentials.sum(axis=1)
            others_squared = np.einsum("pkn,pkn->pn", exponentials, exponentials)
            total = np.exp(label_logit)
            total += others
            np.multiply(total, total, out=total)
            np.multiply(others, others, out=others)
            per_sample = np.add(others, others_squared, out=others)
            per_sample /= total
        return per_sample.mean(axis=1, dtype=np.float64), accuracies


def _float32(array):
    """A C-contiguous float32 copy: the chunk loops rely on contiguous (points, units, samples)."""
    return np.ascontiguousarray(array, dtype=np.float32)


def losses_at_parameters(many_params, X, labels, loss):
    """Mean loss and accuracy at each parameter set, through the same float32 output layer."""
    output = _OutputLayer(labels, loss, many_params[0].hidden)
    losses = np.empty(len(many_params))
    accuracies = np.empty(len(many_params))
    for start in range(0, len(many_params), output.chunk):
        part = many_params[start : start + output.chunk]
        # One matrix product for the whole chunk: X·[W1 of each parameter set, side by side].
        W1 = np.concatenate([params.W1 for params in part], axis=1)
        b1 = np.concatenate([params.b1 for params in part])
        Z1 = output.hidden_buffer(len(part))
        Z1[...] = (X @ W1 + b1).T.reshape(Z1.shape)
        W2T = _float32(np.stack([params.W2.T for params in part]))
        b2 = _float32(np.stack([params.b2 for params in part]))
        losses[start : start + len(part)], accuracies[start : start + len(part)] = output.evaluate(Z1, W2T, b2)
    return losses, accuracies
