"""Training settings: their defaults (the document's), their allowed ranges, and their URL form.

A link such as ?lr=0.05&rule=cross-entropy&seed=3 reproduces a run, so settings arrive as text
typed by hand. settings_from_query() never fails: a value that is missing, not a number or out of
range falls back to its default with a notice the screen can show. The ranges live in one table
here so the screen's widgets offer exactly what validation accepts.
"""

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from core.model.network import GRADIENT_RULES, INITIALISATIONS
from core.reasons import Reason


@dataclass(frozen=True)
class Settings:
    """One learner's training settings; the defaults are the design document's."""

    learning_rate: float = 0.01
    decay_period: int = 5
    decay_factor: float = 0.5
    rule: str = "document"
    hidden: int = 10
    init: str = "uniform"
    seed: int = 0


# One range for every seed a learner types (the training seed, the loss surface's direction seed),
# so a number accepted in one place is accepted in the other.
SEED_RANGE = (0, 2**32 - 1)

# Query key -> (Settings field, minimum, maximum). lr reaches 100 so a learner can make it diverge.
NUMERIC_RANGES = {
    "lr": ("learning_rate", 1e-5, 100.0),
    "decay": ("decay_period", 1, 50),
    "factor": ("decay_factor", 0.05, 1.0),
    "hidden": ("hidden", 1, 64),
    "seed": ("seed", *SEED_RANGE),
}
# Query key -> (Settings field, allowed values).
CHOICES = {
    "rule": ("rule", tuple(GRADIENT_RULES)),
    "init": ("init", INITIALISATIONS),
}
DEFAULTS = Settings()


def learning_rate_at(settings, epoch) -> float:
    """α = lr · factor^⌊epoch / period⌋ for the 0-based epoch: halved every 5 epochs by default."""
    return settings.learning_rate * settings.decay_factor ** (epoch // settings.decay_period)


def validation_errors(settings) -> list[Reason]:
    """Every way `settings` breaks the ranges above (an empty list when it is valid)."""
    errors = []
    for key, (name, low, high) in NUMERIC_RANGES.items():
        value = getattr(settings, name)
        if not (isinstance(value, (int, float)) and math.isfinite(value) and low <= value <= high):
            errors.append(Reason("settings.outside", setting=f"{key}={value!r}", low=f"{low:g}", high=f"{high:g}"))
        elif isinstance(getattr(DEFAULTS, name), int) and value != int(value):
            errors.append(Reason("settings.not_whole", setting=f"{key}={value!r}"))
    for key, (name, allowed) in CHOICES.items():
        if getattr(settings, name) not in allowed:
            errors.append(Reason("settings.not_one_of", setting=f"{key}={getattr(settings, name)!r}",
                                 allowed=", ".join(allowed)))
    return errors


def _parse_number(key, text):
    """(value, None) for a valid number in range, or (default, notice) otherwise."""
    name, low, high = NUMERIC_RANGES[key]
    return parse_bounded_number(key, text, low, high, getattr(DEFAULTS, name))


def parse_bounded_number(key, text, low, high, default):
    """(value, None) for text that is a number in [low, high], else (default, a Reason saying why).

    Whole numbers are asked for when the default is an int.
    """
    whole = isinstance(default, int)
    setting, fallback = f"{key}={text}", f"{default:g}"  # URL values: they keep their dots in every language
    try:
        value = float(str(text).strip())
    except ValueError:
        return default, Reason("settings.not_a_number", setting=setting, default=fallback)
    if not math.isfinite(value):
        return default, Reason("settings.not_finite", setting=setting, default=fallback)
    if whole and value != int(value):
        return default, Reason("settings.not_whole_default", setting=setting, default=fallback)
    if not low <= value <= high:
        return default, Reason("settings.outside_default", setting=setting, low=f"{low:g}", high=f"{high:g}",
                               default=fallback)
    return (int(value) if whole else value), None


def settings_from_query(params: Mapping[str, str]) -> tuple[Settings, list[Reason]]:
    """Settings from URL query parameters (lr, decay, factor, rule, hidden, init, seed) and one notice per bad value."""
    values, notices = {}, []
    for key, (name, _low, _high) in NUMERIC_RANGES.items():
        if key in params:
            values[name], notice = _parse_number(key, str(params[key]))
            if notice:
                notices.append(notice)
    for key, (name, allowed) in CHOICES.items():
        if key in params:
            text = str(params[key]).strip()
            if text in allowed:
                values[name] = text
            else:
                default = getattr(DEFAULTS, name)
                notices.append(Reason("settings.not_one_of_default", setting=f"{key}={params[key]}",
                                      allowed=", ".join(allowed), default=default))
    return Settings(**values), notices


def settings_to_query(settings) -> dict[str, str]:
    """The query parameters that settings_from_query() turns back into `settings`."""
    query = {key: repr(getattr(settings, name)) for key, (name, _low, _high) in NUMERIC_RANGES.items()}
    query.update({key: getattr(settings, name) for key, (name, _) in CHOICES.items()})
    return query


def structural_errors(settings) -> list[Reason]:
    """What would stop a trainer from running these settings at all.

    Looser than the screen's ranges (core/training/settings.py) on purpose: any positive learning rate is
    allowed, so tests and experiments can drive training into overflow.
    """
    errors = []
    if settings.rule not in GRADIENT_RULES:
        errors.append(Reason("training.unknown_rule", rule=repr(settings.rule)))
    if settings.init not in INITIALISATIONS:
        errors.append(Reason("training.unknown_init", init=repr(settings.init)))
    for name in ("hidden", "decay_period", "seed"):
        value = getattr(settings, name)
        if not isinstance(value, (int, np.integer)) or value < (0 if name == "seed" else 1):
            errors.append(Reason("training.not_whole", name=name, least=0 if name == "seed" else 1, value=repr(value)))
    for name in ("learning_rate", "decay_factor"):
        value = getattr(settings, name)
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            errors.append(Reason("training.not_positive", name=name, value=repr(value)))
    return errors
