"""The Compare screen's runs as one component drawn in the browser from compact numbers.

The table of the runs, the six panels of curves (own loss, Σ(A2 − y)², training accuracy, test
accuracy after each epoch, silent units, ‖θ − θ0‖), the reading and every run's W1 are drawn by
static/compare_panel.js and the modules beside it (served from static/ by ui/static_component.py),
which share the Train panel's static/panel_kit.js for the trailing means, the ticks and the blob.
Each click sends one blob of what changed (ui/step_payload.py): the runs' new history bins, side by
side, four columns a run, the few snapshot numbers, the W1 tiles whose colours moved (one byte a
weight) and the words that changed. A plotly chart of the six panels
cost the browser about 0.8 s a click, and three W1 pictures built and PNG-encoded per click about
10 ms of server CPU (bench/compare_latency.py). Words, run names and the numbers of the table and the
reading are made here, in the session's language; the browser places them and writes the curves'
numbers with the language's decimal sign.
"""

from __future__ import annotations

import numpy as np

from core.surface.settings import LOSS_OF_RULE
from core.training.history import History
from lab import comparison
from locales import N_, PERCENT_DIGITS, _, number_separators
from locales.words import run_label
from ui import compare_reading, figures, static_component
from ui.compare_views import LOSS_SYMBOLS, curves_caption, runs_table, weight_words

KEY, MEMORY = "compare_panel", "compare_panel_memory"
# A weight w on the shared colour scale ±limit travels as one byte: 128 + round(127·clip(w/limit, −1, 1)).
CODE_ZERO, CODE_SPAN = 128, 127
# The six panels' titles and y titles, as the plotly chart had them; translated where sent.
PANELS = (
    (N_("Each run's own loss (the one its rule descends)"), N_("mean loss")),
    (N_("Σ(A2 − y)² of every run: one yardstick"), N_("mean Σ(A2 − y)²")),
    (N_("Training accuracy"), N_("accuracy")),
    (N_("Test accuracy after each epoch (epochs 1, 2, …)"), N_("accuracy")),
    (N_("Silent hidden units"), N_("units")),
    (N_("Distance from the start ‖θ − θ0‖"), N_("distance")),
)

_component = static_component.component("backprop_compare_panel", "compare_panel.js")


def panel_text() -> dict:
    """The panels' fixed words in this session's language; {value}, {step}, {epoch} are filled in the browser."""
    over = _("{what} over the steps to {step}")
    return {
        "titles": [_(title) for title, _y in PANELS], "y_titles": [_(y_title) for _title, y_title in PANELS],
        "step": _("step"), "epoch": _("epoch"),
        "own": over.format(what="{name} {value}", step="{step}"),
        "mse": over.format(what="Σ(A2 − y)² {value}", step="{step}"),
        "accuracy": over.format(what=_("{accuracy} right").format(accuracy="{value}"), step="{step}"),
        "test": _("test accuracy {accuracy} after epoch {epoch}").format(accuracy="{value}", epoch="{step}"),
        "silent": _("{units} silent at step {step}").format(units="{value}", step="{step}"),
        "distance": _("‖θ − θ0‖ = {distance} at step {step}").format(distance="{value}", step="{step}"),
        "no_test": _("measured on the 10,000 test images<br>at the end of each epoch"),
        "alt": _("{title}. Now: {values}."), "between": _("; "),  # Greek's semicolon is the ano teleia ·
        "keys": _("Arrow keys move along the curves; each point's values are read out."),
        "epoch_line": _("epoch {epoch} ends at step {step}"),
        "reading": _("What the numbers show"), "table": _("The runs side by side"),
    }


def own_loss(rule: str) -> tuple[str, str]:
    """(History column, symbol) of the loss a rule descends: −log A2_y for document and cross-entropy."""
    loss = LOSS_OF_RULE[rule]
    return ("cross_entropy" if loss == "cross-entropy" else "loss"), LOSS_SYMBOLS[loss]


