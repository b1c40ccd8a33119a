"""data/'s cache after it was verified: a changed file noticed and repaired, a good one not hashed again."""

import os
import shutil

import numpy as np
import pytest

import data
import data.__main__ as data_command
from data import cache
from data.verify import FILES
from tests.mnist_sources import LABELS


# --- a cache that changed after it was verified -------------------------------------------------

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
