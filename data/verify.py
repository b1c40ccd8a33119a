"""The four MNIST files and their published checksums; a file is used only after it matches."""

import hashlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from data.idx import IMAGES_MAGIC, LABELS_MAGIC, IDXError, parse_idx, read_idx


class Checksums(NamedTuple):
    sha256: str  # of the raw IDX file
    md5: str  # of the .gz file the mirrors publish
    magic: int


FILES = {
    "train-images-idx3-ubyte": Checksums(
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "f68b3c2dcbeaaa9fbdd348bbdeb94873", IMAGES_MAGIC),
    "train-labels-idx1-ubyte": Checksums(
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "d53e105ee54ea40749a09fcbcd1e9432", LABELS_MAGIC),
    "t10k-images-idx3-ubyte": Checksums(
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "9fb629c4189551a2d022fa330f9573f3", IMAGES_MAGIC),
    "t10k-labels-idx1-ubyte": Checksums(
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        "ec29112dd5afa0611ce80d1b7f02629c", LABELS_MAGIC),
}

SHAPES = {
    "train-images-idx3-ubyte": (60000, 28, 28),
    "train-labels-idx1-ubyte": (60000,),
    "t10k-images-idx3-ubyte": (10000, 28, 28),
    "t10k-labels-idx1-ubyte": (10000,),
}


def raw_size(name: str) -> int:
    """The length of the raw IDX file: 4 bytes of magic, 4 per dimension, one per pixel or label."""
    shape = SHAPES[name]
    return 4 + 4 * len(shape) + int(np.prod(shape))


# split -> (images file, labels file)
SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class ChecksumError(IDXError):
    """A file whose content differs from the published MNIST file of that name."""


def verified_array(path: Path, name: str) -> np.ndarray:
    """The array in a raw IDX file, after its header, length and sha256 are checked."""
    if Path(path).stat().st_size > raw_size(name):  # checked before reading it all into memory
        raise IDXError(f"{name}: longer than MNIST's {raw_size(name):,} bytes")
    content = Path(path).read_bytes()
    array = parse_idx(content, name, FILES[name].magic)
    digest = hashlib.sha256(content).hexdigest()
    if digest != FILES[name].sha256:
        raise ChecksumError(
            f"{name}: sha256 {digest} differs from MNIST's {FILES[name].sha256}; "
            "the file is corrupt or is not MNIST")
    return array


def read_labelled_images(images_path: Path, labels_path: Path):
    """An images file and its labels file, read and checked to pair one to one."""
    images = read_idx(images_path, IMAGES_MAGIC)
    labels = read_idx(labels_path, LABELS_MAGIC)
    check_counts(images, labels, (Path(images_path).name, Path(labels_path).name))
    return images, labels


def check_counts(images: np.ndarray, labels: np.ndarray, names) -> None:
    """Images and labels of one split must pair one to one."""
    if len(images) != len(labels):
        raise IDXError(
            f"{names[0]} has {len(images)} images but {names[1]} has {len(labels)} labels")
