"""The Train screen's live panel as one component drawn in the browser from compact numbers.

Position line, Step/×10/×100/epoch/Reset/Stop, the timeline (slider, step box, ◀ ▶, keys B and F),
the sample, A2, the losses, the loss and accuracy curves and the ΔW1 tiles are drawn by
static/step_panel.js and the modules beside it (served from static/ by ui/static_component.py, so
the scripts are fetched once and cached, not sent again with every click). Each click sends one
small blob of what changed (ui/step_payload.py). Words and the numbers a reader reads are made here,
in the session's language; the browser only places them and formats the curves' hover values with
the language's decimal sign.

The panel's clicks come back as events: `action` ({"kind": "step", "n": 10}, {"kind": "goto",
"step": 40}, ...) handled by the caller's callback before the panel reruns; `resync` when the
browser misses a blob; `explain` (a value's name, such as "A2_7" or "dW1_5") for a later feature
that explains a number, passed to a callback that may be None.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import streamlit as st

from locales import PERCENT_DIGITS, _, number, percent, number_separators
from locales.words import said
from runs.errors import StoreError
from ui import figures, static_component, timeline_panel
from ui.step_payload import curve_bins

KEY, MEMORY = "train_panel", "train_panel_memory"


_component = static_component.component("backprop_step_panel", "step_panel.js")


def panel_text() -> dict:
    """The panel's fixed words in this session's language, by the names step_panel.js uses."""
    return {
        "step": _("Step"), "step_10": _("Step ×10"), "step_100": _("Step ×100"), "epoch": _("Run to end of epoch"),
        "reset": _("Reset"), "stop": _("Stop"), "now": _("Back to now"),
        "timeline": _("Timeline: open any step of this run exactly as it happened"),
        "timeline_help": _("Dotted lines on the curves: epoch ends. A past step shows on Train, Forward pass, Weights "
                           "and Gradients; training goes on only from now (or branch a new run from it)."),
        "step_value": _("step {step}"), "goto": _("Go to step"),
        "back": _("One step back (key B)"), "forward": _("One step forward (key F)"),
        "loss_before": _("Loss before"), "loss_after": _("Loss after"),
        "loss_before_help": _("Σₖ (A2ₖ − yₖ)² on this sample"),
        "loss_after_help": _("the same sample's loss after the update, with the new weights"),
        "digit": _("digit"), "probability": _("probability"), "bar": _("digit {digit}: {value}"),
        "loss_title": _("Loss Σ(A2 − y)²"), "accuracy_title": _("Training accuracy"), "test_note": _(" · ◆ test"),
        "axis_step": _("training samples"), "axis_loss": _("loss"), "axis_accuracy": _("accuracy"),
        # the curves count training samples: a step on a drawing is a step, but no point of them
        "hover_loss": _("loss {value} over the samples up to {step}"),
        "hover_accuracy": _("{value} right over the samples up to {step}"),
        "hover_test": _("test accuracy {value} after sample {step}"),
        "curves_alt": _("The running loss and training accuracy over the run's {steps} training samples: the loss "
                        "is {loss} and the accuracy {accuracy} over the last samples"),
        "curves_keys": _("Arrow keys move along the curves; each point's values are read out."),
        "dW1_header": _("**The update ΔW1 = −α·dW1** for each hidden unit's 28×28 template: only this image's ink "
                        "moves weights, and only for units that were on"),
    }


def shown(text: str) -> str:
    """A sentence with its first letter capitalised (an alt text starts a description)."""
    return f"{text[0].upper()}{text[1:]}" if text else text


def sample_fields(record, step: int, train_images) -> tuple[dict, dict]:
    """The sample's caption and alt text, and its 28×28 pixels (and x itself for a drawing: its pixels are not /255)."""
    if record.index is None:
        pixels = np.rint(record.x * 255).astype(np.uint8)
        what = _("your drawing, labelled {label}").format(label=record.label)
        blocks = {"x": np.asarray(record.x, dtype=np.float64)}
    else:
        pixels = np.asarray(train_images[record.index], dtype=np.uint8).reshape(-1)
        what = _("training image #{index}, label {label}").format(index=number(record.index), label=record.label)
        blocks = {}
    fields = {"sample_alt": _("{what}, 28×28 pixels").format(what=shown(what)),
              "sample_caption": _("step {step}: {what}").format(step=number(step), what=what)}
    return fields, {"pixels": pixels, **blocks}


