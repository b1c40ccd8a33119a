"""Gradient check: does a gradient rule give the derivative of the loss it claims to minimise?

For one sample, each parameter entry P is nudged by ±ε and the loss is measured again; the
central difference (L(P + ε) − L(P − ε)) / 2ε is the numeric derivative. It is compared, layer by
layer, with the analytic gradient that backward() computes with the chosen rule. This is how the
Gradients screen shows erratum 1 as numbers: the document's rule dZ2 = 2(A2 − y) does not match
the mean-squared-error loss it talks about, but it matches the gradient of twice the
cross-entropy loss (loss="cross-entropy", scale=2).

Every entry of b1, W2 and b2 is checked; W1 has 784·h entries, so a seeded sample of them is
checked, drawn from the rows of inked pixels (a blank pixel's row has derivative 0 under any rule,
which would prove nothing).
"""

from typing import NamedTuple

import numpy as np

from core.model.network import LOSSES, PARAMETER_NAMES, backward, forward
from core.reasons import Reason

MATCHES = 1e-6
CLOSE = 1e-3


class LayerCheck(NamedTuple):
    """The comparison for one parameter, over the entries checked."""

    relative_error: float  # ||a − n|| / (||a|| + ||n||)
    analytic_norm: float  # ||a||, the rule's gradient
    numeric_norm: float  # ||n||, the central differences of scale × loss
    max_abs_difference: float  # max |a − n|
    entries_checked: int


def relative_error(analytic, numeric) -> float:
    """||a − n|| / max(||a|| + ||n||, tiny): 0 when they agree, 1 when they have nothing in common."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / max(scale, np.finfo(np.float64).tiny))


def verdict(rel_error) -> Reason:
    """A relative error judged: 'matches' below 1e-6, 'close' below 1e-3, else 'does not match' (words where shown)."""
    if rel_error < MATCHES:
        return Reason("gradient_check.matches")
    if rel_error < CLOSE:
        return Reason("gradient_check.close")
    return Reason("gradient_check.does_not_match")


def _entries_to_check(name, shape, x, w1_samples, rng):
    """Flat indices of the entries of one parameter to nudge: all of them, or a sample of W1's inked rows."""
    if name != "W1":
        return np.arange(int(np.prod(shape)))
    rows = np.flatnonzero(x) if np.any(x) else np.arange(shape[0])
    candidates = (rows[:, None] * shape[1] + np.arange(shape[1])).ravel()
    if len(candidates) <= w1_samples:
        return candidates
    return np.sort(rng.choice(candidates, size=w1_samples, replace=False))


def gradient_check(params, x, label, rule, loss, eps=1e-5, w1_samples=200, seed=0, scale=1.0) -> dict:
    """{name: LayerCheck} comparing the rule's gradient with central differences of scale × `loss`.

    params: Parameters (float64); x: one sample (784,); label: its digit; rule: a key of
    GRADIENT_RULES; loss: a key of LOSSES ("mse" or "cross-entropy"); scale multiplies the loss.
    """
    loss_of = LOSSES[loss]
    analytic = backward(params, x, forward(params, x), label, rule)
    nudged = params.copy()
    rng = np.random.default_rng(seed)
    report = {}
    for name, gradient in zip(PARAMETER_NAMES, analytic):
        values = getattr(nudged, name).reshape(-1)  # a view: writing it nudges the network
        entries = _entries_to_check(name, gradient.shape, x, w1_samples, rng)
        numeric = np.empty(len(entries))
        for i, entry in enumerate(entries):
            original = values[entry]
            values[entry] = original + eps
            loss_up = loss_of(forward(nudged, x).A2, label)
            values[entry] = original - eps
            loss_down = loss_of(forward(nudged, x).A2, label)
            values[entry] = original
            numeric[i] = scale * (loss_up - loss_down) / (2 * eps)
        chosen = gradient.reshape(-1)[entries]
        report[name] = LayerCheck(
            relative_error=relative_error(chosen, numeric),
            analytic_norm=float(np.linalg.norm(chosen)),
            numeric_norm=float(np.linalg.norm(numeric)),
            max_abs_difference=float(np.abs(chosen - numeric).max()) if len(entries) else 0.0,
            entries_checked=len(entries),
        )
    return report
