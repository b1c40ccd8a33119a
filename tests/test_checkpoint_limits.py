"""core/record/checkpoints.py on hostile uploads: each is refused in one sentence, within a fixed memory bound.

The loader runs in a child process; its extra memory is its peak RSS (VmHWM) during the call minus
its RSS just before (after the imports and reading the file). The bound is three times what the largest
legitimate checkpoint unpacks to (h = 64 with all its snapshots), measured here from a real one.
"""

import io
import json
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from core.record.checkpoints import MAX_CHECKPOINT_BYTES, load_checkpoint, save_checkpoint
from core.training.settings import Settings
from core.training.snapshots import MAX_SNAPSHOTS
from core.training.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
BOMB_BYTES = 128 * 2**20  # what each bomb inflates to: far past the bound, small enough to build fast
CHUNK = bytes(2**20)
LIED_SIZE = 1000

CHILD = """
import json, resource, sys, time
from core.record.checkpoints import CheckpointError, read_checkpoint

def status_kb(field):  # VmHWM is this process's peak RSS (ru_maxrss would include the parent's, from before exec)
    line = next(line for line in open("/proc/self/status") if line.startswith(field + ":"))
    return int(line.split()[1])

content = open(sys.argv[1], "rb").read()
virtual = status_kb("VmSize") * 1024
resource.setrlimit(resource.RLIMIT_AS, (virtual + 2**30, virtual + 2**30))  # a safety net only
before = status_kb("VmRSS")
start = time.perf_counter()
try:
    read_checkpoint(content)
    outcome = "loaded"
except CheckpointError as error:
    outcome = str(error)
except MemoryError:
    outcome = "MemoryError"
seconds = time.perf_counter() - start
print(json.dumps({"outcome": outcome, "extra_bytes": (status_kb("VmHWM") - before) * 1024, "seconds": seconds}))
"""


def run_loader(content, tmp_path) -> dict:
    """read_checkpoint(content) in a fresh process: its outcome, extra peak memory and time."""
    path = tmp_path / "upload.npz"
    path.write_bytes(content)
    result = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def legitimate(mnist):
    trainer = Trainer(Settings(hidden=64), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer.train(300)
    return trainer


@pytest.fixture(scope="module")
def memory_bound(legitimate):
    """3x the unpacked size of the largest legitimate checkpoint: this one with all its snapshots."""
    state = legitimate.state_dict()
    unpacked = sum(np.asarray(value).nbytes for value in state.values())
    taken = len(state["snapshots.steps"])
    per_snapshot = sum(state[key].nbytes // taken for key in state if key.startswith("snapshots.") and key != "snapshots.next_step")
    return 3 * (unpacked + (MAX_SNAPSHOTS - taken) * per_snapshot)


def npy_header(header, pad=0) -> bytes:
    """A version 2.0 .npy header (no data), padded with `pad` spaces to make it long."""
    text = repr(header).encode("latin1") + b" " * pad + b"\n"
    return np.lib.format.magic(2, 0) + struct.pack("<I", len(text)) + text


def streamed_member(archive, name, method, parts):
    """Write a member chunk by chunk, so a bomb is built without holding what it inflates to."""
    info = zipfile.ZipInfo(name)
    info.compress_type = method
    with archive.open(info, "w") as member:
        for part in parts:
            member.write(part)


def zeros(size):
    for _ in range(size // len(CHUNK)):
        yield CHUNK


def declare(content, name, size=None, crc=None) -> bytes:
    """The archive with the named member's uncompressed size (and CRC-32) edited in both headers."""
    content = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        members, offset = archive.infolist(), archive.start_dir
    for member in members:  # a directory entry holds the CRC at 16 and the size at 24; a local header, 2 bytes earlier
        name_length, extra_length, comment_length = struct.unpack_from("<3H", content, offset + 28)
        if member.filename == name:
            for field, value in ((16, crc), (24, size)):
                if value is not None:
                    struct.pack_into("<L", content, offset + field, value)
                    struct.pack_into("<L", content, member.header_offset + field - 2, value)
        offset += 46 + name_length + extra_length + comment_length
    return bytes(content)


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


def huge_shape(shape, declared) -> bytes:
    """A member whose .npy header claims `shape` of float64; its deflated zeros inflate to `declared`."""
    header = npy_header({"descr": "<f8", "fortran_order": False, "shape": shape})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        streamed_member(archive, "params.W1.npy", zipfile.ZIP_DEFLATED, [header, *zeros(declared)])
    return buffer.getvalue()


def long_header() -> bytes:
    header = npy_header({"descr": "<f8", "fortran_order": False, "shape": (10,)}, pad=20_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("params.b2.npy", header + bytes(80))
    return buffer.getvalue()


def many_members(count) -> bytes:
    """`count` empty stored members, built byte by byte (zipfile would take seconds to write them)."""
    local, central = [], []
    offset = 0
    for index in range(count):
        name = f"{index}.npy".encode()
        local.append(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0) + name)
        central.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, 0, 0, 0x21, 0, 0, 0,
                                   len(name), 0, 0, 0, 0, 0, offset) + name)
        offset += len(local[-1])
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), len(directory), offset, 0)
    return b"".join(local) + directory + end


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