def update_fields(record, silent: np.ndarray, unit_list: Callable) -> tuple[dict, dict]:
    """ΔW1 = −α·x·dZ1ᵀ as its two factors (the browser multiplies them), its colour scale and its words."""
    update = record.updates.dW1
    off = record.forward.Z1 <= 0  # ReLU off: dZ1 = 0, so this unit's column of ΔW1 is exactly zero
    unchanged = off | ~update.any(axis=0)
    hidden = len(unchanged)
    limit = figures.symmetric_limit(update)
    fields = {"units": [list(pair) for pair in figures.unit_tile_labels(silent, unchanged)],
              "unchanged": unchanged.astype(int).tolist(), "dW1_limit": limit}
    if unchanged.all():
        fields["dW1_alt"] = _("The update ΔW1 of the {hidden} hidden units: all grey, no change at this step").format(
            hidden=hidden)
        fields["dW1_caption"] = _(
            "No change to W1 at this step: all {hidden} hidden units were off (Z1 ≤ 0) for this image, so dW1 = x·dZ1ᵀ "
            "is exactly zero and every template stays as it was.").format(hidden=hidden)
        fields["dW1_scale"] = None
    else:
        shown_limit = number(limit, ".2g")
        caption = _("Units 1–{hidden}, 10 per row. Colour scale under them: −{limit} (blue) · 0 (white) · "
                    "+{limit} (red).").format(hidden=hidden, limit=shown_limit)
        if unchanged.any():
            caption += _(" Grey, \"off\": no change, the unit was off (Z1 ≤ 0) for this image, so its column of "
                         "dW1 = x·dZ1ᵀ is exactly zero ({units}).").format(units=unit_list(unchanged))
        if silent.any():
            caption += _(" \"silent\": off on all of the first 1,000 test images.")
        fields["dW1_caption"] = caption
        fields["dW1_alt"] = _("The update ΔW1 of each of the {hidden} hidden units as a 28×28 image, blue for negative "
                              "and red for positive, from −{limit} to +{limit}").format(hidden=hidden, limit=shown_limit)
        fields["dW1_scale"] = [f"−{shown_limit}", "0", f"+{shown_limit}"]
    # ΔW1[:, k] = x · (−α·dZ1_k): 784 + hidden numbers instead of 784 × hidden
    return fields, {"dW1_factor": np.asarray(-record.learning_rate * record.gradients.db1, dtype=np.float64)}


def record_fields(record, step: int, train_images, silent, oscillating: bool, unit_list) -> tuple[dict, dict]:
    """Everything the panel shows of one step: the sample, A2, the losses, ΔW1."""
    fields, blocks = sample_fields(record, step, train_images)
    A2 = np.asarray(record.forward.A2, dtype=np.float64)
    verdict = _("correct") if record.correct else _("wrong")
    fields.update({
        "record_step": int(record.step), "label": int(record.label), "prediction": int(record.prediction),
        "bars_title": _("A2: predicted {digit} ({verdict})").format(digit=record.prediction, verdict=verdict),
        "A2_text": [number(value, ".2f") for value in A2], "A2_hover": [number(value, ".4f") for value in A2],
        "loss_before": number(record.loss_before, ".4f"), "loss_after": number(record.loss_after, ".4f"),
        "loss_delta": number(record.loss_after - record.loss_before, "+.4f"),
        # a drop on this image is no improvement when the next image's loss jumps back: then no green
        "delta_colour": "off" if oscillating else "inverse",
        "bars_alt": _("A2 of this step's image: {values}; predicted {digit} ({verdict})").format(
            values=", ".join(_("digit {digit}: {value}").format(digit=digit, value=text)
                             for digit, text in enumerate(number(value, ".2f") for value in A2)),
            digit=record.prediction, verdict=verdict),
    })
    update, factor = update_fields(record, silent, unit_list)
    fields.update(update)
    blocks.update(factor, A2=A2)
    return fields, blocks


