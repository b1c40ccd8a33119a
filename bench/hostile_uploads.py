"""Hostile checkpoint uploads, built in memory, and the checkpoint loader run on one in a fresh process.

Shared by bench/upload_bomb.py (which prints what each costs) and tests/test_checkpoint_limits.py
(which holds each to the memory bound); a benchmark never imports the tests.
"""

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CHUNK = bytes(2**20)
LIED_SIZE = 1000

CHILD = """
import json, resource, sys, time
from core.record.checkpoints import CheckpointError, read_checkpoint
from locales.words import said

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
    outcome = said(error)
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
    if result.returncode != 0:
        raise RuntimeError(f"the loader's process failed: {result.stderr}")
    return json.loads(result.stdout)


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
