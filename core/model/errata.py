"""The design document's five errata, each as the numbers that show it (SPEC section 1).

Pure functions of one sample's values, for the Errata screen: the softmax Jacobian the document's
dZ2 leaves out (erratum 1), the ReLU indicator equation (4) puts on the output layer (erratum 2),
the target y_i = μ (erratum 3), the softmax listing that returns an undefined name (erratum 4) and
the learning-rate decay indented inside the per-sample loop (erratum 5). The gradient check
itself is core/model/gradient_check.py; the rules for dZ2 are core/model/network.py's.
"""

import numpy as np

from core.model.network import CLASSES, GRADIENT_RULES, one_hot, relu_derivative

# Algorithm 2's softmax, character for character as the document prints it (erratum 4).
SOFTMAX_LISTING = """def softmax(Z):
    Z = Z - np.max(Z)
    exp_values = np.exp(Z)
    sum_exp_values = np.sum(exp_values)
    return A_out_prob
"""
# The one line that makes it the softmax.
SOFTMAX_FIX = "    return exp_values / sum_exp_values\n"


def softmax_jacobian(A2) -> np.ndarray:
    """J = diag(A2) − A2·A2ᵀ: J_kj = ∂A2_k/∂Z2_j, how output k moves when Z2_j moves."""
    A2 = np.asarray(A2, dtype=np.float64)
    return np.diag(A2) - np.outer(A2, A2)


def dZ2_by_rule(A2, label) -> dict:
    """{rule: dZ2} for the document's 2(A2 − y), the exact MSE J·2(A2 − y) and cross-entropy A2 − y."""
    y = one_hot(label)
    return {name: rule(A2, y) for name, rule in GRADIENT_RULES.items()}


def output_relu_mask(Z2) -> np.ndarray:
    """1[Z2 > 0]: the indicator equation (4) multiplies dZ2 by, although the output has no ReLU."""
    return relu_derivative(np.asarray(Z2, dtype=np.float64))


def equation_4_dZ2(A2, Z2, label) -> np.ndarray:
    """2(A2 − y) ⊙ 1[Z2 > 0]: the output error as equations (4) and (6) write it."""
    return 2.0 * (A2 - one_hot(label)) * output_relu_mask(Z2)


def document_target(label, classes=CLASSES) -> np.ndarray:
    """y_i = μ if i = μ, 0 otherwise: the target as the document writes it (the one-hot has 1, not μ)."""
    y = np.zeros(classes)
    y[label] = float(label)
    return y


def squared_error(A2, y) -> float:
    """L = Σ_i (A2_i − y_i)², for any target y."""
    return float(((np.asarray(A2) - y) ** 2).sum())


def listing_softmax(Z, listing=SOFTMAX_LISTING):
    """Run a softmax listing's text on Z: (result, None), or (None, the error it raises) for the literal one."""
    namespace = {"np": np}
    exec(compile(listing, "<Algorithm 2>", "exec"), namespace)  # fixed text of this module, never user input
    try:
        return namespace["softmax"](np.asarray(Z, dtype=np.float64)), None
    except NameError as error:
        return None, f"NameError: {error}"


def fixed_softmax_listing() -> str:
    """Algorithm 2's softmax with its last line replaced by return exp_values / sum_exp_values."""
    return SOFTMAX_LISTING.replace("    return A_out_prob\n", SOFTMAX_FIX)


def decayed_per_sample(alpha, factor, samples) -> float:
    """α after `samples` runs of learning_rate *= factor, the decay as indented (once per sample)."""
    for _ in range(samples):
        alpha *= factor
    return alpha


def samples_until_zero(alpha, factor) -> int | None:
    """How many per-sample decays learning_rate *= factor take until float64 α is exactly 0 (None if never)."""
    if alpha == 0.0:
        return 0
    if not 0.0 <= factor < 1.0:
        return None
    count = 0
    while alpha != 0.0:
        alpha *= factor
        count += 1
    return count