def merged(bins, width: int) -> tuple[np.ndarray, np.ndarray]:
    """A history's (sums, counts) in bins of `width` steps, merging its narrower bins in pairs as History does."""
    sums, counts = bins.sums, bins.counts.astype(np.float64)
    factor = width // bins.width
    if factor > 1:
        rows = -(-len(counts) // factor) * factor
        sums = np.pad(sums, ((0, rows - len(sums)), (0, 0))).reshape(-1, factor, sums.shape[1]).sum(axis=1)
        counts = np.pad(counts, (0, rows - len(counts))).reshape(-1, factor).sum(axis=1)
        # as long as the widest run's, so the runs' columns stand side by side
        short = len(bins.counts) - len(counts)
        sums, counts = np.pad(sums, ((0, short), (0, 0))), np.pad(counts, (0, short))
    return sums, counts


def run_bins(runs) -> tuple[int, np.ndarray]:
    """Every run's history bins side by side, four columns a run: own loss, Σ(A2 − y)², correct and steps.

    One width for all (the widest: a run stopped early kept narrower bins), rows up to the last filled bin.
    """
    width = max(run.trainer.history.bins.width for run in runs)
    columns, last = [], 0
    for run in runs:
        history = run.trainer.history
        sums, counts = merged(history.bins, width)
        own = History.SERIES.index(own_loss(run.trainer.settings.rule)[0])
        columns.append((sums[:, own], sums[:, History.SERIES.index("loss")],
                        sums[:, History.SERIES.index("correct")], counts))
        last = max(last, int(np.flatnonzero(counts)[-1]) + 1 if counts.any() else 0)
    rows = np.column_stack([column[:last] for run_columns in columns for column in run_columns])
    return width, rows.reshape(last, 4 * len(runs))


def run_fields(run: comparison.ComparedRun, count: int) -> dict:
    """A run's name, colour, dash, own loss and test accuracy after each epoch."""
    epochs = run.trainer.history.epochs
    return {"label": run_label(run), "colour": figures.RUNS[run.place], "dash": figures.DASHES[count % len(figures.DASHES)],
            "own": own_loss(run.trainer.settings.rule)[1],
            "tests": [[summary.epoch + 1, float(summary.test_accuracy)] for summary in epochs]}


def weight_codes(W1: np.ndarray, limit: float) -> np.ndarray:
    """Each unit's 28×28 template (a row per unit) on the scale ±limit, one byte a weight: CODE_ZERO + round(CODE_SPAN·t).

    t = clip(W1/limit, −1, 1), as figures.diverging_rgb clips it; the browser colours code c as that
    function colours t = (c − 128)/127, so a tile's colour is within one step of 1/127 of the PNG's.
    """
    t = np.clip(np.nan_to_num(np.asarray(W1, dtype=np.float64).T) / limit, -1.0, 1.0)
    return (CODE_ZERO + np.rint(CODE_SPAN * t)).astype(np.uint8)


def weight_blocks(shown: comparison.Comparison) -> tuple[float, dict]:
    """The shared colour limit and every run's W1 tiles as blocks W1_<run>_<unit>: a tile that kept its colours is not sent again."""
    W1s = [trainer.params.W1 for trainer in shown.trainers]
    limit = max(figures.symmetric_limit(W1) for W1 in W1s)
    blocks = {}
    for count, W1 in enumerate(W1s):
        blocks.update({f"W1_{count}_{unit}": codes for unit, codes in enumerate(weight_codes(W1, limit))})
    return limit, blocks


def note(shown: comparison.Comparison, running: bool) -> dict | None:
    """The line between the table and the curves: how to begin, or why the curves wait while an epoch runs."""
    if shown.step_count() == 0:
        return {"kind": "info", "text": _(
            "Press **Step** to give every run the first training image, or **Run to end of epoch**. Below: each run's "
            "initial W1.")}
    if running:  # redrawing six panels after every slice would cost the browser more than the slice's training
        return {"kind": "caption", "text": _(
            "An epoch is running: the table follows it; the curves, the reading and W1 are drawn when it ends or you "
            "press Stop.")}
    return None


def show(shown: comparison.Comparison, silent: list, running: bool) -> None:
    """Mount the panel for the runs of `shown` at their current step; only what changed since the last click travels.

    `silent`: each run's mask of silent hidden units. While an epoch runs (`running`) only the table
    follows it: the curves, the reading and W1 wait for its end.
    """
    runs = shown.runs
    width, bins = run_bins(runs)
    blocks = {}
    for count, run in enumerate(runs):
        steps, silent_along = run.tracked.silent_along()
        distance_steps, distance = run.tracked.distance_along()
        blocks.update({f"silent_steps_{count}": np.asarray(steps, np.float64),
                       f"silent_{count}": np.asarray(silent_along, np.float64),
                       f"distance_steps_{count}": np.asarray(distance_steps, np.float64),
                       f"distance_{count}": np.asarray(distance, np.float64)})
    tests = runs[0].trainer.history.test_accuracy
    curves = shown.step_count() > 0 and not running
    fields = {"text": panel_text(), "separators": number_separators(), "percent_digits": PERCENT_DIGITS,
              "runs": [run_fields(run, count) for count, run in enumerate(runs)],
              "hidden": int(shown.trainers[0].params.hidden), "epoch_ends": [int(step) for _epoch, step, _ in tests],
              "window_min": figures.MIN_WINDOW, "curve_points": figures.CURVE_POINTS,
              "table": runs_table(shown, silent), "note": note(shown, running), "curves": curves,
              "curves_caption": curves_caption(shown) if curves else None,
              "reading": None if running else compare_reading.reading(shown.trainers, [run_label(run) for run in runs]),
              "weights": None}
    if not running:
        limit, tiles = weight_blocks(shown)
        blocks.update(tiles)
        fields["weights"] = {**weight_words(shown, silent, limit), "silent": [mask.astype(int).tolist() for mask in silent]}
    # another set of runs, or another order, starts its bins anew
    history = hash(tuple(id(run.trainer.history) for run in runs))
    held = static_component.memory(MEMORY)
    _component(data=held.blob(fields, blocks, width, bins, history=history), key=KEY, on_resync_change=held.forget)
