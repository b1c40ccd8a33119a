"""The loss-surface screen's settings in the URL (?grid=21&samples=500&directions=pca&dseed=3).

Parsed like the training settings in core/training/settings.py, with its number check and its seed range:
a bad value falls back to its default with a notice, and never fails.
"""

from typing import Mapping

from core.surface import loss_surface
from core.training.settings import SEED_RANGE, parse_bounded_number
from core.reasons import Reason

# URL query key -> (lowest, highest, default) of each numeric setting.
SURFACE_QUERY = {
    "grid": (*loss_surface.GRID_RANGE, loss_surface.GRID_DEFAULT),
    "samples": (*loss_surface.SAMPLES_RANGE, loss_surface.SAMPLES_DEFAULT),
    "span": (*loss_surface.SPAN_RANGE, loss_surface.SPAN_DEFAULT),
    "dseed": (*SEED_RANGE, 0),
}
# URL query key -> allowed values; the first is the default, except the loss's (see default_loss).
SURFACE_CHOICES = {"directions": loss_surface.DIRECTIONS, "loss": loss_surface.LOSS_NAMES}

# The loss each gradient rule descends. The document's dZ2 = 2(A2 − y) is not the gradient of its
# Σ(A2 − y)² but of 2·(−log A2_y) (erratum 1), so it minimises the cross-entropy.
LOSS_OF_RULE = {"document": "cross-entropy", "mse": "mse", "cross-entropy": "cross-entropy"}


def default_loss(rule: str) -> str:
    """The loss the rule minimises, the surface a run trained with it goes down."""
    return LOSS_OF_RULE[rule]


def surface_settings_from_query(params: Mapping[str, str]) -> tuple[dict, list[Reason]]:
    """The loss-surface settings in the URL, each checked; bad ones fall back with a notice.

    Without a valid loss in the URL, chosen["loss"] is None: the screen shows default_loss(rule)
    for the rule the model is trained with, which can change after the URL was read.
    """
    chosen, notices = {key: allowed[0] for key, allowed in SURFACE_CHOICES.items()}, []
    chosen["loss"] = None
    for key, (low, high, default) in SURFACE_QUERY.items():
        value, notice = (default, None) if key not in params else parse_bounded_number(
            key, params[key], low, high, default)
        chosen[key], notices = value, notices + [notice] * bool(notice)
    for key, allowed in SURFACE_CHOICES.items():
        if key in params and params[key] in allowed:
            chosen[key] = params[key]
        elif key in params:
            notices.append(Reason("surface.not_one_of", key=key, value=params[key], allowed=", ".join(allowed),
                                  fallback=chosen[key] or Reason("surface.rule_decides")))
    chosen["seed"] = chosen.pop("dseed")
    return chosen, notices
