"""data/: real MNIST facts and the IDX reader (fetching and the cache have test files of their own)."""

import gzip
import hashlib

import numpy as np
import pytest

from data import cache
from data.idx import IDXError, idx_bytes, read_idx
from data.verify import FILES, read_labelled_images


# --- real MNIST -------------------------------------------------------------------------------

def test_sizes_and_shapes(mnist):
    assert mnist.train_images.shape == (60000, 28, 28)
    assert mnist.train_labels.shape == (60000,)
    assert mnist.test_images.shape == (10000, 28, 28)
    assert mnist.test_labels.shape == (10000,)
    assert mnist.train_images.dtype == np.uint8


def test_known_labels(mnist):
    assert mnist.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.test_labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_mean_training_pixel(mnist):
    assert round(float(mnist.train_images.mean(dtype=np.float64)), 3) == 33.318


def test_loaded_arrays_are_read_only(mnist):
    with pytest.raises(ValueError):
        mnist.train_images[0, 0, 0] = 1


def test_cached_arrays_rebuild_the_published_files(mnist):
    for name, expected in FILES.items():
        array = np.load(cache.cached_path(cache.default_cache_dir(), name), mmap_mode="r")
        assert cache.cached_sha256(array) == expected.sha256
        assert hashlib.sha256(idx_bytes(np.asarray(array))).hexdigest() == expected.sha256


# --- the IDX reader ---------------------------------------------------------------------------

def small_images():
    return np.arange(3 * 28 * 28, dtype=np.int64).reshape(3, 28, 28).astype(np.uint8)


def test_reads_raw_and_gz_files(tmp_path):
    images, labels = small_images(), np.array([7, 0, 9], dtype=np.uint8)
    (tmp_path / "images").write_bytes(idx_bytes(images))
    (tmp_path / "labels.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    np.testing.assert_array_equal(read_idx(tmp_path / "images"), images)
    np.testing.assert_array_equal(read_idx(tmp_path / "labels.gz"), labels)


def test_header_is_big_endian(tmp_path):
    content = idx_bytes(np.array([1, 2], dtype=np.uint8))
    assert content[:8] == bytes([0, 0, 8, 1, 0, 0, 0, 2])


@pytest.mark.parametrize("content, problem", [
    (b"\x00\x00\x04\xd2" + bytes(12), "wrong magic number 1234"),
    (idx_bytes(small_images())[:-5], "truncated"),
    (idx_bytes(small_images()) + b"\x00", "longer than its header"),
    (b"\x00\x00", "too short"),
])
def test_bad_files_name_the_file_and_the_problem(tmp_path, content, problem):
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(IDXError) as error:
        read_idx(path)
    assert "broken-idx3-ubyte" in str(error.value) and problem in str(error.value)


def test_truncated_gzip_is_reported(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8)))[:30])
    with pytest.raises(IDXError, match="labels.gz: the gzip data is truncated or corrupt"):
        read_idx(path)


def test_image_and_label_counts_must_match(tmp_path):
    (tmp_path / "images").write_bytes(idx_bytes(small_images()))
    (tmp_path / "labels").write_bytes(idx_bytes(np.array([1, 2], dtype=np.uint8)))
    with pytest.raises(IDXError, match="images has 3 images but labels has 2 labels"):
        read_labelled_images(tmp_path / "images", tmp_path / "labels")
