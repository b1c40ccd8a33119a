"""Trajectory points: the parameters at chosen steps, how the weights moved, for the Weights player and loss surface.

They are float32 (half the memory; float64 only if a value is beyond float32's range).
Points are due at steps spaced evenly in log(step + 50): dense while the weights change fast at
the start, sparse later. Past the maximum count (48, or fewer if they would exceed the byte budget)
the point whose neighbours are closest in log(step + 50) is dropped. The initial parameters
(step 0) are always kept.

Not the store's snapshots (core/record/events.py), which cache a whole trainer's state to replay a run
from. The keys state() writes and load() reads still begin "snapshots.", as they did when these points
had that name, so every checkpoint saved before loads unchanged.
"""

import math

import numpy as np

from core.model.batched import compact
from core.model.network import PARAMETER_NAMES, Parameters
from core.reasons import Refusal

MAX_TRAJECTORY_POINTS = 48
TRAJECTORY_BYTES = 16 * 2**20


class TrajectoryPoints:
    """The saved (step, parameters) pairs of one run, oldest first, bounded in count and bytes."""

    OFFSET = 50
    RATIO = 1.25

    def __init__(self, params, max_count=MAX_TRAJECTORY_POINTS, byte_budget=TRAJECTORY_BYTES):
        per_point = 4 * sum(array.size for array in params.as_tuple())
        self.max_count = max(2, min(max_count, byte_budget // per_point))
        self.steps: list[int] = []
        self.saved: list[tuple] = []
        self.take(0, params)

    def due_after(self, step) -> int:
        """The step at which the point after one at `step` is due."""
        return max(step + 1, math.ceil((step + self.OFFSET) * self.RATIO) - self.OFFSET)

    def take(self, step, params):
        self.steps.append(step)
        self.saved.append(compact(params))
        self.next_step = self.due_after(step)
        while len(self.steps) > self.max_count:
            self._drop_one()

    def _drop_one(self):
        position = np.log(np.array(self.steps, dtype=np.float64) + self.OFFSET)
        gaps = position[2:] - position[:-2]  # gap left by dropping each of 1 .. len − 2
        drop = 1 + int(np.argmin(gaps))
        del self.steps[drop], self.saved[drop]

    def as_list(self) -> list[tuple[int, Parameters]]:
        return [(step, Parameters(*saved)) for step, saved in zip(self.steps, self.saved)]

    def nbytes(self) -> int:
        return sum(array.nbytes for saved in self.saved for array in saved)

    def state(self) -> dict:
        state = {"snapshots.steps": np.array(self.steps, dtype=np.int64), "snapshots.next_step": self.next_step}
        for i, name in enumerate(PARAMETER_NAMES):
            state[f"snapshots.{name}"] = np.stack([saved[i] for saved in self.saved])
        return state

    def load(self, state, current_step):
        """Restore saved points of a run now at `current_step`; ValueError unless they are ones take() makes."""
        steps = np.asarray(state["snapshots.steps"])
        stacked = [np.asarray(state[f"snapshots.{name}"]) for name in PARAMETER_NAMES]
        shapes = [array.shape for array in self.saved[0]]
        if not (0 < len(steps) <= self.max_count and steps[0] == 0 and (np.diff(steps) > 0).all()
                and steps[-1] <= current_step and int(state["snapshots.next_step"]) == self.due_after(int(steps[-1]))):
            raise Refusal("snapshots.steps")  # a damaged checkpoint's reason
        if any(array.shape != (len(steps), *shape) for array, shape in zip(stacked, shapes)):
            raise Refusal("snapshots.arrays")
        self.steps = [int(step) for step in steps]
        self.saved = [tuple(array[i].copy() for array in stacked) for i in range(len(self.steps))]
        self.next_step = int(state["snapshots.next_step"])
