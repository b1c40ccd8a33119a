"""The Train panel's blobs (ui/step_payload.py, ui/step_panel.py): what a Step click sends, and that it stays small.

A real trainer on real MNIST steps through a long run; after each Step the blob is built as the
page builds it, decoded, and checked against the step record and the history it came from.
"""

import numpy as np
import pytest

from core.training.settings import Settings
from core.training.trainer import Trainer
from ui import step_panel
from ui.step_payload import PanelMemory, curve_bins, decode, encode

# A Step click's blob stays under this many bytes however long the run (the old page sent 13.7 KB and two PNGs).
STEP_BLOB_LIMIT = 3_000


@pytest.fixture(scope="module")
def trainer(mnist):
    return Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)


def step_blob(memory: PanelMemory, trainer: Trainer, mnist) -> bytes:
    """The blob of the panel after the trainer's last step, as pages/train.py builds it."""
    record = trainer.last_record
    fields, blocks = step_panel.record_fields(record, record.step, mnist.train_images, trainer.dead_units(), False,
                                              lambda mask: "units")
    fields.update(position=f"Step {trainer.step_count}", text=step_panel.panel_text())
    history = trainer.history
    width, bins = curve_bins(history.bins, history.SERIES.index("loss"), history.SERIES.index("correct"))
    return memory.blob(fields, blocks, width, bins, history=id(history))


def test_blocks_come_back_as_they_went():
    arrays = {"pixels": (np.arange(784) % 256).astype(np.uint8), "A2": np.linspace(0, 1, 10),
              "codes": np.array([-3, 7], dtype=np.int32)}
    header, decoded = decode(encode({"fields": {"word": "βήμα"}}, arrays))
    assert header["fields"] == {"word": "βήμα"}
    for name, array in arrays.items():
        assert decoded[name].dtype == array.dtype and np.array_equal(decoded[name], array)


def test_a_step_blob_carries_the_records_numbers(trainer, mnist):
    memory = PanelMemory()
    trainer.train(5)
    step_blob(memory, trainer, mnist)
    trainer.step()
    header, arrays = decode(step_blob(memory, trainer, mnist))
    record = trainer.last_record
    assert header["base"] == header["serial"] - 1  # a change on the last blob, not everything again
    assert "text" not in header["fields"]  # the fixed words went once
    assert np.array_equal(arrays["A2"], record.forward.A2)
    assert np.array_equal(arrays["pixels"], mnist.train_images[record.index].reshape(-1))
    # ΔW1 as its two factors: x (the pixels / 255) times −α·dZ1, exactly the update applied
    update = np.outer(arrays["pixels"] / 255.0, arrays["dW1_factor"])
    assert np.allclose(update, record.updates.dW1, rtol=1e-12, atol=0)
    assert header["fields"]["loss_before"] == f"{record.loss_before:.4f}"
    assert header["fields"]["A2_hover"] == [f"{value:.4f}" for value in record.forward.A2]


def test_a_step_blob_stays_small_as_the_run_grows(trainer, mnist):
    """Across a whole epoch and more (the history's bins merge several times), each Step's blob is small:
    the curves travel as their last bins only."""
    memory = PanelMemory()
    trainer.step()
    step_blob(memory, trainer, mnist)
    sizes, bins_sent = [], []
    for chunk in (10, 100, 1_000, 5_000, 20_000, 40_000):
        trainer.train(chunk - 1)
        trainer.step()
        step_blob(memory, trainer, mnist)  # a Step ×n: the bins since the last blob
        trainer.step()
        blob = step_blob(memory, trainer, mnist)
        header, arrays = decode(blob)
        sizes.append(len(blob))
        bins_sent.append(len(arrays["bins"]) // 3)
        assert header["bins"]["from"] > 0 or header["bins"]["count"] <= 1
    assert trainer.step_count > 60_000 and trainer.history.bins.width > 16
    assert max(sizes) < STEP_BLOB_LIMIT, sizes
    assert max(bins_sent) <= 2, bins_sent


def test_bins_sent_as_changes_rebuild_the_history_exactly(trainer, mnist):
    """Merging in pairs and replacing from `from` on (what static/panel_kit.js does) gives the server's bins."""
    memory, held, width = PanelMemory(), [], 1
    fresh = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    for chunk in (1, 1, 3, 500, 1_500, 2_500, 1, 9_000, 1):
        fresh.train(chunk)
        history = fresh.history
        server_width, bins = curve_bins(history.bins, history.SERIES.index("loss"), history.SERIES.index("correct"))
        header, arrays = decode(memory.blob({}, {}, server_width, bins, history=id(history)))
        sent = header["bins"]
        if sent["from"] == 0:
            held, width = [], sent["width"]
        while width < sent["width"]:
            held = [a + b for a, b in zip(held[0::2], held[1::2] + [np.zeros(3)] * (len(held) % 2))]
            width *= 2
        held = held[:sent["from"]] + list(arrays["bins"].reshape(-1, 3))
        assert width == server_width and np.array_equal(np.array(held), bins)