def curve_fields(trainer, viewed: int | None, window_text: str | None) -> dict:
    """What the curves need besides the bins: test accuracy points, a viewed past step, the caption."""
    tests = trainer.history.test_accuracy
    test = _("test {accuracy}")
    return {"curves": bool(trainer.step_count), "viewed": viewed, "window_text": window_text,
            "tests": [[int(step), float(accuracy), test.format(accuracy=percent(accuracy))]
                      for _epoch, step, accuracy in tests],
            "window_min": figures.MIN_WINDOW, "curve_points": figures.CURVE_POINTS, "percent_digits": PERCENT_DIGITS}


def timeline_of(state) -> tuple[dict | None, str | None]:
    """The timeline's place and marks; or, when the run's past cannot be read (the store is down), why."""
    try:
        first, last = timeline_panel.offset(state), timeline_panel.now(state)
        drawings = state.timeline().drawing_positions()
        marks = timeline_panel.epoch_and_drawing_marks(state)
    except (StoreError, ValueError) as error:
        return None, _("Timeline unavailable: {reason}.").format(reason=said(error).rstrip("."))
    return timeline_fields(first, last, timeline_panel.shown_step(state), timeline_panel.epoch_ends(state), drawings,
                           marks), None


def timeline_fields(first: int, last: int, shown_step: int, epoch_ends, drawings, marks: str) -> dict | None:
    """The slider's range and place, epoch ticks and drawn steps on its strip, and the line of marks."""
    if last == first:
        return None
    begins, epoch_mark = _("epoch {epoch} begins after step {step}"), _("epoch {epoch}")
    drawn = _("step {step}: a step on your drawing")
    ticks = [[step, begins.format(epoch=epoch + 1, step=number(step)), epoch_mark.format(epoch=epoch + 1)]
             for epoch, step in epoch_ends][:40]
    dots = [[first + position, drawn.format(step=number(first + position))] for position in drawings[-200:]]
    return {"first": first, "last": last, "shown": shown_step, "ticks": ticks, "dots": dots, "marks": marks,
            "shown_text": _("step {step}").format(step=number(shown_step))}


def show(fields: dict, blocks: dict, trainer, on_action: Callable, on_explain: Callable | None = None) -> None:
    """Mount the panel with these fields and arrays (only their changes travel), the curves from `trainer`'s history."""
    history = trainer.history
    width, bins = curve_bins(history.bins, history.SERIES.index("loss"), history.SERIES.index("correct"))
    held = static_component.memory(MEMORY)
    fields = {"text": panel_text(), "separators": number_separators(), "explain": on_explain is not None, **fields}
    blob = held.blob(fields, blocks, width, bins, history=id(history))

    def acted() -> None:
        value = st.session_state[KEY].get("action")
        if isinstance(value, dict):
            on_action(value)

    def explained() -> None:
        value = st.session_state[KEY].get("explain")
        if on_explain is not None and isinstance(value, str):
            on_explain(value)

    _component(data=blob, key=KEY, on_action_change=acted, on_resync_change=held.forget,
               on_explain_change=explained)


def running_progress(trainer) -> dict:
    """The epoch's progress bar while it runs in slices."""
    return {"fraction": trainer.index / trainer.training_size or 1.0,
            "text": _("Running epoch {epoch}: {done} of {total} samples").format(
                epoch=trainer.epoch + (trainer.index > 0), done=number(trainer.index or trainer.training_size),
                total=number(trainer.training_size))}


def silent_caption(hidden: int) -> str:
    return _("Silent hidden units ({measured}): **0 of {hidden}**. A high α can silence most of them.").format(
        measured=_("Z1 ≤ 0 on all of the first 1,000 test images"), hidden=hidden)

