"""The Compare screen's words for its runs: where they stand, a row per run, what the curves average, W1's captions.

Made here, in the session's language with its number signs; the panel (ui/compare_panel.py,
static/compare_panel.js) places them. Each function returns plain text or JSON-ready values.
"""

import numpy as np

from core.surface.settings import LOSS_OF_RULE
from lab import comparison
from locales import _, ngettext, number, percent
from locales.words import run_label, said
from ui import figures

LOSS_SYMBOLS = {"mse": "Σ(A2 − y)²", "cross-entropy": "−log A2_y"}


def listed(parts) -> str:
    """Reasons one after another, in words, with the language's semicolon between them (Greek's is the ano teleia ·)."""
    return _("; ").join(said(part) for part in parts)


def position_text(shown: comparison.Comparison) -> str:
    """Where the runs stand: one step for all of them (and where any run stopped)."""
    live = shown.live()
    lead = (live or shown.trainers)[0]
    where = (_("epoch {epoch} begins").format(epoch=lead.epoch + 1) if lead.index == 0 else
             _("epoch {epoch} · sample {sample} of {size}").format(
                 epoch=lead.epoch + 1, sample=number(lead.index), size=number(lead.training_size)))
    text = ngettext("{count} run at step {step} · {where}", "{count} runs at step {step} · {where}", len(live)).format(
        count=len(live), step=number(lead.step_count), where=where)
    stopped = [run for run in shown.runs if run.trainer.stopped_reason]
    if stopped:
        text += " · " + _("stopped: {runs}").format(runs=", ".join(
            _("{run} at step {step}").format(run=run_label(run), step=number(run.trainer.step_count)) for run in stopped))
    return text


def colour(run: comparison.ComparedRun) -> str:
    """A run's colour: the palette's at its place in the set."""
    return figures.RUNS[run.place]


def runs_table(shown: comparison.Comparison, silent: list) -> dict:
    """One row per run: its colour and name, α now, training and test accuracy, silent units, its own link.

    Rows are [colour, name, "stopped" or None, α, training accuracy, test accuracy, silent units,
    link text, link or None]; the panel writes the name in bold, the link as a link.
    """
    lead = (shown.live() or shown.trainers)[0]
    epochs = len(lead.history.epochs)
    this_epoch = lead.history.epoch_seen > 0
    train_header = (_("training accuracy, this epoch") if this_epoch or not epochs else
                    _("training accuracy, epoch {epoch}").format(epoch=epochs))
    test_header = _("test accuracy after epoch {epoch}").format(epoch=epochs) if epochs else _("test accuracy")
    rows = []
    for run, mask in zip(shown.runs, silent):
        history = run.trainer.history
        train = (history.train_accuracy if this_epoch else history.epochs[-1].train_accuracy if history.epochs
                 else None)
        test = percent(history.epochs[-1].test_accuracy) if history.epochs else _("after epoch 1")
        if history.epochs and len(history.epochs) != epochs:
            test += " " + _("(epoch {epoch})").format(epoch=len(history.epochs))
        link = f"train?run={run.run_id}" if run.run_id else None
        rows.append([colour(run), run_label(run), _("stopped") if run.trainer.stopped_reason else None,
                     number(run.trainer.learning_rate, "g"), "–" if train is None or np.isnan(train) else percent(train),
                     test, _("{silent} of {hidden}").format(silent=int(mask.sum()), hidden=len(mask)),
                     _("open") if link else _("not stored yet"), link])
    return {"headers": [_("run"), "α", train_header, test_header, _("silent units"), _("Train screen")], "rows": rows}


def curves_caption(shown: comparison.Comparison) -> str:
    """What the six panels of curves average, and each run's own loss."""
    bins = shown.trainers[0].history.bins  # the trailing window of figures.training_curves, in whole bins
    window = -(-max(figures.MIN_WINDOW, bins.steps // 40) // bins.width) * bins.width
    descending = {}
    for run in shown.runs:
        descending.setdefault(LOSS_SYMBOLS[LOSS_OF_RULE[run.trainer.settings.rule]], []).append(run_label(run))
    own = listed(_("{loss} for {runs}").format(loss=symbol, runs=", ".join(labels))
                 for symbol, labels in descending.items())
    return _("Own loss: {own}. The loss and accuracy curves are means over the last {window} steps. Silent units "
             "(Z1 ≤ 0 on all of the first 1,000 test images) and ‖θ − θ0‖ are measured at the runs' saved "
             "snapshots and now.").format(own=own, window=number(window))


def weight_words(shown: comparison.Comparison, silent: list, limit: float) -> dict:
    """W1's words: each run's line above its tiles and its alt text, the units' names, the colour scale's caption."""
    step = shown.step_count()
    shown_limit = number(limit, ".2g")
    runs = []
    for run, mask in zip(shown.runs, silent):
        units = np.flatnonzero(mask) + 1
        if 0 < len(units) <= 12:
            note = " · " + ngettext("silent (grey frame): unit {units}", "silent (grey frame): units {units}",
                                    len(units)).format(units=", ".join(map(str, units)))
        elif len(units):
            note = " · " + _("{silent} of {hidden} units silent (grey frame)").format(
                silent=len(units), hidden=len(mask))
        else:
            note = ""
        runs.append({
            "title": _("W1 at step {step}").format(step=number(step)) + note,
            "alt": _("W1 of {run} at step {step}: the 28×28 templates of its {hidden} hidden units, blue for negative "
                     "and red for positive, from −{limit} to +{limit}").format(
                run=run_label(run), step=number(step), hidden=len(mask), limit=shown_limit)})
    unit = _("unit {number}")
    return {"runs": runs, "units": [unit.format(number=k + 1) for k in range(len(silent[0]))],
            "scale": [f"−{shown_limit}", "0", f"+{shown_limit}"],
            "caption": _("Every run's W1 on one colour scale: −{limit} (blue) · 0 (white) · +{limit} (red); unit k of "
                         "each run under unit k of the others.").format(limit=shown_limit)}
