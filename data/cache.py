"""The local cache: verified MNIST arrays kept as .npy files, memory-mapped on load.

A file enters the cache only after its sha256 matched, and only by an atomic rename of a finished
(and flushed to disk) temporary file, so an interrupted or failed fetch never leaves a partial or
corrupt file behind. Next to each array lies its stamp: the sha256 that was verified and the
array file's size and mtime at that moment. A file whose size or mtime no longer match its stamp was
changed after it was verified; it is hashed again, and used only if it still is MNIST. Hashing
every start would read 55 MB; comparing a stamp reads two numbers.
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from data.idx import idx_header
from data.verify import FILES, SHAPES, SPLITS, check_counts, verified_array

REPOSITORY = Path(__file__).resolve().parent.parent


def default_cache_dir() -> Path:
    """MNIST_CACHE if set, else .cache/mnist inside the repository."""
    return Path(os.environ.get("MNIST_CACHE") or REPOSITORY / ".cache" / "mnist")


def cached_path(cache_dir: Path, name: str) -> Path:
    return Path(cache_dir) / f"{name}.npy"


def stamp_path(cache_dir: Path, name: str) -> Path:
    return Path(cache_dir) / f"{name}.verified.json"


def store_verified(staging: Path, cache_dir: Path) -> None:
    """Verify the four raw files in staging, then move their arrays into the cache atomically."""
    arrays = {name: verified_array(staging / name, name) for name in FILES}
    for names in SPLITS.values():
        check_counts(arrays[names[0]], arrays[names[1]], names)
    for name, array in arrays.items():
        temporary = Path(staging) / f"{name}.npy"
        with open(temporary, "wb") as out:
            np.save(out, array)
            out.flush()
            os.fsync(out.fileno())  # else a crash after the rename can leave a torn file in its place
        os.replace(temporary, cached_path(cache_dir, name))
        write_stamp(cache_dir, name)


def write_stamp(cache_dir: Path, name: str) -> None:
    """Record that the cached file, as it is now, holds MNIST's file of that name."""
    status = cached_path(cache_dir, name).stat()
    stamp = {"sha256": FILES[name].sha256, "size": status.st_size, "mtime_ns": status.st_mtime_ns}
    temporary = stamp_path(cache_dir, name).with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(stamp))
    os.replace(temporary, stamp_path(cache_dir, name))


def stamp_matches(cache_dir: Path, name: str) -> bool:
    """Whether the cached file is, by size and mtime, the one verified when its stamp was written."""
    try:
        stamp = json.loads(stamp_path(cache_dir, name).read_text())
        status = cached_path(cache_dir, name).stat()
        return (stamp == {"sha256": FILES[name].sha256, "size": status.st_size,
                          "mtime_ns": status.st_mtime_ns})
    except (OSError, ValueError):
        return False


def inspect_cached(cache_dir: Path, name: str, rehash=False):
    """(the array memory-mapped read-only, None), or (None, what is wrong with the cached file).

    The sha256 is computed again only if the stamp does not match, or if rehash is asked for; a
    file that still hashes right gets a new stamp. Nothing is deleted here (see discard).
    """
    path = cached_path(cache_dir, name)
    if not path.is_file():
        return None, "is missing"
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError):
        return None, "is truncated or unreadable"
    if array.shape != SHAPES[name] or array.dtype != np.uint8:
        return None, f"holds a {array.dtype} array of shape {array.shape}, not {SHAPES[name]}"
    if rehash or not stamp_matches(cache_dir, name):
        if cached_sha256(array) != FILES[name].sha256:
            return None, "changed after it was verified: its sha256 is no longer MNIST's"
        try:
            write_stamp(cache_dir, name)
        except OSError:  # a read-only cache still works; it is only hashed again next time
            pass
    return array, None


def load_cached(cache_dir: Path, name: str, rehash=False):
    """The cached array memory-mapped read-only, or None if it is missing or not the verified file."""
    return inspect_cached(cache_dir, name, rehash)[0]


def cache_problems(cache_dir: Path, rehash=False) -> dict:
    """{file name: what is wrong with its cached copy} for each file the cache cannot serve."""
    problems = {name: inspect_cached(cache_dir, name, rehash)[1] for name in FILES}
    return {name: problem for name, problem in problems.items() if problem}


def cache_is_complete(cache_dir: Path) -> bool:
    return not cache_problems(cache_dir)


def discard(cache_dir: Path, name: str) -> None:
    """Remove a cached file and its stamp, so that the next source replaces them."""
    cached_path(cache_dir, name).unlink(missing_ok=True)
    stamp_path(cache_dir, name).unlink(missing_ok=True)


def cached_sha256(array: np.ndarray) -> str:
    """The sha256 of the raw IDX file a cached array came from, hashed from the mapped file, uncopied."""
    digest = hashlib.sha256(idx_header(array))
    digest.update(memoryview(np.ascontiguousarray(array)).cast("B"))
    return digest.hexdigest()
