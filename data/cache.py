"""The local cache: verified MNIST arrays kept as .npy files, memory-mapped on load.

A file enters the cache only after its sha256 matched, and only by an atomic rename of a finished
temporary file, so an interrupted or failed fetch never leaves a partial or corrupt file behind.
"""

import hashlib
import os
from pathlib import Path

import numpy as np

from data.idx import idx_bytes
from data.verify import FILES, SPLITS, check_counts, verified_array

REPOSITORY = Path(__file__).resolve().parent.parent
EXPECTED_SHAPES = {
    "train-images-idx3-ubyte": (60000, 28, 28),
    "train-labels-idx1-ubyte": (60000,),
    "t10k-images-idx3-ubyte": (10000, 28, 28),
    "t10k-labels-idx1-ubyte": (10000,),
}


def default_cache_dir() -> Path:
    """MNIST_CACHE if set, else .cache/mnist inside the repository."""
    return Path(os.environ.get("MNIST_CACHE") or REPOSITORY / ".cache" / "mnist")


def cached_path(cache_dir: Path, name: str) -> Path:
    return Path(cache_dir) / f"{name}.npy"


def store_verified(staging: Path, cache_dir: Path) -> None:
    """Verify the four raw files in staging, then move their arrays into the cache atomically."""
    arrays = {name: verified_array(staging / name, name) for name in FILES}
    for names in SPLITS.values():
        check_counts(arrays[names[0]], arrays[names[1]], names)
    for name, array in arrays.items():
        temporary = Path(staging) / f"{name}.npy"
        np.save(temporary, array)
        os.replace(temporary, cached_path(cache_dir, name))


def load_cached(cache_dir: Path, name: str):
    """The cached array memory-mapped read-only, or None (and the bad file removed) if unusable."""
    path = cached_path(cache_dir, name)
    if not path.is_file():
        return None
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError):
        array = None
    if array is None or array.shape != EXPECTED_SHAPES[name] or array.dtype != np.uint8:
        path.unlink(missing_ok=True)
        return None
    return array


def cache_is_complete(cache_dir: Path) -> bool:
    return all(load_cached(cache_dir, name) is not None for name in FILES)


def cached_sha256(cache_dir: Path, name: str) -> str:
    """The sha256 of the raw IDX file the cached array came from (rebuilt from the array)."""
    return hashlib.sha256(idx_bytes(np.asarray(load_cached(cache_dir, name)))).hexdigest()
