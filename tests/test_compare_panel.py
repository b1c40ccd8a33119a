"""ui/compare_panel.py's bins without a browser: a run stopped early is merged to its set's width as History merges."""

import numpy as np

from core.training.history import BinnedSeries
from ui import compare_panel


def test_narrower_bins_merge_in_pairs_as_the_history_itself_would():
    rows = np.random.default_rng(0).random((7, 2))
    stopped, merging = BinnedSeries(("loss", "correct"), max_bins=4), BinnedSeries(("loss", "correct"), max_bins=4)
    stopped.extend(rows[:3])  # width 1: three bins
    merging.extend(rows[:3])
    merging._merge_pairs()  # the width the run would have reached, had it gone on
    sums, counts = compare_panel.merged(stopped, 2)
    assert np.array_equal(sums, merging.sums) and np.array_equal(counts, merging.counts)
    same_sums, same_counts = compare_panel.merged(stopped, 1)
    assert np.array_equal(same_sums, stopped.sums) and np.array_equal(same_counts, stopped.counts)


# --- the numbers the panel is sent equal the runs' (through the app, in English and Greek) -------------------

import pytest  # noqa: E402

from core.training.trainer import Trainer  # noqa: E402
from tests.app_session import compare_panel_blob, fresh_app, session_of  # noqa: E402

SIGNS = {"en": (".", "of"), "el": (",", "από")}  # the decimal sign, and "3 of 10" in the table's silent units


def decimal(text: str, language: str) -> str:
    return text.replace(".", SIGNS[language][0])


@pytest.mark.parametrize("language", ["en", "el"])
def test_the_table_and_the_W1_tiles_sent_are_the_runs_own_numbers(mnist, language):
    app = fresh_app({"lang": language, "lr": "0.5"})  # a high α: silent units and moving accuracies after a few steps
    app.switch_page("pages/compare.py").run()
    app.button(key="compare_rules").click().run()
    app.run()
    for _click in range(3):
        app.button(key="compare_step_1").click().run()
    assert not app.exception, [error.value for error in app.exception]
    shown = session_of(app).comparison
    fields, arrays = compare_panel_blob(app)

    # every run's W1, unit by unit, on the one scale ±(the largest |w| of any run), one byte a weight
    W1s = [trainer.params.W1 for trainer in shown.trainers]
    limit = max(float(np.abs(W1).max()) for W1 in W1s)
    for count, W1 in enumerate(W1s):
        for unit in range(W1.shape[1]):
            codes = arrays[f"W1_{count}_{unit}"].astype(np.int64)
            assert codes.shape == (784,)
            assert np.abs((codes - 128) / 127 * limit - W1[:, unit]).max() <= limit / 254 + 1e-12
    assert fields["weights"]["scale"] == [f"−{decimal(f'{limit:.2g}', language)}", "0",
                                          f"+{decimal(f'{limit:.2g}', language)}"]
    assert fields["weights"]["silent"] == [trainer.dead_units().astype(int).tolist() for trainer in shown.trainers]

    # the table: α, training accuracy so far, silent units, each run's own link; the same runs trained alone here
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    rows = fields["table"]["rows"]
    assert len(rows) == 3
    for row, run in zip(rows, shown.runs):
        alone = Trainer(run.trainer.settings, *data)
        alone.train(3)
        colour, _name, stopped, rate, train, _test, units, _link_text, link = row
        assert stopped is None and link == f"train?run={run.run_id}"
        assert rate == decimal(f"{alone.settings.learning_rate:g}", language)
        assert train == decimal(f"{alone.history.train_accuracy:.2%}", language)
        silent = int(alone.dead_units().sum())
        assert units == f"{silent} {SIGNS[language][1]} 10"
        # the reading's first sentence ranks the runs by that same training accuracy
        assert f"**{_name}** {train}" in fields["reading"][0]
