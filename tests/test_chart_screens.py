"""Train's epoch charts, Errata, Draw's and Evaluate's charts as the chart kit sends them (AppTest, real MNIST).

The numbers a chart draws are the model's, computed here independently of the screen (the softmax
Jacobian from A2, the confusion matrix from the test predictions, α from the schedule's rule); its
words are in the session's language; a click on a confusion cell opens that cell's mistakes.
"""

import numpy as np

from core.model import network
from core.training.settings import learning_rate_at
from tests.app_session import chart_click, charts, fresh_app, trained_app, trainer_of


def test_train_sends_the_schedule_and_after_an_epoch_the_test_accuracy(mnist):
    app = fresh_app()
    app.switch_page("pages/train.py").run()
    shown = charts(app)
    assert "train_test_accuracy" not in shown  # no epoch has ended: a caption says when it comes
    fields, arrays = shown["train_schedule"]
    settings = trainer_of(app).settings
    epochs = np.arange(1, 2 * settings.decay_period + 1)
    assert arrays["x"].tolist() == epochs.tolist()
    # α = α₀ · factor^⌊(epoch − 1) / period⌋: 0.01 for epochs 1–5, 0.005 for 6–10
    np.testing.assert_allclose(arrays["y"], [0.01] * 5 + [0.005] * 5, rtol=1e-6)
    np.testing.assert_allclose(arrays["y"], [learning_rate_at(settings, epoch - 1) for epoch in epochs], rtol=1e-6)
    assert fields["steps"] and fields["markers"] and fields["x_every"] == 1
    assert (fields["title"], fields["x_title"], fields["y_title"]) == ("Learning-rate schedule", "epoch", "α")

    trainer = trainer_of(app)
    trainer.run_epoch()
    app.run()
    (_epoch, _step, accuracy), = trainer.history.test_accuracy
    assert accuracy == trainer.evaluate()
    fields, arrays = charts(app)["train_test_accuracy"]
    assert arrays["x"].tolist() == [1]
    np.testing.assert_allclose(arrays["y"], [accuracy], rtol=1e-6)
    assert fields["series"][0]["labels"] == [f"{accuracy:.2%}"]
    assert fields["series"][0]["said"] == [f"epoch 1: {accuracy:.2%}"]
    assert [label for _, label in fields["y_ticks"]] == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert fields["alt"] == f"Test accuracy after each epoch: epoch 1: {accuracy:.2%}"


def test_errata_draws_this_samples_jacobian_rules_and_mask():
    app = trained_app(10)
    app.switch_page("pages/errata.py").run()
    assert not app.exception
    trainer = trainer_of(app)
    record = trainer.last_record
    values = network.forward(trainer.params, np.asarray(record.x, np.float64))
    shown = charts(app)
    fields, arrays = shown["errata_jacobian"]
    A2 = values.A2
    J = np.diag(A2) - np.outer(A2, A2)  # J_kj = A2_k(δ_kj − A2_j)
    np.testing.assert_allclose(arrays["values"].reshape(10, 10), J, atol=1e-7)
    assert fields["low"] == -fields["high"] == -np.abs(J).max().astype(np.float32)
    starred = [label for label in fields["x_labels"] if label.endswith("*")]
    assert starred == [f"{record.label}*"] and fields["y_labels"] == fields["x_labels"]
    k, j = 3, 5
    assert fields["hover"][k * 10 + j] == f"nudge Z2 of digit {j}: A2 of digit {k} moves by {J[k, j]:.5f} per unit".replace("-", "−")
    assert fields["texts"][k * 10 + k] == f"{J[k, k]:.3f}"

    y = network.one_hot(record.label)
    fields, arrays = shown["errata_rules"]
    document, exact, cross_entropy = arrays["values"].reshape(3, 10)
    np.testing.assert_allclose(document, 2 * (A2 - y), atol=1e-6)
    np.testing.assert_allclose(exact, J @ (2 * (A2 - y)), atol=1e-6)
    np.testing.assert_allclose(cross_entropy, A2 - y, atol=1e-6)
    assert [pattern for _, _, pattern in fields["legend"]] == ["", "/", "."]  # each rule its pattern, as in plotly

    fields, arrays = shown["errata_mask"]
    np.testing.assert_allclose(arrays["values"], 2 * (A2 - y), atol=1e-6)
    zeroed = values.Z2 <= 0
    assert fields["series"][0]["patterns"] == ["x" if off else "" for off in zeroed]
    assert [text == "→ 0" for text in fields["series"][0]["text"]] == zeroed.tolist()
    assert not any(fields["clickable"] for fields, _ in shown.values())


def test_errata_in_greek_writes_greek_numbers():
    app = trained_app(10, {"lang": "el"})
    app.switch_page("pages/errata.py").run()
    fields, arrays = charts(app)["errata_jacobian"]
    assert fields["separators"] == ",."
    entry = float(arrays["values"][0])
    assert fields["texts"][0] == f"{entry:.3f}".replace(".", ",")
    assert "ψηφίο" in fields["hover"][0]


def test_evaluate_draws_the_confusion_matrix_and_a_click_on_a_cell_opens_its_mistakes(mnist):
    app = trained_app(100)
    app.switch_page("pages/evaluate.py").run()
    trainer = trainer_of(app)
    predicted = trainer.test_predictions().argmax(axis=1)
    counted = np.zeros((10, 10), int)
    np.add.at(counted, (mnist.test_labels, predicted), 1)
    shown = charts(app)
    fields, arrays = shown["evaluate_confusion"]
    assert arrays["values"].reshape(10, 10).astype(int).tolist() == counted.tolist()
    mistakes = counted - np.diag(np.diag(counted))
    assert (fields["low"], fields["high"]) == (0, mistakes.max())  # the colour capped at the largest mistake
    assert fields["clickable"] and fields["outline"] is None
    true, guess = np.unravel_index(mistakes.argmax(), mistakes.shape)
    assert fields["hover"][true * 10 + guess] == f"true {true}, predicted {guess}: {mistakes.max()} images"
    assert f"the most common mistake, a {true} read as a {guess}, {mistakes.max()} times" in fields["alt"]
    per_class, per_class_arrays = shown["evaluate_per_class"]
    np.testing.assert_allclose(per_class_arrays["values"], counted.diagonal() / counted.sum(axis=1), rtol=1e-6)

    chart_click(app, "evaluate_confusion", 0, int(true * 10 + guess))
    assert not app.exception
    assert (app.selectbox(key="evaluate_true").value, app.selectbox(key="evaluate_predicted").value) == (true, guess)
    captions = [caption for image in app.image for caption in image.captions]
    assert captions and all(f" · {true} → {guess} · " in caption for caption in captions)
    fields, _arrays = charts(app)["evaluate_confusion"]
    assert fields["outline"] == [true, true + 1, guess, guess + 1]
    chart_click(app, "evaluate_confusion", 0, 100)  # no such cell: ignored
    assert not app.exception and app.selectbox(key="evaluate_true").value == true
