"""What one training step computed and applied: the record the screens display and never recompute."""

from dataclasses import dataclass

import numpy as np

from core.model.network import Forward, Gradients, Parameters


@dataclass(frozen=True)
class StepRecord:
    """What one training step computed and applied; the screens display these values and never recompute them."""

    step: int  # samples trained so far, this one included (1 for the first); step_on: that of the next one
    epoch: int  # 0-based epoch of this sample
    index: int | None  # this sample's index in the training set; None for an image from elsewhere (step_on)
    x: np.ndarray  # (784,) pixels / 255
    label: int
    forward: Forward  # Z1, A1, Z2, A2 before the update
    params_before: Parameters  # W1, b1, W2, b2 the forward and backward pass used (read-only): what explains them
    gradients: Gradients  # dW1, db1, dW2, db2: the gradients the update applied
    rule: str
    learning_rate: float  # α used for this update
    loss_before: float  # Σ(A2 − y)², the loss the document shows
    cross_entropy_before: float  # −log A2_label
    loss_after: float  # the same sample's losses after the update
    cross_entropy_after: float
    prediction: int  # argmax A2 before the update
    correct: bool
    prediction_after: int

    @property
    def updates(self) -> Gradients:
        """The changes made, −α·dP for each parameter (ΔW1 = −α·dW1, ...)."""
        return Gradients(*(-self.learning_rate * gradient for gradient in self.gradients))
