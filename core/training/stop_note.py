"""Why training stopped, as the note a trainer saves (in checkpoints and the store's snapshots) and as a Reason.

The note is one English sentence, a data format kept as it always was so that older files still
read; stop_reason() reads it back as a Reason (core/reasons.py), which the screens put into words.
"""

import re

from core.reasons import Reason, Refusal

MAX_REASON_CHARACTERS = 1000


# The note saved when training stops (in checkpoints and the store's snapshots, so it stays this
# English sentence); stop_reason() reads it back as a Reason, which the screens put into words.
STOPPED = ("Training stopped at step {step} (epoch {epoch}, sample {sample}): the weights grew so large that "
           "{where} is infinite or not a number (learning rate α = {alpha}). The weights are kept as they were "
           "after step {kept}. Lower the learning rate (for example to {lower}) and reset.")
IN_THE_FORWARD_PASS, AFTER_THIS_UPDATE = "in the forward pass", "after this update"
_STOPPED_PATTERN = re.compile(
    r"Training stopped at step (?P<step>\d+) \(epoch (?P<epoch>\d+), sample (?P<sample>\d+)\): the weights grew so "
    r"large that (?P<name>\w+) (?P<where>in the forward pass|after this update) is infinite or not a number "
    r"\(learning rate α = (?P<alpha>[^)]+)\)\. The weights are kept as they were after step (?P<kept>\d+)\. "
    r"Lower the learning rate \(for example to (?P<lower>[^)]+)\) and reset\.")


def stop_reason(note: str | None) -> Reason | None:
    """A trainer's stopped_reason (the saved English note) as a Reason: the step, where, α and what to try.

    Another note (none of the trainer's own: it cannot be read apart) is a Reason that holds it as it is.
    """
    found = _STOPPED_PATTERN.fullmatch(note) if note else None
    if found is None:
        return None if note is None else Reason("training.stopped_note", note=note)
    values = {name: int(found[name]) for name in ("step", "epoch", "sample", "kept")}
    return Reason("training.stopped", **values, name=found["name"], forward=found["where"] == IN_THE_FORWARD_PASS,
                  alpha=_number_or_text(found["alpha"]), lower=_number_or_text(found["lower"]))


def _number_or_text(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def read_stop_note(text) -> str | None:
    """A saved stop note, only if it is one of the trainer's own plain sentences (it is shown as it is)."""
    if not text:
        return None
    if (len(text) > MAX_REASON_CHARACTERS or not text.startswith("Training stopped")
            or re.search(r"[\n<>\[\]`*_!#|\\{}$]", text)):
        raise Refusal("training.bad_note")
    return text
