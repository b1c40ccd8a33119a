"""core/record/checkpoints.py on hostile uploads: each is refused in one sentence, within a fixed memory bound.

The loader runs in a child process; its extra memory is its peak RSS (VmHWM) during the call minus
its RSS just before (after the imports and reading the file). The bound is three times what the largest
legitimate checkpoint unpacks to (h = 64 with all its trajectory points), measured here from a real one.
"""

import io
import re
import zipfile
import zlib

import numpy as np
import pytest

from bench.hostile_uploads import (
    LIED_SIZE,
    declare,
    huge_shape,
    long_header,
    many_members,
    run_loader,
    streamed_member,
    zeros,
)
from core.record.checkpoints import MAX_CHECKPOINT_BYTES, load_checkpoint, save_checkpoint
from core.training.settings import Settings
from core.training.trajectory import MAX_TRAJECTORY_POINTS
from core.training.trainer import Trainer

BOMB_BYTES = 128 * 2**20  # what each bomb inflates to: far past the bound, small enough to build fast


@pytest.fixture(scope="module")
def legitimate(mnist):
    trainer = Trainer(Settings(hidden=64), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer.train(300)
    return trainer


@pytest.fixture(scope="module")
def memory_bound(legitimate):
    """3x the unpacked size of the largest legitimate checkpoint: this one with all its trajectory points."""
    state = legitimate.state_dict()
    unpacked = sum(np.asarray(value).nbytes for value in state.values())
    taken = len(state["snapshots.steps"])
    per_point = sum(state[key].nbytes // taken for key in state if key.startswith("snapshots.") and key != "snapshots.next_step")
    return 3 * (unpacked + (MAX_TRAJECTORY_POINTS - taken) * per_point)


def bomb(method) -> bytes:
    """One member compressed with `method` that inflates to BOMB_BYTES but declares LIED_SIZE."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        streamed_member(archive, "params.W1.npy", method, zeros(BOMB_BYTES))
    return declare(buffer.getvalue(), "params.W1.npy", LIED_SIZE)


def deflate_whose_size_lies(saved) -> bytes:
    """The legitimate checkpoint with b2's deflate stream running on past its declared size and CRC."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved)) as original, zipfile.ZipFile(buffer, "w") as archive:
        for member in original.infolist():
            data = original.read(member)
            tail = zeros(BOMB_BYTES) if member.filename == "params.b2.npy" else ()
            streamed_member(archive, member.filename, zipfile.ZIP_DEFLATED, [data, *tail])
    with zipfile.ZipFile(io.BytesIO(saved)) as original:
        b2 = original.read("params.b2.npy")
    return declare(buffer.getvalue(), "params.b2.npy", len(b2), zlib.crc32(b2))


HOSTILE = {
    "bzip2": (lambda saved: bomb(zipfile.ZIP_BZIP2), "'params.W1' is compressed with bzip2; only stored and deflate"),
    "lzma": (lambda saved: bomb(zipfile.ZIP_LZMA), "'params.W1' is compressed with lzma; only stored and deflate"),
    "deflate size lies": (deflate_whose_size_lies, "'params.b2' holds more data than its array header says"),
    "huge shape": (lambda saved: huge_shape((2**40,), 0), "'params.W1' claims 8796093022208 bytes"),
    "60 MB shape": (lambda saved: huge_shape((60 * 2**17,), 60 * 2**20), "would unpack to more than 24 MB"),
    "long npy header": (lambda saved: long_header(), "'params.b2' has a 20,[0-9]{3}-byte array header; .* not a checkpoint array"),
    "many members": (lambda saved: many_members(200_000), "the archive holds 65,535 files; a checkpoint holds at most 100"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_upload_is_refused_within_the_memory_bound(kind, legitimate, memory_bound, tmp_path):
    build, message = HOSTILE[kind]
    content = build(save_checkpoint(legitimate))
    assert len(content) <= MAX_CHECKPOINT_BYTES
    result = run_loader(content, tmp_path)
    assert result["extra_bytes"] < memory_bound, f"{result['extra_bytes'] / 2**20:.0f} MB: {result['outcome']}"
    assert re.search(message, result["outcome"]), result["outcome"]
    assert "pickle" not in result["outcome"]


def test_legitimate_checkpoint_loads_within_the_bound_and_round_trips(legitimate, memory_bound, mnist, tmp_path):
    content = save_checkpoint(legitimate)
    result = run_loader(content, tmp_path)
    assert result["outcome"] == "loaded"
    assert result["extra_bytes"] < memory_bound, f"{result['extra_bytes'] / 2**20:.0f} MB"
    restored = load_checkpoint(content, mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    original = legitimate.state_dict()
    assert restored.state_dict().keys() == original.keys()
    for key, value in original.items():
        np.testing.assert_array_equal(np.asarray(restored.state_dict()[key]), np.asarray(value), err_msg=key)
