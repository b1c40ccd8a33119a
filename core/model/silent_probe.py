"""Which hidden units are silent on the probe images, rechecked only where a step changed W1 or b1.

A hidden unit j is silent when Z1_j = W1[:, j]ᵀx + b1_j ≤ 0 on every probe image x (the first
PROBE_IMAGES test images). The full computation is batched.silent_units(batched.hidden_sums(...)):
Z1 for all the probe images, in float32, about 0.7 ms. The Train screen asks after every click, and
a step changes few columns: W1[:, j] and b1_j move only when the step's dZ1_j ≠ 0 (unit j fired on
the sample). So a SilentProbe keeps the float32 W1 and b1 it last answered for, and rechecks only
the columns that differ:
- a changed unit is live if its Z1 on its witness (the probe image where its Z1 was largest when
  last computed on every image) is clearly positive;
- otherwise its Z1 is computed on every probe image: live if the largest is clearly positive, silent
  if the largest is clearly negative, and the witness moves to the largest.

"Clearly" is what keeps the answer exact. Whatever the order of its additions, a float32 sum of the
n products x_i·W1_ij and b1_j is within (n + 2)·u·S of the exact sum, where u = 2⁻²⁴ and
S = Σ|x_i·W1_ij| + |b1_j| ≤ max|x|·Σ_i|W1_ij| + |b1_j| (Higham, "Accuracy and Stability of Numerical
Algorithms", section 3.1). Two float32 sums, this one and the full computation's, so agree on the
sign of any value beyond twice that bound. A value nearer zero, or not finite, is left to the full
computation, whose answer is then taken for every unit. The mask is therefore always
silent_units(hidden_sums(params, probe)), bit for bit (tests/test_silent_probe.py checks every step).

It compares values, so it follows every way the parameters change (steps, drawings, reset, a
checkpoint loaded, a trainer rebuilt at a past step) without being told.
"""

import numpy as np

from core.model.batched import PROBE_IMAGES, hidden_sums, silent_units
from core.model.pixel_cache import float32_pixels

UNIT_ROUNDING = 2.0 ** -24  # u, float32's unit roundoff
FLUSHED = 1e-30  # more than the products float32 may flush to zero (each under 1.2e-38)


class SilentProbe:
    """The silent-unit mask of the first PROBE_IMAGES of `images`, kept from call to call."""

    def __init__(self, images, count=PROBE_IMAGES):
        self._images, self._count = images, count
        self._probe = None  # float32 pixels (count, 784), converted on first use
        self._largest_pixel = 0.0  # max|x| over the probe, for the rounding bound
        self._units = self._b1 = None  # the float32 W1ᵀ (a row per unit) and b1 that _silent answers for
        self._silent = self._witness = None  # (h,) bool mask; (h,) index of each unit's largest Z1

    def silent(self, params) -> np.ndarray:
        """The mask (h,) of hidden units with Z1 = W1ᵀx + b1 ≤ 0 on every probe image."""
        # W1ᵀ row by row: a unit's weights are contiguous, so comparing and summing per unit is cheap
        units = np.array(params.W1.T, dtype=np.float32, order="C")
        b1 = np.array(params.b1, dtype=np.float32)
        if self._units is None or self._units.shape != units.shape or not self._recheck(units, b1):
            return self._recompute(params, units, b1)
        self._units, self._b1 = units, b1
        return self._silent.copy()

    def _recheck(self, units, b1) -> bool:
        """Update the mask for the units whose weights or bias changed; False if a Z1 is too near zero to tell."""
        changed = np.flatnonzero((units != self._units).any(axis=1) | (b1 != self._b1))
        if not changed.size:
            return True
        margin = self._margin(units[changed], b1[changed])
        at_witness = np.einsum("ij,ij->i", self.probe[self._witness[changed]], units[changed]) + b1[changed]
        live = at_witness > margin
        self._silent[changed[live]] = False
        unsure, margin = changed[~live], margin[~live]
        if unsure.size:
            Z1 = self.probe @ units[unsure].T + b1[unsure]  # every probe image, only the unsure units
            largest = Z1.max(axis=0)
            if not ((largest > margin) | (largest < -margin)).all():
                return False
            self._silent[unsure] = largest < -margin
            self._witness[unsure] = Z1.argmax(axis=0)
        return True

    @property
    def probe(self) -> np.ndarray:
        """x = p / 255 of the probe images, float32 (count, 784)."""
        if self._probe is None:
            self._probe = float32_pixels(self._images)[:self._count]
            self._largest_pixel = float(np.abs(self._probe).max(initial=0))
        return self._probe

    def _margin(self, units, b1) -> np.ndarray:
        """Twice the float32 rounding bound of each unit's Z1: 2·(n + 2)·u·(max|x|·Σ_i|W1_ij| + |b1_j|)."""
        n = self.probe.shape[1]
        size = self._largest_pixel * np.abs(units).sum(axis=1, dtype=np.float64) + np.abs(b1)
        return 2 * (n + 2) * UNIT_ROUNDING * size + FLUSHED

    def _recompute(self, params, units, b1) -> np.ndarray:
        """The full computation, silent_units(hidden_sums(params, probe)), and every unit's witness from it."""
        Z1 = hidden_sums(params, self.probe)
        self._silent, self._witness = silent_units(Z1), Z1.argmax(axis=0)
        self._units, self._b1 = units, b1
        return self._silent.copy()

    def nbytes(self) -> int:
        """Bytes kept beyond the shared probe: the float32 W1ᵀ and b1 last answered for, the mask and witnesses."""
        kept = (self._units, self._b1, self._silent, self._witness)
        return 0 if self._units is None else sum(array.nbytes for array in kept)
