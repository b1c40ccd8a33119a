"""Read MNIST's IDX files (raw or gzip-compressed) and check them before anyone uses them.

The IDX format (LeCun's MNIST page): a 4-byte big-endian magic number, whose third byte is the
element type (0x08, unsigned byte) and whose fourth is the number of dimensions; then one
big-endian uint32 per dimension; then the data, row-major. Images are 2051 (3 dimensions:
count, rows, columns), labels 2049 (1 dimension: count).
"""

import gzip
import io
import struct
import zlib
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
GZIP_MAGIC = b"\x1f\x8b"
MAX_IDX_BYTES = 16 + 60000 * 28 * 28  # the largest MNIST file: anything longer is not MNIST
CHUNK = 1 << 16


class IDXError(ValueError):
    """A file that is not the IDX file it claims to be; the message names the file and the problem."""


def read_idx(path, expected_magic=None) -> np.ndarray:
    """The array stored in an IDX file, raw or .gz, after checking its header against its length."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_IDX_BYTES:
            raise IDXError(f"{path}: {size:,} bytes, more than the largest MNIST file ({MAX_IDX_BYTES:,})")
        content = path.read_bytes()
    except OSError as error:
        raise IDXError(f"{path}: cannot be read ({error.strerror or error})") from error
    if content[:2] == GZIP_MAGIC:
        content = gunzip(content, path)
    return parse_idx(content, path.name, expected_magic)


def inflated_chunks(packed, name, limit: int):
    """The decompressed bytes of a gzip stream, chunk by chunk, refused once they pass limit bytes.

    Bounding the output is what keeps a small gzip bomb from filling memory or disk.
    """
    total = 0
    try:
        with gzip.GzipFile(fileobj=packed) as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    raise IDXError(f"{name}: decompresses to more than {limit:,} bytes, "
                                   "more than the MNIST file it claims to be")
                yield chunk
    except (EOFError, OSError, zlib.error) as error:
        raise IDXError(f"{name}: the gzip data is truncated or corrupt ({error})") from error


def gunzip(content: bytes, name, limit: int = MAX_IDX_BYTES) -> bytes:
    """The decompressed bytes of a gzip file, or an IDXError saying it is truncated, corrupt or too big."""
    return b"".join(inflated_chunks(io.BytesIO(content), name, limit))


def gunzip_file(packed: Path, target: Path, name, limit: int) -> None:
    """Decompress the file packed into target, streaming, refusing more than limit bytes."""
    with open(packed, "rb") as source, open(target, "wb") as out:
        for chunk in inflated_chunks(source, name, limit):
            out.write(chunk)


def parse_idx(content: bytes, name, expected_magic=None) -> np.ndarray:
    """Check the magic number, the dimensions and the length, and return the data as uint8."""
    if len(content) < 8:
        raise IDXError(f"{name}: only {len(content)} bytes, too short for an IDX header")
    magic, = struct.unpack(">i", content[:4])
    if magic not in (IMAGES_MAGIC, LABELS_MAGIC):
        raise IDXError(
            f"{name}: wrong magic number {magic} (expected {IMAGES_MAGIC} for images "
            f"or {LABELS_MAGIC} for labels); this is not an MNIST IDX file")
    if expected_magic is not None and magic != expected_magic:
        raise IDXError(f"{name}: magic number {magic}, expected {expected_magic}")
    ndim = magic & 0xFF
    header_length = 4 + 4 * ndim
    if len(content) < header_length:
        raise IDXError(f"{name}: truncated inside the header ({len(content)} bytes)")
    shape = struct.unpack(f">{ndim}I", content[4:header_length])
    if magic == IMAGES_MAGIC and shape[1:] != (28, 28):
        raise IDXError(f"{name}: images of {shape[1]}x{shape[2]} pixels, expected 28x28")
    expected_length = header_length + int(np.prod(shape))
    if len(content) != expected_length:
        problem = "truncated" if len(content) < expected_length else "longer than its header says"
        raise IDXError(
            f"{name}: {problem}: the header promises {shape} ({expected_length} bytes) "
            f"but the file has {len(content)} bytes")
    return np.frombuffer(content, dtype=np.uint8, offset=header_length).reshape(shape)


def idx_header(array: np.ndarray) -> bytes:
    """The magic number and dimensions that precede a uint8 array's data in its IDX file."""
    magic = IMAGES_MAGIC if array.ndim == 3 else LABELS_MAGIC
    return struct.pack(">i", magic) + struct.pack(f">{array.ndim}I", *array.shape)


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX file for a uint8 array: the inverse of parse_idx."""
    return idx_header(array) + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
